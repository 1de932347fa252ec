"""The click commands' classes: usage errors (bad options, missing arguments) and Ctrl-C
shown as one line, `prog: message; try 'prog --help'`, exit 2 (Ctrl-C: 130)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from indexer.output.safe_text import terminal_safe
from indexer.status import ExitStatus


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


@contextmanager
def usage_problems_shown() -> Iterator[None]:
    """A `UsageProblem` raised inside a click command is its usage error, as click shows one."""
    from indexer.cli.usage_problem import UsageProblem

    try:
        yield
    except UsageProblem as problem:
        raise click.UsageError(problem.message) from None
