"""Known-item ranking evaluation: our ranking against SQLite FTS5 and `whoosh search`.

    python -m benchmarks.relevance                          # table for every query kind
    python -m benchmarks.relevance --json after.json --before benchmarks/relevance-before.json

Queries come from the notes' text (`benchmarks/known_items.py`); each system answers
the same queries in the same run, and a query scores by the rank of the note it was
drawn from (MRR over the first 10 hits, success at 1 and at 10).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.known_items import KINDS, KnownItem, generate, load_notes
from benchmarks.systems import LIMIT, Fts5Baseline, Fts5ParagraphBaseline, OurIndex, WhooshCliBaseline

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
DEFAULT_WORKDIR = Path("/tmp/notes-indexer-relevance")
SYSTEMS = ("ours", "fts5", "whoosh", "paragraphs")
LABELS = {"ours": "ours", "fts5": "FTS5", "whoosh": "whoosh CLI", "paragraphs": "FTS5 paragraphs"}


@dataclass(frozen=True, slots=True)
class Score:
    """How one system did on one kind of query."""

    queries: int
    mrr: float
    success_at_1: float
    success_at_10: float

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Score:
        count = len(ranks)
        if not count:
            return cls(0, 0.0, 0.0, 0.0)
        return cls(
            queries=count,
            mrr=sum(1 / rank for rank in ranks if rank) / count,
            success_at_1=sum(rank == 1 for rank in ranks) / count,
            success_at_10=sum(bool(rank) and rank <= LIMIT for rank in ranks) / count,
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "queries": self.queries,
            "mrr": round(self.mrr, 4),
            "s@1": round(self.success_at_1, 4),
            "s@10": round(self.success_at_10, 4),
        }


def rank_of(target: str, paths: Sequence[str]) -> int | None:
    """1-based rank of `target` among `paths`, or None."""
    try:
        return paths.index(target) + 1
    except ValueError:
        return None


def evaluate(items: Sequence[KnownItem], system) -> list[int | None]:
    """The system's rank of the target note of every item."""
    return [rank_of(item.target, system.search(item)) for item in items]


def scores_by_kind(items: Sequence[KnownItem], ranks: Sequence[int | None]) -> dict[str, Score]:
    kinds = [kind for kind in KINDS if any(item.kind == kind for item in items)]
    table = {
        kind: Score.of([rank for item, rank in zip(items, ranks, strict=True) if item.kind == kind])
        for kind in kinds
    }
    table["all"] = Score.of(ranks)
    return table


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered) * 1000, 2), "p95": round(p95 * 1000, 2)}


