"""One-shot `search` with and without the resident process, beside `whoosh search` (issue 19).

    .venv/bin/python benchmarks/resident.py [--corpus DIR] [--runs 7] [--json out.json]

Works on a temporary copy of the corpus (whoosh's CLI keeps its index beside it). Runs,
interleaved in one loop so that a noisy machine hits every command alike:
  warm   `search` answered by the resident process (started by a first search),
  cold   `search` with NOTES_NO_DAEMON=1 (the default in-process path, change check on),
  whoosh `whoosh search` with its defaults;
then cold and whoosh again with a CPU burner busy on the other core; then the in-process
latency of common multi-word queries (index opened once). Prints a table and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
BIN = Path(sys.executable).parent

# (kind, words): common words, phrases, few-hit, zero-hit, field scopes, dates, --count.
MIX = [
    ("common", ["ransomware"]),
    ("common", ["ransomware attack"]),
    ("common", ["security update windows"]),
    ("phrase", ['"remote code execution"']),
    ("few-hit", ["GPRS gateway"]),
    ("few-hit", ["vcenter log4shell"]),
    ("zero-hit", ["zqxjv flurbish"]),
    ("field", ["title:ransomware"]),
    ("field", ["author:cimpanu"]),
    ("date", ["date:2021-10"]),
    ("date", ["date:[2021-08-01 to 2021-08-31]"]),
    ("count", ["--count", "ransomware"]),
    ("count", ["--count", "title:vulnerability"]),
]
FAILURES: set[str] = set()
IN_PROCESS = ["ransomware attack", '"remote code execution"', "security update windows", "data breach"]


def env_for(*, daemon: bool, runtime: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTES_")}
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    env["XDG_RUNTIME_DIR"] = runtime
    if not daemon:
        env["NOTES_NO_DAEMON"] = "1"
    return env


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # whoosh's CLI may not know a field: timed all the same
        FAILURES.add(f"{Path(argv[0]).name} {' '.join(argv[1:3])}: exit {done.returncode}")
    return seconds


def commands(corpus: Path, index: Path, words: list[str]) -> dict[str, list[str]]:
    ours = [str(BIN / "search"), *words, "--corpus", str(corpus), "--index", str(index)]
    count = ["--count"] if "--count" in words else []
    query = [word for word in words if word != "--count"]
    return {"ours": ours, "whoosh": [str(BIN / "whoosh"), "search", *count, *query, str(corpus)]}


def measure(corpus: Path, index: Path, runtime: str, runs: int, names: tuple[str, ...], cwd: Path):
    """Interleaved wall times: {kind/name: [seconds]} and per query {name: [seconds]}."""
    times: dict[str, list[float]] = {name: [] for name in names}
    per_query: dict[str, dict[str, list[float]]] = {}
    for _ in range(runs):
        for kind, words in MIX:
            argv = commands(corpus, index, words)
            row = per_query.setdefault(f"{kind}: {' '.join(words)}", {name: [] for name in names})
            for name in names:
                if name == "whoosh":
                    seconds = timed(argv["whoosh"], env_for(daemon=False, runtime=runtime), cwd)
                else:
                    seconds = timed(argv["ours"], env_for(daemon=name == "warm", runtime=runtime), cwd)
                times[name].append(seconds)
                row[name].append(seconds)
    return times, per_query


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ratios(times: dict[str, list[float]], name: str, per_query) -> dict[str, float]:
    """Median and p95 of the per-query ratio name/whoosh, and of the raw times."""
    paired = [a / b for a, b in zip(times[name], times["whoosh"], strict=True)]
    medians = [statistics.median(row[name]) / statistics.median(row["whoosh"]) for row in per_query.values()]
    return {
        "median_s": statistics.median(times[name]),
        "p95_s": p95(times[name]),
        "ratio_median": statistics.median(paired),
        "ratio_p95": p95(paired),
        "ratio_of_medians": statistics.median(times[name]) / statistics.median(times["whoosh"]),
        "worst_query_ratio": max(medians),
    }


def in_process_latency(corpus: Path, index: Path, runs: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from indexer.search.searching import open_index

    result = {}
    with open_index(corpus, index) as notes:
        for query in IN_PROCESS:
            notes.search(query)
            samples = []
            for _ in range(runs):
                notes.close()  # a fresh searcher each time, as a one-shot search has
                started = time.perf_counter()
                notes.search(query)
                samples.append(time.perf_counter() - started)
            result[query] = statistics.median(samples)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not (BIN / "whoosh").exists():
        raise SystemExit(f"{BIN / 'whoosh'} not found (whoosh3's CLI is the peer)")
    work = Path(tempfile.mkdtemp(prefix="resident-bench-"))
    runtime = tempfile.mkdtemp(prefix="rt-", dir="/tmp")
    burner = None
    try:
        corpus, index = work / "corpus", work / "index"
        shutil.copytree(args.corpus, corpus)
        env = env_for(daemon=False, runtime=runtime)
        subprocess.run([str(BIN / "indexer"), "build", "--corpus", str(corpus), "--index", str(index)],
                       env=env, check=True, capture_output=True)  # fmt: skip
        # whoosh3's CLI searches the index `whoosh index DIR` keeps in DIR/.whoosh_index.
        subprocess.run([str(BIN / "whoosh"), "index", str(corpus)], env=env, check=True, capture_output=True)
        for _kind, words in MIX:  # whoosh's own index, and the page cache, warm
            argv = commands(corpus, index, words)
            timed(argv["whoosh"], env, work)
            timed(argv["ours"], env, work)
        # A first search starts the process; wait until it answers (the route is the same for
        # every query: it depends on the folder, --corpus/--index and a few variables only).
        timed(commands(corpus, index, ["ransomware"])["ours"], env_for(daemon=True, runtime=runtime), work)
        deadline = time.monotonic() + 120
        while not _status(index, runtime):
            if time.monotonic() > deadline:
                raise SystemExit("the resident process did not start")
            time.sleep(0.1)
        warm, warm_rows = measure(corpus, index, runtime, args.runs, ("warm", "cold", "whoosh"), work)
        burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        busy, busy_rows = measure(corpus, index, runtime, args.runs, ("cold", "whoosh"), work)
        burner.kill()
        burner.wait()
        burner = None
        status = _status(index, runtime)
        report = {
            "corpus_notes": sum(1 for _ in corpus.rglob("*.md")),
            "runs": args.runs,
            "queries": len(MIX),
            "load_average": os.getloadavg(),
            "warm": ratios(warm, "warm", warm_rows),
            "cold": ratios(warm, "cold", warm_rows),
            "cold_busy": ratios(busy, "cold", busy_rows),
            "whoosh_median_s": statistics.median(warm["whoosh"]),
            "whoosh_busy_median_s": statistics.median(busy["whoosh"]),
            "per_query_warm": {
                q: statistics.median(r["warm"]) / statistics.median(r["whoosh"]) for q, r in warm_rows.items()
            },
            "in_process_ms": {q: round(s * 1000, 1) for q, s in in_process_latency(corpus, index, 9).items()},
            "resident_memory_mb": round(status["memory"] / 1024 / 1024, 1) if status else None,
            "served": status["served"] if status else None,
            "commands_that_failed": sorted(FAILURES),
        }
        print(json.dumps(report, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
        _stop(index, runtime)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(runtime, ignore_errors=True)
    return 0


def _status(index: Path, runtime: str) -> dict | None:
    os.environ["XDG_RUNTIME_DIR"] = runtime
    sys.path.insert(0, str(REPO))
    from indexer.daemon.control import ask

    return ask(str(index), "status")


def _stop(index: Path, runtime: str) -> None:
    os.environ["XDG_RUNTIME_DIR"] = runtime
    sys.path.insert(0, str(REPO))
    from indexer.daemon.control import stop

    stop(str(index))


if __name__ == "__main__":
    sys.exit(main())
