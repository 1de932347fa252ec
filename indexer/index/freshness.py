"""Ask a forked child whether the corpus changed, while this process loads the search code.

Before each one-shot search the corpus is walked and every note `stat`ed (see
`store.detect_changes`); that is mostly time in the kernel, and it used to come on top of
importing Whoosh. A child process does the walk on the other core in the meantime and
answers with one byte. A thread would not help: it needs the GIL back after every
`stat`, and the importing thread holds it.

Nothing of the index code is imported here: the fork comes first, before this process
spends ~90 ms importing click's helpers and Whoosh, so that the two really overlap.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class PendingCheck:
    """The answer of a change check running in a child process (or of none at all)."""

    def __init__(self, pid: int | None = None, pipe: int | None = None, *, known: bool = True) -> None:
        self._pid = pid
        self._pipe = pipe
        self._known = known  # the answer when no child runs

    def changed(self) -> bool:
        """False only when the corpus is known to be unchanged; True when the child found
        changes, failed, or was never started (then the caller checks itself)."""
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
        """Forget the answer (the search will not run): close the pipe, reap the child."""
        if self._pid is not None:
            self.changed()


def start_change_check(corpus: Path, index_dir: Path, ignore: tuple[str, ...] = ()) -> PendingCheck:
    """Start checking in a child process; without `fork` (or with threads running) do nothing.

    A missing index (or one of an older schema version) counts as a change: the caller
    then builds it. `ignore` are the corpus's ignore globs."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return PendingCheck()
    # Imported before the fork: this process loads these modules for its search anyway
    # (note reading and the index need them), so the child imports nothing.
    import hashlib  # noqa: F401  (the fingerprint's; loading it in the child cost ~3 ms)

    from indexer.index.change_check import corpus_changed

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
