"""The shell: its state and per-line handler (`Shell.execute`).

`Shell` needs no prompt_toolkit: tests and piped input drive it line by line. The
loops that feed it are in `loop`; the prompt (`loop.run_prompt_loop`) adds history,
completion and highlighting around it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from indexer.errors import NotesError
from indexer.index.store import IndexOptions
from indexer.output.console import ProgressBar, error_line, error_report
from indexer.output.internal_error import internal_error_line
from indexer.output.render import (
    TextStyle,
    render_correction,
    render_note_text,
    render_suggestion,
    render_text,
)
from indexer.output.safe_text import counted, terminal_safe
from indexer.search.options import SearchOptions, SortOrder
from indexer.search.results import Hit
from indexer.search.searching import NoteIndex, SearchResult
from indexer.shell.commands import COMMANDS, CommandError, Outcome, parse_number
from indexer.shell.screen import Screen

# Errors are one line: "error: <message>; <hint>" (`error_line` adds the hint).
_ERROR_LABEL = "error"

QUERY_HELP = """\
Queries: words are ANDed; OR, NOT, (groups), "phrases", wild*cards, fuzzy~ (fuzzy~2).
  Fields: title: subtitle: body: author: tag: source: date: link: path: and structured
  tags such as country: or malware:.  Dates: date:2021-08, date:[2021-08-01 to 2021-08-31],
  date:>2021-10-15, date:yesterday.  Example: author:cimpanu tag:ransomware date:2021
