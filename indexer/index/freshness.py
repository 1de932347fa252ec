"""Did the corpus change? Asked of a forked child while this process loads the search code
when a core is idle; otherwise checked in this process, once the answer is wanted.

Before each one-shot search the corpus is walked and every note `stat`ed (see
`store.detect_changes`); that is mostly time in the kernel, and it used to come on top of
importing Whoosh. A child process does the walk on the other core in the meantime and
answers with one byte. A thread would not help: it needs the GIL back after every
`stat`, and the importing thread holds it.

The child costs more CPU than the same walk in this process (news corpus, 4,490 notes:
~40 ms against ~24; it copies pages it shares with its parent), which is free only when
another core would otherwise idle. When every core is busy (the load average says so),
the child only adds its CPU to the search's, so the walk runs here instead.

Nothing of the index code is imported here: the fork comes first, before this process
spends ~90 ms importing click's helpers and Whoosh, so that the two really overlap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


class PendingCheck:
    """The answer of a change check: running in a child process, left for this process to
    run when asked (`deferred`), or known (none at all)."""

    def __init__(
        self,
        pid: int | None = None,
        pipe: int | None = None,
        *,
        known: bool = True,
        deferred: Callable[[], bool] | None = None,
    ) -> None:
        self._pid = pid
        self._pipe = pipe
        self._known = known  # the answer when no child runs
        self._deferred = deferred

    def changed(self) -> bool:
        """False only when the corpus is known to be unchanged; True when the check found
        changes, failed, or was never started (then the caller checks itself)."""
        if self._deferred is not None:
            check, self._deferred = self._deferred, None
            try:
                self._known = check()
            except Exception:  # the caller does the full check itself and reports errors
                self._known = True
        if self._pid is None or self._pipe is None:
            return self._known
        try:
            answer = os.read(self._pipe, 1)
        finally:
            os.close(self._pipe)
            os.waitpid(self._pid, 0)
            self._pid = self._pipe = None
        self._known = answer != b"0"  # asked again, the same answer
        return self._known

    def discard(self) -> None:
        """Forget the answer (the search will not run): close the pipe, reap the child;
        a check left for this process is not run."""
        self._deferred = None
        if self._pid is not None:
            self.changed()


def start_change_check(
    corpus: Path, index_dir: Path, ignore: tuple[str, ...] = (), *, fork: bool | None = None
) -> PendingCheck:
    """Start checking in a child process when `fork` (by default: when a core is idle,
    `a_core_is_idle`), else leave the check to run here when its answer is asked for.
    Without `fork` (or with threads running) do nothing: the caller checks itself.

    A missing index (or one of an older schema version) counts as a change: the caller
    then builds it. `ignore` are the corpus's ignore globs."""
    from indexer.index.change_check import corpus_changed

    if fork is None:
        fork = a_core_is_idle()
    if not fork:
        return PendingCheck(deferred=lambda: corpus_changed(corpus, index_dir, ignore))
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return PendingCheck()
    # Imported before the fork: this process loads these modules for its search anyway
    # (note reading and the index need them), so the child imports nothing.
    import hashlib  # noqa: F401  (the fingerprint's; loading it in the child cost ~3 ms)
    import struct  # noqa: F401  (the fingerprint packs the mtimes and sizes with it)

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer with one byte, never return into the caller's code
        answer = b"?"
        try:
            # No collections: the child lives for one walk and ends with `os._exit`, and a
            # collection writes to pages it shares with its parent (copying them). ~2 ms of
            # its ~32 ms of CPU and ~180 of its ~1,450 page faults (news corpus, median of 21).
            import gc

            gc.disable()
            os.close(read_end)
            answer = b"1" if corpus_changed(corpus, index_dir, ignore) else b"0"
        except BaseException:  # the parent does the full check itself and reports errors
            answer = b"?"
        finally:
            os.write(write_end, answer)
            os._exit(0)
    os.close(write_end)
    return PendingCheck(pid, read_end)


def a_core_is_idle() -> bool:
    """True when this process may run on two cores or more and one of them is idle: fewer
    processes are runnable right now (this one included: Linux's /proc/loadavg) than
    there are cores, or, where that count cannot be read, the last minute's load average
    leaves a whole core free. False otherwise (the check then runs in this process).

    The count of this moment, not the average: the average counts a burst of searches
    run one after another as a busy core, and notices a core that just became busy only
    after tens of seconds."""
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    except OSError:
        return False
    if cores < 2:
        return False
    running = _runnable_now()
    if running is not None:
        return running < cores
    try:
        return os.getloadavg()[0] <= cores - 1
    except OSError:
        return False


def _runnable_now() -> int | None:
    """Processes runnable at this moment, this one included, or None where unknown."""
    try:
        with open("/proc/loadavg", "rb") as loadavg:
            return int(loadavg.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None
