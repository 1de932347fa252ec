"""An index's figures for people: what a build or update did (`IndexReport`), and the table of
`indexer stats` and the shell's `:stats`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from indexer.output.safe_text import counted, terminal_safe

if TYPE_CHECKING:
    from indexer.index.store import IndexReport


def change_counts(report: IndexReport, *, new: str = "added") -> str:
    """What an update did: "3 added, 1 changed, 0 removed" (`new` names the first count)."""
    return f"{report.added} {new}, {report.changed} changed, {report.removed} removed"


def notes_and_time(report: IndexReport) -> str:
    """The index after it: "4490 notes in 1.2 s"."""
    return f"{counted(report.notes, 'note')} in {report.seconds:.1f} s"


def describe_batch(report: IndexReport, *, clock: Callable[[], str] | None = None) -> str:
    """Watch mode's line for a batch: "12:03:04 1 added, 2 changed, 0 removed; 4491 notes (0.3 s)"."""
    stamp = clock() if clock else time.strftime("%H:%M:%S")
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    notes = counted(report.notes, "note")
    return f"{stamp} {change_counts(report)}{skipped}; {notes} ({report.seconds:.1f} s)"


def stats_lines(figures: Mapping[str, object]) -> list[str]:
    """`index_stats` figures as aligned "name  value" lines (lists joined with commas),
    escaped for a terminal: a corpus path is the user's own text."""
    width = max(len(key) for key in figures)
    lines = []
    for key, value in figures.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"{key.replace('_', ' '):<{width}}  {terminal_safe(str(shown))}")
    return lines
