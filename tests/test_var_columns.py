"""Columns of variable-length values opened with offsets summed in C: Whoosh's readers, value for value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.engine.var_columns import column_reader, var_bytes_reader
from indexer.engine.version import fast_path
from indexer.search.searching import open_index


@pytest.fixture(autouse=True)
def _fast_path_only():
    if not fast_path():
        pytest.skip("columns are opened our way on the fast path only")


def _written(column, values: list[bytes]):
    """A column file of `values` (one a note) as Whoosh writes it: (file, length)."""
    from whoosh.filedb.filestore import RamStorage

    storage = RamStorage()
    out = storage.create_file("column")
    writer = column.writer(out)
    for docnum, value in enumerate(values):
        if value:  # a note without a value is left out, as Whoosh's writer leaves it
            writer.add(docnum, value)
    writer.finish(len(values))
    length = out.tell()
    out.close()
    return storage.open_file("column"), length


def _same_reader(ours, whooshs, count: int) -> None:
    assert type(ours) is type(whooshs)
    assert vars(ours).keys() == vars(whooshs).keys()
    for name, value in vars(whooshs).items():
        if name in ("_offsets", "_lengths"):
            assert list(getattr(ours, name)) == list(value), name
        elif name == "_decompress":
            assert getattr(ours, name) is value
        elif name != "_dbfile":
            assert getattr(ours, name) == value, name
    assert [ours[docnum] for docnum in range(count)] == [whooshs[docnum] for docnum in range(count)]
    assert _listed(ours) == _listed(whooshs)


def _listed(reader) -> object:
    """Every value in order, or the error iterating gives (Whoosh's compressed reader
    cannot iterate over a note without a value: it inflates b"")."""
    try:
        return list(reader)
    except Exception as error:
        return type(error)


@given(
    values=st.lists(st.binary(max_size=300), max_size=60),
    compressed=st.booleans(),
    offsets_written=st.booleans(),
)
def test_a_column_reads_every_value_as_whooshs_reader_does(values, compressed, offsets_written):
    from whoosh.columns import CompressedBytesColumn, VarBytesColumn

    column = CompressedBytesColumn() if compressed else VarBytesColumn()
    if offsets_written:
        column = VarBytesColumn(write_offsets_cutoff=0)  # offsets written whatever the count
    dbfile, length = _written(column, values)
    whooshs = column.reader(dbfile, 0, length, len(values))
    ours = var_bytes_reader(column, dbfile, 0, length, len(values))
    _same_reader(ours, whooshs, len(values))


def test_another_column_type_opens_through_whoosh():
    from whoosh.columns import NumericColumn

    column = NumericColumn("I")
    dbfile, length = _written(column, [])
    assert type(var_bytes_reader(column, dbfile, 0, length, 0)) is type(column.reader(dbfile, 0, length, 0))


def test_a_searchers_stored_fields_and_views_are_whooshs_own(bundled_index):
    from whoosh.codec.whoosh3 import STORED_COLUMN

    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        reader = notes.searcher.reader()
        count = reader.doc_count_all()
        assert count > 20
        for leaf, _ in reader.leaf_readers():
            per_doc = leaf._perdoc
            ours = per_doc._readers["_stored"]  # opened with the searcher, our way
            colfile, offset, length = per_doc._colfiles["_stored"]
            whooshs = STORED_COLUMN.reader(colfile, offset, length, per_doc._doccount)
            _same_reader(ours._child, whooshs._child, per_doc._doccount)
        stored = [reader.stored_fields(docnum) for docnum in range(count)]
        assert all(fields.get("path_id") for fields in stored)
        views = column_reader(reader, "blocks")
        theirs = reader.column_reader("blocks")
        assert [views[docnum] for docnum in range(count)] == [theirs[docnum] for docnum in range(count)]
        assert any(views[docnum] for docnum in range(count))
