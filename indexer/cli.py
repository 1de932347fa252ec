"""The `search` and `indexer` commands: option handling only; the work is in the API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer import __version__
from indexer.console import Command, Group, ProgressBar, cli_errors, warn
from indexer.status import ExitStatus
from indexer.terminal import is_terminal

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "index_data"

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

corpus_option = click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    envvar="NOTES_CORPUS",
    show_envvar=True,
    help="Folder of markdown notes.",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, readable=False, path_type=Path),  # the store says what is wrong
    default=DEFAULT_INDEX,
    show_default=True,
    envvar="NOTES_INDEX",
    show_envvar=True,
    help="Folder holding the index.",
)


# -- search ------------------------------------------------------------------------------

SEARCH_EPILOG = """\b
Examples:
  search "GPRS gateway"
  search 'author:cimpanu tag:ransomware date:2021-10'
  search 'title:"zero-day" OR tag:CVE-2021-44228' --sort -date -n 5
  search ransom* --json | jq '.hits[].title'
  search 'tag:"The Record"' --files | xargs -d '\\n' grep -l Conti
  search                      # on a terminal: the interactive shell

\b
Query language: words are ANDed; OR, NOT, (groups), "phrases", wild*cards,
fuzzy~ (fuzzy~2); fields title: subtitle: body: source: author: tag: (tags:)
date: link: path:, plus structured tags such as country: or malware:.
Dates: date:2021  date:2021-08  date:[2021-08-01 to 2021-08-31]  date:>2021-10-15
date:yesterday  date:"aug 2021".

Exit status: 0 hits found, 1 no match, 2 error, 130 interrupted.
"""


@click.command(cls=Command, context_settings=_CONTEXT, epilog=SEARCH_EPILOG)
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
    open_shell: bool,
) -> None:
    """Search your notes, ranked by relevance, with highlighted snippets.

    With no QUERY on a terminal, or with --shell, open the interactive shell.
    """
    text = " ".join(query).strip()
    with cli_errors("search"):
        if open_shell or (not text and is_terminal(sys.stdin) and is_terminal(sys.stdout)):
            if output:
                raise click.UsageError(f"--shell cannot be combined with --{output}")
            _freshen(corpus, index_dir, no_update=no_update)
            sys.exit(_run_shell(corpus, index_dir, text, limit=limit, sort=sort, color=color))
        if not text:
            raise click.UsageError('missing QUERY (try: search "ransomware", or search --shell)')
        _freshen(corpus, index_dir, no_update=no_update)
        from indexer.searching import SortOrder, open_index

        with open_index(corpus, index_dir) as notes:
            if output == "count":
                total = notes.count(text)
                click.echo(total)
                sys.exit(ExitStatus.OK if total else ExitStatus.NO_MATCH)
            result = notes.search(
                text,
                limit=limit,
                page=page,
                sort=SortOrder.parse(sort),
                passages=0 if output == "files" else 1,
            )
        _print_result(result, output, color)
        if not result.hits:
            if output is None:
                shown = "" if result.total == 0 else f" on page {page}"
                click.echo(f"No notes match {text!r}{shown}.", err=True)
            sys.exit(ExitStatus.NO_MATCH)


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


def _print_result(result, output: str | None, color: str) -> None:
    from indexer import render
    from indexer.terminal import ColorMode, terminal_width, use_color

    stdout = sys.stdout
    if output == "json":
        stdout.write(render.render_json(result))
    elif output == "jsonl":
        for line in render.render_jsonl(result):
            stdout.write(line)
    elif output == "files":
        stdout.write(render.render_paths(result, escape=is_terminal(stdout)))  # as `ls` does
    elif result.hits:
        style = render.TextStyle(color=use_color(stdout, ColorMode(color)), width=terminal_width(stdout))
        stdout.write(render.render_text(result, style))
        first, last = result.hits[0].rank, result.hits[-1].rank
        plural = "note matches" if result.total == 1 else "notes match"
        took = f", {result.seconds * 1000:.0f} ms" if is_terminal(sys.stderr) else ""
        click.echo(f"{result.total} {plural} ({first}-{last} shown{took})", err=True)
    stdout.flush()


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
        click.echo(f"search: built the index: {report.notes} notes{_took(report.seconds)}", err=True)
        _print_skips("search", report)
    elif outcome.action == "updated":
        report = outcome.report
        click.echo(
            f"search: updated the index first: {report.added} new, {report.changed} changed, "
            f"{report.removed} removed",
            err=True,
        )
        _print_skips("search", report)
    elif outcome.action in ("locked", "unwritable"):
        warn("search", f"{outcome.reason}; searching it as last committed")


def _took(seconds: float) -> str:
    """ " in 1.2 s" on a terminal; nothing when stderr is captured, so logs stay stable."""
    return f" in {seconds:.1f} s" if is_terminal(sys.stderr) else ""


def _print_skips(program: str, report, *, warnings: bool = True) -> None:
    if warnings:
        for path, message in report.warnings:
            warn(program, f"{path}: {message}")
    for path, reason in report.skipped:
        warn(program, f"{path}: skipped: {reason}")


# -- indexer -----------------------------------------------------------------------------

INDEXER_EPILOG = """\b
Examples:
  indexer build                          # index ./corpus into ./index_data
  indexer update --corpus ~/notes --index ~/.cache/notes-index
  indexer stats --json
