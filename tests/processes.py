"""Real `indexer` processes for the crash and concurrency tests: start, wait for a moment,
signal, and check that nothing is left running."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer.search.searching import open_index

# How long a test waits for a process or a condition before it calls it a hang: long
# enough that no machine, however busy, reaches it unless something is stuck. What these
# tests check is what happens, never how fast (that is benchmarks/' job).
PATIENCE = 600.0

# A generated corpus of small notes. Crash and concurrency tests stop processes at measured
# points (tests/pausing_indexer.py), not after a time, so its size proves nothing: 120 notes
# (a build on two processes: the launcher lowers the threshold from 400 notes to 100).
GENERATED_NOTES, NEW_NOTES, CHANGED_NOTES, DELETED_NOTES = 120, 24, 12, 6
VOCABULARY = [f"w{n}" for n in range(2000)] + ["ransomware", "gateway", "breach", "alpha", "beta"]
QUERIES = [
    "ransomware",
    "gateway breach",
    "alpha OR beta",
    "date:2021-08",
    "tag:t3",
    "author:a7",
    '"alpha beta"',
]


def write_generated_note(path: Path, number: int, rng: random.Random, extra: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(" ".join(rng.choice(VOCABULARY) for _ in range(50)) for _ in range(4))
    path.write_text(
        f"# Note {number} {rng.choice(VOCABULARY)}\n\n## Information:\n"
        f"+ Date: 2021-08-{1 + number % 28:02d}\n+ Author: A{number % 50}\n\n"
        f"## Article:\n{body}{extra}\n\n#### Tags:\n[[T{number % 30}]]\n",
        encoding="utf-8",
    )


def write_generated_corpus(corpus: Path, count: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    for number in range(count):
        write_generated_note(corpus / f"d{number % 20:02d}" / f"note{number:05d}.md", number, rng)


def answers(corpus: Path, index: Path) -> dict[str, int]:
    """How many notes each of `QUERIES` finds: what "the same index" means in these tests."""
    with open_index(corpus, index) as notes:
        return {query: notes.count(query) for query in QUERIES}


PAUSING_INDEXER = Path(__file__).with_name("pausing_indexer.py")


def indexer_process(
    *args: str,
    pause_at: str | None = None,
    pause_seconds: float = PATIENCE,
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """`python -m indexer ARGS` in a session of its own (so Ctrl-C can go to its group);
    with `pause_at`, paused at that moment (`tests/pausing_indexer.py`: `indexing:N`,
    `commit`, `manifest`) until `release(process)` or `pause_seconds`."""
    if pause_at is None:
        command = [sys.executable, "-m", "indexer"]
    else:
        command = [sys.executable, str(PAUSING_INDEXER), pause_at, str(pause_seconds)]
    return subprocess.Popen(
        [*command, *args],
        stdin=subprocess.PIPE,  # a paused process goes on at a line or at the end of it
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def run_indexer(*args: str, timeout: float = PATIENCE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], capture_output=True, text=True, timeout=timeout
    )


def wait_until(condition: Callable[[], bool], *, timeout: float = PATIENCE, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def wait_for_pause(process: subprocess.Popen, point: str) -> None:
    """Until `process` says it is paused at `point` (see `tests/pausing_indexer.py`)."""
    line = process.stderr.readline()
    assert line == f"indexer: test pause: {point.partition(':')[0]}\n", line


def release(process: subprocess.Popen) -> None:
    """Let a paused `process` go on."""
    process.stdin.write("go\n")
    process.stdin.flush()


def has_open(pid: int, path: Path) -> bool:
    """True while process `pid` holds `path` open (Linux /proc)."""
    try:
        descriptors = list((Path("/proc") / str(pid) / "fd").iterdir())
    except OSError:
        return False
    for descriptor in descriptors:
        with contextlib.suppress(OSError):
            if os.readlink(descriptor) == str(path):
                return True
    return False


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def send(process: subprocess.Popen, signum: int, *, group: bool = False) -> None:
    if group:
        os.killpg(process.pid, signum)  # what Ctrl-C on a terminal does
    else:
        process.send_signal(signum)


def stop(process: subprocess.Popen) -> None:
    """Kill what is left of a test's process (and its workers, in its group), whatever happened."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=PATIENCE)


@dataclass(frozen=True, slots=True)
class Generated:
    """A corpus that changed since `before` was committed; `after` is `before` updated."""

    corpus: Path
    before: Path
    after: Path
    answers_before: dict[str, int]
    answers_after: dict[str, int]
    notes: int  # in the corpus now (its build reads them all)
    changed: int  # notes an update of `before` reads (new and changed ones)


def make_generated(root: Path, notes: int = GENERATED_NOTES) -> Generated:
    """`notes` notes, indexed, then NEW_NOTES new, CHANGED_NOTES changed, DELETED_NOTES
    deleted (see GENERATED_NOTES)."""
    from indexer.index.store import build_index, update_index

    corpus = root / "corpus"
    write_generated_corpus(corpus, notes)
    before = root / "before"
    build_index(corpus, before)
    answers_before = answers(corpus, before)
    rng = random.Random(11)
    for number in range(notes, notes + NEW_NOTES):
        write_generated_note(corpus / "new" / f"note{number:05d}.md", number, rng, extra=" ransomware alpha")
    for number in range(0, CHANGED_NOTES):
        write_generated_note(
            corpus / f"d{number % 20:02d}" / f"note{number:05d}.md", number, rng, extra=" gateway"
        )
    for number in range(CHANGED_NOTES, CHANGED_NOTES + DELETED_NOTES):
        (corpus / f"d{number % 20:02d}" / f"note{number:05d}.md").unlink()
    after = root / "after"
    shutil.copytree(before, after)
    update_index(corpus, after)
    answers_after = answers(corpus, after)
    assert answers_after != answers_before
    return Generated(
        corpus, before, after, answers_before, answers_after,
        notes + NEW_NOTES - DELETED_NOTES, NEW_NOTES + CHANGED_NOTES,
    )  # fmt: skip
