"""The shell's loops: the prompt (a terminal) or piped lines feed `Shell.execute` one line at a time."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from indexer.output.internal_error import internal_error_line
from indexer.search.searching import SortOrder
from indexer.shell.app import Shell
from indexer.shell.commands import Outcome
from indexer.shell.screen import Screen

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output


def run_lines(shell: Shell, lines: TextIO) -> int:
    """Feed `lines` (piped input) to the shell one by one, with no prompt; exit status 0."""
    for line in lines:
        if shell.execute(line) is Outcome.QUIT:
            break
    return 0


def run_prompt_loop(shell: Shell, *, input: Input | None = None, output: Output | None = None) -> int:
    """Prompt, run the line, repeat, until Ctrl-D or `:quit`; exit status 0."""
    from indexer.shell.session import build_session

    session = build_session(shell, input=input, output=output)
    failures = 0
    while True:
        try:
            line = session.prompt(shell.prompt_text)
            failures = 0
            if shell.execute(line) is Outcome.QUIT:
                return 0
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the line being typed
        except EOFError:
            return 0
        except Exception as exc:  # a bug of ours, logged; give up if the terminal keeps failing
            shell.screen.error(internal_error_line("", exc))
            failures += 1
            if failures >= 3:
                return 2


def run_shell(
    corpus: Path,
    index_dir: Path,
    *,
    first_query: str = "",
    limit: int = 10,
    sort: SortOrder = SortOrder.RELEVANCE,
    color: bool = True,
    settings=None,
) -> int:
    """Open the index (or the cluster, when `settings.engine` is "opensearch") and run the
    shell on this process's terminal (or its piped stdin).

    `settings` (from notes.toml and options) give field weights and aliases, the editor,
    the date format and colour theme, and which notes to ignore."""
    from indexer.output.terminal import is_terminal
    from indexer.search.searching import open_index

    interactive = is_terminal(sys.stdin) and is_terminal(sys.stdout)
    weights = settings.weights if settings else None
    aliases = settings.aliases if settings else None
    screen = Screen(color=color and (settings is None or settings.theme != "none"), interactive=interactive)
    if settings is not None and settings.engine == "opensearch":
        from indexer.opensearch.searching import ClusterNotes

        opened = ClusterNotes(
            corpus, settings.cluster(), weights=weights, aliases=aliases, saved_dir=index_dir
        )
        try:
            opened.note_count()  # an unreachable cluster or a missing index: one line, exit 2
        except BaseException:
            opened.close()
            raise
    else:
        opened = open_index(corpus, index_dir, weights=weights, aliases=aliases)
    with opened as notes:
        shell = Shell(
            notes,
            screen=screen,
            limit=limit,
            sort=sort,
            index_options=settings.index_options() if settings else None,
            settings=settings,
        )
        if interactive:
            screen.note(
                f"{notes.note_count()} notes in {shell.corpus_name}. Type a query, :help for commands, "
                "Ctrl-D to quit.",
                dim=True,
            )
        if first_query:
            shell.execute(first_query)
        if not interactive:
            return run_lines(shell, sys.stdin)
        return run_prompt_loop(shell)
