"""The `search` command line of the common kind without click (indexer/cli/common_argv.py):
the same options as the click command, the same request resolved, the same bytes printed,
and click never loaded."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indexer.cli.search as search_command
from indexer.cli.common_argv import OPTIONS, common_request, read_common_argv
from indexer.cli.config import describe
from indexer.cli.query_mode import check_usage
from indexer.errors import NotesError
from indexer.output.console import error_line

# --- one description of the options -------------------------------------------------------


def _click_view(param: click.Option, defaults: dict[str, object]) -> tuple:
    """An option of the click command as (name, flags, kind, default, envvar, low, high,
    choices, multiple, value, readable): the fields of `common_argv.Option`. `defaults`:
    the command's parameters when nothing is typed or set."""
    kind, low, high, choices, value, readable = "text", None, None, (), None, True
    kind_of = param.type
    if param.is_flag and isinstance(param.flag_value, str):
        kind, value = "value", param.flag_value
    elif param.is_flag:
        kind = "flag"
    elif isinstance(kind_of, click.IntRange):
        kind, low, high = "int", kind_of.min, kind_of.max
    elif kind_of is click.INT:
        kind = "int"
    elif isinstance(kind_of, click.Choice):
        kind, choices = "choice", tuple(kind_of.choices)
    elif isinstance(kind_of, click.Path):
        assert not kind_of.file_okay and kind_of.dir_okay and not kind_of.exists, param.name
        kind, readable = "path", kind_of.readable
    elif isinstance(kind_of, click.File):
        kind = "file"
    else:
        assert kind_of is click.STRING, param.name
    default = defaults[param.name]
    flags = tuple(param.opts) + tuple(param.secondary_opts)
    return (
        param.name,
        flags,
        kind,
        default,
        param.envvar,
        low,
        high,
        choices,
        param.multiple,
        value,
        readable,
    )


def _table_view(option) -> tuple:
    return (
        option.name, option.flags, option.kind, option.default, option.envvar, option.low, option.high,
        option.choices, option.multiple, option.value, option.readable,
    )  # fmt: skip


def test_the_options_table_describes_every_option_of_the_click_command_as_it_is():
    context = search_command.search_main.make_context("search", ["x"])
    params = [
        param for param in search_command.search_main.get_params(context) if isinstance(param, click.Option)
    ]
    exposed = [param for param in params if param.expose_value]
    defaults = context.params
    assert [_table_view(option) for option in OPTIONS] == [_click_view(param, defaults) for param in exposed]
    # What the table leaves out is what the fast path never serves: help and version.
    assert {flag for param in params if not param.expose_value for flag in param.opts} == {
        "-h", "--help", "-V", "--version",
    }  # fmt: skip


# --- the same request as the click command ------------------------------------------------


class _Reached(BaseException):
    """The click command got to its one-query mode (a BaseException: no handler catches it)."""


def _settings_view(settings) -> tuple:
    return settings._replace(config=None), describe(settings.config)


def click_outcome(args: list[str]) -> tuple:
    """What the click command does with ARGS: ("query", request, asked view), ("exit", code,
    stderr), ("usage",) or ("other",) for another mode."""
    reached = []

    def query_mode(request, asked, *, served):
        check_usage(request.text, asked, similar=request.similar)  # as query_mode does first
        reached.append((request, asked))
        raise _Reached

    stderr = io.StringIO()
    with mock.patch.object(search_command, "query_mode", query_mode), contextlib.redirect_stderr(stderr):
        try:
            search_command.search_main.main(args, prog_name="search", standalone_mode=False)
        except _Reached:
            request, asked = reached[0]
            return ("query", request, asked._replace(settings=None), _settings_view(asked.settings))
        except click.UsageError:
            return ("usage",)
        except click.ClickException:
            return ("click",)
        except SystemExit as stop:
            return ("exit", stop.code, stderr.getvalue())
    return ("other",)


