"""The OpenSearch engine against a real two-node cluster (see `tests.opensearch_cluster`):
the same notes as Whoosh for the same queries, the CLI, updates, and faults."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.opensearch.connection import ClusterError, ClusterSettings, connect
from indexer.opensearch.searching import ClusterNotes
from indexer.opensearch.writing import Backoff, build_cluster_index, cluster_manifest, update_cluster_index
from indexer.search.results import SortOrder
from indexer.search.searching import open_index
from tests.conftest import BUNDLED_CORPUS, SHARED_NEWS

# Queries whose hit sets must be equal on both engines: field scopes, phrases, boolean
# logic, wildcards, fuzzy terms, every date form.
SAME_NOTES = [
    "GPRS gateway",
    "ransomware",
    "author:cimpanu",
    "source:zdnet",
    'tag:"The Record"',
    "tag:ransomware date:2021",
    "title:ransomware OR source:zdnet",
    "attack AND NOT ransomware",
    "NOT tag:ransomware",
    "ransomware -attack",
    "-tag:ransomware date:2021",
    'ransomware -"ransomware attack" -(conti OR revil)',
    "(conti OR revil) ransomware",
    '"GPRS gateway"',
    '"flaw to affect"',
    "T-Mobile",
    "ransom*",
    "te?t",
    "lock~",
    "ransomwear~2",
    "date:2021",
    "date:2021-10",
    "date:2021-10-05",
    "date:>2021-10-15",
    "date:<2021-03-01",
    "date:[2021-01 to 2021-03]",
    'date:"oct 2021"',
    "path:news",
    "link:therecord",
    "https://therecord.media/t-mobile-confirms-breach-through-misconfigured-gprs-gateway/",
    "http://www.example.org/conti-playbook?utm_source=x",
    "*",
]
FACETS = ["source", "author", "tag", "year", "month"]


@pytest.fixture(scope="module")
def bundled_on_both(opensearch_cluster, bundled_index):
    """(Whoosh notes, cluster notes) of the bundled corpus."""
    corpus, index = bundled_index
    cluster = ClusterSettings(url=opensearch_cluster.url, index_name="bundled")
    report = build_cluster_index(corpus, cluster)
    assert report.notes == report.added == len(list(corpus.rglob("*.md")))
    with open_index(corpus, index) as whoosh, ClusterNotes(corpus, cluster) as notes:
        yield whoosh, notes


def _paths(notes, query: str) -> set[str]:
    # Every copy: Whoosh folds near-duplicates into one hit, the cluster engine does not.
    return {hit.path for hit in notes.search(query, limit=0, passages=0, all_copies=True).hits}


@pytest.mark.parametrize("query", SAME_NOTES)
def test_same_notes_match_on_both_engines(bundled_on_both, query):
    whoosh, cluster = bundled_on_both
    assert _paths(cluster, query) == _paths(whoosh, query)


def test_structured_tag_scope_matches_the_same_notes(bundled_on_both):
    whoosh, cluster = bundled_on_both
    structured = whoosh.catalog.structured
    assert structured, "the bundled corpus has structured tags"
    assert set(cluster.catalog.structured) == set(structured)
    value = whoosh.field_values("sx_" + structured[0])[0][0]
    query = f'{structured[0]}:"{value}"'
    assert _paths(cluster, query) == _paths(whoosh, query) != set()


@pytest.mark.parametrize("query", ["*", "ransomware", "date:2021"])
def test_facet_and_timeline_counts_are_the_same(bundled_on_both, query):
    whoosh, cluster = bundled_on_both
    expected = whoosh.search(query, limit=1, facets=FACETS, timeline=True)
    got = cluster.search(query, limit=1, facets=FACETS, timeline=True)
    assert got.total == expected.total
    assert got.facets == expected.facets
    assert got.timeline == expected.timeline


def test_pages_in_date_order_are_the_same(bundled_on_both):
    from indexer.search.results import SortOrder

    whoosh, cluster = bundled_on_both
    for sort in (SortOrder.DATE, SortOrder.NEWEST):
        pages = [
            [hit.path for hit in engine.search("*", limit=7, page=2, sort=sort).hits]
            for engine in (whoosh, cluster)
        ]
        assert pages[0] == pages[1]


def test_hits_have_passages_from_the_note_file(bundled_on_both):
    _, cluster = bundled_on_both
    hit = cluster.search("GPRS gateway", limit=1).hits[0]
    assert hit.passages and hit.passages[0].spans
    marked = {hit.passages[0].text[start:end].lower() for start, end in hit.passages[0].spans}
    assert marked == {"gprs", "gateway"}


def test_similar_finds_other_notes_sharing_words(bundled_on_both):
    whoosh, cluster = bundled_on_both
    path = whoosh.search("GPRS gateway", limit=1).hits[0].path
    result = cluster.similar(path, limit=5)
    assert result.hits and path not in {hit.path for hit in result.hits}


def _cli(command, *args: str):
    return CliRunner().invoke(command, list(args))


def test_cli_build_and_search_json_on_the_cluster(opensearch_cluster, tmp_path, bundled_index):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    where = ["--corpus", str(corpus), "--engine", "opensearch", "--url", opensearch_cluster.url]
    built = _cli(indexer_main, "build", *where, "--index-name", "cli-notes")
    assert built.exit_code == 0, built.output
    assert built.stdout.startswith("Indexed 40 notes in ")
    assert f"into {opensearch_cluster.url} index cli-notes" in built.stdout
    found = _cli(search_main, "author:cimpanu date:2021-10", "--json", *where, "--index-name", "cli-notes")
    assert found.exit_code == 0, found.stderr
    answer = json.loads(found.stdout)
    local = _cli(
        search_main, "author:cimpanu date:2021-10", "--json", "--corpus", str(bundled_index[0]),
        "--index", str(bundled_index[1]), "--no-update",
    )  # fmt: skip
    expected = json.loads(local.stdout)
    assert set(answer) == set(expected)
    assert set(answer["hits"][0]) == set(expected["hits"][0])
    assert answer["total"] == expected["total"]
    assert {hit["path"] for hit in answer["hits"]} == {hit["path"] for hit in expected["hits"]}
    none = _cli(search_main, "zzzqqq", *where, "--index-name", "cli-notes")
    assert none.exit_code == 1


def test_update_applies_added_changed_and_deleted_notes(opensearch_cluster, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    cluster = ClusterSettings(url=opensearch_cluster.url, index_name="updates")
    build_cluster_index(corpus, cluster)
    notes = sorted(corpus.rglob("*.md"))
    notes[0].unlink()
    notes[1].write_text("# Quokka sighting\n\nA quokka was seen near the gateway.\n", encoding="utf-8")
    (corpus / "new.md").write_text("# Wombat report\n\nA wombat dug under the fence.\n", encoding="utf-8")
    report = update_cluster_index(corpus, cluster)
    assert (report.added, report.changed, report.removed, report.notes) == (1, 1, 1, 40)
    again = update_cluster_index(corpus, cluster)
    assert (again.added, again.changed, again.removed, again.notes) == (0, 0, 0, 40)
    with ClusterNotes(corpus, cluster) as found:
        assert [hit.path for hit in found.search("quokka").hits] == [notes[1].relative_to(corpus).as_posix()]
        assert [hit.path for hit in found.search("wombat").hits] == ["new.md"]
        assert found.count(f'path:"{notes[0].stem}"') == 0


@pytest.mark.opensearch_client
def test_unreachable_cluster_is_one_line_naming_the_url_and_exit_2(tmp_path):
    url = "http://127.0.0.1:9"  # discard port: nothing listens
    where = ["--corpus", str(BUNDLED_CORPUS), "--engine", "opensearch", "--url", url]
    for command, args in ((search_main, ["ransomware"]), (indexer_main, ["build"])):
        result = _cli(command, *args, *where)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1
        assert f"cannot reach the OpenSearch cluster at {url}" in result.stderr


class _RejectingProxy:
    """A loopback proxy in front of the cluster that rejects the first `rejections` bulk
    requests, item by item (status 429), as a node with a full write queue does; with
    `whole_request`, the request itself gets 429."""

    def __init__(self, upstream: str, rejections: int, *, whole_request: bool = False) -> None:
        self.rejections = rejections
        self.bulk_requests = 0
        upstream_host, upstream_port = upstream.removeprefix("http://").split(":")
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "_bulk" in self.path:
                    proxy.bulk_requests += 1
                    if proxy.rejections > 0:
                        proxy.rejections -= 1
                        return self._reject(body)
                connection = http.client.HTTPConnection(upstream_host, int(upstream_port), timeout=60)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                self.send_header("Content-Type", response.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            def _reject(self, body: bytes) -> None:
                error = {"type": "rejected_execution_exception", "reason": "write queue is full"}
                if whole_request:
                    data = json.dumps({"error": error, "status": 429}).encode()
                    status = 429
                else:
                    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
                    items = [
                        {action: {"_id": meta["_id"], "status": 429, "error": error}}
                        for line in lines
                        for action, meta in line.items()
                        if action in ("index", "delete")
                    ]
                    data = json.dumps({"took": 1, "errors": True, "items": items}).encode()
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("whole_request", [False, True], ids=["items", "request"])
def test_bulk_rejections_are_retried_with_backoff(opensearch_cluster, whole_request):
    proxy = _RejectingProxy(opensearch_cluster.url, rejections=2, whole_request=whole_request)
    try:
        cluster = ClusterSettings(url=proxy.url, index_name="rejections")
        report = build_cluster_index(BUNDLED_CORPUS, cluster, backoff=Backoff(first_seconds=0.05))
    finally:
        proxy.close()
    assert report.notes == report.added == 40
    assert proxy.bulk_requests == 3  # one bulk of 40 notes, refused twice, then accepted


def test_bulk_rejections_give_up_after_a_bounded_number_of_tries(opensearch_cluster):
    proxy = _RejectingProxy(opensearch_cluster.url, rejections=100)
    try:
        cluster = ClusterSettings(url=proxy.url, index_name="rejected")
        with pytest.raises(ClusterError, match="40 notes were still refused after 3 tries"):
            build_cluster_index(BUNDLED_CORPUS, cluster, backoff=Backoff(attempts=3, first_seconds=0.05))
    finally:
        proxy.close()
    assert proxy.bulk_requests == 3


def test_node_stopped_mid_build_loses_nothing_and_a_rerun_completes(
    opensearch_cluster, tmp_path, monkeypatch
):
    from benchmarks.corpus_gen import generate_scaled_corpus
    from indexer.opensearch import writing

    corpus = generate_scaled_corpus(BUNDLED_CORPUS, tmp_path / "corpus", scale=25, seed=7)
    monkeypatch.setattr(writing, "BULK_NOTES", 50)  # 20 bulk requests
    cluster = ClusterSettings(url=opensearch_cluster.url, index_name="lost-node")
    started_sending = threading.Event()
    stopped = threading.Event()

    def stop_node_2() -> None:
        started_sending.wait(timeout=300)
        opensearch_cluster.stop_node(2)
        stopped.set()

    def progress(done: int, total: int) -> None:
        if done == total // 4:
            started_sending.set()

    stopper = threading.Thread(target=stop_node_2)
    stopper.start()
    try:
        try:
            first = build_cluster_index(corpus.root, cluster, progress=progress)
        except ClusterError as exc:
            assert "\n" not in str(exc)  # a one-line error; the rerun below completes
            first = None
        stopper.join(timeout=300)
        assert stopped.is_set()
        if first is None or first.notes != corpus.notes:
            first = build_cluster_index(corpus.root, cluster)
        assert first.notes == corpus.notes
        client = connect(cluster)
        try:
            manifest = cluster_manifest(client, cluster)
        finally:
            client.close()
        on_disk = {path.relative_to(corpus.root).as_posix() for path in corpus.root.rglob("*.md")}
        assert set(manifest) == on_disk  # nothing lost, and (ids are paths) nothing twice
        assert update_cluster_index(corpus.root, cluster).touched is False
    finally:
        stopper.join(timeout=300)
        if 2 not in opensearch_cluster.urls:
            opensearch_cluster.start_node(2)


# Query kinds whose target lacks one of the words (or has one misspelled past correction):
# answered through near misses, Whoosh-only (seed 7, 10 a kind, Whoosh against the cluster:
# 0.875 / 0.55, 1.0 / 0.55, 0.95 / 0.71, 0.75 / 0.44).
NEAR_MISS_KINDS = frozenset({"wrong-word", "sentence-changed", "body-typo", "two-typos"})


@pytest.mark.shared_corpus
@pytest.mark.skipif(not SHARED_NEWS.is_dir(), reason=f"shared news corpus not found at {SHARED_NEWS}")
def test_news_corpus_same_notes_facets_and_timeline(opensearch_cluster, shared_news_index):
    corpus, index, _ = shared_news_index
    cluster = ClusterSettings(url=opensearch_cluster.url, index_name="news")
    report = build_cluster_index(corpus, cluster)
    queries = [
        "ransomware attack",
        "author:cimpanu tag:ransomware",
        'tag:"The Record" date:2021-10',
        '"supply chain"',
        "log4j OR log4shell",
        "conti NOT revil",
        "date:[2021-08-01 to 2021-08-31]",
        "ransom*",
        "gateway~",
        # Whoosh's Porter stemmer and Lucene's disagree on these words' stems.
        "cryptocurrency deployment",
        "resetting",
    ]
    with open_index(corpus, index) as whoosh, ClusterNotes(corpus, cluster) as notes:
        assert report.notes == whoosh.note_count()
        different = [query for query in queries if _paths(notes, query) != _paths(whoosh, query)]
        assert different == []
        # Known-item MRR@10 (the relevance benchmark's draw, 10 queries of each kind).
        from benchmarks.known_items import generate, load_notes
        from benchmarks.relevance import rank_of

        # The kinds with one word wrong lean on near misses, which only the Whoosh engine has
        # (docs/opensearch.md, "What differs"): left out here, their gap is given there.
        items = [
            item
            for item in generate(load_notes(corpus), per_kind=10, seed=7)
            if item.kind not in NEAR_MISS_KINDS
        ]
        mrr = {}
        for label, engine in (("whoosh", whoosh), ("cluster", notes)):
            ranks = [
                rank_of(item.target, [hit.path for hit in engine.search(item.query, passages=0).hits])
                for item in items
            ]
            mrr[label] = sum(1 / rank for rank in ranks if rank) / len(items)
        assert mrr["cluster"] >= mrr["whoosh"] - 0.05, mrr
        for query in ("ransomware", "*"):
            expected = whoosh.search(query, limit=1, facets=FACETS, timeline=True)
            got = notes.search(query, limit=1, facets=FACETS, timeline=True)
            assert got.total == expected.total
            for name in FACETS:
                assert got.facets[name] == expected.facets[name], (query, name)
            assert got.timeline == expected.timeline


def test_batch_runs_every_query_on_the_cluster(opensearch_cluster, bundled_on_both, tmp_path):
    corpus = bundled_on_both[1].corpus
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "saved")]
    where += ["--engine", "opensearch", "--url", opensearch_cluster.url, "--index-name", "bundled"]
    result = CliRunner().invoke(
        search_main, ["--batch", "-", "--count", *where], input="conti\nauthor:cimpanu\n"
    )
    assert result.exit_code == 0, result.stderr
    counts = [json.loads(line)["total"] for line in result.stdout.splitlines()]
    whoosh = bundled_on_both[0]
    assert counts == [whoosh.count("conti"), whoosh.count("author:cimpanu")]


def test_words_the_two_stemmers_disagree_on_match_the_same_notes(opensearch_cluster, tmp_path):
    from indexer.index.store import build_index
    from tests.conftest import info_note

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    notes = {
        "a.md": info_note(
            "Cryptocurrency exchange hacked", "The deployment failed after resetting passwords."
        ),
        "b.md": info_note("Reset the router", "Deploy the fix; cryptocurrencies are not involved."),
        "c.md": info_note("Unrelated", "Nothing about money or routers here at all."),
    }
    for name, text in notes.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, tmp_path / "index")
    cluster = ClusterSettings(url=opensearch_cluster.url, index_name="stems")
    build_cluster_index(corpus, cluster)
    queries = [
        "cryptocurrency",
        "cryptocurrencies",
        "deployment",
        "deploy",
        "resetting",
        "reset",
        "title:cryptocurrencies",
        '"resetting passwords"',
        "deployments~1",
    ]
    with open_index(corpus, tmp_path / "index") as whoosh, ClusterNotes(corpus, cluster) as on_cluster:
        found = {query: _paths(whoosh, query) for query in queries}
        assert all(found.values()), found
        assert {query: _paths(on_cluster, query) for query in queries} == found


@pytest.mark.parametrize(
    "query", ["GPRS gateway", "ransomware attack", "author:cimpanu ransomware", "ransom*"]
)
def test_cluster_explanations_add_up_to_each_hits_score(bundled_on_both, query):
    _, cluster = bundled_on_both
    hits = cluster.search(query, limit=5, explain=True, passages=0).hits
    assert hits
    for hit in hits:
        assert sum(part.score for part in hit.explanation) == pytest.approx(hit.score, rel=1e-4)


def test_cluster_ranking_bonuses_are_whooshs(bundled_on_both):
    """The same bonuses (all words in the title, in one passage, as typed...) reach the same note."""
    whoosh, cluster = bundled_on_both
    query = "ransomware gang"
    expected = whoosh.search(query, limit=1, explain=True, passages=0).hits[0]
    found = cluster.search(query, limit=10, explain=True, passages=0).hits
    got = next(hit for hit in found if hit.path == expected.path)
    assert {(part.field, part.term) for part in got.explanation} == {
        (part.field, part.term) for part in expected.explanation
    }
    assert "all words in title (as typed)" in {
        part.term for part in got.explanation if part.field == "ranking"
    }


@pytest.mark.parametrize(
    "query", ["their researchers ragnar ransomware", "vulnerability laterally vulnerable servers"]
)
def test_cluster_gives_the_two_passages_and_subject_and_detail_bonuses_where_whoosh_does(
    bundled_on_both, query
):
    """Four words, two from each of two paragraphs, or some in the title and the others in
    one paragraph: the note Whoosh ranks first earns the same bonuses on the cluster."""
    whoosh, cluster = bundled_on_both
    expected = whoosh.search(query, limit=1, explain=True, passages=0).hits[0]
    found = cluster.search(query, limit=10, explain=True, passages=0).hits
    got = next(hit for hit in found if hit.path == expected.path)

    def bonuses(hit):
        return {part.term for part in hit.explanation if part.field == "ranking"}

    assert bonuses(expected) & {
        "the words in two passages of body",
        "the words beside the title in one passage of body",
    }
    assert bonuses(got) == bonuses(expected)


def test_benchmark_query_shapes_answer_on_both_engines(bundled_on_both):
    """The latency benchmark's queries (two title words, author, quoted tag and source,
    date ranges and months, title phrases), repeats included: none fails, same totals."""
    from benchmarks.opensearch import _latency, agreement
    from benchmarks.queries import sample_queries

    whoosh, cluster = bundled_on_both
    corpus = whoosh.corpus
    queries = sample_queries(corpus, sorted(corpus.rglob("*.md")), 36, seed=5)
    assert len({query.text for query in queries}) < len(queries)  # repeats: counted once each
    _, whoosh_totals, whoosh_errors = _latency(whoosh, queries)
    _, cluster_totals, cluster_errors = _latency(cluster, queries)
    assert whoosh_errors == cluster_errors == []
    assert agreement(whoosh_totals, cluster_totals) == f"{len(queries)}/{len(queries)}"


def test_the_shell_searches_the_cluster_with_piped_lines(opensearch_cluster, bundled_on_both, tmp_path):
    whoosh = bundled_on_both[0]
    where = ["--corpus", str(whoosh.corpus), "--index", str(tmp_path / "saved")]
    where += ["--engine", "opensearch", "--url", opensearch_cluster.url, "--index-name", "bundled"]
    lines = "author:cimpanu tag:ransomware\n:limit 1\nransomware\n:more\n:explain 2\n:facets source\n"
    lines += ":save ransom\n:saved\n:stats\n:watch on\n:quit\n"
    result = CliRunner().invoke(search_main, ["--shell", "--sort", "-date", *where], input=lines)
    assert result.exit_code == 0, result.stderr
    out = result.stdout + result.stderr  # results on stdout, the shell's talk on stderr
    expected = whoosh.search("author:cimpanu tag:ransomware", sort=SortOrder.NEWEST).hits
    for hit in expected:
        assert f"{hit.rank}. {hit.title}" in result.stdout
    assert f"{len(expected)} notes match (1-{len(expected)} shown)" in out
    total = whoosh.count("ransomware")
    assert f"{total} notes match (1-1 shown); :more for the next 1" in out
    assert f"{total} notes match (2-2 shown)" in out
    assert "score " in out and "body:ransomwar" in out  # :explain 2
    assert "saved @ransom: ransomware" in out and "@ransom  ransomware" in out
    assert re.search(rf"cluster +{re.escape(opensearch_cluster.url)} index bundled", out)
    assert ":watch works on a Whoosh index, not on the OpenSearch engine" in result.stderr
    assert (tmp_path / "saved").is_dir()  # saved searches are kept beside --index


def test_shell_completion_values_come_from_the_cluster(bundled_on_both):
    from indexer.shell.completer import Vocabulary

    whoosh, cluster = bundled_on_both
    local, remote = Vocabulary.load(whoosh), Vocabulary.load(cluster)
    for field, prefix in (
        ("tag", "ran"),
        ("author", "cim"),
        ("source", "the"),
        (whoosh.catalog.structured[0], ""),
    ):
        expected = [(value.text, value.count) for value in local.field_values(field, prefix)]
        assert expected
        assert [(value.text, value.count) for value in remote.field_values(field, prefix)] == expected


@pytest.mark.parametrize(
    "query",
    ["gatway GPRS", "ransomwear", "cimpanou ransomware", "gatewy -ransomwear", "gatewy NOT (ransomwear)"],
)
def test_misspelled_words_are_corrected_as_whoosh_corrects_them(bundled_on_both, query):
    whoosh, cluster = bundled_on_both
    expected, got = whoosh.search(query, passages=0), cluster.search(query, passages=0)
    assert expected.corrected_query is not None
    assert got.corrected_query == expected.corrected_query
    assert got.total == expected.total
    assert cluster.search(query, passages=0, correct=False).corrected_query is None
