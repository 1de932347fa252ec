"""What the `search` command's options ask of each query: the search itself
(`SearchOptions`) and how its answer is printed (`Asked`), with notes.toml's values for
the options left at their defaults."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from indexer.cli.settings import Settings
from indexer.cli.usage_problem import UsageProblem
from indexer.output.formats import OutputFormat
from indexer.output.terminal import ColorMode
from indexer.search.options import DEFAULT_PASSAGES, SearchOptions


class Asked(NamedTuple):
    """What the options ask of each query: the search (`SearchOptions`) and how it is printed.
    (A NamedTuple, not a dataclass: built on every search, ~1 M instructions, not ~4.5 M.)"""

    options: SearchOptions
    settings: Settings  # notes.toml and friends, once resolved
    output: OutputFormat = OutputFormat.TEXT
    color: ColorMode = ColorMode.AUTO
    passages: int = DEFAULT_PASSAGES  # passages printed per hit in text
    facet_limit: int | None = None
    version: int = 1
    null: bool = False
    absolute: bool = False
    debug: bool = False
    open_rank: int | None = None
    no_update: bool = False

    def search_options(self, **changes: Any) -> SearchOptions:
        """The options of the search, as the output needs it: passages only where they are
        printed (one at least, which says which fields matched), the facet a value output
        prints; with `changes` made."""
        counted, facets = self.output.facet, self.options.facets
        return replace(
            self.options,
            passages=max(1, self.passages) if self.output.has_passages else 0,
            facets=(*facets, counted) if counted else facets,
            **changes,
        )


def asked_from(settings: Settings) -> Asked:
    """The options of each query and of its printing; those left at their defaults take
    their notes.toml values (`settings.options`)."""
    chosen = settings.options
    typed_output, configured = chosen["output"], chosen["output_choice"]
    configured = None if configured == OutputFormat.TEXT else configured
    if typed_output and configured and typed_output != configured:
        if "output_choice" in settings.typed:
            raise UsageProblem(f"--{typed_output} and --output {configured} ask for different outputs")
        configured = None  # a typed --json beats the configured output
    output = OutputFormat(typed_output or configured or OutputFormat.TEXT)
    options = SearchOptions(
        limit=settings.limit,
        page=chosen["page"],
        sort=settings.sort,
        context=chosen["context_chars"],
        facets=_facets(chosen["facets"], output, typed=settings.typed),
        timeline=chosen["show_timeline"],
        explain=chosen["explain"],
        all_copies=chosen["all_copies"],
        correct=not chosen["exact"],
    )
    return Asked(
        options,
        settings,
        output=output,
        color=ColorMode(chosen["color"]),
        passages=chosen["passages"],
        facet_limit=chosen["facet_limit"],
        version=chosen["format_version"],
        null=chosen["null"],
        absolute=chosen["absolute"],
        debug=chosen["debug_query"],
        open_rank=chosen["open_rank"],
        no_update=chosen["no_update"],
    )


def _facets(values: tuple[str, ...], output: OutputFormat, *, typed: frozenset[str]) -> tuple[str, ...]:
    """The facets asked for; configured ones are left out of outputs that have no place for them."""
    if "facets" not in typed and output not in (OutputFormat.TEXT, OutputFormat.JSON):
        return ()
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())
