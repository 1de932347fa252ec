"""Similar notes: `NoteIndex.similar`, `search --similar PATH` and `:similar N` with sorting and paging."""

from __future__ import annotations

import json

import pytest

from indexer.errors import QueryError
from indexer.index.store import build_index
from indexer.search.searching import SortOrder, open_index
from tests.conftest import info_note
from tests.test_shell_commands import make_harness

REVIL = "news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md"


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def test_similar_compares_the_tags_of_the_note_too(corpus, write_note, index_dir):
    write_note("seed.md", info_note("Seed", "Nothing to see.", tags="[[Quokka]]"))
    write_note("match.md", info_note("Match", "A quokka, then another quokka."))
    write_note("other.md", info_note("Other", "Plain words about something else."))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as opened:
        assert opened.similar("seed.md").hits[0].path == "match.md"


def test_similar_sorted_newest_first_keeps_every_hit_in_date_order(notes):
    hits = notes.similar(REVIL, limit=0, sort=SortOrder.NEWEST).hits
    dates = [hit.date for hit in hits if hit.date]
    assert dates == sorted(dates, reverse=True)
    assert REVIL not in {hit.path for hit in hits}


def test_similar_pages_are_slices_of_the_whole_ranking(notes):
    everything = [hit.path for hit in notes.similar(REVIL, limit=0).hits]
    page = notes.similar(REVIL, limit=3, page=2)
    assert [hit.path for hit in page.hits] == everything[3:6]
    assert page.total == len(everything)


def test_note_path_accepts_the_path_search_prints_and_file_paths(notes, monkeypatch):
    assert notes.note_path(REVIL) == REVIL
    assert notes.note_path(notes.corpus / REVIL) == REVIL  # absolute
    monkeypatch.chdir(notes.corpus.parent)
    assert notes.note_path(f"{notes.corpus.name}/{REVIL}") == REVIL  # from the current folder


def test_note_path_refuses_files_outside_the_corpus_and_missing_notes(notes, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n", encoding="utf-8")
    with pytest.raises(QueryError, match="is outside the notes folder"):
        notes.note_path(outside)
    with pytest.raises(QueryError, match=r"no note at news/nowhere\.md"):
        notes.note_path("news/nowhere.md")


def test_cli_similar_prints_ranked_notes_without_the_note_itself(search_bundled):
    result = search_bundled("--similar", REVIL, "--files", "-n", "0")
    paths = result.stdout.splitlines()
    assert result.exit_code == 0
    assert REVIL not in paths and len(paths) == 33
    assert paths[0] == "notes/kaseya-vsa-incident-timeline.md"


def test_cli_similar_pages_and_sorts_like_a_query(search_bundled):
    everything = search_bundled("--similar", REVIL, "--files", "-n", "0", "--sort", "date")
    page = search_bundled("--similar", REVIL, "--files", "-n", "5", "--page", "2", "--sort", "date")
    assert page.stdout.splitlines() == everything.stdout.splitlines()[5:10]


def test_cli_similar_json_names_the_note_in_the_query(search_bundled):
    document = json.loads(search_bundled("--similar", REVIL, "--json", "-n", "1").stdout)
    assert document["query"] == f"like {REVIL}"
    assert document["total"] == 33


def test_cli_similar_with_a_query_is_a_usage_error(search_bundled):
    result = search_bundled("ransomware", "--similar", REVIL)
    assert result.exit_code == 2
    assert "--similar takes a note's path, not a QUERY" in result.stderr


def test_cli_similar_to_a_missing_note_exits_2_with_one_line(search_bundled):
    result = search_bundled("--similar", "news/nowhere.md")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "search: no note at news/nowhere.md; give its path as search prints it, or a file path\n"
    )


def test_shell_similar_follows_the_sort_order(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run(":sort -date", ":limit 0", "author:cimpanu tag:ransomware", ":similar 1")
        dates = [hit.date for hit in harness.shell.shown_hits.values() if hit.date]
    finally:
        harness.shell.close()
    assert len(dates) > 10
    assert dates == sorted(dates, reverse=True)


def test_shell_facets_after_similar_count_the_similar_notes(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run(":limit 2", "author:cimpanu tag:ransomware", ":similar 2")  # the FinCEN note
        harness.take()
        harness.run(":facets year")
        out, _ = harness.take()
    finally:
        harness.shell.close()
    assert out == "year (2 values)\n  17  2021\n   3  2022\n"
