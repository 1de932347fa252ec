"""A word's posting blocks read straight from a segment's postings file.

Whoosh reads postings through a `W3LeafMatcher`: for each block a seek, a read of its
length, its info unpickled from the file, then its bytes read, inflated and unpickled,
and its ids, weights and values made by three more calls. BM25F (`bm25f`) reads most
blocks of most of a query's words (six fields a word, in every segment), so here a word's
postings are read in one piece and each block decoded in one loop, with the same steps
and the same results. The format is the pinned whoosh3's (`W3PostingsWriter._write_block`,
which `posting_writer` also writes): the header `W3Bl`, then for each block its length
(negative for the last), its info pickled (postings, last id, heaviest weight,
compression, shortest and longest length as bytes), and its (id gaps, weights, values)
pickled (protocol 4 as `posting_writer` writes them, 2 as Whoosh does), deflated unless
the compression is 0. Inflated by ISA-L where it is installed
(`deflate.inflate`: the same bytes as zlib's, faster). tests/test_posting_blocks.py
compares every word of the bundled corpus with Whoosh's own reading.
"""

from __future__ import annotations

import pickle
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from io import BytesIO
from itertools import accumulate, repeat
from struct import Struct

from indexer.deflate import inflate

_LENGTH = Struct("!i")  # Whoosh's `write_int`
# One block: its ids in order, each one's weight (its frequency in the field) and value
# (its encoded positions).
Block = tuple[tuple[int, ...], Sequence[float], Sequence]


def word_postings(reader, field: str, btext: bytes) -> bytes | None:
    """The bytes of the word's postings in segment `reader` (a `SegmentReader` of the
    whoosh3 codec); None where they are not in the postings file (an inlined or missing
    word, another codec or reader): read them through Whoosh's matcher."""
    from whoosh.codec.whoosh3 import W3TermsReader

    terms = getattr(reader, "_terms", None)
    if type(terms) is not W3TermsReader:
        return None
    try:
        info = terms.term_info(field, btext)
    except KeyError:  # Whoosh's TermNotFound is a KeyError
        return None
    if info.is_inlined():
        return None
    offset, length = info.extent()
    if type(length) is tuple:  # as whoosh3 3.54.0 reads it: `unpack_int`'s tuple
        (length,) = length
    return terms._postfile.get(offset, length)


def posting_blocks(
    data: bytes, fixed_size: int | None, ahead: Sequence[int] | None = None
) -> Iterator[Block]:
    """Each block of a word's postings (`word_postings`), as `W3LeafMatcher` reads its ids,
    weights and values (a field's values of `fixed_size` bytes each, if fixed). With
    `ahead` (docnums in order), only the blocks that may hold one of them are decoded,
    and none after the last block holding one."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not whoosh3 postings: {data[:4]!r}")
    stream = BytesIO(data)
    load = pickle.load
    position = 4
    next_wanted = 0
    last = False
    while not last:
        length = _LENGTH.unpack_from(data, position)[0]
        last = length < 0
        end = position + 4 + abs(length)
        stream.seek(position + 4)
        count, last_id, _, compression, _, _ = load(stream)
        position = end
        if ahead is not None:
            if next_wanted == len(ahead):
                return
            if ahead[next_wanted] > last_id:
                continue  # no wanted note in this block: not decoded
            next_wanted = bisect_right(ahead, last_id, next_wanted)
        block = data[stream.tell() : end]
        gaps, weights, values = pickle.loads(inflate(block) if compression else block)
        if weights is None:
            weights = tuple(repeat(1.0, count))
        elif type(weights) is float:
            weights = tuple(repeat(weights, count))
        if fixed_size is not None and fixed_size >= 0:
            if fixed_size == 0:
                values = (None,) * count
            else:
                values = tuple(values[at : at + fixed_size] for at in range(0, len(values), fixed_size))
        yield tuple(accumulate(gaps)), weights, values
