"""Did you mean: corrections from the index's own words, suggested only when clearly better."""

from __future__ import annotations

import json

import pytest

from indexer.index.store import build_index
from indexer.search.searching import open_index
from indexer.search.spelling import Suggestion, edit_distance, one_edit_away
from tests.conftest import info_note
from tests.test_shell_commands import make_harness


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def test_edit_distance_counts_a_swap_of_neighbours_as_one_edit():
    assert edit_distance("cimpanou", "cimpanu") == 1
    assert edit_distance("recrod", "record") == 1
    assert edit_distance("ransomwear", "ransomware") == 2
    assert edit_distance("", "abc") == 3


def test_one_edit_away_has_deletions_swaps_substitutions_and_insertions():
    words = one_edit_away("gatway")
    assert {"gateway", "gatwy", "agtway", "gatwax"} <= words
    assert "gatway" not in words


@pytest.mark.parametrize(
    ("typed", "suggested", "total"),
    [
        ("ransomwear", "ransomware", 17),
        ("cimpanou", "cimpanu", 6),
        ("author:cimpanou", "author:cimpanu", 6),
        ("tag:ransomwear", "tag:ransomware", 14),
        ('tag:"the recrd"', 'tag:"the record"', 8),
        ("country:ukrain", "country:ukraine", 2),
        ("Ransomwear gang", "Ransomware gang", 10),
        ("gprs gatway", "gprs gateway", 1),
    ],
)
def test_a_misspelt_query_gets_a_suggestion_from_the_index_words(notes, typed, suggested, total):
    result = notes.search(typed, suggest=True, correct=False)
    assert notes.count(typed) == 0  # no note has all the words (a relaxed page may show some)
    assert result.suggestion == Suggestion(suggested, total)


def test_the_query_is_never_replaced_silently(notes):
    result = notes.search("ransomwear", suggest=True, correct=False)
    assert (result.query, result.total, result.hits) == ("ransomwear", 0, ())
    corrected = notes.search("ransomwear", suggest=True)
    assert (corrected.query, corrected.corrected_query, corrected.total) == ("ransomwear", "ransomware", 17)


def test_a_typo_repeated_is_corrected_at_each_place(notes):
    assert notes.search("ransomwear gang ransomwear", suggest=True, correct=False).suggestion == Suggestion(
        "ransomware gang ransomware", 10
    )


def test_a_query_of_more_words_than_are_worth_correcting_gets_no_suggestion(notes):
    words = " ".join(f"zyzzy{letter}" for letter in "abcdefghijklmnopqrstuvwxyz")
    assert notes.search(f"ransomwear {words}", suggest=True).suggestion is None


def test_no_suggestion_unless_asked_for(notes):
    assert notes.search("ransomwear").suggestion is None


def test_no_suggestion_for_a_query_with_enough_hits(notes):
    assert notes.search("ransomware", suggest=True).suggestion is None


def test_no_suggestion_when_no_index_word_is_close(notes):
    assert notes.search("zyzzyva", suggest=True).suggestion is None
    assert notes.did_you_mean("zyzzyva") is None


def test_a_typo_some_notes_contain_is_corrected_only_to_a_much_commoner_word(corpus, write_note, index_dir):
    write_note("typo.md", info_note("Typo", "A spywear campaign."))
    for number in range(12):
        write_note(f"spyware-{number}.md", info_note(f"Note {number}", "A spyware campaign."))
    write_note("rare.md", info_note("Rare", "Malwear is rare, malware too."))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as opened:
        assert opened.did_you_mean("spywear") == Suggestion("spyware", 12)
        assert opened.did_you_mean("malwear") is None  # "malware" is no commoner than the typo


def test_words_found_only_in_bodies_are_suggested_as_written_not_as_stems(corpus, write_note, index_dir):
    for number in range(3):
        write_note(f"n{number}.md", info_note(f"Note {number}", "Under these conditions it fails."))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as opened:
        assert opened.did_you_mean("conditons") == Suggestion("conditions", 3)  # not the stem "condit"


def test_cli_prints_the_suggestion_on_stderr_after_the_no_match_line(search_bundled):
    result = search_bundled("ransomwear", "--exact")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "No notes match 'ransomwear'.\nDid you mean 'ransomware'? 17 notes match it.\n"


def test_cli_json_has_a_suggestion_key_and_nothing_on_stderr(search_bundled):
    result = search_bundled("author:cimpanou", "--json")
    document = json.loads(result.stdout)
    assert (document["total"], document["suggestion"]) == (0, "author:cimpanu")
    assert result.stderr == ""


def test_cli_json_without_a_suggestion_has_no_suggestion_key(search_bundled):
    assert "suggestion" not in json.loads(search_bundled("ransomware", "--json").stdout)


def test_cli_count_also_suggests_on_stderr(search_bundled):
    result = search_bundled("cimpanou", "--count")
    assert (result.exit_code, result.stdout) == (1, "0\n")
    assert result.stderr == "Did you mean 'cimpanu'? 6 notes match it.\n"


def test_shell_suggests_after_a_query_with_no_match(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run(":exact ransomwear")
        assert harness.take() == (
            "No notes match 'ransomwear'.\nDid you mean 'ransomware'? 17 notes match it.\n",
            "",
        )
    finally:
        harness.shell.close()


def test_cli_shows_the_hits_of_a_correction_and_says_so(search_bundled):
    result = search_bundled("ransomwear", "--count")
    assert result.stdout == "0\n"  # counting counts the query as typed
    result = search_bundled("ransomwear", "--files", "-n", "1")
    assert result.exit_code == 0 and result.stdout.count("\n") == 1
    assert result.stderr == (
        "showing results for 'ransomware'\nsearch instead for 'ransomwear' with search --exact\n"
    )


def test_shell_shows_the_hits_of_a_correction_and_says_how_to_run_the_query_as_typed(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run("ransomwear")
        shown, errors = harness.take()
        assert shown.startswith(
            "showing results for 'ransomware'\nsearch instead for 'ransomwear' with :exact ransomwear\n"
        )
        assert "17 notes match" in shown and errors == ""
    finally:
        harness.shell.close()
