"""NoteIndex helpers beyond `search`: field values for completion, similar notes, refresh."""

from __future__ import annotations

import shutil

import pytest

from indexer.errors import QueryError
from indexer.index.fields import FieldCatalog
from indexer.index.schema import build_schema
from indexer.index.store import build_index, update_index
from indexer.search.flow import SearchFlow
from indexer.search.options import SearchOptions
from indexer.search.query import QueryParser
from indexer.search.results import SearchResult
from indexer.search.searching import open_index
from tests.conftest import info_note

REVIL = "news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md"


def test_field_values_reads_tags_with_their_case_and_note_counts_most_frequent_first(bundled_index):
    with open_index(*bundled_index) as notes:
        values = notes.field_values("tag_name")
    assert values[:3] == [("Ransomware", 11), ("The Record", 8), ("Bleeping Computer", 6)]
    assert ("ransomware", 3) in values


def test_field_values_reads_authors_and_sources(bundled_index):
    with open_index(*bundled_index) as notes:
        authors = dict(notes.field_values("author_name"))
        sources = dict(notes.field_values("source_name"))
    assert authors["Catalin Cimpanu"] == 6
    assert authors["Sergiu Gatlan"] == 3
    assert sources["The Record"] == 8


def test_field_values_of_a_field_the_index_lacks_is_empty(bundled_index):
    with open_index(*bundled_index) as notes:
        assert notes.field_values("sx_planet") == []
        assert notes.field_values("no_such_field") == []


def test_field_values_do_not_count_deleted_notes(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "alpha", tags="[[Solo]] [[Shared]]"))
    write_note("b.md", info_note("B", "beta", tags="[[Shared]]"))
    build_index(corpus, index_dir)
    (corpus / "a.md").unlink()
    update_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert notes.field_values("tag_name") == [("Shared", 1)]


def test_similar_finds_other_notes_about_the_same_thing_and_leaves_the_note_out(bundled_index):
    with open_index(*bundled_index) as notes:
        result = notes.similar(REVIL, limit=5)
    paths = [hit.path for hit in result.hits]
    assert REVIL not in paths
    assert len(paths) == 5
    assert result.total > 5
    assert any("REvil" in hit.snippet for hit in result.hits)


def test_similar_pages_like_search(bundled_index):
    with open_index(*bundled_index) as notes:
        first = notes.similar(REVIL, limit=2)
        second = notes.similar(REVIL, limit=2, page=2)
    assert [hit.rank for hit in second.hits] == [3, 4]
    assert {hit.path for hit in first.hits}.isdisjoint(hit.path for hit in second.hits)


def test_similar_to_a_note_not_in_the_index_is_a_query_error(bundled_index):
    with open_index(*bundled_index) as notes, pytest.raises(QueryError, match="not in the index"):
        notes.similar("news/nowhere.md")


def test_refresh_if_changed_sees_a_commit_made_after_the_searcher_opened(tmp_path, bundled_index):
    corpus = tmp_path / "corpus"
    shutil.copytree(bundled_index[0], corpus)
    index = tmp_path / "index"
    build_index(corpus, index)
    with open_index(corpus, index) as notes:
        assert notes.note_count() == 40
        assert notes.refresh_if_changed() is False
        (corpus / "extra.md").write_text(info_note("Extra", "zyzzyva"), encoding="utf-8")
        update_index(corpus, index)
        assert notes.refresh_if_changed() is True
        assert notes.note_count() == 41
        assert notes.count("zyzzyva") == 1


@pytest.fixture
def stored_field_reads(monkeypatch):
    """How many times each note's stored fields are read from the index files."""
    from collections import Counter

    from whoosh.reading import SegmentReader

    reads: Counter = Counter()
    read = SegmentReader.stored_fields

    def counted(reader, docnum):
        reads[(id(reader), docnum)] += 1
        return read(reader, docnum)

    monkeypatch.setattr(SegmentReader, "stored_fields", counted)
    return reads


def test_a_search_reads_each_notes_stored_fields_once(bundled_index, stored_field_reads):
    # Two words: the best notes' paths (copies, ties) and titles (exact forms), and the page.
    with open_index(*bundled_index) as notes:
        first = notes.search("ransomware attack", limit=3)
        assert len(stored_field_reads) > 3 and max(stored_field_reads.values()) == 1
        stored_field_reads.clear()
        again = notes.search("ransomware attack", limit=3)
    assert not stored_field_reads  # the same searcher remembers them
    assert again.hits == first.hits


