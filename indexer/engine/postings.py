"""Posting formats: how many positions of a word one note may keep in the index.

Phrase search runs in Python over every position of its words in a note: a hostile or
repetitive note (a 5 MB line of one word, 20 MB of lorem ipsum) holds a million
positions of one word, and a phrase query over it took 30 s. Positions past the first
`MAX_POSITIONS` of a word in a field of a note are not kept; the word's frequency (for
ranking) still counts them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate
from pickle import dumps, loads
from typing import TYPE_CHECKING

from whoosh.fields import Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

if TYPE_CHECKING:
    from whoosh.analysis import Analyzer

# A word that occurs more often than this in one note is not prose; a phrase that only
# occurs past that point in such a note is not found by phrase search.
MAX_POSITIONS = 1000

_ONE = pack_uint(1)
# The encoding of a lone position, made once: most words occur once in a note's field (1.3
# million of a news build's 1.7 million postings), and pickling each cost a fifth of adding notes'
# postings. Positions past this are encoded each time (a note's length bounds the dictionary).
_LONE_POSITIONS_KEPT = 1 << 16
_lone_positions: dict[int, bytes] = {}
_lone_decoded: dict[bytes, int] = {}  # the other way, for `CappedPositions.decode_positions`


class CappedPositions(Positions):
    """Whoosh's `Positions`, keeping at most `MAX_POSITIONS` positions of a word per note.

    With one of our `WordAnalyzer`s and a single text, the postings are computed straight
    from its `word_positions` (the same words, positions and weights as Whoosh's way
    through tokens, in about half the time: a fifth of a full build's CPU).
    """

    def word_values(
        self, value: object, analyzer: Analyzer, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        word_positions = getattr(analyzer, "word_positions", None)
        if word_positions is None or type(value) is not str:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for word, positions in word_positions(value).items():
            yield word, len(positions), len(positions) * boost, self.encode(positions)

    def encode(self, poslist: Sequence[int]) -> bytes:
        """Whoosh's encoding (the count, then the pickled gaps between positions), in one
        call: most words occur once in a note, and then the gaps are the positions."""
        if len(poslist) == 1:
            position = poslist[0]
            encoded = _lone_positions.get(position)
            if encoded is None:
                encoded = _ONE + dumps([position], 2)
                if type(position) is int and 0 <= position < _LONE_POSITIONS_KEPT:
                    _lone_positions[position] = encoded
            return encoded
        gaps = []
        previous = 0
        for position in poslist[:MAX_POSITIONS]:
            gaps.append(position - previous)
            previous = position
        return pack_uint(len(gaps)) + dumps(gaps, 2)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """Whoosh's decoding (the gaps unpickled, added up), a lone position looked up:
        most postings hold one, and a search decodes thousands (a rerank's and near
        misses' positions), each a `pickle.loads` before."""
        position = _lone_decoded.get(valuestring)
        if position is not None:
            return [position]
        pickled = valuestring if valuestring.endswith(b".") else valuestring + b"."
        positions = list(accumulate(loads(pickled[len(_ONE) :])))
        if len(positions) == 1 and len(_lone_decoded) < _LONE_POSITIONS_KEPT:
            _lone_decoded[valuestring] = positions[0]  # keyed as looked up above
        return positions


def cap_positions(schema: Schema) -> Schema:
    """Give every field of `schema` that stores positions the capped format."""
    for _name, field in schema.items():
        if type(field.format) is Positions:
            field.format = CappedPositions(field_boost=field.format.field_boost)
    return schema
