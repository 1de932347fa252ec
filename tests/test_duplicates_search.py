"""Near-duplicates found at index time are folded in search results and listed by the indexer."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main
from indexer.index.duplicates import Copies
from indexer.index.store import build_index, update_index
from indexer.search.searching import open_index
from tests.conftest import info_note

STORY = (
    "The operators of the zyzzyva ransomware gang published stolen files on their leak site on Monday.\n\n"
    "Investigators said the intrusion began with a phishing email sent to a finance employee.\n\n"
    "The company has not said whether it paid a ransom, and declined to comment further.\n"
)


@pytest.fixture
def copies(corpus, write_note, index_dir):
    write_note("a/story.md", info_note("Zyzzyva gang leaks files", STORY, date="2021-10-01"))
    write_note("a/story--ZDNet.md", info_note("Zyzzyva gang leaks files | ZDNet", STORY, date="2021-10-01"))
    # Three copies: every paragraph is in three notes (boilerplate by that count), so they
    # fold only because their whole texts differ by at most NEARLY_SAME (one word here).
    edited = STORY.replace("declined to comment further", "declined to comment again")
    write_note("b/story-updated.md", info_note("Zyzzyva gang leaks stolen files", edited, date="2021-10-02"))
    write_note(
        "c/other.md", info_note("Another zyzzyva note", "A zyzzyva note about something else entirely.")
    )
    build_index(corpus, index_dir)
    return corpus, index_dir


def test_copies_are_folded_into_the_best_ranked_one(copies):
    corpus, index_dir = copies
    with open_index(corpus, index_dir) as notes:
        result = notes.search("zyzzyva", limit=10)
        paths = [hit.path for hit in result.hits]
        assert len(paths) == 2 and "c/other.md" in paths
        best = next(hit for hit in result.hits if hit.path != "c/other.md")
        assert sorted((best.path, *best.duplicates)) == [
            "a/story--ZDNet.md",
            "a/story.md",
            "b/story-updated.md",
        ]
        assert result.total == 4  # every matching note is counted
        everything = notes.search("zyzzyva", limit=10, all_copies=True)
        assert len(everything.hits) == 4


def test_folding_keeps_pages_full(copies):
    corpus, index_dir = copies
    with open_index(corpus, index_dir) as notes:
        first = notes.search("zyzzyva", limit=1, page=1)
        second = notes.search("zyzzyva", limit=1, page=2)
        assert len(first.hits) == len(second.hits) == 1
        assert first.hits[0].path != second.hits[0].path


def test_groups_follow_updates(copies, write_note):
    corpus, index_dir = copies
    (corpus / "a" / "story--ZDNet.md").unlink()
    write_note(
        "d/unrelated.md", info_note("Printer bug", "Print spooler flaw patched in a cumulative update.")
    )
    update_index(corpus, index_dir)
    groups = json.loads((index_dir / "duplicates.json").read_text())["groups"]
    assert groups == [["a/story.md", "b/story-updated.md"]]


def test_text_output_says_how_many_copies_were_folded(copies):
    from indexer.cli import search_main

    corpus, index_dir = copies
    result = CliRunner().invoke(
        search_main, ["zyzzyva", "--corpus", str(corpus), "--index", str(index_dir), "--passages", "0"]
    )
    assert "   +2 similar copies\n" in result.stdout
    folded = CliRunner().invoke(
        search_main, ["zyzzyva", "--corpus", str(corpus), "--index", str(index_dir), "--json"]
    )
    hits = json.loads(folded.stdout)["hits"]
    assert sorted(len(hit["duplicates"]) for hit in hits) == [0, 2]


def test_indexer_duplicates_lists_the_groups(copies):
    corpus, index_dir = copies
    result = CliRunner().invoke(
        indexer_main, ["duplicates", "--corpus", str(corpus), "--index", str(index_dir)]
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "1. 3 copies\n"
        "   a/story--ZDNet.md  Zyzzyva gang leaks files | ZDNet\n"
        "   a/story.md  Zyzzyva gang leaks files\n"
        "   b/story-updated.md  Zyzzyva gang leaks stolen files\n"
    )
    assert result.stderr == "1 group, 3 notes\n"
    document = json.loads(
        CliRunner()
        .invoke(indexer_main, ["duplicates", "--corpus", str(corpus), "--index", str(index_dir), "--json"])
        .stdout
    )
    assert document["groups"][0][0] == {
        "path": "a/story--ZDNet.md",
        "title": "Zyzzyva gang leaks files | ZDNet",
    }


def test_folding_looks_up_only_the_notes_the_page_needs():
    groups = [["a.md", "a-copy.md"], ["b.md", "b-copy.md", "b-copy2.md"]]
    paths = ["a.md", "x.md", "a-copy.md", "b-copy.md", "y.md", "b.md", "z.md", "b-copy2.md"]
    looked_up = []

    def path_of(docnum):
        looked_up.append(docnum)
        return paths[docnum]

    copies = Copies(groups, path_of)
    ranked = [(10.0 - docnum, docnum) for docnum in range(len(paths))]
    assert [docnum for _, docnum in copies.fold(ranked)] == [0, 1, 3, 4, 6]
    assert copies.among(range(len(paths))) == 3
    fresh = Copies(groups, path_of)
    looked_up.clear()
    assert [docnum for _, docnum in fresh.fold(ranked, keep=3)] == [0, 1, 3, 4, 5, 6, 7]
    assert looked_up == [0, 1, 2, 3]
    assert fresh.others("b.md") == ("b-copy.md", "b-copy2.md")
