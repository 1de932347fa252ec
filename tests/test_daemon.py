"""The resident query process: same output as in process, safe, short-lived, fresh."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.daemon import control, protocol
from indexer.daemon.serving import ContextGate
from tests.conftest import info_note
from tests.processes import PATIENCE

SCRIPT = "import sys; sys.argv[0] = 'search'; from indexer.cli.startup import run_search; run_search()"
# The console script, then a last stderr line naming the heavy modules it loaded.
PROBE = (
    "import sys, os; sys.argv[0] = 'search'\n"
    "from indexer.cli.startup import run_search\n"
    "try:\n    run_search()\n"
    "except SystemExit as stop:\n"
    "    heavy = sorted(m for m in ('click', 'whoosh', 'indexer.search.searching') if m in sys.modules)\n"
    "    os.write(2, ('\\nloaded: ' + ','.join(heavy) + '\\n').encode())\n"
    "    raise\n"
)


def wait_until(condition: Callable[[], object], what: str, timeout: float = PATIENCE) -> object:
    """Poll `condition` until it is true (never a fixed sleep); fail after `timeout` (a hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    return control._alive(pid)


class Daemon:
    """A resident process for one index, started by the test and always stopped after it."""

    def __init__(self, corpus: Path, index: Path, cwd: Path, env: dict[str, str]) -> None:
        self.corpus, self.index, self.cwd, self.env = corpus, index, cwd, env
        self.process: subprocess.Popen | None = None

    def args(self) -> list[str]:
        return ["--corpus", str(self.corpus), "--index", str(self.index)]

    def run(self, *words: str, daemon: bool = True, script: str = SCRIPT) -> subprocess.CompletedProcess:
        """`search WORDS --corpus .. --index ..` through the console script's code."""
        env = dict(self.env)
        if not daemon:
            env["NOTES_NO_DAEMON"] = "1"
        return subprocess.run(
            [sys.executable, "-c", script, *words, *self.args()],
            capture_output=True,
            cwd=self.cwd,
            env=env,
            timeout=PATIENCE,
        )

    def start(self, *, idle: float = 600.0, routes_of: tuple[str, ...] = ()) -> int:
        """Start the server directly (a child of this test, so it is reaped); its pid once it serves."""
        routes = [protocol.route_key([*words, *self.args()], self.env, str(self.cwd)) for words in routes_of]
        command = [sys.executable, "-m", "indexer.daemon.server", *self.args(), "--idle", str(idle)]
        for key in routes:
            command += ["--route", key]
        self.process = subprocess.Popen(command, cwd=self.cwd, env=self.env, stderr=subprocess.DEVNULL)
        status = wait_until(lambda: self.status(), "the resident process to answer")
        folder = protocol.runtime_dir(self.env)
        for key in routes:
            wait_until(lambda key=key: os.path.exists(protocol.route_link(folder, key)), "its route link")
        return int(status["pid"])

    def status(self) -> dict | None:
        with environment(self.env):
            return control.ask(str(self.index), "status")

    def served(self) -> int:
        """The queries the process has answered. Its status is waited for: one `ask` gives up
        after fixed timeouts (0.5 s to connect, 10 s for the answer), which a busy machine can
        reach; only a process that has exited fails at once."""

        def answered() -> dict | None:
            status = self.status()
            if status is None and self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the resident process exited ({self.process.returncode})")
            return status

        return int(wait_until(answered, "the resident process's status")["served"])

    def stop(self) -> None:
        with environment(self.env):
            status = control.stop(str(self.index))
        if self.process is not None:
            if status is None and self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=PATIENCE)
        if status is not None:
            assert not alive(int(status["pid"]))


