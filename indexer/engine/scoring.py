"""BM25F as Whoosh computes it, with each segment's field lengths read once per searcher.

Whoosh's BM25F scorer looks up a note's field length for every posting it scores, each a
seek and a one-byte read through three layers of Python: about a fifth of the time of a
two-word query that scores every match (see `NoteIndex._whoosh_search`). The lengths are
a column of one byte a note; reading that column whole the first time a field is scored
and indexing a list afterwards gives the same scores.
"""

from __future__ import annotations

from whoosh.scoring import BM25F, BM25FScorer

from indexer.engine.field_lengths import field_lengths


class CachedLengthBM25F(BM25F):
    """`BM25F` whose scorers read field lengths from lists loaded once per segment.

    Use one instance per searcher: the lists live as long as it does.
    """

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._lengths: dict[tuple[object, str], list[int | None] | None] = {}

    def scorer(self, searcher, fieldname: str, text, qf: int = 1):  # type: ignore[no-untyped-def]
        scorer = super().scorer(searcher, fieldname, text, qf)
        if type(scorer) is BM25FScorer:
            key = (searcher.reader(), fieldname)
            if key not in self._lengths:
                per_doc = getattr(searcher.reader(), "_perdoc", None)
                self._lengths[key] = field_lengths(per_doc, fieldname) if per_doc is not None else None
            lengths = self._lengths[key]
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer
