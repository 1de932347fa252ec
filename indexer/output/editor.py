"""Open a note in the user's editor at a line: `$NOTES_EDITOR`, `$VISUAL`, then `$EDITOR`."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

# Editors that take `+LINE` before the file to open it at that line.
_PLUS_LINE = frozenset(
    {"vi", "vim", "nvim", "gvim", "mvim", "view", "nano", "emacs", "emacsclient", "micro", "hx", "kak"}
)
# Editors that take `--goto FILE:LINE`.
_GOTO = frozenset({"code", "code-insiders", "codium"})


def editor_from(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """The editor command line the user chose, or None."""
    for name in ("NOTES_EDITOR", "VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value)
            except ValueError:
                return [value]
    return None


def editor_command(editor: list[str], path: Path, line: int = 0) -> list[str]:
    """The command that opens `path` at `line` (1-based; 0 = the top) with `editor`."""
    name = os.path.basename(editor[0])
    if line > 0 and name in _PLUS_LINE:
        return [*editor, f"+{line}", str(path)]
    if line > 0 and name in _GOTO:
        return [*editor, "--goto", f"{path}:{line}"]
    return [*editor, str(path)]
