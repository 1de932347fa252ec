"""`UsageProblem`: options that cannot go together, found after the command line is parsed.

Click-free, so that the one-shot path of `cli/common_argv.py` can find one too: there it
hands the command line to the click command, which shows it as click shows its own usage
errors (`search: message; try 'search --help'`, exit 2: `cli/click_command.py`)."""

from __future__ import annotations


class UsageProblem(Exception):
    """A usage error of the command line (exit 2), its message as click shows it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
