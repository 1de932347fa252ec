import os

import pytest

from indexer.index.freshness import PendingCheck, start_change_check
from indexer.index.store import IndexOptions, build_index
from tests.conftest import info_note

# Every answer is checked both ways: in a forked child (a core is idle) and in this
# process when the answer is asked for (every core is busy).
both_ways = pytest.mark.parametrize("fork", [True, False], ids=["forked", "in-process"])


@both_ways
def test_the_check_says_unchanged_for_an_untouched_corpus(corpus, write_note, index_dir, fork):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    assert start_change_check(corpus, index_dir, fork=fork).changed() is False


@both_ways
def test_the_check_says_changed_after_a_new_note(corpus, write_note, index_dir, fork):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    write_note("b.md", info_note("B", "words"))
    assert start_change_check(corpus, index_dir, fork=fork).changed() is True


@both_ways
def test_the_check_says_changed_after_an_edit_in_place(corpus, write_note, index_dir, fork):
    note = write_note("sub/a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    folder_mtime = note.parent.stat().st_mtime_ns
    with note.open("a", encoding="utf-8") as handle:
        handle.write("more words\n")
    assert note.parent.stat().st_mtime_ns == folder_mtime  # the folder does not show it
    assert start_change_check(corpus, index_dir, fork=fork).changed() is True


@both_ways
def test_a_failing_check_answers_changed_so_the_caller_checks_and_reports(tmp_path, index_dir, fork):
    # The corpus folder does not exist: the check raises; the answer is "changed".
    assert start_change_check(tmp_path / "missing", index_dir, fork=fork).changed() is True


def test_known_answers_need_no_child():
    assert PendingCheck(known=False).changed() is False
    assert PendingCheck(known=True).changed() is True


@both_ways
def test_a_missing_index_counts_as_changed_so_the_caller_builds_it(corpus, write_note, index_dir, fork):
    write_note("a.md", info_note("A", "words"))
    assert start_change_check(corpus, index_dir, fork=fork).changed() is True


@both_ways
def test_ignored_notes_are_no_change(corpus, write_note, index_dir, fork):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir, options=IndexOptions(ignore=("drafts/*",)))
    write_note("drafts/b.md", info_note("B", "words"))
    assert start_change_check(corpus, index_dir, ignore=("drafts/*",), fork=fork).changed() is False
    assert start_change_check(corpus, index_dir, fork=fork).changed() is True


