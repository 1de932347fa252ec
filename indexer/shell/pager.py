"""Long output through a pager: when to page (a pure decision) and which pager to run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Mapping

from indexer.output.children import run_child

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Rows kept free below paged-out text: the result count line and the next prompt.
RESERVED_ROWS = 2


def screen_rows(text: str, columns: int) -> int:
    """Terminal rows `text` takes once long lines wrap (colour codes take no room)."""
    from unicodedata import east_asian_width

    columns = max(1, columns)
    rows = 0
    for line in text.splitlines():
        plain = _ANSI.sub("", line)
        width = sum(2 if east_asian_width(char) in "WF" else 1 for char in plain)
        rows += max(1, -(-width // columns))
    return rows


def needs_pager(text: str, columns: int, rows: int) -> bool:
    """True when `text` does not fit on a screen of `columns` x `rows` with the prompt below it."""
    return screen_rows(text, columns) > rows - RESERVED_ROWS


def pager_command(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """`$PAGER` as a command line, else `less -R`; None when there is no pager to run."""
    configured = environ.get("PAGER", "").strip()
    if configured:
        try:
            return shlex.split(configured)
        except ValueError:
            return [configured]
    return ["less", "-R"] if shutil.which("less") else None


def pager_environment(argv: list[str], environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The pager's environment: unless LESS says otherwise, `less` passes colours through (R) and
    leaves the text on the screen when it quits (X), so hit numbers stay in view for `:show N`."""
    env = dict(environ)
    if os.path.basename(argv[0]) == "less" and "LESS" not in env:
        env["LESS"] = "RX"
    return env


def run_pager(text: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Show `text` in the pager; False when no pager could be run (the caller prints it)."""
    argv = pager_command(environ)
    if argv is None:
        return False
    try:
        run_child(argv, input_text=text, env=pager_environment(argv, environ))
    except OSError:
        return False
    return True
