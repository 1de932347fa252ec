"""Where the shell's output goes: stdout, one-line errors, and the pager for what does not fit."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from indexer.shell.pager import needs_pager, run_pager

_RED = "\x1b[31m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def _terminal_size() -> os.terminal_size:
    return shutil.get_terminal_size((100, 24))


@dataclass
class Screen:
    """The shell's terminal. Tests pass string buffers, a fixed size and a fake pager."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    color: bool = False
    interactive: bool = False  # a person is watching: long output is paged
    size: Callable[[], os.terminal_size] = _terminal_size
    pager: Callable[[str], bool] = run_pager  # False: no pager could run

    @property
    def columns(self) -> int:
        return max(20, self.size().columns)

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def line(self, text: str = "", *, dim: bool = False) -> None:
        """One line of the shell's own talk (counts, confirmations)."""
        self.write((f"{_DIM}{text}{_RESET}" if dim and self.color and text else text) + "\n")

    def note(self, text: str, *, dim: bool = False) -> None:
        """The shell talking (counts, confirmations): on screen with the results for a person,
        on stderr when the output is piped, so that stdout holds only results (as `search` does)."""
        if self.interactive:
            self.line(text, dim=dim)
        else:
            self.err.write(text + "\n")
            self.err.flush()

    def error(self, text: str) -> None:
        """One line on stderr: an error, a hint, "cancelled"."""
        self.err.write((f"{_RED}{text}{_RESET}" if self.color else text) + "\n")
        self.err.flush()

    def show(self, text: str, *, page: bool | None = None) -> bool:
        """Print `text`, through the pager when it does not fit (or when `page` is True).

        Returns True when the pager showed it.
        """
        if page is None:
            size = self.size()
            page = needs_pager(text, size.columns, size.lines)
        if page and self.interactive and self.pager(text):
            return True
        self.write(text)
        return False
