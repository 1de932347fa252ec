"""Forms users type: `-word` excludes (as in web search, GitHub and Gmail; a hyphen inside a
word does not), typographic quotes, `date:X..Y` spans."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.errors import QueryError
from indexer.index.fields import FieldCatalog
from indexer.index.schema import build_schema
from indexer.opensearch.searching import query_terms
from indexer.opensearch.translate import to_dsl
from indexer.search import query as query_module
from indexer.search.matched_fields import QueryTerms
from indexer.search.query import QueryParser, negated_spans
from indexer.search.searching import open_index

CATALOG = FieldCatalog(structured=("country",))
# Whoosh's own NOT operator, before `-word` meant NOT.
STOCK_NOT = r"(^|(?<=(\s|[()])))NOT(?=\s)"


@pytest.fixture(scope="module")
def parser():
    return QueryParser(build_schema(), CATALOG)


@pytest.fixture(scope="module")
def stock_parser():
    """A parser that reads `-` as Whoosh always did (a character its analyzer drops)."""
    stock = QueryParser(build_schema(), CATALOG)
    saved = query_module.NOT_OPERATOR
    query_module.NOT_OPERATOR = STOCK_NOT
    try:
        stock._whoosh_parser(True), stock._whoosh_parser(False)  # built now, with the stock operator
    finally:
        query_module.NOT_OPERATOR = saved
    return stock


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


@pytest.mark.parametrize(
    ("minus", "spelled_out"),
    [
        ("ransomware -attack", "ransomware NOT attack"),
        ("-attack", "NOT attack"),
        ("-attack ransomware", "NOT attack ransomware"),
        ('ransomware -"ransomware attack"', 'ransomware NOT "ransomware attack"'),
        ("-tag:ransomware", "NOT tag:ransomware"),
        ("ransomware -author:cimpanu", "ransomware NOT author:cimpanu"),
        ('ransomware -author:"Catalin Cimpanu"', 'ransomware NOT author:"Catalin Cimpanu"'),
        ("ransomware -(attack OR gang)", "ransomware NOT (attack OR gang)"),
        ("(ransomware -attack) OR gateway", "(ransomware NOT attack) OR gateway"),
        ("ransomware -date:2021", "ransomware NOT date:2021"),
        ("ransomware -date:>2021-10", "ransomware NOT date:>2021-10"),
        ("ransomware -ransom*", "ransomware NOT ransom*"),
    ],
)
def test_a_leading_minus_means_not(parser, notes, minus, spelled_out):
    assert parser.parse(minus) == parser.parse(spelled_out)
    assert notes.count(minus) == notes.count(spelled_out)


def test_minus_excludes_on_the_bundled_corpus(notes):
    excluded = notes.count("ransomware -attack")
    assert excluded == notes.count("ransomware") - notes.count("ransomware attack")
    assert 0 < excluded < notes.count("ransomware attack")


@pytest.mark.parametrize(
    "text",
    [
        "e-mail",
        "Wi-Fi",
        "COVID-19",
        "CVE-2021-44228",
        "T-Mobile hack",
        "date:2021-10",
        "date:>2021-01",
        "date:[2021-08-01 to 2021-08-31]",
        "tag:T-Mobile",
        "ransomware - attack",  # a lone `-` is a word of no letters, as before
        "ransomware -- attack",
        "ransomware --attack",
        "title:x-ray",
        '"ransomware -attack"',  # quoted: words, not an operator
    ],
)
def test_a_hyphen_inside_a_word_or_standing_alone_keeps_its_meaning(parser, stock_parser, text):
    assert parser.parse(text) == stock_parser.parse(text)


def test_hyphenated_words_still_find_their_notes_and_differ_from_the_not_form(notes):
    assert notes.count("CVE-2021-44228") > 0
    assert notes.count("CVE-2021-44228") != notes.count("CVE NOT 2021-44228")
    assert notes.count("date:2021-10") > 0


def test_plus_is_accepted_and_changes_nothing_since_every_word_is_required(parser, notes):
    assert notes.count("+ransomware +attack") == notes.count("ransomware attack")
    assert parser.parse("+tag:ransomware") == parser.parse("tag:ransomware")


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("gatewy NOT ransomwear", ["NOT ransomwear"]),
        ('a -"x y" -tag:z c', ['-"x y"', "-tag:z"]),
        ("a NOT (b OR (c d)) e", ["NOT (b OR (c d))"]),
        ("a ANDNOT b", ["ANDNOT b"]),
        ("(a -b)", ["-b"]),
        ("e-mail COVID-19 - -- x", []),
    ],
)
def test_negated_spans_are_the_excluded_terms_with_their_operator(text, spans):
    assert [text[start:end] for start, end in negated_spans(text)] == spans


@pytest.mark.parametrize("operator", ["-", "NOT ", "NOT (", "-("])
def test_an_excluded_word_is_never_corrected_but_the_others_are(search_bundled, operator):
    closing = ")" if operator.endswith("(") else ""
    typed = f"gatewy {operator}ransomwear{closing}"
    result = search_bundled(typed, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["corrected_query"] == f"gateway {operator}ransomwear{closing}"


def test_excluded_words_are_not_highlighted_nor_counted_as_matched(search_bundled):
    result = search_bundled("ransomware -title:attack", "--json", "-n", "20")
    hits = json.loads(result.stdout)["hits"]
    marked = {
        passage["text"][start:end].lower()
        for hit in hits
        for passage in hit["passages"]
        for start, end in passage["highlights"]
    }
    assert marked and all(word.startswith("ransomware") for word in marked)
    # ... while the same word, wanted, is marked in those notes' bodies.
    wanted = search_bundled("ransomware body:attack", "--json", "-n", "20")
    assert any(
        passage["text"][start:end].lower().startswith("attack")
        for hit in json.loads(wanted.stdout)["hits"]
        for passage in hit["passages"]
        for start, end in passage["highlights"]
    )


def test_excluded_terms_and_dates_are_left_out_of_the_terms_to_mark(parser, notes):
    parsed = parser.parse("ransomware -title:attack -date:2021")
    terms = QueryTerms.of(parsed, notes.searcher.reader())
    assert "attack" not in terms.get("title") and not terms.date_ranges
    cluster_terms = query_terms(parsed)
    assert "attack" not in cluster_terms.get("title") and not cluster_terms.date_ranges
    assert "ransomwar" in cluster_terms.get("title")


def test_the_cluster_query_puts_a_minus_word_under_must_not(parser):
    dsl = to_dsl(parser.parse("ransomware -tag:phishing"))
    assert dsl["bool"]["must_not"] == [{"term": {"tag": {"value": "phishing", "boost": 1.0}}}]
    assert dsl == to_dsl(parser.parse("ransomware NOT tag:phishing"))


def test_the_explanation_shows_the_exclusion(search_bundled):
    result = search_bundled("ransomware -attack", "--explain", "-n", "1")
    assert result.exit_code == 0
    assert "NOT attack" in result.stdout


def test_batch_and_the_python_api_read_minus_as_not(notes):
    from indexer.search.batch import BatchQuery, run_batch

    (outcome,) = run_batch(notes, [BatchQuery(1, "ransomware -attack")], count_only=True)
    assert outcome.total == notes.count("ransomware NOT attack")
    result = notes.search("ransomware -attack", limit=50)
    assert result.total == outcome.total
    assert all("attack" not in (hit.title or "").lower() for hit in result.hits)


OPERATOR_WORDS = ("OR", "AND", "NOT", "TO")
words = st.from_regex(r"[a-z]{2,9}", fullmatch=True).filter(lambda word: word.upper() not in OPERATOR_WORDS)
scopes = st.sampled_from(["", "title:", "tag:", "author:", "body:"])


@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
@given(kept=st.lists(words, min_size=0, max_size=3), scope=scopes, excluded=words, quoted=st.booleans())
@example(kept=[], scope="", excluded="an", quoted=False)  # a stop word alone: found by CI's thorough run
def test_minus_before_any_term_parses_as_not(parser, kept, scope, excluded, quoted):
    term = f'{scope}"{excluded} {excluded}"' if quoted else f"{scope}{excluded}"
    head = " ".join(kept)
    assert _parsed(parser, f"{head} -{term}".strip()) == _parsed(parser, f"{head} NOT {term}".strip())


def _parsed(parser, text: str):
    """The query `text` parses to, or `QueryError` when it has none (`-an`, like `NOT an`,
    leaves no searchable word: both are refused)."""
    try:
        return parser.parse(text)
    except QueryError:
        return QueryError


@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
@given(left=words, right=st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), before=words)
def test_a_hyphen_between_letters_or_digits_is_never_an_operator(parser, stock_parser, left, right, before):
    text = f"{before} {left}-{right}"
    assert parser.parse(text) == stock_parser.parse(text)


# -- other forms users type ------------------------------------------------------------------


def test_typographic_quotes_make_a_phrase_as_straight_ones_do(parser, notes):
    assert parser.parse("\u201cGPRS gateway\u201d") == parser.parse('"GPRS gateway"')
    assert parser.parse("\u201egateway GPRS\u201c") == parser.parse('"gateway GPRS"')
    assert notes.count("\u201cgateway GPRS\u201d") == notes.count('"gateway GPRS"') == 0
    # The apostrophe stays a character of the word.
    assert parser.parse("Russia\u2019s") == parser.parse("Russia\u2019s")


def test_a_typographic_quoted_word_is_not_corrected_and_the_result_names_the_query_as_typed(search_bundled):
    typed = "\u201cransomwear\u201d"
    answer = json.loads(search_bundled(typed, "--json").stdout)
    assert answer["query"] == typed
    assert answer["total"] == 0 and answer.get("corrected_query") is None
    straight = json.loads(search_bundled('"ransomwear"', "--json").stdout)
    assert {key: value for key, value in answer.items() if key != "query"} == {
        key: value for key, value in straight.items() if key != "query"
    }
    # Unquoted, the word is corrected: the quotes are what keep it as typed.
    assert json.loads(search_bundled("ransomwear", "--json").stdout)["corrected_query"] == "ransomware"


@pytest.mark.parametrize(
    ("span", "range_form"),
    [
        ("date:2021..2022", "date:[2021 to 2022]"),
        ("date:2021-08..2021-09", "date:[2021-08 to 2021-09]"),
        ("date:2021-08..", "date:>=2021-08"),
        ("date:..2021-10-15", "date:<=2021-10-15"),
        ("ransomware date:2021-10..", "ransomware date:>=2021-10"),
    ],
)
def test_a_date_span_with_two_dots_is_a_range(parser, notes, span, range_form):
    assert parser.parse(span) == parser.parse(range_form)
    assert notes.count(span) == notes.count(range_form) > 0


@pytest.mark.parametrize("dated", ["date:>2021-10", "date:2021..2022", "date:2021-10"])
def test_words_after_a_rewritten_date_keep_their_offsets_into_the_query_as_typed(parser, dated):
    from indexer.search.ranking import ranking_bonuses

    text = f"{dated} ransomware gangs"
    exact = {bonus.exact for bonus in ranking_bonuses(parser.parse(text), text) if bonus.exact}
    assert exact == {("ransomware", "gangs")}


# -- a lower-case `or` is a (stop) word, `tag:a,b` is both tags ---------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("conti or revil", "conti OR revil"),
        ("tag:a Or tag:b or c", "tag:a OR tag:b OR c"),
        ('"a or b" or c', '"a or b" OR c'),
        ("(a or b) c", "(a OR b) c"),
        ("conti OR revil", None),
        ("or conti", None),
        ("conti or", None),
        ("tag:or conti", None),
        ('"conti or revil"', None),
        ("conti orb", None),
    ],
)
def test_a_lower_case_or_between_two_words_is_the_one_written_as_the_operator(text, written):
    from indexer.search.lowercase_or import with_or_operator

    assert with_or_operator(text) == written


def test_a_lower_case_or_that_finds_nothing_where_OR_finds_notes_says_so(search_bundled):
    either = search_bundled("tag:gprs OR tag:conti", "--count")
    assert either.exit_code == 0 and int(either.stdout) > 0
    for extra in ((), ("--count",), ("--sort", "date")):
        result = search_bundled("tag:gprs or tag:conti", *extra)
        assert result.exit_code == 1
        assert (
            f"Did you mean 'tag:gprs OR tag:conti'? {int(either.stdout)} notes match it "
            "(lower-case 'or' is ignored and every word is needed; OR finds either).\n"
        ) in result.stderr


def test_a_lower_case_or_shown_the_notes_with_most_words_still_gets_the_hint(search_bundled):
    answer = json.loads(search_bundled("gprs or conti", "--json").stdout)
    assert (answer["relaxed"], answer["suggestion"]) == (True, "gprs OR conti")


def test_a_lower_case_or_whose_words_are_found_together_gets_no_hint(search_bundled):
    answer = json.loads(search_bundled("conti or revil", "--json").stdout)
    assert answer["total"] > 0 and "suggestion" not in answer


def test_the_explanation_and_the_parsed_query_show_both_words_and_both_tags_are_needed(search_bundled):
    words = search_bundled("conti or revil", "--explain", "--debug-query")
    assert "body:conti" in words.stdout and "body:revil" in words.stdout and ":or" not in words.stdout
    assert "parsed: ((title:conti^3" in words.stderr and ") AND (title:revil^3" in words.stderr
    tags = search_bundled("tag:ransomware,conti", "--explain", "--debug-query", "-n", "0")
    assert "parsed: (tag:ransomware AND tag:conti)" in tags.stderr
    explained = [line for line in tags.stdout.splitlines() if "  tag:" in line]
    assert len(explained) == 2 * tags.stdout.count("score ")
