"""Two versions of the code, the same queries: the same top 10? and CPU time per query.

    python -m benchmarks.same_ranking --before /tmp/main-tree --seed 7,11
    python -m benchmarks.same_ranking --before /tmp/main-tree --seed 7 --profile after

`--before` is a source tree of the code to compare with (`git archive main | tar -x -C
DIR`); the code of this tree is "after". Each version runs in a process of its own on
the same index, and the queries (the relevance evaluation's, `benchmarks/known_items.py`)
go to the two in turn, one query to one then to the other, the first alternating: load
on the machine falls on both alike. Each process times its own search calls with
`time.process_time` (CPU time, which load barely changes) around `NoteIndex.search(query,
limit=10, all_copies=True)`, passages included, as `benchmarks/relevance.py` does.

Every query's ranked paths and passages (and `relaxed`, `corrected_query`) must be the
same in both (`--before-index`: the before code's own index, when the schema changed):
the differences are listed and the exit status is 1. `--profile after` (or `before`)
runs cProfile in that process instead of timing and prints the 30 costliest calls by
cumulative time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
DEFAULT_INDEX = Path("/tmp/notes-indexer-relevance/ours")

# The worker: reads one query a line (JSON), answers one line (JSON) a query.
_WORKER = r"""
import cProfile, io, json, pstats, sys, time
from pathlib import Path
from indexer.errors import QueryError
from indexer.search.searching import open_index

corpus, index_dir, profile = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
notes = open_index(Path(corpus), Path(index_dir))
profiler = cProfile.Profile() if profile else None
print(json.dumps({"ready": __import__("indexer").__file__}), flush=True)
for line in sys.stdin:
    query = json.loads(line)
    if query is None:
        break
    if profiler is not None:
        profiler.enable()
    started = time.process_time()
    try:
        result = notes.search(query, limit=10, all_copies=True)
        cpu = time.process_time() - started
        answer = {
            "paths": [hit.path for hit in result.hits],
            "relaxed": result.relaxed,
            "corrected": result.corrected_query,
            "passages": [[[p.line, p.heading, p.text, p.spans] for p in hit.passages] for hit in result.hits],
        }
    except QueryError as error:
        cpu = time.process_time() - started
        answer = {"error": str(error)}
    answer["cpu"] = cpu
    if profiler is not None:
        profiler.disable()
    print(json.dumps(answer), flush=True)
if profiler is not None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print(json.dumps({"profile": out.getvalue()}), flush=True)
notes.close()
"""


class Worker:
    """One version of the code searching in a process of its own."""

    def __init__(self, tree: Path, corpus: Path, index_dir: Path, *, profile: bool = False) -> None:
        environment = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
        self.process = subprocess.Popen(
            # absolute: the worker runs in `tree`, where a relative path names another folder
            [
                sys.executable,
                "-c",
                _WORKER,
                str(corpus.resolve()),
                str(index_dir.resolve()),
                "1" if profile else "0",
            ],
            cwd=tree,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._read()
        self.module = ready["ready"]

    def ask(self, query: str) -> dict:
        self.process.stdin.write(json.dumps(query) + "\n")
        self.process.stdin.flush()
        return self._read()

    def finish(self) -> str:
        self.process.stdin.write("null\n")
        self.process.stdin.flush()
        profile = ""
        line = self.process.stdout.readline()
        if line:
            profile = json.loads(line).get("profile", "")
        self.process.wait(timeout=60)
        self.process.stdin.close()
        self.process.stdout.close()
        return profile

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("same_ranking: a worker stopped")
        return json.loads(line)


def milliseconds(seconds: Sequence[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank) in ms."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    from benchmarks.known_items import KINDS, generate, load_notes
    from indexer.index.store import ensure_fresh_index

    ensure_fresh_index(arguments.corpus, arguments.index)
    notes = load_notes(arguments.corpus)
    items = [
        item
        for seed in arguments.seed
        for item in generate(notes, per_kind=arguments.per_kind, seed=seed, kinds=arguments.kinds or KINDS)
    ]
    trees = {"before": arguments.before, "after": REPO}
    indexes = {"before": arguments.before_index or arguments.index, "after": arguments.index}
    workers = {
        name: Worker(tree, arguments.corpus, indexes[name], profile=arguments.profile == name)
        for name, tree in trees.items()
    }
    for name, worker in workers.items():
        print(f"{name}: {worker.module}", file=sys.stderr)
    for worker in workers.values():  # open the searchers before timing
        worker.ask(items[0].query)
    answers: dict[str, list[dict]] = {name: [] for name in workers}
    began = time.perf_counter()
    for number, item in enumerate(items):
        order = list(workers) if number % 2 == 0 else list(reversed(workers))
        for name in order:
            answers[name].append(workers[name].ask(item.query))
    wall = time.perf_counter() - began
    profiles = {name: worker.finish() for name, worker in workers.items()}

    differ = []
    for index, item in enumerate(items):
        old, new = answers["before"][index], answers["after"][index]
        if {k: v for k, v in old.items() if k != "cpu"} != {k: v for k, v in new.items() if k != "cpu"}:
            differ.append((item, old, new))
    kinds = [kind for kind in (arguments.kinds or KINDS) if any(item.kind == kind for item in items)]
    print(
        f"{len(items)} queries, seeds {','.join(map(str, arguments.seed))}, {wall:.0f} s wall, "
        f"load average {' '.join(f'{value:.1f}' for value in os.getloadavg())} at the end\n"
    )
    print("| kind | n | before median | before p95 | after median | after p95 |")
    print("|---|---|---|---|---|---|")
    for kind in [*kinds, "all"]:
        chosen = [i for i, item in enumerate(items) if kind == "all" or item.kind == kind]
        cells = []
        for name in ("before", "after"):
            median, p95 = milliseconds([answers[name][i]["cpu"] for i in chosen])
            cells += [f"{median:.1f}", f"{p95:.1f}"]
        print(f"| {kind} | {len(chosen)} | " + " | ".join(cells) + " |")
    print(f"\nCPU ms per query (time.process_time in each process); {len(differ)} queries differ")
    for item, old, new in differ[:20]:
        print(f"  {item.kind} {item.query!r}\n    before {old}\n    after  {new}")
    for name, text in profiles.items():
        if text:
            print(f"\nprofile ({name}):\n{text}")
    if arguments.json:
        arguments.json.write_text(
            json.dumps(
                {"queries": [item.query for item in items], "kinds": [item.kind for item in items], **answers}
            )
        )
    return 1 if differ else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.same_ranking", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--before", type=Path, required=True, help="source tree of the code to compare with")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="notes folder (read only)")
    parser.add_argument(
        "--index", type=Path, default=DEFAULT_INDEX, help="index of the corpus (built if stale)"
    )
    parser.add_argument(
        "--before-index",
        type=Path,
        help="the before code's index of the same corpus, when its schema differs (default: --index)",
    )
    parser.add_argument(
        "--seed", type=lambda text: tuple(int(part) for part in text.split(",")), default=(7,)
    )
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--kinds", type=lambda text: tuple(text.split(",")), default=None)
    parser.add_argument("--profile", choices=("before", "after"), help="profile this side instead")
    parser.add_argument("--json", type=Path, help="write every answer here")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
