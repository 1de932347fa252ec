"""Run one child process and measure it: wall time, exit status, and peak memory.

Peak memory is taken two ways, because `indexer build` forks worker processes:
- `max_rss_bytes`: the largest resident size of any one process of the tree, from the
  rusage that `os.wait4` returns for this child alone (so earlier children never leak in,
  unlike `getrusage(RUSAGE_CHILDREN)`, which is a maximum over every child so far);
- `tree_peak_bytes`: the largest sum over the child and its descendants, sampled from
  /proc (PSS, so pages shared after a fork are counted once); None where /proc is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class ProcessRun:
    """One finished child process."""

    argv: tuple[str, ...]
    seconds: float  # wall time from start to exit
    returncode: int
    max_rss_bytes: int
    tree_peak_bytes: int | None
    stdout: str
    stderr: str


def run_process(
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    sample_memory: bool = False,
    interval: float = 0.25,
) -> ProcessRun:
    """Run `argv` to completion with output captured in files (no pipe can fill up and stall it).

    A memory sample walks /proc (a few ms), so samples are kept sparse: one every `interval`.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        sampler = TreeMemorySampler(child.pid, interval) if sample_memory and PROC.is_dir() else None
        if sampler is not None:
            sampler.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            child.wait()
            raise
        finally:
            if sampler is not None:
                sampler.stop()
        seconds = time.perf_counter() - started
        # Reaped by wait4 above; tell Popen so it does not try to reap it again.
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            argv=tuple(argv),
            seconds=seconds,
            returncode=child.returncode,
            max_rss_bytes=usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024),
            tree_peak_bytes=sampler.peak if sampler is not None else None,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
        )


class TreeMemorySampler(threading.Thread):
    """Polls the memory of a process and its descendants until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(name=f"memory-sampler-{pid}", daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_memory_bytes(self.pid))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_memory_bytes(pid: int) -> int:
    """PSS (or RSS where PSS is unreadable) summed over `pid` and its descendants."""
    return sum(_process_memory_bytes(member) for member in _descendants(pid))


def _descendants(pid: int) -> list[int]:
    # /proc/PID/task/TID/children is not compiled into every kernel; the parent
    # pids in /proc/*/stat always are.
    children: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, ()))
    return found


def _process_memory_bytes(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            text = (PROC / str(pid) / name).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0
