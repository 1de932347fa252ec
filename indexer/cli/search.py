"""The `search` command: option handling only; the work is in the API, the printing in `output`."""

from __future__ import annotations

import io
import sys
from typing import Any, BinaryIO

import click

from indexer import __version__
from indexer.cli.answer import freshen, merged_answer, open_notes, show
from indexer.cli.asked import Asked, asked_from
from indexer.cli.click_command import Command, usage_problems_shown
from indexer.cli.gc_pause import code_loaded
from indexer.cli.options import (
    CONTEXT,
    collection_option,
    corpus_option,
    engine_option_group,
    index_option,
)
from indexer.cli.output import print_saved
from indexer.cli.query_mode import Request, check_usage, query_mode
from indexer.cli.settings import Settings
from indexer.output.console import cli_errors
from indexer.output.formats import OutputFormat
from indexer.output.safe_text import terminal_safe
from indexer.output.terminal import ColorMode, is_terminal
from indexer.search.options import SortOrder
from indexer.status import ExitStatus

SEARCH_EPILOG = """\b
Examples:
  search "GPRS gateway"
  search --corpus ~/notes "meeting notes"       # your own folder; its index goes to your data folder
  search -c news -c blog ransomware             # two collections you named in notes.toml: one list
  search 'author:cimpanu tag:ransomware date:2021-10'
  search 'title:"zero-day" OR tag:CVE-2021-44228' --sort -date -n 5
  search 'ransom*' --json | jq '.hits[].title'
  search 'tag:"The Record"' --files --absolute | xargs -d '\\n' grep -l Conti
  search ransomware --facet source --facet year      # counts among all hits
  search 'date:2021' --facet country --facet-limit 5 --json
  search 'log4j OR log4shell' --timeline -n 3         # when it broke, how long it ran
  search ransomwear --exact     # no match; stderr: Did you mean 'ransomware'? 17 notes match it.
  search 'GPRS gateway' --explain -n 1                 # which fields and terms scored
  search --batch queries.txt --facet source > results.jsonl   # one query a line
  printf 'conti\\nrevil\\n' | search --batch - --count
  search --save apt28 'threatactor:APT28 OR tag:"Fancy Bear"'
  search @apt28 --sort -date     # run it (@apt28 date:2022 narrows it); search --saved lists them
  search --similar news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md
  search                      # on a terminal: the interactive shell
  search --engine opensearch --url http://localhost:9200 ransomware   # notes on a cluster

\b
Query language: words are ANDed (a lower-case "or" too); OR, NOT, (groups),
"phrases", wild*cards, fuzzy~ (fuzzy~2); fields title: subtitle: body: source:
author: tag: (tags:; tag:a,b is both) date: link: path:, plus structured tags
such as country: or malware:. A pasted link also searches link:.
Dates: date:2021  date:2021-08  date:[2021-08-01 to 2021-08-31]  date:>2021-10-15
date:yesterday  date:"aug 2021".

Without --corpus or -c, a search reads the default collection of notes.toml: in
the repository's folder, its sample notes, which the examples above search.

Exit status: 0 hits found, 1 no match, 2 error, 130 interrupted.
"""


