"""The shell's `:commands`: a decorator registry, from which `:help` and completion are made.

Adding a command is a function and a decorator::

    @COMMANDS.command("facets", "tag, author and source counts of the last query", usage="[FIELD]")
    def facets(shell: CommandContext, argument: str) -> None:
        ...

A handler gets the shell (what it may use of it is `CommandContext`, which
`indexer.shell.app.Shell` implements: the registry does not import the shell it serves)
and the text after the command's name; it prints through
`shell.screen`, raises `CommandError` (or any `NotesError`) for a one-line message, and
returns `Outcome.QUIT` to end the shell.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from indexer.errors import NotesError
from indexer.output.safe_text import terminal_safe

if TYPE_CHECKING:
    from indexer.output.render import TextStyle
    from indexer.search.results import Hit
    from indexer.search.searching import NoteIndex, SortOrder
    from indexer.shell.screen import Screen


class Outcome(Enum):
    """What the shell does after a line."""

    CONTINUE = "continue"
    QUIT = "quit"


class CommandContext(Protocol):
    """What a command may use of the shell: `indexer.shell.app.Shell` is one."""

    notes: NoteIndex
    screen: Screen
    limit: int
    sort: SortOrder
    shown_hits: dict[int, Hit]
    watcher: Any
    collection: str | None

    def hit(self, argument: str) -> Hit: ...
    def show_note(self, hit: Hit) -> None: ...
    def open_in_editor(self, hit: Hit) -> None: ...
    def more(self) -> None: ...
    def search(self, text: str, *, correct: bool = True) -> None: ...
    def similar(self, hit: Hit) -> None: ...
    def last_listing(self) -> Any: ...  # an `app.Listing`
    def text_style(self, *, width: int | None = None) -> TextStyle: ...
    def watch(self, on: bool) -> None: ...
    def reindex(self) -> None: ...
    def collections(self) -> dict[str, dict[str, str]]: ...
    def use(self, name: str) -> None: ...
    def print_stats(self) -> None: ...
    def help_text(self) -> str: ...


Handler = Callable[[CommandContext, str], "Outcome | None"]
Choices = Callable[[CommandContext], Iterable[tuple[str, str]]]  # (argument, description)


class CommandError(NotesError):
    """A command was misused (missing number, no such hit); the message says how to use it."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    summary: str  # one line for :help
    usage: str = ""  # argument syntax: "N", "relevance|date|-date"
    aliases: tuple[str, ...] = ()
    choices: Choices | None = None  # argument completions

    @property
    def synopsis(self) -> str:
        return f":{self.name} {self.usage}".rstrip()


