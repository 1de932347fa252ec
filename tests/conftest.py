"""Shared fixtures: an isolated environment, a note writer, and real indexes in tmp_path."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import shutil
import signal
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import pytest
from hypothesis import settings

# Property tests: few examples in the everyday run, every example before a release
# (pytest --hypothesis-profile=thorough; .ci/run runs both). Examples are derandomized,
# so a run tries the same ones each time and passes or fails the same way.
settings.register_profile("quick", max_examples=30, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=300, derandomize=True, database=None)
settings.load_profile("quick")  # --hypothesis-profile=NAME loads NAME after this

pytest_plugins = ["tests.cpu_report"]  # pytest --cpu-top N: where the suite's CPU goes

REPO = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO / "corpus"
# ../shared beside the repository (as CI has it); NOTES_TEST_SHARED points elsewhere (a worktree).
SHARED = Path(os.environ.get("NOTES_TEST_SHARED") or REPO.parent / "shared")
SHARED_NEWS = SHARED / "corpus" / "news"
SHARED_FRONTMATTER = SHARED / "corpus" / "frontmatter"

needs_shared_news = pytest.mark.skipif(
    not SHARED_NEWS.is_dir(), reason=f"shared news corpus not found at {SHARED_NEWS}"
)
needs_shared_frontmatter = pytest.mark.skipif(
    not SHARED_FRONTMATTER.is_dir(), reason=f"shared front-matter corpus not found at {SHARED_FRONTMATTER}"
)

# A run started in the background (`pytest &`, nohup, some CI runners) inherits SIGINT
# ignored, and so would every process the tests start: the Ctrl-C tests (test_crash's SIGINT
# cases, test_watch, the shell's) would wait for an interrupt that never comes. The tests'
# processes get SIGINT's default action, as from a terminal (a caught signal is reset on exec).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Besides every NOTES_* variable: the ones the tool reads from the wider environment.
_ISOLATED_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "EDITOR", "VISUAL", "PAGER")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep tests away from the user's settings, history and indexes."""
    # Not tmp_path_factory.mktemp: it lists the run's folder to number each new one, and
    # one home per test made the run's folder-making quadratic (~4 s of CPU in the suite).
    homes = tmp_path_factory.getbasetemp() / "homes"
    homes.mkdir(exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="home", dir=homes))
    for name in [name for name in os.environ if name.startswith("NOTES_")] + list(_ISOLATED_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))  # the internal-error log
    # No test starts a resident query process unless it asks for one (tests/test_daemon.py,
    # which stops its own); their sockets would go under this folder, never the user's.
    monkeypatch.setenv("NOTES_NO_DAEMON", "1")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    return home


WriteNote = Callable[..., Path]
Made = TypeVar("Made")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An empty corpus folder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder


@pytest.fixture
def write_note(corpus: Path) -> WriteNote:
    """Write a note into the temporary corpus: write_note("a/b.md", text) -> path."""

    def write(relative: str, text: str = "", *, raw: bytes | None = None, dedent: bool = True) -> Path:
        path = corpus / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n") if dedent else text, encoding="utf-8")
        return path

    return write


