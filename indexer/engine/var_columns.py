"""Columns of variable-length values opened with their offsets summed in C.

A column of values of any length (Whoosh's `VarBytesColumn`: each note's stored fields,
and its view, `blocks`) keeps each note's length; where the segment has at most 32,768
notes, not the offsets. Whoosh's reader then adds the lengths up into offsets when it
opens, one `array.append` a note in a Python loop: a search on a fresh searcher (a
one-shot `search`) opens both columns of every segment, 16-17 ms of the ~105 ms a
common two-word query took at 44,900 notes (two segments of 22,450). Here the same
offsets are summed by `itertools.accumulate` into an `array` in C; the reader is
Whoosh's own class, its attributes set as its `__init__` sets them, so it reads every
value as Whoosh's does (tests/test_var_columns.py compares every note's value and the
readers' attributes). A column whose offsets were written, or any other column type,
opens through Whoosh as before. Fast path only (`version.fast_path`).
"""

from __future__ import annotations

import struct
from array import array
from itertools import accumulate
from typing import Any

from indexer.engine.version import fast_path

# A column's last byte: the lengths' type code, or this when the offsets were written too.
_OFFSETS_WRITTEN = ord("X")


def var_bytes_reader(column, dbfile, basepos: int, length: int, doccount: int):
    """`column.reader(dbfile, basepos, length, doccount)`, the same reader, opened with its
    offsets summed in C when `column` is a `VarBytesColumn` or `CompressedBytesColumn`
    (of the pinned Whoosh) without offsets written."""
    from whoosh.columns import CompressedBytesColumn, VarBytesColumn

    kind = type(column)
    if kind not in (VarBytesColumn, CompressedBytesColumn) or length < 1:
        return column.reader(dbfile, basepos, length, doccount)
    lastbyte = basepos + length - 1
    code = dbfile.get_byte(lastbyte)
    if code == _OFFSETS_WRITTEN:
        return column.reader(dbfile, basepos, length, doccount)
    # VarBytesColumn.Reader._read_offsets_and_lengths without written offsets: the lengths
    # array (of its type code) just before the last byte, the offsets their running sums.
    lens_code = chr(code)
    lengths = dbfile.get_array(lastbyte - struct.calcsize(lens_code) * doccount, lens_code, doccount)
    offsets = array("L", accumulate(lengths, initial=0))
    offsets.pop()  # the sum of all lengths: the end of the last value, no note's offset
    reader: Any = object.__new__(kind.Reader)
    reader._dbfile = dbfile
    reader._basepos = basepos
    reader._length = length
    reader._doccount = doccount
    reader.had_stored_offsets = False
    reader._offsets = offsets
    reader._lengths = lengths
    if kind is CompressedBytesColumn:
        reader._decompress = __import__(column._module).decompress
    return reader


def open_stored_fields(reader) -> None:
    """Open the stored-fields column of each segment of `reader` (a searcher's top reader)
    with `var_bytes_reader`, where Whoosh's `stored_fields` will find it: the same values,
    without the Python loop over every note's length. Any segment not written by the
    pinned whoosh3 codec, or whose column is open already, is left alone."""
    from whoosh.codec.whoosh3 import STORED_COLUMN, W3PerDocReader
    from whoosh.columns import PickleColumn

    if not fast_path() or type(STORED_COLUMN) is not PickleColumn:
        return
    for leaf, _offset in reader.leaf_readers():
        per_doc = getattr(leaf, "_perdoc", None)
        if type(per_doc) is not W3PerDocReader or "_stored" in per_doc._readers:
            continue
        if not per_doc.has_column("_stored"):
            continue
        child = _column_reader(per_doc, "_stored", STORED_COLUMN._child)
        per_doc._readers["_stored"] = PickleColumn.Reader(child)


def column_reader(reader, fieldname: str):
    """`reader.column_reader(fieldname)` (values translated, as Whoosh's default), each
    segment's column opened with `var_bytes_reader`."""
    from whoosh.codec.whoosh3 import W3PerDocReader
    from whoosh.columns import MultiColumnReader, TranslatingColumnReader

    if not fast_path():
        return reader.column_reader(fieldname)
    field = reader.schema[fieldname]
    column = field.column_type
    leaves = reader.leaf_readers()
    per_docs = [getattr(leaf, "_perdoc", None) for leaf, _ in leaves]
    if not column or any(type(per_doc) is not W3PerDocReader for per_doc in per_docs):
        return reader.column_reader(fieldname)
    if reader.is_atomic():
        if not per_docs[0].has_column(fieldname):  # Whoosh's reader of the default value
            return reader.column_reader(fieldname)
        opened = _column_reader(per_docs[0], fieldname, column)
        return TranslatingColumnReader(opened, field.from_column_value)
    readers, offsets = [], []
    for (_leaf, offset), per_doc in zip(leaves, per_docs, strict=True):
        if per_doc.has_column(fieldname):
            opened = _column_reader(per_doc, fieldname, column)
            readers.append(TranslatingColumnReader(opened, field.from_column_value))
            offsets.append(offset)
    return MultiColumnReader(readers, offsets)


def _column_reader(per_doc, fieldname: str, column):
    """`W3PerDocReader.column_reader`, through `var_bytes_reader` (its file opened once)."""
    files = per_doc._colfiles
    if fieldname not in files:
        files[fieldname] = per_doc._get_column_file(fieldname)
    colfile, offset, length = files[fieldname]
    return var_bytes_reader(column, colfile, offset, length, per_doc._doccount)