def test_the_stored_fields_remembered_are_bounded(bundled_index, monkeypatch):
    import indexer.search.searching

    monkeypatch.setattr(indexer.search.searching, "_STORED_FIELDS_KEPT", 3)
    with open_index(*bundled_index) as notes:
        result = notes.search("ransomware", limit=5)
        assert len(notes._stored) <= 3
    assert len(result.hits) == 5 and len({hit.path for hit in result.hits}) == 5


def test_an_open_index_shows_a_note_edited_in_place_with_its_new_text(
    tmp_path, corpus, write_note, index_dir
):
    """A note is shown from the index's view of it, without a parse; an edit is read again."""
    import os

    path = write_note("a.md", info_note("Gateway report", "The GPRS gateway was breached."))
    os.utime(path, (path.stat().st_mtime - 3600,) * 2)
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert "GPRS" in notes.search("gateway").hits[0].snippet
        assert "GPRS" in notes.search("breached").hits[0].snippet
        assert notes.note_memo.parsed == 0
        write_note("a.md", info_note("Gateway report", "The EDGE gateway was breached."))
        update_index(corpus, index_dir)
        notes.refresh_if_changed()
        assert "EDGE" in notes.search("gateway").hits[0].snippet


def test_a_corrected_search_after_close_reads_the_new_searcher(bundled_index):
    """`close` then search again (a fresh searcher, as a one-shot search has): the
    spelling correction lists words from the new reader, not the closed one."""
    with open_index(*bundled_index) as notes:
        first = notes.search("ransomwear")
        notes.close()
        again = notes.search("ransomwear")
    assert first.corrected_query == again.corrected_query == "ransomware"
    assert [hit.path for hit in again.hits] == [hit.path for hit in first.hits]


class RecordingFlow(SearchFlow):
    """An engine whose `_result` finds `total` notes (one for a relaxed query) and records
    the near-miss words and the relaxed flag it is given."""

    def __init__(self, total: int) -> None:
        self.parser = QueryParser(build_schema(), FieldCatalog())
        self.total = total
        self.calls: list[tuple[tuple[str, ...] | None, bool]] = []

    def _result(self, text, parsed, started, options, *, terms=None, bonuses=(), near=None, relaxed=False):
        self.calls.append((near.stems if near else None, relaxed))
        return SearchResult(text, "", 1 if relaxed else self.total, 1, 10, (), 0.0)

    def _terms(self, parsed, options):
        return None

    def _correction(self, text):
        return None

    def did_you_mean(self, text, total=None):
        return None


@pytest.mark.parametrize(("total", "relaxed"), [(3, False), (0, True)])
def test_the_search_flow_gives_every_engine_the_near_miss_words_the_same_way(total, relaxed):
    engine = RecordingFlow(total)
    result = engine._search("gprs gateway breach", SearchOptions())
    assert result.relaxed is relaxed
    assert engine.calls[-1] == (("gpr", "gatewai", "breach"), relaxed)
    engine._search("gprs gateway breach", SearchOptions(correct=False))
    assert engine.calls[-1][0] is None  # --exact: no near misses


def test_both_engines_take_near_misses_through_one_result_signature():
    import inspect

    from indexer.opensearch.searching import ClusterNotes
    from indexer.search.searching import NoteIndex

    for engine in (SearchFlow, NoteIndex, ClusterNotes):
        parameters = inspect.signature(engine._result).parameters
        assert (parameters["near"].default, parameters["relaxed"].default) == (None, False), engine
        assert parameters["near"].kind is inspect.Parameter.KEYWORD_ONLY
    assert not hasattr(SearchFlow, "near_misses")


def test_a_search_forgets_the_matches_it_remembered_once_it_ends(bundled_index):
    with open_index(*bundled_index) as notes:
        assert notes.search("gatewy breach").total  # a correction scores several candidate queries
        assert notes._matched == {}


@pytest.mark.parametrize("enabled_before", [True, False])
@pytest.mark.parametrize("query", ["GPRS gateway", "and the of"])  # a hit; a QueryError
def test_a_search_runs_with_the_collector_paused_and_leaves_it_as_it_found_it(
    bundled_index, monkeypatch, enabled_before, query
):
    import contextlib
    import gc

    from indexer.search.searching import NoteIndex

    seen: list[bool] = []
    original = NoteIndex._search

    def watched(self, text, options):
        seen.append(gc.isenabled())
        return original(self, text, options)

    monkeypatch.setattr(NoteIndex, "_search", watched)
    was = gc.isenabled()
    try:
        gc.enable() if enabled_before else gc.disable()
        with open_index(*bundled_index) as notes, contextlib.suppress(QueryError):
            notes.search(query)
        assert seen == [False]
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable() if was else gc.disable()
