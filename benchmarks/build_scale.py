"""Does a build grow with the notes, and not faster? Two corpora of copies, one run.

    .venv/bin/python -m benchmarks.build_scale                       # news: 1,000 notes x2 and x4
    .venv/bin/python -m benchmarks.build_scale --notes 300 --copies 1 --corpus corpus
    .venv/bin/python -m benchmarks.build_scale --json scale.json

Takes the first `--notes` notes of the corpus and writes `--copies` copies of each (then
twice as many: the notes double and so does every group of copies), with their title
words and paragraphs shuffled and their date moved, as `benchmarks.opensearch --scale`
does. Each corpus is built from scratch in a process of its own, serially (`procs=1`),
and its CPU time (the process and its children), peak memory and the time spent finding
copies are reported. The target: the larger build costs at most 2.6x the CPU of the
smaller one (2.0 is linear; the 45k build once cost 50x the 4.5k one for 10x the notes).
Exit status 1 when a target is missed. Everything is written under a temporary folder
and removed at the end; nothing is written into the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
SEED = 20261204
# CPU of the build with twice the copies, against the smaller one (2.0 is linear).
MAX_RATIO = 2.6


def build_once(corpus: Path, index: Path) -> dict[str, float]:
    """Build `corpus` into `index` in this process; CPU seconds, peak memory, copies found."""
    import indexer.index.store as store
    from indexer.index.store import IndexOptions, build_index

    finding_seconds = []
    write_groups = store.write_duplicate_groups

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return write_groups(*args, **kwargs)
        finally:
            finding_seconds.append(time.process_time() - started)

    store.write_duplicate_groups = timed
    started = time.perf_counter()
    report = build_index(corpus, index, options=IndexOptions(procs=1))
    wall = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    groups = json.loads((index / "duplicates.json").read_text())["groups"]
    return {
        "notes": report.notes,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 2),
        "copies_cpu_seconds": round(sum(finding_seconds), 2),
        "peak_rss_mb": round(own.ru_maxrss / 1024, 1),
        "groups": len(groups),
        "notes_in_groups": sum(map(len, groups)),
    }


def measure(corpus: Path, index: Path) -> dict[str, float]:
    """`build_once` in a fresh process (its own peak memory, no warm caches of the last)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.build_scale", "--build-one", str(corpus), str(index)],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def run(corpus: Path, *, notes: int, copies: int, workdir: Path) -> dict[str, object]:
    from benchmarks.corpus_gen import generate_scaled_corpus, note_paths

    base = workdir / "base"
    for path in note_paths(corpus)[:notes]:
        link = base / path.relative_to(corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path)
    rows = []
    for scale in (copies, 2 * copies):
        print(f"build_scale: {scale} copies of {notes} notes", file=sys.stderr)
        generated = generate_scaled_corpus(base, workdir / f"x{scale}", scale=scale, seed=SEED)
        row = measure(generated.root, workdir / f"x{scale}-index")
        rows.append({"copies": scale, **row})
        print(f"build_scale: {row}", file=sys.stderr)
    small, large = rows
    ratio = large["cpu_seconds"] / max(small["cpu_seconds"], 1e-9)
    return {
        "corpus": str(corpus),
        "load_average": os.getloadavg(),
        "rows": rows,
        "cpu_ratio": round(ratio, 2),
        "notes_ratio": round(large["notes"] / max(small["notes"], 1), 2),
        "target": MAX_RATIO,
        "passed": ratio <= MAX_RATIO,
    }


def table(report: dict[str, object]) -> str:
    lines = [
        "| copies | notes | build CPU s | of it finding copies | wall s | peak RSS MB | groups (notes) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in report["rows"]:
        groups = f"{row['groups']} ({row['notes_in_groups']})"
        cells = [row["copies"], row["notes"], f"{row['cpu_seconds']:.1f}", f"{row['copies_cpu_seconds']:.1f}"]
        cells += [f"{row['wall_seconds']:.1f}", f"{row['peak_rss_mb']:.0f}", groups]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    verdict = "pass" if report["passed"] else "FAIL"
    load = ", ".join(f"{value:.1f}" for value in report["load_average"])
    lines.append(
        f"\nCPU ratio {report['cpu_ratio']:.2f} for {report['notes_ratio']:.2f}x the notes "
        f"(target <= {report['target']}): {verdict}; load average {load}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="notes folder (default %(default)s)"
    )
    parser.add_argument("--notes", type=int, default=1000, help="notes taken from the corpus (default 1000)")
    parser.add_argument("--copies", type=int, default=2, help="copies of each note in the smaller corpus")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--build-one", nargs=2, type=Path, metavar=("CORPUS", "INDEX"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.build_one:
        print(json.dumps(build_once(*args.build_one)))
        return 0
    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        print(f"build_scale: no corpus at {corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="build-scale-") as workdir:
        report = run(corpus, notes=args.notes, copies=args.copies, workdir=Path(workdir))
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
