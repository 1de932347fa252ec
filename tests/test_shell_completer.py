"""Completion candidates from the bundled index: fields, values by frequency, quoting, commands."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from indexer.index.fields import FieldCatalog
from indexer.search.searching import open_index
from indexer.shell.completer import NotesCompleter, Value, Vocabulary, merge_case_variants, quote_value


@pytest.fixture(scope="module")
def completer(bundled_index):
    with open_index(*bundled_index) as notes:
        vocabulary = Vocabulary.load(notes)
    shell = SimpleNamespace(  # the part of a Shell that argument completion reads
        shown_hits={
            1: SimpleNamespace(title="FinCEN: Suspected ransomware payments"),
            2: SimpleNamespace(title="REvil ransomware gang goes dark"),
        }
    )
    return NotesCompleter(
        vocabulary, choices=lambda command: command.choices(shell) if command.choices else []
    )


def complete(completer, text: str, *, tab: bool = False):
    event = CompleteEvent(text_inserted=not tab, completion_requested=tab)
    return list(completer.get_completions(Document(text), event))


def texts(completions) -> list[str]:
    return [completion.text for completion in completions]


def shown(completions) -> list[tuple[str, str]]:
    return [(completion.display_text, completion.display_meta_text) for completion in completions]


def test_auth_completes_to_the_author_field(completer):
    (only,) = complete(completer, "auth")
    assert (only.text, only.start_position, only.display_meta_text) == ("author:", -4, "field")


def test_field_names_include_the_structured_fields_of_this_index(completer):
    assert texts(complete(completer, "c")) == ["city:", "continent:", "country:"]
    assert texts(complete(completer, "T")) == ["title:", "tag:", "threatactor:"]


def test_tag_ran_offers_ransomware_with_its_case_variants_merged(completer):
    # 11 notes tag it "Ransomware" and 3 front-matter notes "ransomware".
    assert shown(complete(completer, "tag:ran")) == [("Ransomware", "14 notes")]
    assert complete(completer, "tag:ran")[0].start_position == -3


def test_author_cim_finds_a_name_by_any_of_its_words_and_quotes_it(completer):
    (only,) = complete(completer, "author:cim")
    assert (only.text, only.start_position) == ('"Catalin Cimpanu"', -3)
    assert (only.display_text, only.display_meta_text) == ("Catalin Cimpanu", "6 notes")


def test_values_come_most_frequent_first(completer):
    assert shown(complete(completer, "tag:"))[:4] == [
        ("Ransomware", "14 notes"),
        ("The Record", "8 notes"),
        ("Bleeping Computer", "6 notes"),
        ("ZDNet", "5 notes"),
    ]
    counts = [int(meta.split()[0]) for _, meta in shown(complete(completer, "source:"))]
    assert counts == sorted(counts, reverse=True)


def test_values_match_from_their_start_or_from_the_start_of_any_word(completer):
    assert texts(complete(completer, "source:t")) == [
        '"The Record"',
        "ThreatPost",
        '"The DFIR Report"',
        '"Team notes"',
        '"Trend Micro"',
    ]
    assert texts(complete(completer, "source:rec")) == ['"The Record"']
    assert texts(complete(completer, "source:icro")) == []


def test_values_that_start_with_the_prefix_come_before_values_with_a_word_that_does():
    values = [Value("Conti Ransomware", 50), Value("Ransomware", 9), Value("ransom", 2)]
    completer = NotesCompleter(Vocabulary(FieldCatalog(), {"tag_name": values}))
    assert texts(complete(completer, "tag:ransom")) == ["Ransomware", "ransom", '"Conti Ransomware"']


def test_a_quoted_prefix_is_replaced_with_its_quote(completer):
    (only,) = complete(completer, 'conti tag:"the r')
    assert (only.text, only.start_position) == ('"The Record"', -6)


def test_aliases_and_any_case_of_the_field_name_complete_values(completer):
    assert texts(complete(completer, "TAGS:ran")) == ["Ransomware"]
    assert texts(complete(completer, "authors:gat")) == ['"Sergiu Gatlan"']


def test_structured_fields_complete_their_values(completer):
    assert texts(complete(completer, "country:u")) == ['"United States"', "Ukraine"]
    assert texts(complete(completer, "country:UNI")) == ['"United States"']


def test_an_unknown_field_and_a_field_without_values_offer_nothing(completer):
    assert complete(completer, "auther:cim") == []
    assert complete(completer, "title:ran") == []


def test_operators_complete_from_capitals_and_need_a_term_before_and_or(completer):
    assert texts(complete(completer, "conti O")) == ["OR"]
    assert texts(complete(completer, "conti A")) == ["author:", "AND"]
    assert texts(complete(completer, "N")) == ["NOT"]
    assert texts(complete(completer, "A")) == ["author:"]
    assert complete(completer, "conti o") == []  # lower case: the word "or", not the operator


def test_nothing_pops_up_between_words_unless_tab_asks(completer):
    assert complete(completer, "conti ") == []
    asked = texts(complete(completer, "conti ", tab=True))
    assert asked[:3] == ["title:", "subtitle:", "body:"]
    assert asked[-3:] == ["AND", "OR", "NOT"]


def test_commands_and_their_arguments_complete(completer):
    assert texts(complete(completer, ":s")) == [":show", ":sort", ":similar", ":save", ":saved", ":stats"]
    assert shown(complete(completer, ":sh"))[0][0] == ":show N"
    assert texts(complete(completer, ":sort -")) == ["-date"]
    assert texts(complete(completer, ":sort ")) == ["relevance", "date", "-date"]
    assert shown(complete(completer, ":show ")) == [
        ("1", "FinCEN: Suspected ransomware payments"),
        ("2", "REvil ransomware gang goes dark"),
    ]
    assert complete(completer, ":nope ") == []


def test_refresh_reads_the_values_again(bundled_index):
    with open_index(*bundled_index) as notes:
        completer = NotesCompleter(Vocabulary(notes.catalog, {}))
        assert complete(completer, "tag:ran") == []
        completer.refresh(notes)
    assert texts(complete(completer, "tag:ran")) == ["Ransomware"]


def test_case_variants_merge_under_the_most_common_spelling():
    merged = merge_case_variants(
        [("ransomware", 532), ("Ransomware", 251), ("RansomEXX", 6), ("Ransomexx", 1)]
    )
    assert merged == [Value("ransomware", 783), Value("RansomEXX", 7)]
    assert merge_case_variants([("Tomás", 1), ("tomas", 2)]) == [Value("tomas", 3)]


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        ("Ransomware", "Ransomware"),
        ("T-Mobile", "T-Mobile"),
        ("CVE-2021-44228", "CVE-2021-44228"),
        ("The Record", '"The Record"'),
        ("C++", '"C++"'),
        ("-leading", '"-leading"'),
        ("OR", '"OR"'),
        ("a:b", '"a:b"'),
        ('say "hi"', None),
    ],
)
def test_values_are_quoted_when_the_query_language_needs_it(value, typed):
    assert quote_value(value) == typed
