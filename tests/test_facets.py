"""Facets: counts of sources, authors, tags, years, months and structured values among all hits."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from indexer.errors import QueryError
from indexer.index.store import build_index, update_index
from indexer.search.searching import SortOrder, open_index
from tests.conftest import info_note
from tests.test_shell_commands import make_harness


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def test_facets_count_values_among_all_hits_not_just_the_page_shown(notes):
    result = notes.search("tag:ransomware", limit=1, facets=["source"])
    every_hit = notes.search("tag:ransomware", limit=0, passages=0).hits
    assert len(result.hits) == 1
    assert dict(result.facets["source"]) == Counter(hit.source for hit in every_hit)
    assert result.facets["source"][:3] == (("ZDNet", 4), ("The Record", 3), ("Bleeping Computer", 2))


def test_facet_values_are_most_frequent_first_then_alphabetical(notes):
    values = notes.search("tag:ransomware", facets=["source"]).facets["source"]
    assert values == tuple(sorted(values, key=lambda pair: (-pair[1], pair[0].lower())))


def test_tag_facet_merges_case_variants_under_the_most_frequent_spelling(notes):
    tags = dict(notes.search("tag:ransomware", facets=["tag"]).facets["tag"])
    assert tags["Ransomware"] == 14  # 11 notes write "Ransomware", 3 "ransomware"
    assert "ransomware" not in tags


def test_author_facet_counts_each_author_of_a_note(notes):
    authors = dict(notes.search("kaseya", facets=["author"]).facets["author"])
    assert authors["Maya Lindqvist"] >= 1 and authors["Tomás Ortega"] >= 1


def test_year_and_month_facets_come_from_the_date_and_skip_undated_notes(notes):
    result = notes.search("NOT zyzzyva", facets=["year", "month"])
    assert result.total == 40
    assert sum(count for _, count in result.facets["year"]) == 39  # one note's date is "Unknown"
    assert result.facets["year"] == (("2021", 28), ("2022", 7), ("2020", 4))
    assert all(len(month) == 7 and month[4] == "-" for month, _ in result.facets["month"])
    assert sum(count for _, count in result.facets["month"]) == 39


def test_structured_facets_show_values_as_the_notes_write_them(notes):
    countries = notes.search("tag:ransomware", facets=["country"]).facets["country"]
    assert countries[0] == ("United States", 3)
    assert ("Ukraine", 1) in countries


def test_facet_names_accept_aliases_case_and_a_trailing_colon(notes):
    result = notes.search("tag:ransomware", facets=["Tags", "authors:", "COUNTRY"])
    assert list(result.facets) == ["tag", "author", "country"]


def test_an_unknown_facet_is_a_query_error_listing_the_facets(notes):
    with pytest.raises(QueryError, match="unknown facet 'planet'") as caught:
        notes.search("ransomware", facets=["planet"])
    assert caught.value.hint == (
        "facets: source, author, tag, year, month, city, continent, country, industry, malware, threatactor"
    )


def test_facets_are_the_same_whatever_the_sort_and_page(notes):
    first = notes.search("ransomware", limit=2, facets=["source", "month"])
    later = notes.search("ransomware", limit=2, page=3, sort=SortOrder.NEWEST, facets=["source", "month"])
    assert first.facets == later.facets
    assert [hit.rank for hit in later.hits] == [5, 6]


def test_facets_of_similar_notes_leave_the_note_itself_out(notes):
    path = "news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md"
    result = notes.similar(path, limit=0, facets=["source"])
    assert sum(count for _, count in result.facets["source"]) == result.total
    assert dict(result.facets["source"]) == Counter(hit.source for hit in result.hits)


def test_facets_do_not_count_deleted_notes(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "shared words", source="Gone", tags="[[Solo]]"))
    write_note("b.md", info_note("B", "shared words", source="Kept", tags="[[Solo]]"))
    build_index(corpus, index_dir)
    (corpus / "a.md").unlink()
    update_index(corpus, index_dir)
    with open_index(corpus, index_dir) as opened:
        result = opened.search("shared", facets=["source", "tag", "year"])
    assert result.facets == {"source": (("Kept", 1),), "tag": (("Solo", 1),), "year": (("2021", 1),)}


# -- the command line and the shell ---------------------------------------------------------


def test_cli_prints_facets_after_the_hits(search_bundled):
    result = search_bundled("author:cimpanu", "--facet", "year", "--facet", "source", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "group’s dark web infrastructure.\n\nyear (2 values)\n  5  2021\n  1  2020\n\n"
        "source (2 values)\n  5  The Record\n  1  ZDNet\n"
    )


def test_cli_facet_limit_cuts_the_list_and_says_how_many_more(search_bundled):
    result = search_bundled("tag:ransomware", "--facet", "tag", "--facet-limit", "2", "-n", "1")
    assert result.stdout.endswith("tag (43 values)\n  14  Ransomware\n   4  ZDNet\n  … 41 more\n")


def test_cli_facets_accept_a_comma_separated_list_and_an_environment_variable(search_bundled):
    listed = search_bundled("tag:ransomware", "--facet", "year,month", "--json")
    from_env = search_bundled("tag:ransomware", "--json", env={"NOTES_FACET": "year month"})
    assert list(json.loads(listed.stdout)["facets"]) == ["year", "month"]
    assert json.loads(from_env.stdout)["facets"] == json.loads(listed.stdout)["facets"]


def test_json_facets_are_field_value_count_objects_and_other_keys_stay(search_bundled):
    document = json.loads(search_bundled("tag:ransomware", "--facet", "source", "--json", "-n", "1").stdout)
    assert document["format_version"] == 1
    assert list(document) == [
        "format_version",
        "query",
        "total",
        "relaxed",
        "page",
        "limit",
        "hits",
        "facets",
    ]
    assert document["facets"] == {
        "source": {
            "ZDNet": 4,
            "The Record": 3,
            "Bleeping Computer": 2,
            "Personal notes": 2,
            "Team notes": 1,
            "The DFIR Report": 1,
            "Trend Micro": 1,
        }
    }


def test_json_without_facets_has_no_facets_key(search_bundled):
    assert "facets" not in json.loads(search_bundled("ransomware", "--json").stdout)


def test_cli_unknown_facet_exits_2_with_one_line(search_bundled):
    result = search_bundled("ransomware", "--facet", "planet")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("search: unknown facet 'planet'; facets: source, author, tag, year")
    assert result.stderr.count("\n") == 1


def test_cli_facets_with_files_output_are_a_usage_error(search_bundled):
    result = search_bundled("ransomware", "--facet", "source", "--files")
    assert result.exit_code == 2
    assert "--facet cannot be combined with --files" in result.stderr


def test_shell_facets_counts_the_values_of_the_last_query(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run(":limit 1", "author:cimpanu", ":facets source year")
        out, err = harness.take()
    finally:
        harness.shell.close()
    assert out.endswith(
        ":more for the next 1\n"
        "source (2 values)\n  5  The Record\n  1  ZDNet\n\n"
        "year (2 values)\n  5  2021\n  1  2020\n"
    )
    assert err == ""


def test_shell_facets_before_any_query_says_what_to_do(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run(":facets")
        assert harness.take() == ("", "error: no query yet; type a query first\n")
    finally:
        harness.shell.close()
