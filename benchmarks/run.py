"""Performance benchmark of notes-indexer, measured beside whoosh3's own `whoosh` CLI (issue 5).

    .venv/bin/python benchmarks/run.py [--scale 10] [--json results.json]

Measures the console scripts installed next to the Python that runs it, on temporary
copies of the corpus (never on the original). Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from corpus_gen import corpus_size, edit_fraction, generate_scaled_corpus, note_paths
from processes import ProcessRun, run_process
from queries import ONE_SHOT_QUERIES, BenchQuery, sample_queries
from report import EDIT_FRACTION, CorpusResult, Latency, OneShot, Row, build_report, startup_row, table_of

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
SEED = 5
MB = 1024 * 1024


class BenchmarkError(Exception):
    """A measured command failed; the benchmark cannot go on."""


@dataclass(frozen=True, slots=True)
class Tools:
    """The console scripts measured: those of the environment running the benchmark."""

    indexer: str
    search: str
    whoosh: str | None  # None when whoosh3's CLI is missing: our side is still measured

    @classmethod
    def find(cls) -> Tools:
        scripts = {name: Path(sys.executable).with_name(name) for name in ("indexer", "search", "whoosh")}
        for name in ("indexer", "search"):
            if not scripts[name].exists():
                raise BenchmarkError(
                    f"{scripts[name]} not found: run the benchmark with the Python of the environment "
                    "where the project is installed (.venv/bin/python benchmarks/run.py)"
                )
        whoosh = scripts["whoosh"] if scripts["whoosh"].exists() else None
        if whoosh is None:
            progress(f"note: {scripts['whoosh']} not found; whoosh3's CLI is left out of the comparison")
        return cls(str(scripts["indexer"]), str(scripts["search"]), str(whoosh) if whoosh else None)


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def child_env() -> dict[str, str]:
    """The environment of measured commands: no NOTES_* settings of the user, no colour,
    no resident query process.

    Bytecode caching is left on, as users have it: with PYTHONDONTWRITEBYTECODE set, an
    editable install recompiles every module of the project at every start.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTES_")}
    # The one-shot figures here are of the in-process path; the resident process has its
    # own benchmark (benchmarks/resident.py), and none is left running by this one.
    env["NOTES_NO_DAEMON"] = "1"
    env.pop("FORCE_COLOR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    return env


def run_checked(
    argv: list[str], what: str, *, ok: tuple[int, ...] = (0,), memory: bool = False
) -> ProcessRun:
    run = run_process(argv, env=child_env(), sample_memory=memory)
    if run.returncode not in ok:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
        raise BenchmarkError(f"{what} exited {run.returncode}: {' / '.join(tail)}")
    return run


def folder_bytes(folder: Path) -> int:
    """Apparent size of every file under `folder`."""
    return sum(
        os.path.getsize(os.path.join(directory, name))
        for directory, _, names in os.walk(folder)
        for name in names
    )


# -- measurements ----------------------------------------------------------------------


def measure_builds(corpus: Path, index: Path, tools: Tools) -> tuple[ProcessRun, ProcessRun | None]:
    build = run_checked(
        [tools.indexer, "build", "--corpus", str(corpus), "--index", str(index), "--quiet"],
        "indexer build",
        memory=True,
    )
    progress(f"  indexer build: {build.seconds:.1f} s")
    if tools.whoosh is None:
        return build, None
    # `whoosh index` writes corpus/.whoosh_index, which our scan passes over (a hidden folder).
    whoosh = run_checked([tools.whoosh, "index", str(corpus)], "whoosh index", memory=True)
    progress(f"  whoosh index: {whoosh.seconds:.1f} s")
    return build, whoosh


def measure_noop_updates(corpus: Path, index: Path, tools: Tools, runs: int) -> list[float]:
    argv = [tools.indexer, "update", "--corpus", str(corpus), "--index", str(index), "--quiet"]
    times = []
    for _ in range(runs):
        run = run_checked(argv, "indexer update")
        if "up to date" not in run.stdout:
            raise BenchmarkError(f"indexer update found changes where there were none: {run.stdout.strip()}")
        times.append(run.seconds)
    return times


def measure_one_shots(corpus: Path, index: Path, tools: Tools, runs: int) -> list[OneShot]:
    results = []
    ours = [tools.search, "--corpus", str(corpus), "--index", str(index)]
    for label, query in ONE_SHOT_QUERIES:
        commands = {"search": [*ours, query], "search_no_update": [*ours, "--no-update", query]}
        if tools.whoosh is not None:
            commands["whoosh"] = [tools.whoosh, "search", query, str(corpus)]
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for name, argv in commands.items():  # warm the page cache and the index files
            run_checked(argv, name, ok=(0, 1))
        for _ in range(runs):  # interleaved, so drift on a noisy machine hits every tool alike
            for name, argv in commands.items():
                run = run_checked(argv, name, ok=(0, 1))
                times[name].append(run.seconds)
                cpu[name].append(run.cpu_seconds)
        hits = _count([*ours, "--no-update", "--count", query], "search --count")
        whoosh_hits = None
        if tools.whoosh is not None:
            whoosh_hits = _count(
                [tools.whoosh, "search", "--count", query, str(corpus)], "whoosh search --count"
            )
        progress(f"  {label} {query!r}: search {statistics.median(times['search']):.3f} s")
        results.append(
            OneShot(
                label,
                query,
                times["search"],
                times["search_no_update"],
                times.get("whoosh"),
                hits,
                whoosh_hits,
                cpu,
            )
        )
    return results


def _count(argv: list[str], what: str) -> int | None:
    run = run_checked(argv, what, ok=(0, 1))
    text = run.stdout.strip()
    return int(text) if text.isdigit() else None


def measure_latency(corpus: Path, index: Path, queries: list[BenchQuery]) -> Latency:
    import indexer

    seconds, cpu, texts, kinds, errors, zero_hits = [], [], [], [], [], 0
    with indexer.open_index(corpus, index) as notes:
        notes.search(queries[0].text, limit=10)  # warm-up: opens the searcher and the query parser
        for query in queries:
            started, started_cpu = time.perf_counter(), time.thread_time()
            try:
                result = notes.search(query.text, limit=10)
            except indexer.NotesError as exc:
                errors.append(f"{query.text}: {exc}")
                continue
            seconds.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
            texts.append(query.text)
            kinds.append(query.kind)
            zero_hits += result.total == 0
    return Latency(seconds, cpu, texts, kinds, zero_hits, errors)


def measure_edit_update(corpus: Path, index: Path, tools: Tools) -> tuple[int, ProcessRun]:
    edited = edit_fraction(corpus, EDIT_FRACTION, seed=SEED)
    run = run_checked(
        [tools.indexer, "update", "--corpus", str(corpus), "--index", str(index), "--quiet"], "indexer update"
    )
    return len(edited), run


def bench_corpus(name: str, role: str, origin: str, corpus: Path, tools: Tools, args) -> CorpusResult:
    size = corpus_size(corpus)
    progress(f"{name}: {size.notes:,} notes, {size.bytes / MB:.1f} MB")
    index = corpus.parent / "index"
    build, whoosh_build = measure_builds(corpus, index, tools)
    # Sizes right after the builds: the 1% update at the end adds a segment.
    index_bytes = folder_bytes(index)
    whoosh_index_bytes = folder_bytes(corpus / ".whoosh_index") if whoosh_build else None
    progress(f"  no-op update x{args.runs}")
    noop = measure_noop_updates(corpus, index, tools, args.runs)
    progress(f"  one-shot searches x{args.runs}")
    one_shots = measure_one_shots(corpus, index, tools, args.runs)
    queries = sample_queries(corpus, note_paths(corpus), args.queries, seed=SEED)
    progress(f"  {len(queries)} in-process queries")
    latency = measure_latency(corpus, index, queries)
    progress(f"  update after editing {EDIT_FRACTION:.0%} of the notes")
    edited, edit_update = measure_edit_update(corpus, index, tools)
    return CorpusResult(
        name=name,
        role=role,
        origin=origin,
        notes=size.notes,
        corpus_bytes=size.bytes,
        build=build,
        whoosh_build=whoosh_build,
        index_bytes=index_bytes,
        whoosh_index_bytes=whoosh_index_bytes,
        noop_updates=noop,
        edited_notes=edited,
        edit_update=edit_update,
        one_shots=one_shots,
        latency=latency,
    )


def measure_startup(tools: Tools, runs: int) -> Row:
    """Process start-up alone: `--version` loads the command's imports and does nothing else."""
    ours = [run_checked([tools.search, "--version"], "search --version").seconds for _ in range(runs)]
    theirs = None
    if tools.whoosh is not None:
        theirs = [run_checked([tools.whoosh, "--version"], "whoosh --version").seconds for _ in range(runs)]
    return startup_row(ours, theirs)


# -- main ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="notes folder (default %(default)s)"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=None,
        help="copies per note in the generated corpus; 0 skips it (default 10)",
    )
    parser.add_argument("--queries", type=int, default=None, help="in-process queries (default 200)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per command (default 10)")
    parser.add_argument(
        "--json", metavar="PATH", help="also write every figure as JSON to PATH ('-': stdout)"
    )
    parser.add_argument(
        "--whoosh-at-scale",
        action="store_true",
        help="also run whoosh3's CLI on the generated corpus (adds 6-10 minutes: its build alone "
        "takes longer than the whole benchmark's budget; no target depends on it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--quick", action="store_true", help="small numbers, for a smoke run")
    args = parser.parse_args(argv)
    quick = {"scale": 2, "queries": 30, "runs": 3}
    full = {"scale": 10, "queries": 200, "runs": 10}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.scale < 0 or args.queries < 1 or args.runs < 1:
        parser.error("--scale must be 0 or more, --queries and --runs 1 or more")
    if not args.corpus.is_dir():
        parser.error(f"corpus folder not found: {args.corpus}")
    return args


