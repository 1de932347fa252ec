import os

import pytest

from indexer.errors import CorpusError
from indexer.notes.corpus import scan_corpus


def test_scan_finds_markdown_notes_and_skips_hidden_and_tool_folders(corpus, write_note):
    write_note("a.md", "# A")
    write_note("sub/b.markdown", "# B")
    write_note("sub/readme.txt", "not a note")
    write_note(".obsidian/workspace.md", "# tool state")
    write_note(".hidden.md", "# hidden")
    write_note("node_modules/x.md", "# vendored")
    scan = scan_corpus(corpus)
    assert sorted(scan.files) == ["a.md", "sub/b.markdown"]
    assert scan.files["a.md"][1] == 3


def test_ignore_globs_match_paths_and_names(corpus, write_note):
    write_note("keep.md", "# keep")
    write_note("drafts/skip.md", "# skip")
    write_note("other/temp-note.md", "# temp")
    scan = scan_corpus(corpus, ignore=("drafts/*", "temp-*"))
    assert sorted(scan.files) == ["keep.md"]


def test_excluded_folders_such_as_an_index_inside_the_corpus_are_not_walked(corpus, write_note):
    write_note("a.md", "# A")
    write_note("index_data/stray.md", "# not a note")
    assert sorted(scan_corpus(corpus, exclude=(corpus / "index_data",)).files) == ["a.md"]


def test_symlinks_are_skipped_by_default_with_a_reason(tmp_path, corpus, write_note):
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside")
    os.symlink(outside, corpus / "link.md")
    scan = scan_corpus(corpus)
    assert scan.files == {}
    assert scan.skipped == [("link.md", "symbolic link not followed (use --follow-symlinks)")]


def test_following_symlinks_indexes_targets_and_detects_loops(tmp_path, corpus, write_note):
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside")
    os.symlink(outside, corpus / "link.md")
    write_note("real/n.md", "# N")
    os.symlink(corpus / "real", corpus / "real" / "loop")  # a folder that contains itself
    os.symlink(corpus / "self.md", corpus / "self.md")  # a link to itself
    scan = scan_corpus(corpus, follow_symlinks=True)
    assert sorted(scan.files) == ["link.md", "real/n.md"]
    reasons = dict(scan.skipped)
    assert reasons["real/loop"] == "symbolic link to a folder already walked (a loop or a duplicate)"
    assert reasons["self.md"] == "symbolic link loop"


def test_missing_corpus_is_an_error_with_a_hint(tmp_path):
    with pytest.raises(CorpusError) as caught:
        scan_corpus(tmp_path / "nowhere")
    assert caught.value.hint == "pass --corpus DIR or set NOTES_CORPUS"


def test_a_file_given_as_corpus_is_an_error(tmp_path):
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(CorpusError, match="corpus is not a folder"):
        scan_corpus(tmp_path / "file.md")


def test_a_link_to_a_folder_already_in_the_corpus_is_not_walked_twice(corpus, write_note):
    write_note("real/n.md", "# N")
    os.symlink(corpus / "real", corpus / "a-link")  # sorts before the folder it points to
    scan = scan_corpus(corpus, follow_symlinks=True)
    assert sorted(scan.files) == ["real/n.md"]
    assert dict(scan.skipped)["a-link"] == "symbolic link to a folder already walked (a loop or a duplicate)"
