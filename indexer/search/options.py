"""What a search is asked for: one `SearchOptions`, checked when it is made, passed from the
command line, the shell, batch mode and the API to either engine (Whoosh or OpenSearch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from indexer.errors import QueryError

# Below this many hits a query is worth a spelling suggestion (a correction costs tens of
# ms). Here, not in `spelling`, so that a search with more hits never loads that code.
FEW_HITS = 5

# Passages of each hit found and shown by default, and the longest one in characters.
DEFAULT_PASSAGES = 2
DEFAULT_CONTEXT_CHARS = 220
# Key terms of a note that `similar` searches for.
DEFAULT_SIMILAR_TERMS = 12


class SortOrder(StrEnum):
    """Order of hits; the values are the spellings of `--sort`, `NOTES_SORT` and notes.toml."""

    RELEVANCE = "relevance"
    DATE = "date"  # oldest first
    NEWEST = "-date"  # newest first

    @classmethod
    def parse(cls, text: str) -> SortOrder:
        for order in cls:
            if order.value == text:
                return order
        raise QueryError(f"unknown sort order {text!r}", hint="use relevance, date or -date")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchOptions:
    """The page, order and extras of one search (`NoteIndex.search`, `similar`, batch).

    `limit=0` returns every hit. `facets` names fields (`source`, `author`, `tag`, `year`,
    `month`, `country`...) whose values are counted among all hits; `timeline` counts all
    hits per month; `explain` says what each field and term added to a hit's score;
    `suggest` looks for a corrected query when there are few hits; `correct=False` runs a
    query without hits as typed rather than with its misspelled words corrected;
    `all_copies` lists near-duplicate copies as hits of their own; `terms` is how many key
    terms of a note `similar` searches for. A bad value raises `QueryError` here, before
    any search.
    """

    limit: int = 10
    page: int = 1
    sort: SortOrder = SortOrder.RELEVANCE
    passages: int = DEFAULT_PASSAGES
    context: int = DEFAULT_CONTEXT_CHARS
    facets: tuple[str, ...] = ()
    timeline: bool = False
    explain: bool = False
    suggest: bool = False
    all_copies: bool = False
    correct: bool = True
    terms: int = DEFAULT_SIMILAR_TERMS

    def __post_init__(self) -> None:
        if self.limit < 0:
            raise QueryError("limit must be 0 (all) or more")
        if self.page < 1:
            raise QueryError("page numbers start at 1")
        if self.passages < 0:
            raise QueryError("passages must be 0 or more")
        if self.terms < 1:
            raise QueryError("a note is compared by 1 key term or more")
        # Spellings from config, JSON or a caller's list are taken as the types they stand for.
        if not isinstance(self.sort, SortOrder):
            object.__setattr__(self, "sort", SortOrder.parse(self.sort))
        if not isinstance(self.facets, tuple):
            if isinstance(self.facets, str):
                raise QueryError(f"facets is a list of field names, not the string {self.facets!r}")
            object.__setattr__(self, "facets", tuple(self.facets))

    @classmethod
    def of(cls, options: SearchOptions | None = None, /, **keywords: Any) -> SearchOptions:
        """`options` (or the defaults) with the keyword arguments of the API changed."""
        if options is None:
            return cls(**keywords)
        return replace(options, **keywords) if keywords else options

    @property
    def relevance(self) -> bool:
        """Hits in order of relevance (scored), rather than by date."""
        return self.sort is SortOrder.RELEVANCE

    @property
    def wanted(self) -> int | None:
        """Hits up to the end of the page (None: all)."""
        return None if self.limit == 0 else self.limit * self.page

    @property
    def first(self) -> int:
        """Hits before the page."""
        return 0 if self.limit == 0 else self.limit * (self.page - 1)

    def page_of(self, hits: Sequence[Any]) -> Sequence[Any]:
        """The hits of the page out of the ranked list of all of them."""
        return hits[self.first :] if self.limit == 0 else hits[self.first : self.first + self.limit]
