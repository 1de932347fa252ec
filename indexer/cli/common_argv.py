"""The `search` command line of the common kind, served without click.

A one-shot search spent ~45 M instructions on click (its import, the command's ~40
options, parsing; `benchmarks/results/2026-12-05-cold-path.md`): 7-9% of a cold search.
`serve_common_argv` reads a query and the options people type most (`OPTIONS`, those
marked `common`) straight from `sys.argv`, checks each value as click's type would, and
runs the one query as the click command would (`cli/query_mode.py`), with the same
settings (`cli/settings.py`, given which options were typed). It declines, and the click
command runs as before, on anything else: another option, a bad or missing value, `--`, a
bundled short flag, `--help`, completion variables, no query, a `NOTES_*` value click would
refuse, a usage error of any kind, several collections. So every message of click's stays
click's. Declining is silent and leaves nothing done: only settings' warnings may have
been printed, which the click command does not print again (`settings._warned`).

`OPTIONS` describes every parameter of the click command (`cli/search.py`) as data: name,
flags, kind, default, variable. `tests/test_common_argv.py` fails when one is missing or
differs from the click command's, and compares both paths over drawn command lines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from indexer.output.formats import OutputFormat
from indexer.output.terminal import ColorMode
from indexer.search.options import SortOrder

if TYPE_CHECKING:
    from indexer.cli.asked import Asked
    from indexer.cli.query_mode import Request


class Option(NamedTuple):
    """One parameter of the `search` command, as its click option declares it."""

    name: str  # the parameter's name (the key of click's `ctx.params`)
    flags: tuple[str, ...]
    kind: str  # flag, int, choice, text, path, file; `value`: a flag that sets `name` to `value`
    default: object = None
    envvar: str | None = None
    low: int | None = None  # an int's bounds (click.IntRange)
    high: int | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False
    value: str | None = None  # what a flag of kind `value` sets
    readable: bool = True  # a path click checks is readable (click.Path's default)
    common: bool = True  # served here when typed; else the click command serves the line


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


OPTIONS: tuple[Option, ...] = (
    Option("limit", ("-n", "--limit"), "int", 10, "NOTES_LIMIT", low=0),
    Option("page", ("-p", "--page"), "int", 1, low=1),
    Option("sort", ("-s", "--sort"), "choice", "relevance", "NOTES_SORT", choices=_values(SortOrder)),
    Option("output", ("--json",), "value", value="json"),
    Option("output", ("--jsonl",), "value", value="jsonl"),
    Option("output", ("--count",), "value", value="count"),
    Option("output", ("--files",), "value", value="paths"),
    Option("output_choice", ("--output",), "choice", None, "NOTES_OUTPUT", choices=_values(OutputFormat)),
    Option("absolute", ("--absolute",), "flag", False),
    Option("null", ("-0", "--null"), "flag", False),
    Option("passages", ("--passages",), "int", 2, "NOTES_PASSAGES", low=0, high=20),
    Option("context_chars", ("--context",), "int", 220, "NOTES_CONTEXT", low=40),
    Option("format_version", ("--format-version",), "int", 1, "NOTES_FORMAT_VERSION"),
    Option("all_copies", ("--all-copies",), "flag", False, "NOTES_ALL_COPIES"),
    Option("exact", ("--exact",), "flag", False, "NOTES_EXACT"),
    Option("debug_query", ("--debug-query",), "flag", False),
    Option("open_rank", ("--open",), "int", None, low=1, common=False),
    Option("collections", ("-c", "--collection"), "text", (), multiple=True),
    Option("corpus", ("--corpus",), "path", None, "NOTES_CORPUS"),
    Option("index_dir", ("--index",), "path", None, "NOTES_INDEX", readable=False),
    Option("no_update", ("--no-update",), "flag", False, "NOTES_NO_UPDATE"),
    Option("no_daemon", ("--no-daemon",), "flag", False),
    Option("color", ("--color",), "choice", "auto", "NOTES_COLOR", choices=_values(ColorMode)),
    Option("facets", ("--facet",), "text", (), "NOTES_FACET", multiple=True),
    Option("facet_limit", ("--facet-limit",), "int", None, "NOTES_FACET_LIMIT", low=0),
    Option("show_timeline", ("--timeline",), "flag", False),
    Option("explain", ("--explain",), "flag", False),
    Option("similar", ("--similar",), "text", None, common=False),
    Option("batch", ("--batch",), "file", None, common=False),
    Option("save_as", ("--save",), "text", None, common=False),
    Option("list_saved", ("--saved",), "flag", False, common=False),
    Option("show_config", ("--config-show",), "flag", False, common=False),
    Option("open_shell", ("--shell",), "flag", False, common=False),
    Option("engine", ("--engine",), "choice", "whoosh", "NOTES_ENGINE", choices=("whoosh", "opensearch")),
    Option("url", ("--url",), "text", "http://localhost:9200", "NOTES_URL"),
    Option("index_name", ("--index-name",), "text", "notes", "NOTES_INDEX_NAME"),
)  # fmt: skip

_BY_FLAG = {flag: option for option in OPTIONS if option.common for flag in option.flags}
# What click's BoolParamType reads as a flag's value from its variable (click 8.5).
_BOOLEANS = frozenset({"1", "0", "yes", "no", "true", "false", "on", "off", "t", "f", "y", "n", ""})


class _Declined(Exception):
    """The command line is not one this path serves: the click command serves it."""


class Given(NamedTuple):
    """A command line read as the click command reads it: its parameters and those typed."""

    params: dict[str, object]
    typed: frozenset[str]


def read_common_argv(args: list[str], environ: Mapping[str, str] = os.environ) -> Given | None:
    """The click command's parameters for `args`, or None where this path declines."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None  # click's shell completion
    try:
        return _read(args, environ)
    except _Declined:
        return None


