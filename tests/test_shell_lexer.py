"""Highlighting of the line being typed, and the error mark for unknown fields and commands."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document

from indexer.index.fields import FieldCatalog
from indexer.shell.lexer import QueryLexer, Token, line_problem, tokenize

CATALOG = FieldCatalog(structured=("country", "malware"))
T = Token


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("gprs gateway", [(T.TEXT, "gprs gateway")]),
        (
            'author:cimpanu tag:"The Record"',
            [(T.FIELD, "author:"), (T.TEXT, "cimpanu "), (T.FIELD, "tag:"), (T.PHRASE, '"The Record"')],
        ),
        (
            "conti OR revil NOT gprs",
            [
                (T.TEXT, "conti "),
                (T.OPERATOR, "OR"),
                (T.TEXT, " revil "),
                (T.OPERATOR, "NOT"),
                (T.TEXT, " gprs"),
            ],
        ),
        ("conti or revil", [(T.TEXT, "conti or revil")]),
        (
            "(a OR b) c",
            [
                (T.OPERATOR, "("),
                (T.TEXT, "a "),
                (T.OPERATOR, "OR"),
                (T.TEXT, " b"),
                (T.OPERATOR, ")"),
                (T.TEXT, " c"),
            ],
        ),
        (
            "date:[2021-08-01 to 2021-08-31] x",
            [(T.FIELD, "date:"), (T.RANGE, "[2021-08-01 to 2021-08-31]"), (T.TEXT, " x")],
        ),
        ("date:>2021-10-15", [(T.FIELD, "date:"), (T.RANGE, ">2021-10-15")]),
        ("date:[2021 to", [(T.FIELD, "date:"), (T.RANGE, "[2021 to")]),
        ("ransom* ransomwear~2", [(T.PATTERN, "ransom*"), (T.TEXT, " "), (T.PATTERN, "ransomwear~2")]),
        ('"misconfigured gprs', [(T.UNBALANCED, '"'), (T.PHRASE, "misconfigured gprs")]),  # unclosed
        ("auther:cimpanu", [(T.UNKNOWN_FIELD, "auther:"), (T.TEXT, "cimpanu")]),
        (
            "-tag:x Country:Ukraine",
            [
                (T.OPERATOR, "-"),
                (T.FIELD, "tag:"),
                (T.TEXT, "x "),
                (T.FIELD, "Country:"),
                (T.TEXT, "Ukraine"),
            ],
        ),
        # A leading `-` is NOT, as search reads it; a hyphen inside a word, or a lone `-`, is text.
        ("ransomware -attack", [(T.TEXT, "ransomware "), (T.OPERATOR, "-"), (T.TEXT, "attack")]),
        ('x -"a b"', [(T.TEXT, "x "), (T.OPERATOR, "-"), (T.PHRASE, '"a b"')]),
        ("(a -b)", [(T.OPERATOR, "("), (T.TEXT, "a "), (T.OPERATOR, "-"), (T.TEXT, "b"), (T.OPERATOR, ")")]),
        ("e-mail COVID-19 - -- x", [(T.TEXT, "e-mail COVID-19 - -- x")]),
        ("+tag:x", [(T.TEXT, "+"), (T.FIELD, "tag:"), (T.TEXT, "x")]),
        ("tags:x url:y", [(T.FIELD, "tags:"), (T.TEXT, "x "), (T.FIELD, "url:"), (T.TEXT, "y")]),
        ("see https://therecord.media", [(T.TEXT, "see https://therecord.media")]),
        ("link:https://x.org", [(T.FIELD, "link:"), (T.TEXT, "https://x.org")]),
        (
            'x "a b:c" y',
            [(T.TEXT, "x "), (T.PHRASE, '"a b:c"'), (T.TEXT, " y")],
        ),
    ],
)
def test_queries_are_cut_into_coloured_pieces(line, expected):
    tokens = tokenize(line, CATALOG)
    assert tokens == expected
    assert "".join(text for _, text in tokens) == line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (":show 1", [(T.COMMAND, ":show"), (T.TEXT, " 1")]),
        ("  :q", [(T.TEXT, "  "), (T.COMMAND, ":q")]),
        (":", [(T.COMMAND, ":")]),
        (":shw 1", [(T.UNKNOWN_COMMAND, ":shw"), (T.TEXT, " 1")]),
    ],
)
def test_command_lines_mark_unknown_commands(line, expected):
    assert tokenize(line, CATALOG) == expected


def test_the_problem_behind_an_error_mark_is_said_in_words():
    assert line_problem("auther:cimpanu", CATALOG) == "unknown field 'auther:': did you mean author:?"
    assert line_problem("x zzz:1", CATALOG) == "unknown field 'zzz:'"
    assert line_problem(":shw 1", CATALOG) == "unknown command ':shw': did you mean :show?"
    assert line_problem("author:cimpanu malware:conti", CATALOG) == ""


def test_the_prompt_toolkit_lexer_gives_style_classes_per_line():
    lexer = QueryLexer(lambda: CATALOG)
    get_line = lexer.lex_document(Document("auther:x tag:y"))
    assert get_line(0) == [
        ("class:field.unknown", "auther:"),
        ("", "x "),
        ("class:field", "tag:"),
        ("", "y"),
    ]
    assert get_line(5) == []


def test_a_lexer_failure_shows_the_line_plain_instead_of_breaking_the_prompt():
    def broken_catalog():
        raise RuntimeError("no catalog")

    lexer = QueryLexer(broken_catalog)
    assert lexer.lex_document(Document("tag:x"))(0) == [("", "tag:x")]


@pytest.mark.parametrize(
    ("line", "marked", "problem"),
    [
        ('"gprs gateway', '"', "unclosed quote at column 1"),
        ("ransomware (gprs", "(", "unclosed parenthesis at column 12"),
        ("gprs)", ")", "unmatched closing parenthesis at column 5"),
    ],
)
def test_an_unbalanced_quote_or_parenthesis_is_marked_before_enter(line, marked, problem):
    tokens = tokenize(line, CATALOG)
    assert "".join(text for _, text in tokens) == line
    assert [text for token, text in tokens if token is T.UNBALANCED] == [marked]
    assert line_problem(line, CATALOG) == problem


def test_a_balanced_line_has_no_unbalanced_mark():
    assert all(token is not T.UNBALANCED for token, _ in tokenize('(a OR "b c") d', CATALOG))
    assert line_problem('(a OR "b c") d', CATALOG) == ""
