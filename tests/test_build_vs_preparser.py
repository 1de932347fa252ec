"""benchmarks/build_vs_preparser.py runs both builds and reports their ratio (structure only:
the figures of three notes say nothing about speed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

BENCHMARK = REPO / "benchmarks" / "build_vs_preparser.py"
BASE = "fc1293c"


def _has_commit(commit: str) -> bool:
    found = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    return found.returncode == 0


@pytest.mark.skipif(not _has_commit(BASE), reason="the pre-parser commit is not in this clone's history")
def test_the_benchmark_builds_with_both_checkouts_and_reports_the_ratio(tmp_path):
    corpus = tmp_path / "notes"
    corpus.mkdir()
    for number in range(3):
        (corpus / f"note{number}.md").write_text(
            f"# Note {number}\n\nA paragraph about gateway number {number} with a [link](https://example.com/{number}).\n",
            encoding="utf-8",
        )
    output = tmp_path / "figures.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--corpus",
            str(corpus),
            "--rounds",
            "1",
            "--bound",
            "1000",
            "--json",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    figures = json.loads(output.read_text(encoding="utf-8"))
    assert set(figures["samples"]) == {"pre", "now"}
    for name in ("pre", "now"):
        (sample,) = figures["samples"][name]
        assert sample["cpu"] > 0 and sample["wall"] > 0
    assert figures["ratios"]["cpu"] == pytest.approx(
        figures["medians"]["now"]["cpu"] / figures["medians"]["pre"]["cpu"]
    )
    assert figures["within"] is True
    assert "now/pre: wall" in completed.stdout and "pass" in completed.stdout
    assert not list(corpus.glob(".*")), "nothing written into the corpus"


def test_the_benchmark_refuses_a_missing_corpus(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(BENCHMARK), "--corpus", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "no corpus folder" in completed.stderr
