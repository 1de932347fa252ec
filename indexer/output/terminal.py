"""Colour policy and terminal geometry: pretty on a terminal, plain when piped."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import TextIO


class ColorMode(StrEnum):
    """When to colour: the spellings of `--color`, `NOTES_COLOR` and notes.toml."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(stream: TextIO, mode: ColorMode = ColorMode.AUTO) -> bool:
    """Colour on a terminal unless NO_COLOR is set; FORCE_COLOR or `always` force it."""
    if mode is ColorMode.ALWAYS:
        return True
    if mode is ColorMode.NEVER or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    """True when `stream` is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO) -> int | None:
    """Columns to wrap text to on a terminal; None when piped (no wrapping)."""
    if not is_terminal(stream):
        return None
    import shutil  # 2.7 ms (it loads the compression modules): only on a terminal

    return max(40, shutil.get_terminal_size((100, 24)).columns)