def render_table(scores: dict[str, dict[str, Score]]) -> str:
    """One markdown row a kind: MRR, S@1, S@10 of each system."""
    names = list(scores)
    header = ["kind", "n"] + [
        f"{LABELS[name]} {metric}" for name in names for metric in ("MRR", "S@1", "S@10")
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for kind in scores[names[0]]:
        row = [kind, str(scores[names[0]][kind].queries)]
        for name in names:
            score = scores[name][kind]
            row += [f"{score.mrr:.3f}", f"{score.success_at_1:.2f}", f"{score.success_at_10:.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def render_mrr_table(scores: dict[str, dict[str, Score]]) -> str:
    """MRR only, a kind a row and a system a column: the table the docs quote."""
    names = list(scores)
    lines = ["| kind | n | " + " | ".join(LABELS[name] for name in names) + " |"]
    lines.append("|" + "---|" * (len(names) + 2))
    for kind in scores[names[0]]:
        cells = [f"{scores[name][kind].mrr:.3f}" for name in names]
        lines.append(f"| {kind} | {scores[names[0]][kind].queries} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_before_after(before: dict[str, dict[str, float]], after: dict[str, Score]) -> str:
    """Our scores in a saved run (`--before`) and in this one, a kind a row."""
    header = [
        "kind",
        "MRR before",
        "MRR after",
        "change",
        "S@1 before",
        "S@1 after",
        "S@10 before",
        "S@10 after",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for kind, score in after.items():
        old = before.get(kind)
        if old is None:
            continue
        lines.append(
            "| "
            + " | ".join(
                [
                    kind,
                    f"{old['mrr']:.3f}",
                    f"{score.mrr:.3f}",
                    f"{score.mrr - old['mrr']:+.3f}",
                    f"{old['s@1']:.2f}",
                    f"{score.success_at_1:.2f}",
                    f"{old['s@10']:.2f}",
                    f"{score.success_at_10:.2f}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def render_misses(items: Sequence[KnownItem], ranks: dict[str, list[int | None]], kind: str) -> str:
    """Queries of one kind where our rank is not 1, with every system's rank."""
    names = list(ranks)
    lines = []
    for index, item in enumerate(items):
        if item.kind != kind or ranks["ours"][index] == 1:
            continue
        shown = " ".join(f"{name}={ranks[name][index] or '-'}" for name in names)
        lines.append(f"{shown:<28} {item.query!r:<55} {item.target}")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    started = time.perf_counter()
    if not arguments.corpus.is_dir():
        print(f"relevance: corpus not found: {arguments.corpus}", file=sys.stderr)
        return 2
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    notes = load_notes(arguments.corpus)
    items = [
        item
        for seed in arguments.seed
        for item in generate(notes, per_kind=arguments.per_kind, seed=seed, kinds=arguments.kinds)
    ]
    _log(f"{len(items)} queries from {len(notes)} notes ({time.perf_counter() - started:.1f} s)")

    systems: dict[str, object] = {}
    for name in arguments.systems:
        began = time.perf_counter()
        if name == "ours":
            systems[name] = OurIndex(arguments.corpus, arguments.workdir / "ours", rebuild=arguments.rebuild)
            systems[name].search(items[0])  # open the searcher before timing
            systems[name].seconds.clear()
            systems[name].relaxed = 0
        elif name == "fts5":
            systems[name] = Fts5Baseline(notes)
        elif name == "paragraphs":
            systems[name] = Fts5ParagraphBaseline(notes)
        else:
            systems[name] = WhooshCliBaseline(arguments.corpus, arguments.workdir, rebuild=arguments.rebuild)
        _log(f"{LABELS[name]}: ready in {time.perf_counter() - began:.1f} s")

    ranks: dict[str, list[int | None]] = {}
    for name, system in systems.items():
        began = time.perf_counter()
        ranks[name] = evaluate(items, system)
        _log(f"{LABELS[name]}: {len(items)} queries in {time.perf_counter() - began:.1f} s")
    scores = {name: scores_by_kind(items, ranks[name]) for name in ranks}

    print(render_table(scores))
    print(f"\nMRR@{LIMIT}:\n\n{render_mrr_table(scores)}")
    ours = systems.get("ours")
    if ours is not None:
        timing = latency_ms(ours.seconds)
        print(
            f"\nours: query latency median {timing['median']} ms, p95 {timing['p95']} ms "
            f"(in process, {len(ours.seconds)} queries, passages included); "
            f"{ours.relaxed} answered by the relaxed fallback"
        )
    if arguments.before and "ours" in scores:
        before = json.loads(arguments.before.read_text())
        print(f"\nours before ({arguments.before.name}, {before['date']}) and after:\n")
        print(render_before_after(before["scores"]["ours"], scores["ours"]))
    for kind in arguments.misses:
        print(f"\nmisses ({kind}):\n{render_misses(items, ranks, kind)}")
    seconds = time.perf_counter() - started
    print(f"\nevaluation took {seconds:.0f} s on {machine()}")

    if arguments.json:
        record = {
            "date": datetime.date.today().isoformat(),
            "machine": machine(),
            "corpus": str(arguments.corpus),
            "notes": len(notes),
            "seed": arguments.seed[0] if len(arguments.seed) == 1 else list(arguments.seed),
            "per_kind": arguments.per_kind,
            "seconds": round(seconds, 1),
            "scores": {
                name: {kind: score.as_dict() for kind, score in table.items()}
                for name, table in scores.items()
            },
            "latency_ms": latency_ms(ours.seconds) if ours is not None else {},
            "relaxed": ours.relaxed if ours is not None else 0,
            "queries": [
                {
                    "kind": item.kind,
                    "query": item.query,
                    "target": item.target,
                    "ranks": {name: ranks[name][index] for name in ranks},
                }
                for index, item in enumerate(items)
            ],
        }
        arguments.json.write_text(_record_json(record))
    for system in systems.values():
        system.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.relevance", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="notes folder (read only)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help="where the indexes are built and kept between runs",
    )
    parser.add_argument("--per-kind", type=int, default=100, help="queries of each kind (default 100)")
    parser.add_argument(
        "--seed",
        type=_seeds,
        default=(7,),
        help="query set(s): one seed, or several pooled into one run (1,2,3,4,5,7)",
    )
    parser.add_argument(
        "--systems", type=_systems, default=SYSTEMS, help="comma-separated: ours,fts5,whoosh,paragraphs"
    )
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=KINDS,
        help="comma-separated query kinds to draw (default all; a kind draws the same queries either way)",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild the indexes even if they are up to date"
    )
    parser.add_argument("--json", type=Path, help="write scores, latency and every query's ranks here")
    parser.add_argument(
        "--before", type=Path, help="a JSON written by an earlier run: show our scores then and now"
    )
    parser.add_argument(
        "--misses",
        action="append",
        default=[],
        choices=KINDS,
        help="list queries of this kind we do not rank first",
    )
    return parser


def _seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("seeds are integers, comma-separated: 1,2,7") from None
    if not seeds:
        raise argparse.ArgumentTypeError("give at least one seed")
    return seeds


def _kinds(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in KINDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(KINDS)}")
    return names


def _systems(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SYSTEMS)}")
    return names


def _record_json(record: dict[str, object]) -> str:
    """Indented JSON with one line a query, so a saved run stays small and diffs well."""
    queries = record.pop("queries")
    head = json.dumps(record, indent=1, ensure_ascii=False)[:-2]
    lines = ",\n  ".join(json.dumps(query, ensure_ascii=False) for query in queries)
    return f'{head},\n "queries": [\n  {lines}\n ]\n}}\n'


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
