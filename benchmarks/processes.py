"""Run one child process and measure it: wall time, exit status, and peak memory.

Peak memory is taken two ways, because `indexer build` forks worker processes:
- `max_rss_bytes`: the peak resident size of the largest single process of the tree, from
  the rusage that `os.wait4` returns for this child alone (exact; `getrusage(RUSAGE_CHILDREN)`
  would be a maximum over every child so far);
- `tree_peak_bytes`: the peak of the resident sizes summed over the child and its
  descendants, sampled from /proc every 50 ms (None where there is no /proc); never
  below `max_rss_bytes`. Pages a forked worker still shares with its parent count twice,
  so it errs high, by a few percent in practice.
"""

from __future__ import annotations

import itertools
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
    cpu_seconds: float  # user + system time of the child and its descendants: less noisy than wall
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
) -> ProcessRun:
    """Run `argv` to completion with output captured in files (no pipe can fill up and stall it)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        sampler = TreeMemorySampler(child.pid) if sample_memory and PROC.is_dir() else None
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
        max_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return ProcessRun(
            argv=tuple(argv),
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            returncode=child.returncode,
            max_rss_bytes=max_rss,
            tree_peak_bytes=max(sampler.peak, max_rss) if sampler is not None else None,
            stdout=out.read().decode("utf-8", errors="replace"),
            stderr=err.read().decode("utf-8", errors="replace"),
        )


class TreeMemorySampler(threading.Thread):
    """Polls the resident size of a process and its descendants until stopped; keeps the peak.

    Reading /proc/PID/status costs microseconds; finding the descendants means reading
    every /proc/*/stat (milliseconds), so that is done once every `rescan_every` samples.
    (PSS from smaps_rollup would not double-count shared pages, but reading it walks the
    page tables: about 8 ms for a 400 MB process, too heavy to do beside a measured build.)
    """

    def __init__(self, pid: int, interval: float = 0.05, rescan_every: int = 10) -> None:
        super().__init__(name=f"memory-sampler-{pid}", daemon=True)
        self.pid = pid
        self.interval = interval
        self.rescan_every = rescan_every
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        members = [self.pid]
        for tick in itertools.count():
            if self._done.is_set():
                return
            if tick % self.rescan_every == 0:
                members = _descendants(self.pid)
            self.peak = max(self.peak, sum(_resident_bytes(member) for member in members))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    # /proc/PID/task/TID/children is not compiled into every kernel; the parent
    # pids in /proc/*/stat always are.
    children: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
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


def _resident_bytes(pid: int) -> int:
    try:
        with open(PROC / str(pid) / "status", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # gone, or a zombie waiting to be reaped
