"""Batch queries: one query a line (blank lines and `#` comments skipped), all run against
one open index; each query's outcome (a result, a count, or the error of a malformed
query with its line number) is yielded as soon as it is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.errors import NotesError

if TYPE_CHECKING:
    from indexer.search.searching import NoteIndex, SearchResult


@dataclass(frozen=True, slots=True)
class BatchQuery:
    """A query of a batch and the line it was read from (1-based)."""

    line: int
    text: str  # as written, `@name` references unexpanded


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What one query of a batch gave: a result, a count, or an error."""

    query: BatchQuery
    result: SearchResult | None = None
    total: int | None = None  # set instead of `result` when only counting
    error: NotesError | None = None


def read_queries(lines: Iterable[str]) -> Iterator[BatchQuery]:
    """The queries of a batch file: every line but blank ones and `#` comments."""
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text and not text.startswith("#"):
            yield BatchQuery(number, text)


def run_batch(
    notes: NoteIndex, queries: Iterable[BatchQuery], *, count_only: bool = False, **search_options: object
) -> Iterator[BatchOutcome]:
    """Run each query (`@name` runs a saved search) with the same `NoteIndex.search` options."""
    saved = notes.saved_searches
    for query in queries:
        try:
            text = saved.expand(query.text)
            if count_only:
                yield BatchOutcome(query, total=notes.count(text))
            else:
                yield BatchOutcome(query, result=notes.search(text, **search_options))
        except NotesError as exc:
            yield BatchOutcome(query, error=exc)
