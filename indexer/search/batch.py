"""Batch queries: one query a line (blank lines and `#` comments skipped), all run against
one open index; each query's outcome (a result, a count, or the error of a malformed
query with its line number) is yielded as soon as it is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from indexer.errors import NotesError
from indexer.search.options import SearchOptions

if TYPE_CHECKING:
    from indexer.search.searching import NoteIndex, SearchResult


@dataclass(frozen=True, slots=True)
class BatchQuery:
    """A query of a batch and the line it was read from (1-based)."""

    line: int
    text: str  # as written, `@name` references unexpanded
    problem: str = ""  # why the line cannot be a query (not UTF-8); then `text` is empty


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one query of a batch gave: a result, a count, or an error."""

    query: BatchQuery
    result: SearchResult | None = None
    total: int | None = None  # set instead of `result` when only counting
    error: NotesError | None = None


def read_queries(lines: Iterable[str | bytes]) -> Iterator[BatchQuery]:
    """The queries of a batch file: every line but blank ones and `#` comments.

    Lines read as bytes are decoded one by one, so a line that is not UTF-8 is that
    line's error and every other line is still answered.
    """
    for number, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                problem = f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
                yield BatchQuery(number, "", problem)
                continue
        text = line.strip()
        if text and not text.startswith("#"):
            yield BatchQuery(number, text)


def run_batch(
    notes: NoteIndex,
    queries: Iterable[BatchQuery],
    options: SearchOptions | None = None,
    /,
    *,
    count_only: bool = False,
    **keywords: Any,
) -> Iterator[BatchOutcome]:
    """Run each query (`@name` runs a saved search) with the same `SearchOptions` (or their
    fields as keyword arguments, as `NoteIndex.search` takes them)."""
    options = SearchOptions.of(options, **keywords)
    saved = notes.saved_searches
    for query in queries:
        if query.problem:
            yield BatchOutcome(query, error=NotesError(query.problem))
            continue
        try:
            text = saved.expand(query.text)
            if count_only:
                yield BatchOutcome(query, total=notes.count(text))
            else:
                yield BatchOutcome(query, result=notes.search(text, options))
        except NotesError as exc:
            yield BatchOutcome(query, error=exc)