Saved searches: :save NAME keeps the last query; a line @NAME runs it (@NAME date:2022 narrows it).
Keys: Tab completes fields and values; Right arrow takes the grey suggestion from history;
  Ctrl-R searches history; Ctrl-C cancels the line or a running query; Ctrl-D quits."""


@dataclass(frozen=True, slots=True)
class Listing:
    """The last query (or `:similar`), so that `:more` can fetch its next page."""

    label: str
    run: Callable[[SearchOptions], SearchResult]  # the query (or `:similar`) with some options
    options: SearchOptions  # those of its first page
    page: int
    total: int
    query: str | None = None  # the query text (None for `:similar`), for `:save`

    @property
    def limit(self) -> int:
        return self.options.limit

    def fetch(self, page: int, **changes: Any) -> SearchResult:
        """Page `page` of the listing, with some of its options changed (`passages=0`)."""
        return self.run(replace(self.options, page=page, **changes))


class Shell:
    """The shell's state (open index, last query, page, limit, sort) and what each line does."""

    def __init__(
        self,
        notes: NoteIndex,
        *,
        screen: Screen | None = None,
        limit: int = 10,
        sort: SortOrder = SortOrder.RELEVANCE,
        environ: Mapping[str, str] | None = None,
        index_options: IndexOptions | None = None,
        settings=None,
    ) -> None:
        self.notes = notes
        self.screen = screen or Screen()
        self.limit = limit
        self.sort = sort
        self.environ = os.environ if environ is None else environ
        self.index_options = index_options or IndexOptions()
        self.settings = settings  # from notes.toml and options: editor, theme, date format
        self.collection = getattr(settings, "collection", None)  # the collection searched, if any
        self.listing: Listing | None = None
        self.shown_hits: dict[int, Hit] = {}  # rank -> hit, every page shown of the listing
        self.history_path: Path | None = None
        # Called with the index after it changed (`:reindex`, or a commit by another process).
        self.index_listeners: list[Callable[[NoteIndex], None]] = []
        self.watcher = None  # a CorpusWatcher while `:watch on`
        self._watch_log: list[str] = []  # batch lines from the watcher's thread, shown at the next line

    # -- the per-line handler -----------------------------------------------------------

    def execute(self, line: str) -> Outcome:
        """Run one line: a `:command` or a query. Never raises; errors are one line."""
        text = line.strip()
        if not text:
            return Outcome.CONTINUE
        try:
            if text.startswith(":"):
                return self.run_command(text) or Outcome.CONTINUE
            self.search(text)
        except NotesError as exc:
            self.screen.error(error_line(_ERROR_LABEL, exc))
        except KeyboardInterrupt:
            self.screen.error("cancelled")
        except Exception as exc:  # a bug of ours: logged, one line, and the shell goes on
            self.screen.error(internal_error_line("", exc))
        return Outcome.CONTINUE

    def run_command(self, text: str) -> Outcome | None:
        name, _, argument = text[1:].strip().partition(" ")
        command = COMMANDS.find(name)
        if command is None:
            raise COMMANDS.unknown(name)
        return command.handler(self, argument.strip())

    # -- queries and listings -------------------------------------------------------------

    def search(self, text: str, *, correct: bool = True) -> None:
        """Run a query from its first page, with the current limit and sort; unless not
        `correct`, a query without hits runs with its misspelled words corrected."""
        options = SearchOptions(limit=self.limit, sort=self.sort, correct=correct)
        self._freshen()
        text = self.notes.saved_searches.expand(text)  # `@name` runs a saved search

        def run(options: SearchOptions) -> SearchResult:
            return self.notes.search(text, options)

        first = run(replace(options, suggest=True))
        if first.corrected_query is not None:
            self.screen.note(render_correction(first.corrected_query, text, how=f":exact {text}"))
        self.start_listing(text, run, options, first=first, query=text)

    def similar(self, hit: Hit) -> None:
        self.screen.note(f"Notes like {hit.rank}. {terminal_safe(hit.title)}:", dim=True)
        options = SearchOptions(limit=self.limit, sort=self.sort)
        self.start_listing(hit.path, partial(self.notes.similar, hit.path), options)

    def start_listing(
        self,
        label: str,
        run: Callable[[SearchOptions], SearchResult],
        options: SearchOptions,
        *,
        first: SearchResult | None = None,
        query: str | None = None,
    ) -> None:
        result = run(options) if first is None else first
        self.listing = Listing(label, run, options, 1, result.total, query)
        self.shown_hits = {}
        self._show_result(result)
        if result.suggestion is not None:
            self.screen.note(render_suggestion(result.suggestion))

    def more(self) -> None:
        """The next page of the last listing."""
        listing = self.last_listing()
        shown = len(self.shown_hits)
        if listing.limit == 0 or listing.page * listing.limit >= listing.total:
            raise CommandError(f"no more hits: all {listing.total} are shown", hint="scroll up, or :show N")
        result = listing.fetch(listing.page + 1)
        self.listing = replace(listing, page=listing.page + 1, total=result.total)
        if not result.hits:
            raise CommandError(f"no more hits after {shown}")
        self._show_result(result)

    def last_listing(self) -> Listing:
        if self.listing is None:
            raise CommandError("no query yet", hint="type a query first")
        return self.listing

    def _show_result(self, result: SearchResult) -> None:
        if not result.hits:
            query = terminal_safe(repr(result.query))
            self.screen.note(f"No notes match {query}." if result.total == 0 else "No more hits.")
            return
        for hit in result.hits:
            self.shown_hits[hit.rank] = hit
        width = self.screen.columns if self.screen.interactive else None  # piped: no wrapping
        style = self.text_style(width=width)
        self.screen.show(render_text(result, style))
        for warning in result.warnings:
            self.screen.error(terminal_safe(f"warning: {warning}"))
        first, last = result.hits[0].rank, result.hits[-1].rank
        plural = "note matches" if result.total == 1 else "notes match"
        took = f", {result.seconds * 1000:.0f} ms" if self.screen.interactive else ""  # piped: stable output
        status = f"{result.total} {plural} ({first}-{last} shown{took})"
        if last < result.total and result.limit:
            status += f"; :more for the next {min(result.limit, result.total - last)}"
        self.screen.note(status, dim=True)

    def hit(self, argument: str) -> Hit:
        """Hit number `argument` of the last listing."""
        number = parse_number(argument, "N, a hit number of the last query")
        if not self.shown_hits:
            raise CommandError("no hits to pick from yet", hint="type a query first")
        if number not in self.shown_hits:
            ranks = sorted(self.shown_hits)
            raise CommandError(f"no hit {number}: hits {ranks[0]}-{ranks[-1]} are shown")
        return self.shown_hits[number]

    # -- notes ------------------------------------------------------------------------------

    def read_note(self, hit: Hit):
        from indexer.notes.note import parse_note

        return parse_note(self.notes.corpus / hit.path, self.notes.corpus, indexed=True)

    def show_note(self, hit: Hit) -> None:
        """The whole note in the pager (printed when there is none)."""
        note = self.read_note(hit)
        self.screen.show(render_note_text(note, self.text_style()), page=True)

    def open_in_editor(self, hit: Hit) -> None:
        from indexer.output.editor import EditorNotRunError, NoEditorError, chosen_editor, open_in_editor

        try:
            editor = chosen_editor(getattr(self.settings, "editor", None), self.environ)
            status = open_in_editor(editor, self.notes.corpus / hit.path, hit.line)
        except NoEditorError:
            self.screen.note("No $VISUAL or $EDITOR is set: showing the note instead.", dim=True)
            self.show_note(hit)
            return
        except EditorNotRunError as exc:
            self.screen.error(f"cannot run the editor {exc.editor!r} ({exc.reason}): showing the note")
            self.show_note(hit)
            return
        if status != 0:
            self.screen.error(f"the editor exited with status {status}")

    # -- the index ----------------------------------------------------------------------------

    @property
    def corpus_name(self) -> str:
        if self.collection:
            return self.collection
        return self.notes.corpus.resolve().name or str(self.notes.corpus)

    def text_style(self, *, width: int | None = None) -> TextStyle:
        """How results look: the screen's colour, with the configured theme and date format."""
        if self.settings is not None:
            return self.settings.text_style(color=self.screen.color, width=width)
        return TextStyle(color=self.screen.color, width=width)

    def prompt_text(self) -> str:
        try:
            count = self.notes.note_count()
        except Exception:  # the index went away under us: the next line will say why
            return f"{self.corpus_name}> "
        return f"{self.corpus_name} ({count} note{'' if count == 1 else 's'})> "

    def _freshen(self) -> None:
        """Pick up a commit made by another process (`indexer update`, `:watch`) since the last query."""
        while self._watch_log:
            self.screen.note(self._watch_log.pop(0), dim=True)
        if self.notes.refresh_if_changed():
            self._index_changed()

    @property
    def on_cluster(self) -> bool:
        """True when the notes searched are on an OpenSearch cluster (`engine = "opensearch"`)."""
        return getattr(self.notes, "engine", "whoosh") == "opensearch"

    def _whoosh_only(self, what: str, instead: str) -> CommandError:
        return CommandError(f"{what} works on a Whoosh index, not on the OpenSearch engine", hint=instead)

    def watch(self, on: bool) -> None:
        """Start or stop applying corpus changes in the background while the shell runs."""
        if on and self.on_cluster:
            raise self._whoosh_only(
                ":watch", "run :reindex (or indexer update --engine opensearch) after edits"
            )
        if not on:
            if self.watcher is None:
                self.screen.note("Not watching.")
                return
            self.watcher.stop()
            self.watcher = None
            self.screen.note("Stopped watching the corpus.")
            return
        if self.watcher is not None:
            self.screen.note(f"Already watching {self.notes.corpus}.")
            return
        from indexer.index.watch import CorpusWatcher
        from indexer.output.index_report import describe_batch

        self.watcher = CorpusWatcher(
            self.notes.corpus,
            self.notes.index_dir,
            options=self.index_options,
            on_batch=lambda report: self._watch_log.append("watch: " + describe_batch(report)),
            on_error=lambda exc: self._watch_log.append(error_report("watch", exc)),
        )
        self.watcher.start()
        self.screen.note(f"Watching {self.notes.corpus}: changes are indexed as you save them (:watch off).")

    def _index_changed(self) -> None:
        for listener in self.index_listeners:
            listener(self.notes)

    def collections(self) -> dict[str, dict[str, str]]:
        """The collections of the notes.toml files read: name -> {"path", "index"?}."""
        config = getattr(self.settings, "config", None)
        return dict(config["collections"]) if config is not None else {}

    def use(self, name: str) -> None:
        """Search the collection `name` from now on: its index is built or updated first."""
        from indexer.index.locations import default_index_dir
        from indexer.index.store import ensure_fresh_index
        from indexer.search.searching import open_index

        if self.on_cluster:
            raise self._whoosh_only(
                ":use", "the shell searches the one index given by --url and --index-name"
            )
        table = self.collections().get(name)
        if table is None:
            known = ", ".join(sorted(self.collections())) or "none is configured in notes.toml"
            raise CommandError(f"no collection {name!r} (collections: {known})")
        corpus = Path(table["path"]).expanduser()
        index_dir = Path(table["index"]).expanduser() if "index" in table else default_index_dir(corpus)
        with ProgressBar("Indexing") as progress:
            outcome = ensure_fresh_index(corpus, index_dir, options=self.index_options, progress=progress)
        if outcome.action == "built":
            self.screen.note(f"built the index of {name}: {counted(outcome.report.notes, 'note')}", dim=True)
        weights = self.settings.weights if self.settings is not None else None
        aliases = self.settings.aliases if self.settings is not None else None
        fresh = open_index(corpus, index_dir, weights=weights, aliases=aliases)
        if self.watcher is not None:
            self.watch(False)
        old, self.notes, self.collection = self.notes, fresh, name
        old.close()
        self.listing, self.shown_hits = None, {}
        self._index_changed()
        self.screen.note(f"{self.notes.note_count()} notes in {name}.")

    def reindex(self) -> None:
        """Apply corpus changes to the index (with a progress bar), then see them."""
        from indexer.index.store import update_index
        from indexer.output.index_report import change_counts, notes_and_time

        self.screen.note(f"Checking {self.notes.corpus} for changes...", dim=True)
        try:
            with ProgressBar("Updating") as progress:
                if self.on_cluster:
                    from indexer.opensearch.writing import update_cluster_index

                    report = update_cluster_index(
                        self.notes.corpus, self.notes.cluster, options=self.index_options, progress=progress
                    )
                else:
                    report = update_index(
                        self.notes.corpus, self.notes.index_dir, options=self.index_options, progress=progress
                    )
        finally:
            self.notes.refresh()
            self._index_changed()
        for path, reason in report.skipped:
            self.screen.error(f"skipped {path}: {reason}")
        if report.touched:
            self.screen.note(f"Updated: {change_counts(report)}; {notes_and_time(report)}")
        else:
            self.screen.note(f"The index is up to date: {counted(report.notes, 'note')}.")

    def print_stats(self) -> None:
        from indexer.index.stats import index_stats
        from indexer.output.index_report import stats_lines

        if self.on_cluster:
            cluster = self.notes.cluster
            figures = {
                "engine": "opensearch",
                "cluster": f"{cluster.url} index {cluster.index_name}",
                "corpus": str(self.notes.corpus),
                "notes": self.notes.note_count(),
                "fields": self.notes.catalog.user_fields(),
            }
        else:
            figures = index_stats(self.notes.corpus, self.notes.index_dir)
        figures.pop("size_bytes", None)
        figures["shell"] = f"{self.limit or 'all'} hits a page, sorted by {self.sort.value}"
        figures["history"] = str(self.history_path) if self.history_path else "not kept"
        for line in stats_lines(figures):
            self.screen.line(line)

    def help_text(self) -> str:
        return "Commands:\n" + COMMANDS.help_text() + "\n" + QUERY_HELP + "\n"

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.notes.close()
