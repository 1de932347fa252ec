"""The `search` console script pauses garbage collection while its code loads (startup.py, gc_pause.py)."""

import gc
import io
import subprocess
import sys

import pytest

import indexer.cli.search as search_command
from indexer.cli import gc_pause, startup


@pytest.fixture
def collector_restored():
    """Leave the test process's collector as it was: enabled, nothing frozen, not paused."""
    yield
    gc.enable()
    gc.unfreeze()
    gc_pause._paused = False


def run_script(monkeypatch, bundled_index, *args: str) -> int:
    """Run `search ARGS` the way its console script does, in this process; the exit status."""
    corpus_dir, index = bundled_index
    monkeypatch.setattr(sys, "argv", ["search", *args, "--corpus", str(corpus_dir), "--index", str(index)])
    with pytest.raises(SystemExit) as stop:
        startup.run_search()
    return stop.value.code


def record_collector_state(monkeypatch, name: str) -> list[bool]:
    """Replace search_command.NAME by a stand-in that notes whether collection was on."""
    seen: list[bool] = []

    def stand_in(*args, **kwargs):
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(search_command, name, stand_in)
    return seen


def test_collection_is_paused_while_the_command_loads(monkeypatch, collector_restored):
    seen = []
    monkeypatch.setattr(search_command, "search_main", lambda: seen.append(gc.isenabled()))
    startup.run_search()
    assert seen == [False]


@pytest.mark.parametrize(
    ("args", "work"),
    [
        (("--no-update", "ransomware"), "show"),
        (("--no-update", "--batch", "-"), "_run_batch"),
        (("--no-update", "--shell"), "_run_shell"),
    ],
)
def test_the_work_itself_runs_with_collection_resumed(
    monkeypatch, bundled_index, collector_restored, args, work
):
    seen = record_collector_state(monkeypatch, work)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))  # a real stdin has bytes beneath
    frozen_before = gc.get_freeze_count()
    assert run_script(monkeypatch, bundled_index, *args) == 0
    assert seen == [True]
    assert gc.get_freeze_count() > frozen_before  # the loaded code was handed to gc.freeze


def test_code_loaded_leaves_a_collector_it_did_not_pause_alone(collector_restored):
    gc.disable()
    frozen_before = gc.get_freeze_count()
    gc_pause.code_loaded()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen_before


def test_a_one_shot_search_through_the_console_script_works(bundled_index):
    corpus_dir, index = bundled_index
    script = "import sys; from indexer.cli.startup import run_search; sys.exit(run_search())"
    done = subprocess.run(
        [sys.executable, "-c", script, "--corpus", str(corpus_dir), "--index", str(index), "GPRS gateway"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "GPRS" in done.stdout
