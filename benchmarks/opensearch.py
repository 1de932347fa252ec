"""The OpenSearch engine beside Whoosh, in one run: build time, query latency, agreement of
hit counts and (with --relevance) known-item MRR, on the news corpus and optionally a
scaled copy of it (--scale 10: ~45,000 notes), against the two-node local test cluster.

    python -m benchmarks.opensearch [--corpus DIR] [--scale 10] [--queries 120] [--relevance]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.queries import sample_queries
from benchmarks.relevance import DEFAULT_CORPUS, machine, rank_of
from indexer.errors import NotesError

SEED = 5
# The known-item draw of `benchmarks.relevance` (its default seed).
RELEVANCE_SEED = 7
LIMIT = 10


def _ms(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.1f} / {p95 * 1000:.1f}"


def _latency(notes, queries) -> tuple[list[float], list[int | None], list[str]]:
    """Each query's time and total (None when it failed), and the failures' messages."""
    seconds: list[float] = []
    totals: list[int | None] = []
    errors: list[str] = []
    notes.search(queries[0].text, limit=LIMIT)  # warm-up: parser, connection, searcher
    for query in queries:
        started = time.perf_counter()
        try:
            result = notes.search(query.text, limit=LIMIT)
        except NotesError as exc:
            totals.append(None)
            errors.append(f"{query.text}: {exc}")
            continue
        seconds.append(time.perf_counter() - started)
        totals.append(result.total)
    return seconds, totals, errors


def agreement(whoosh_totals: list[int | None], cluster_totals: list[int | None]) -> str:
    """How many queries (of those Whoosh answered) have the same total on the cluster."""
    answered = [
        (mine, theirs) for mine, theirs in zip(whoosh_totals, cluster_totals, strict=True) if mine is not None
    ]
    return f"{sum(mine == theirs for mine, theirs in answered)}/{len(answered)}"


def bench_corpus(name: str, corpus: Path, url: str, workdir: Path, args, *, relevance: bool) -> list[str]:
    """Build `corpus` with both engines, time the sampled queries on both, and (with
    `relevance`) score known-item MRR; the cluster's index is dropped at the end."""
    from indexer.index.store import build_index
    from indexer.opensearch.connection import ClusterSettings, connect
    from indexer.opensearch.searching import ClusterNotes
    from indexer.opensearch.writing import build_cluster_index
    from indexer.search.searching import open_index

    index = workdir / f"{name}-whoosh"
    _log(f"{name}: building with Whoosh")
    started = time.perf_counter()
    whoosh_report = build_index(corpus, index)
    whoosh_build = time.perf_counter() - started
    _log(f"{name}: Whoosh built {whoosh_report.notes} notes in {whoosh_build:.1f} s; building on the cluster")
    cluster = ClusterSettings(url=url, index_name=f"bench-{name}")
    cluster_report = build_cluster_index(corpus, cluster)
    _log(f"{name}: the cluster indexed {cluster_report.notes} notes in {cluster_report.seconds:.1f} s")
    paths = sorted(corpus.rglob("*.md"))
    queries = sample_queries(corpus, paths, args.queries, seed=SEED)
    with open_index(corpus, index) as whoosh, ClusterNotes(corpus, cluster) as notes:
        whoosh_seconds, whoosh_totals, whoosh_errors = _latency(whoosh, queries)
        cluster_seconds, cluster_totals, cluster_errors = _latency(notes, queries)
        rows = [
            f"| {name} | {whoosh_report.notes} | Whoosh | {whoosh_build:.1f} | {_ms(whoosh_seconds)} | "
            f"| {len(whoosh_errors)} |",
            f"| {name} | {cluster_report.notes} | OpenSearch (2 nodes) | {cluster_report.seconds:.1f} | "
            f"{_ms(cluster_seconds)} | {agreement(whoosh_totals, cluster_totals)} | {len(cluster_errors)} |",
        ]
        for label, errors in (("Whoosh", whoosh_errors), ("OpenSearch", cluster_errors)):
            rows += [f"<!-- {label} error: {error} -->" for error in errors]
        _log("\n".join(rows))
        if relevance:
            rows.append(relevance_table(corpus, whoosh, notes, per_kind=args.per_kind))
            _log(rows[-1])
    client = connect(cluster)  # the next corpus gets the heap and disk
    client.indices.delete(index=cluster.index_name)
    client.close()
    return rows


def _log(message: str) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')} load {load}] {message}", file=sys.stderr, flush=True)


def relevance_table(corpus: Path, whoosh, notes, *, per_kind: int, seed: int = RELEVANCE_SEED) -> str:
    """Known-item MRR@10 of both engines, a query kind a row: the draw of
    `benchmarks.relevance` (same generator, seed and kinds), answered in process."""
    from benchmarks.known_items import generate, load_notes
    from benchmarks.relevance import Score, scores_by_kind

    items = generate(load_notes(corpus), per_kind=per_kind, seed=seed)
    scores: dict[str, dict[str, Score]] = {}
    for label, engine in (("Whoosh", whoosh), ("OpenSearch", notes)):
        ranks = []
        for item in items:
            try:
                hits = engine.search(item.query, limit=LIMIT, passages=0).hits
            except NotesError:
                hits = ()
            ranks.append(rank_of(item.target, [hit.path for hit in hits]))
        scores[label] = scores_by_kind(items, ranks)
    lines = [f"known-item MRR@{LIMIT}, seed {seed}, {len(items)} queries:", ""]
    lines += ["| kind | n | Whoosh | OpenSearch | difference |", "| --- | --- | --- | --- | --- |"]
    for kind, whoosh_score in scores["Whoosh"].items():
        cluster_score = scores["OpenSearch"][kind]
        lines.append(
            f"| {kind} | {whoosh_score.queries} | {whoosh_score.mrr:.3f} | {cluster_score.mrr:.3f} | "
            f"{cluster_score.mrr - whoosh_score.mrr:+.3f} |"
        )
    return "\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.opensearch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scale", type=int, default=0, help="also a corpus of this many copies of each note")
    parser.add_argument("--queries", type=int, default=120)
    parser.add_argument("--relevance", action="store_true", help="known-item MRR on both engines")
    parser.add_argument("--per-kind", type=int, default=50)
    parser.add_argument("--url", help="an existing cluster (default: start the local test cluster)")
    parser.add_argument("--heap", help="the local cluster's JVM heap (default 640m, NOTES_CLUSTER_HEAP)")
    args = parser.parse_args(argv)
    if args.heap:
        os.environ["NOTES_CLUSTER_HEAP"] = args.heap  # read when the cluster module loads
    if not args.corpus.is_dir():
        print(f"opensearch benchmark: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    from tests.opensearch_cluster import LocalCluster

    cluster = None if args.url else LocalCluster()
    url = args.url or cluster.url
    rows = [
        "| corpus | notes | engine | build s | query ms median / p95 | same totals | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="notes-os-bench-") as work:
            workdir = Path(work)
            rows += bench_corpus("news", args.corpus, url, workdir, args, relevance=args.relevance)
            if args.scale:
                from benchmarks.corpus_gen import generate_scaled_corpus

                _log(f"writing {args.scale} copies of each note")
                scaled = generate_scaled_corpus(args.corpus, workdir / "scaled", scale=args.scale, seed=SEED)
                # Known items come from the original notes: MRR is scored on the news corpus only.
                rows += bench_corpus(f"news-x{args.scale}", scaled.root, url, workdir, args, relevance=False)
    finally:
        if cluster is not None:
            cluster.close()
    print("\n".join(rows))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{machine()}; load average at the end {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