class environment:
    """Run `control` calls with the daemon's variables (runtime folder) in this process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> None:
        self.saved = os.environ.get("XDG_RUNTIME_DIR")
        os.environ["XDG_RUNTIME_DIR"] = self.env["XDG_RUNTIME_DIR"]

    def __exit__(self, *exc_info: object) -> None:
        os.environ["XDG_RUNTIME_DIR"] = self.saved or ""


def server_pids(runtime: str) -> set[int]:
    """Live resident processes whose sockets go under `runtime` (this test's own)."""
    found = set()
    wanted = f"XDG_RUNTIME_DIR={runtime}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"indexer.daemon.server" in cmdline and wanted in environ and alive(int(entry.name)):
                found.add(int(entry.name))
    return found


def make_daemon(tmp_path: Path, corpus: Path, index: Path, monkeypatch) -> Iterator[Daemon]:
    monkeypatch.delenv("NOTES_NO_DAEMON")
    env = dict(os.environ)
    daemon = Daemon(corpus, index, tmp_path, env)
    try:
        yield daemon
    finally:
        daemon.stop()
        stop_every_process(env, index)


def stop_every_process(env: dict[str, str], index: Path) -> None:
    """Stop what the test started through `search` too (one may still be starting up)."""
    os.chmod(protocol.runtime_dir(env), 0o700) if os.path.isdir(protocol.runtime_dir(env)) else None
    deadline = time.monotonic() + PATIENCE
    while left := server_pids(env["XDG_RUNTIME_DIR"]):
        with environment(env):
            control.stop(str(index))
        if time.monotonic() > deadline:
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"resident processes left behind: {left}")
        time.sleep(0.05)


@pytest.fixture
def bundled_daemon(bundled_index, tmp_path, monkeypatch) -> Iterator[Daemon]:
    corpus_dir, index = bundled_index
    yield from make_daemon(tmp_path, corpus_dir, index, monkeypatch)


@pytest.fixture
def own_daemon(corpus, write_note, index_dir, tmp_path, monkeypatch) -> Iterator[Daemon]:
    """A daemon over a small corpus of the test's own, with its index built."""
    from indexer.index.store import build_index

    write_note("one.md", info_note("Gateway report", "The GPRS gateway was breached."))
    write_note("sub/two.md", info_note("Second note", "Nothing about that here."))
    build_index(corpus, index_dir)
    yield from make_daemon(tmp_path, corpus, index_dir, monkeypatch)


OUTPUT_MODES = [
    ("ransomware",),
    ("ransomware", "--color", "always"),
    ("ransomware", "-n", "3", "--explain"),
    ("ransomware", "--json"),
    ("ransomware", "--jsonl", "-n", "0"),
    ("ransomware", "--count"),
    ("ransomware", "--files"),
    ("ransomware", "--files", "-0"),
    ("ransomware", "--output", "tags"),
    ("ransomware", "--facet", "source", "--timeline"),
    ("author:cimpanu date:2021-10", "--sort", "-date"),
    ("ransomwear",),  # no match, with a suggestion on stderr: exit 1
    ("zzzqqqxxyy", "--count"),
    ("ransomware -attack", "--json"),  # `-word` excludes, served as in process
    ("nosuchfield:x",),  # a query error: exit 2
    ("ransomware", "--limit", "-3"),  # a usage error: exit 2
    ("--version",),
    ("ransomware", "--debug-query", "-p", "2"),
    ("--config-show",),
]


@pytest.fixture(scope="module")
def serving_every_mode(bundled_index, tmp_path_factory) -> Iterator[Daemon]:
    """One resident process over the bundled index, routed for every one of OUTPUT_MODES
    (started once for them all: a start costs about 0.3 s of CPU), in an environment of the
    module's own like the one `isolated_environment` gives each test."""
    corpus_dir, index = bundled_index
    home = tmp_path_factory.mktemp("daemon-home")
    env = {name: value for name, value in os.environ.items() if not name.startswith("NOTES_")}
    for name in ("NO_COLOR", "FORCE_COLOR", "EDITOR", "VISUAL", "PAGER"):
        env.pop(name, None)
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_RUNTIME_DIR": str(home / "run"),
    }
    daemon = Daemon(corpus_dir, index, home, env)
    try:
        daemon.start(routes_of=tuple(OUTPUT_MODES))
        yield daemon
    finally:
        daemon.stop()
        stop_every_process(env, index)


