"""Columns read whole into a list: each note's field lengths (one byte a note), dates.

Whoosh reads a note's field length for every posting it scores (BM25F) and for every
posting it writes (block statistics), each a seek and a one-byte read through three
layers of Python. Reading the column once and indexing a list gives the same numbers.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from whoosh.columns import ColumnReader
    from whoosh.reading import IndexReader


_LENGTH_OF_BYTE: list[int | None] | None = None  # byte -> the length Whoosh reads from it


def field_lengths(per_doc, fieldname: str) -> list[int | None] | None:
    """Each note's length of `fieldname` as Whoosh's `doc_field_length` gives it, from a
    whoosh3 per-document reader; None when `per_doc` is not one or has no such column
    (then Whoosh's own lookups apply). Fast path only (`version.fast_path`)."""
    return field_values_by_length(per_doc, fieldname, None)


def field_values_by_length(per_doc, fieldname: str, value_of: Callable[[int], Any] | None) -> list | None:
    """`value_of(length)` for each note's length of `fieldname` (None where
    `field_lengths` has None; the length itself when `value_of` is None), computed once a
    distinct stored byte and looked up for every note in C; None where `field_lengths` is.
    (A fresh searcher's BM25F norms at 44,902 notes: 1.05 -> 0.62 ms a field and
    segment, against computing them once a distinct length and looking them up in a dict.)"""
    from whoosh.util.numeric import byte_to_length

    column = _length_column(per_doc, fieldname)
    if column is None:
        return None
    stored = column._dbfile.get(column._basepos, column._count)
    # A zero byte (no length stored) is None, as in Whoosh; so are notes past the column.
    # Each byte's length is looked up in a table of the 256 (a fresh searcher reads a
    # column a field and segment: 1.7 ms a 2,245-note column through `byte_to_length`).
    global _LENGTH_OF_BYTE
    if _LENGTH_OF_BYTE is None:
        _LENGTH_OF_BYTE = [byte_to_length(byte) if byte else None for byte in range(256)]
    table = _LENGTH_OF_BYTE
    if value_of is not None:
        table = [None if length is None else value_of(length) for length in table]
    values = list(map(table.__getitem__, stored))
    values.extend([None] * (column._doccount - len(values) + 1))
    return values


def has_field_lengths(per_doc, fieldname: str) -> bool:
    """Whether `field_lengths(per_doc, fieldname)` is a list (not None), without making it."""
    return _length_column(per_doc, fieldname) is not None


def _length_column(per_doc, fieldname: str):
    """The one-byte-a-note column of `fieldname`'s lengths in a whoosh3 per-document
    reader; None when `per_doc` is not one, or has no lengths stored (Whoosh's default
    applies) or not one byte a note."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
    from whoosh.columns import FixedBytesColumn

    if type(per_doc) is not W3PerDocReader:
        return None
    column = per_doc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if not isinstance(column, FixedBytesColumn.Reader) or column._fixedlen != 1:
        return None
    return column


class WholeColumnLengths:
    """A per-document reader whose `doc_field_length_reader` (what Whoosh's segment
    writer asks for each field's postings) reads the column whole; all else is the
    wrapped reader's."""

    def __init__(self, per_doc) -> None:
        self._per_doc = per_doc

    def __getattr__(self, name: str):
        return getattr(self._per_doc, name)

    def doc_field_length_reader(self, fieldname: str, default: int = 0):
        lengths = field_lengths(self._per_doc, fieldname)
        if lengths is None:
            return self._per_doc.doc_field_length_reader(fieldname, default)
        return lengths.__getitem__


def column_values(column: ColumnReader) -> list[int]:
    """The values a Whoosh numeric column stores: in one read on the fast path (one read
    a value otherwise, through Whoosh's public iteration)."""
    from whoosh.columns import NumericColumn

    from indexer.engine.version import fast_path

    if fast_path() and type(column) is NumericColumn.Reader:
        stored = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        return list(struct.unpack(f"!{column._count}{column._typecode}", stored))
    return list(column)


def segment_column_values(
    reader: IndexReader, fieldname: str
) -> Iterator[tuple[IndexReader, int, list[int | None]]]:
    """For each segment of a Whoosh `reader`: (the segment, its first global docnum, each
    of its notes' value of the numeric column `fieldname`, None where a note has none)."""
    for segment, offset, values, missing in segment_stored_values(reader, fieldname):
        yield segment, offset, [None if value == missing else value for value in values]


def segment_stored_values(
    reader: IndexReader, fieldname: str
) -> Iterator[tuple[IndexReader, int, list[int], int]]:
    """For each segment of a Whoosh `reader`: (the segment, its first global docnum, each
    of its notes' stored value of the numeric column `fieldname`, the value stored for a
    note without one: the column's default), with no step a note in Python.

    Segment by segment: Whoosh's multi-segment column reader fails (`OSError: Invalid
    argument`) on a segment without the column (one whose notes all lack the value)."""
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        missing = segment.schema[fieldname].column_type.default_value()
        if not segment.has_column(fieldname):
            yield segment, offset, [missing] * count, missing
            continue
        values = column_values(segment.column_reader(fieldname, translate=False))[:count]
        values.extend([missing] * (count - len(values)))
        yield segment, offset, values, missing