@click.command(cls=Command, context_settings=CONTEXT, epilog=SEARCH_EPILOG)
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
    type=click.Choice([order.value for order in SortOrder]),
    default="relevance",
    show_default=True,
    envvar="NOTES_SORT",
    show_envvar=True,
    help="Order of hits: relevance, date (oldest first) or -date (newest first).",
)
@click.option("--json", "output", flag_value="json", help="Print one JSON object: query, total, hits.")
@click.option("--jsonl", "output", flag_value="jsonl", help="Print one JSON object a line per hit.")
@click.option("--count", "output", flag_value="count", help="Print only the number of matching notes.")
@click.option("--files", "output", flag_value="paths", help="Print only the paths of matching notes.")
@click.option(
    "--output",
    "output_choice",
    type=click.Choice([output.value for output in OutputFormat]),
    envvar="NOTES_OUTPUT",
    show_envvar=True,
    help="What to print: text (the default), paths, json, jsonl, count, or the distinct tags, authors "
    "or sources among all hits with their counts (count<TAB>value). --json, --jsonl, --count and "
    "--files are short for it.",
)
@click.option(
    "--absolute",
    is_flag=True,
    help="With --files: print absolute paths, which a shell can use from any folder "
    "(paths are otherwise relative to the corpus).",
)
@click.option(
    "-0", "--null", is_flag=True, help="End each printed path with NUL instead of a newline (for xargs -0)."
)
@click.option(
    "--passages",
    type=click.IntRange(min=0, max=20),
    default=2,
    show_default=True,
    envvar="NOTES_PASSAGES",
    show_envvar=True,
    help="Passages shown per hit, the richest in query words first chosen, shown in note order.",
)
@click.option(
    "--context",
    "context_chars",
    type=click.IntRange(min=40),
    default=220,
    show_default=True,
    envvar="NOTES_CONTEXT",
    show_envvar=True,
    metavar="CHARS",
    help="Longest passage, in characters; passages are cut at sentence or word boundaries.",
)
@click.option(
    "--format-version",
    type=int,
    default=1,
    show_default=True,
    envvar="NOTES_FORMAT_VERSION",
    show_envvar=True,
    metavar="N",
    help="Shape of --json/--jsonl/--batch output to write; scripts pin it (see the README).",
)
@click.option(
    "--all-copies",
    is_flag=True,
    envvar="NOTES_ALL_COPIES",
    show_envvar=True,
    help="List near-duplicate copies of a note as hits of their own instead of folding them "
    'into the best-ranked copy ("+N similar copies").',
)
@click.option(
    "--exact",
    is_flag=True,
    envvar="NOTES_EXACT",
    show_envvar=True,
    help="Search the words as typed: when no note has them all, show notes with most of them "
    "instead of the hits of a spelling correction.",
)
@click.option(
    "--debug-query", is_flag=True, help="Print on stderr how the query was understood (the parsed query)."
)
@click.option(
    "--open",
    "open_rank",
    type=click.IntRange(min=1),
    metavar="N",
    help="Open hit N in your editor ($NOTES_EDITOR, $VISUAL or $EDITOR) at the line of its best passage.",
)
@collection_option
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
    "--no-daemon",
    is_flag=True,
    help="Run the search in this process: neither ask the resident query process nor start one "
    "(also NOTES_NO_DAEMON=1, or daemon = false in notes.toml).",
)
@click.option(
    "--color",
    type=click.Choice([mode.value for mode in ColorMode]),
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
    type=click.File("rb"),  # decoded a line at a time: one bad line is that line's error
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
    "--config-show",
    "show_config",
    is_flag=True,
    help="Print the effective settings (options, NOTES_* variables, notes.toml files, defaults), "
    "each with where it came from, and exit.",
)
@click.option(
    "--shell",
    "open_shell",
    is_flag=True,
    help="Open the interactive shell (the default with no QUERY on a terminal); a QUERY runs first.",
)
@engine_option_group
@click.version_option(__version__, "-V", "--version", prog_name="search")
def search_main(query: tuple[str, ...], **params: Any) -> None:
    """Search your notes, ranked by relevance, with highlighted snippets.

    With no QUERY on a terminal, or with --shell, open the interactive shell.
    """
    text = " ".join(query).strip()
    with cli_errors("search"), usage_problems_shown():
        from indexer.cli.settings import resolve_settings

        settings = resolve_settings("search", need_corpus=not params["show_config"])
        if params["show_config"]:
            sys.exit(_show_config(settings))
        asked = asked_from(settings)
        request = Request.of(text, settings.options)
        served = _served_request(settings, asked, batch=request.batch is not None)
        if request.opens_shell(on_terminal=is_terminal(sys.stdin) and is_terminal(sys.stdout)):
            sys.exit(_shell_mode(request, asked, served=served is not None))
        if request.list_saved:
            sys.exit(_saved_mode(request, asked))
        if len(settings.targets) > 1:
            sys.exit(_collections_mode(request, asked))
        if request.batch is not None:
            sys.exit(_batch_mode(request, asked))
        sys.exit(query_mode(request, asked, served=served is not None))


def _show_config(settings: Settings) -> ExitStatus:
    """--config-show: the effective settings, and what they search."""
    from indexer.cli.config import describe

    click.echo(terminal_safe(describe(settings.config), keep_newlines=True), nl=False)
    for target in settings.targets:
        named = f" (collection {target.name})" if target.name else ""
        where = f"# searches {target.corpus}{named} with its index in {target.index_dir}"
        click.echo(terminal_safe(where))
    if not settings.targets:
        click.echo("# no corpus to search: pass --corpus DIR or name a default collection")
    return ExitStatus.OK