"""


@click.group(cls=Group, context_settings=_CONTEXT, epilog=INDEXER_EPILOG)
@click.version_option(__version__, "-V", "--version", prog_name="indexer")
def indexer_main() -> None:
    """Build and maintain the search index of a folder of markdown notes."""


def _index_options(func):
    options = [
        corpus_option,
        index_option,
        click.option(
            "--follow-symlinks",
            is_flag=True,
            envvar="NOTES_FOLLOW_SYMLINKS",
            show_envvar=True,
            help="Follow symbolic links to notes and folders (loops are detected).",
        ),
        click.option(
            "--max-size",
            "max_size_mb",
            type=click.FloatRange(min=0.001),
            default=10.0,
            show_default=True,
            envvar="NOTES_MAX_SIZE",
            show_envvar=True,
            help="Skip notes larger than this many megabytes.",
        ),
        click.option(
            "--wait",
            "wait_seconds",
            type=click.FloatRange(min=0),
            default=10.0,
            show_default=True,
            envvar="NOTES_WAIT",
            show_envvar=True,
            help="Seconds to wait for another process that is writing the index.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            envvar="NOTES_STRICT",
            show_envvar=True,
            help="Exit with status 1 if any note was skipped.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print no warnings, only errors and the summary."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(follow_symlinks: bool, max_size_mb: float, wait_seconds: float):
    from indexer.store import IndexOptions

    return IndexOptions(
        follow_symlinks=follow_symlinks,
        max_note_bytes=int(max_size_mb * 1024 * 1024),
        wait_seconds=wait_seconds,
    )


@indexer_main.command(
    "build",
    context_settings=_CONTEXT,
    epilog="\b\nExamples:\n  indexer build\n  indexer build --corpus ~/notes --index /tmp/notes-idx --strict",
)
@_index_options
def build_command(corpus, index_dir, follow_symlinks, max_size_mb, wait_seconds, strict, quiet) -> None:
    """Index every note of the corpus from scratch (replaces the index in one commit)."""
    from indexer.store import build_index

    with cli_errors("indexer"):
        with ProgressBar("Indexing") as progress:
            report = build_index(
                corpus,
                index_dir,
                options=_options(follow_symlinks, max_size_mb, wait_seconds),
                progress=progress,
            )
        _finish_report("build", report, index_dir, strict=strict, quiet=quiet)


@indexer_main.command(
    "update",
    context_settings=_CONTEXT,
    epilog="\b\nExamples:\n  indexer update\n  NOTES_CORPUS=~/notes indexer update --quiet",
)
@_index_options
def update_command(corpus, index_dir, follow_symlinks, max_size_mb, wait_seconds, strict, quiet) -> None:
    """Apply new, changed, renamed and deleted notes to the index (nothing else is read)."""
    from indexer.store import update_index

    with cli_errors("indexer"):
        with ProgressBar("Updating") as progress:
            report = update_index(
                corpus,
                index_dir,
                options=_options(follow_symlinks, max_size_mb, wait_seconds),
                progress=progress,
            )
        _finish_report("update", report, index_dir, strict=strict, quiet=quiet)


def _finish_report(action: str, report, index_dir: Path, *, strict: bool, quiet: bool) -> None:
    if not quiet:
        _print_skips("indexer", report)
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    if action == "build" or report.rebuilt:
        click.echo(f"Indexed {report.notes} notes{skipped} in {report.seconds:.1f} s into {index_dir}")
    elif report.touched:
        click.echo(
            f"Updated {index_dir}: {report.added} added, {report.changed} changed, {report.removed} removed"
            f"{skipped}; {report.notes} notes in {report.seconds:.1f} s"
        )
    else:
        click.echo(f"Index {index_dir} is up to date: {report.notes} notes{skipped}")
    if strict and report.skipped:
        sys.exit(ExitStatus.NO_MATCH)


@indexer_main.command(
    "stats",
    context_settings=_CONTEXT,
    epilog="\b\nExamples:\n  indexer stats\n  indexer stats --json | jq .notes",
)
@corpus_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def stats_command(corpus: Path, index_dir: Path, as_json: bool) -> None:
    """Show the number of notes, last update, paths, size on disk and searchable fields."""
    from indexer.stats import index_stats

    with cli_errors("indexer"):
        stats = index_stats(corpus, index_dir)
        if as_json:
            click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
            return
        width = max(len(key) for key in stats)
        for key, value in stats.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            click.echo(f"{key.replace('_', ' '):<{width}}  {shown}")
