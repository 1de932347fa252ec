"""A field's words by prefix, read straight from the term files: Whoosh's own list."""

from __future__ import annotations

import pytest

from indexer.engine import term_list
from indexer.engine.term_list import words_with_prefix
from indexer.engine.version import fast_path
from indexer.index.store import build_index, update_index
from indexer.search.searching import open_index
from tests.conftest import info_note

PREFIXES = ["", "g", "r", "ro", "router", "routerz", "z", "é", "0", "2"]


def _two_segment_index(corpus, write_note, index_dir):
    write_note("a.md", info_note("Gateway outage", "the router failed at night, routers rebooted"))
    write_note("b.md", info_note("Router news", "a router and a gateway; résumé of 2021 érosion"))
    build_index(corpus, index_dir)
    many = " ".join(f"word{number:04d}" for number in range(3000))  # more than a chunk
    write_note("c.md", info_note("Gateway again", f"router firmware {many} zebra"))
    update_index(corpus, index_dir)


def test_words_by_prefix_are_whooshs_own_on_every_segment(corpus, write_note, index_dir, monkeypatch):
    if not fast_path():
        pytest.skip("read straight from the term files on the fast path only")
    _two_segment_index(corpus, write_note, index_dir)
    monkeypatch.setattr(term_list, "_FIRST_CHUNK", 64)  # records cut across chunks
    with open_index(corpus, index_dir) as notes:
        reader = notes.searcher.reader()
        assert len(reader.leaf_readers()) == 2
        fields = [name for name in reader.indexed_field_names() if name not in ("date",)]
        listed = 0
        for field in fields:
            for prefix in PREFIXES:
                expected = list(reader.expand_prefix(field, prefix))
                assert words_with_prefix(reader, field, prefix) == expected, (field, prefix)
                listed += len(expected)
        for segment, _ in reader.leaf_readers():
            assert words_with_prefix(segment, "body", "ro") == list(segment.expand_prefix("body", "ro"))
        assert len(words_with_prefix(reader, "body", "word")) == 3000
        assert listed > 3000


def test_a_field_no_segment_has_lists_no_words(corpus, write_note, index_dir):
    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        reader = notes.searcher.reader()
        assert words_with_prefix(reader, "sx_malware", "a") == list(reader.expand_prefix("sx_malware", "a"))
