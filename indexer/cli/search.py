"""The `search` command: option handling only; the work is in the API, the printing in `output`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from indexer import __version__
from indexer.cli.options import CONTEXT, corpus_option, index_option, print_skips, took
from indexer.cli.output import print_result, print_saved, print_suggestion
from indexer.console import ProgressBar, cli_errors
from indexer.safe_text import terminal_safe
from indexer.status import ExitStatus
from indexer.terminal import is_terminal

SEARCH_EPILOG = """\b
Examples:
  search "GPRS gateway"
  search 'author:cimpanu tag:ransomware date:2021-10'
  search 'title:"zero-day" OR tag:CVE-2021-44228' --sort -date -n 5
  search ransom* --json | jq '.hits[].title'
  search 'tag:"The Record"' --files | xargs -d '\\n' grep -l Conti
  search ransomware --facet source --facet year      # counts among all hits
  search 'date:2021' --facet country --facet-limit 5 --json
  search 'log4j OR log4shell' --timeline -n 3         # when it broke, how long it ran
  search ransomwear             # no match; stderr: Did you mean 'ransomware'? 17 notes match it.
  search 'GPRS gateway' --explain -n 1                 # which fields and terms scored
  search --batch queries.txt --facet source > results.jsonl   # one query a line
  printf 'conti\\nrevil\\n' | search --batch - --count
  search --save apt28 'threatactor:APT28 OR tag:"Fancy Bear"'
  search @apt28 --sort -date     # run it (@apt28 date:2022 narrows it); search --saved lists them
  search --similar news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md
  search                      # on a terminal: the interactive shell

\b
Query language: words are ANDed; OR, NOT, (groups), "phrases", wild*cards,
fuzzy~ (fuzzy~2); fields title: subtitle: body: source: author: tag: (tags:)
date: link: path:, plus structured tags such as country: or malware:.
Dates: date:2021  date:2021-08  date:[2021-08-01 to 2021-08-31]  date:>2021-10-15
date:yesterday  date:"aug 2021".