def test_the_in_process_check_starts_no_child_and_walks_when_asked(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    pending = start_change_check(corpus, index_dir, fork=False)
    assert pending._pid is None
    write_note("b.md", info_note("B", "words"))  # after the start, before the question
    assert pending.changed() is True
    os.remove(corpus / "b.md")
    assert pending.changed() is True  # asked again, the same answer: no second walk


def test_a_discarded_in_process_check_never_walks(corpus, write_note, index_dir, monkeypatch):
    import indexer.index.change_check as change_check

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    walks = []
    monkeypatch.setattr(change_check, "corpus_changed", lambda *args: walks.append(args) or False)
    pending = start_change_check(corpus, index_dir, fork=False)
    pending.discard()
    assert walks == []


@pytest.mark.parametrize(
    ("running", "cores", "idle"),
    [(1, 2, True), (2, 2, False), (7, 2, False), (3, 4, True), (4, 4, False), (1, 1, False)],
)
def test_a_core_is_idle_when_fewer_processes_run_than_there_are_cores(monkeypatch, running, cores, idle):
    from indexer.index import freshness

    monkeypatch.setattr(freshness, "_runnable_now", lambda: running)
    monkeypatch.setattr(freshness.os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert freshness.a_core_is_idle() is idle


@pytest.mark.parametrize(("load", "idle"), [(0.2, True), (1.0, True), (1.3, False)])
def test_without_a_count_of_runnable_processes_the_load_average_decides(monkeypatch, load, idle):
    from indexer.index import freshness

    monkeypatch.setattr(freshness, "_runnable_now", lambda: None)
    monkeypatch.setattr(freshness.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(freshness.os, "getloadavg", lambda: (load, load, load))
    assert freshness.a_core_is_idle() is idle


def test_without_either_the_check_runs_in_this_process(monkeypatch):
    from indexer.index import freshness

    def unreadable():
        raise OSError("no load average")

    monkeypatch.setattr(freshness, "_runnable_now", lambda: None)
    monkeypatch.setattr(freshness.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(freshness.os, "getloadavg", unreadable)
    assert freshness.a_core_is_idle() is False


def test_the_runnable_count_is_read_where_linux_gives_it():
    from indexer.index import freshness

    running = freshness._runnable_now()
    if os.path.exists("/proc/loadavg"):
        assert isinstance(running, int) and running >= 1  # this process runs as it reads
    else:
        assert running is None


def test_the_default_forks_only_when_a_core_is_idle(corpus, write_note, index_dir, monkeypatch):
    from indexer.index import freshness

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    for idle in (True, False):
        monkeypatch.setattr(freshness, "a_core_is_idle", lambda idle=idle: idle)
        pending = start_change_check(corpus, index_dir)
        assert (pending._pid is not None) is idle
        assert pending.changed() is False


def test_a_discarded_check_leaves_no_child(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    pending = start_change_check(corpus, index_dir, fork=True)
    child = pending._pid
    pending.discard()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


def test_the_check_itself_imports_no_whoosh(corpus, write_note, index_dir):
    import subprocess
    import sys

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from indexer.index.store import detect_changes, index_exists\n"
        f"assert index_exists(Path({str(index_dir)!r}))\n"
        f"assert not detect_changes(Path({str(corpus)!r}), Path({str(index_dir)!r}))\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'whoosh'))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"  # what the forked child does costs no Whoosh import


def test_asked_again_the_check_gives_the_same_answer(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    pending = start_change_check(corpus, index_dir, fork=True)
    assert pending.changed() is False
    assert pending.changed() is False  # the child is gone; its answer is remembered
    pending.discard()
    assert pending.changed() is False


def test_the_forked_check_loads_the_walk_only_no_index_code(corpus, write_note, index_dir):
    import subprocess
    import sys

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "from indexer.index.change_check import corpus_changed\n"
        f"assert corpus_changed({str(corpus)!r}, {str(index_dir)!r}) is False\n"
        "print(sorted(name for name in set(sys.modules) - before if name.startswith('indexer')))\n"
        "heavy = ('whoosh', 'yaml', 'frontmatter')\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in heavy))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded, heavy = run.stdout.splitlines()
    expected = "['indexer', 'indexer.errors', 'indexer.index', 'indexer.index.change_check', "
    expected += "'indexer.index.json_files', 'indexer.index.schema_version', 'indexer.notes', "
    expected += "'indexer.notes.corpus']"
    assert (loaded, heavy) == (expected, "[]")


@pytest.mark.parametrize(
    "change",
    ["edit in place", "new note", "removed note", "new folder", "touched"],
)
def test_the_light_check_agrees_with_detect_changes(corpus, write_note, index_dir, change):
    from indexer.index.change_check import corpus_changed
    from indexer.index.store import detect_changes

    note = write_note("sub/a.md", info_note("A", "words"))
    write_note("b.md", info_note("B", "words"))
    build_index(corpus, index_dir)
    assert corpus_changed(corpus, index_dir) is False
    if change == "edit in place":
        with note.open("a", encoding="utf-8") as handle:
            handle.write("more words\n")
    elif change == "new note":
        write_note("sub/c.md", info_note("C", "words"))
    elif change == "removed note":
        note.unlink()
    elif change == "new folder":
        write_note("deeper/still/d.md", info_note("D", "words"))
    else:
        stat = note.stat()
        os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert bool(detect_changes(corpus, index_dir)) is True
    assert corpus_changed(corpus, index_dir) is True


def test_the_walk_is_imported_before_the_fork_so_the_child_imports_nothing(corpus, write_note, index_dir):
    import subprocess
    import sys

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    script = (
        "import sys\n"
        "from indexer.index.freshness import start_change_check\n"
        "assert 'indexer.index.change_check' not in sys.modules\n"
        f"pending = start_change_check({str(corpus)!r}, {str(index_dir)!r}, fork=True)\n"
        "assert 'indexer.index.change_check' in sys.modules  # imported here, before the fork\n"
        "assert 'hashlib' in sys.modules and 'struct' in sys.modules  # the fingerprint's too\n"
        "print(pending.changed())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == "False\n"
