"""What one `search` query answers, and how the answer is shown: run on an index kept
fresh (or on the cluster), merged over collections, printed, or one hit opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from indexer.cli.asked import Asked
from indexer.cli.gc_pause import code_loaded
from indexer.cli.output import print_correction, print_result, print_suggestion
from indexer.cli.settings import Settings
from indexer.output.console import ProgressBar, print_skips, took, warn
from indexer.output.echo import echo
from indexer.output.formats import OutputFormat
from indexer.output.safe_text import counted, terminal_safe
from indexer.search.options import SortOrder
from indexer.status import ExitStatus

if TYPE_CHECKING:
    from indexer.search.results import SearchResult
    from indexer.search.spelling import Suggestion


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
    from indexer.daemon import current_request

    served = current_request()
    if served is not None:  # the resident process keeps its index open between searches
        return served.open_notes(settings)
    from indexer.search.searching import open_index

    return open_index(settings.corpus, settings.index_dir, weights=settings.weights, aliases=settings.aliases)


class Answer(NamedTuple):
    """What a one-shot query found, before anything is printed."""

    result: SearchResult | None  # None for --count
    total: int
    suggestion: Suggestion | None
    parsed: str = ""  # the parsed query, with --debug-query
    path: str = ""  # with --similar: the note's path in the corpus


def fresh_answer(pending, text: str, similar: str | None, asked: Asked, *, no_update: bool) -> Answer:
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
            return answer(notes, text, similar, asked)

    try:
        found = answer_now()
    except NotesError:
        if not pending.changed():
            raise
    if pending.changed():
        freshen(settings.corpus, settings.index_dir, no_update=no_update, settings=settings)
        found = answer_now()
    return found


def merged_answer(text: str, asked: Asked) -> Answer:
    """One ranked list from several collections: each is asked for the hits up to the end
    of the page, the hits are merged by score (or date, as sorted), then the page is cut.

    Scores of different indexes are comparable enough to interleave: each is BM25F over
    its own collection's statistics, so a hit ranks high where its words are rare there."""
    from dataclasses import replace as copy

    from indexer.search.results import SearchResult
    from indexer.search.searching import open_index

    settings = asked.settings
    options = asked.search_options()
    each = copy(options, limit=options.wanted or 0, page=1)  # every collection's hits to the page's end
    hits, total, facets, months, seconds = [], 0, {}, {}, 0.0
    for target in settings.targets:
        with open_index(
            target.corpus, target.index_dir, weights=settings.weights, aliases=settings.aliases
        ) as notes:
            if asked.output is OutputFormat.COUNT:
                total += notes.count(text)
                continue
            result = notes.search(text, each)
        total += result.total
        seconds += result.seconds
        hits += [copy(hit, collection=target.name) for hit in result.hits]
        for name, values in result.facets.items():
            counts = facets.setdefault(name, {})
            for value, count in values:
                counts[value] = counts.get(value, 0) + count
        for month, count in result.timeline or ():
            months[month] = months.get(month, 0) + count
    if asked.output is OutputFormat.COUNT:
        return Answer(None, total, None)
    if options.relevance:
        hits.sort(key=lambda hit: -(hit.score or 0.0))
    else:
        newest = options.sort is SortOrder.NEWEST
        dated = sorted((hit for hit in hits if hit.date), key=lambda hit: hit.date, reverse=newest)
        hits = dated + [hit for hit in hits if not hit.date]
    page = [copy(hit, rank=options.first + number) for number, hit in enumerate(options.page_of(hits), 1)]
    merged = SearchResult(
        query=text,
        parsed="",
        total=total,
        page=options.page,
        limit=options.limit,
        hits=tuple(page),
        seconds=seconds,
        facets={
            name: tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
            for name, counts in facets.items()
        },
        timeline=tuple(sorted(months.items())) if options.timeline else None,
    )
    return Answer(merged, total, None)


def answer(notes, text: str, similar: str | None, asked: Asked) -> Answer:
    """Run the query (or --similar) without printing anything."""
    if similar is not None:
        path = notes.note_path(similar)
        result = notes.similar(path, asked.search_options())
        return Answer(result, result.total, None, path=path)
    parsed = ""
    if asked.debug:
        from indexer.search.query import describe_query

        parsed = describe_query(notes.parser.parse(text))
    if asked.output is OutputFormat.COUNT:
        total = notes.count(text)
        return Answer(None, total, notes.did_you_mean(text, total), parsed)
    result = notes.search(text, asked.search_options(suggest=asked.open_rank is None))
    return Answer(result, result.total, result.suggestion, parsed)


