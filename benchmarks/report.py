"""The benchmark's figures: result records, rows with targets and pass/fail, the table, the JSON."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata

from processes import ProcessRun

MB = 1024 * 1024
EDIT_FRACTION = 0.01
FORMAT_VERSION = 1

# Targets of issue 5. "Base" is the corpus given, "scaled" the one generated from it.
BUILD_RATIO_MAX = 0.33  # our build wall time / `whoosh index`, same folder, same run
# Issue 16: reading notes with a markdown parser may cost the build at most 20% more CPU
# than the line rules did. The line rules' build took BUILD_CPU_BEFORE_PARSER x the CPU
# of `whoosh index` on the news corpus (measured in one run, results/2026-12-04-markdown-build.md);
# a ratio, since the old build cannot run beside this one.
BUILD_CPU_BEFORE_PARSER = 0.60
BUILD_CPU_RATIO_MAX = round(BUILD_CPU_BEFORE_PARSER * 1.2, 2)
BUILD_MEMORY_MAX_MB = 1024  # at the scaled corpus
BUILD_GROWTH_MAX = 1.0  # build seconds per note, scaled / base: no worse than linear
NOOP_UPDATE_MAX = {"base": 0.5, "scaled": 3.0}  # seconds
SEARCH_RATIO_MAX = 0.8  # one-shot `search` / `whoosh search`, median process wall time
LATENCY_MEDIAN_MAX_MS = {"base": 10.0, "scaled": 30.0}
LATENCY_P95_MAX_MS = {"base": 50.0}
RUN_TIME_MAX = 600.0  # the whole benchmark, seconds


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table (and of the JSON): our figure, whoosh's beside it, the target."""

    key: str
    label: str
    unit: str
    indexer: float | None
    whoosh: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None


def make_row(
    key: str,
    label: str,
    unit: str,
    ours: float | None,
    theirs: float | None = None,
    *,
    compare: bool = True,
    at_most: float | None = None,
    on_ratio: bool = False,
    target: str = "",
) -> Row:
    ratio = ours / theirs if compare and ours is not None and theirs else None
    checked = ratio if on_ratio else ours
    passed = None if at_most is None or checked is None else checked <= at_most
    return Row(key, label, unit, ours, theirs, ratio, target, passed)


@dataclass(frozen=True, slots=True)
class OneShot:
    """Process wall times of one query: `search`, `search --no-update` and `whoosh search`."""

    label: str
    query: str
    search: list[float]
    search_no_update: list[float]
    whoosh: list[float] | None
    hits: int | None
    whoosh_hits: int | None
    cpu: dict[str, list[float]]  # CPU seconds of each run, by command as above


@dataclass(frozen=True, slots=True)
class Latency:
    """In-process query times through the Python API, with snippets."""

    seconds: list[float]
    cpu_seconds: list[float]  # of the thread running the queries
    texts: list[str]
    kinds: list[str]
    zero_hits: int
    errors: list[str]

    def median_cpu_ms(self) -> float | None:
        return statistics.median(self.cpu_seconds) * 1000 if self.cpu_seconds else None

    def median_ms(self, kind: str | None = None) -> float | None:
        values = [s for s, k in zip(self.seconds, self.kinds, strict=True) if kind in (None, k)]
        return statistics.median(values) * 1000 if values else None

    def slowest(self, count: int = 10) -> list[tuple[float, str]]:
        """The slowest queries, in ms, for whoever looks for what to optimise."""
        ranked = sorted(zip(self.seconds, self.texts, strict=True), reverse=True)[:count]
        return [(round(seconds * 1000, 1), text) for seconds, text in ranked]

    def p95_ms(self) -> float | None:
        if len(self.seconds) < 2:
            return self.seconds[0] * 1000 if self.seconds else None
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18] * 1000


@dataclass(frozen=True, slots=True)
class CorpusResult:
    """Everything measured on one corpus."""

    name: str
    role: str  # "base" or "scaled"
    origin: str
    notes: int
    corpus_bytes: int
    build: ProcessRun
    whoosh_build: ProcessRun | None
    index_bytes: int
    whoosh_index_bytes: int | None
    noop_updates: list[float]
    edited_notes: int
    edit_update: ProcessRun
    one_shots: list[OneShot]
    latency: Latency


# -- rows and table ----------------------------------------------------------------------