def fast_outcome(args: list[str]) -> tuple | None:
    """What the fast path does with ARGS: None when it declines, else as `click_outcome`."""
    given_line = read_common_argv(args)
    if given_line is None:
        return None
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            asked_for = common_request(given_line)
        except NotesError as exc:
            return ("error", error_line("search", exc))
    if asked_for is None:
        return None
    request, asked = asked_for
    return ("query", request, asked._replace(settings=None), _settings_view(asked.settings))


# Values of each kind: mostly ones click takes, now and then one it refuses.
GOOD_FLAG_VARIABLES = ["1", "0", "true", "no", " on ", " ", "False"]
BAD_FLAG_VARIABLES = ["t", "Y", "2", "yes please"]  # t and Y: click takes them, notes.toml's check not
TEXTS = ["source", "year,source", "sample", "x y", "-date"]


def _rarely(good: list[str], bad: list[str]):
    """Strategy: a value of `good`, or one time in eight one of `bad`."""
    return st.integers(0, 7).flatmap(lambda n: st.sampled_from(bad if n == 0 and bad else good))


def _values_for(option, places: dict[str, str]):
    if option.kind == "int":
        low = 1 if option.low is None else option.low  # --format-version: 1 is the one it writes
        good = [str(low), f" {low + 1}", f"{low + 3}", f"+{low}"]
        bad = [str(low - 1) if option.low is not None else "99", "x", "", "2.5", "1e3"]
        if option.high is not None:
            good.append(str(option.high))
            bad.append(str(option.high + 1))
        return _rarely(good, bad)
    if option.kind == "choice":
        return _rarely(list(option.choices), ["bogus", "", "JSON"])
    if option.kind == "path":
        return _rarely([places["folder"], places["missing"]], [places["file"]])
    if option.kind == "file":
        return st.just("-")
    return st.sampled_from(TEXTS)


def _option(option, places: dict[str, str]):
    """Strategy: the tokens of one option, in each form click takes."""
    if option.kind in ("flag", "value"):
        return st.sampled_from(option.flags).map(lambda flag: [flag])
    values, flag = _values_for(option, places), st.sampled_from(option.flags)
    return st.tuples(flag, values).map(list) | st.tuples(
        st.sampled_from([flag for flag in option.flags if flag.startswith("--")]), values
    ).map(lambda pair: [f"{pair[0]}={pair[1]}"])


def _pieces(places: dict[str, str]):
    """Strategy: one piece of a command line (a few tokens): mostly a word or an option the
    fast path serves, sometimes one it leaves to click."""
    words = st.sampled_from(["ransomware", "GPRS gateway", "title:x", "a=b", "ransom*"])
    odd = st.sampled_from(["-", "--", "-word", "--help", "-h", "-V", "--bogus", "--json=1", "-0n", "-n5"])
    common = st.one_of([_option(option, places) for option in OPTIONS if option.common])
    others = st.one_of([_option(option, places) for option in OPTIONS if not option.common])
    return st.integers(0, 39).flatmap(
        lambda n: odd.map(lambda token: [token]) if n == 0 else others if n == 1
        else words.map(lambda word: [word]) if n < 12 else common
    )  # fmt: skip


def _variables(places: dict[str, str]):
    """Strategy: NOTES_* variables of the options, good values and bad."""
    entries = []
    for option in OPTIONS:
        if option.envvar is None:
            continue
        if option.kind == "flag":
            values = _rarely(GOOD_FLAG_VARIABLES, BAD_FLAG_VARIABLES)
        else:
            values = _values_for(option, places)
        entries.append(st.tuples(st.just(option.envvar), values))
    return st.lists(st.one_of(entries), max_size=3).map(dict)


TOML_LINES = [
    "limit = 3",
    'sort = "-date"',
    'output = "json"',
    'output = "tags"',
    'facet = ["source"]',
    "exact = true",
    "passages = 1",
    'color = "never"',
    "limit = -1",  # a bad value: an error naming the file
    "bogus = 1",  # an unknown key: a warning
    'collection = "sample"',
    "no_update = true",
]


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A working folder with a corpus folder, a file and a missing path (for --corpus/--index)."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "sample").mkdir()
    monkeypatch.chdir(tmp_path)
    return {"folder": "notes", "file": "a-file", "missing": "no-such-folder"}


