"""A timeline drawn: hits per month as bars (the command line) or a sparkline (the shell).

Pure drawing helpers over `MonthCounts` (counted by `indexer.search.timeline`); colour
and escaping are `render`'s business.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.search.timeline import MonthCounts

# More empty months in a row than this are drawn as one gap row (a note dated 1969 should
# not push the chart of a 2021 story off the screen).
MAX_EMPTY_RUN = 3

_EIGHTHS = " ▏▎▍▌▋▊▉"
_FULL = "█"
_SPARKS = "▁▂▃▄▅▆▇█"
GAP_MARK = "…"


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a chart: a month and its count, or a run of empty months drawn as a gap."""

    month: str
    count: int
    gap: int = 0  # > 0: this row stands for `gap` empty months starting at `month`


def chart_rows(timeline: MonthCounts, *, max_empty_run: int = MAX_EMPTY_RUN) -> list[Row]:
    """Every month from the first to the last with hits, long runs of empty months folded."""
    rows: list[Row] = []
    for index, (month, count) in enumerate(timeline):
        if index:
            empty = months_between(timeline[index - 1][0], month)
            if len(empty) > max_empty_run:
                rows.append(Row(empty[0], 0, gap=len(empty)))
            else:
                rows.extend(Row(name, 0) for name in empty)
        rows.append(Row(month, count))
    return rows


def months_between(first: str, last: str) -> list[str]:
    """The months strictly between two "YYYY-MM" months."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    between = []
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if (year, month) >= end:
            return between
        between.append(f"{year:04d}-{month:02d}")


def bar(count: int, peak: int, width: int) -> str:
    """A horizontal bar of `count` out of `peak`, `width` cells at most, in eighths of a cell."""
    if count <= 0 or peak <= 0:
        return ""
    eighths = max(1, round(count / peak * width * 8))
    return _FULL * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def sparkline(counts: Sequence[int | None]) -> str:
    """One character a month, ▁ to █ by count; 0 is a space, None (a folded gap) is …."""
    peak = max((count for count in counts if count), default=0)
    marks = []
    for count in counts:
        if count is None:
            marks.append(GAP_MARK)
        elif count <= 0:
            marks.append(" ")
        else:
            marks.append(_SPARKS[max(0, math.ceil(count / peak * len(_SPARKS)) - 1)])
    return "".join(marks)
