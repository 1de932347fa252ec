"""Ask a forked child whether the corpus changed, while this process loads the search code.

Before each one-shot search the corpus is walked and every note `stat`ed (see
`store.detect_changes`); that is mostly time in the kernel, and it used to come on top of
importing Whoosh. A child process does the walk on the other core in the meantime and
answers with one byte. A thread would not help: it needs the GIL back after every
`stat`, and the importing thread holds it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from indexer.store import IndexOptions


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
        return answer != b"0"


def start_change_check(corpus: Path, index_dir: Path, options: IndexOptions | None = None) -> PendingCheck:
    """Start checking in a child process; without `fork` (or with threads running) do nothing."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return PendingCheck()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer with one byte, never return into the caller's code
        answer = b"?"
        try:
            os.close(read_end)
            from indexer.store import detect_changes

            answer = b"1" if detect_changes(corpus, index_dir, options=options or IndexOptions()) else b"0"
        except BaseException:  # the parent does the full check itself and reports errors
            answer = b"?"
        finally:
            os.write(write_end, answer)
            os._exit(0)
    os.close(write_end)
    return PendingCheck(pid, read_end)