class CommandRegistry:
    """Commands by name and alias."""

    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._names: dict[str, Command] = {}

    def command(
        self,
        name: str,
        summary: str,
        *,
        usage: str = "",
        aliases: tuple[str, ...] = (),
        choices: Choices | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register the decorated function as `:name` (and `:alias`...)."""

        def register(handler: Handler) -> Handler:
            entry = Command(name, handler, summary, usage, aliases, choices)
            for key in (name, *aliases):
                if key in self._names:
                    raise ValueError(f"command :{key} is registered twice")
                self._names[key] = entry
            self._commands[name] = entry
            return handler

        return register

    def find(self, name: str) -> Command | None:
        return self._names.get(name.lower())

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands.values())

    def names(self) -> list[str]:
        """Every name a command answers to, aliases included."""
        return list(self._names)

    def unknown(self, name: str) -> CommandError:
        """The error for `:name`, with the closest command as a hint."""
        close = difflib.get_close_matches(name.lower(), self.names(), n=1, cutoff=0.5)
        hint = f"did you mean :{close[0]}? :help lists the commands" if close else ":help lists the commands"
        return CommandError(f"unknown command ':{name}'", hint=hint)

    def help_text(self) -> str:
        """The command table shown by `:help`."""
        width = max(len(entry.synopsis) for entry in self)
        lines = []
        for entry in self:
            also = f" (also {', '.join(':' + alias for alias in entry.aliases)})" if entry.aliases else ""
            lines.append(f"  {entry.synopsis:<{width}}  {entry.summary}{also}")
        return "\n".join(lines)


COMMANDS = CommandRegistry()


def parse_number(argument: str, what: str = "N") -> int:
    """The whole number in `argument`, or a `CommandError` naming `what` was expected."""
    text = argument.strip()
    if not text.isdigit():
        raise CommandError(f"expected a number{'' if not text else f', not {text!r}'}", hint=f"usage: {what}")
    return int(text)


# -- the built-in commands ---------------------------------------------------------------


def _hit_choices(shell: CommandContext) -> list[tuple[str, str]]:
    return [(str(rank), hit.title) for rank, hit in shell.shown_hits.items()]


_SORT_CHOICES = (("relevance", "best match first"), ("date", "oldest first"), ("-date", "newest first"))
_SORT_WORDS = {"relevance": "relevance", "date": "date, oldest first", "-date": "date, newest first"}


@COMMANDS.command("help", "this list, the keys and the query language", aliases=("h", "?"))
def show_help(shell: CommandContext, argument: str) -> None:
    shell.screen.show(shell.help_text())


@COMMANDS.command(
    "open", "open hit N in $VISUAL or $EDITOR at its best passage", usage="N", choices=_hit_choices
)
def open_hit(shell: CommandContext, argument: str) -> None:
    shell.open_in_editor(shell.hit(argument))


@COMMANDS.command("show", "hit N, the whole note, in the pager", usage="N", choices=_hit_choices)
def show_hit(shell: CommandContext, argument: str) -> None:
    shell.show_note(shell.hit(argument))


@COMMANDS.command("exact", "run QUERY as typed, without spelling correction", usage="QUERY")
def exact_search(shell: CommandContext, argument: str) -> None:
    if not argument.strip():
        raise CommandError("expected a query", hint="usage: :exact QUERY")
    shell.search(argument.strip(), correct=False)


@COMMANDS.command("more", "the next page of the last query", aliases=("next", "n"))
def more(shell: CommandContext, argument: str) -> None:
    shell.more()


@COMMANDS.command(
    "limit",
    "hits a page from the next query on (0: all); alone, the current limit",
    usage="N",
    choices=lambda shell: [("10", ""), ("20", ""), ("50", ""), ("0", "all hits")],
)
def set_limit(shell: CommandContext, argument: str) -> None:
    if argument.strip():
        shell.limit = parse_number(argument, ":limit N (0 shows all hits)")
    shown = "all hits" if shell.limit == 0 else f"{shell.limit} hit{'' if shell.limit == 1 else 's'} a page"
    shell.screen.note(f"limit: {shown}")


@COMMANDS.command(
    "sort",
    "order of hits from the next query on; alone, the current order",
    usage="relevance|date|-date",
    choices=lambda shell: _SORT_CHOICES,
)
def set_sort(shell: CommandContext, argument: str) -> None:
    from indexer.search.searching import SortOrder

    if argument.strip():
        shell.sort = SortOrder.parse(argument.strip().lower())
    shell.screen.note(f"sort: {_SORT_WORDS[shell.sort.value]}")


@COMMANDS.command(
    "similar", "notes like hit N (by the key terms of its text)", usage="N", choices=_hit_choices
)
def similar(shell: CommandContext, argument: str) -> None:
    shell.similar(shell.hit(argument))


# `:facets` with no field names, and the values shown per facet.
DEFAULT_FACETS = ("source", "author", "tag")
FACET_LIMIT = 10


def _facet_choices(shell: CommandContext) -> list[tuple[str, str]]:
    return [(name, "") for name in shell.notes.facet_names()]


@COMMANDS.command(
    "facets",
    "counts of each value of FIELD among all hits of the last query (default: source, author, tag)",
    usage="[FIELD...]",
    choices=_facet_choices,
)
def facets(shell: CommandContext, argument: str) -> None:
    from indexer.output.render import render_facets_text

    names = argument.replace(",", " ").split() or DEFAULT_FACETS
    result = shell.last_listing().fetch(1, facets=names, passages=0)
    shell.screen.show(render_facets_text(result.facets, shell.text_style(), limit=FACET_LIMIT))


@COMMANDS.command("timeline", "hits of the last query per month, as a sparkline row")
def timeline(shell: CommandContext, argument: str) -> None:
    from indexer.output.render import render_sparkline

    result = shell.last_listing().fetch(1, timeline=True, passages=0)
    shell.screen.show(render_sparkline(result.timeline or (), shell.text_style()))


@COMMANDS.command(
    "explain", "what each field and term of the query added to hit N's score", usage="N", choices=_hit_choices
)
def explain(shell: CommandContext, argument: str) -> None:
    from indexer.output.render import explanation_lines

    hit = shell.hit(argument)
    listing = shell.last_listing()
    page = 1 if listing.limit == 0 else (hit.rank - 1) // listing.limit + 1
    again = listing.fetch(page, explain=True, passages=0)
    found = next((each for each in again.hits if each.path == hit.path), None)
    if found is None or not found.explanation:
        raise CommandError(f"hit {hit.rank} is no longer a hit", hint="run the query again")
    lines = [f"{hit.rank}. {terminal_safe(hit.title)}"]
    lines += ["   " + line for line in explanation_lines(found.explanation)]
    shell.screen.show("\n".join(lines) + "\n")


@COMMANDS.command("save", "save the last query as NAME; a line @NAME runs it again", usage="NAME")
def save(shell: CommandContext, argument: str) -> None:
    name = argument.strip()
    if not name:
        raise CommandError("expected a name", hint="usage: :save NAME (letters, digits, - and _)")
    query = shell.last_listing().query
    if query is None:
        raise CommandError("only a query can be saved, not :similar", hint="type a query first")
    replaced = shell.notes.saved_searches.save(name, query)
    shell.screen.note(f"{'replaced' if replaced else 'saved'} @{name}: {terminal_safe(query)}")


@COMMANDS.command("saved", "the saved searches (type @NAME to run one)")
def saved(shell: CommandContext, argument: str) -> None:
    searches = shell.notes.saved_searches.load()
    if not searches:
        shell.screen.note("No saved searches yet: type a query, then :save NAME.")
        return
    width = max(len(name) for name in searches) + 1
    for name, query in searches.items():
        shell.screen.line(f"{'@' + name:<{width}}  {terminal_safe(query)}")


@COMMANDS.command("stats", "notes, last update, size and fields of the index")
def stats(shell: CommandContext, argument: str) -> None:
    shell.print_stats()


@COMMANDS.command("reindex", "apply new, changed and deleted notes to the index", aliases=("update",))
def reindex(shell: CommandContext, argument: str) -> None:
    shell.reindex()


def _on_off_choices(shell: CommandContext) -> list[tuple[str, str]]:
    return [("on", "index changes as notes are saved"), ("off", "stop watching")]


@COMMANDS.command(
    "watch", "index changed notes in the background while the shell runs", usage="on|off",
    choices=_on_off_choices,
)  # fmt: skip
def watch(shell: CommandContext, argument: str) -> None:
    if argument not in ("on", "off", ""):
        raise CommandError(f"unknown :watch argument {argument!r}", hint="use :watch on or :watch off")
    if not argument:
        shell.screen.note(f"Watching {shell.notes.corpus}." if shell.watcher else "Not watching (:watch on).")
        return
    shell.watch(argument == "on")


def _collection_choices(shell: CommandContext) -> list[tuple[str, str]]:
    return [(name, table["path"]) for name, table in sorted(shell.collections().items())]


@COMMANDS.command(
    "use", "search another collection of notes.toml (no NAME: list them)", usage="NAME",
    choices=_collection_choices,
)  # fmt: skip
def use(shell: CommandContext, argument: str) -> None:
    if not argument:
        collections = shell.collections()
        if not collections:
            shell.screen.note('No collections: name them in notes.toml, [collections.NAME] path = "..."')
        else:
            shell.screen.show(
                "\n".join(
                    f"{'*' if name == shell.collection else ' '} {name}  {table['path']}"
                    for name, table in sorted(collections.items())
                )
            )
        return
    shell.use(argument)


@COMMANDS.command("quit", "leave the shell; Ctrl-D does too", aliases=("q", "exit"))
def quit_shell(shell: CommandContext, argument: str) -> Outcome:
    return Outcome.QUIT
