"""One `SearchOptions` for every search: checked when made, taken alike by both engines,
batch and the shell; the API's keyword arguments are the same options."""

from __future__ import annotations

import dataclasses
import inspect
import io
import re

import pytest

import indexer
from indexer.errors import QueryError
from indexer.search.batch import BatchQuery, run_batch
from indexer.search.options import SearchOptions, SortOrder
from indexer.search.searching import NoteIndex, open_index


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def without_timing(result):
    return dataclasses.replace(result, seconds=0.0)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"limit": -1}, "limit must be 0 (all) or more"),
        ({"page": 0}, "page numbers start at 1"),
        ({"passages": -2}, "passages must be 0 or more"),
        ({"sort": "sideways"}, "unknown sort order 'sideways'"),
        ({"facets": "source"}, "facets is a list of field names, not the string 'source'"),
        ({"terms": 0}, "a note is compared by 1 key term or more"),
    ],
)
def test_a_bad_option_is_a_query_error_when_the_options_are_made(keywords, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        SearchOptions(**keywords)


def test_options_given_as_spellings_become_their_types_and_cannot_change():
    options = SearchOptions(sort="-date", facets=["source", "year"])
    assert options.sort is SortOrder.NEWEST
    assert options.facets == ("source", "year")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.limit = 3


def test_changing_an_option_checks_it_again():
    with pytest.raises(QueryError, match="page numbers start at 1"):
        dataclasses.replace(SearchOptions(), page=0)


def test_the_page_is_cut_from_the_ranked_list():
    ranked = list(range(1, 26))
    assert SearchOptions(limit=10, page=3).page_of(ranked) == [21, 22, 23, 24, 25]
    assert (SearchOptions(limit=10, page=3).first, SearchOptions(limit=10, page=3).wanted) == (20, 30)
    assert SearchOptions(limit=0, page=1).page_of(ranked) == ranked
    assert SearchOptions(limit=0).wanted is None


def test_keyword_arguments_of_the_api_are_the_same_search_as_search_options(notes):
    by_keywords = notes.search("ransomware", limit=3, page=2, sort=SortOrder.NEWEST, facets=["source"])
    by_options = notes.search("ransomware", SearchOptions(limit=3, page=2, sort="-date", facets=("source",)))
    assert without_timing(by_keywords) == without_timing(by_options)
    assert [hit.rank for hit in by_options.hits] == [4, 5, 6]
    assert "source" in by_options.facets


def test_keyword_arguments_change_the_options_they_are_given_with(notes):
    base = SearchOptions(limit=5, sort=SortOrder.DATE)
    result = notes.search("ransomware", base, limit=2)
    assert (result.limit, len(result.hits)) == (2, 2)
    dates = [hit.date for hit in result.hits]
    assert dates == sorted(dates)  # the base's date order is kept


def test_an_unknown_keyword_argument_is_a_type_error_as_before(notes):
    with pytest.raises(TypeError, match="limt"):
        notes.search("ransomware", limt=3)


def test_bad_paging_through_the_api_is_still_a_query_error(notes):
    with pytest.raises(QueryError, match="page numbers start at 1"):
        notes.search("ransomware", page=0)
    with pytest.raises(QueryError, match="limit must be 0"):
        notes.similar("news/anything.md", limit=-1)


def test_similar_takes_the_same_options(notes):
    path = notes.search("ransomware", limit=1).hits[0].path
    by_keywords = notes.similar(path, limit=2, terms=6)
    by_options = notes.similar(path, SearchOptions(limit=2, terms=6))
    assert without_timing(by_keywords) == without_timing(by_options)
    assert path not in [hit.path for hit in by_options.hits]


def test_batch_runs_every_query_with_one_search_options(notes):
    options = SearchOptions(limit=1, sort=SortOrder.NEWEST)
    queries = [BatchQuery(1, "ransomware"), BatchQuery(2, "GPRS gateway")]
    outcomes = list(run_batch(notes, queries, options))
    assert [outcome.result.limit for outcome in outcomes] == [1, 1]
    assert without_timing(outcomes[0].result) == without_timing(notes.search("ransomware", options))
    by_keywords = list(run_batch(notes, io.StringIO(""), limit=1))
    assert by_keywords == []


def test_both_engines_take_the_same_search_signature():  # the client is imported only to connect
    from indexer.opensearch.searching import ClusterNotes

    for method in ("search", "similar"):
        cluster, whoosh = getattr(ClusterNotes, method), getattr(NoteIndex, method)
        assert inspect.signature(cluster) == inspect.signature(whoosh)


def test_the_package_exports_search_options():
    assert indexer.SearchOptions is SearchOptions
    assert indexer.SortOrder is SortOrder
    assert SortOrder.NEWEST == "-date"  # str-valued: config, env and JSON spell it so


def test_a_search_ranks_a_list_of_its_own_and_leaves_whooshs_results_as_they_were(notes, monkeypatch):
    seen = []
    real_search = NoteIndex._whoosh_search

    def recorded(self, query, **keywords):
        results = real_search(self, query, **keywords)
        seen.append((results, results.top_n, list(results.top_n)))
        return results

    monkeypatch.setattr(NoteIndex, "_whoosh_search", recorded)
    # Whoosh scores what engine/bm25f.py leaves to it (here: everything).
    monkeypatch.setattr("indexer.search.searching.scored_matches", lambda *args, **kwargs: None)
    result = notes.search("ransomware attack", limit=3, page=2)  # ties ordered, reranked, folded
    assert seen
    for results, top_n, as_returned in seen:
        assert results.top_n is top_n and top_n == as_returned
    assert result.total == len(seen[0][2])
    assert [hit.rank for hit in result.hits] == [4, 5, 6]


def test_a_search_leaves_the_matches_our_scorer_listed_as_they_were(notes, monkeypatch):
    from indexer.engine.bm25f import scored_matches

    seen = []

    def recorded(*args, **keywords):
        matches = scored_matches(*args, **keywords)
        seen.append((matches, list(matches)))
        return matches

    monkeypatch.setattr("indexer.search.searching.scored_matches", recorded)
    result = notes.search("ransomware attack", limit=3, page=2)
    assert seen and seen[0][0]
    for matches, as_returned in seen:
        assert matches == as_returned
    assert result.total == len(seen[0][1])
    assert [hit.rank for hit in result.hits] == [4, 5, 6]