def info_note(
    title: str,
    body: str,
    *,
    source: str = "The Record",
    author: str = "Catalin Cimpanu",
    date: str = "August 16, 2021",
    link: str = "https://example.org/article",
    subtitle: str = "",
    tags: str = "[[Example]]",
) -> str:
    """The text of a note in the Information-list format."""
    return (
        f"# {title}\n### {subtitle}\n\n## Information:\n+ Source: {source}\n+ Link: {link}\n"
        f"+ Date: {date}\n+ Author: {author}\n\n\n## Article:\n{body}\n\n\n#### Tags:\n{tags}\n"
    )


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Made]) -> Made:
    """`make(folder)` run once per test run, in a folder every pytest-xdist worker of the run
    shares (each worker's session fixtures would otherwise build their own: the news index
    is 28 s of CPU), its value kept (pickled) for the others. Whoever makes it first holds a
    lock meanwhile; the others wait for it and read. Folders made so are read, never written."""
    import fcntl
    import pickle

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-N/: the run's, above each worker's popen-gwN/
    folder, value_file = root / f"once-{name}", root / f"once-{name}.pickle"
    with open(root / f"once-{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not value_file.exists():
            if folder.exists():  # a worker that died while making it
                shutil.rmtree(folder)
            folder.mkdir()
            value_file.write_bytes(pickle.dumps(make(folder)))
        return cast(Made, pickle.loads(value_file.read_bytes()))


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus, index) for the bundled corpus, copied and indexed once per run."""

    def make(root: Path) -> tuple[Path, Path]:
        from indexer.index.store import build_index

        corpus_copy = root / "corpus"
        shutil.copytree(BUNDLED_CORPUS, corpus_copy)
        build_index(corpus_copy, root / "index")
        return corpus_copy, root / "index"

    return made_once(tmp_path_factory, "bundled", make)


def copy_bundled_index(bundled_index: tuple[Path, Path], corpus: Path, index: Path) -> Path:
    """Put at `index` an up-to-date index of `corpus`, a copy (file times kept) of the bundled
    corpus: a copy of the session's `bundled_index`, told which corpus it now belongs to (the
    manifest and state name their corpus), instead of a build of its own (~0.2 s of CPU each,
    for tests that test something else than building)."""
    from indexer.index.change_check import STATE_FILE
    from indexer.index.json_files import read_json_object, write_json_atomic
    from indexer.index.store import MANIFEST_FILE

    shutil.copytree(bundled_index[1], index)
    for name in (MANIFEST_FILE, STATE_FILE):
        data = read_json_object(index / name)
        assert data["corpus"] == str(bundled_index[0].resolve()), name  # the format moved: update this
        write_json_atomic(index / name, {**data, "corpus": str(Path(corpus).resolve())})
    return index


@functools.cache
def parsed_shared_notes(name: str) -> dict[str, object]:
    """Path -> parsed note for every note of ../shared/corpus/NAME (news, frontmatter), read
    once per session for the tests that check them all."""
    from indexer.notes.note import parse_note

    root = SHARED / "corpus" / name
    return {note.path: note for note in (parse_note(path, root) for path in sorted(root.rglob("*.md")))}


@pytest.fixture(scope="session")
def shared_news_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    """(corpus, index, report) for the shared news corpus, read in place, indexed once."""
    if not SHARED_NEWS.is_dir():
        pytest.skip(f"shared news corpus not found at {SHARED_NEWS}")

    def make(root: Path) -> tuple[Path, Path, object]:
        from indexer.index.store import build_index

        return SHARED_NEWS, root / "index", build_index(SHARED_NEWS, root / "index")

    return made_once(tmp_path_factory, "shared-news", make)


@pytest.fixture
def search_bundled(bundled_index):
    """Run `search` over the bundled index as it is: search_bundled("query", "--json") -> click Result."""
    from click.testing import CliRunner

    from indexer.cli import search_main

    corpus_dir, index = bundled_index

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        where = ["--corpus", str(corpus_dir), "--index", str(index), "--no-update"]
        return CliRunner().invoke(search_main, [*args, *where], input=input, env=env)

    return run


def relative_files(folder: Path) -> list[str]:
    """Every file under `folder`, relative, sorted."""
    return sorted(
        os.path.relpath(os.path.join(dirpath, name), folder)
        for dirpath, _, names in os.walk(folder)
        for name in names
    )


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """A generated corpus of 440 notes, changed since its index `before`; `after` is up to date
    (see `tests.processes`). For tests that kill or race real indexer processes."""
    from tests.processes import make_generated

    return made_once(tmp_path_factory, "generated", make_generated)


class FakePager:
    """A shell pager that records what would have been paged."""

    def __init__(self) -> None:
        self.pages: list[str] = []

    def __call__(self, text: str) -> bool:
        self.pages.append(text)
        return True


def write_project_settings(folder: Path) -> None:
    """Put the repository's notes.toml into `folder`: ./corpus searched, ./index_data its index."""
    shutil.copyfile(REPO / "notes.toml", folder / "notes.toml")


@pytest.fixture(scope="session", autouse=True)
def no_resident_process_left_behind(tmp_path_factory: pytest.TempPathFactory):
    """After the session: no resident query process whose sockets are in this session's
    folders may still run (any found is stopped, and the session fails)."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    left = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        runtime = [item for item in environ if item.startswith(b"XDG_RUNTIME_DIR=")]
        if b"indexer.daemon.server" in cmdline and runtime and base.encode() in runtime[0]:
            left.append(int(entry.name))
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGTERM)
    assert not left, f"the tests left resident query processes running: {left}"


# The OpenSearch client is an optional extra (`.[opensearch]`), not in `.[test]`.
HAS_OPENSEARCH_CLIENT = importlib.util.find_spec("opensearchpy") is not None


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which makes a bare `-n N` `--dist load`
def pytest_cmdline_main(config: pytest.Config) -> None:
    """`-n N` without `--dist` ships each test file whole to one worker (`--dist loadfile`):
    a file's module fixtures (an index built once per file) are then built once, not once
    per worker. Set here rather than in pyproject's addopts, where `--dist` is an unknown
    option to a run without xdist (`-p no:xdist`)."""
    option = config.option
    if getattr(option, "numprocesses", None) and getattr(option, "dist", "no") == "no":
        option.dist = "loadfile"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that starts the OpenSearch cluster (directly or through another fixture) is
    marked `cluster`: the README's test command leaves them out (pyproject's addopts), and
    `.ci/run` runs them as a step of their own (`pytest -m cluster`). Tests marked
    `opensearch_client` skip where the client is not installed (the README's command), and
    `.ci/run` runs them with the cluster's, where it is. The tests listed in `tests/tiers.py`
    (a process or a whole corpus is their subject) are marked `slow`: the README's command
    leaves them out too, and `.ci/run` runs them in a step of their own (`pytest -m slow`)."""
    from tests.tiers import slow_reason

    for item in items:
        if "opensearch_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)
        if slow_reason(item.nodeid):
            item.add_marker(pytest.mark.slow)
        if not HAS_OPENSEARCH_CLIENT and item.get_closest_marker("opensearch_client"):
            reason = "needs the opensearch-py client: pip install -e '.[opensearch]'"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def opensearch_cluster():
    """A real two-node OpenSearch cluster on loopback, started once per test session (per
    xdist worker) and stopped at its end. Skipped only where Java or Maven is missing."""
    from tests.opensearch_cluster import ClusterUnavailable, LocalCluster

    try:
        cluster = LocalCluster()
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.close()
