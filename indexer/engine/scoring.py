"""BM25F as Whoosh computes it, with each segment's field lengths read once per searcher.

Whoosh's BM25F scorer looks up a note's field length for every posting it scores, each a
seek and a one-byte read through three layers of Python: about a fifth of the time of a
two-word query that scores every match (see `NoteIndex._whoosh_search`). The lengths are
a column of one byte a note; reading that column whole the first time a field is scored
and indexing a list afterwards gives the same scores. Fast path only: on another Whoosh
version the scorers are Whoosh's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F, BM25FScorer

from indexer.engine.bm25f import KeptReads
from indexer.engine.field_lengths import field_lengths
from indexer.engine.version import fast_path

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
        # What `bm25f.scored_matches` read of words' postings, for this searcher's next queries.
        self.kept_reads = KeptReads()

    def scorer(self, searcher: Searcher, fieldname: str, text: str, qf: int = 1) -> BaseScorer:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if type(scorer) is BM25FScorer and fast_path():
            reader = searcher.reader()
            key = (reader, fieldname)
            if key not in self._lengths:
                # Scorers are made per segment: a segment's reader has its per-document reader.
                per_doc = reader._perdoc if isinstance(reader, SegmentReader) else None
                self._lengths[key] = field_lengths(per_doc, fieldname)
            lengths = self._lengths[key]
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer
