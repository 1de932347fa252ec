"""The `search` command: option handling only; the work is in the API, the printing in `output`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

import click

from indexer import __version__
from indexer.cli.gc_pause import code_loaded
from indexer.cli.options import (
    CONTEXT,
    collection_option,
    corpus_option,
    engine_option_group,
    index_option,
    print_skips,
    took,
)
from indexer.cli.output import print_correction, print_result, print_saved, print_suggestion
from indexer.cli.settings import Settings
from indexer.output.console import Command, ProgressBar, cli_errors, warn
from indexer.output.safe_text import terminal_safe
from indexer.output.terminal import is_terminal
from indexer.status import ExitStatus

if TYPE_CHECKING:
    from indexer.search.results import SearchResult
    from indexer.search.spelling import Suggestion

OUTPUTS = ("text", "paths", "json", "jsonl", "count", "tags", "authors", "sources")
# --output values that print the distinct values of a facet among all hits.
VALUE_OUTPUTS = {"tags": "tag", "authors": "author", "sources": "source"}

SEARCH_EPILOG = """\b
Examples:
  search "GPRS gateway"
  search --corpus ~/notes "meeting notes"       # your own folder; its index goes to your data folder
  search -c news -c blog ransomware             # collections of notes.toml, one ranked list
  search 'author:cimpanu tag:ransomware date:2021-10'
  search 'title:"zero-day" OR tag:CVE-2021-44228' --sort -date -n 5
  search ransom* --json | jq '.hits[].title'
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
Query language: words are ANDed; OR, NOT, (groups), "phrases", wild*cards,
fuzzy~ (fuzzy~2); fields title: subtitle: body: source: author: tag: (tags:)
date: link: path:, plus structured tags such as country: or malware:.
Dates: date:2021  date:2021-08  date:[2021-08-01 to 2021-08-31]  date:>2021-10-15
date:yesterday  date:"aug 2021".

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
@click.option("--files", "output", flag_value="paths", help="Print only the paths of matching notes.")
@click.option(
    "--output",
    "output_choice",
    type=click.Choice(OUTPUTS),
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
def search_main(
    query: tuple[str, ...],
    limit: int,
    page: int,
    sort: str,
    output: str | None,
    output_choice: str | None,
    absolute: bool,
    null: bool,
    passages: int,
    context_chars: int,
    format_version: int,
    all_copies: bool,
    exact: bool,
    debug_query: bool,
    open_rank: int | None,
    collections: tuple[str, ...],
    corpus: Path | None,
    index_dir: Path | None,
    no_update: bool,
    no_daemon: bool,
    color: str,
    facets: tuple[str, ...],
    facet_limit: int | None,
    show_timeline: bool,
    explain: bool,
    similar: str | None,
    batch: BinaryIO | None,
    save_as: str | None,
    list_saved: bool,
    show_config: bool,
    open_shell: bool,
    engine: str,
    url: str,
    index_name: str,
) -> None:
    """Search your notes, ranked by relevance, with highlighted snippets.

    With no QUERY on a terminal, or with --shell, open the interactive shell.
    """
    text = " ".join(query).strip()
    other_work = {"--batch": batch, "--similar": similar, "--saved": list_saved, "--save": save_as}
    with cli_errors("search"):
        from indexer.cli.settings import resolve_settings

        settings = resolve_settings("search", need_corpus=not show_config)
        if show_config:
            from indexer.cli.config import describe

            click.echo(terminal_safe(describe(settings.config), keep_newlines=True), nl=False)
            for target in settings.targets:
                named = f" (collection {target.name})" if target.name else ""
                where = f"# searches {target.corpus}{named} with its index in {target.index_dir}"
                click.echo(terminal_safe(where))
            if not settings.targets:
                click.echo("# no corpus to search: pass --corpus DIR or name a default collection")
            sys.exit(ExitStatus.OK)
        # Options left at their defaults take their notes.toml values.
        chosen = settings.options
        output_choice, no_update, color = chosen["output_choice"], chosen["no_update"], chosen["color"]
        output_choice = None if output_choice == "text" else output_choice
        if output and output_choice and output != output_choice:
            if "output_choice" in _typed():
                raise click.UsageError(f"--{output} and --output {output_choice} ask for different outputs")
            output_choice = None  # a typed --json beats the configured output
        asked = Asked(
            limit=settings.limit,
            page=page,
            sort=settings.sort,
            output=output or output_choice,
            color=color,
            passages=chosen["passages"],
            context=chosen["context_chars"],
            version=chosen["format_version"],
            all_copies=chosen["all_copies"],
            exact=chosen["exact"],
            null=null,
            absolute=absolute,
            debug=debug_query,
            open_rank=open_rank,
            facets=_facets(chosen["facets"], output or output_choice),
            facet_limit=chosen["facet_limit"],
            timeline=show_timeline,
            explain=explain,
            settings=settings,
        )
        corpus, index_dir = settings.corpus, settings.index_dir
        served = _served_request(settings, asked, batch=batch is not None)
        on_terminal = is_terminal(sys.stdin) and is_terminal(sys.stdout)
        on_cluster = settings.engine == "opensearch"
        if open_shell or (not text and on_terminal and not any(other_work.values())):
            given = [name for name, value in other_work.items() if value]
            given += [_flag(asked.output)] if asked.output else []
            if given:
                raise click.UsageError(f"--shell cannot be combined with {given[0]}")
            if served is not None:
                from indexer.daemon.serving import RunLocally

                raise RunLocally
            code_loaded()  # a session: collect garbage as usual
            if not on_cluster:  # a cluster is kept fresh by `indexer update --engine opensearch`
                _freshen(corpus, index_dir, no_update=no_update, settings=settings)
            sys.exit(_run_shell(text, asked))
        from indexer.search.saved import SavedSearches, check_name

        saved = SavedSearches(index_dir)
        if list_saved:
            if text or save_as or similar:
                raise click.UsageError("--saved takes no QUERY, --save or --similar")
            sys.exit(print_saved(saved.load(), asked.output))
        if len(settings.targets) > 1 and on_cluster:
            raise click.UsageError("the OpenSearch engine searches one index; give -c once")
        if len(settings.targets) > 1:
            if batch is not None or similar is not None or save_as is not None:
                raise click.UsageError("--batch, --similar and --save work on one collection; give -c once")
            _check_usage(text, asked, similar=None)
            code_loaded()
            for target in settings.targets:
                _freshen(target.corpus, target.index_dir, no_update=no_update, settings=settings)
            text = saved.expand(text)
            sys.exit(_show(_merged_answer(text, asked), text, None, asked))
        if batch is not None:
            _check_batch_usage(text, asked, similar=similar, save_as=save_as)
            code_loaded()
            if not on_cluster:
                _freshen(corpus, index_dir, no_update=no_update, settings=settings)
            sys.exit(_run_batch(corpus, index_dir, batch, asked))
        # The check runs in a child while this process checks the usage, loads Whoosh
        # and runs the query on the index as it is.
        # A cluster is kept fresh by `indexer update --engine opensearch`, not by each search.
        if on_cluster:
            from indexer.index.freshness import PendingCheck

            pending = PendingCheck(known=False)  # nothing to check: the answer is the cluster's
        else:
            pending = _start_freshness_check(corpus, index_dir, no_update=no_update, settings=settings)
        try:
            _check_usage(text, asked, similar=similar)
            if save_as is not None:
                if similar is not None:
                    raise click.UsageError("--save saves a QUERY, not --similar")
                check_name(save_as)
            text = saved.expand(text)
            if asked.debug:
                click.echo(terminal_safe(f"query: {text}"), err=True)
            answer = _fresh_answer(pending, text, similar, asked, no_update=no_update)
        finally:
            pending.discard()
        status = _show(answer, text, similar, asked)
        if save_as is not None:
            replaced = saved.save(save_as, text)
            click.echo(
                f"search: {'replaced' if replaced else 'saved'} @{save_as}: {terminal_safe(text)}", err=True
            )
        if served is None and not no_daemon and settings.daemon and not on_cluster:
            _offer_resident_process(settings)
        sys.exit(status)


def _facets(values: tuple[str, ...], output: str | None) -> tuple[str, ...]:
    """The facets asked for; configured ones are left out of outputs that have no place for them."""
    if "facets" not in _typed() and output not in (None, "json"):
        return ()
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


def _typed() -> set[str]:
    """The parameters typed on the command line."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return {
        name for name in context.params if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }


@dataclass(frozen=True, slots=True)
class Asked:
    """What the options ask of each query: the page, order, output and extras."""

    limit: int = 10
    page: int = 1
    sort: str = "relevance"
    output: str | None = None  # None: text; else one of OUTPUTS
    color: str = "auto"
    facets: tuple[str, ...] = ()
    facet_limit: int | None = None
    timeline: bool = False
    explain: bool = False
    passages: int = 2
    context: int = 220
    version: int = 1
    all_copies: bool = False
    exact: bool = False  # no spelling correction of a query without hits
    null: bool = False
    absolute: bool = False
    debug: bool = False
    open_rank: int | None = None
    settings: Settings | None = None  # notes.toml and friends, once resolved

    def search_options(self) -> dict[str, object]:
        """Keyword arguments of `NoteIndex.search` and `NoteIndex.similar`."""
        from indexer.search.searching import SortOrder

        counted = VALUE_OUTPUTS.get(self.output or "")
        return {
            "limit": self.limit,
            "page": self.page,
            "sort": SortOrder.parse(self.sort),
            "passages": 0 if self.output in ("paths", "count", *VALUE_OUTPUTS) else max(1, self.passages),
            "context": self.context,
            "facets": (*self.facets, counted) if counted else self.facets,
            "timeline": self.timeline,
            "explain": self.explain,
            "all_copies": self.all_copies,
        }


def _check_usage(text: str, asked: Asked, *, similar: str | None) -> None:
    """Options that cannot go together are a usage error (exit 2) before any work is done."""
    if similar is not None and text:
        raise click.UsageError("--similar takes a note's path, not a QUERY")
    if similar is None and not text:
        raise click.UsageError('missing QUERY (try: search "ransomware", or search --shell)')
    from indexer.output.script_output import check_format_version

    check_format_version(asked.version)
    if asked.null and asked.output != "paths":
        raise click.UsageError("-0/--null goes with paths output (--files or --output paths)")
    if asked.absolute and asked.output != "paths":
        raise click.UsageError("--absolute goes with paths output (--files or --output paths)")
    if asked.open_rank is not None and asked.output is not None:
        raise click.UsageError(f"--open opens a note; it cannot be combined with {_flag(asked.output)}")
    if asked.explain and asked.output in ("count", "paths", *VALUE_OUTPUTS):
        raise click.UsageError(f"--explain cannot be combined with {_flag(asked.output)}")
    # Facets and the timeline go with text or --json output only.
    for name, given in (("--facet", bool(asked.facets)), ("--timeline", asked.timeline)):
        if given and asked.output in ("count", "paths", "jsonl", *VALUE_OUTPUTS):
            raise click.UsageError(
                f"{name} cannot be combined with {_flag(asked.output)}; use --json or text output"
            )


def _flag(output: str | None) -> str:
    """How the user asked for `output`: --files, --json, --jsonl, --count or --output NAME."""
    return {"paths": "--files", "json": "--json", "jsonl": "--jsonl", "count": "--count"}.get(
        output or "", f"--output {output}"
    )


def _check_batch_usage(text: str, asked: Asked, *, similar: str | None, save_as: str | None) -> None:
    for given, name in ((text, "QUERY"), (similar, "--similar"), (save_as, "--save")):
        if given:
            raise click.UsageError(f"--batch reads its queries from FILE; it takes no {name}")
    if asked.output not in (None, "jsonl", "count"):
        raise click.UsageError(f"--batch prints JSONL; it cannot be combined with {_flag(asked.output)}")


def _run_batch(corpus: Path, index_dir: Path, lines: BinaryIO, asked: Asked) -> ExitStatus:
    """Every query of the batch against one open index; JSONL on stdout, bad lines on stderr."""
    from indexer.output.console import error_line
    from indexer.output.script_output import render_batch_outcome
    from indexer.search.batch import read_queries, run_batch

    failed = False
    options = (
        {}
        if asked.output == "count"
        else asked.search_options() | {"suggest": True, "correct": not asked.exact}
    )
    settings = asked.settings
    with open_notes(settings) as notes:
        for outcome in run_batch(notes, read_queries(lines), count_only=asked.output == "count", **options):
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


def open_notes(settings: Settings):
    """The notes to search: the Whoosh index, or the cluster when `engine = "opensearch"`."""
    if settings.engine == "opensearch":
        from indexer.opensearch.searching import ClusterNotes

        return ClusterNotes(
            settings.corpus,
            settings.cluster(),
            weights=settings.weights,
            aliases=settings.aliases,
            saved_dir=settings.index_dir,
        )
    from indexer.search.searching import open_index

    return open_index(settings.corpus, settings.index_dir, weights=settings.weights, aliases=settings.aliases)


class Answer(NamedTuple):
    """What a one-shot query found, before anything is printed."""

    result: SearchResult | None  # None for --count
    total: int
    suggestion: Suggestion | None
    parsed: str = ""  # the parsed query, with --debug-query
    path: str = ""  # with --similar: the note's path in the corpus


def _fresh_answer(pending, text: str, similar: str | None, asked: Asked, *, no_update: bool) -> Answer:
    """The answer of an up-to-date index.

    The query runs on the index as it is while the child checks the corpus for changes
    (`pending`); only if it finds some is the index updated and the query run again. The
    search no longer waits for the check, which takes ~0.3 s on 45,000 notes. An error
    from the index as it is (a field that only new notes have, a missing index) counts
    only if nothing changed."""
    from indexer.errors import NotesError

    code_loaded()  # the search code is in: what follows is the work
    settings = asked.settings

    def answer_now() -> Answer:
        with open_notes(settings) as notes:
            return _answer(notes, text, similar, asked)

    try:
        answer = answer_now()
    except NotesError:
        if not pending.changed():
            raise
    if pending.changed():
        _freshen(settings.corpus, settings.index_dir, no_update=no_update, settings=settings)
        answer = answer_now()
    return answer


def _merged_answer(text: str, asked: Asked) -> Answer:
    """One ranked list from several collections: each is asked for the hits up to the end
    of the page, the hits are merged by score (or date, as sorted), then the page is cut.

    Scores of different indexes are comparable enough to interleave: each is BM25F over
    its own collection's statistics, so a hit ranks high where its words are rare there."""
    from dataclasses import replace as copy

    from indexer.search.results import SearchResult, SortOrder
    from indexer.search.searching import open_index

    settings = asked.settings
    options = asked.search_options()
    wanted = options["limit"] * options["page"] if options["limit"] else 0
    hits, total, facets, months, seconds = [], 0, {}, {}, 0.0
    for target in settings.targets:
        with open_index(
            target.corpus, target.index_dir, weights=settings.weights, aliases=settings.aliases
        ) as notes:
            if asked.output == "count":
                total += notes.count(text)
                continue
            result = notes.search(text, **(options | {"limit": wanted, "page": 1}), suggest=False)
        total += result.total
        seconds += result.seconds
        hits += [copy(hit, collection=target.name) for hit in result.hits]
        for name, values in result.facets.items():
            counts = facets.setdefault(name, {})
            for value, count in values:
                counts[value] = counts.get(value, 0) + count
        for month, count in result.timeline or ():
            months[month] = months.get(month, 0) + count
    if asked.output == "count":
        return Answer(None, total, None)
    sort = options["sort"]
    if sort is SortOrder.RELEVANCE:
        hits.sort(key=lambda hit: -(hit.score or 0.0))
    else:
        dated = sorted(
            (hit for hit in hits if hit.date), key=lambda hit: hit.date, reverse=sort is not SortOrder.DATE
        )
        hits = dated + [hit for hit in hits if not hit.date]
    start = (options["page"] - 1) * options["limit"]
    page = hits[start : start + options["limit"]] if options["limit"] else hits
    page = [copy(hit, rank=start + number) for number, hit in enumerate(page, 1)]
    merged = SearchResult(
        query=text,
        parsed="",
        total=total,
        page=options["page"],
        limit=options["limit"],
        hits=tuple(page),
        seconds=seconds,
        facets={
            name: tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
            for name, counts in facets.items()
        },
        timeline=tuple(sorted(months.items())) if asked.timeline else None,
    )
    return Answer(merged, total, None)


def _most_first(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _answer(notes, text: str, similar: str | None, asked: Asked) -> Answer:
    """Run the query (or --similar) without printing anything."""
    if similar is not None:
        path = notes.note_path(similar)
        result = notes.similar(path, **asked.search_options())
        return Answer(result, result.total, None, path=path)
    parsed = ""
    if asked.debug:
        from indexer.search.query import describe_query

        parsed = describe_query(notes.parser.parse(text))
    if asked.output == "count":
        total = notes.count(text)
        return Answer(None, total, notes.did_you_mean(text, total), parsed)
    result = notes.search(
        text, **asked.search_options(), suggest=asked.open_rank is None, correct=not asked.exact
    )
    return Answer(result, result.total, result.suggestion, parsed)


def _show(answer: Answer, text: str, similar: str | None, asked: Asked) -> ExitStatus:
    """Print an answer (or open one of its hits with --open); the exit status."""
    if answer.parsed:
        click.echo(terminal_safe(f"parsed: {answer.parsed}"), err=True)
    result = answer.result
    if result is None:  # --count
        click.echo(answer.total)
        print_suggestion(answer.suggestion)
        return ExitStatus.OK if answer.total else ExitStatus.NO_MATCH
    if result.relaxed:
        click.echo("no note has all the words; showing notes with most of them", err=True)
    if result.corrected_query is not None:
        print_correction(result.corrected_query, text)
    if asked.open_rank is not None:
        return _open_hit(result, asked.open_rank, asked.settings)
    if similar is not None and asked.output == "count":
        click.echo(result.total)
    else:
        _print(result, asked)
    if not result.hits and asked.output is None:
        shown = "" if result.total == 0 else f" on page {asked.page}"
        nothing = f"No notes are like {answer.path}" if similar is not None else f"No notes match {text!r}"
        click.echo(terminal_safe(f"{nothing}{shown}."), err=True)
    if asked.output != "json":
        print_suggestion(answer.suggestion)
    return ExitStatus.OK if result.hits else ExitStatus.NO_MATCH


def _print(result, asked: Asked) -> None:
    print_result(
        result,
        asked.output,
        asked.color,
        facet_limit=asked.facet_limit,
        version=asked.version,
        null=asked.null,
        passages=asked.passages,
        settings=asked.settings,
        place=_absolute_path(asked.settings) if asked.absolute else None,
    )
    for message in result.warnings:
        warn("search", message)


def _absolute_path(settings: Settings):
    """Hit -> the absolute path of its note, in its collection's corpus."""
    import os

    roots = {target.name: os.path.abspath(target.corpus) for target in settings.targets}

    def place(hit) -> str:
        root = roots.get(hit.collection, os.path.abspath(settings.corpus))
        return os.path.join(root, *hit.path.split("/"))

    return place


def _open_hit(result, rank: int, settings: Settings) -> ExitStatus:
    """Open hit `rank` of the page in the user's editor at the line of its best passage."""
    from indexer.errors import NotesError
    from indexer.output.children import run_child
    from indexer.output.editor import editor_command, editor_from

    hit = next((hit for hit in result.hits if hit.rank == rank), None)
    if hit is None:
        shown = f"hits {result.hits[0].rank}-{result.hits[-1].rank}" if result.hits else "no hits"
        raise NotesError(f"no hit {rank} to open: this page has {shown}")
    editor = list(settings.editor) if settings.editor else editor_from()
    if editor is None:
        raise NotesError("no editor to open the note with", hint="set NOTES_EDITOR, VISUAL or EDITOR")
    line = hit.passages[0].line if hit.passages else 0
    argv = editor_command(editor, settings.corpus / hit.path, line)
    click.echo(terminal_safe(f"opening {hit.path}" + (f" at line {line}" if line else "")), err=True)
    try:
        status = run_child(argv)
    except OSError as exc:
        raise NotesError(f"cannot run the editor {editor[0]!r}: {exc.strerror or exc}") from None
    return ExitStatus.OK if status == 0 else ExitStatus.ERROR


def _run_shell(first_query: str, asked: Asked) -> int:
    # Imported here: the one-shot search never loads prompt_toolkit or the shell.
    from indexer.output.terminal import ColorMode, use_color
    from indexer.search.searching import SortOrder
    from indexer.shell.loop import run_shell

    settings = asked.settings
    return run_shell(
        settings.corpus,
        settings.index_dir,
        first_query=first_query,
        limit=asked.limit,
        sort=SortOrder.parse(asked.sort),
        color=use_color(sys.stdout, ColorMode(asked.color)),
        settings=settings,
    )


def _served_request(settings: Settings, asked: Asked, *, batch: bool):
    """The request this command serves inside the resident process, or None.

    Raises RunLocally (the client then runs the search itself) for another index, or for
    what needs the client's own terminal, editor or stdin."""
    from indexer.daemon.serving import RunLocally, current_request

    served = current_request()
    if served is not None:
        # The resident process keeps a Whoosh index open; a cluster is asked by the client.
        if batch or asked.open_rank is not None or settings.engine == "opensearch":
            raise RunLocally
        served.check_serves(settings)
    return served


def _offer_resident_process(settings: Settings) -> None:
    """After answering: start a resident process for the next search, unless one runs."""
    from indexer.daemon.spawn import start_in_background

    sys.stdout.flush()
    start_in_background(settings)


def _start_freshness_check(corpus: Path, index_dir: Path, *, no_update: bool, settings: Settings):
    """Check for corpus changes in a child process while this one loads the search code.

    Nothing to check with --no-update; without an index, it is built first. In the
    resident process, the file watcher's pending changes are applied instead."""
    from indexer.daemon.serving import current_request
    from indexer.index.freshness import PendingCheck, start_change_check

    served = current_request()
    if served is not None:
        from indexer.index.store import index_exists

        if not index_exists(index_dir):  # removed: building it is the client's to show
            from indexer.daemon.serving import RunLocally

            raise RunLocally
        if not no_update:
            served.bring_current()
        return PendingCheck(known=False)
    if no_update:
        from indexer.index.store import index_exists

        return PendingCheck(known=not index_exists(index_dir))
    return start_change_check(corpus, index_dir, settings.ignore)


def _freshen(corpus: Path, index_dir: Path, *, no_update: bool, settings: Settings) -> None:
    """Build a missing index, or apply corpus changes first unless --no-update."""
    from indexer.index.store import ensure_fresh_index, index_exists

    if no_update and index_exists(index_dir):
        return
    with ProgressBar("Indexing") as progress:
        outcome = ensure_fresh_index(
            corpus, index_dir, options=settings.index_options(wait_seconds=0), progress=progress
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
    elif outcome.action in ("locked", "unwritable"):
        warn("search", f"{outcome.reason}; searching it as last committed")
