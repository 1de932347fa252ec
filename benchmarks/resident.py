"""One-shot `search` with and without the resident process, beside `whoosh search` (issue 19).

    .venv/bin/python benchmarks/resident.py [--corpus DIR] [--runs 7] [--json out.json]
    .venv/bin/python benchmarks/resident.py --corpus BIG --index ITS_INDEX --runs 3   # 45k notes

A 45,000-note corpus: `benchmarks/corpus_gen.py`'s `generate_scaled_corpus` (10 shuffled,
re-dated copies of each news note; `benchmarks/run.py --scale 10` uses it), indexed with
`indexer build --corpus BIG --index ITS_INDEX`.

Works on a temporary copy of the corpus (whoosh's CLI keeps its index beside it). Runs,
interleaved in one loop so that a noisy machine hits every command alike:
  warm   `search` answered by the resident process (started by a first search),
  cold   `search` with NOTES_NO_DAEMON=1 (the default in-process path, change check on),
  whoosh `whoosh search` with its defaults;
then cold and whoosh again with a CPU burner busy on the other core; then the in-process
latency (wall and CPU) of common multi-word queries and of the whole mix (index opened
once, a fresh searcher each query). Prints the figures and ratios as JSON.
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
    """The environment of a measured command, as a user's shell has it: bytecode caching on
    (with PYTHONDONTWRITEBYTECODE set, every module of an editable install whose cached
    bytecode is stale is compiled again at every start: 38 of the ~110 modules a `search`
    loads were, in the team's main checkout, 70 ms of CPU of each cold search, 274 ms
    against 207 at the median; whoosh3, installed from a wheel, has its bytecode compiled
    at install) and output buffered."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTES_")}
    env.pop("FORCE_COLOR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONUNBUFFERED", None)
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


def in_process_latency(corpus: Path, index: Path, runs: int) -> dict[str, dict[str, float]]:
    """Per query of IN_PROCESS: the median wall and CPU milliseconds of `runs` searches, each
    on a fresh searcher (as a one-shot search has; the open index's parsed notes are kept)."""
    sys.path.insert(0, str(REPO))
    from indexer.search.searching import open_index

    result = {}
    with open_index(corpus, index) as notes:
        for query in IN_PROCESS:
            notes.search(query)
            wall, cpu = [], []
            for _ in range(runs):
                notes.close()  # a fresh searcher each time, as a one-shot search has
                started, started_cpu = time.perf_counter(), time.process_time()
                notes.search(query)
                wall.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            result[query] = {
                "wall_ms": round(statistics.median(wall) * 1000, 1),
                "cpu_ms": round(statistics.median(cpu) * 1000, 1),
                "wall_p95_ms": round(p95(wall) * 1000, 1),
            }
    return result


def in_process_mix(corpus: Path, index: Path, runs: int) -> dict[str, float]:
    """Every query of MIX and IN_PROCESS (`--count` as a count), `runs` times each on a fresh
    searcher: median and p95 over all of them, wall and CPU milliseconds."""
    sys.path.insert(0, str(REPO))
    from indexer.search.searching import open_index

    wall, cpu = [], []
    queries = [words for _, words in MIX] + [[query] for query in IN_PROCESS]
    with open_index(corpus, index) as notes:
        for _ in range(runs):
            for words in queries:
                text = " ".join(word for word in words if word != "--count")
                notes.close()
                started, started_cpu = time.perf_counter(), time.process_time()
                notes.count(text) if "--count" in words else notes.search(text, suggest=True)
                wall.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
    return {
        "queries": len(wall),
        "wall_median_ms": round(statistics.median(wall) * 1000, 1),
        "wall_p95_ms": round(p95(wall) * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
        "cpu_p95_ms": round(p95(cpu) * 1000, 1),
    }


def scale_run(corpus: Path, index: Path, runs: int) -> dict[str, object]:
    """On a large corpus indexed beforehand (in place, no copy, no whoosh): in-process
    latency, then the resident process's memory after it served the mix `runs` times."""
    runtime = tempfile.mkdtemp(prefix="rt-", dir="/tmp")
    try:
        report: dict[str, object] = {
            "corpus_notes": sum(1 for _ in corpus.rglob("*.md")),
            "in_process_common": in_process_latency(corpus, index, runs),
            "in_process_mix": in_process_mix(corpus, index, runs),
        }
        env = env_for(daemon=True, runtime=runtime)
        timed(commands(corpus, index, ["ransomware"])["ours"], env, REPO)
        deadline = time.monotonic() + 300
        while not _status(index, runtime):
            if time.monotonic() > deadline:
                raise SystemExit("the resident process did not start")
            time.sleep(0.1)
        started = _status(index, runtime)
        warm = [
            timed(commands(corpus, index, words)["ours"], env, REPO)
            for _ in range(runs)
            for _kind, words in MIX
        ]
        status = _status(index, runtime)
        report |= {
            "warm_median_s": round(statistics.median(warm), 3),
            "warm_p95_s": round(p95(warm), 3),
            "resident_memory_mb_started": round(started["memory"] / 1024 / 1024, 1) if started else None,
            "resident_memory_mb": round(status["memory"] / 1024 / 1024, 1) if status else None,
            "served": status["served"] if status else None,
            "load_average": os.getloadavg(),
            "commands_that_failed": sorted(FAILURES),
        }
        return report
    finally:
        _stop(index, runtime)
        shutil.rmtree(runtime, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--index",
        type=Path,
        help="an index of --corpus built beforehand: measure in place, in process and the resident "
        "process's memory only (for a large generated corpus; no copy, no whoosh)",
    )
    args = parser.parse_args(argv)
    if args.index is not None:
        report = scale_run(args.corpus, args.index, args.runs)
        print(json.dumps(report, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
        return 0
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
            "in_process_ms": in_process_latency(corpus, index, 9),
            "in_process_mix": in_process_mix(corpus, index, 3),
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
