"""The OpenSearch engine beside Whoosh, in one run: build time, query latency, agreement of
hit counts and (with --relevance) known-item MRR, on the news corpus and optionally a
scaled copy of it (--scale 10: ~45,000 notes), against the two-node local test cluster.

    python -m benchmarks.opensearch [--corpus DIR] [--scale 10] [--queries 120] [--relevance]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.queries import sample_queries
from benchmarks.relevance import DEFAULT_CORPUS, machine, rank_of
from indexer.errors import NotesError

SEED = 5
LIMIT = 10


def _ms(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.1f} / {p95 * 1000:.1f}"


def _latency(notes, queries) -> tuple[list[float], dict[str, int]]:
    seconds, totals = [], {}
    notes.search(queries[0].text, limit=LIMIT)  # warm-up: parser, connection, searcher
    for query in queries:
        started = time.perf_counter()
        try:
            result = notes.search(query.text, limit=LIMIT)
        except NotesError:
            continue
        seconds.append(time.perf_counter() - started)
        totals[query.text] = result.total
    return seconds, totals


def bench_corpus(name: str, corpus: Path, url: str, workdir: Path, args) -> list[str]:
    from indexer.index.store import build_index
    from indexer.opensearch.connection import ClusterSettings
    from indexer.opensearch.searching import ClusterNotes
    from indexer.opensearch.writing import build_cluster_index
    from indexer.search.searching import open_index

    index = workdir / f"{name}-whoosh"
    started = time.perf_counter()
    whoosh_report = build_index(corpus, index)
    whoosh_build = time.perf_counter() - started
    cluster = ClusterSettings(url=url, index_name=f"bench-{name}")
    cluster_report = build_cluster_index(corpus, cluster)
    paths = sorted(corpus.rglob("*.md"))
    queries = sample_queries(corpus, paths, args.queries, seed=SEED)
    with open_index(corpus, index) as whoosh, ClusterNotes(corpus, cluster) as notes:
        whoosh_seconds, whoosh_totals = _latency(whoosh, queries)
        cluster_seconds, cluster_totals = _latency(notes, queries)
        same = sum(1 for text, total in whoosh_totals.items() if cluster_totals.get(text) == total)
        rows = [
            f"| {name} | {whoosh_report.notes} | Whoosh | {whoosh_build:.1f} | {_ms(whoosh_seconds)} | |",
            f"| {name} | {cluster_report.notes} | OpenSearch (2 nodes) | {cluster_report.seconds:.1f} | "
            f"{_ms(cluster_seconds)} | {same}/{len(whoosh_totals)} |",
        ]
        if args.relevance:
            rows.append(_relevance(corpus, whoosh, notes, args.per_kind))
    return rows


def _relevance(corpus: Path, whoosh, notes, per_kind: int) -> str:
    from benchmarks.known_items import generate, load_notes

    items = generate(load_notes(corpus), per_kind=per_kind, seed=7)
    scores = {}
    for label, engine in (("Whoosh", whoosh), ("OpenSearch", notes)):
        ranks = []
        for item in items:
            try:
                hits = engine.search(item.query, limit=LIMIT, passages=0).hits
            except NotesError:
                hits = ()
            ranks.append(rank_of(item.target, [hit.path for hit in hits]))
        scores[label] = sum(1 / rank for rank in ranks if rank) / len(ranks)
    return f"\nknown-item MRR@10 ({len(items)} queries): " + ", ".join(
        f"{label} {value:.3f}" for label, value in scores.items()
    )


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
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"opensearch benchmark: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    from tests.opensearch_cluster import LocalCluster

    cluster = None if args.url else LocalCluster()
    url = args.url or cluster.url
    rows = [
        "| corpus | notes | engine | build s | query ms median / p95 | same totals |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="notes-os-bench-") as work:
            workdir = Path(work)
            rows += bench_corpus("news", args.corpus, url, workdir, args)
            if args.scale:
                from benchmarks.corpus_gen import generate_scaled_corpus

                scaled = generate_scaled_corpus(args.corpus, workdir / "scaled", scale=args.scale, seed=SEED)
                rows += bench_corpus(f"news-x{args.scale}", scaled.root, url, workdir, args)
    finally:
        if cluster is not None:
            cluster.close()
    print("\n".join(rows))
    print(f"\n{machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
