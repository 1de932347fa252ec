"""Facet counts: how many of a query's hits hold each source, author, tag, year, month or
structured value (`country`, `malware`, ...), counted over every hit, not one page.

Counts come from the index, never from re-reading notes: sources, authors and structured
values from per-segment term -> notes maps, tags from the stored tag lists of the hits
(the tag lexicon has thousands of terms, so walking its postings costs more than reading
the hits), years and months from the sortable `date` column. What is read is cached on the
`FacetCounter`, which lives as long as the searcher it was made from.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable

from indexer.engine.field_lengths import segment_column_values
from indexer.errors import QueryError
from indexer.index.fields import FieldCatalog
from indexer.index.schema import FIELD_ALIASES, STRUCTURED_PREFIX, VALUE_ANALYZER
from indexer.notes.tags import structured_field_name

# Facets every index has, in the order they are listed; structured fields follow.
CORE_FACETS = ("source", "author", "tag", "year", "month")
# Facets counted from a whole-value field that keeps each value's case.
_NAME_FIELDS = {"source": "source_name", "author": "author_name"}

FacetValues = tuple[tuple[str, int], ...]  # (value, notes), most frequent first


def facet_names(catalog: FieldCatalog) -> list[str]:
    """Every facet a user may ask for in an index with this catalog."""
    return [*CORE_FACETS, *(name for name in catalog.structured if name not in CORE_FACETS)]


def resolve_facet(name: str, catalog: FieldCatalog) -> str:
    """The facet `name` stands for (`tags` -> `tag`), or a `QueryError` listing the valid ones."""
    key = name.strip().lower().removesuffix(":")
    key = FIELD_ALIASES.get(key, key)
    names = facet_names(catalog)
    if key not in names:
        raise QueryError(f"unknown facet {name!r}", hint="facets: " + ", ".join(names))
    return key


def fold(text: str) -> str:
    """Case- and accent-insensitive form: spellings of one value that are counted together."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class FacetCounter:
    """Counts facet values among sets of notes (global docnums) of one open searcher."""

    def __init__(self, searcher) -> None:
        self._reader = searcher.reader()
        self._months: dict[int, str] | None = None  # docnum -> "YYYY-MM", dated notes only
        self._doc_values: dict[str, dict[int, list[str]]] = {}  # index field -> docnum -> terms
        self._stored: dict[int, dict] = {}  # docnum -> stored fields, read on demand
        self._spellings: dict[str, dict[str, str]] = {}  # sx field -> term -> value as written

    def count(self, name: str, docnums: Collection[int]) -> FacetValues:
        """Notes among `docnums` holding each value of facet `name` (a resolved facet name)."""
        if name in ("year", "month"):
            months = self.months()
            width = 4 if name == "year" else 7
            counts = Counter(months[doc][:width] for doc in docnums if doc in months)
            return _most_frequent_first(counts.items())
        if name == "tag":
            return _merge_spellings(self._stored_fields(doc).get("tags", ()) for doc in docnums)
        if name in _NAME_FIELDS:
            by_doc = self._values_by_doc(_NAME_FIELDS[name])
            return _merge_spellings(by_doc.get(doc, ()) for doc in docnums)
        field = STRUCTURED_PREFIX + name
        by_doc = self._values_by_doc(field)
        terms = _merge_spellings(by_doc.get(doc, ()) for doc in docnums)
        return self._structured_spellings(name, field, terms, by_doc)

    def months(self) -> dict[int, str]:
        """Docnum -> "YYYY-MM" for every dated note, from the `date` column."""
        if self._months is None:
            from whoosh.util.times import long_to_datetime

            months: dict[int, str] = {}
            names: dict[int, str] = {}  # notes share days: convert each day once
            for _segment, offset, values in segment_column_values(self._reader, "date"):
                for local, value in enumerate(values):
                    if value is None:
                        continue
                    month = names.get(value)
                    if month is None:
                        month = names[value] = long_to_datetime(value).strftime("%Y-%m")
                    months[offset + local] = month
            self._months = months
        return self._months

    def _values_by_doc(self, field: str) -> dict[int, list[str]]:
        """Docnum -> the terms of `field` it holds, built from the field's postings."""
        if field not in self._doc_values:
            by_doc: dict[int, list[str]] = {}
            for segment, offset in self._reader.leaf_readers():
                if field not in set(segment.indexed_field_names()):
                    continue
                for term, _ in segment.iter_field(field):
                    value = term.decode("utf-8")
                    for local in segment.postings(field, term).all_ids():
                        by_doc.setdefault(offset + local, []).append(value)
            self._doc_values[field] = by_doc
        return self._doc_values[field]

    def _stored_fields(self, docnum: int) -> dict:
        stored = self._stored.get(docnum)
        if stored is None:
            stored = self._stored[docnum] = self._reader.stored_fields(docnum)
        return stored

    def _structured_spellings(
        self, name: str, field: str, terms: FacetValues, by_doc: dict[int, list[str]]
    ) -> FacetValues:
        """Structured terms are lowercased in the index: show each as the notes write it."""
        spellings = self._spellings.setdefault(field, {})
        missing = {term for term, _ in terms if term not in spellings}
        if missing:
            for doc, values in by_doc.items():
                if not missing.intersection(values):
                    continue
                for key, value in self._stored_fields(doc).get("structured", ()):
                    term = _value_term(value)
                    if structured_field_name(key) == name and term in missing:
                        spellings[term] = value
                        missing.discard(term)
                if not missing:
                    break
        return _most_frequent_first((spellings.get(term, term), count) for term, count in terms)


