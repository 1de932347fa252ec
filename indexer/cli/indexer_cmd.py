"""`indexer build`, `indexer update` and `indexer stats`: option handling only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer import __version__
from indexer.cli.click_command import Group
from indexer.cli.options import (
    CONTEXT,
    collection_option,
    corpus_option,
    engine_option_group,
    index_option,
)
from indexer.output.console import ProgressBar, cli_errors, print_skips, warn
from indexer.output.safe_text import counted, json_safe, terminal_safe
from indexer.status import ExitStatus

INDEXER_EPILOG = """\b
Examples:
  indexer build --corpus ~/notes         # its index goes to your data folder
  indexer update -c news                 # a collection you named in notes.toml
  indexer stats --json
  indexer list                           # every index and its corpus
  indexer forget ~/old-notes             # remove the index of a folder
  indexer build --engine opensearch --url http://localhost:9200 --index-name notes
"""


@click.group(cls=Group, context_settings=CONTEXT, epilog=INDEXER_EPILOG)
@click.version_option(__version__, "-V", "--version", prog_name="indexer")
def indexer_main() -> None:
    """Build and maintain the search index of a folder of markdown notes."""


# How notes are read: shared by build, update and watch.
follow_symlinks_option = click.option(
    "--follow-symlinks",
    is_flag=True,
    envvar="NOTES_FOLLOW_SYMLINKS",
    show_envvar=True,
    help="Follow symbolic links to notes and folders (loops are detected).",
)
max_size_option = click.option(
    "--max-size",
    "max_size_mb",
    type=click.FloatRange(min=0.001),
    default=10.0,
    show_default=True,
    envvar="NOTES_MAX_SIZE",
    show_envvar=True,
    help="Skip notes larger than this many megabytes.",
)


def _index_options(func):
    options = [
        collection_option,
        corpus_option,
        index_option,
        follow_symlinks_option,
        max_size_option,
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
        engine_option_group,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(settings, follow_symlinks: bool, max_size_mb: float, wait_seconds: float):
    return settings.index_options(
        follow_symlinks=follow_symlinks,
        max_note_bytes=int(max_size_mb * 1024 * 1024),
        wait_seconds=wait_seconds,
    )


def _settings():
    """The command's settings: typed options, else NOTES_* variables, else notes.toml."""
    from indexer.cli.settings import resolve_settings

    settings = resolve_settings("indexer")
    if len(settings.targets) > 1:
        raise click.UsageError("this command works on one collection; give -c once")
    return settings


@indexer_main.command(
    "build",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer build\n  indexer build --corpus ~/notes --strict"
    "\n  indexer build --engine opensearch --url http://localhost:9200",
)
@_index_options
def build_command(**params) -> None:
    """Index every note of the corpus from scratch (replaces the index in one commit)."""
    from indexer.index.store import build_index

    _run("build", build_index, "Indexing", **params)


@indexer_main.command(
    "update",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer update\n  NOTES_CORPUS=~/notes indexer update --quiet"
    "\n  indexer update --engine opensearch --url http://localhost:9200",
)
@_index_options
def update_command(**params) -> None:
    """Apply new, changed, renamed and deleted notes to the index (nothing else is read)."""
    from indexer.index.store import update_index

    _run("update", update_index, "Updating", **params)


def _run(action, index, bar, *, quiet, **params) -> None:
    """Run `index` (`build_index` or `update_index`) with a progress bar, then report."""
    with cli_errors("indexer"):
        settings = _settings()
        corpus, index_dir = settings.corpus, settings.index_dir
        chosen = settings.options
        strict = chosen["strict"]
        options = _options(settings, chosen["follow_symlinks"], chosen["max_size_mb"], chosen["wait_seconds"])
        if settings.engine == "opensearch":
            from indexer.opensearch import writing

            cluster = settings.cluster()
            index = writing.build_cluster_index if action == "build" else writing.update_cluster_index
            with ProgressBar(bar) as progress:
                report = index(corpus, cluster, options=options, progress=progress)
            where = f"{cluster.url} index {cluster.index_name}"
            _finish_report(action, report, where, strict=strict, quiet=quiet)
            return
        with ProgressBar(bar) as progress:
            report = index(corpus, index_dir, options=options, progress=progress)
        _finish_report(action, report, index_dir, strict=strict, quiet=quiet)


