"""Issue 16's build bound: this checkout's full build beside the build before the markdown
parser, interleaved in one run.

    .venv/bin/python benchmarks/build_vs_preparser.py --corpus ../shared/corpus/news [--rounds 3]

The issue's done-means: "Build time of the news corpus grows by at most 20%", against
the build that read notes with line rules (commit fc1293c, the parent of c4d72ef, which
brought the parser). That commit's `indexer/` is taken with `git archive` into a
temporary folder; each round runs `indexer build --corpus CORPUS --index FRESH -q` once
with it and once with this checkout's `indexer/` (each first on `PYTHONPATH`, from an
empty folder, with this Python and its installed dependencies), so both share the
machine's load. Prints the wall and CPU time (user + system of the build and its worker
processes) of each build, the medians, the ratios and whether they are within `--bound`
(1.20), with the load average before and after. Exit status 0 within the bound (CPU), 1
over it, 2 on error. `benchmarks/run.py` holds the same bound against `whoosh index`
(0.72x) when no pre-parser checkout is at hand.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.processes import run_process

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "news"
PRE_PARSER = "fc1293c"  # c4d72ef^: notes read with line rules
BUILDS = ("pre", "now")
_RUN_INDEXER = "from indexer.cli.indexer_cmd import indexer_main; indexer_main()"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="notes folder (default %(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--base", default=PRE_PARSER, help="commit to compare with (default %(default)s)")
    parser.add_argument("--bound", type=float, default=1.20, help="largest now/pre CPU ratio (default 1.20)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    return parser.parse_args(argv)


def export_base(commit: str, folder: Path) -> Path:
    """`commit`'s `indexer/` package in `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "indexer"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def one_build(checkout: Path, corpus: Path, index: Path, workdir: Path) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTES_")}
    env.update(PYTHONPATH=str(checkout), NOTES_NO_DAEMON="1", NO_COLOR="1", HOME=str(workdir / "home"))
    argv = [sys.executable, "-c", _RUN_INDEXER, "build", "--corpus", str(corpus), "--index", str(index), "-q"]
    cwd = os.getcwd()
    os.chdir(workdir)  # nothing of the project importable from the current folder
    try:
        run = run_process(argv, env=env)
    finally:
        os.chdir(cwd)
    if run.returncode != 0:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
        raise RuntimeError(f"build with {checkout} exited {run.returncode}: {' / '.join(tail)}")
    return {"wall": run.seconds, "cpu": run.cpu_seconds}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: no corpus folder at {args.corpus}", file=sys.stderr)
        return 2
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in BUILDS}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="build-vs-preparser-") as temp:
        work = Path(temp)
        (work / "home").mkdir()
        (work / "run").mkdir()
        (work / "pre").mkdir()
        checkouts = {"pre": export_base(args.base, work / "pre"), "now": REPO}
        for round_ in range(1, args.rounds + 1):
            for name in BUILDS:
                index = work / f"index-{name}-{round_}"
                sample = one_build(checkouts[name], args.corpus.resolve(), index, work / "run")
                samples[name].append(sample)
                print(
                    f"round {round_} {name}: {sample['wall']:.2f} s wall, {sample['cpu']:.2f} s CPU",
                    file=sys.stderr,
                )
                subprocess.run(["rm", "-rf", str(index)], check=True)
            loads.append(os.getloadavg()[0])
    medians = {
        name: {kind: statistics.median(s[kind] for s in samples[name]) for kind in ("wall", "cpu")}
        for name in BUILDS
    }
    ratios = {kind: medians["now"][kind] / medians["pre"][kind] for kind in ("wall", "cpu")}
    within = ratios["cpu"] <= args.bound
    print(f"{'build':<6} {'wall s (median)':>16} {'CPU s (median)':>15}")
    for name in BUILDS:
        print(f"{name:<6} {medians[name]['wall']:>16.2f} {medians[name]['cpu']:>15.2f}")
    print(
        f"now/pre: wall {ratios['wall']:.2f}x, CPU {ratios['cpu']:.2f}x (bound {args.bound:.2f}x): "
        f"{'pass' if within else 'FAIL'}; {args.rounds} rounds, load {min(loads):.1f}-{max(loads):.1f}"
    )
    if args.json is not None:
        figures = {
            "base": args.base,
            "samples": samples,
            "medians": medians,
            "ratios": ratios,
            "bound": args.bound,
            "within": within,
            "load": loads,
        }
        args.json.write_text(json.dumps(figures, indent=1))
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
