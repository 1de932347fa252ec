"""The CLI's edge: one-line errors and exit codes, warnings and progress bars on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from indexer.errors import NotesError
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
        click.echo(error_line(program, exc), err=True)
        sys.exit(ExitStatus.ERROR)
    except KeyboardInterrupt:
        click.echo(f"{program}: interrupted", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        # The reader of our output went away (`search ... | head`): not an error.
        sys.stderr.close()
        sys.exit(ExitStatus.OK)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise  # click's own: usage errors and exits, shown by click
    except Exception as exc:
        click.echo(internal_error_line(program, exc), err=True)
        sys.exit(ExitStatus.ERROR)


class OneLineUsageError(click.UsageError):
    """A click usage error shown as one line, `prog: message; try 'prog --help'` (exit 2)."""

    def __init__(self, error: click.UsageError, program: str) -> None:
        super().__init__(error.message, error.ctx)
        self.error = error
        self.program = error.ctx.command_path if error.ctx else program

    def format_message(self) -> str:
        return self.error.format_message()

    def show(self, file: object = None) -> None:
        program = self.program
        text = f"{program}: {self.format_message().rstrip('.')}"
        takes_query = self.ctx is not None and any(param.name == "query" for param in self.ctx.command.params)
        if isinstance(self.error, click.NoSuchOption) and takes_query:
            text += f" (a query that starts with - goes after --: {program} -- -word)"
        click.echo(terminal_safe(f"{text}; try '{program} --help'"), err=True)


# The mixin's methods call click.Command's: a type checker is told which class it mixes into.
if TYPE_CHECKING:
    _Mixin = click.Command
else:
    _Mixin = object


class _OneLineErrors(_Mixin):
    """Mixin for click commands: usage errors (bad options, missing arguments) are one line,
    and so is Ctrl-C outside `cli_errors` (click would print "Aborted!" and exit 1)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        program = f"{parent.command_path} {info_name}" if parent else info_name
        with _one_line_errors(program or ""):
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_errors(ctx.command_path):
            return super().invoke(ctx)


_NoArgsIsHelp = getattr(click.exceptions, "NoArgsIsHelpError", OneLineUsageError)


@contextmanager
def _one_line_errors(program: str) -> Iterator[None]:
    try:
        yield
    except (OneLineUsageError, _NoArgsIsHelp):
        raise  # the latter shows the help text, as asked
    except click.UsageError as exc:
        raise OneLineUsageError(exc, program) from None
    except KeyboardInterrupt:
        click.echo(f"{program.split(' ')[0]}: interrupted", err=True)
        sys.exit(ExitStatus.INTERRUPTED)


class Command(_OneLineErrors, click.Command):
    """A click command whose usage errors, and Ctrl-C, are one line."""


class Group(_OneLineErrors, click.Group):
    """A click group whose usage errors and Ctrl-C, and its commands', are one line."""

    command_class = Command


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