def _finish_report(action: str, report, index_dir: Path | str, *, strict: bool, quiet: bool) -> None:
    if not quiet:
        print_skips("indexer", report)
    from indexer.output.index_report import change_counts, notes_and_time

    count = len(report.skipped) + len(report.still_skipped)
    skipped = f", {count} skipped" if count else ""
    if action == "build" or report.rebuilt:
        notes = counted(report.notes, "note")
        click.echo(f"Indexed {notes}{skipped} in {report.seconds:.1f} s into {index_dir}")
    elif report.touched:
        click.echo(f"Updated {index_dir}: {change_counts(report)}{skipped}; {notes_and_time(report)}")
    else:
        click.echo(f"Index {index_dir} is up to date: {counted(report.notes, 'note')}{skipped}")
    if strict and (report.skipped or report.still_skipped):
        if report.still_skipped and not quiet:
            paths = ", ".join(path for path, _ in report.still_skipped[:5])
            more = f" and {len(report.still_skipped) - 5} more" if len(report.still_skipped) > 5 else ""
            warn("indexer", f"--strict: notes still skipped since an earlier run: {paths}{more}")
        sys.exit(ExitStatus.NO_MATCH)


@indexer_main.command(
    "stats",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer stats\n  indexer stats --json | jq .notes",
)
@collection_option
@corpus_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def stats_command(collections, corpus: Path, index_dir: Path, as_json: bool) -> None:
    """Show the number of notes, last update, paths, size on disk and searchable fields."""
    from indexer.index.stats import index_stats

    with cli_errors("indexer"):
        settings = _settings()
        stats = index_stats(settings.corpus, settings.index_dir)
        if as_json:
            click.echo(json_safe(json.dumps(stats, indent=2, ensure_ascii=False)))
            return
        from indexer.output.index_report import stats_lines

        for line in stats_lines(stats):
            click.echo(line)


@indexer_main.command(
    "watch",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer watch\n  indexer watch --corpus ~/notes --settle 2 >> ~/notes-index.log",
)
@collection_option
@corpus_option
@index_option
@follow_symlinks_option
@max_size_option
@click.option(
    "--settle",
    "settle_seconds",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    envvar="NOTES_WATCH_SETTLE",
    show_envvar=True,
    help="Seconds without file events before a batch of changes is indexed.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no warnings about skipped notes.")
def watch_command(
    collections, corpus, index_dir, follow_symlinks, max_size_mb, settle_seconds, quiet
) -> None:
    """Keep the index current as notes are created, changed, renamed or deleted.

    Bursts of changes are indexed as one batch, with one log line per batch.
    Ctrl-C stops watching; an update in progress is finished first.
    """
    import time

    from indexer.index.watch import CorpusWatcher
    from indexer.output.index_report import describe_batch

    def on_batch(report) -> None:
        if not quiet:
            print_skips("indexer", report)
        click.echo(describe_batch(report))

    def on_error(exc: Exception) -> None:
        from indexer.output.console import error_report

        click.echo(error_report("indexer", exc), err=True)

    with cli_errors("indexer"):
        settings = _settings()
        corpus, index_dir = settings.corpus, settings.index_dir
        chosen = settings.options
        watcher = CorpusWatcher(
            corpus,
            index_dir,
            options=_options(settings, chosen["follow_symlinks"], chosen["max_size_mb"], wait_seconds=30.0),
            on_batch=on_batch,
            on_error=on_error,
            quiet_seconds=chosen["settle_seconds"],
        )
        watcher.start()
        click.echo(f"Watching {corpus} for changes to {index_dir} (Ctrl-C to stop)", err=True)
        try:
            while watcher.running:
                time.sleep(0.5)
        except KeyboardInterrupt:
            click.echo("Stopping: finishing the update in progress...", err=True)
        finally:
            watcher.stop()
        click.echo("Stopped watching.", err=True)


