"""Hostile input: every bad file is skipped or partly indexed with one warning naming it and
the reason, and every good note beside it is indexed (see `tests/hostile.py`)."""

from __future__ import annotations

import codecs
import os
import re
import time

import pytest
from click.testing import CliRunner

import indexer.index.store
import indexer.notes.note
from indexer.cli import indexer_main
from indexer.index.store import IndexOptions, build_index, update_index
from indexer.notes.corpus import scan_corpus
from indexer.notes.note import parse_note, parse_note_text
from indexer.search.searching import open_index
from tests.conftest import write_project_settings
from tests.hostile import (
    COMPANIONS,
    FRONT_MATTER_NOTE,
    GOOD_NOTES,
    GOOD_TITLES,
    HOSTILE_CASES,
    MB,
    write_big_note,
    write_case,
    write_good_notes,
    write_hostile_corpus,
)

SINGLE = IndexOptions(procs=1)


def found(corpus, index_dir, query):
    with open_index(corpus, index_dir) as notes:
        return sorted(hit.path for hit in notes.search(query, limit=0).hits)


def good_titles(corpus, index_dir):
    with open_index(corpus, index_dir) as notes:
        return sorted(hit.title for hit in notes.search("goodword", limit=0).hits)


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[case.id for case in HOSTILE_CASES])
def test_a_hostile_file_is_skipped_or_indexed_with_one_exact_warning_beside_good_notes(
    case, tmp_path, corpus, index_dir
):
    write_good_notes(corpus)
    write_case(case, corpus, tmp_path / "scratch")
    started = time.process_time()  # CPU time (one process): a busy machine does not inflate it
    report = build_index(corpus, index_dir, options=SINGLE)
    cpu_seconds = time.process_time() - started
    expected_skips = [(case.path, case.skipped)] if case.skipped else []
    assert sorted(report.skipped) == sorted(expected_skips + COMPANIONS.get(case.path, []))
    assert report.warnings == ([(case.path, case.warning)] if case.warning else [])
    assert report.notes == len(GOOD_NOTES) + (0 if case.skipped else 1)
    assert cpu_seconds < 20  # about 2 s for the slowest; only a blow-up fails
    assert good_titles(corpus, index_dir) == GOOD_TITLES
    if case.finds:
        assert found(corpus, index_dir, case.finds) == [case.path]
    assert not (tmp_path / "scratch" / "pwned").exists()  # YAML tags are never executed


def test_a_bom_and_crlf_note_parses_exactly_like_its_plain_twin(tmp_path):
    path = tmp_path / "twin.md"
    path.write_bytes(codecs.BOM_UTF8 + FRONT_MATTER_NOTE.replace("\n", "\r\n").encode())
    assert parse_note(path, tmp_path) == parse_note_text(FRONT_MATTER_NOTE, "twin.md")


@pytest.mark.parametrize("procs", [1, 2])
def test_a_note_that_disappears_between_listing_and_reading_is_skipped(procs, corpus, index_dir, monkeypatch):
    write_good_notes(corpus)
    (corpus / "vanishing.md").write_text("# Vanishing\n\nghostword\n", encoding="utf-8")

    def scan_then_delete(*args, **kwargs):
        scan = scan_corpus(*args, **kwargs)
        (corpus / "vanishing.md").unlink(missing_ok=True)
        return scan

    monkeypatch.setattr(indexer.index.store, "scan_corpus", scan_then_delete)
    report = build_index(corpus, index_dir, options=IndexOptions(procs=procs))
    assert report.skipped == [("vanishing.md", "file disappeared before it could be read")]
    assert report.notes == 2
    assert good_titles(corpus, index_dir) == GOOD_TITLES

    # The same on an update (which indexes in this process only).
    (corpus / "vanishing.md").write_text("# Vanishing again\n\nghostword\n", encoding="utf-8")
    report = update_index(corpus, index_dir, options=IndexOptions(procs=procs))
    assert report.skipped == [("vanishing.md", "file disappeared before it could be read")]
    monkeypatch.undo()
    # Gone for good: the next update has nothing left to say about it.
    assert update_index(corpus, index_dir).skipped == []
    assert found(corpus, index_dir, "ghostword") == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_a_note_without_read_permission_is_skipped(corpus, index_dir):
    write_good_notes(corpus)
    locked = corpus / "locked.md"
    locked.write_text("# Locked\n\nlockedword\n", encoding="utf-8")
    locked.chmod(0)
    try:
        report = build_index(corpus, index_dir, options=SINGLE)
    finally:
        locked.chmod(0o644)
    assert report.skipped == [("locked.md", "permission denied")]
    assert good_titles(corpus, index_dir) == GOOD_TITLES


