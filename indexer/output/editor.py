"""Open a note in the user's editor at a line: `$NOTES_EDITOR`, `$VISUAL`, then `$EDITOR`."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from indexer.errors import NotesError

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


class NoEditorError(NotesError):
    """No editor is configured: neither notes.toml's `editor` nor the variables."""

    def __init__(self) -> None:
        super().__init__("no editor to open the note with", hint="set NOTES_EDITOR, VISUAL or EDITOR")


class EditorNotRunError(NotesError):
    """The editor's program cannot be run (not found, not executable)."""

    def __init__(self, editor: str, reason: str) -> None:
        super().__init__(f"cannot run the editor {editor!r}: {reason}")
        self.editor = editor
        self.reason = reason


def chosen_editor(configured: Sequence[str] | None, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The editor to open notes with: notes.toml's `editor`, else `$NOTES_EDITOR`, `$VISUAL`,
    `$EDITOR`. Raises `NoEditorError` when there is none."""
    editor = list(configured) if configured else editor_from(environ)
    if editor is None:
        raise NoEditorError
    return editor


def open_in_editor(editor: list[str], path: Path, line: int = 0) -> int:
    """Open `path` at `line` in `editor` on this terminal, and wait: the editor's exit status.
    Raises `EditorNotRunError` when it cannot be started."""
    from indexer.output.children import run_child

    try:
        return run_child(editor_command(editor, path, line))
    except OSError as exc:
        raise EditorNotRunError(editor[0], str(exc.strerror or exc)) from None