# The one-shot searches the served ones are compared with, each in a process of its own
# that answers in process (NOTES_NO_DAEMON), forked, one a mode, from a process that has
# loaded what a search loads: a fresh interpreter a mode cost ~0.25 s of CPU, 19 times
# over, most of it imports. What to load is what the first mode loaded in a first child,
# in the order it did; each child then starts where a fresh `search` stands once those
# imports are done, its own work (opening the index, parsing notes) still its own. A child
# ends as the console script's code does: its SystemExit leaves the script, and Python
# exits with its status after the atexit functions and a flush. Its stdin is the test's,
# as for `Daemon.run`; stdout and stderr go to files of its own. argv[1]: the folder for
# them, argv[2]: the modes' arguments (JSON); prints each mode's exit status (JSON).
FORKED_SEARCHES = """
import importlib, json, os, sys
sys.argv[0] = 'search'
from indexer.cli.startup import run_search
folder, modes = sys.argv[1], json.loads(sys.argv[2])


def fork(words, out, err, scout=None):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        sys.argv[1:] = words
        try:
            run_search()
        finally:
            if scout is not None:
                os.write(scout, ' '.join(sys.modules).encode())
                os._exit(0)
        raise SystemExit
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


read_end, write_end = os.pipe()
fork(modes[0], os.devnull, os.devnull, scout=write_end)
os.close(write_end)
with os.fdopen(read_end, 'rb') as loaded:
    for name in loaded.read().decode().split():
        if name not in sys.modules and not name.startswith('__'):
            try:
                importlib.import_module(name)
            except Exception:
                pass
print(json.dumps([fork(words, f'{folder}/{n}.out', f'{folder}/{n}.err') for n, words in enumerate(modes)]))
"""