@indexer_main.command(
    "duplicates",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer duplicates\n  indexer duplicates --json | jq '.groups | length'",
)
@collection_option
@corpus_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the groups as one JSON object.")
def duplicates_command(collections, corpus: Path, index_dir: Path, as_json: bool) -> None:
    """List the groups of near-duplicate notes found at the last build or update.

    Notes are near-duplicates (the same story saved twice, or saved again after its
    source edited it) when at most a fifth of either one's own text differs from the
    other; paragraphs found in three or more notes are boilerplate and not counted. A
    search shows the best-ranked copy of a group once, with "+N similar copies".
    """
    from indexer.index.duplicates import read_duplicate_groups
    from indexer.search.searching import open_index

    with cli_errors("indexer"):
        settings = _settings()
        corpus, index_dir = settings.corpus, settings.index_dir
        with open_index(corpus, index_dir) as notes:
            groups = read_duplicate_groups(index_dir)
            titles = {path: notes.stored_title(path) for group in groups for path in group}
        if as_json:
            document = {
                "format_version": 1,
                "groups": [[{"path": path, "title": titles[path]} for path in group] for group in groups],
            }
            click.echo(json_safe(json.dumps(document, indent=2, ensure_ascii=False)))
            return
        for number, group in enumerate(groups, 1):
            click.echo(f"{number}. {len(group)} copies")
            for path in group:
                click.echo(terminal_safe(f"   {path}  {titles[path]}"))
        notes_in_groups = sum(len(group) for group in groups)
        click.echo(f"{counted(len(groups), 'group')}, {counted(notes_in_groups, 'note')}", err=True)


@indexer_main.command(
    "list",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer list\n  indexer list --json | jq '.[].corpus'",
)
@click.option("--json", "as_json", is_flag=True, help="Print the indexes as one JSON array.")
def list_command(as_json: bool) -> None:
    """List the indexes kept in your data folder: corpus, notes, size, last update.

    A corpus that no longer exists is marked "(missing)"; remove its index with
    indexer forget. Indexes given with --index or a collection's `index` live where
    they were put and are not listed.
    """
    from indexer.index.locations import indexes_path, known_indexes
    from indexer.index.stats import human_size
    from indexer.output.safe_text import terminal_safe

    with cli_errors("indexer"):
        known = known_indexes()
        if as_json:
            rows = [
                {
                    "corpus": item.corpus,
                    "index": str(item.index_dir),
                    "notes": item.notes,
                    "size_bytes": item.size_bytes,
                    "updated_at": item.updated_at,
                    "corpus_missing": item.corpus_missing,
                }
                for item in known
            ]
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for item in known:
            corpus = item.corpus or f"(no finished build) {item.index_dir}"
            mark = "  (missing)" if item.corpus_missing else ""
            notes = "-" if item.notes is None else counted(item.notes, "note")
            click.echo(terminal_safe(f"{corpus}{mark}"))
            click.echo(f"    {notes}, {human_size(item.size_bytes)}, updated {item.updated_at or '-'}")
        click.echo(f"{len(known)} index{'' if len(known) == 1 else 'es'} in {indexes_path()}", err=True)


@indexer_main.command(
    "forget",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer forget ~/old-notes",
)
@click.argument("corpus", type=click.Path(file_okay=False, path_type=Path))
def forget_command(corpus: Path) -> None:
    """Remove the index kept in your data folder for the notes folder CORPUS.

    The notes are not touched; the next search of CORPUS builds its index again.
    """
    from indexer.errors import NotesError
    from indexer.index.locations import forget_index

    with cli_errors("indexer"):
        removed = forget_index(corpus)
        if removed is None:
            raise NotesError(f"no index of {corpus} in the data folder", hint="indexer list shows them")
        click.echo(f"Removed the index of {corpus} ({removed})")


def _add_daemon_commands() -> None:
    from indexer.cli.daemon_cmd import daemon_group

    indexer_main.add_command(daemon_group)


_add_daemon_commands()
