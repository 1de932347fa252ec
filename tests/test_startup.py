"""The `search` console script pauses garbage collection while its code loads (startup.py, gc_pause.py)."""

import gc
import io
import os
import subprocess
import sys

import pytest

import indexer.cli.query_mode as query_mode
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


def record_collector_state(monkeypatch, module, name: str) -> list[bool]:
    """Replace MODULE.NAME by a stand-in that notes whether collection was on."""
    seen: list[bool] = []

    def stand_in(*args, **kwargs):
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(module, name, stand_in)
    return seen


def test_collection_is_paused_while_the_command_loads(monkeypatch, collector_restored):
    seen = []
    monkeypatch.setattr(sys, "argv", ["search"])  # no query: the click command's
    monkeypatch.setattr(search_command, "search_main", lambda: seen.append(gc.isenabled()))
    startup.run_search()
    assert seen == [False]


@pytest.mark.parametrize(
    ("args", "module", "work"),
    [
        (("--no-update", "ransomware"), query_mode, "show"),  # without click (cli/common_argv.py)
        (("--no-update", "--batch", "-"), search_command, "_run_batch"),
        (("--no-update", "--shell"), search_command, "_run_shell"),
    ],
)
def test_the_work_itself_runs_with_collection_resumed(
    monkeypatch, bundled_index, collector_restored, args, module, work
):
    seen = record_collector_state(monkeypatch, module, work)
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


def console_script(corpus_dir, index, *args: str, entry: str = "main") -> subprocess.CompletedProcess:
    """`search ARGS` through `indexer.cli.startup.ENTRY` in a process of its own, piped."""
    script = f"import sys; from indexer.cli.startup import {entry}; sys.exit({entry}())"
    env = {**os.environ, "NOTES_NO_DAEMON": "1", "NO_COLOR": "1"}
    command = [sys.executable, "-c", script, *args, "--corpus", str(corpus_dir), "--index", str(index)]
    return subprocess.run(command, capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args",
    [("ransomware", "-n", "0"), ("ransomware", "--files", "-n", "0"), ("zyzzyva",), ("--count", "title:")],
)
def test_the_quick_exit_keeps_every_byte_and_the_status_of_a_normal_exit(bundled_index, args):
    corpus_dir, index = bundled_index
    quick = console_script(corpus_dir, index, *args)
    normal = console_script(corpus_dir, index, *args, entry="run_search")
    assert (quick.returncode, quick.stdout, quick.stderr) == (normal.returncode, normal.stdout, normal.stderr)
    assert quick.stdout or quick.stderr


@pytest.mark.parametrize(
    "args", [("ransomware",), ("--json", "ransomware"), ("--count", "ransomware"), ("zyzzyva",)]
)
def test_a_one_shot_search_of_notes_as_indexed_loads_no_note_parser(bundled_index, args):
    """`Note` (a dataclass) and the note parsers load only when a note must be parsed (its
    file changed since it was indexed): ~10 M instructions of every one-shot search."""
    corpus_dir, index = bundled_index
    script = (
        "import atexit, sys\n"
        "names = ('indexer.notes.note', 'indexer.notes.formats')\n"
        "loaded = lambda: [name for name in names if name in sys.modules]\n"
        "atexit.register(lambda: print(f'loaded: {loaded()}', file=sys.stderr))\n"
        "from indexer.cli.startup import main\n"
        "main()\n"
    )
    env = {**os.environ, "NOTES_NO_DAEMON": "1", "NO_COLOR": "1"}
    command = [
        sys.executable,
        "-c",
        script,
        "--no-update",
        *args,
        "--corpus",
        str(corpus_dir),
        "--index",
        str(index),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout or args == ("zyzzyva",)
    assert done.stderr.splitlines()[-1] == "loaded: []"


def run_exit(code: str) -> subprocess.CompletedProcess:
    script = "from indexer.cli.startup import exit_without_teardown\n" + code
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_the_quick_exit_runs_the_atexit_functions_then_flushes_the_output():
    done = run_exit(
        "import atexit, sys\n"
        "atexit.register(lambda: print('from atexit'))\n"
        "print('answer')\n"
        "sys.stderr.write('a warning\\n')\n"
        "exit_without_teardown(SystemExit(3))\n"
        "print('not reached')\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "answer\nfrom atexit\n", "a warning\n")


def test_the_quick_exit_leaves_a_process_with_other_threads_to_the_normal_exit():
    done = run_exit(
        "import threading\n"
        "release = threading.Event()\n"
        "worker = threading.Thread(target=release.wait)\n"
        "worker.start()\n"
        "exit_without_teardown(SystemExit(0))\n"
        "print('returned')\n"
        "release.set()\n"
    )
    assert (done.returncode, done.stdout) == (0, "returned\n")


@pytest.mark.parametrize("status", ["a message", -1, 256])
def test_the_quick_exit_leaves_a_status_that_is_no_exit_code_to_the_normal_exit(status):
    done = run_exit(f"exit_without_teardown(SystemExit({status!r}))\nprint('returned')\n")
    assert done.stdout == "returned\n"
