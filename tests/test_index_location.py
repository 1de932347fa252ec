"""Where indexes live: one per corpus in the user's data folder, never in the notes or the cwd."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.locations import default_index_dir
from tests.conftest import BUNDLED_CORPUS, info_note, relative_files, write_project_settings


def search(*args: str):
    return CliRunner().invoke(search_main, list(args))


def indexer(*args: str):
    return CliRunner().invoke(indexer_main, list(args))


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """An empty current folder, away from any notes.toml."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def make_corpus(root: Path, word: str) -> Path:
    root.mkdir(parents=True)
    (root / "one.md").write_text(info_note(f"One {word}", f"The {word} note."), encoding="utf-8")
    (root / "two.md").write_text(info_note("Two", "Another note."), encoding="utf-8")
    return root


def test_search_of_a_folder_writes_nothing_into_it_nor_into_the_current_folder(
    tmp_path, elsewhere, isolated_environment
):
    notes = make_corpus(tmp_path / "notes", "zyzzyva")
    before = relative_files(notes)
    result = search("--corpus", str(notes), "zyzzyva", "--files")
    assert (result.exit_code, result.stdout) == (0, "one.md\n")
    assert relative_files(notes) == before
    assert relative_files(elsewhere) == []
    assert (default_index_dir(notes) / "manifest.json").is_file()
    data = isolated_environment / ".local" / "share" / "notes-indexer" / "indexes"  # XDG_DATA_HOME
    assert default_index_dir(notes).parent == data


def test_alternating_corpora_reuses_each_index_instead_of_rebuilding(tmp_path, elsewhere):
    first = make_corpus(tmp_path / "a", "alpha")
    second = make_corpus(tmp_path / "b", "beta")
    assert "built the index" in search("--corpus", str(first), "alpha").stderr
    assert "built the index" in search("--corpus", str(second), "beta").stderr
    for corpus, word in ((first, "alpha"), (second, "beta"), (first, "alpha")):
        again = search("--corpus", str(corpus), word, "--files")
        assert (again.exit_code, again.stdout, again.stderr) == (0, "one.md\n", "")
    assert default_index_dir(first) != default_index_dir(second)


def test_the_same_folder_by_another_path_shares_its_index(tmp_path, elsewhere):
    notes = make_corpus(tmp_path / "notes", "zyzzyva")
    (tmp_path / "link").symlink_to(notes)
    assert default_index_dir(tmp_path / "link") == default_index_dir(notes)
    assert default_index_dir(Path("../notes")) == default_index_dir(notes)  # relative to cwd


def test_indexer_list_shows_corpus_notes_size_update_and_missing_corpora(tmp_path, elsewhere):
    kept = make_corpus(tmp_path / "kept", "alpha")
    gone = make_corpus(tmp_path / "gone", "beta")
    assert indexer("build", "--corpus", str(kept)).exit_code == 0
    assert indexer("build", "--corpus", str(gone)).exit_code == 0
    shutil.rmtree(gone)
    result = indexer("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == str(gone) + "  (missing)"
    assert lines[1].startswith("    2 notes, ") and ", updated 20" in lines[1]
    assert lines[2] == str(kept)
    assert result.stderr.startswith("2 indexes in ")
    rows = json.loads(indexer("list", "--json").stdout)
    assert [(row["corpus"], row["notes"], row["corpus_missing"]) for row in rows] == [
        (str(gone), 2, True),
        (str(kept), 2, False),
    ]
    assert all(row["size_bytes"] > 0 and row["updated_at"] for row in rows)


def test_indexer_forget_removes_one_index_and_leaves_the_notes(tmp_path, elsewhere):
    notes = make_corpus(tmp_path / "notes", "alpha")
    assert indexer("build", "--corpus", str(notes)).exit_code == 0
    result = indexer("forget", str(notes))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Removed the index of {notes} (")
    assert not default_index_dir(notes).exists()
    assert relative_files(notes) == ["one.md", "two.md"]
    assert indexer("list").stdout == ""
    again = indexer("forget", str(notes))
    assert (again.exit_code, again.stderr) == (
        2,
        f"indexer: no index of {notes} in the data folder; indexer list shows them\n",
    )


def test_without_a_corpus_anywhere_search_says_how_to_name_one(elsewhere):
    result = search("ransomware")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "search: no corpus to search; pass --corpus DIR, or name a default collection"
    )
    assert relative_files(elsewhere) == []
    shown = search("--config-show")
    assert shown.exit_code == 0
    assert shown.stdout.endswith("# no corpus to search: pass --corpus DIR or name a default collection\n")


def test_the_checkout_keeps_its_bundled_corpus_index_in_index_data(tmp_path, monkeypatch):
    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    write_project_settings(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert search("GPRS gateway", "--files").exit_code == 0
    assert (tmp_path / "index_data" / "manifest.json").is_file()
    # --corpus from the checkout is any other folder: its index goes to the data folder.
    shutil.rmtree(tmp_path / "index_data")
    assert search("--corpus", "corpus", "GPRS gateway", "--files").exit_code == 0
    assert not (tmp_path / "index_data").exists()
    assert (default_index_dir(tmp_path / "corpus") / "manifest.json").is_file()


def test_an_index_typed_with_index_is_used_as_given(tmp_path, elsewhere):
    notes = make_corpus(tmp_path / "notes", "alpha")
    chosen = tmp_path / "my-index"
    assert search("--corpus", str(notes), "--index", str(chosen), "alpha").exit_code == 0
    assert (chosen / "manifest.json").is_file()
    assert not default_index_dir(notes).exists()
