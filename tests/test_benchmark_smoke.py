"""The benchmark runs end to end on a copy of the bundled corpus and writes the JSON it promises.

Structure only: the figures of a smoke run on 40 notes say nothing about speed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_CORPUS, REPO

BENCHMARK = REPO / "benchmarks" / "run.py"
SCRIPTS = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not (SCRIPTS / "indexer").exists(),
    reason="the benchmark measures the installed console scripts (pip install -e '.[test]')",
)

ROW_FIELDS = {"key", "label", "unit", "indexer", "whoosh", "ratio", "target", "passed"}


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("bench")
    corpus = root / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    output = root / "bench.json"
    argv = [sys.executable, str(BENCHMARK), "--quick", "--scale", "0", "--runs", "1", "--queries", "12"]
    completed = subprocess.run(
        [*argv, "--corpus", str(corpus), "--json", str(output)], capture_output=True, text=True, timeout=900
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(output.read_text(encoding="utf-8")), completed


def test_smoke_run_writes_every_figure_with_targets(smoke_report):
    report, _ = smoke_report
    assert set(report) == {"format_version", "date", "machine", "options", "corpora", "overall"}
    assert set(report["machine"]) >= {"cpus", "python", "platform"}
    assert list(report["corpora"]) == ["corpus"]
    corpus = report["corpora"]["corpus"]
    assert corpus["role"] == "base"
    assert corpus["notes"] == 40
    rows = corpus["rows"]
    for key in (
        "build_seconds",
        "build_cpu_seconds",
        "build_peak_mb",
        "build_max_rss_mb",
        "noop_update_seconds",
        "edit_update_seconds",
        "search_1_seconds",
        "search_1_no_update_seconds",
        "search_3_seconds",
        "query_median_ms",
        "query_median_cpu_ms",
        "query_p95_ms",
        "index_mb",
        "index_to_corpus",
    ):
        assert set(rows[key]) == ROW_FIELDS, key
        assert rows[key]["indexer"] > 0, key
    assert rows["build_seconds"]["target"] == "<= 0.33x whoosh"
    assert rows["build_cpu_seconds"]["target"].startswith("<= 0.")
    assert rows["noop_update_seconds"]["passed"] in (True, False)
    assert len(corpus["samples"]["query_seconds"]) + len(corpus["samples"]["query_errors"]) == 12
    assert set(report["overall"]) == {"startup_seconds", "run_seconds"}
    assert set(report["machine"]["load_average"]) == {"start", "end"}


def test_smoke_run_prints_the_table_on_stdout_and_progress_on_stderr(smoke_report):
    _, completed = smoke_report
    assert completed.stdout.startswith("corpus: 40 notes")
    assert "full build, wall" in completed.stdout
    assert "API query with snippets, median of" in completed.stdout
    assert "indexer build" in completed.stderr


def test_the_fuzzy_benchmark_times_fuzzy_words_and_corrections_on_the_bundled_corpus(tmp_path, capsys):
    from benchmarks import fuzzy as fuzzy_benchmark
    from tests.conftest import BUNDLED_CORPUS

    code = fuzzy_benchmark.main(
        ["--corpus", str(BUNDLED_CORPUS), "--workdir", str(tmp_path), "--queries", "3"]
    )
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1: a query over its bound, which only a quiet machine can judge
    assert "| ms | hits | query | ran as |" in out
    assert "`ransomwear~`" in out and "| ransomware" not in out
    assert out.count("\n| ") >= 1 + len(fuzzy_benchmark.FIXED_QUERIES) + 3


def test_the_fuzzy_benchmark_at_scale_uses_the_index_given_as_it_is(tmp_path, bundled_index, capsys):
    """With --index, --corpus is the scaled corpus already: --scale sets the bound only (a
    corpus made anew was once brought into the given index, rebuilding it)."""
    import shutil

    from benchmarks import fuzzy as fuzzy_benchmark

    corpus, index = bundled_index
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    before = sorted(path.name for path in copy.iterdir())
    work = str(tmp_path / "work")
    code = fuzzy_benchmark.main(
        ["--corpus", str(corpus), "--index", str(copy), "--scale", "10", "--workdir", work, "--queries", "1"]
    )
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "bound 300 ms" in out
    assert not (tmp_path / "work" / "corpus-x10").exists()
    assert sorted(path.name for path in copy.iterdir()) == before


def test_the_engine_paths_benchmark_builds_on_both_paths(tmp_path):
    output = tmp_path / "paths.json"
    script = REPO / "benchmarks" / "engine_paths.py"
    argv = [sys.executable, str(script), "--corpus", str(BUNDLED_CORPUS), "--rounds", "1"]
    completed = subprocess.run(
        [*argv, "--json", str(output)],
        capture_output=True,
        text=True,
        timeout=900,  # a bound for a hang: these runs check structure, not speed
    )
    assert completed.returncode == 0, completed.stderr
    figures = json.loads(output.read_text(encoding="utf-8"))
    assert [(run["path"], run["fast_path"], run["notes"]) for run in figures["runs"]] == [
        ("fast", True, 40),
        ("stock", False, 40),
    ]
    assert "stock/fast" in completed.stdout


def test_the_same_ranking_check_passes_the_same_code_and_catches_a_changed_ranking(tmp_path, capsys):
    """`benchmarks/same_ranking.py` on the bundled corpus: this tree against itself gives
    the same hits (exit 0, a CPU-time row a kind); against a tree whose search leaves its
    best hit out, it lists the queries that differ and exits 1."""
    from benchmarks import same_ranking

    common = ["--corpus", str(BUNDLED_CORPUS), "--index", str(tmp_path / "index"), "--per-kind", "3"]
    common += ["--kinds", "title,body"]
    assert same_ranking.main([*common, "--before", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "| title | 3 |" in out and "| body | 3 |" in out and "| all | 6 |" in out
    assert "0 queries differ" in out

    changed = tmp_path / "before"
    shutil.copytree(REPO / "indexer", changed / "indexer", ignore=shutil.ignore_patterns("__pycache__"))
    searching = changed / "indexer" / "search" / "searching.py"
    searching.write_text(
        searching.read_text(encoding="utf-8")
        + "\n\n_search = NoteIndex.search\n\n\n"
        + "def _without_the_best(self, *args, **kwargs):\n"
        + "    from dataclasses import replace\n\n"
        + "    result = _search(self, *args, **kwargs)\n"
        + "    return replace(result, hits=result.hits[1:])\n\n\n"
        + "NoteIndex.search = _without_the_best\n",
        encoding="utf-8",
    )
    assert same_ranking.main([*common, "--before", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "0 queries differ" not in out and "before {" in out


def test_the_same_ranking_check_reads_relative_paths_from_where_it_was_started(tmp_path, capsys, monkeypatch):
    """Each side's process runs in its own tree: a relative `--corpus`/`--index` must still
    name the folders it named where the command was typed (a side that could not read the
    notes ranked without passages, cheaper and different, and looked like a regression)."""
    from benchmarks import same_ranking

    copy = tmp_path / "copy"
    shutil.copytree(REPO / "indexer", copy / "indexer", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    corpus = os.path.relpath(BUNDLED_CORPUS, tmp_path)
    common = ["--corpus", corpus, "--index", "index", "--per-kind", "3", "--kinds", "body"]
    assert same_ranking.main([*common, "--before", str(copy)]) == 0
    assert "0 queries differ" in capsys.readouterr().out


def test_the_build_scale_benchmark_builds_two_sizes_of_copies_and_compares_their_cpu(tmp_path, capsys):
    from benchmarks import build_scale

    output = tmp_path / "scale.json"
    argv = ["--corpus", str(BUNDLED_CORPUS), "--notes", "10", "--copies", "1", "--json", str(output)]
    code = build_scale.main(argv)
    report = json.loads(output.read_text(encoding="utf-8"))
    assert code == (0 if report["passed"] else 1)  # the ratio itself only a quiet machine can judge
    assert [(row["copies"], row["notes"]) for row in report["rows"]] == [(1, 10), (2, 20)]
    assert report["rows"][1]["groups"] == 10 and report["rows"][1]["notes_in_groups"] == 20
    assert report["notes_ratio"] == 2.0 and report["target"] == build_scale.MAX_RATIO
    assert "CPU ratio" in capsys.readouterr().out
