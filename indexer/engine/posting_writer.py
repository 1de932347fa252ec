"""A segment's postings handed to Whoosh's codec a block at a time, not one by one.

When Whoosh finishes a segment it walks every posting (`FieldWriter.add_postings`): for
each one it compares field and word with the previous posting's, looks up the note's
field length and calls the codec's `add_posting`, which checks the argument types and
appends to the block it is filling. That is four Python calls for each of the ~750,000
postings a build process writes. The grouped pool (`posting_pool`) already has each
word's postings in one list, so here a word's postings go into the block buffers of
Whoosh's `W3PostingsWriter` in slices of a block, and Whoosh still encodes, compresses
and writes each block and the term table itself: the segment files are byte for byte
what Whoosh writes (tests/test_posting_pool.py).

A word whose postings fit in one block (most words: 60% of a news build's 126,723
words are in one note) is written at once by `_one_block`: the same header, block,
compressed data and term-table row as `start_term`, `add_posting` and `finish_term`,
without the eight method calls, two file `tell`s and type checks each word costs there
(a segment of half the news corpus: 4.2 s -> 3.3 s of CPU to write).

This relies on the block buffers of the pinned whoosh3's codec (`_ids`, `_weights`,
`_values`, `_minlength`, `_maxlength`, `_maxweight`, `_blocklimit`, `_compression`,
`_byteids`), its field writer's files (`_postfile`, `_tindex`, `_fieldid`, `_format`)
and its term info's fields.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter, sub
from pickle import dumps
from typing import TYPE_CHECKING

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import length_to_byte

if TYPE_CHECKING:
    from whoosh.codec.base import FieldWriter, PerDocumentReader
    from whoosh.codec.whoosh3 import W3PostingsWriter
    from whoosh.fields import Schema
    from whoosh.writing import SegmentWriter

    from indexer.engine.field_lengths import WholeColumnLengths

_docnum = itemgetter(2)
_weight = itemgetter(3)
_value = itemgetter(4)

PostingLists = Iterable[tuple[str, bytes, list[tuple]]]  # (field, word, its postings in note order)


def flush_posting_lists(writer: SegmentWriter) -> None:
    """Whoosh's `SegmentWriter._flush_segment`, writing the pool's postings a word at a time."""
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    write_posting_lists(writer.fieldwriter, writer.schema, lengths, writer.pool.iter_posting_lists())
    writer.fieldwriter.close()
    if lengths:
        lengths.close()


def write_posting_lists(
    fieldwriter: FieldWriter,
    schema: Schema,
    lengths: WholeColumnLengths | PerDocumentReader | None,
    lists: PostingLists,
) -> None:
    """What `FieldWriter.add_postings` does with the same postings, a word at a time.

    `lengths` is the segment's per-document reader (or None: every length 0)."""
    field = None
    lengths_of_notes: Sequence[int | None] = ()
    one_block: Callable[[bytes, list[tuple]], None] | None = None
    limit = 0
    for fieldname, word, postings in lists:
        if postings and _docnum(postings[0]) < 0:  # Whoosh's marker for spelling words
            postings = [posting for posting in postings if _docnum(posting) >= 0]
        if not postings:
            continue
        if fieldname != field:
            if field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            field = fieldname
            lengths_of_notes = _field_lengths(lengths, fieldname)
            one_block = _one_block_writer(fieldwriter, lengths_of_notes)
            limit = fieldwriter._postwriter._blocklimit
        if one_block is not None and len(postings) <= limit:
            one_block(word, postings)
            continue
        fieldwriter.start_term(word)
        _add_postings(fieldwriter._postwriter, postings, lengths_of_notes)
        fieldwriter.finish_term()
    if field is not None:
        fieldwriter.finish_field()


def _field_lengths(
    lengths: WholeColumnLengths | PerDocumentReader | None, fieldname: str
) -> Sequence[int | None]:
    """Each note's length in the field (what Whoosh looks up for every posting), or ()."""
    if not lengths:
        return ()
    length_of = lengths.doc_field_length_reader(fieldname)
    return [length_of(docnum) for docnum in range(lengths.doc_count_all())]


