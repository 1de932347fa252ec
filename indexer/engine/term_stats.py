"""Each word's document frequency and term info looked up once per searcher, not once per use.

A query asks Whoosh how many notes hold each word many times over: the union choice of
an AND (`estimate_size` of every field of every word), the scorer's idf, the plan of
`bm25f.py`, and the spelling correction (each of the ~450 strings one edit from a
mistyped word, twice for the words it keeps). Each answer is a hash lookup in a segment's
term file through several layers of Python (about 15 microseconds), and on an index of
two segments the top reader asks both. A searcher's segments never change, so the
answers are kept for the searcher's life (at most `KEPT_FREQUENCIES` a reader): on the
relevance queries of the news archive, ~400 lookups a query, most of them repeats.

Each scored word's term info (where its postings are, its largest weight) is read twice
by Whoosh, by the scorer and by the postings reader, and again by every later query
with the word: a segment's terms reader remembers it too (fast path only: `_terms` is
Whoosh's private name for it). What is not remembered yet, a segment's terms reader
looks up in its term file mapped into memory (`term_table`), not through Whoosh's hash
file reader: the same answers in about a fifth of the time.
"""

from __future__ import annotations

from typing import Any

# Words (per field) whose frequency a reader keeps; past this, it starts over (each
# entry is ~150 bytes: ~30 MB at most).
KEPT_FREQUENCIES = 200_000


class _Remembered:
    """A reader's `doc_frequency` (or a terms reader's `term_info`), remembered. A word
    that is not there raises as before, and is asked again next time."""

    __slots__ = ("kept", "lookup")

    def __init__(self, lookup) -> None:
        self.lookup = lookup
        self.kept: dict[tuple[str, Any], int] = {}

    def __call__(self, fieldname: str, text: Any) -> int:
        key = (fieldname, text)
        found = self.kept.get(key)
        if found is None:
            if len(self.kept) >= KEPT_FREQUENCIES:
                self.kept.clear()
            found = self.kept[key] = self.lookup(fieldname, text)
        return found


def remember_term_stats(searcher) -> None:
    """Make `searcher`'s readers (the top one and each segment's) remember every word's
    document frequency, and each segment's terms reader every term info, they look up.
    Only for a searcher used as is: its readers' words must not change while it lives
    (they do not: a new commit needs a new searcher)."""
    from whoosh.reading import SegmentReader

    from indexer.engine.version import fast_path

    readers = [searcher.reader(), *(sub.reader() for sub, _ in searcher.leaf_searchers())]
    for reader in readers:
        if fast_path() and isinstance(reader, SegmentReader):
            _look_up_mapped(reader._terms)
            _remember(reader._terms, "term_info")
        _remember(reader, "doc_frequency")


def _look_up_mapped(terms) -> None:
    """Make a whoosh3 terms reader find words in its term file mapped into memory
    (`term_table.TermTable`): its `doc_frequency` and `term_info` give what Whoosh's give,
    raising the same errors for a word it lacks; its `close` unmaps the file. Any other
    terms reader, or a file that cannot be mapped, is left as it is."""
    from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
    from whoosh.reading import TermNotFound

    from indexer.engine.term_table import map_term_table

    if type(terms) is not W3TermsReader or "close" in terms.__dict__:
        return  # another codec's, or mapped already
    table = map_term_table(terms)
    if table is None:
        return
    keycoder = terms._keycoder
    close = terms.close

    def doc_frequency(fieldname: str, tbytes: bytes) -> int:
        found = table.doc_frequency(keycoder(fieldname, tbytes))
        if found is None:
            raise KeyError((fieldname, tbytes))  # as `HashReader.range_for_key` raises
        return found

    def term_info(fieldname: str, tbytes: bytes) -> W3TermInfo:
        value = table.value(keycoder(fieldname, tbytes))
        if value is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return W3TermInfo.from_bytes(value)

    def closed() -> None:
        try:
            close()
        finally:
            table.close()

    terms.doc_frequency = doc_frequency
    terms.term_info = term_info
    terms.close = closed


def _remember(owner, name: str) -> None:
    if not isinstance(owner.__dict__.get(name), _Remembered):
        # An instance attribute: the class's method stays as Whoosh wrote it, and a top
        # reader's sum over its segments calls theirs (remembered too).
        setattr(owner, name, _Remembered(getattr(owner, name)))
