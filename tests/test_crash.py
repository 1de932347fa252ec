"""Killing `indexer build` or `indexer update` (real processes, SIGKILL and SIGINT) at several
moments leaves the last commit searchable and intact, no worker behind, and the next
`indexer update` recovers without anyone deleting anything."""

from __future__ import annotations

import random
import shutil
import signal
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.locking import lock_holder
from indexer.index.recovery import leftover_files
from tests.processes import (
    PATIENCE,
    answers,
    children,
    indexer_process,
    is_running,
    send,
    stop,
    wait_for_pause,
    wait_until,
)


@dataclass(frozen=True, slots=True)
class Crash:
    command: str  # build | update
    signum: int
    # indexing (paused before this process reads the note `share` of the way through its
    # notes: a measured point however fast the machine is), commit or manifest
    moment: str
    share: float = 0.0
    group: bool = False  # the signal goes to the whole process group, as Ctrl-C on a terminal does

    @property
    def id(self) -> str:
        when = f"{self.moment}+{self.share:.0%}" if self.moment == "indexing" else f"at-{self.moment}"
        return f"{self.command}-{signal.Signals(self.signum).name}{'-group' if self.group else ''}-{when}"

    def pause_at(self, generated) -> str:
        """The test pause (`tests/pausing_indexer.py`) where the signal is sent."""
        if self.moment != "indexing":
            return self.moment
        # A build reads its notes on up to two processes, this one reading half of them
        # (a worker reads the rest meanwhile); an update reads the new and changed ones here.
        here = generated.notes // 2 if self.command == "build" else generated.changed
        return f"indexing:{1 + int(self.share * here)}"


_random = random.Random(2024)
CRASHES = [
    Crash("build", signal.SIGKILL, "indexing"),
    Crash("build", signal.SIGKILL, "indexing", share=0.4),
    Crash("build", signal.SIGKILL, "indexing", share=round(_random.uniform(0.05, 0.6), 2)),
    Crash("build", signal.SIGKILL, "commit"),
    Crash("build", signal.SIGKILL, "manifest"),
    Crash("build", signal.SIGINT, "indexing", share=0.25),
    Crash("build", signal.SIGINT, "indexing", share=0.25, group=True),
    Crash("build", signal.SIGINT, "commit", group=True),
    Crash("update", signal.SIGKILL, "indexing", share=0.2),
    Crash("update", signal.SIGKILL, "commit"),
    Crash("update", signal.SIGKILL, "manifest"),
    Crash("update", signal.SIGINT, "indexing", share=0.2),
    Crash("update", signal.SIGINT, "commit", group=True),
]


@pytest.mark.parametrize("crash", CRASHES, ids=[crash.id for crash in CRASHES])
def test_a_killed_run_leaves_the_last_commit_searchable_and_the_next_update_recovers(
    crash, generated, tmp_path
):
    index = tmp_path / "index"
    shutil.copytree(generated.before, index)
    pause_at = crash.pause_at(generated)
    process = indexer_process(
        crash.command, "--corpus", str(generated.corpus), "--index", str(index), pause_at=pause_at
    )
    try:
        wait_for_pause(process, pause_at)
        assert lock_holder(index) == process.pid  # writing has begun
        workers = children(process.pid)
        send(process, crash.signum, group=crash.group)
        # A worker left running would keep stderr open: this would time out.
        _, stderr = process.communicate(timeout=PATIENCE)
    finally:
        stop(process)

    if crash.signum == signal.SIGINT:
        assert (process.returncode, stderr) == (130, "indexer: interrupted\n")
    else:
        assert process.returncode == -signal.SIGKILL
        assert lock_holder(index) == process.pid  # the lock file names the dead process...
    # They notice within their 0.2 s poll; a busy machine may take longer, which is no failure.
    wait_until(lambda: not any(map(is_running, workers)), what=f"workers {workers} to exit")

    # The last commit answers as before (after the table of contents was written, that is
    # the new one: only the manifest is behind).
    committed = generated.answers_after if crash.moment == "manifest" else generated.answers_before
    assert answers(generated.corpus, index) == committed

    # ...and the next update neither waits for it nor needs anything deleted by hand.
    update = CliRunner().invoke(
        indexer_main, ["update", "--corpus", str(generated.corpus), "--index", str(index)]
    )
    assert update.exit_code == 0, update.output
    assert leftover_files(index) == []
    assert answers(generated.corpus, index) == generated.answers_after
    search = CliRunner().invoke(
        search_main, ["--corpus", str(generated.corpus), "--index", str(index), "--count", "ransomware"]
    )
    assert (search.exit_code, search.stdout) == (0, f"{generated.answers_after['ransomware']}\n")


def test_an_update_with_nothing_to_do_still_removes_what_a_killed_build_left(generated, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(generated.after, index)
    process = indexer_process(
        "build",
        "--corpus",
        str(generated.corpus),
        "--index",
        str(index),
        pause_at="commit",
    )
    try:
        wait_for_pause(process, "commit")
        send(process, signal.SIGKILL)
        process.communicate(timeout=PATIENCE)
    finally:
        stop(process)
    assert any(name.endswith(".seg") or ".tmp" in name or ".pst" in name for name in leftover_files(index))
    update = CliRunner().invoke(
        indexer_main, ["update", "--corpus", str(generated.corpus), "--index", str(index)]
    )
    assert update.stdout.startswith(f"Index {index} is up to date")
    assert leftover_files(index) == []
    assert answers(generated.corpus, index) == generated.answers_after
