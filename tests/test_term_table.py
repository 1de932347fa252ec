"""A segment's term table looked up in its mapped file: Whoosh's own answers, word for word."""

from __future__ import annotations

import io

import pytest

from indexer.engine.term_table import TermTable, map_term_table
from indexer.engine.version import fast_path
from indexer.search.searching import open_index
from tests.test_term_stats import _two_segment_index  # a build, then an update: two segments


@pytest.fixture(autouse=True)
def _fast_path_only():
    if not fast_path():
        pytest.skip("the term file is mapped on the fast path only")


def _missing_keys(keys: list[bytes]) -> list[bytes]:
    """Keys a segment lacks: each key changed by a letter, cut short or grown, and an
    empty word; many share a hash table (and a slot's probe run) with a key it has."""
    have = set(keys)
    made = {b"\x00\x00", b"\xff\xff", b"\x00\x00zzzz-not-a-word"}
    for key in keys[::3]:
        made.update({key + b"x", key[:-1], key[:-1] + b"\x00", key[:2] + b"q" + key[2:]})
    return sorted(made - have)


def test_every_word_and_every_missing_one_is_found_as_whoosh_finds_it(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        segments = [sub.reader() for sub, _ in notes.searcher.leaf_searchers()]
        compared = missing = 0
        for segment in segments:
            whoosh_table = segment._terms._tindex
            table = map_term_table(segment._terms)
            assert table is not None
            keys = list(whoosh_table.keys())
            assert len(keys) > 1000
            for key in keys:
                datapos, length = whoosh_table.range_for_key(key)
                assert table.find(key) == (datapos, length)
                assert table.value(key) == whoosh_table[key]
                compared += 1
            for key in _missing_keys(keys):
                assert key not in whoosh_table
                assert table.find(key) is None
                assert table.value(key) is None and table.doc_frequency(key) is None
                missing += 1
            table.close()
        assert compared > 1000 and missing > 1000


def test_a_searchers_readers_answer_from_the_mapped_file_as_whoosh_does(corpus, write_note, index_dir):
    from whoosh.codec.whoosh3 import W3TermsReader
    from whoosh.reading import TermNotFound

    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        reader = notes.searcher.reader()
        segments = [sub.reader() for sub, _ in notes.searcher.leaf_searchers()]
        assert len(segments) == 2
        for segment in segments:
            terms = segment._terms
            assert "doc_frequency" in terms.__dict__  # mapped: Whoosh's method is not the one asked
            for field in ("body", "title", "tag", "path"):
                for text in (b"router", b"gateway", b"firmwar", b"nosuchword", b""):
                    try:
                        expected = W3TermsReader.doc_frequency(terms, field, text)
                    except KeyError:
                        with pytest.raises(KeyError):
                            terms.doc_frequency(field, text)
                        with pytest.raises(TermNotFound):
                            terms.term_info(field, text)
                        continue
                    assert terms.doc_frequency(field, text) == expected
                    info = terms.term_info(field, text)
                    theirs = W3TermsReader.term_info(terms, field, text)
                    assert vars(info) == vars(theirs)
        assert reader.doc_frequency("body", "router") == 3
        assert reader.doc_frequency("body", "nosuchword") == 0
        assert [hit.path for hit in notes.search("router gateway").hits]


def test_the_mapped_file_is_unmapped_when_the_searcher_closes(corpus, write_note, index_dir):
    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        terms = notes.searcher.leaf_searchers()[0][0].reader()._terms
        mapped = terms.doc_frequency.__closure__
        table = next(cell.cell_contents for cell in mapped if isinstance(cell.cell_contents, TermTable))
        assert table.doc_frequency(terms._keycoder("body", b"router")) is not None
    with pytest.raises(ValueError):  # "mmap closed or invalid"
        table.find(terms._keycoder("body", b"router"))


def test_a_term_file_that_cannot_be_mapped_keeps_whooshs_lookups():
    class InMemory:
        hashtype, startoffset = 0, 0
        dbfile = type("StructFile", (), {"file": io.BytesIO(b"HSH3")})()
        tables = [(0, 0)] * 256

    class Terms:
        _tindex = InMemory()

    assert map_term_table(Terms()) is None
    Terms._tindex.hashtype = 1  # CRC32: a hash whoosh3 never writes
    assert map_term_table(Terms()) is None