def test_the_fast_path_declines_or_resolves_the_request_the_click_command_resolves(places):
    toml = Path("notes.toml")

    @settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(
        pieces=st.lists(_pieces(places), min_size=1, max_size=7),
        variables=_variables(places),
        lines=st.lists(st.sampled_from(TOML_LINES), max_size=3, unique=True),
        collection_table=st.booleans(),
        corpus=st.sampled_from([[], ["--corpus", "notes"], ["--corpus=notes"], ["-c", "sample"]]),
        word=st.sampled_from([[], ["ransomware"], ["ransomware"], ["GPRS gateway"]]),
    )
    def check(pieces, variables, lines, collection_table, corpus, word):
        args = [*corpus, *word, *(token for piece in pieces for token in piece)]
        table = ['[collections.sample]\npath = "sample"'] if collection_table else []
        toml.write_text("\n".join([*lines, *table]) + "\n")
        with mock.patch.dict(os.environ, variables):
            fast = fast_outcome(args)
            if fast is None:
                return  # the click command serves it, as before
            slow = click_outcome(args)
        if fast[0] == "error":
            assert slow[:2] == ("exit", 2), (args, variables, lines)
            assert slow[2].endswith(fast[1] + "\n"), (args, variables, lines)
        else:
            assert fast == slow, (args, variables, lines)

    check()


def test_the_comparison_above_can_tell_a_wrong_request(places):
    """The property's own check: a line it serves, and one changed option, differ."""
    served = ["ransomware", "--corpus", "notes", "-n", "3", "--json"]
    assert fast_outcome(served) == click_outcome(served)
    assert fast_outcome(served) != click_outcome([*served, "-n", "4"])


@pytest.mark.parametrize(
    "args",
    [
        ["--corpus", "notes"],  # no query: the shell or a usage error
        ["x", "--corpus", "notes", "--help"],
        ["x", "--corpus", "notes", "--bogus"],
        ["x", "--corpus", "notes", "--", "-y"],
        ["x", "--corpus", "notes", "-n5"],
        ["x", "--corpus", "notes", "-n", "-1"],
        ["x", "--corpus", "notes", "-0"],  # a usage error found after parsing
        ["x", "--corpus", "notes", "--json", "--output", "tags"],
        ["x", "--corpus", "a-file"],
        ["x", "--corpus", "notes", "--similar", "y.md"],
        ["x", "--corpus", "notes", "--limit"],
    ],
)
def test_lines_for_click_are_declined(places, args):
    assert fast_outcome(args) is None


def test_completion_variables_and_bad_variables_are_declined(places):
    args = ["x", "--corpus", "notes"]
    assert fast_outcome(args) is not None
    with mock.patch.dict(os.environ, {"_SEARCH_COMPLETE": "bash_source"}):
        assert fast_outcome(args) is None
    with mock.patch.dict(os.environ, {"NOTES_LIMIT": "ten"}):
        assert fast_outcome(args) is None
    with mock.patch.dict(os.environ, {"NOTES_EXACT": "maybe"}):
        assert fast_outcome(args) is None


# --- the same bytes, without click ---------------------------------------------------------

# The console script's code in a fresh interpreter; whether click was loaded goes to a file.
FAST = (
    "import os, sys; sys.argv[0] = 'search'\n"
    "from indexer.cli.startup import run_search\n"
    "try:\n    run_search()\n"
    "finally:\n"
    "    open(os.environ['LOADED_TO'], 'w').write(str('click' in sys.modules))\n"
)
# The click command as the console script ran it before the fast path.
CLICK = "import sys; sys.argv[0] = 'search'; from indexer.cli.search import search_main; search_main()"

