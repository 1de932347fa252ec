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

This relies on the block buffers of the pinned whoosh3's codec (`_ids`, `_weights`,
`_values`, `_minlength`, `_maxlength`, `_maxweight`, `_blocklimit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

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
