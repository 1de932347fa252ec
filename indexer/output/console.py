"""The CLI's edge: one-line errors and exit codes, warnings and progress bars on stderr.

No click here: a one-shot search of the common kind never loads it (`cli/common_argv.py`).
The click commands' one-line usage errors are `cli/click_command.py`'s."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from indexer.errors import NotesError
from indexer.output.echo import echo
from indexer.output.internal_error import internal_error_line
from indexer.output.safe_text import terminal_safe
from indexer.output.terminal import is_terminal
from indexer.status import ExitStatus


def error_line(program: str, exc: NotesError) -> str:
    """`program: message; hint` on one line, safe for the terminal."""
    text = f"{program}: {exc.message}"
    if exc.hint:
        text += f"; {exc.hint}"
    return terminal_safe(text)


def error_report(program: str, exc: BaseException) -> str:
    """The one line for any failure: a `NotesError`'s message and hint, else an internal
    error (our bug), its traceback logged (`internal_error`)."""
    if isinstance(exc, NotesError):
        return error_line(program, exc)
    return internal_error_line(program, exc)


@contextmanager
def cli_errors(program: str) -> Iterator[None]:
    """Turn `NotesError` into one line on stderr and exit 2; Ctrl-C into exit 130; any
    other exception (a bug of ours) into `internal error: ...`, logged, exit 2."""
    try:
        yield
    except NotesError as exc:
        echo(error_line(program, exc), err=True)
        sys.exit(ExitStatus.ERROR)
    except KeyboardInterrupt:
        echo(f"{program}: interrupted", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader of our output went away (`search ... | head`): not an error.
        sys.stderr.close()
        sys.exit(ExitStatus.OK)
    except Exception as exc:
        if _clicks_own(exc):
            raise  # click's own: usage errors and exits, shown by click
        echo(internal_error_line(program, exc), err=True)
        sys.exit(ExitStatus.ERROR)


def _clicks_own(exc: Exception) -> bool:
    """A usage error or exit of click's (none can be raised where click is not loaded)."""
    click = sys.modules.get("click")
    return click is not None and isinstance(exc, click.ClickException | click.exceptions.Exit | click.Abort)


def warn(program: str, message: str) -> None:
    """A one-line warning on stderr."""
    echo(terminal_safe(f"{program}: warning: {message}"), err=True)


def took(seconds: float) -> str:
    """ " in 1.2 s" on a terminal; nothing when stderr is captured, so logs stay stable."""
    return f" in {seconds:.1f} s" if is_terminal(sys.stderr) else ""


def print_skips(program: str, report, *, warnings: bool = True) -> None:
    """One warning line per note read with a warning, and per note skipped."""
    if warnings:
        for path, message in report.warnings:
            warn(program, f"{path}: {message}")
    for path, reason in report.skipped:
        warn(program, f"{path}: skipped: {reason}")


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
            import click

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
