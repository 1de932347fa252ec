"""BM25F as Whoosh computes it, with each segment's field lengths read once per searcher.

Whoosh's BM25F scorer looks up a note's field length for every posting it scores, each a
seek and a one-byte read through three layers of Python: about a fifth of the time of a
two-word query that scores every match (see `NoteIndex._whoosh_search`). The lengths are
a column of one byte a note; reading that column whole the first time a field is scored
and indexing a list afterwards gives the same scores.
"""

from __future__ import annotations

from whoosh.scoring import BM25F, BM25FScorer


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
                self._lengths[key] = field_lengths(searcher.reader(), fieldname)
            lengths = self._lengths[key]
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


def field_lengths(reader, fieldname: str) -> list[int | None] | None:
    """Each note's length of `fieldname` in one segment's reader, as Whoosh's
    `doc_field_length` gives it; None when the reader is not a plain whoosh3 segment."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import byte_to_length

    per_doc = getattr(reader, "_perdoc", None)
    cached_reader = getattr(per_doc, "_cached_reader", None)
    if cached_reader is None:
        return None
    column = cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None  # no lengths stored: Whoosh's default applies
    try:
        stored = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        doc_count = column._doccount
    except AttributeError:
        return None
    if column._fixedlen != 1:
        return None
    # A zero byte (no length stored) is None, as in Whoosh; notes past the column are 0.
    lengths = [byte_to_length(byte) if byte else None for byte in stored]
    lengths.extend([None] * (doc_count - len(lengths) + 1))
    return lengths
