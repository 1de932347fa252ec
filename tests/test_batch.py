"""Batch queries: `search --batch FILE`, JSONL with the query on every line, one index for all."""

from __future__ import annotations

import io
import json

import pytest

from indexer.errors import QueryError
from indexer.search.batch import BatchQuery, read_queries, run_batch
from indexer.search.searching import NoteIndex, SortOrder, open_index

BATCH = (
    "# cimpanu's ransomware stories\nauthor:cimpanu tag:ransomware\n\n   \nzyzzyva\nauther:x\nGPRS gateway\n"
)


def lines_of(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def test_read_queries_skips_blank_lines_and_comments_and_keeps_line_numbers():
    assert list(read_queries(io.StringIO(BATCH))) == [
        BatchQuery(2, "author:cimpanu tag:ransomware"),
        BatchQuery(5, "zyzzyva"),
        BatchQuery(6, "auther:x"),
        BatchQuery(7, "GPRS gateway"),
    ]


def test_run_batch_yields_each_outcome_in_order_with_errors_for_malformed_queries(notes):
    outcomes = list(run_batch(notes, read_queries(io.StringIO(BATCH)), limit=1, sort=SortOrder.NEWEST))
    assert [outcome.query.line for outcome in outcomes] == [2, 5, 6, 7]
    assert [outcome.result.total if outcome.result else None for outcome in outcomes] == [3, 0, None, 1]
    assert isinstance(outcomes[2].error, QueryError)


def test_run_batch_counts_only_when_asked(notes):
    outcomes = list(run_batch(notes, [BatchQuery(1, "tag:ransomware")], count_only=True))
    assert (outcomes[0].total, outcomes[0].result) == (14, None)


def test_cli_batch_prints_jsonl_with_the_query_on_every_hit(search_bundled):
    result = search_bundled("--batch", "-", "-n", "2", input="author:cimpanu tag:ransomware\nGPRS gateway\n")
    assert result.exit_code == 0
    lines = lines_of(result)
    assert [(line["query"], line["rank"]) for line in lines] == [
        ("author:cimpanu tag:ransomware", 1),
        ("author:cimpanu tag:ransomware", 2),
        ("GPRS gateway", 1),
    ]
    assert lines[2]["path"] == "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
    assert result.stderr == ""


def test_cli_batch_prints_one_line_with_hits_0_for_a_query_with_none(search_bundled):
    result = search_bundled("--batch", "-", input="zyzzyva\n")
    assert (result.exit_code, result.stdout) == (
        0,
        '{"format_version": 1, "query": "zyzzyva", "total": 0, "hits": 0}\n',
    )


def test_cli_batch_reports_malformed_lines_with_their_numbers_and_exits_2(search_bundled):
    result = search_bundled("--batch", "-", "-n", "1", input=BATCH)
    assert result.exit_code == 2
    assert [line["query"] for line in lines_of(result)] == [
        "author:cimpanu tag:ransomware",
        "zyzzyva",
        "GPRS gateway",
    ]
    assert result.stderr == (
        "search: line 6: unknown field 'auther:'; valid fields: title:, subtitle:, body:, source:, author:, "
        "tag:, date:, link:, path:, city:, continent:, country:, industry:, malware:, threatactor:\n"
    )


def test_cli_batch_reads_a_file_and_pages_and_sorts_every_query(search_bundled, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("tag:ransomware\n", encoding="utf-8")
    result = search_bundled("--batch", str(batch), "-n", "2", "--page", "2", "--sort", "-date")
    expected = search_bundled("tag:ransomware", "-n", "2", "--page", "2", "--sort", "-date", "--jsonl")
    assert [line["path"] for line in lines_of(result)] == [line["path"] for line in lines_of(expected)]
    assert [line["rank"] for line in lines_of(result)] == [3, 4]


def test_cli_batch_count_prints_a_total_per_query(search_bundled):
    result = search_bundled("--batch", "-", "--count", input="tag:ransomware\nzyzzyva\n")
    assert (
        result.stdout == '{"format_version": 1, "query": "tag:ransomware", "total": 14}\n'
        '{"format_version": 1, "query": "zyzzyva", "total": 0}\n'
    )


def test_cli_batch_facets_timeline_and_suggestions_go_in_a_summary_line(search_bundled):
    result = search_bundled(
        "--batch", "-", "-n", "1", "--facet", "year", "--timeline", "--exact", input="revil\nransomwear\n"
    )
    lines = lines_of(result)
    assert [sorted(line) for line in lines[1:]] == [
        ["facets", "format_version", "hits", "query", "timeline", "total"],
        ["facets", "format_version", "hits", "query", "suggestion", "timeline", "total"],
    ]
    assert lines[1]["facets"] == {"year": {"2021": 5, "2022": 1}}
    assert lines[2] == {
        "format_version": 1,
        "query": "ransomwear",
        "total": 0,
        "hits": 0,
        "facets": {"year": {}},
        "timeline": {},
        "suggestion": "ransomware",
    }


def test_cli_batch_names_the_corrected_query_on_hit_lines_and_the_summary(search_bundled):
    lines = lines_of(search_bundled("--batch", "-", "-n", "1", "--facet", "year", input="ransomwear\n"))
    assert lines[0]["query"] == "ransomwear" and lines[0]["corrected_query"] == "ransomware"
    assert lines[1]["corrected_query"] == "ransomware" and lines[1]["total"] == 17


def test_cli_batch_explain_adds_explain_to_every_hit(search_bundled):
    result = search_bundled("--batch", "-", "-n", "1", "--explain", input="GPRS gateway\n")
    assert lines_of(result)[0]["explain"][0] == {"field": "title", "term": "gatewai", "score": 11.8785}


def test_cli_batch_opens_the_index_once_for_every_query(search_bundled, monkeypatch):
    opened = []
    original = NoteIndex.__init__

    def counting(self, *args, **kwargs):
        opened.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(NoteIndex, "__init__", counting)
    result = search_bundled("--batch", "-", "--count", input="conti\nrevil\nlockbit\nkaseya\n")
    assert len(result.stdout.splitlines()) == 4
    assert len(opened) == 1


def test_cli_batch_with_a_query_argument_is_a_usage_error(search_bundled):
    result = search_bundled("ransomware", "--batch", "-", input="conti\n")
    assert result.exit_code == 2
    assert "--batch reads its queries from FILE; it takes no QUERY" in result.stderr


def test_cli_batch_with_json_output_is_a_usage_error(search_bundled):
    result = search_bundled("--batch", "-", "--json", input="conti\n")
    assert result.exit_code == 2
    assert "--batch prints JSONL; it cannot be combined with --json" in result.stderr


def test_cli_batch_of_a_missing_file_exits_2(search_bundled, tmp_path):
    result = search_bundled("--batch", str(tmp_path / "nowhere.txt"))
    assert result.exit_code == 2
    assert "nowhere.txt" in result.stderr