def _shell_mode(request: Request, asked: Asked, *, served: bool) -> int:
    """The interactive shell, after the query given, if any."""
    given = request.other_work + ([asked.output.flag] if asked.output is not OutputFormat.TEXT else [])
    if given:
        raise click.UsageError(f"--shell cannot be combined with {given[0]}")
    if served:
        from indexer.daemon.serving import RunLocally

        raise RunLocally
    code_loaded()  # a session: collect garbage as usual
    if asked.settings.engine != "opensearch":  # a cluster is kept fresh by `indexer update`
        freshen(
            asked.settings.corpus,
            asked.settings.index_dir,
            no_update=asked.no_update,
            settings=asked.settings,
        )
    return _run_shell(request.text, asked)


def _saved_mode(request: Request, asked: Asked) -> int:
    """--saved: the saved searches."""
    from indexer.search.saved import SavedSearches

    if request.text or request.save_as or request.similar:
        raise click.UsageError("--saved takes no QUERY, --save or --similar")
    return print_saved(SavedSearches(asked.settings.index_dir).load(), asked.output)


def _collections_mode(request: Request, asked: Asked) -> ExitStatus:
    """-c A -c B: one ranked list from several collections."""
    from indexer.search.saved import SavedSearches

    settings = asked.settings
    if settings.engine == "opensearch":
        raise click.UsageError("the OpenSearch engine searches one index; give -c once")
    if request.batch is not None or request.similar is not None or request.save_as is not None:
        raise click.UsageError("--batch, --similar and --save work on one collection; give -c once")
    check_usage(request.text, asked, similar=None)
    code_loaded()
    for target in settings.targets:
        freshen(target.corpus, target.index_dir, no_update=asked.no_update, settings=settings)
    text = SavedSearches(settings.index_dir).expand(request.text)
    return show(merged_answer(text, asked), text, None, asked)


def _batch_mode(request: Request, asked: Asked) -> ExitStatus:
    """--batch FILE: every query of FILE against one open index."""
    for given, name in ((request.text, "QUERY"), (request.similar, "--similar"), (request.save_as, "--save")):
        if given:
            raise click.UsageError(f"--batch reads its queries from FILE; it takes no {name}")
    if asked.output not in (OutputFormat.TEXT, OutputFormat.JSONL, OutputFormat.COUNT):
        raise click.UsageError(f"--batch prints JSONL; it cannot be combined with {asked.output.flag}")
    settings = asked.settings
    code_loaded()
    if settings.engine != "opensearch":
        freshen(settings.corpus, settings.index_dir, no_update=asked.no_update, settings=settings)
    return _run_batch(request.batch or io.BytesIO(), asked)


def _run_batch(lines: BinaryIO, asked: Asked) -> ExitStatus:
    """Every query of the batch against one open index; JSONL on stdout, bad lines on stderr."""
    from indexer.output.console import error_line
    from indexer.output.script_output import render_batch_outcome
    from indexer.search.batch import read_queries, run_batch

    failed = False
    count_only = asked.output is OutputFormat.COUNT
    options = asked.search_options(suggest=True)
    with open_notes(asked.settings) as notes:
        for outcome in run_batch(notes, read_queries(lines), options, count_only=count_only):
            if outcome.error is not None:
                failed = True
                click.echo(error_line(f"search: line {outcome.query.line}", outcome.error), err=True)
                continue
            for line in render_batch_outcome(
                outcome, version=asked.version, facet_limit=asked.facet_limit or 0
            ):
                sys.stdout.write(line)
            sys.stdout.flush()
    return ExitStatus.ERROR if failed else ExitStatus.OK


def _run_shell(first_query: str, asked: Asked) -> int:
    # Imported here: the one-shot search never loads prompt_toolkit or the shell.
    from indexer.output.terminal import use_color
    from indexer.shell.loop import run_shell

    settings = asked.settings
    return run_shell(
        settings.corpus,
        settings.index_dir,
        first_query=first_query,
        limit=asked.options.limit,
        sort=asked.options.sort,
        color=use_color(sys.stdout, asked.color),
        settings=settings,
    )


def _served_request(settings: Settings, asked: Asked, *, batch: bool):
    """The request this command serves inside the resident process, or None.

    Raises RunLocally (the client then runs the search itself) for another index, or for
    what needs the client's own terminal, editor or stdin."""
    from indexer.daemon import current_request

    served = current_request()
    if served is not None:
        from indexer.daemon.serving import RunLocally

        # The resident process keeps a Whoosh index open; a cluster is asked by the client.
        if batch or asked.open_rank is not None or settings.engine == "opensearch":
            raise RunLocally
        served.check_serves(settings)
    return served