Exit status: 0 hits found, 1 no match, 2 error, 130 interrupted.
"""


@click.command(context_settings=CONTEXT, epilog=SEARCH_EPILOG)
@click.argument("query", nargs=-1)
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    envvar="NOTES_LIMIT",
    show_envvar=True,
    help="Hits to show; 0 shows all.",
)
@click.option(
    "-p", "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page of hits to show."
)
@click.option(
    "-s",
    "--sort",
    type=click.Choice(["relevance", "date", "-date"]),
    default="relevance",
    show_default=True,
    envvar="NOTES_SORT",
    show_envvar=True,
    help="Order of hits: relevance, date (oldest first) or -date (newest first).",
)
@click.option("--json", "output", flag_value="json", help="Print one JSON object: query, total, hits.")
@click.option("--jsonl", "output", flag_value="jsonl", help="Print one JSON object a line per hit.")
@click.option("--count", "output", flag_value="count", help="Print only the number of matching notes.")
@click.option("--files", "output", flag_value="files", help="Print only the paths of matching notes.")
@corpus_option
@index_option
@click.option(
    "--no-update",
    is_flag=True,
    envvar="NOTES_NO_UPDATE",
    show_envvar=True,
    help="Search the index as it is, even if notes changed since it was built.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    envvar="NOTES_COLOR",
    show_envvar=True,
    help="Colour the output (auto: only on a terminal, and not if NO_COLOR is set).",
)
@click.option(
    "--facet",
    "facets",
    multiple=True,
    metavar="FIELD",
    envvar="NOTES_FACET",
    show_envvar=True,
    help="Count the values of FIELD among all hits, most frequent first: source, author, tag, year, "
    "month, or a structured field such as country or malware. Repeatable; FIELD,FIELD works too.",
)
@click.option(
    "--facet-limit",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    envvar="NOTES_FACET_LIMIT",
    show_envvar=True,
    help="Values shown per facet; 0 shows all. [default: 10 in text, all in JSON]",
)
@click.option(
    "--timeline",
    "show_timeline",
    is_flag=True,
    help='Chart all hits per month (after the hits; under "timeline" in --json).',
)
@click.option(
    "--explain",
    is_flag=True,
    help='Show under each hit what each field and term added to its score ("explain" in JSON).',
)
@click.option(
    "--similar",
    metavar="PATH",
    help="Rank the notes most like the note at PATH (as search prints it, or a file path) by the key "
    "terms of its title, subtitle, body and tags; the note itself is left out. Takes no QUERY.",
)
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="Run the queries of FILE (- for stdin), one a line (blank lines and # comments skipped), "
    'against the index opened once; print JSONL, each object with its "query". Exit 2 if a line '
    "is malformed (each reported with its line number), else 0.",
)
@click.option(
    "--save",
    "save_as",
    metavar="NAME",
    help="Save QUERY as NAME (letters, digits, - and _) after running it; run it again with @NAME.",
)
@click.option(
    "--saved",
    "list_saved",
    is_flag=True,
    help="List the saved searches (with --json: as one object) and exit.",
)
@click.option(
    "--shell",
    "open_shell",
    is_flag=True,
    help="Open the interactive shell (the default with no QUERY on a terminal); a QUERY runs first.",
)
@click.version_option(__version__, "-V", "--version", prog_name="search")
def search_main(
    query: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    output: str | None,
    corpus: Path,
    index_dir: Path,
    no_update: bool,
    color: str,
    facets: tuple[str, ...],
    facet_limit: int | None,
    show_timeline: bool,
    explain: bool,
    similar: str | None,
    batch: TextIO | None,
    save_as: str | None,
    list_saved: bool,
    open_shell: bool,
) -> None:
    """Search your notes, ranked by relevance, with highlighted snippets.

    With no QUERY on a terminal, or with --shell, open the interactive shell.
    """
    text = " ".join(query).strip()
    asked = Asked(
        limit=limit,
        page=page,
        sort=sort,
        output=output,
        color=color,
        facets=tuple(name.strip() for value in facets for name in value.split(",") if name.strip()),
        facet_limit=facet_limit,
        timeline=show_timeline,
        explain=explain,
    )
    other_work = {"--batch": batch, "--similar": similar, "--saved": list_saved, "--save": save_as}
    with cli_errors("search"):
        on_terminal = is_terminal(sys.stdin) and is_terminal(sys.stdout)
        if open_shell or (not text and on_terminal and not any(other_work.values())):
            given = [name for name, value in other_work.items() if value]
            given += [f"--{output}"] if output else []
            if given:
                raise click.UsageError(f"--shell cannot be combined with {given[0]}")
            _freshen(corpus, index_dir, no_update=no_update)
            sys.exit(_run_shell(corpus, index_dir, text, limit=limit, sort=sort, color=color))
        from indexer.saved import SavedSearches, check_name

        saved = SavedSearches(index_dir)
        if list_saved:
            if text or save_as or similar:
                raise click.UsageError("--saved takes no QUERY, --save or --similar")
            sys.exit(print_saved(saved.load(), asked.output))
        if batch is not None:
            _check_batch_usage(text, asked, similar=similar, save_as=save_as)
            _freshen(corpus, index_dir, no_update=no_update)
            sys.exit(_run_batch(corpus, index_dir, batch, asked))
        _check_usage(text, asked, similar=similar)
        if save_as is not None:
            if similar is not None:
                raise click.UsageError("--save saves a QUERY, not --similar")
            check_name(save_as)
        text = saved.expand(text)
        pending = _start_freshness_check(corpus, index_dir, no_update=no_update)
        from indexer.searching import open_index  # loads Whoosh while the check runs

        if pending.changed():
            _freshen(corpus, index_dir, no_update=no_update)
        with open_index(corpus, index_dir) as notes:
            if similar is not None:
                status = _show_similar(notes, similar, asked)
            else:
                status = _show_query(notes, text, asked)
        if save_as is not None:
            replaced = saved.save(save_as, text)
            click.echo(
                f"search: {'replaced' if replaced else 'saved'} @{save_as}: {terminal_safe(text)}", err=True
            )
        sys.exit(status)


@dataclass(frozen=True, slots=True)
class Asked:
    """What the options ask of each query: the page, order, output and extras."""

    limit: int = 10
    page: int = 1
    sort: str = "relevance"
    output: str | None = None  # None: text; json, jsonl, count or files
    color: str = "auto"
    facets: tuple[str, ...] = ()
    facet_limit: int | None = None
    timeline: bool = False
    explain: bool = False

    def search_options(self) -> dict[str, object]:
        """Keyword arguments of `NoteIndex.search` and `NoteIndex.similar`."""
        from indexer.searching import SortOrder

        return {
            "limit": self.limit,
            "page": self.page,
            "sort": SortOrder.parse(self.sort),
            "passages": 0 if self.output in ("files", "count") else 1,
            "facets": self.facets,
            "timeline": self.timeline,
            "explain": self.explain,
        }


def _check_usage(text: str, asked: Asked, *, similar: str | None) -> None:
    """Options that cannot go together are a usage error (exit 2) before any work is done."""
    if similar is not None and text:
        raise click.UsageError("--similar takes a note's path, not a QUERY")
    if similar is None and not text:
        raise click.UsageError('missing QUERY (try: search "ransomware", or search --shell)')
    if asked.explain and asked.output in ("count", "files"):
        raise click.UsageError(f"--explain cannot be combined with --{asked.output}")
    # Facets and the timeline go with text or --json output only.
    for name, given in (("--facet", bool(asked.facets)), ("--timeline", asked.timeline)):
        if given and asked.output in ("count", "files", "jsonl"):
            raise click.UsageError(
                f"{name} cannot be combined with --{asked.output}; use --json or text output"
            )


def _check_batch_usage(text: str, asked: Asked, *, similar: str | None, save_as: str | None) -> None:
    for given, name in ((text, "QUERY"), (similar, "--similar"), (save_as, "--save")):
        if given:
            raise click.UsageError(f"--batch reads its queries from FILE; it takes no {name}")
    if asked.output in ("json", "files"):
        raise click.UsageError(f"--batch prints JSONL; it cannot be combined with --{asked.output}")


def _run_batch(corpus: Path, index_dir: Path, lines: TextIO, asked: Asked) -> ExitStatus:
    """Every query of the batch against one open index; JSONL on stdout, bad lines on stderr."""
    from indexer.batch import read_queries, run_batch
    from indexer.console import error_line
    from indexer.render import render_batch_outcome
    from indexer.searching import open_index

    failed = False
    options = {} if asked.output == "count" else asked.search_options() | {"suggest": True}
    with open_index(corpus, index_dir) as notes:
        for outcome in run_batch(notes, read_queries(lines), count_only=asked.output == "count", **options):
            if outcome.error is not None:
                failed = True
                click.echo(error_line(f"search: line {outcome.query.line}", outcome.error), err=True)
                continue
            for line in render_batch_outcome(outcome, facet_limit=asked.facet_limit or 0):
                sys.stdout.write(line)
            sys.stdout.flush()
    return ExitStatus.ERROR if failed else ExitStatus.OK


def _show_query(notes, text: str, asked: Asked) -> ExitStatus:
    if asked.output == "count":
        total = notes.count(text)
        click.echo(total)
        print_suggestion(notes.did_you_mean(text, total))
        return ExitStatus.OK if total else ExitStatus.NO_MATCH
    result = notes.search(text, **asked.search_options(), suggest=True)
    if result.relaxed:
        click.echo("no note has all the words; showing notes with most of them", err=True)
    print_result(result, asked.output, asked.color, facet_limit=asked.facet_limit)
    if not result.hits and asked.output is None:
        shown = "" if result.total == 0 else f" on page {asked.page}"
        click.echo(terminal_safe(f"No notes match {text!r}{shown}."), err=True)
    if asked.output != "json":
        print_suggestion(result.suggestion)
    return ExitStatus.OK if result.hits else ExitStatus.NO_MATCH


def _show_similar(notes, typed_path: str, asked: Asked) -> ExitStatus:
    path = notes.note_path(typed_path)
    result = notes.similar(path, **asked.search_options())
    if asked.output == "count":
        click.echo(result.total)
    else:
        print_result(result, asked.output, asked.color, facet_limit=asked.facet_limit)
    if not result.hits and asked.output is None:
        shown = "" if result.total == 0 else f" on page {asked.page}"
        click.echo(terminal_safe(f"No notes are like {path}{shown}."), err=True)
    return ExitStatus.OK if result.hits else ExitStatus.NO_MATCH


def _run_shell(corpus: Path, index_dir: Path, first_query: str, *, limit: int, sort: str, color: str) -> int:
    # Imported here: the one-shot search never loads prompt_toolkit or the shell.
    from indexer.searching import SortOrder
    from indexer.shell.app import run_shell
    from indexer.terminal import ColorMode, use_color

    return run_shell(
        corpus,
        index_dir,
        first_query=first_query,
        limit=limit,
        sort=SortOrder.parse(sort),
        color=use_color(sys.stdout, ColorMode(color)),
    )


def _start_freshness_check(corpus: Path, index_dir: Path, *, no_update: bool):
    """Check for corpus changes in a child process while this one loads the search code.

    Nothing to check with --no-update; without an index, it is built first."""
    from indexer.freshness import PendingCheck, start_change_check
    from indexer.store import index_exists

    if not index_exists(index_dir):
        return PendingCheck(known=True)
    if no_update:
        return PendingCheck(known=False)
    return start_change_check(corpus, index_dir)


def _freshen(corpus: Path, index_dir: Path, *, no_update: bool) -> None:
    """Build a missing index, or apply corpus changes first unless --no-update."""
    from indexer.store import IndexOptions, ensure_fresh_index, index_exists

    if no_update and index_exists(index_dir):
        return
    with ProgressBar("Indexing") as progress:
        outcome = ensure_fresh_index(
            corpus, index_dir, options=IndexOptions(wait_seconds=0), progress=progress
        )
    if outcome.action == "built":
        report = outcome.report
        click.echo(f"search: built the index: {report.notes} notes{took(report.seconds)}", err=True)
        print_skips("search", report)
    elif outcome.action == "updated":
        report = outcome.report
        click.echo(
            f"search: updated the index first: {report.added} new, {report.changed} changed, "
            f"{report.removed} removed",
            err=True,
        )
        print_skips("search", report)
    elif outcome.action == "locked":
        click.echo(
            "search: the index is being updated by another process; searching it as last committed", err=True
        )
