"""Two writers, and readers beside a writer: one update waits (bounded) or says which process
holds the index; searches answer from the last commit, and survive its files being removed."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from indexer.cli import search_main
from indexer.index.locking import LOCK_FILE, lock_holder
from indexer.index.recovery import leftover_files
from indexer.index.store import build_index
from indexer.search.searching import open_index
from tests.conftest import info_note
from tests.processes import (
    CHANGED_NOTES,
    DELETED_NOTES,
    NEW_NOTES,
    PATIENCE,
    answers,
    has_open,
    indexer_process,
    release,
    run_indexer,
    stop,
    wait_for_pause,
    wait_until,
)


def search_count(generated, index, query, *extra):
    return CliRunner().invoke(
        search_main, ["--corpus", str(generated.corpus), "--index", str(index), "--count", *extra, query]
    )


@pytest.fixture
def paused_update(generated, tmp_path):
    """An `indexer update` holding the write lock, paused before its commit until released
    (`tests.processes.release`) or for `seconds`."""
    index = tmp_path / "index"
    shutil.copytree(generated.before, index)
    started = []

    def start(seconds: float = PATIENCE):
        process = indexer_process(
            "update", "--corpus", str(generated.corpus), "--index", str(index),
            pause_at="commit", pause_seconds=seconds,
        )  # fmt: skip
        started.append(process)
        wait_for_pause(process, "commit")
        return index, process

    yield start
    for process in started:
        stop(process)


def test_a_second_update_fails_after_its_wait_naming_the_process_that_holds_the_index(
    generated, paused_update
):
    index, first = paused_update()
    started = time.monotonic()
    second = run_indexer("update", "--corpus", str(generated.corpus), "--index", str(index), "--wait", "0.5")
    assert time.monotonic() - started >= 0.5
    assert (second.returncode, second.stdout) == (2, "")
    assert second.stderr == (
        f"indexer: index {index} is being updated by process {first.pid}; "
        "wait for it to finish, or pass --wait SECONDS\n"
    )
    assert answers(generated.corpus, index) == generated.answers_before  # untouched meanwhile


def test_a_second_update_that_may_wait_long_enough_runs_after_the_first(generated, paused_update):
    index, first = paused_update()
    second = indexer_process(
        "update", "--corpus", str(generated.corpus), "--index", str(index), "--wait", str(PATIENCE)
    )
    # The second holds the lock file open, waiting for the lock, while the first is paused.
    wait_until(lambda: has_open(second.pid, index / LOCK_FILE), what="the second update to wait")
    assert second.poll() is None and lock_holder(index) == first.pid
    release(first)
    first_out, _ = first.communicate(timeout=PATIENCE)
    second_out, second_err = second.communicate(timeout=PATIENCE)
    assert first.returncode == 0 and first_out.startswith(
        f"Updated {index}: {NEW_NOTES} added, {CHANGED_NOTES} changed, {DELETED_NOTES} removed"
    )
    assert (second.returncode, second_err) == (0, "")
    assert second_out == f"Index {index} is up to date: {generated.notes} notes\n"
    assert answers(generated.corpus, index) == generated.answers_after
    assert leftover_files(index) == []


def test_search_during_an_update_answers_from_the_last_commit_without_waiting(
    generated, paused_update, monkeypatch
):
    index, first = paused_update(seconds=600)
    expected = generated.answers_before["ransomware"]
    # A search that waited for the writer as `indexer` does would wait 600 s here (and then
    # find the first update still paused): not waiting shows as a time far below that,
    # however busy the machine.
    monkeypatch.setenv("NOTES_WAIT", "600")
    started = time.monotonic()
    stale = search_count(generated, index, "ransomware", "--no-update")
    assert (stale.exit_code, stale.stdout) == (0, f"{expected}\n")
    checked = search_count(generated, index, "ransomware")  # would apply the changes, but may not wait
    assert (checked.exit_code, checked.stdout) == (0, f"{expected}\n")
    assert checked.stderr == (
        f"search: warning: index {index} is being updated by process {first.pid}; "
        "searching it as last committed\n"
    )
    assert time.monotonic() - started < 120
    stop(first)
    fresh = search_count(generated, index, "ransomware")
    assert fresh.stdout == f"{generated.answers_after['ransomware']}\n"


def test_a_search_whose_commit_is_cleaned_up_under_it_reads_the_newest_one(bundled_index, monkeypatch):
    from whoosh.index import FileIndex

    real_searcher = FileIndex.searcher
    calls = []

    def searcher_of_a_vanished_commit(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # as if a newer commit removed a segment file before it was opened
            raise FileNotFoundError(2, "No such file or directory", "notes_v1_gone.pst")
        return real_searcher(self, **kwargs)

    monkeypatch.setattr(FileIndex, "searcher", searcher_of_a_vanished_commit)
    with open_index(*bundled_index) as notes:
        assert notes.search("gprs").total == 1
    assert len(calls) == 2


def test_searches_beside_repeated_rebuilds_always_answer_whole(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    # A few notes: a rebuild of them commits as often as one of 40 would, and 0.2 s of CPU
    # sooner (what is raced is the commit, not the indexing).
    corpus.mkdir()
    for number in range(6):
        tags = "[[Ransomware]]" if number % 3 == 0 else "[[Example]]"
        body = "ransomware gang" if number % 2 == 0 else "a GPRS gateway" if number == 1 else "nothing"
        (corpus / f"n{number}.md").write_text(info_note(f"Note {number}", body, tags=tags), encoding="utf-8")
    build_index(corpus, index)
    expected = {"ransomware": 4, "tag:ransomware": 2, "gprs": 1}  # n0 n2 n4 say it, n3 is tagged
    # Each build replaces every segment file, and Whoosh deletes the old ones at once. The
    # builder rebuilds 12 times, and then on until told to stop, which this test does once
    # it has searched 10 times: at least 12 rebuilds and 10 searches beside them, however
    # the two processes are scheduled.
    builder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import itertools, select, sys\nfrom indexer.index.store import build_index, IndexOptions\n"
            "for done in itertools.count(1):\n"
            "    build_index(sys.argv[1], sys.argv[2], options=IndexOptions(procs=1))\n"
            "    if done >= int(sys.argv[3]) and select.select([sys.stdin], [], [], 0)[0]:\n"
            "        break\n",
            str(corpus), str(index), "12",
        ],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    searches = 0
    try:
        while builder.poll() is None:
            with open_index(corpus, index) as notes:
                for query, count in expected.items():
                    assert notes.search(query, limit=3).total == count
                    searches += 1
            if searches >= 10 and not builder.stdin.closed:
                builder.stdin.close()  # stop after the 12th rebuild
    finally:
        with contextlib.suppress(BrokenPipeError):
            builder.stdin.close()
        with builder.stderr:
            builder_errors = builder.stderr.read()
        builder.wait(timeout=PATIENCE)
    assert builder.returncode == 0, builder_errors
    assert searches >= 10
