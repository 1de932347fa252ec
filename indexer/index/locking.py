"""One writer at a time: an advisory lock file that names the process holding it.

The lock is an `flock` on `<index>/write.lock`; the kernel releases it when the holder
exits or is killed, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from indexer.errors import IndexLockedError

LOCK_FILE = "write.lock"

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: fall back to Whoosh's own lock
    fcntl = None


@contextmanager
def write_lock(index_dir: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's write lock; wait up to `wait` seconds, then raise `IndexLockedError`."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = Path(index_dir) / LOCK_FILE
    handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = lock_holder(index_dir)
                    who = f"process {holder}" if holder else "another process"
                    raise IndexLockedError(
                        f"index {index_dir} is being updated by {who}",
                        hint="wait for it to finish, or pass --wait SECONDS",
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def lock_holder(index_dir: Path) -> int | None:
    """PID written by the process holding the lock, if any."""
    try:
        text = (Path(index_dir) / LOCK_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
