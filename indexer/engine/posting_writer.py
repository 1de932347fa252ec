"""A segment's postings written a word at a time, not one posting at a time.

When Whoosh finishes a segment it walks every posting (`FieldWriter.add_postings`): for
each one it compares field and word with the previous posting's, looks up the note's
field length and calls the codec's `add_posting`, which checks the argument types and
appends to the block it is filling; each word then costs eight more method calls and
file `tell`s to write its blocks and its term-table row. The grouped pool
(`posting_pool`) already has each word's postings in one list, so here each word is
written at once (`_word_writer`): the header, its blocks of up to 128 postings (ids,
weights and positions pickled as Whoosh's `W3PostingsWriter` pickles them, compressed
past its 80-byte threshold, each with its block info) and its term info, packed as
Whoosh's `W3TermInfo` packs it (without making one a word). Writing the segment of half
the news corpus: 4.4 -> 3.9 s of CPU (best of 3, load 15). A word in one note only (60%
of a segment's words) takes a shorter way of its own: writing the words of 1,500 news
notes, 1.30 -> 1.19 s (best of 5, interleaved, load 7). The files are byte for byte
what Whoosh writes with the same deflate and pickle protocol (tests/test_posting_pool.py).

Blocks and their infos are pickled with protocol 4, not Whoosh's 2: Whoosh reads them with
the same `pickle.loads`, and the same tuples come back, but protocol 2 has no opcode for
`bytes`, so each posting's positions went in as a call of `_codecs.encode` on a latin-1
string, made again by every read: unpickling a block of 128 postings of the news corpus
took ~42 microseconds, 6.4x what protocol 4's takes, and reading postings was the largest
part of a query (a quarter of it at 4,490 notes; a third of a common two-word query at
44,900). The pickles are a third smaller too. An index written before reads as before.

The deflate is ISA-L's (`isal`, level 3) where it is installed, zlib's otherwise: on the
news corpus's blocks (38.5 MB to compress in half the corpus) zlib's level 3 took
0.95 s and ISA-L's 0.46 s, for a 3% larger segment; both write standard zlib streams,
which Whoosh reads with `zlib.decompress` as before.

This relies on the pinned whoosh3's codec: its postings writer's settings
(`_blocklimit`, `_compression`, `_byteids`), its field writer's files (`_postfile`,
`_tindex`, `_fieldid`, `_format`), its term info's row layout (`_struct`), and for a
field whose ids are bytes (term vectors, not in our schema) its block buffers (`_ids`,
`_weights`, `_values`, `_minlength`, `_maxlength`, `_maxweight`, `_write_block`).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter, sub
from pickle import dumps
from struct import Struct
from typing import TYPE_CHECKING

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.deflate import compressor

# The pickle protocol of a block and its info (see the module): Whoosh's is 2.
BLOCK_PROTOCOL = 4

if TYPE_CHECKING:
    from whoosh.codec.base import FieldWriter, PerDocumentReader
    from whoosh.codec.whoosh3 import W3PostingsWriter
    from whoosh.fields import Schema
    from whoosh.filedb.filetables import OrderedHashWriter
    from whoosh.writing import SegmentWriter

    from indexer.engine.field_lengths import WholeColumnLengths

_docnum = itemgetter(2)
_weight = itemgetter(3)
_value = itemgetter(4)
# W3TermInfo's row in the term table: flags (inlined or not), total weight, document
# frequency, shortest and longest field length as bytes, heaviest weight, first and last id.
pack_terminfo = W3TermInfo._struct.pack
# A row of the term table: its key's and value's lengths (Whoosh's hash file format).
_KEY_VALUE_LENGTHS = Struct("!ii")

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
    write_word: Callable[[bytes, list[tuple]], None] | None = None
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
            write_word = _word_writer(fieldwriter, lengths_of_notes)
        if write_word is not None:
            write_word(word, postings)
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


def _word_writer(
    fieldwriter: FieldWriter, lengths_of_notes: Sequence[int | None]
) -> Callable[[bytes, list[tuple]], None] | None:
    """A function writing one word's postings in the field just started: the bytes
    `start_term`, `add_posting` for each and `finish_term` write (the header, each block
    with its length, negative for the last, then the word's row in the term table), in
    fewer steps. None for a field whose ids are bytes (term vectors: not in our schema)."""
    postwriter = fieldwriter._postwriter
    if postwriter._byteids:
        return None
    postfile = fieldwriter._postfile
    add_row = _row_adder(fieldwriter._tindex)
    prefix = pack_ushort(fieldwriter._fieldid)
    compression = postwriter._compression
    limit = postwriter._blocklimit
    fixed_size = fieldwriter._format.fixed_value_size()
    compress = compressor()

    def write_one(word: bytes, posting: tuple) -> None:
        """`write` for a word in one note only (60% of a segment's words): the same bytes."""
        _, _, docnum, weight, value = posting
        weight32 = array("f", (weight,))[0]  # the codec's buffer: weights as 32-bit floats
        heaviest = max(0, weight)
        length = lengths_of_notes[docnum] if lengths_of_notes else None
        shortest, longest = (length, length) if length else (None, 0)
        if fixed_size is None or fixed_size < 0:
            mini_values: object = (value,) if value else ()
        elif fixed_size == 0:
            mini_values = None
        else:
            mini_values = value or b""
        data = dumps(((docnum,), None if weight32 == 1.0 else weight32, mini_values), BLOCK_PROTOCOL)
        level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if level:
            data = compress(data, level)
        lengths = (length_to_byte(shortest), length_to_byte(longest))
        info = dumps((1, docnum, heaviest, level, *lengths), BLOCK_PROTOCOL)
        written = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-len(info) - len(data)), info, data))
        row = pack_terminfo(
            False, weight32, 1, *lengths, heaviest, docnum, docnum
        ) + pack_long(postfile.tell()) + pack_int(len(written))  # fmt: skip
        postfile.write(written)
        add_row(prefix + word, row)

    def write(word: bytes, postings: list[tuple]) -> None:
        if len(postings) == 1:
            write_one(word, postings[0])
            return
        # The word's term info, kept as W3TermInfo's `add_block` keeps it (its fields
        # start as TermInfo's do) and packed as its `to_bytes` packs it: no object a word.
        total_weight = df = maxlength = maxweight = 0
        minlength = None
        pieces = [WHOOSH3_HEADER_MAGIC]
        count = len(postings)
        for first_posting in range(0, count, limit):
            block = postings if count <= limit else postings[first_posting : first_posting + limit]
            docnums = list(map(_docnum, block))
            given = list(map(_weight, block))
            weights = array("f", given)  # the codec's buffer: weights as 32-bit floats
            heaviest = max(0, *given)
            shortest, longest = None, 0
            if lengths_of_notes:
                known = [length for length in map(lengths_of_notes.__getitem__, docnums) if length]
                if known:
                    shortest, longest = min(known), max(known)
            # The block: W3PostingsWriter's `_mini_ids`, `_mini_weights`, `_mini_values`.
            size = len(docnums)
            gaps = tuple(map(sub, docnums, [0, *docnums[:-1]]))
            if weights.count(1.0) == size:
                mini_weights: object = None
            elif weights.count(weights[0]) == size:
                mini_weights = weights[0]
            else:
                mini_weights = tuple(weights)
            values = list(filter(None, map(_value, block)))
            if fixed_size is None or fixed_size < 0:
                mini_values: object = tuple(values)
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(values)
            data = dumps((gaps, mini_weights, mini_values), BLOCK_PROTOCOL)
            level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if level:
                data = compress(data, level)
            info = dumps(
                (size, docnums[-1], heaviest, level, length_to_byte(shortest), length_to_byte(longest)),
                BLOCK_PROTOCOL,
            )
            length = len(info) + len(data)
            pieces += (pack_int(-length if first_posting + limit >= count else length), info, data)
            # W3TermInfo.add_block
            total_weight += sum(weights)
            df += size
            minlength = shortest if minlength is None else min(minlength, shortest)
            maxlength = max(maxlength, longest)
            maxweight = max(maxweight, heaviest)
        written = b"".join(pieces)
        # W3TermInfo.to_bytes, not inlined, with its extent (where the postings start, their size)
        row = pack_terminfo(
            False, total_weight, df, length_to_byte(minlength), length_to_byte(maxlength), maxweight,
            postings[0][2], postings[-1][2],
        ) + pack_long(postfile.tell()) + pack_int(len(written))  # fmt: skip
        postfile.write(written)
        add_row(prefix + word, row)

    return write


def _row_adder(tindex: OrderedHashWriter) -> Callable[[bytes, bytes], None]:
    """`tindex.add`: Whoosh's `OrderedHashWriter.add` and the `HashWriter.add` it calls,
    in one step (one `tell` and one write a word instead of two and three): the row's
    position in the key index, its key and value lengths, key and value, and its hash
    with the position in the hash's bucket, as Whoosh writes them."""
    dbfile = tindex.dbfile
    index = tindex.index
    buckets = tindex.buckets
    hashfn = tindex.hashfn

    def add(key: bytes, value: bytes) -> None:
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        position = dbfile.tell()
        index.append(position)
        dbfile.write(_KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value)
        hashed = hashfn(key)
        buckets[hashed & 255].append((hashed, position))
        tindex.lastkey = key

    return add
