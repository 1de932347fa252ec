"""Our own bugs: one line that says so, and the traceback in a log file.

An exception that is not a `NotesError` is a bug of ours, not something the user did or
can fix ("rebuild the index" would not help): it is shown as `internal error: ...` with
the path of a log that holds the traceback (like pgcli and litecli, under the user's
state directory), and `NOTES_DEBUG=1` prints the traceback on stderr too.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from indexer.output.safe_text import terminal_safe

LOG_NAME = "internal-errors.log"
# Past this size the log starts over (the previous one kept as `.1`): bugs repeat.
MAX_LOG_BYTES = 1_000_000


def log_path() -> Path:
    """Where tracebacks go: `~/.local/state/notes-indexer/log/internal-errors.log` on Linux."""
    from platformdirs import user_log_dir

    return Path(user_log_dir("notes-indexer", appauthor=False)) / LOG_NAME


def debugging() -> bool:
    return os.environ.get("NOTES_DEBUG", "") not in ("", "0")


def summary(exc: BaseException) -> str:
    """`Type: first line of the message`, at most 200 characters."""
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def internal_error_line(program: str, exc: BaseException) -> str:
    """Log `exc`'s traceback; the line to show: `program: internal error: ... (details in LOG)`
    (no `program: ` when it is empty, as in the shell)."""
    import traceback  # here: only a bug of ours needs it (it loads linecache, tokenize, textwrap)

    details = "".join(traceback.format_exception(exc))
    try:
        where = f"details in {write_log(program, details)}"
    except OSError as failure:
        where = f"the log could not be written: {failure.strerror or failure}"
        sys.stderr.write(details)
    else:
        if debugging():
            sys.stderr.write(details)
    prefix = f"{program}: " if program else ""
    return terminal_safe(f"{prefix}internal error: {summary(exc)} ({where})")


def write_log(program: str, details: str) -> Path:
    """Append one traceback, with the time, the program and its arguments, to the log."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_name(LOG_NAME + ".1"))
    except FileNotFoundError:
        pass
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with path.open("a", encoding="utf-8") as log:
        log.write(f"--- {stamp} {program} (pid {os.getpid()}): {' '.join(sys.argv)}\n{details}\n")
    return path