def run(args: argparse.Namespace, workdir: Path) -> dict:
    """Every measurement, in `workdir`; returns the report (see `report.build_report`)."""
    tools = Tools.find()
    _compile_project()
    load_at_start = _load_average()
    base_name = args.corpus.resolve().name
    copy = workdir / base_name / "corpus"
    shutil.copytree(args.corpus, copy, ignore=shutil.ignore_patterns(".*"))
    results = [bench_corpus(base_name, "base", f"copy of {args.corpus}", copy, tools, args)]
    if args.scale:
        name = f"{base_name}_x{args.scale}"
        progress(f"generating {name}")
        generated = generate_scaled_corpus(
            args.corpus, workdir / name / "corpus", scale=args.scale, seed=SEED
        )
        if generated.unshuffled:
            progress(f"  {generated.unshuffled} notes had no '## Article:' body to shuffle")
        origin = f"{args.scale} shuffled, re-dated copies of each note (seed {SEED})"
        scaled_tools = tools if args.whoosh_at_scale else replace(tools, whoosh=None)
        results.append(bench_corpus(name, "scaled", origin, generated.root, scaled_tools, args))
    progress(f"start-up of both commands x{args.runs}")
    startup = measure_startup(tools, args.runs)
    options = {"corpus": str(args.corpus), "scale": args.scale, "queries": args.queries, "runs": args.runs}
    load = {"start": load_at_start, "end": _load_average()}
    return build_report(options, results, startup, time.perf_counter() - _STARTED, load)


def _compile_project() -> None:
    """Write the project's bytecode first, so no measured start-up pays for compiling."""
    import compileall

    compileall.compile_dir(str(REPO / "indexer"), quiet=1)


def _load_average() -> float | None:
    """The 1-minute load average: how busy the machine was (this benchmark included)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def remove_workdir(workdir: Path) -> None:
    # Deleting a gigabyte of index files that were written back to disk long ago can
    # take minutes on a slow disk; it comes after the results are out.
    started = time.perf_counter()
    shutil.rmtree(workdir, ignore_errors=True)
    progress(f"removed {workdir} in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="notes-bench-"))
    progress(f"working in {workdir}")
    try:
        report = run(args, workdir)
        table = table_of(report)
        # With --json -, stdout carries the JSON alone and the table goes to stderr.
        print(table, file=sys.stderr if args.json == "-" else sys.stdout, flush=True)
        if args.json == "-":
            json.dump(report, sys.stdout, indent=2)
            print(flush=True)
        elif args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            progress(f"wrote {args.json}")
    except BenchmarkError as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            progress(f"kept {workdir}")
        else:
            remove_workdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
