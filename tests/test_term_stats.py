"""A searcher's readers look each word's document frequency and term info up once."""

from __future__ import annotations

from indexer.engine import term_stats
from indexer.engine.version import fast_path
from indexer.index.store import build_index
from indexer.search.searching import open_index
from tests.conftest import info_note


def _two_segment_index(corpus, write_note, index_dir):
    from indexer.index.store import update_index

    write_note("a.md", info_note("Gateway outage", "the router failed at night"))
    write_note("b.md", info_note("Router news", "a router and a gateway"))
    build_index(corpus, index_dir)
    write_note("c.md", info_note("Gateway again", "router router firmware"))
    update_index(corpus, index_dir)


def test_a_word_is_looked_up_once_per_searcher_with_the_same_answers(
    corpus, write_note, index_dir, monkeypatch
):
    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        reader = notes.searcher.reader()
        segments = [sub.reader() for sub, _ in notes.searcher.leaf_searchers()]
        assert len(segments) == 2  # the update wrote a segment of its own
        asked = []
        for segment in segments:
            lookup = segment.doc_frequency.lookup

            def counting(field, text, lookup=lookup):
                asked.append((field, text))
                return lookup(field, text)

            segment.doc_frequency.lookup = counting
        assert reader.doc_frequency("body", "router") == 3
        assert reader.doc_frequency("body", "router") == 3
        assert reader.doc_frequency("body", "nosuchword") == 0
        assert reader.doc_frequency("body", "nosuchword") == 0
        assert asked.count(("body", "router")) == len(segments)
        assert asked.count(("body", "nosuchword")) == len(segments)
        first = [hit.path for hit in notes.search("router").hits]
    with open_index(corpus, index_dir) as fresh:
        # Whoosh's own lookups give the same hits and frequencies.
        monkeypatch.setattr(term_stats, "remember_term_stats", lambda searcher: None)
        assert [hit.path for hit in fresh.search("router").hits] == first
        assert fresh.searcher.reader().doc_frequency("body", "router") == 3


def test_term_infos_are_remembered_and_missing_words_still_raise(corpus, write_note, index_dir):
    import pytest
    from whoosh.reading import TermNotFound

    if not fast_path():
        pytest.skip("term infos are remembered on the fast path only")
    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        segment = notes.searcher.leaf_searchers()[0][0].reader()
        info = segment.term_info("body", "router")
        assert segment.term_info("body", "router") is info
        assert info.doc_frequency() == segment.doc_frequency("body", "router")
        for _ in range(2):
            with pytest.raises(TermNotFound):
                segment.term_info("body", "nosuchword")


def test_a_reader_forgets_past_its_limit(corpus, write_note, index_dir, monkeypatch):
    monkeypatch.setattr(term_stats, "KEPT_FREQUENCIES", 2)
    _two_segment_index(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        reader = notes.searcher.reader()
        for word in ("router", "gateway", "firmware", "night"):
            reader.doc_frequency("body", word)
        assert len(reader.doc_frequency.kept) <= 2
        assert reader.doc_frequency("body", "router") == 3