E2E_CASES = [
    (["ransomware"], {}, False),
    (["ransomware", "--json", "-n", "2"], {}, False),
    (["--count", "ransomware"], {}, False),
    (["zyzzyva"], {}, False),  # no match: exit 1
    (["ransomwear", "--color", "always", "-n", "1"], {}, False),  # a correction on stderr
    (["ransomware", "--files", "-0"], {}, False),
    (["author:cimpanu date:2021-10", "--sort=-date", "--jsonl"], {}, False),
    (["ransomware", "--facet", "source", "--timeline", "-n", "1"], {"NOTES_LIMIT": "2"}, False),
    (["ransomware", "--format-version", "9"], {}, False),  # an error after parsing: exit 2
    (["title:"], {}, False),
    (["ransomware", "-0"], {}, True),  # a usage error: click's
    (["ransomware", "--bogus"], {}, True),
    (["ransomware"], {"NOTES_LIMIT": "ten"}, True),
]


def _run(script: str, args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.mark.parametrize(("args", "variables", "by_click"), E2E_CASES, ids=lambda value: str(value))
def test_a_fresh_search_prints_what_the_click_command_prints_and_loads_click_only_when_declining(
    bundled_index, tmp_path, args, variables, by_click
):
    corpus_dir, index = bundled_index
    (tmp_path / "notes.toml").write_text("bogus_key = 1\n")  # a warning line on stderr, each way
    loaded = tmp_path / "loaded"
    env = {**os.environ, **variables, "NOTES_NO_DAEMON": "1", "LOADED_TO": str(loaded)}
    where = ["--corpus", str(corpus_dir), "--index", str(index), "--no-update"]
    fast = _run(FAST, [*args, *where], env, tmp_path)
    slow = _run(CLICK, [*args, *where], env, tmp_path)
    assert (fast.stdout, fast.stderr, fast.returncode) == (slow.stdout, slow.stderr, slow.returncode)
    assert b"warning: " in fast.stderr or b"No such option" in fast.stderr or b"Invalid value" in fast.stderr
    assert loaded.read_text() == str(by_click)


# --- echo: click's bytes without click -----------------------------------------------------

ECHOES = (
    "echo('plain'); echo('\\x1b[1mbold\\x1b[0m and \\x1b[38;5;2mgreen\\x1b[m', err=True); echo(17)\n"
    "echo(None); echo('', nl=False); echo('no newline', nl=False)\n"
    "echo('\\x1b[1m\\u00e9t\\u00e9', err=True)\n"
    "echo(b'bytes\\n', nl=False); echo('after bytes')\n"
)


def _echoes(module: str, *, tty: bool = False, one_pipe: bool = False) -> tuple[bytes, bytes]:
    """ECHOES through `module`'s echo in a fresh interpreter: (stdout, stderr); on a pseudo
    terminal with `tty`, or on one pipe with `one_pipe` (both streams: their bytes as stdout,
    in the order written)."""
    loaded = "import sys; assert ('click' in sys.modules) == (echo.__module__ == 'click.utils')\n"
    script = f"from {module} import echo\n{loaded}{ECHOES}"
    command = [sys.executable, "-c", script]
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # a pipe's buffer
    if not tty:
        errors = subprocess.STDOUT if one_pipe else subprocess.PIPE
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=errors, env=env, timeout=60, check=True)
        return done.stdout, done.stderr or b""
    import pty

    leader, follower = pty.openpty()
    with subprocess.Popen(
        command, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, env=env
    ) as child:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert child.wait(timeout=60) == 0
    os.close(leader)
    return b"".join(chunks), b""


@pytest.mark.parametrize(("tty", "one_pipe"), [(False, False), (False, True), (True, False)])
def test_echo_without_click_writes_the_bytes_click_echo_writes(tty, one_pipe):
    ours = _echoes("indexer.output.echo", tty=tty, one_pipe=one_pipe)
    assert ours == _echoes("click", tty=tty, one_pipe=one_pipe)
    assert (b"\x1b[1m" in ours[0] + ours[1]) == tty  # escapes kept on a terminal only
