"""Random and adversarial query text against the parser and the `search` command.

The parser either returns a query or raises `QueryError`; `search` answers with hits
(exit 0), no hits (exit 1) or one line on stderr (exit 2), never a traceback, each
within 2 s of CPU time (not wall time: a machine busy with other work would make a wall
clock limit fail at random). Examples are derandomized, so every run tries the same ones.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from indexer.cli import search_main
from indexer.errors import QueryError
from indexer.search.searching import open_index

# As many examples as the profile says (tests/conftest.py: 30 quick, 300 thorough); the
# CLI properties run fewer (below): each starts a whole search.
EXAMPLES = settings.default.max_examples
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # each example's CPU time is checked instead (`within_time_limit`)
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FIELDS = ["title", "body", "author", "tag", "tags", "date", "path", "link", "url", "source", "country"]
WORDS = ["ransomware", "GPRS", "gateway", "T-Mobile", "conti", "a", "the", "x.com/y", "café", "2021"]
OPERATORS = ["AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE", "&&", "||", "!"]
SYMBOLS = [*"\"'()[]{}:*?~^-+><=\\/!&|,.;", "\x00", "\x1b[2J", "\r", "\u202e", "\ufeff", "\U0001f98a"]
GARBAGE_DATES = [
    "2021", "2021-08", "2021-08-16", "0000", "0000-01-01", "99999", "99999-99-99", "2021-02-30",
    "2021-13-45", "yesterday", "today", "aug 2021", "next century", "-1y", "+99999y", "now", "x", "",
    "1e9", "--", "2021-08-16T25:61", "\x00",
]  # fmt: skip

words = st.one_of(
    st.sampled_from(WORDS),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    st.text(min_size=1, max_size=10),  # any characters, controls included
)
dates = st.one_of(
    st.sampled_from(GARBAGE_DATES), st.from_regex(r"[+-]?\d{1,6}([-/.]\d{1,3}){0,2}", fullmatch=True)
)
terms = st.one_of(
    words,
    st.sampled_from(OPERATORS),
    st.sampled_from(SYMBOLS),
    st.from_regex(r"\*?[a-z]{0,3}[*?]?[a-z]{0,2}\*?", fullmatch=True),  # wildcards: *a*, ra?s*
    st.builds(
        "{}~{}".format, words, st.sampled_from(["", "1", "2", "3", "9", "99", "-1", "0.5", "2/1", "x"])
    ),
    st.builds("{}{}".format, st.sampled_from(["-", "+", "--", "-(", "NOT "]), words),  # -word, +word
    st.builds("{}^{}".format, words, st.sampled_from(["", "2", "-1", "1e308", "x"])),
    st.builds(
        "{}:{}".format, st.sampled_from([*FIELDS, "auther", "", "ｔｉｔｌｅ"]), st.one_of(st.just(""), words)
    ),
    st.builds('{}:"{}'.format, st.sampled_from(FIELDS), words),  # a phrase never closed
    st.builds(
        "{}:{}{} to {}{}".format,
        st.sampled_from(["date", "title", "path"]),
        st.sampled_from(["[", "{", ""]),
        dates,
        dates,
        st.sampled_from(["]", "}", ""]),
    ),
    st.builds("date:{}{}".format, st.sampled_from([">", "<", ">=", "<=", ">>", "=", ""]), dates),
)
plain = st.lists(terms, min_size=1, max_size=12).map(" ".join)
nested = st.builds(
    lambda opening, inner, closing: "(" * opening + inner + ")" * closing,
    st.integers(0, 3000),
    plain,
    st.integers(0, 3000),
)
huge = st.builds(lambda unit, count: (unit + " ") * count, terms, st.integers(100, 6000))  # up to ~60 KB
queries = st.one_of(plain, plain, plain, nested, huge, st.text(max_size=200))


CPU_SECONDS = 2.0


@contextmanager
def within_time_limit(text: str):
    started = time.process_time()
    try:
        yield
    finally:  # errors are timed too: a slow refusal is as bad as a slow answer
        spent = time.process_time() - started
        assert spent < CPU_SECONDS, f"{spent:.2f} s of CPU for {text[:80]!r}"


@pytest.fixture(scope="module")
def parser(bundled_index):
    with open_index(*bundled_index) as notes:
        yield notes.parser  # with the index's reader: wildcards are checked against its words


@FUZZ
@given(text=queries)
def test_the_parser_returns_a_query_or_raises_query_error_and_nothing_else(parser, text):
    try:
        with within_time_limit(text):
            parsed = parser.parse(text)
    except QueryError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(parsed, wq.Query)


@settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))
@given(text=queries)
def test_search_answers_hits_no_hits_or_one_line_error_and_never_a_traceback(bundled_index, text):
    corpus, index = bundled_index
    with within_time_limit(text):
        result = CliRunner().invoke(
            search_main,
            ["--no-update", "--corpus", str(corpus), "--index", str(index), "--", text],
            prog_name="search",
        )
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stdout == ""
        assert result.stderr.startswith("search: ") and result.stderr.count("\n") == 1, result.stderr


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@given(
    args=st.lists(
        st.one_of(terms, st.sampled_from(["-n", "-p", "-s", "--json", "--limit", "-x", "--"])), max_size=6
    )
)
def test_search_with_random_options_and_words_never_shows_a_traceback(bundled_index, args):
    corpus, index = bundled_index
    with within_time_limit(" ".join(args)):
        result = CliRunner().invoke(
            search_main,
            ["--no-update", "--corpus", str(corpus), "--index", str(index), *args],
            prog_name="search",
        )
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert result.stderr.startswith("search: ") and result.stderr.count("\n") == 1, result.stderr
