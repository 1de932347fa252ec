"""Full builds on the engine's fast path and on stock Whoosh, interleaved (docs/architecture.md).

    .venv/bin/python benchmarks/engine_paths.py [--corpus DIR] [--rounds 3] [--json out.json]

Each round builds the corpus once per path, each in a fresh process and a temporary
folder (the corpus is only read), so the two paths share the machine's load. The stock
path is forced in that process by patching `engine.version.TESTED_WHOOSH_VERSION`, as
the tests do; nothing the product reads. Prints the wall and CPU time (the process and
its workers) of each build, the medians and the stock/fast ratios, with the load average.
CPU time moves much less than wall time on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
PATHS = ("fast", "stock")

# Run in a child: one build, its figures as one JSON line on stdout.
_ONE_BUILD = """
import json, os, resource, sys, tempfile, time
path, corpus = sys.argv[1], sys.argv[2]
if path == "stock":
    import indexer.engine.version as version
    version.TESTED_WHOOSH_VERSION = (0, 0, 0)
from indexer.engine.version import fast_path
from indexer.index.store import build_index
with tempfile.TemporaryDirectory(prefix="engine-paths-") as folder:
    started = time.perf_counter()
    report = build_index(corpus, os.path.join(folder, "index"))
    wall = time.perf_counter() - started
cpu = sum(
    usage.ru_utime + usage.ru_stime
    for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
)
print(json.dumps({"path": path, "fast_path": fast_path(), "notes": report.notes, "wall": wall,
                  "cpu": cpu, "load": os.getloadavg()[0]}))
"""


def build_once(path: str, corpus: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _ONE_BUILD, path, str(corpus)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"the {path} build failed:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="notes to build (read only)")
    parser.add_argument("--rounds", type=int, default=3, help="builds per path, interleaved")
    parser.add_argument("--json", type=Path, help="also write every build's figures here")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus at {args.corpus}")
    runs: list[dict] = []
    for _ in range(args.rounds):
        for path in PATHS:
            run = build_once(path, args.corpus)
            runs.append(run)
            print(
                f"{path:5}  {run['notes']} notes  wall {run['wall']:7.2f} s  cpu {run['cpu']:7.2f} s  "
                f"load {run['load']:.1f}",
                file=sys.stderr,
            )
    medians = {
        path: {
            figure: statistics.median(run[figure] for run in runs if run["path"] == path)
            for figure in ("wall", "cpu")
        }
        for path in PATHS
    }
    for path in PATHS:
        wall, cpu = medians[path]["wall"], medians[path]["cpu"]
        print(f"{path:5}  median wall {wall:7.2f} s  median cpu {cpu:7.2f} s")
    ratios = {figure: medians["stock"][figure] / medians["fast"][figure] for figure in ("wall", "cpu")}
    load = os.getloadavg()[0]
    print(f"stock/fast  wall {ratios['wall']:.2f}x  cpu {ratios['cpu']:.2f}x  (load {load:.1f})")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "medians": medians, "ratios": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
