"""BM25F as Whoosh computes it, with each segment's field lengths read once per searcher.

Whoosh's BM25F scorer looks up a note's field length for every posting it scores, each a
seek and a one-byte read through three layers of Python: about a fifth of the time of a
two-word query that scores every match (see `NoteIndex._whoosh_search`). The lengths are
a column of one byte a note; reading that column whole the first time a field is scored
and indexing a list afterwards gives the same scores. Fast path only: on another Whoosh
version the scorers are Whoosh's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F, BM25FScorer

from indexer.engine.bm25f import KeptReads
from indexer.engine.field_lengths import field_lengths, field_values_by_length, has_field_lengths
from indexer.engine.version import fast_path

# (idf, average field length, B, K1, a note's field length): a BM25F scorer's numbers.
Bm25Parameters = tuple[float, float, float, float, Callable[[int], Any]]

if TYPE_CHECKING:
    from whoosh.scoring import BaseScorer
    from whoosh.searching import Searcher


class CachedLengthBM25F(BM25F):
    """`BM25F` whose scorers read field lengths from lists loaded once per segment.

    Use one instance per searcher: the lists live as long as it does.
    """

    def __init__(self, *args: float, **kwargs: float) -> None:
        super().__init__(*args, **kwargs)
        self._lengths: dict[tuple[object, str], list[int | None] | None] = {}
        self._averages: dict[tuple[object, str], float] = {}  # (top searcher, field) -> average length
        self._has: dict[tuple[object, str], bool] = {}  # see `_has_lengths`
        self._norms: dict[tuple[object, str], list[float | None] | None] = {}  # see `length_norms`
        # What `bm25f.scored_matches` read of words' postings, for this searcher's next queries.
        self.kept_reads = KeptReads()

    def bm25_parameters(self, searcher: Searcher, fieldname: str, text: Any) -> Bm25Parameters | None:
        """What the scorer `scorer(searcher, fieldname, text)` would score with (idf,
        average length, B, K1, each note's length), without making it: `bm25f.py` scores a
        block at a time and never calls a scorer, and a word's scorer costs more to make
        than to use (its term info and largest weight, read for block skipping, which an
        exhaustive search never does); None where `scorer` would not be a `BM25FScorer`
        reading lengths from a list."""
        found = self._field_parameters(searcher, fieldname)
        if found is None:
            return None
        average, B, length_of = found
        return searcher.get_parent().idf(fieldname, text), average, B, self.K1, length_of

    def _field_parameters(
        self, searcher: Searcher, fieldname: str
    ) -> tuple[float, float, Callable[[int], int | None]] | None:
        """The average length, B and each note's length (of `searcher`'s segment) that
        `bm25_parameters` gives for any word of `fieldname`. The lengths are read into a
        list only when a note's length is first asked for: scoring a block at a time
        reads the norms (`length_norms`) instead, and a fresh searcher at 44,902 notes
        spent ~0.4 ms a field and segment on a list it did not use."""
        if not fast_path() or not searcher.schema[fieldname].scorable:
            return None
        reader = searcher.reader()
        if not self._has_lengths(reader, fieldname):
            return None

        def length_of(docnum: int) -> int | None:
            return self._segment_lengths(reader, fieldname)[docnum]

        parent = searcher.get_parent()  # the statistics are the whole index's, as the scorer's
        average = self._averages.get((parent, fieldname))
        if average is None:
            average = self._averages[parent, fieldname] = parent.avg_field_length(fieldname) or 1
        return average, self._field_B.get(fieldname, self.B), length_of

    def length_norms(self, searcher: Searcher, fieldname: str) -> list[float | None] | None:
        """Each note's `K1 * (1 - B + B * length / average length)` in `fieldname` in
        `searcher`'s segment: the part of a word's BM25 score that depends on the note
        alone, computed once a searcher as `bm25` computes it (the same floats) instead of
        for every posting; None where `bm25_parameters` is None."""
        key = (searcher.reader(), fieldname)
        norms = self._norms.get(key, False)
        if norms is False:
            found = self._field_parameters(searcher, fieldname)
            if found is not None:
                average, B, _length_of = found
                K1, one_minus_b = self.K1, 1 - B
                norms = field_values_by_length(
                    _per_doc(searcher.reader()), fieldname, lambda n: K1 * (one_minus_b + B * n / average)
                )
            else:
                norms = None
            self._norms[key] = norms
        return norms

    def _segment_lengths(self, reader, fieldname: str) -> list[int | None] | None:
        key = (reader, fieldname)
        if key not in self._lengths:
            self._lengths[key] = field_lengths(_per_doc(reader), fieldname)
        return self._lengths[key]

    def _has_lengths(self, reader, fieldname: str) -> bool:
        """Whether `_segment_lengths(reader, fieldname)` is a list, without reading it."""
        key = (reader, fieldname)
        if key not in self._has:
            self._has[key] = has_field_lengths(_per_doc(reader), fieldname)
        return self._has[key]

    def scorer(self, searcher: Searcher, fieldname: str, text: str, qf: int = 1) -> BaseScorer:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if type(scorer) is BM25FScorer and fast_path():
            lengths = self._segment_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


def _per_doc(reader):
    """A segment's per-document reader (scorers are made per segment); None for another reader."""
    return reader._perdoc if isinstance(reader, SegmentReader) else None