def _value_term(value: str) -> str:
    """The term a structured value is indexed as (see `schema.note_document`)."""
    return "".join(token.text for token in VALUE_ANALYZER(value.replace(",", " ")))


def _merge_spellings(values_per_note: Iterable[Iterable[str]]) -> FacetValues:
    """Count notes per value, spellings that differ only in case or accents together; the
    most frequent spelling is shown."""
    notes: dict[str, int] = {}  # folded value -> notes holding it
    spellings: dict[str, dict[str, int]] = {}  # folded value -> spelling -> times seen
    folded: dict[str, str] = {}
    for values in values_per_note:
        seen = set()
        for value in values:
            key = folded.get(value)
            if key is None:
                key = folded[value] = fold(value)
            variants = spellings.setdefault(key, {})
            variants[value] = variants.get(value, 0) + 1
            if key not in seen:
                seen.add(key)
                notes[key] = notes.get(key, 0) + 1
    shown = []
    for key, count in notes.items():
        variants = spellings[key]
        best = next(iter(variants)) if len(variants) == 1 else max(variants.items(), key=_by_count)[0]
        shown.append((best, count))
    return _most_frequent_first(shown)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return item[1], item[0]


def _most_frequent_first(pairs: Iterable[tuple[str, int]]) -> FacetValues:
    return tuple(sorted(pairs, key=lambda pair: (-pair[1], fold(pair[0]), pair[0])))


def term_counts(reader, fieldname: str) -> list[tuple[str, int]]:
    """Every term of a whole-value field (`tag_name`, `author_name`, `source_name`,
    `sx_country`, ...) with the number of notes holding it, most frequent first.

    Read from the index's term list, not from the notes; notes deleted since the last
    merge are not counted.
    """
    if fieldname not in reader.schema or fieldname not in set(reader.indexed_field_names()):
        return []
    counts: dict[bytes, int] = {}
    # Segment by segment: the multi-segment reader looks every term up in every segment.
    for segment, _ in reader.leaf_readers():
        exact = segment.has_deletions()  # a term's doc frequency still counts deleted notes
        if fieldname not in set(segment.indexed_field_names()):
            continue
        for term, info in segment.iter_field(fieldname):
            if exact:
                count = sum(1 for _ in segment.postings(fieldname, term).all_ids())
            else:
                count = info.doc_frequency()
            counts[term] = counts.get(term, 0) + count
    values = [(term.decode("utf-8"), count) for term, count in counts.items() if count]
    values.sort(key=lambda item: (-item[1], item[0].casefold(), item[0]))
    return values