def corpus_rows(result: CorpusResult) -> list[Row]:
    """The rows of one corpus; targets depend on its role (base 4.5k or scaled 45k in issue 5)."""
    base = result.role == "base"
    build, whoosh_build = result.build, result.whoosh_build
    runs = len(result.noop_updates)
    memory_limit = None if base else BUILD_MEMORY_MAX_MB
    rows = [
        make_row(
            "build_seconds",
            "full build, wall",
            "s",
            build.seconds,
            whoosh_build.seconds if whoosh_build else None,
            at_most=BUILD_RATIO_MAX,
            on_ratio=True,
            target=f"<= {BUILD_RATIO_MAX}x whoosh",
        ),
        make_row(
            "build_cpu_seconds",
            "full build, CPU time (user + system, all processes)",
            "s",
            build.cpu_seconds,
            whoosh_build.cpu_seconds if whoosh_build else None,
            at_most=BUILD_CPU_RATIO_MAX,
            on_ratio=True,
            target=f"<= {BUILD_CPU_RATIO_MAX}x whoosh",
        ),
        make_row(
            "build_peak_mb",
            "full build, peak memory (sum over its processes)",
            "MB",
            _mb(build.tree_peak_bytes),
            _mb(whoosh_build.tree_peak_bytes) if whoosh_build else None,
            at_most=memory_limit,
            target=f"< {BUILD_MEMORY_MAX_MB} MB" if memory_limit else "",
        ),
        make_row(
            "build_max_rss_mb",
            "full build, peak RSS of the largest process",
            "MB",
            _mb(build.max_rss_bytes),
            _mb(whoosh_build.max_rss_bytes) if whoosh_build else None,
        ),
        make_row(
            "noop_update_seconds",
            f"update, nothing changed (median of {runs})",
            "s",
            statistics.median(result.noop_updates),
            at_most=NOOP_UPDATE_MAX[result.role],
            target=f"< {NOOP_UPDATE_MAX[result.role]} s",
        ),
        make_row(
            "edit_update_seconds",
            f"update, {EDIT_FRACTION:.0%} of notes changed ({result.edited_notes:,})",
            "s",
            result.edit_update.seconds,
        ),
    ]
    for number, shot in enumerate(result.one_shots, 1):
        theirs = statistics.median(shot.whoosh) if shot.whoosh else None
        hits = f"{shot.hits} hits" + (f", whoosh {shot.whoosh_hits}" if shot.whoosh_hits is not None else "")
        rows.append(
            make_row(
                f"search_{number}_seconds",
                f"search '{shot.query}', median of {len(shot.search)} ({hits})",
                "s",
                statistics.median(shot.search),
                theirs,
                at_most=SEARCH_RATIO_MAX,
                on_ratio=True,
                target=f"<= {SEARCH_RATIO_MAX}x whoosh",
            )
        )
        rows.append(
            make_row(
                f"search_{number}_no_update_seconds",
                "  same with --no-update",
                "s",
                statistics.median(shot.search_no_update),
                theirs,
            )
        )
    latency = result.latency
    count = len(latency.seconds)
    rows.append(
        make_row(
            "query_median_ms",
            f"API query with snippets, median of {count}",
            "ms",
            latency.median_ms(),
            at_most=LATENCY_MEDIAN_MAX_MS[result.role],
            target=f"< {LATENCY_MEDIAN_MAX_MS[result.role]:.0f} ms",
        )
    )
    p95_limit = LATENCY_P95_MAX_MS.get(result.role)
    rows.append(
        make_row(
            "query_p95_ms",
            f"API query with snippets, p95 of {count}",
            "ms",
            latency.p95_ms(),
            at_most=p95_limit,
            target=f"< {p95_limit:.0f} ms" if p95_limit else "",
        )
    )
    rows.append(
        make_row("query_median_cpu_ms", "  median CPU time (this thread)", "ms", latency.median_cpu_ms())
    )
    for kind in dict.fromkeys(latency.kinds):
        rows.append(
            make_row(
                f"query_median_ms_{kind}", f"  median of the {kind} queries", "ms", latency.median_ms(kind)
            )
        )
    whoosh_bytes = result.whoosh_index_bytes
    rows.append(make_row("index_mb", "index size on disk", "MB", _mb(result.index_bytes), _mb(whoosh_bytes)))
    rows.append(
        make_row(
            "index_to_corpus",
            "index size / corpus size",
            "x",
            result.index_bytes / result.corpus_bytes if result.corpus_bytes else None,
            whoosh_bytes / result.corpus_bytes if whoosh_bytes and result.corpus_bytes else None,
            compare=False,
        )
    )
    return rows


def growth_rows(base: CorpusResult, scaled: CorpusResult) -> list[Row]:
    """Build time per note at the scaled corpus over that at the base one (1.00 = linear).

    The target is on wall time, as issue 5 says; the same figure on CPU time is beside it
    because it is much less disturbed by other work on the machine.
    """

    def growth(small: ProcessRun | None, large: ProcessRun | None, measure: str) -> float | None:
        if small is None or large is None:
            return None
        return (getattr(large, measure) / scaled.notes) / (getattr(small, measure) / base.notes)

    label = f"build time per note, {scaled.name} / {base.name}"
    return [
        make_row(
            "build_growth",
            label,
            "x",
            growth(base.build, scaled.build, "seconds"),
            growth(base.whoosh_build, scaled.whoosh_build, "seconds"),
            compare=False,
            at_most=BUILD_GROWTH_MAX,
            target=f"<= {BUILD_GROWTH_MAX:.2f} (linear)",
        ),
        make_row(
            "build_growth_cpu",
            "  same on CPU time",
            "x",
            growth(base.build, scaled.build, "cpu_seconds"),
            growth(base.whoosh_build, scaled.whoosh_build, "cpu_seconds"),
            compare=False,
        ),
    ]