@pytest.mark.parametrize("procs", [1, 2])
def test_a_note_that_cannot_be_opened_for_lack_of_permission_is_skipped(
    procs, corpus, index_dir, monkeypatch
):
    # The same path as the chmod test above, reachable as root too: `open` refuses.
    write_good_notes(corpus)
    (corpus / "locked.md").write_text("# Locked\n\nlockedword\n", encoding="utf-8")

    real_open = os.open

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("locked.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)  # notes are opened with os.open; workers fork and see it
    report = build_index(corpus, index_dir, options=IndexOptions(procs=procs))
    assert report.skipped == [("locked.md", "permission denied")]
    assert good_titles(corpus, index_dir) == GOOD_TITLES


def test_the_size_cap_is_an_option_and_an_11_mb_note_indexes_under_a_12_mb_cap(
    tmp_path, corpus, index_dir, monkeypatch
):
    # Just over the default cap: what is shown is the cap, not the size (the 20 MB case of
    # HOSTILE_CASES is skipped by it; indexing 20 MB took 3.1 s of CPU, 11 MB takes 1.7 s).
    write_big_note(corpus / "big.md", 11 * MB)
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    capped = CliRunner().invoke(indexer_main, ["build", "--corpus", "corpus", "--index", "index"])
    assert capped.exit_code == 0
    assert capped.stderr == "indexer: warning: big.md: skipped: larger than the 10 MB size cap (--max-size)\n"
    raised = CliRunner().invoke(
        indexer_main, ["build", "--corpus", "corpus", "--index", "index", "--max-size", "12"]
    )
    assert (raised.exit_code, raised.stderr) == (0, "")
    assert re.fullmatch(r"Indexed 1 note in \d+\.\d s into index\n", raised.stdout)
    assert found(corpus, index_dir, '"lorem ipsum" bigword') == ["big.md"]


def test_following_symlinks_indexes_the_outside_note_and_reports_the_loop(tmp_path, corpus, index_dir):
    cases = [case for case in HOSTILE_CASES if case.path in ("outside-link.md", "loop-a.md")]
    write_hostile_corpus(corpus, tmp_path / "scratch", cases)
    os.symlink(corpus, corpus / "good" / "back-to-root")  # a folder loop as well
    report = build_index(corpus, index_dir, options=IndexOptions(procs=1, follow_symlinks=True))
    assert sorted(report.skipped) == [
        ("good/back-to-root", "symbolic link to a folder already walked (a loop or a duplicate)"),
        ("loop-a.md", "symbolic link loop"),
        ("loop-b.md", "symbolic link loop"),
    ]
    assert found(corpus, index_dir, "outsideword") == ["outside-link.md"]


@pytest.fixture
def hostile_workspace(tmp_path, monkeypatch):
    write_hostile_corpus(tmp_path / "corpus", tmp_path / "scratch")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    return tmp_path


def test_indexer_build_on_the_hostile_corpus_exits_0_with_one_line_a_file_and_counts_the_skips(
    hostile_workspace,
):
    result = CliRunner().invoke(indexer_main, ["build"])
    assert result.exit_code == 0, result.output
    skipped = [(case.path, case.skipped) for case in HOSTILE_CASES if case.skipped]
    skipped += [pair for pairs in COMPANIONS.values() for pair in pairs]
    warned = [(case.path, case.warning) for case in HOSTILE_CASES if case.warning]
    expected = {f"indexer: warning: {path}: skipped: {reason}" for path, reason in skipped}
    expected |= {f"indexer: warning: {path}: {message}" for path, message in warned}
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected) == 19
    assert set(lines) == expected
    indexed = len(GOOD_NOTES) + sum(1 for case in HOSTILE_CASES if not case.skipped)
    assert re.fullmatch(
        rf"Indexed {indexed} notes, {len(skipped)} skipped in \d+\.\d s into index_data\n", result.stdout
    )
    assert not (hostile_workspace / "scratch" / "pwned").exists()


def test_indexer_strict_exits_1_when_a_note_was_skipped_and_0_when_none_was(tmp_path, monkeypatch):
    binary = next(case for case in HOSTILE_CASES if case.path == "binary.md")
    write_good_notes(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    assert CliRunner().invoke(indexer_main, ["build", "--strict"]).exit_code == 0
    write_case(binary, tmp_path / "corpus", tmp_path / "scratch")
    strict = CliRunner().invoke(indexer_main, ["build", "--strict", "--quiet"])
    assert (strict.exit_code, strict.stderr) == (1, "")
    assert re.fullmatch(r"Indexed 2 notes, 1 skipped in \d+\.\d s into index_data\n", strict.stdout)
