"""Explain: what each field and term added to a hit's score, in the API, the CLI and the shell."""

from __future__ import annotations

import json
import shutil

import pytest

from indexer.errors import QueryError
from indexer.index.schema import note_document
from indexer.index.store import open_whoosh_index
from indexer.notes.note import parse_note
from indexer.search.results import Contribution
from indexer.search.searching import SortOrder, open_index
from tests.conftest import info_note
from tests.test_shell_commands import make_harness

GPRS = "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
QUERIES = [
    "ransomware",
    "GPRS gateway",
    "author:cimpanu tag:ransomware date:2021-10",
    '"misconfigured GPRS gateway"',
    "ransom*",
    "ransomwear~",
    "conti OR revil",
    "T-Mobile NOT gprs",
    "NOT ransomware",
    "country:ukraine",
]


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


@pytest.mark.parametrize("query", QUERIES)
def test_contributions_add_up_to_each_hits_score(notes, query):
    for hit in notes.search(query, limit=5, explain=True, passages=0).hits:
        assert sum(part.score for part in hit.explanation) == pytest.approx(hit.score)


def test_contributions_add_up_on_an_index_of_several_segments(bundled_index, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(bundled_index[0], corpus)
    shutil.copytree(bundled_index[1], index)
    extra = corpus / "extra.md"
    extra.write_text(info_note("Ransomware extra", "More ransomware news."), encoding="utf-8")
    writer = open_whoosh_index(index).writer()
    writer.add_document(**note_document(parse_note(extra, corpus), mtime_ns=0, size=0))
    writer.commit(merge=False)  # a second segment, as incremental updates of big indexes make
    with open_index(corpus, index) as opened:
        assert len(opened.searcher.leaf_searchers()) > 1
        for query in ("ransom*", "ransomware", "T-Mobile NOT gprs"):
            for hit in opened.search(query, limit=5, explain=True, passages=0).hits:
                assert sum(part.score for part in hit.explanation) == pytest.approx(hit.score), query


def test_an_explanation_names_fields_as_users_type_them_and_terms_as_indexed(notes):
    hit = notes.search("GPRS gateway", limit=1, explain=True).hits[0]
    assert hit.path == GPRS
    assert [(part.field, part.term) for part in hit.explanation] == [
        ("title", "gatewai"),
        ("title", "gpr"),
        ("body", "gatewai"),
        ("body", "gpr"),
    ]


def test_tag_words_dates_and_structured_fields_are_named_as_typed(notes):
    parts = (
        notes.search("author:cimpanu tag:ransomware date:2021-10", limit=1, explain=True).hits[0].explanation
    )
    assert [(part.field, part.term) for part in parts] == [
        ("author", "cimpanu"),
        ("tag", "ransomware"),
        ("date", "2021-10-01..2021-10-31"),
    ]
    country = notes.search("country:ukraine", limit=1, explain=True).hits[0].explanation
    assert [(part.field, part.term) for part in country] == [("country", "ukraine")]


def test_a_not_clause_adds_its_constant_score_and_is_named_by_its_terms(notes):
    parts = notes.search("T-Mobile NOT gprs", limit=1, explain=True).hits[0].explanation
    assert parts[-1] == Contribution("NOT", "gpr gprs", 1.0)


def test_hits_have_no_explanation_unless_asked_for(notes):
    assert notes.search("ransomware", limit=1).hits[0].explanation == ()


def test_explain_works_with_date_order_and_later_pages(notes):
    hits = notes.search("ransomware", limit=2, page=2, sort=SortOrder.NEWEST, explain=True).hits
    assert [hit.rank for hit in hits] == [3, 4]
    assert all(hit.explanation and hit.explanation[0].score > 0 for hit in hits)


def test_similar_notes_can_be_explained_by_their_key_terms(notes):
    hit = notes.similar(GPRS, limit=1, explain=True).hits[0]
    assert hit.explanation and all(part.field == "body" for part in hit.explanation)


def test_cli_explain_prints_the_score_and_each_term_under_the_hit(search_bundled):
    result = search_bundled("GPRS gateway", "--explain", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "until its review is complete.\n"
        "   score 36.948\n"
        "     11.879  title:gatewai\n"
        "     11.879  title:gpr\n"
        "      6.595  body:gatewai\n"
        "      6.595  body:gpr\n"
    )


def test_cli_json_explain_is_a_list_of_field_term_score_objects(search_bundled):
    document = json.loads(search_bundled("GPRS gateway", "--explain", "--json").stdout)
    assert document["hits"][0]["explain"] == [
        {"field": "title", "term": "gatewai", "score": 11.8785},
        {"field": "title", "term": "gpr", "score": 11.8785},
        {"field": "body", "term": "gatewai", "score": 6.5954},
        {"field": "body", "term": "gpr", "score": 6.5954},
    ]


def test_cli_json_without_explain_has_no_explain_key(search_bundled):
    assert "explain" not in json.loads(search_bundled("GPRS gateway", "--json").stdout)["hits"][0]


def test_cli_explain_with_files_is_a_usage_error(search_bundled):
    result = search_bundled("ransomware", "--explain", "--files")
    assert result.exit_code == 2
    assert "--explain cannot be combined with --files" in result.stderr


def test_shell_explain_shows_the_terms_of_hit_n(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run("GPRS gateway")
        harness.take()
        harness.run(":explain 1")
        out, err = harness.take()
    finally:
        harness.shell.close()
    assert out == (
        "1. T-Mobile confirms breach through misconfigured GPRS gateway\n"
        "   score 36.948\n"
        "     11.879  title:gatewai\n"
        "     11.879  title:gpr\n"
        "      6.595  body:gatewai\n"
        "      6.595  body:gpr\n"
    )
    assert err == ""


def test_explain_of_a_bad_query_is_still_a_query_error(notes):
    with pytest.raises(QueryError):
        notes.search("auther:x", explain=True)
