"""One query of the `search` command (or --similar PATH): its request, the usage checks,
the answer on a fresh index, printed. No click: the click command (`cli/search.py`) and
the one-shot path of the common command line (`cli/common_argv.py`) both run it."""

from __future__ import annotations

import sys
from typing import Any, BinaryIO, NamedTuple

from indexer.cli.answer import fresh_answer, show, start_freshness_check
from indexer.cli.asked import Asked
from indexer.cli.settings import Settings
from indexer.cli.usage_problem import UsageProblem
from indexer.output.echo import echo
from indexer.output.formats import OutputFormat
from indexer.output.safe_text import terminal_safe
from indexer.status import ExitStatus


class Request(NamedTuple):
    """What the command line asks to be done, besides the options of each query: the mode.
    (A NamedTuple, not a dataclass: built on every search, ~1 M instructions, not ~4.5 M.)"""

    text: str  # the QUERY
    similar: str | None = None
    batch: BinaryIO | None = None
    save_as: str | None = None
    list_saved: bool = False
    open_shell: bool = False
    no_daemon: bool = False

    @classmethod
    def of(cls, text: str, params: dict[str, Any]) -> Request:
        """The request of the command's parameters (named as the fields are)."""
        return cls(text, **{name: params[name] for name in cls._fields if name != "text"})

    @property
    def other_work(self) -> list[str]:
        """The options that ask for something else than a query or the shell."""
        given = {
            "--batch": self.batch,
            "--similar": self.similar,
            "--saved": self.list_saved,
            "--save": self.save_as,
        }
        return [name for name, value in given.items() if value]

    def opens_shell(self, *, on_terminal: bool) -> bool:
        """--shell, or nothing to do but a query that was not given, on a terminal."""
        return self.open_shell or (not self.text and on_terminal and not self.other_work)


def query_mode(request: Request, asked: Asked, *, served: bool) -> ExitStatus:
    """One query (or --similar PATH) on a fresh index: print the hits, or open one (--open)."""
    from indexer.search.saved import SavedSearches, check_name

    settings, similar, save_as = asked.settings, request.similar, request.save_as
    on_cluster = settings.engine == "opensearch"
    saved = SavedSearches(settings.index_dir)
    # The check runs in a child while this process checks the usage, loads Whoosh
    # and runs the query on the index as it is.
    # A cluster is kept fresh by `indexer update --engine opensearch`, not by each search.
    if on_cluster:
        from indexer.index.freshness import PendingCheck

        pending = PendingCheck(known=False)  # nothing to check: the answer is the cluster's
    else:
        pending = start_freshness_check(
            settings.corpus, settings.index_dir, no_update=asked.no_update, settings=settings
        )
    try:
        check_usage(request.text, asked, similar=similar)
        if save_as is not None:
            if similar is not None:
                raise UsageProblem("--save saves a QUERY, not --similar")
            check_name(save_as)
        text = saved.expand(request.text)
        if asked.debug:
            echo(terminal_safe(f"query: {text}"), err=True)
        answer = fresh_answer(pending, text, similar, asked, no_update=asked.no_update)
    finally:
        pending.discard()
    status = show(answer, text, similar, asked)
    if save_as is not None:
        replaced = saved.save(save_as, text)
        echo(f"search: {'replaced' if replaced else 'saved'} @{save_as}: {terminal_safe(text)}", err=True)
    if not served and not request.no_daemon and settings.daemon and not on_cluster:
        offer_resident_process(settings)
    return status


def check_usage(text: str, asked: Asked, *, similar: str | None) -> None:
    """Options that cannot go together are a usage error (exit 2) before any work is done."""
    if similar is not None and text:
        raise UsageProblem("--similar takes a note's path, not a QUERY")
    if similar is None and not text:
        raise UsageProblem('missing QUERY (try: search "ransomware", or search --shell)')
    from indexer.output.script_output import check_format_version

    output = asked.output
    check_format_version(asked.version)
    if asked.null and output is not OutputFormat.PATHS:
        raise UsageProblem("-0/--null goes with paths output (--files or --output paths)")
    if asked.absolute and output is not OutputFormat.PATHS:
        raise UsageProblem("--absolute goes with paths output (--files or --output paths)")
    if asked.open_rank is not None and output is not OutputFormat.TEXT:
        raise UsageProblem(f"--open opens a note; it cannot be combined with {output.flag}")
    if asked.options.explain and not output.has_passages:
        raise UsageProblem(f"--explain cannot be combined with {output.flag}")
    # Facets and the timeline go with text or --json output only.
    for name, given in (("--facet", bool(asked.options.facets)), ("--timeline", asked.options.timeline)):
        if given and output not in (OutputFormat.TEXT, OutputFormat.JSON):
            raise UsageProblem(f"{name} cannot be combined with {output.flag}; use --json or text output")


def offer_resident_process(settings: Settings) -> None:
    """After answering: start a resident process for the next search, unless one runs."""
    from indexer.daemon.spawn import start_in_background

    sys.stdout.flush()
    start_in_background(settings)
