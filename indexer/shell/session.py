"""The prompt_toolkit session around a `Shell`: history, suggestions, completion, colours, toolbar."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from indexer.shell.app import Shell
from indexer.shell.completer import NotesCompleter, Vocabulary
from indexer.shell.keys import shell_key_bindings
from indexer.shell.lexer import STYLE, QueryLexer, line_problem


def history_file() -> Path:
    """Where the shell keeps its history: the user's data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("notes-indexer", appauthor=False)) / "shell_history"


def open_history(path: Path | None) -> tuple[History, Path | None]:
    """The history kept in `path` (its folder is created), or one kept in memory if it cannot be."""
    if path is None:
        return InMemoryHistory(), None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory(), None
    return FileHistory(str(path)), path


def build_session(
    shell: Shell,
    *,
    input: Input | None = None,
    output: Output | None = None,
    history_path: Path | None = None,
) -> PromptSession[str]:
    """A prompt session wired to `shell`; the completer is refreshed whenever the index changes."""
    history, shell.history_path = open_history(history_path or history_file())
    completer = NotesCompleter(
        Vocabulary.load(shell.notes),
        choices=lambda command: list(command.choices(shell)) if command.choices else [],
    )
    shell.index_listeners.append(completer.refresh)

    def toolbar() -> StyleAndTextTuples:
        try:
            problem = line_problem(session.default_buffer.text, completer.vocabulary.catalog)
        except Exception:
            problem = ""
        if problem:
            return [("class:bottom-toolbar.problem", f" {problem} ")]
        limit = "all hits" if shell.limit == 0 else f"{shell.limit} a page"
        return [
            (
                "class:bottom-toolbar",
                f" {limit} · sort {shell.sort.value} · Tab complete · Ctrl-R history · :help · Ctrl-D quit ",
            )
        ]

    session: PromptSession[str] = PromptSession(
        history=history,
        auto_suggest=AutoSuggestFromHistory(),
        completer=completer,
        complete_in_thread=True,
        complete_while_typing=True,
        lexer=QueryLexer(lambda: completer.vocabulary.catalog),
        style=Style.from_dict(STYLE),
        key_bindings=shell_key_bindings(),
        bottom_toolbar=toolbar,
        search_ignore_case=True,
        input=input,
        output=output,
    )
    return session
