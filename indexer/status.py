"""Exit codes that scripts can rely on, in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes, grep-style."""

    OK = 0  # at least one hit (or the command succeeded)
    NO_MATCH = 1  # the query ran and found nothing (or `--strict` saw skipped notes)
    ERROR = 2  # usage, query or index error; the message is on stderr
    INTERRUPTED = 130  # Ctrl-C