def _mb(value: int | None) -> float | None:
    return value / MB if value is not None else None


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"
    return f"{value:.2f}x"


def _verdict(row: Row) -> str:
    if row.passed is None:
        return "n/a" if row.target else ""  # a target, but no figure to check (whoosh missing)
    return "pass" if row.passed else "FAIL"


def render_table(sections: list[tuple[str, list[Row]]]) -> str:
    """Sections of aligned rows: label, our figure, whoosh's, the ratio, the target, pass/FAIL."""
    header = ("measure", "indexer", "whoosh", "ratio", "target", "result")
    lines = []
    for title, rows in sections:
        cells = [header] + [
            (
                row.label,
                _shown(row.indexer, row.unit),
                _shown(row.whoosh, row.unit),
                _shown(row.ratio, "x") if row.ratio is not None else "",
                row.target,
                _verdict(row),
            )
            for row in rows
        ]
        widths = [max(len(cell[column]) for cell in cells) for column in range(len(header))]
        lines.append(title)
        for cell in cells:
            label, *figures = cell
            numbers = [figure.rjust(width) for figure, width in zip(figures[:3], widths[1:4], strict=True)]
            line = "  ".join([label.ljust(widths[0]), *numbers, figures[3].ljust(widths[4]), figures[4]])
            lines.append("  " + line.rstrip())
        lines.append("")
    return "\n".join(lines)


def startup_row(ours: list[float], theirs: list[float] | None) -> Row:
    """`search --version` beside `whoosh --version`: the cost of starting the process alone."""
    return make_row(
        "startup_seconds",
        f"start-up alone, `--version` (median of {len(ours)})",
        "s",
        statistics.median(ours),
        statistics.median(theirs) if theirs else None,
    )


def build_report(
    options: dict, results: list[CorpusResult], startup: Row, seconds: float, load: dict[str, float | None]
) -> dict:
    """Every figure, as the JSON written by `--json` (and read back by `table_of`)."""
    corpora = {}
    for result in results:
        rows = corpus_rows(result)
        if result.role == "scaled":
            after_builds = [row.key for row in rows].index("build_max_rss_mb") + 1
            rows[after_builds:after_builds] = growth_rows(results[0], result)
        corpora[result.name] = {
            "role": result.role,
            "origin": result.origin,
            "notes": result.notes,
            "corpus_bytes": result.corpus_bytes,
            "rows": {row.key: asdict(row) for row in rows},
            "samples": {
                "build_output": result.build.stdout.strip(),
                "noop_update_seconds": result.noop_updates,
                "edit_update_output": result.edit_update.stdout.strip(),
                "one_shot": [asdict(shot) for shot in result.one_shots],
                "query_seconds": result.latency.seconds,
                "query_cpu_seconds": result.latency.cpu_seconds,
                "query_kinds": result.latency.kinds,
                "query_texts": result.latency.texts,
                "slowest_queries_ms": result.latency.slowest(),
                "query_zero_hits": result.latency.zero_hits,
                "query_errors": result.latency.errors,
            },
        }
    total = make_row(
        "run_seconds",
        "benchmark run time (before removing its temporary files)",
        "s",
        seconds,
        at_most=RUN_TIME_MAX,
        target=f"< {RUN_TIME_MAX:.0f} s",
    )
    return {
        "format_version": FORMAT_VERSION,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": load,
            "versions": {name: _version(name) for name in ("notes-indexer", "whoosh3")},
        },
        "options": options,
        "corpora": corpora,
        "overall": {row.key: asdict(row) for row in (startup, total)},
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def table_of(report: dict) -> str:
    """The table printed at the end of a run, from the report's JSON form."""
    sections = []
    for name, corpus in report["corpora"].items():
        title = (
            f"{name}: {corpus['notes']:,} notes, {corpus['corpus_bytes'] / MB:.1f} MB ({corpus['origin']})"
        )
        sections.append((title, [Row(**row) for row in corpus["rows"].values()]))
    load = report["machine"].get("load_average") or {}
    shown = ", ".join(f"{value:.1f} at {when}" for when, value in load.items() if value is not None)
    title = f"overall: {report['machine']['cpus']} CPUs, load average {shown or 'unknown'}"
    sections.append((title, [Row(**row) for row in report["overall"].values()]))
    return render_table(sections)
