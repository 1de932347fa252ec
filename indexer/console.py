"""The CLI's edge: one-line errors and exit codes, warnings and progress bars on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from indexer.errors import NotesError
from indexer.safe_text import terminal_safe
from indexer.status import ExitStatus
from indexer.terminal import is_terminal


def error_line(program: str, exc: NotesError) -> str:
    """`program: message; hint` on one line, safe for the terminal."""
    text = f"{program}: {exc.message}"
    if exc.hint:
        text += f"; {exc.hint}"
    return terminal_safe(text)


@contextmanager
def cli_errors(program: str) -> Iterator[None]:
    """Turn `NotesError` into one line on stderr and exit 2; Ctrl-C into exit 130."""
    try:
        yield
    except NotesError as exc:
        click.echo(error_line(program, exc), err=True)
        sys.exit(ExitStatus.ERROR)
    except KeyboardInterrupt:
        click.echo(f"{program}: interrupted", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader of our output went away (`search ... | head`): not an error.
        sys.stderr.close()
        sys.exit(ExitStatus.OK)


def warn(program: str, message: str) -> None:
    """A one-line warning on stderr."""
    click.echo(terminal_safe(f"{program}: warning: {message}"), err=True)


class ProgressBar:
    """A progress callback (done, total) that draws a bar on a terminal's stderr, else nothing.

    The bar appears only for work that takes a while (more than `min_items` notes).
    """

    def __init__(self, label: str, *, min_items: int = 200) -> None:
        self.label = label
        self.min_items = min_items
        self._bar = None
        self._done = 0
        self.enabled = is_terminal(sys.stderr)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.min_items:
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=total, label=self.label, file=sys.stderr, show_pos=True, width=30
            )
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
