"""The OpenSearch engine without a cluster: query translation, documents, settings, backoff."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import QueryError
from indexer.index.fields import FieldCatalog
from indexer.index.schema import build_schema
from indexer.notes.note import Note
from indexer.opensearch.connection import ClusterError, ClusterSettings, check_index_name, check_url
from indexer.opensearch.mapping import index_body, note_document
from indexer.opensearch.translate import to_dsl
from indexer.opensearch.writing import Backoff
from indexer.search.query import QueryParser


@pytest.fixture(scope="module")
def parse():
    parser = QueryParser(build_schema(), FieldCatalog(structured=("country",)))
    return parser.parse


def test_field_scope_becomes_a_term_query_on_the_stemmed_word(parse):
    assert to_dsl(parse("title:gateways")) == {"term": {"title": {"value": "gatewai", "boost": 1.0}}}


def test_words_are_all_required_each_in_any_default_field(parse):
    query = to_dsl(parse("gprs gateway"))
    first, second = query["bool"]["must"]
    assert first["bool"]["minimum_should_match"] == 1
    fields = [next(iter(clause["term"])) for clause in first["bool"]["should"]]
    assert fields == ["title", "subtitle", "body", "tag_words", "author", "source"]
    assert second["bool"]["should"][0] == {"term": {"title": {"value": "gatewai", "boost": 3.0}}}


def test_phrase_becomes_an_ordered_span_of_adjacent_words(parse):
    query = to_dsl(parse('body:"flaw to affect"'))
    assert query == {
        "span_near": {
            "clauses": [{"span_term": {"body": "flaw"}}, {"span_term": {"body": "affect"}}],
            "slop": 0,
            "in_order": True,
            "boost": 1.0,
        }
    }


def test_a_pasted_link_is_its_words_or_a_span_of_the_link_field(parse):
    words, link = to_dsl(parse("https://www.therecord.media/some-story?utm_source=x"))["bool"]["should"]
    assert words["bool"]["minimum_should_match"] == 1
    assert link == {
        "span_near": {
            "clauses": [{"span_term": {"link": word}} for word in ("therecord", "media", "some", "story")],
            "slop": 0,
            "in_order": True,
            "boost": 1.0,
        }
    }


def test_negation_alone_means_every_note_without_it(parse):
    assert to_dsl(parse("NOT tag:ransomware")) == {
        "bool": {
            "must": [{"match_all": {}}],
            "must_not": [{"term": {"tag": {"value": "ransomware", "boost": 1.0}}}],
        }
    }


def test_month_becomes_a_date_range_of_its_days(parse):
    assert to_dsl(parse("date:2021-10")) == {
        "range": {"date": {"gte": "2021-10-01T00:00:00.000+00:00", "lte": "2021-10-31T23:59:59.999+00:00"}}
    }


def test_open_ended_date_range_starts_after_the_day(parse):
    assert to_dsl(parse("date:>2021-10-15")) == {"range": {"date": {"gte": "2021-10-16T00:00:00.000+00:00"}}}


def test_fuzzy_term_counts_edits_as_whoosh_does(parse):
    fuzzy = to_dsl(parse("body:ransomwear~2"))["fuzzy"]["body"]
    assert (fuzzy["fuzziness"], fuzzy["transpositions"], fuzzy["max_expansions"]) == (2, True, 32)
    assert fuzzy["prefix_length"] == 1


def test_wildcards_and_prefixes(parse):
    assert to_dsl(parse("body:ransom*")) == {"prefix": {"body": {"value": "ransom", "boost": 1.0}}}
    assert to_dsl(parse("body:te?t")) == {"wildcard": {"body": {"value": "te?t", "boost": 1.0}}}


def test_structured_tag_scope_is_its_keyword_field(parse):
    assert to_dsl(parse("country:Ukraine")) == {"term": {"sx_country": {"value": "ukraine", "boost": 1.0}}}


def test_unsupported_form_is_a_query_error():
    from whoosh import query as wq

    with pytest.raises(QueryError, match="not supported on the OpenSearch engine"):
        to_dsl(wq.Ordered([wq.Term("body", "a"), wq.Term("body", "b")]))


def test_note_document_keeps_folded_facets_and_spellings():
    note = Note(
        path="a/b.md",
        title="T",
        body="text",
        source="The Record",
        authors=("Ann",),
        author="Ann",
        date=date(2021, 10, 5),
        tags=("Ransomware", "Été"),
        structured=(("victim.country.name", "Ukraine"),),
    )
    document = note_document(note, mtime_ns=5, size=7)
    assert document["date"] == "2021-10-05"
    assert document["facet"]["tag"] == ["ete", "ransomware"]
    assert document["spelling"]["tag"] == ["Ransomware", "Été"]
    assert (document["mtime_ns"], document["size"]) == (5, 7)
    assert any(name.startswith("sx_") for name in document)


def test_index_has_two_shards_and_a_replica_by_default():
    settings = index_body()["settings"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == (2, 1)


@pytest.mark.parametrize("url", ["localhost:9200", "ftp://host", "http://", "http://user:pw@host:9200"])
def test_bad_cluster_url_is_refused_before_any_request(url):
    with pytest.raises(ClusterError):
        check_url(url)


@pytest.mark.parametrize("name", ["Notes", "_notes", "a b", "a/b", ""])
def test_bad_index_name_is_refused(name):
    with pytest.raises(ClusterError):
        check_index_name(name)


def test_credentials_come_from_the_environment():
    env = {"NOTES_OPENSEARCH_USER": "ann", "NOTES_OPENSEARCH_PASSWORD": "pw"}
    settings = ClusterSettings.from_environment("https://search.example:9200/", environ=env)
    assert (settings.url, settings.user, settings.password, settings.verify_tls) == (
        "https://search.example:9200",
        "ann",
        "pw",
        True,
    )


def test_backoff_is_bounded_and_grows():
    assert list(Backoff(attempts=6, first_seconds=0.5, max_seconds=4).delays()) == [0.5, 1, 2, 4, 4]


@pytest.mark.opensearch_client
def test_a_corpus_notes_toml_cannot_turn_tls_checks_off(tmp_path, isolated_environment):
    from click.testing import CliRunner

    from indexer.cli import search_main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.toml").write_text("verify_tls = false\n", encoding="utf-8")
    result = CliRunner().invoke(
        search_main,
        ["ransomware", "--corpus", str(corpus), "--engine", "opensearch", "--url", "http://127.0.0.1:9"],
    )
    assert result.exit_code == 2
    warning, error = result.stderr.strip().splitlines()
    assert "verify_tls" in warning and "ignored" in warning
    assert not (isolated_environment / ".local" / "share").exists()  # no Whoosh index was built
    expected = "search: cannot reach the OpenSearch cluster at http://127.0.0.1:9; is it running?"
    assert error == expected + " check --url / NOTES_URL"


@pytest.mark.opensearch_client
def test_the_shell_on_an_unreachable_cluster_is_one_line_naming_the_url_and_exit_2(
    tmp_path, isolated_environment
):
    from click.testing import CliRunner

    from indexer.cli import search_main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    where = ["--corpus", str(corpus), "--engine", "opensearch", "--url", "http://127.0.0.1:9"]
    result = CliRunner().invoke(search_main, ["--shell", *where], input="ransomware\n")
    assert result.exit_code == 2
    expected = "search: cannot reach the OpenSearch cluster at http://127.0.0.1:9; is it running?"
    assert result.stderr.strip() == expected + " check --url / NOTES_URL"
    assert not (isolated_environment / ".local" / "share").exists()  # no Whoosh index was built


def test_stemmed_fields_are_sent_as_whooshs_stems_in_order():
    from indexer.index.schema import TEXT_ANALYZER
    from indexer.opensearch.mapping import stems

    text = "The cryptocurrency deployments were resetting, and the gateways failed."
    assert stems(text) == " ".join(token.text for token in TEXT_ANALYZER(text))
    assert "cryptocurrenci deployment" in stems(text)  # Lucene's Porter: cryptocurr deploy
    assert "resett" in stems(text).split()  # Lucene's Porter: reset


def test_each_ranking_bonus_is_a_clause_scoring_its_words_where_they_are_placed(parse):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search.ranking import PROXIMITY_BOOST, TWO_WORD_PROXIMITY_BOOST, ranking_bonuses

    text = "Ransomware gangs"
    clauses = dict(bonus_clauses(ranking_bonuses(parse(text), text)))
    words = [{"term": {"title": {"value": "ransomwar"}}}, {"term": {"title": {"value": "gang"}}}]
    assert clauses["all words in title"] == {"bool": {"must": words, "boost": 2.5}}
    exact = [{"term": {"title_words": "ransomware"}}, {"term": {"title_words": "gangs"}}]
    assert clauses["all words in title (as typed)"] == {
        "bool": {"must": words, "boost": 3.0, "filter": [{"bool": {"filter": exact}}]}
    }
    # Every word within 15 positions, in any order: Lucene's slop counts the positions between.
    passage = clauses["all words in body"]["bool"]
    assert passage["filter"] == [
        {
            "span_near": {
                "clauses": [{"span_term": {"body": "ransomwar"}}, {"span_term": {"body": "gang"}}],
                "slop": 14,
                "in_order": False,
            }
        }
    ]
    typed = clauses["all words in body (as typed)"]["bool"]["filter"][1]["span_near"]
    assert typed["clauses"] == [
        {"span_term": {"body_words": "ransomware"}},
        {"span_term": {"body_words": "gangs"}},
    ]
    # Two words in the order typed count as much as the passage (the ranker's constant).
    near = clauses["words near each other in body"]["bool"]
    assert near["boost"] == TWO_WORD_PROXIMITY_BOOST and near["boost"] != PROXIMITY_BOOST
    assert near["filter"][0]["span_near"]["in_order"] is True
    assert near["filter"][0]["span_near"]["slop"] == 24


def test_a_quoted_phrase_earns_only_its_as_typed_bonus(parse):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search.ranking import ranking_bonuses

    text = '"flaw to affect"'
    clauses = dict(bonus_clauses(ranking_bonuses(parse(text), text)))
    assert list(clauses) == ['phrase "flaw to affect" in body (as typed)']
    (clause,) = clauses.values()
    stems_placed, typed = clause["bool"]["filter"]
    assert stems_placed["span_near"]["slop"] == 0 and stems_placed["span_near"]["in_order"] is True
    assert [span["span_term"]["body_words"] for span in typed["span_near"]["clauses"]] == [
        "flaw",
        "to",
        "affect",
    ]
    assert typed["span_near"]["slop"] == 0 and clause["bool"]["boost"] == 3.0


# -- the two-passages and subject-and-detail bonuses, checked against Whoosh's own ------------


def _cluster_score(query: dict, positions: dict, scores: dict) -> float | None:
    """What Lucene would score `query` (the few forms the bonuses use) for one note, None
    if it does not match. `positions`: (field, word) -> positions; `scores`: (field, word)
    -> the word's score there. An unordered span_near matches where one position of each
    word lies in a window whose width, less the words' own, is at most its slop (Lucene's
    NearSpansUnordered); found here by trying every combination."""
    from itertools import product

    kind, body = next(iter(query.items()))
    if kind == "term":
        field, value = next(iter(body.items()))
        word = value["value"] if isinstance(value, dict) else value
        return scores.get((field, word), 1.0) if positions.get((field, word)) else None
    if kind == "span_near":
        assert body["in_order"] is False
        places = [positions.get(next(iter(clause["span_term"].items())), []) for clause in body["clauses"]]
        width = len(places)
        fits = any(max(chosen) - min(chosen) + 1 - width <= body["slop"] for chosen in product(*places))
        return 0.0 if places and all(places) and fits else None
    assert kind == "bool"
    total = 0.0
    for clause in [*body.get("must", []), *body.get("filter", [])]:
        found = _cluster_score(clause, positions, scores)
        if found is None:
            return None
        total += found if clause in body.get("must", []) else 0.0
    if any(_cluster_score(clause, positions, scores) is not None for clause in body.get("must_not", [])):
        return None
    matched = [
        found
        for clause in body.get("should", [])
        if (found := _cluster_score(clause, positions, scores)) is not None
    ]
    if body.get("minimum_should_match", 0) > len(matched):
        return None
    return (total + sum(matched)) * body.get("boost", 1.0)


_positions = st.lists(st.integers(0, 140), min_size=0, max_size=3, unique=True).map(sorted)


@settings(max_examples=5 * settings.default.max_examples, deadline=None)  # 150 everyday
@given(
    count=st.integers(3, 6),
    body=st.lists(_positions, min_size=6, max_size=6),
    titled=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_two_passages_and_beside_title_clauses_match_exactly_where_whoosh_gives_the_bonus(
    count, body, titled
):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search import ranking

    words = tuple(f"w{index}" for index in range(count))
    positions = {("body", word): body[index] for index, word in enumerate(words)}
    positions |= {("title", word): [0] for index, word in enumerate(words) if titled[index]}
    scores = {("body", word): 1.0 + index for index, word in enumerate(words)}
    bonuses = [
        ranking.Bonus("body", words, ranking.TWO_PASSAGES_BOOST, span=0, two_passages=True),
        ranking.Bonus("body", words, ranking.TITLE_AND_PASSAGE_BOOST, span=0, beside_title=True),
    ]
    found = [
        {0: (scores["body", word], positions["body", word])} if body[i] else {}
        for i, word in enumerate(words)
    ]
    titles = [{0: (1.0, ())} if titled[i] else {} for i in range(count)]
    earned: dict = {}
    ranking._add_two_passages(bonuses[0], found, [0], {0: 0.0}, earned)
    ranking._add_beside_title(bonuses[1], found, titles, [0], {0: 0.0}, earned)
    expected = dict(earned.get(0, []))
    clauses = dict(bonus_clauses(bonuses))
    assert set(clauses) <= {
        "the words in two passages of body",
        "the words beside the title in one passage of body",
    }
    got = {
        label: score
        for label, clause in clauses.items()
        if (score := _cluster_score(clause, positions, scores))
    }
    assert got == pytest.approx(expected)


def test_a_four_word_query_sends_its_two_passages_bonus_as_three_splits(parse):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search.ranking import TWO_PASSAGES_BOOST, ranking_bonuses

    text = "falcon harbour lantern ferry"
    clauses = dict(bonus_clauses(ranking_bonuses(parse(text), text)))
    two = clauses["the words in two passages of body"]["bool"]
    assert two["boost"] == TWO_PASSAGES_BOOST
    (splits,) = two["filter"]
    groups = [
        [
            [span["span_term"]["body"] for span in near["span_near"]["clauses"]]
            for near in split["bool"]["filter"]
        ]
        for split in splits["bool"]["should"]
    ]
    assert groups == [
        [["falcon", "harbour"], ["lantern", "ferri"]],
        [["falcon", "lantern"], ["harbour", "ferri"]],
        [["falcon", "ferri"], ["harbour", "lantern"]],
    ]
    # Two words within 15 positions: Lucene's slop counts the positions between them.
    assert {
        near["span_near"]["slop"] for split in splits["bool"]["should"] for near in split["bool"]["filter"]
    } == {14}
    # No clause asks for a negative slop (which matched nothing before).
    assert '"slop": -' not in json.dumps(clauses)


def test_the_stop_words_typed_are_a_clause_on_the_words_as_written(parse):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search.ranking import STOP_WORDS_PASSAGE_BOOST, ranking_bonuses

    text = "the if you enter"
    ((label, clause),) = bonus_clauses(ranking_bonuses(parse(text), text))
    assert label == "all words in body (as typed, stop words included)"
    assert clause["bool"]["boost"] == STOP_WORDS_PASSAGE_BOOST
    assert clause["bool"]["must"] == [{"term": {"body": {"value": "enter"}}}]
    (typed,) = clause["bool"]["filter"]
    assert [span["span_term"]["body_words"] for span in typed["span_near"]["clauses"]] == [
        "enter",
        "the",
        "if",
        "you",
    ]
    assert typed["span_near"]["slop"] == 45 - 3 and typed["span_near"]["in_order"] is False


def test_the_cluster_engine_without_its_client_is_one_line_naming_the_extra_and_exit_2(
    tmp_path, isolated_environment, monkeypatch
):
    import sys

    from click.testing import CliRunner

    from indexer.cli import indexer_main, search_main

    monkeypatch.setitem(sys.modules, "opensearchpy", None)  # `import opensearchpy` fails, as uninstalled
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    where = ["--corpus", str(corpus), "--engine", "opensearch", "--url", "http://127.0.0.1:9"]
    for command, name, args in (
        (search_main, "search", ["ransomware"]),
        (search_main, "search", ["--shell"]),
        (indexer_main, "indexer", ["build"]),
        (indexer_main, "indexer", ["update"]),
    ):
        result = CliRunner().invoke(command, [*args, *where], input="ransomware\n")
        assert (result.exit_code, result.stdout) == (2, ""), (args, result.output)
        assert result.stderr == (
            f"{name}: the OpenSearch engine needs the opensearch-py package;"
            " pip install 'notes-indexer[opensearch]'\n"
        ), args
    assert not (isolated_environment / ".local" / "share").exists()  # no Whoosh index was built instead


@settings(deadline=None)
@given(count=st.integers(3, 6), titled=st.lists(st.booleans(), min_size=6, max_size=6))
def test_the_all_but_one_clause_matches_exactly_where_whoosh_gives_the_bonus(count, titled):
    from indexer.opensearch.ranking import bonus_clauses
    from indexer.search import ranking

    words = tuple(f"w{index}" for index in range(count))
    positions = {("title", word): [0] for index, word in enumerate(words) if titled[index]}
    scores = {("title", word): 1.0 + index for index, word in enumerate(words)}
    bonus = ranking.Bonus("title", words, ranking.MOST_OF_TITLE_BOOST, all_but_one=True)
    found = [{0: (scores["title", word], ())} if titled[i] else {} for i, word in enumerate(words)]
    earned: dict = {}
    ranking._add_all_but_one(bonus, found, [0], {0: 0.0}, earned)
    [(label, clause)] = bonus_clauses([bonus])
    assert label == "all words but one in title"
    got = _cluster_score(clause, positions, scores)
    assert (got or 0.0) == pytest.approx(dict(earned.get(0, [])).get(label, 0.0))
