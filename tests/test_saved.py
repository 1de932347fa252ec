"""Saved searches: the TOML file beside the index, `@name` expansion, `--save`/`--saved`, `:save`."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from indexer.cli import search_main
from indexer.index.store import build_index
from indexer.search.saved import SAVED_FILE, SavedSearchError, SavedSearches, toml_string
from tests.test_shell_commands import make_harness


@pytest.fixture
def own_index(bundled_index, tmp_path):
    """(corpus, index): a copy of the bundled index that tests may save searches into."""
    corpus, index = bundled_index
    shutil.copytree(index, tmp_path / "index")
    return corpus, tmp_path / "index"


@pytest.fixture
def search(own_index):
    corpus, index = own_index

    def run(*args: str):
        where = ["--corpus", str(corpus), "--index", str(index), "--no-update"]
        return CliRunner().invoke(search_main, [*args, *where])

    return run


@given(st.text())
def test_any_query_text_survives_the_toml_round_trip(text):
    assert tomllib.loads(f"q = {toml_string(text)}")["q"] == text


def test_saved_searches_keep_their_order_and_saving_a_name_again_replaces_it(tmp_path):
    saved = SavedSearches(tmp_path)
    assert saved.load() == {}
    assert saved.save("b", "tag:ransomware") is False
    assert saved.save("a", 'author:"Catalin Cimpanu"') is False
    assert saved.save("b", "conti OR revil") is True
    assert saved.load() == {"b": "conti OR revil", "a": 'author:"Catalin Cimpanu"'}
    assert (tmp_path / SAVED_FILE).read_text(encoding="utf-8").splitlines()[1:] == [
        'b = "conti OR revil"',
        'a = "author:\\"Catalin Cimpanu\\""',
    ]


@pytest.mark.parametrize("name", ["", "two words", "café", "a.b", "@x"])
def test_names_are_letters_digits_dashes_and_underscores(tmp_path, name):
    with pytest.raises(SavedSearchError, match="cannot name a saved search"):
        SavedSearches(tmp_path).save(name, "x")


def test_an_empty_query_is_not_saved(tmp_path):
    with pytest.raises(SavedSearchError, match="empty query"):
        SavedSearches(tmp_path).save("blank", "  ")


def test_a_reference_alone_becomes_the_saved_query_and_in_a_query_a_group(tmp_path):
    saved = SavedSearches(tmp_path)
    saved.save("gangs", "conti OR revil")
    assert saved.expand("@gangs") == "conti OR revil"
    assert saved.expand("  @gangs ") == "conti OR revil"
    assert saved.expand("@gangs date:2021") == "(conti OR revil) date:2021"
    assert saved.expand("NOT (@gangs)") == "NOT ((conti OR revil))"


def test_quoted_at_words_and_email_addresses_are_not_references(tmp_path):
    saved = SavedSearches(tmp_path)
    assert saved.expand('"@gangs" user@example.org') == '"@gangs" user@example.org'


def test_an_unknown_reference_is_an_error_saying_how_to_list_them(tmp_path):
    saved = SavedSearches(tmp_path)
    with pytest.raises(SavedSearchError, match="no saved search named '@nope'") as nothing_saved:
        saved.expand("@nope")
    assert nothing_saved.value.hint == 'save one first: search --save NAME "QUERY"'
    saved.save("gangs", "conti")
    with pytest.raises(SavedSearchError) as some_saved:
        saved.expand("@nope")
    assert some_saved.value.hint == "search --saved (:saved in the shell) lists them"


def test_a_damaged_file_is_an_error_with_a_hint(tmp_path):
    (tmp_path / SAVED_FILE).write_text('x = "unclosed\n', encoding="utf-8")
    with pytest.raises(SavedSearchError, match="is not valid TOML") as caught:
        SavedSearches(tmp_path).load()
    assert caught.value.hint == "fix or delete it"
    (tmp_path / SAVED_FILE).write_text("x = 3\n", encoding="utf-8")
    with pytest.raises(SavedSearchError, match="'x' is not a saved search"):
        SavedSearches(tmp_path).load()


def test_saved_searches_survive_a_rebuild_of_the_index(own_index):
    corpus, index = own_index
    SavedSearches(index).save("gangs", "conti OR revil")
    build_index(corpus, index)
    assert SavedSearches(index).load() == {"gangs": "conti OR revil"}


# -- the command line ----------------------------------------------------------------------


def test_cli_save_runs_the_query_then_saves_it(search, own_index):
    result = search("--save", "cimpanu-ransomware", "author:cimpanu tag:ransomware", "--files")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == "search: saved @cimpanu-ransomware: author:cimpanu tag:ransomware\n"
    assert SavedSearches(own_index[1]).load() == {"cimpanu-ransomware": "author:cimpanu tag:ransomware"}


def test_cli_at_name_runs_the_saved_search_with_the_options_given(search):
    search("--save", "r", "tag:ransomware", "--count")
    newest = search("@r", "--sort", "-date", "-n", "1", "--files")
    assert newest.stdout == "news/trendmicro/Inside-LockBits-first-Linux-build-aimed-at-VMware-ESXi.md\n"
    narrowed = search("@r author:cimpanu", "--json")
    assert json.loads(narrowed.stdout)["query"] == "(tag:ransomware) author:cimpanu"
    assert json.loads(narrowed.stdout)["total"] == 3


def test_cli_saved_lists_names_and_queries_as_text_and_json(search):
    search("--save", "r", "tag:ransomware", "--count")
    search("--save", "gprs", '"GPRS gateway"', "--count")
    text = search("--saved")
    assert (text.exit_code, text.stdout) == (0, '@r     tag:ransomware\n@gprs  "GPRS gateway"\n')
    document = json.loads(search("--saved", "--json").stdout)
    assert document == {"format_version": 1, "saved": {"r": "tag:ransomware", "gprs": '"GPRS gateway"'}}


def test_cli_saved_with_nothing_saved_says_how_to_save_one(search):
    result = search("--saved")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == 'No saved searches yet; save one with: search --save NAME "QUERY"\n'


def test_cli_unknown_at_name_exits_2_with_one_line(search):
    result = search("@nope")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "search: no saved search named '@nope'; save one first: search --save NAME \"QUERY\"\n"
    )


def test_cli_a_malformed_query_is_not_saved(search, own_index):
    result = search("--save", "bad", "auther:x")
    assert result.exit_code == 2
    assert SavedSearches(own_index[1]).load() == {}


def test_cli_a_bad_name_exits_2_before_searching(search):
    result = search("--save", "two words", "ransomware")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("search: 'two words' cannot name a saved search; use letters, digits")


def test_cli_saved_with_a_query_is_a_usage_error(search):
    result = search("--saved", "ransomware")
    assert result.exit_code == 2
    assert "--saved takes no QUERY" in result.stderr


# -- the shell -------------------------------------------------------------------------------


def test_shell_save_then_at_name_runs_it_again(own_index):
    harness = make_harness(*own_index)
    try:
        harness.run(":limit 1", "author:cimpanu tag:ransomware")
        harness.take()
        harness.run(":save cr")
        assert harness.take() == ("saved @cr: author:cimpanu tag:ransomware\n", "")
        harness.run(":saved")
        assert harness.take() == ("@cr  author:cimpanu tag:ransomware\n", "")
        harness.run("@cr date:2021-10")
        out, _ = harness.take()
        assert "2 notes match (1-1 shown" in out
    finally:
        harness.shell.close()
    assert SavedSearches(own_index[1]).load() == {"cr": "author:cimpanu tag:ransomware"}


def test_shell_save_needs_a_query_and_refuses_similar_listings(own_index):
    harness = make_harness(*own_index)
    try:
        harness.run(":save x")
        assert harness.take() == ("", "error: no query yet; type a query first\n")
        harness.run("ransomware", ":similar 1")
        harness.take()
        harness.run(":save x")
        assert harness.take()[1] == "error: only a query can be saved, not :similar; type a query first\n"
    finally:
        harness.shell.close()