def show(found: Answer, text: str, similar: str | None, asked: Asked) -> ExitStatus:
    """Print an answer (or open one of its hits with --open); the exit status."""
    if found.parsed:
        echo(terminal_safe(f"parsed: {found.parsed}"), err=True)
    result = found.result
    if result is None:  # --count
        echo(found.total)
        print_suggestion(found.suggestion)
        return ExitStatus.OK if found.total else ExitStatus.NO_MATCH
    if result.relaxed:
        echo("no note has all the words; showing notes with most of them", err=True)
    if result.corrected_query is not None:
        print_correction(result.corrected_query, text)
    if asked.open_rank is not None:
        return open_hit(result, asked.open_rank, asked.settings)
    if similar is not None and asked.output is OutputFormat.COUNT:
        echo(result.total)
    else:
        print_hits(result, asked)
    if not result.hits and asked.output is OutputFormat.TEXT:
        shown = "" if result.total == 0 else f" on page {asked.options.page}"
        nothing = f"No notes are like {found.path}" if similar is not None else f"No notes match {text!r}"
        echo(terminal_safe(f"{nothing}{shown}."), err=True)
    if asked.output is not OutputFormat.JSON:
        print_suggestion(found.suggestion)
    return ExitStatus.OK if result.hits else ExitStatus.NO_MATCH


def print_hits(result, asked: Asked) -> None:
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


def open_hit(result, rank: int, settings: Settings) -> ExitStatus:
    """Open hit `rank` of the page in the user's editor at the line of its best passage."""
    from indexer.errors import NotesError
    from indexer.output.editor import chosen_editor, open_in_editor

    hit = next((hit for hit in result.hits if hit.rank == rank), None)
    if hit is None:
        shown = f"hits {result.hits[0].rank}-{result.hits[-1].rank}" if result.hits else "no hits"
        raise NotesError(f"no hit {rank} to open: this page has {shown}")
    editor = chosen_editor(settings.editor)
    echo(terminal_safe(f"opening {hit.path}" + (f" at line {hit.line}" if hit.line else "")), err=True)
    status = open_in_editor(editor, settings.corpus / hit.path, hit.line)
    return ExitStatus.OK if status == 0 else ExitStatus.ERROR


def start_freshness_check(corpus: Path, index_dir: Path, *, no_update: bool, settings: Settings):
    """Check for corpus changes in a child process while this one loads the search code.

    Nothing to check with --no-update; without an index, it is built first. In the
    resident process, the file watcher's pending changes are applied instead."""
    from indexer.daemon import current_request
    from indexer.index.freshness import PendingCheck, start_change_check

    served = current_request()
    if served is not None:
        from indexer.index.opening import index_exists

        if not index_exists(index_dir):  # removed: building it is the client's to show
            from indexer.daemon.serving import RunLocally

            raise RunLocally
        if not no_update:
            served.bring_current()
        return PendingCheck(known=False)
    if no_update:
        from indexer.index.opening import index_exists

        return PendingCheck(known=not index_exists(index_dir))
    return start_change_check(corpus, index_dir, settings.ignore)


def freshen(corpus: Path, index_dir: Path, *, no_update: bool, settings: Settings) -> None:
    """Build a missing index, or apply corpus changes first unless --no-update."""
    from indexer.index.opening import index_exists

    if no_update and index_exists(index_dir):
        return
    from indexer.index.store import ensure_fresh_index
    from indexer.output.index_report import change_counts

    with ProgressBar("Indexing") as progress:
        outcome = ensure_fresh_index(
            corpus, index_dir, options=settings.index_options(wait_seconds=0), progress=progress
        )
    if outcome.action == "built":
        report = outcome.report
        notes = counted(report.notes, "note")
        echo(f"search: built the index: {notes}{took(report.seconds)}", err=True)
        print_skips("search", report)
    elif outcome.action == "updated":
        report = outcome.report
        echo(f"search: updated the index first: {change_counts(report, new='new')}", err=True)
        print_skips("search", report)
    elif outcome.action in ("locked", "unwritable"):
        warn("search", f"{outcome.reason}; searching it as last committed")