def _read(args: list[str], environ: Mapping[str, str]) -> Given:
    words: list[str] = []
    typed: dict[str, object] = {}
    position = 0
    while position < len(args):
        arg = args[position]
        position += 1
        if not arg.startswith("-"):
            words.append(arg)
            continue
        flag, equals, attached = arg.partition("=")
        option = _BY_FLAG.get(flag) if flag.startswith("--") or not equals else None
        if option is None:
            raise _Declined  # an unknown option, `--`, `-`, `-n5`, `-0n`, `--help`...
        if option.kind in ("flag", "value"):
            if equals:
                raise _Declined  # click: the option does not take a value
            typed[option.name] = True if option.kind == "flag" else option.value
            continue
        if not equals:
            if position == len(args):
                raise _Declined  # click: the option requires an argument
            attached = args[position]
            position += 1
        value = _converted(option, attached)
        if option.multiple:
            typed[option.name] = (*typed.get(option.name, ()), value)  # type: ignore[misc]
        else:
            typed[option.name] = value
    params: dict[str, object] = {"query": tuple(words)}
    for option in OPTIONS:
        if option.name in params:
            continue
        if option.name in typed:
            params[option.name] = typed[option.name]
        elif option.envvar and environ.get(option.envvar):
            params[option.name] = _from_variable(option, environ[option.envvar])
        else:
            params[option.name] = option.default
    return Given(params, frozenset(typed))


def _converted(option: Option, text: str) -> object:
    """`text` as click's type for `option` converts it; declined where click refuses it."""
    if option.kind == "int":
        try:
            number = int(text)
        except ValueError:
            raise _Declined from None
        too_low = option.low is not None and number < option.low
        if too_low or (option.high is not None and number > option.high):
            raise _Declined
        return number
    if option.kind == "choice":
        if text not in option.choices:
            raise _Declined
        return text
    if option.kind == "path":
        return _path(text, readable=option.readable)
    return text


def _from_variable(option: Option, text: str) -> object:
    """A `NOTES_*` variable's value, as click reads it for the option."""
    if option.kind == "flag":
        if text.strip().lower() not in _BOOLEANS:
            raise _Declined
        return text.strip().lower() in ("1", "yes", "true", "on", "t", "y")
    if option.multiple:
        return tuple(_converted(option, part) for part in text.split())
    return _converted(option, text)


def _path(text: str, *, readable: bool) -> Path:
    """click.Path(file_okay=False): a folder that exists must not be a file (and be readable)."""
    import stat

    try:
        status = os.stat(text)
    except OSError:
        return Path(text)
    except ValueError:
        raise _Declined from None
    if stat.S_ISREG(status.st_mode) or (readable and not os.access(text, os.R_OK)):
        raise _Declined
    return Path(text)


def serve_common_argv(args: list[str]) -> None:
    """Run `search ARGS` here and exit, if it is a command line of the common kind; else
    return, having done nothing the click command will not do again the same way."""
    given = read_common_argv(args)
    if given is None:
        return
    from indexer.cli.query_mode import query_mode
    from indexer.output.console import cli_errors

    with cli_errors("search"):
        asked_for = common_request(given)
        if asked_for is None:
            return
        sys.exit(query_mode(*asked_for, served=False))


def common_request(given: Given) -> tuple[Request, Asked] | None:
    """The one query `given` asks for, as the click command would run it (`query_mode`), or
    None where that command would do something else: the shell, several collections, a usage
    error. Raises what resolving the settings raises (a bad notes.toml: `NotesError`)."""
    from indexer.cli.asked import asked_from
    from indexer.cli.query_mode import Request, check_usage
    from indexer.cli.settings import resolve_settings
    from indexer.cli.usage_problem import UsageProblem

    text = " ".join(given.params["query"]).strip()  # type: ignore[arg-type]
    if not text:
        return None  # the shell, or click's usage error
    settings = resolve_settings("search", given.params, typed=given.typed)
    if len(settings.targets) > 1:
        return None  # several collections: one merged list
    try:
        asked = asked_from(settings)
        request = Request.of(text, settings.options)
        check_usage(request.text, asked, similar=None)
    except UsageProblem:
        return None  # click shows it
    return request, asked
