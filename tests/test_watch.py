"""The watcher keeps search results current as notes are created, edited, renamed and deleted."""

from __future__ import annotations

import os
import time

import pytest

from indexer.index.store import build_index
from indexer.index.watch import CorpusWatcher
from indexer.output.index_report import describe_batch
from indexer.search.searching import open_index
from tests.conftest import info_note


def paths_for(corpus, index, query):
    with open_index(corpus, index) as notes:
        return sorted(hit.path for hit in notes.search(query, limit=0).hits)


def eventually(check, timeout=600.0):  # a bound for a hang, not for speed
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


def wait_for_line(stream, start: str, timeout: float) -> str | None:
    """The first line of `stream` (a pipe) that begins with `start`, read within `timeout` s."""
    import select

    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        if not select.select([stream], [], [], remaining)[0]:
            return None
        line = stream.readline()
        if not line:
            return None  # the process ended
        if line.startswith(start):
            return line
    return None


@pytest.fixture
def watched(corpus, write_note, index_dir):
    write_note("first.md", info_note("First note", "zyzzyva appears here"))
    build_index(corpus, index_dir)
    batches, errors = [], []
    watcher = CorpusWatcher(
        corpus, index_dir, on_batch=batches.append, on_error=errors.append, quiet_seconds=0.2
    )
    watcher.start()
    yield watcher, batches, errors
    watcher.stop()
    assert errors == []


def test_created_edited_renamed_and_deleted_notes_are_reflected_in_search(
    watched, corpus, write_note, index_dir
):
    watcher, batches, _ = watched
    write_note("second.md", info_note("Second note", "a quokka appears"))
    assert eventually(lambda: paths_for(corpus, index_dir, "quokka") == ["second.md"])

    (corpus / "second.md").write_text(info_note("Second note", "now a wombat instead"), encoding="utf-8")
    assert eventually(lambda: paths_for(corpus, index_dir, "wombat") == ["second.md"])
    assert paths_for(corpus, index_dir, "quokka") == []

    (corpus / "sub").mkdir()
    os.rename(corpus / "second.md", corpus / "sub" / "moved.md")
    assert eventually(lambda: paths_for(corpus, index_dir, "wombat") == ["sub/moved.md"])

    (corpus / "first.md").unlink()
    assert eventually(lambda: paths_for(corpus, index_dir, "zyzzyva") == [])
    assert watcher.running
    assert sum(report.added for report in batches) >= 2


def test_a_burst_of_saves_becomes_few_batches(watched, corpus, write_note, index_dir):
    watcher, batches, _ = watched
    # A batch starts after this long without events: on a busy machine, 0.2 s between two of
    # the test's saves is not rare, and each such pause would end a batch early.
    watcher.quiet_seconds = 1.0
    for number in range(20):
        write_note(f"burst-{number}.md", info_note(f"Burst {number}", "numbat"))
    assert eventually(lambda: len(paths_for(corpus, index_dir, "numbat")) == 20)
    # The watcher's thread reports a batch after its commit, which a search may see first.
    assert eventually(lambda: sum(report.added for report in batches) >= 20)
    assert sum(report.added for report in batches) == 20
    assert len(batches) <= 4


def test_files_that_are_not_notes_and_the_index_itself_are_ignored(tmp_path, corpus, write_note):
    index = corpus / ".index"
    watcher = CorpusWatcher(corpus, index)
    watcher.notice(str(corpus / "picture.png"), False)
    watcher.notice(str(index / "notes_v1_x.seg"), False)
    watcher.notice(str(corpus / ".obsidian" / "a.md"), False)
    assert not watcher._changed.is_set()
    watcher.notice(str(corpus / "a.md"), False)
    assert watcher._changed.is_set()


def test_stop_waits_for_the_update_in_progress(watched, corpus, write_note, index_dir):
    watcher, batches, _ = watched
    write_note("late.md", info_note("Late", "platypus"))
    # Until its update runs (or has run): a condition, not a fixed sleep.
    assert eventually(lambda: watcher._applying.locked() or batches)
    watcher.stop()
    assert not watcher.running
    # Whatever was committed is whole: the index opens and answers.
    assert paths_for(corpus, index_dir, "platypus") in ([], ["late.md"])


def test_batch_log_line():
    from indexer.index.store import IndexReport

    report = IndexReport(notes=4491, added=1, changed=2, removed=0, seconds=0.31)
    assert (
        describe_batch(report, clock=lambda: "12:03:04")
        == "12:03:04 1 added, 2 changed, 0 removed; 4491 notes (0.3 s)"
    )


def test_indexer_watch_logs_a_line_per_batch_and_stops_cleanly_on_ctrl_c(corpus, write_note, index_dir):
    import signal
    import subprocess
    import sys

    write_note("first.md", info_note("First note", "zyzzyva appears here"))
    command = [sys.executable, "-m", "indexer", "watch", "--corpus", str(corpus), "--index", str(index_dir),
               "--settle", "0.2"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            # It says so once its observer runs; a fixed sleep was sometimes too short on a
            # busy machine, and the new note went unseen.
            assert wait_for_line(process.stderr, "Watching ", timeout=600)
            write_note("second.md", info_note("Second note", "a quokka appears"))
            assert eventually(lambda: paths_for(corpus, index_dir, "quokka") == ["second.md"])
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=600)
        finally:
            process.kill()
    assert process.returncode == 0
    import re

    batch_line = re.compile(r"\d\d:\d\d:\d\d 1 added, 0 changed, 0 removed; 2 notes \(\d+\.\d s\)")
    assert [line for line in out.splitlines() if batch_line.fullmatch(line)]
    assert err.splitlines()[-1] == "Stopped watching."
    assert "Traceback" not in err
