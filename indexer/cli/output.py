"""What `search` prints: results on stdout through `render`, the match count on stderr."""

from __future__ import annotations

import sys

from indexer.output.echo import echo
from indexer.output.formats import OutputFormat
from indexer.output.terminal import ColorMode, is_terminal

# Values shown per facet in text output when --facet-limit is not given (JSON shows all).
TEXT_FACET_LIMIT = 10


def print_result(
    result, output: OutputFormat, color: ColorMode, *, facet_limit: int | None = None, version: int = 1,
    null: bool = False, passages: int = 2, settings=None, place=None,
) -> None:  # fmt: skip
    """Print a `SearchResult` as text, JSON, JSONL or paths; the match count goes to stderr."""
    from indexer.output import render, script_output
    from indexer.output.terminal import terminal_width, use_color

    stdout = sys.stdout
    if output is OutputFormat.JSON:
        stdout.write(script_output.render_json(result, version=version, facet_limit=facet_limit or 0))
    elif output is OutputFormat.JSONL:
        for line in script_output.render_jsonl(result, version=version):
            stdout.write(line)
    elif output is OutputFormat.PATHS:
        # Escaped on a terminal, as `ls` does; exact when piped.
        stdout.write(script_output.render_paths(result, null=null, escape=is_terminal(stdout), place=place))
    elif output.facet is not None:
        stdout.write(script_output.render_value_counts(result.facets[output.facet]))
    elif result.hits:
        colored, width = use_color(stdout, color), terminal_width(stdout)
        if settings is not None:
            style = settings.text_style(color=colored, width=width)
        else:
            style = render.TextStyle(color=colored, width=width)
        stdout.write(render.render_text(result, style, passages=passages))
        if result.facets:
            limit = TEXT_FACET_LIMIT if facet_limit is None else facet_limit
            stdout.write("\n" + render.render_facets_text(result.facets, style, limit=limit))
        if result.timeline is not None:
            stdout.write("\n" + render.render_timeline_text(result.timeline, style, total=result.total))
        first, last = result.hits[0].rank, result.hits[-1].rank
        plural = "note matches" if result.total == 1 else "notes match"
        took = f", {result.seconds * 1000:.0f} ms" if is_terminal(sys.stderr) else ""
        stdout.flush()  # the hits first, then the count under them, even when both are piped
        echo(f"{result.total} {plural} ({first}-{last} shown{took})", err=True)
    stdout.flush()


def print_correction(corrected: str, typed: str) -> None:
    """The two lines on stderr that say a spelling correction's hits are shown."""
    from indexer.output.render import render_correction

    echo(render_correction(corrected, typed), err=True)


def print_suggestion(suggestion) -> None:
    """The did-you-mean line on stderr, if there is a suggestion."""
    if suggestion is not None:
        from indexer.output.render import render_suggestion

        echo(render_suggestion(suggestion), err=True)


def print_saved(saved: dict[str, str], output: OutputFormat) -> int:
    """The saved searches, `NAME  QUERY` a line (or one JSON object); the exit status."""
    from indexer.output.safe_text import json_safe, terminal_safe
    from indexer.status import ExitStatus

    if output is OutputFormat.JSON:
        import json

        echo(json_safe(json.dumps({"format_version": 1, "saved": saved}, ensure_ascii=False, indent=2)))
        return ExitStatus.OK
    if not saved:
        echo('No saved searches yet; save one with: search --save NAME "QUERY"', err=True)
        return ExitStatus.OK
    width = max(len(name) for name in saved) + 1
    for name, query in saved.items():
        echo(f"{'@' + name:<{width}}  {terminal_safe(query)}")
    return ExitStatus.OK
