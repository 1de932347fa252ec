"""What kind of word fits at the cursor, from the text before it alone."""

from __future__ import annotations

import pytest

from indexer.shell.suggest import NOTHING, Kind, Suggestion, suggest

FIELD_OR_NOT = (Kind.FIELD, Kind.OPERATOR)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auth", Suggestion(FIELD_OR_NOT, word="auth", operators=("NOT",))),
        ("", Suggestion(FIELD_OR_NOT, word="", operators=("NOT",))),
        ("conti ", Suggestion(FIELD_OR_NOT, word="", operators=("AND", "OR", "NOT"))),
        ("conti O", Suggestion(FIELD_OR_NOT, word="O", operators=("AND", "OR", "NOT"))),
        ("conti OR t", Suggestion(FIELD_OR_NOT, word="t", operators=("NOT",))),
        ("(ta", Suggestion(FIELD_OR_NOT, word="ta", operators=("NOT",))),
        ("conti (ta", Suggestion(FIELD_OR_NOT, word="ta", operators=("NOT",))),
        ("-so", Suggestion(FIELD_OR_NOT, word="so", operators=())),
        ("conti +so", Suggestion(FIELD_OR_NOT, word="so", operators=())),
        ('author:"Catalin Cimpanu" t', Suggestion(FIELD_OR_NOT, word="t", operators=("AND", "OR", "NOT"))),
    ],
)
def test_a_bare_word_may_become_a_field_name_or_an_operator(text, expected):
    assert suggest(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tag:ran", Suggestion((Kind.VALUE,), word="ran", field="tag", prefix="ran")),
        ("tag:", Suggestion((Kind.VALUE,), word="", field="tag", prefix="")),
        ("conti author:cim", Suggestion((Kind.VALUE,), word="cim", field="author", prefix="cim")),
        ("NOT tags:T-Mo", Suggestion((Kind.VALUE,), word="T-Mo", field="tags", prefix="T-Mo")),
        ("-source:the", Suggestion((Kind.VALUE,), word="the", field="source", prefix="the")),
        ('tag:"the r', Suggestion((Kind.VALUE,), word='"the r', field="tag", prefix="the r")),
        ('x (author:"Cat', Suggestion((Kind.VALUE,), word='"Cat', field="author", prefix="Cat")),
        ("auther:cim", Suggestion((Kind.VALUE,), word="cim", field="auther", prefix="cim")),
    ],
)
def test_after_a_field_scope_a_value_of_that_field_fits(text, expected):
    assert suggest(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"misconfigured gprs',  # inside a phrase that belongs to no field
        'tag:"The Record"',  # a finished phrase
        "date:[2021-08-01 to 2021",  # inside a range
        "date:>2021",
        "ransom*",
        "ransomwear~",
        "tag:ran*",
        "https://therecord",
        "2021",
        "a:b:c",
    ],
)
def test_nothing_is_suggested_inside_phrases_ranges_patterns_and_numbers(text):
    assert suggest(text) is NOTHING or suggest(text) == NOTHING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":", Suggestion((Kind.COMMAND,), word=":")),
        (":sh", Suggestion((Kind.COMMAND,), word=":sh")),
        ("  :q", Suggestion((Kind.COMMAND,), word=":q")),
        (":sort -", Suggestion((Kind.ARGUMENT,), word="-", command="sort")),
        (":show ", Suggestion((Kind.ARGUMENT,), word="", command="show")),
        (":SORT da", Suggestion((Kind.ARGUMENT,), word="da", command="sort")),
    ],
)
def test_a_line_starting_with_a_colon_is_a_command_then_its_argument(text, expected):
    assert suggest(text) == expected
