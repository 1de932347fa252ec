"""Which parts of a note a query matched: from the query's terms and the hit's stored values.

Whoosh can record matched terms per hit (`terms=True`), but that made wildcard queries
about ten times slower (see ../shared/WHOOSH-NOTES.md); the terms of the query are known
anyway, and a hit's stored title, tags and names are short.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from indexer.index.analysis import fold_accents
from indexer.index.schema import NAME_ANALYZER, PATH_ANALYZER, STRUCTURED_PREFIX, TEXT_ANALYZER
from indexer.notes.tags import structured_field_name

# Order of `matched_fields`: as a reader meets them in a hit.
FIELD_ORDER = ("title", "subtitle", "body", "tags", "author", "source", "date", "link", "path")


class QueryTerms(NamedTuple):
    """The indexed terms a query looks for, by index field, and its date ranges (a
    NamedTuple, not a dataclass: ~1 M instructions to build instead of ~4.5 M on every
    one-shot search)."""

    by_field: dict[str, frozenset[str]]
    date_ranges: tuple[tuple[date | None, date | None], ...] = ()

    @classmethod
    def of(cls, parsed, reader) -> QueryTerms:
        """The terms of a parsed query, wildcards and fuzzy terms expanded against `reader`.

        Not Query.existing_terms(): in whoosh3 3.54 its loop variable shadows its
        `fieldname` argument, so it stops after the first field and misses terms.
        """
        from whoosh import query as wq

        from indexer.search.query import wanted_leaves

        found: dict[str, set[str]] = {}
        ranges = []
        for leaf in wanted_leaves(parsed):  # excluded words are not highlighted
            if isinstance(leaf, wq.DateRange):
                ranges.append(date_range_days(leaf))
                continue
            if leaf.field() is None:
                continue
            for fieldname, term in leaf.expanded_terms(reader, phrases=True):
                text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                found.setdefault(fieldname, set()).add(text)
        return cls({name: frozenset(terms) for name, terms in found.items()}, tuple(ranges))

    def get(self, field: str) -> frozenset[str]:
        return self.by_field.get(field, frozenset())


def date_range_days(leaf) -> tuple[date | None, date | None]:
    """The first and last day of a parsed date range (None: open at that end)."""
    return (
        leaf.startdate.date() if leaf.startdate else None,
        leaf.enddate.date() if leaf.enddate else None,
    )


def matched_fields(
    terms: QueryTerms,
    *,
    title_matched: bool,
    subtitle_matched: bool,
    body_matched: bool,
    tags: tuple[str, ...],
    author: str,
    source: str,
    note_date: date | None,
    link: str,
    path: str,
    structured: tuple[tuple[str, str], ...],
) -> tuple[str, ...]:
    """The parts of a hit the query matched, in `FIELD_ORDER`, then structured fields."""
    matched = set()
    if title_matched:
        matched.add("title")
    if subtitle_matched:
        matched.add("subtitle")
    if body_matched:
        matched.add("body")
    if tags and (_values_match(terms.get("tag"), tags) or _words_match(terms.get("tag_words"), tags)):
        matched.add("tags")
    for name, value in (("author", author), ("source", source)):
        if value and _words_match(terms.get(name), [value], analyzer=NAME_ANALYZER):
            matched.add(name)
    for name, value in (("link", link), ("path", path)):
        if value and _words_match(terms.get(name), [value], analyzer=PATH_ANALYZER):
            matched.add(name)
    if note_date is not None and any(
        (start is None or start <= note_date) and (end is None or note_date <= end)
        for start, end in terms.date_ranges
    ):
        matched.add("date")
    ordered = [name for name in FIELD_ORDER if name in matched]
    for key, value in structured:
        name = structured_field_name(key)
        if name not in ordered and _values_match(terms.get(STRUCTURED_PREFIX + name), [value]):
            ordered.append(name)
    return tuple(ordered)


def _values_match(wanted: frozenset[str], values) -> bool:
    return bool(wanted) and any(fold_accents(value.lower()) in wanted for value in values)


def _words_match(wanted: frozenset[str], values, *, analyzer=TEXT_ANALYZER) -> bool:
    if not wanted:
        return False
    # The indexed words of each value at once (`WordAnalyzer.word_positions`), not a token a word.
    return any(not wanted.isdisjoint(analyzer.word_positions(value)) for value in values)