def _add_postings(
    postwriter: W3PostingsWriter, postings: list[tuple], lengths_of_notes: Sequence[int | None]
) -> None:
    """`postwriter.add_posting` for each posting, a block's worth at a time: a full block is
    written when the next posting arrives, as Whoosh does."""
    limit = postwriter._blocklimit
    start = 0
    while start < len(postings):
        if len(postwriter._ids) >= limit:
            postwriter._write_block()
        room = limit - len(postwriter._ids)
        chunk = postings[start : start + room]
        start += room
        docnums = list(map(_docnum, chunk))
        weights = list(map(_weight, chunk))
        postwriter._ids.extend(docnums)
        postwriter._weights.extend(weights)
        postwriter._values.extend(filter(None, map(_value, chunk)))
        heaviest = max(weights)
        if heaviest > postwriter._maxweight:
            postwriter._maxweight = heaviest
        if lengths_of_notes:
            lengths = [length for length in map(lengths_of_notes.__getitem__, docnums) if length]
            if lengths:
                shortest, longest = min(lengths), max(lengths)
                if postwriter._minlength is None or shortest < postwriter._minlength:
                    postwriter._minlength = shortest
                if longest > postwriter._maxlength:
                    postwriter._maxlength = longest


def _one_block_writer(
    fieldwriter: FieldWriter, lengths_of_notes: Sequence[int | None]
) -> Callable[[bytes, list[tuple]], None] | None:
    """A function writing one word's postings that fit in one block, for the field just
    started: the bytes `start_term`, `add_posting` for each and `finish_term` write (one
    last block after the header, then the term's row), in fewer steps. None for a field
    whose postings are keyed by bytes (term vectors: not in our schema)."""
    postwriter = fieldwriter._postwriter
    if postwriter._byteids:
        return None
    postfile = fieldwriter._postfile
    add_row = fieldwriter._tindex.add
    prefix = pack_ushort(fieldwriter._fieldid)
    compression = postwriter._compression
    fixed_size = fieldwriter._format.fixed_value_size()
    header_size = len(WHOOSH3_HEADER_MAGIC) + len(pack_int(0))

    def write(word: bytes, postings: list[tuple]) -> None:
        start = postfile.tell()
        docnums = list(map(_docnum, postings))
        given = list(map(_weight, postings))
        weights = array("f", given)  # the codec's buffer: weights as 32-bit floats
        heaviest = max(0, *given)
        shortest, longest = None, 0
        if lengths_of_notes:
            known = [length for length in map(lengths_of_notes.__getitem__, docnums) if length]
            if known:
                shortest, longest = min(known), max(known)
        # The block: W3PostingsWriter's `_mini_ids`, `_mini_weights`, `_mini_values`.
        gaps = tuple(map(sub, docnums, [0, *docnums[:-1]]))
        first = weights[0]
        if all(weight == 1.0 for weight in weights):
            mini_weights: object = None
        elif all(weight == first for weight in weights):
            mini_weights = first
        else:
            mini_weights = tuple(weights)
        values = [value for value in map(_value, postings) if value]
        if fixed_size is None or fixed_size < 0:
            mini_values: object = tuple(values)
        elif fixed_size == 0:
            mini_values = None
        else:
            mini_values = b"".join(values)
        data = dumps((gaps, mini_weights, mini_values), 2)
        level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if level:
            data = zlib.compress(data, level)
        info = dumps(
            (len(docnums), docnums[-1], heaviest, level, length_to_byte(shortest), length_to_byte(longest)), 2
        )
        size = len(info) + len(data)
        postfile.write(WHOOSH3_HEADER_MAGIC + pack_int(-size) + info + data)  # negative: the last block
        terminfo = W3TermInfo()
        terminfo._weight += sum(weights)
        terminfo._df = len(docnums)
        terminfo._minlength = shortest
        terminfo._maxlength = longest
        terminfo._maxweight = heaviest
        terminfo._minid = docnums[0]
        terminfo._maxid = docnums[-1]
        terminfo.set_extent(start, header_size + size)
        add_row(prefix + word, terminfo.to_bytes())

    return write