@pytest.fixture(scope="module")
def in_process_outputs(serving_every_mode, tmp_path_factory) -> dict[tuple[str, ...], tuple]:
    """Mode -> (stdout, stderr, status) of the one-shot search (see FORKED_SEARCHES)."""
    daemon = serving_every_mode
    folder = tmp_path_factory.mktemp("in-process")
    modes = [[*words, *daemon.args()] for words in OUTPUT_MODES]
    done = subprocess.run(
        [sys.executable, "-c", FORKED_SEARCHES, str(folder), json.dumps(modes)],
        capture_output=True,
        cwd=daemon.cwd,
        env=daemon.env | {"NOTES_NO_DAEMON": "1"},
        timeout=PATIENCE,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    statuses = json.loads(done.stdout)
    return {
        words: ((folder / f"{n}.out").read_bytes(), (folder / f"{n}.err").read_bytes(), statuses[n])
        for n, words in enumerate(OUTPUT_MODES)
    }


@pytest.mark.parametrize("words", OUTPUT_MODES, ids=" ".join)
def test_served_output_is_byte_for_byte_the_in_process_output(serving_every_mode, in_process_outputs, words):
    daemon = serving_every_mode
    served = daemon.run(*words, script=PROBE)
    stderr, loaded = served.stderr.rsplit(b"\nloaded: ", 1)
    # The process answered this very client, which loaded neither click nor Whoosh. (The
    # process's count of queries, read before and after, was not this client's alone: a
    # query whose client had given up waiting is counted when it ends, perhaps meanwhile.)
    assert loaded == b"\n"
    assert (served.stdout, stderr, served.returncode) == in_process_outputs[words]
    assert served.stdout or stderr


def test_a_forked_one_shot_search_answers_as_a_fresh_process_does(serving_every_mode, in_process_outputs):
    """The reference above against `Daemon.run` in a fresh interpreter, for the hit list."""
    fresh = serving_every_mode.run(*OUTPUT_MODES[0], daemon=False)
    assert (fresh.stdout, fresh.stderr, fresh.returncode) == in_process_outputs[OUTPUT_MODES[0]]


def test_colour_variables_of_the_client_reach_the_served_search(bundled_daemon):
    bundled_daemon.start(routes_of=(("ransomware", "-n", "2"),))
    colored = bundled_daemon.run("ransomware", "-n", "2", "--color", "auto")
    bundled_daemon.env["FORCE_COLOR"] = "1"
    forced = bundled_daemon.run("ransomware", "-n", "2")
    assert b"\x1b[" not in colored.stdout
    assert b"\x1b[" in forced.stdout
    assert forced.stdout == bundled_daemon.run("ransomware", "-n", "2", daemon=False).stdout


def test_a_served_search_imports_neither_click_nor_whoosh(bundled_daemon):
    bundled_daemon.start(routes_of=(("GPRS gateway",),))
    served = bundled_daemon.run("GPRS gateway", script=PROBE)
    assert served.returncode == 0
    assert served.stderr.endswith(b"\nloaded: \n")
    local = bundled_daemon.run("GPRS gateway", daemon=False, script=PROBE)
    # The probe can tell (a one-shot search of this kind loads no click: cli/common_argv.py).
    assert local.stderr.endswith(b"\nloaded: indexer.search.searching,whoosh\n")


def ask_directly(daemon: Daemon, request: dict) -> list[tuple[bytes, bytes]]:
    """Send one request to the process's own socket; the frames of its reply."""
    folder = protocol.runtime_dir(daemon.env)
    frames = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(protocol.index_socket(folder, str(daemon.index)))
        protocol.send_json(sock, b"j", request)
        while not frames or frames[-1][0] not in (b"x", b"f"):
            frames.append(protocol.read_frame(sock))
    return frames


def test_a_request_for_another_index_is_sent_back_to_run_in_process(bundled_daemon, tmp_path):
    bundled_daemon.start()
    request = {"op": "search", "stamp": protocol.code_stamp(), "cwd": str(tmp_path), "env": {}}
    elsewhere = ["ransomware", "--corpus", str(bundled_daemon.corpus), "--index", str(tmp_path / "other")]
    assert ask_directly(bundled_daemon, request | {"argv": elsewhere}) == [(b"f", b"")]
    here = ["ransomware", "--count", *bundled_daemon.args()]
    assert ask_directly(bundled_daemon, request | {"argv": here})[-1] == (b"x", b"0")
    assert bundled_daemon.served() == 1


def test_the_shell_open_and_batch_never_go_to_the_process(bundled_daemon):
    bundled_daemon.start(routes_of=(("--batch", "-"),))
    before = bundled_daemon.served()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--batch", "-", "--count", *bundled_daemon.args()],
        input=b"ransomware\n",
        capture_output=True,
        cwd=bundled_daemon.cwd,
        env=bundled_daemon.env,
        timeout=PATIENCE,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert bundled_daemon.served() == before


class FakeServer:
    """Listens on a route like a resident process, then misbehaves as told."""

    def __init__(self, path: str, behaviour: Callable[[socket.socket], None]) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(4)
        self.listener.settimeout(0.05)  # so that close() is seen: closing does not wake accept()
        self.connections = 0
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(30)
                self.behaviour(conn)

    def close(self) -> None:
        """Stop and join the thread: a thread left running would stop later tests from forking."""
        self.stopping.set()
        self.thread.join(30)
        assert not self.thread.is_alive()
        self.listener.close()


def fake_route(daemon: Daemon, words: tuple[str, ...]) -> str:
    folder = protocol.runtime_dir(daemon.env)
    assert protocol.make_private_dir(folder)
    return protocol.route_link(
        folder, protocol.route_key([*words, *daemon.args()], daemon.env, str(daemon.cwd))
    )


def dies_mid_reply(conn: socket.socket) -> None:
    protocol.read_json(conn)
    protocol.send_frame(conn, b"o", b"half an answer\n")  # then the process is gone


def test_a_process_that_dies_mid_query_falls_back_to_the_in_process_answer(bundled_daemon):
    words = ("GPRS gateway",)
    server = FakeServer(fake_route(bundled_daemon, words), dies_mid_reply)
    try:
        result = bundled_daemon.run(*words)
    finally:
        server.close()
    assert server.connections == 1
    local = bundled_daemon.run(*words, daemon=False)
    assert (result.stdout, result.stderr, result.returncode) == (local.stdout, local.stderr, 0)


def test_a_killed_process_leaves_a_stale_socket_that_the_next_search_removes(bundled_daemon):
    words = ("GPRS gateway",)
    pid = bundled_daemon.start(routes_of=(words,))
    link = fake_route(bundled_daemon, words)
    target = os.path.realpath(link)
    os.kill(pid, signal.SIGKILL)
    bundled_daemon.process.wait(timeout=PATIENCE)
    assert os.path.exists(target)  # nobody cleaned up
    # (With the process turned off in the user's notes.toml, no new one takes the place.)
    config = Path(bundled_daemon.env["XDG_CONFIG_HOME"]) / "notes-indexer" / "notes.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("daemon = false\n", encoding="utf-8")
    result = bundled_daemon.run(*words)
    assert result.returncode == 0
    assert b"GPRS" in result.stdout
    assert not os.path.lexists(target)
    assert not os.path.lexists(link)


def test_a_refused_connection_to_a_live_process_removes_nothing(bundled_daemon):
    from indexer.daemon.client import remove_stale

    bundled_daemon.start()
    path = protocol.index_socket(protocol.runtime_dir(bundled_daemon.env), str(bundled_daemon.index))
    remove_stale(path)  # as a client would after ECONNREFUSED between bind and listen
    assert os.path.exists(path)
    assert bundled_daemon.status() is not None


def test_a_socket_folder_others_can_enter_is_refused(bundled_daemon):
    words = ("GPRS gateway",)

    def hostile(conn: socket.socket) -> None:
        protocol.read_json(conn)
        protocol.send_frame(conn, b"o", b"not your notes\n")
        protocol.send_frame(conn, b"x", b"0")

    server = FakeServer(fake_route(bundled_daemon, words), hostile)
    folder = protocol.runtime_dir(bundled_daemon.env)
    os.chmod(folder, 0o755)
    try:
        result = bundled_daemon.run(*words, "--no-daemon")  # no new process: see below
        plain = bundled_daemon.run(*words)
    finally:
        server.close()
    assert server.connections == 0
    assert b"not your notes" not in plain.stdout
    assert plain.stdout == result.stdout
    # A server refuses to serve from such a folder too.
    refused = subprocess.run(
        [sys.executable, "-m", "indexer.daemon.server", *bundled_daemon.args()],
        env=bundled_daemon.env,
        timeout=PATIENCE,
    )
    assert refused.returncode == 2


def test_a_client_of_another_version_is_not_served_and_the_old_process_exits(bundled_daemon):
    pid = bundled_daemon.start()
    folder = protocol.runtime_dir(bundled_daemon.env)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(protocol.index_socket(folder, str(bundled_daemon.index)))
        protocol.send_json(sock, b"j", {"op": "search", "stamp": "0.0.0/0/old", "argv": ["x"], "cwd": "/"})
        assert protocol.read_frame(sock) == (b"f", b"")
    bundled_daemon.process.wait(timeout=PATIENCE)
    assert not alive(pid)


def test_an_idle_process_exits_and_removes_its_socket(bundled_daemon):
    folder = protocol.runtime_dir(bundled_daemon.env)
    route = protocol.route_key(["x"], bundled_daemon.env, "/")
    command = [sys.executable, "-m", "indexer.daemon.server", *bundled_daemon.args(), "--route", route]
    process = subprocess.Popen([*command, "--idle", "0.5"], env=bundled_daemon.env)
    bundled_daemon.process = process  # stopped by the fixture should the test fail
    assert process.wait(timeout=PATIENCE) == 0
    log = Path(protocol.index_socket(folder, str(bundled_daemon.index))).with_suffix(".log")
    assert "exiting: idle for 0.5 s" in log.read_text(encoding="utf-8")
    assert not os.path.exists(protocol.index_socket(folder, str(bundled_daemon.index)))
    assert not [name for name in os.listdir(folder) if name.startswith("route-")]


def test_a_process_exits_when_its_index_is_removed(own_daemon):
    import shutil

    pid = own_daemon.start()
    shutil.rmtree(own_daemon.index)
    own_daemon.process.wait(timeout=PATIENCE)
    assert not alive(pid)


def test_a_note_changed_on_disk_is_seen_by_the_next_query(own_daemon, write_note):
    words = ("zebrafish",)
    own_daemon.start(routes_of=(words,))
    assert own_daemon.run(*words, "--count").stdout == b"0\n"
    seen = own_daemon.status()["changes_seen"]
    write_note("sub/new.md", info_note("Zebrafish", "A zebrafish note."))
    wait_until(lambda: own_daemon.status()["changes_seen"] > seen, "the watcher to report the change")
    before = own_daemon.served()
    result = own_daemon.run(*words, "--count")
    assert own_daemon.served() == before + 1
    assert (result.stdout, result.returncode) == (b"1\n", 0)


def test_a_note_edited_in_place_shows_its_new_text_in_the_next_query_on_the_same_open_index(
    own_daemon, write_note
):
    words = ("gateway", "--jsonl")
    own_daemon.start(routes_of=(words,))
    assert b"GPRS" in own_daemon.run(*words).stdout
    assert b"GPRS" in own_daemon.run(*words).stdout
    opened = own_daemon.status()["indexes_opened"]
    seen = own_daemon.status()["changes_seen"]
    write_note("one.md", info_note("Gateway report", "The EDGE gateway was breached."))  # in place
    wait_until(lambda: own_daemon.status()["changes_seen"] > seen, "the watcher to report the change")
    result = own_daemon.run(*words)
    assert b"EDGE" in result.stdout and b"GPRS" not in result.stdout
    assert own_daemon.status()["indexes_opened"] == opened  # the index was kept open, and refreshed


def test_a_one_shot_search_starts_a_process_for_the_next_one(own_daemon):
    words = ("gateway",)
    first = own_daemon.run(*words)
    assert first.returncode == 0
    status = wait_until(lambda: own_daemon.status(), "the process started in the background")
    wait_until(lambda: os.path.exists(fake_route(own_daemon, words)), "its route")
    second = own_daemon.run(*words)
    assert second.stdout == first.stdout
    assert own_daemon.status()["served"] == status["served"] + 1


@pytest.mark.parametrize(
    "turned_off",
    ["--no-daemon", "NOTES_NO_DAEMON=1", "daemon = false"],
)
def test_the_resident_process_can_be_turned_off(own_daemon, monkeypatch, turned_off):
    from click.testing import CliRunner

    from indexer.cli import search_main
    from indexer.daemon import spawn

    started = []
    monkeypatch.setattr(spawn, "start_in_background", lambda settings: started.append(settings))
    args = ["gateway", *own_daemon.args()]
    if turned_off == "--no-daemon":
        args.append("--no-daemon")
    elif turned_off.startswith("NOTES"):
        monkeypatch.setenv("NOTES_NO_DAEMON", "1")
    else:
        (own_daemon.corpus / "notes.toml").write_text("daemon = false\n", encoding="utf-8")
    assert CliRunner().invoke(search_main, args).exit_code == 0
    assert started == []
    monkeypatch.delenv("NOTES_NO_DAEMON", raising=False)
    (own_daemon.corpus / "notes.toml").unlink(missing_ok=True)
    assert CliRunner().invoke(search_main, ["gateway", *own_daemon.args()]).exit_code == 0
    assert len(started) == 1  # the same search, allowed, offers one


def test_daemon_false_in_notes_toml_sends_a_running_process_away(own_daemon):
    words = ("gateway",)
    pid = own_daemon.start(routes_of=(words,))
    (own_daemon.corpus / "notes.toml").write_text("daemon = false\n", encoding="utf-8")
    result = own_daemon.run(*words)
    assert result.returncode == 0
    own_daemon.process.wait(timeout=PATIENCE)
    assert not alive(pid)


def test_status_and_stop_commands(own_daemon):
    from click.testing import CliRunner

    from indexer.cli import indexer_main

    runner = CliRunner()
    with environment(own_daemon.env):
        missing = runner.invoke(indexer_main, ["daemon", "status", *own_daemon.args()])
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert missing.stderr == f"no resident process serves {own_daemon.index}\n"
    pid = own_daemon.start()
    with environment(own_daemon.env):
        shown = runner.invoke(indexer_main, ["daemon", "status", *own_daemon.args()])
        stopped = runner.invoke(indexer_main, ["daemon", "stop", *own_daemon.args()])
    assert shown.exit_code == 0
    lines = dict(
        line.split(None, 1) for line in shown.stdout.replace("queries served", "served").splitlines()
    )
    assert lines["pid"] == str(pid)
    assert lines["index"] == str(own_daemon.index)
    assert lines["memory"].endswith(" MB")
    assert set(lines) >= {"pid", "index", "corpus", "uptime", "served", "memory"}
    assert stopped.stdout == f"stopped the resident process {pid} (served 0 queries)\n"
    own_daemon.process.wait(timeout=PATIENCE)


def test_requests_from_one_context_run_together_and_another_waits(monkeypatch):
    saved = dict(os.environ)
    monkeypatch.setattr(os, "environ", os.environ)  # restored below, whatever the gate removed
    gate = ContextGate()
    cwd = os.getcwd()
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def hold() -> None:
        with gate.entered(cwd, {"NOTES_LIMIT": "3"}):
            inside.set()
            release.wait(30)
            order.append("first done")

    def other_context() -> None:
        with gate.entered(cwd, {"NOTES_LIMIT": "4"}):
            order.append("other ran")

    first = threading.Thread(target=hold)
    first.start()
    inside.wait(30)
    with gate.entered(cwd, {"NOTES_LIMIT": "3"}):  # same context: not blocked by the first
        order.append("same ran")
    waiting = threading.Thread(target=other_context)
    waiting.start()
    waiting.join(0.2)
    assert order == ["same ran"]  # the other context is still waiting for the first
    release.set()
    first.join(30)
    waiting.join(30)
    assert order == ["same ran", "first done", "other ran"]
    assert os.environ.get("NOTES_LIMIT") == "4"
    assert "HOME" not in os.environ  # the context is the request's variables alone
    os.environ.clear()
    os.environ.update(saved)


def test_without_xdg_runtime_dir_the_socket_folder_is_found_without_a_warning(monkeypatch):
    from indexer.daemon.protocol import runtime_dir

    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    # Warnings are errors in the tests: platformdirs' fallback warning would fail here.
    assert runtime_dir({}).endswith("notes-indexer")


def test_the_open_index_is_lent_again_to_the_next_request_and_sees_new_commits(corpus, write_note, index_dir):
    from indexer.daemon.index_pool import IndexPool
    from indexer.index.store import build_index, update_index

    write_note("one.md", info_note("Gateway report", "The GPRS gateway was breached."))
    build_index(corpus, index_dir)
    pool = IndexPool()
    try:
        with pool.lend(corpus, index_dir, {}, {}) as first:
            assert first.count("zebrafish") == 0
            with pool.lend(corpus, index_dir, {}, {}) as second:  # a concurrent request
                assert second is not first
        with pool.lend(corpus, index_dir, {}, {}) as again:
            assert again in (first, second)
        write_note("two.md", info_note("Zebrafish", "A zebrafish note."))
        update_index(corpus, index_dir)
        with pool.lend(corpus, index_dir, {}, {}) as after:
            assert after.count("zebrafish") == 1
        with pool.lend(corpus, index_dir, {"title": 9.0}, {}) as weighted:  # other settings
            assert weighted not in (first, second)
        assert pool.opened == 3
    finally:
        pool.close()


def test_a_request_that_fails_does_not_return_its_index_to_the_pool(corpus, write_note, index_dir):
    from indexer.daemon.index_pool import IndexPool
    from indexer.index.store import build_index

    write_note("one.md", info_note("Gateway report", "The GPRS gateway was breached."))
    build_index(corpus, index_dir)
    pool = IndexPool()
    with pytest.raises(RuntimeError), pool.lend(corpus, index_dir, {}, {}) as failed:
        raise RuntimeError("boom")
    with pool.lend(corpus, index_dir, {}, {}) as fresh:
        assert fresh is not failed
    pool.close()


def test_stop_says_one_query_in_the_singular(own_daemon):
    from click.testing import CliRunner

    from indexer.cli import indexer_main

    words = ("GPRS gateway", "--count")
    pid = own_daemon.start(routes_of=(words,))
    assert own_daemon.run(*words).stdout == b"1\n"
    assert own_daemon.served() == 1
    with environment(own_daemon.env):
        stopped = CliRunner().invoke(indexer_main, ["daemon", "stop", *own_daemon.args()])
    assert stopped.stdout == f"stopped the resident process {pid} (served 1 query)\n"
    own_daemon.process.wait(timeout=PATIENCE)
