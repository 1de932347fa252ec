import os

import pytest

from indexer.index.freshness import PendingCheck, start_change_check
from indexer.index.store import IndexOptions, build_index
from tests.conftest import info_note


def test_the_child_says_unchanged_for_an_untouched_corpus(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    assert start_change_check(corpus, index_dir).changed() is False


def test_the_child_says_changed_after_a_new_note(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    write_note("b.md", info_note("B", "words"))
    assert start_change_check(corpus, index_dir).changed() is True


def test_a_failing_check_answers_changed_so_the_caller_checks_and_reports(tmp_path, index_dir):
    # The corpus folder does not exist: the child's check raises; the answer is "changed".
    assert start_change_check(tmp_path / "missing", index_dir).changed() is True


def test_known_answers_need_no_child():
    assert PendingCheck(known=False).changed() is False
    assert PendingCheck(known=True).changed() is True


def test_a_missing_index_counts_as_changed_so_the_caller_builds_it(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    assert start_change_check(corpus, index_dir).changed() is True


def test_ignored_notes_are_no_change(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir, options=IndexOptions(ignore=("drafts/*",)))
    write_note("drafts/b.md", info_note("B", "words"))
    assert start_change_check(corpus, index_dir, ignore=("drafts/*",)).changed() is False
    assert start_change_check(corpus, index_dir).changed() is True


def test_a_discarded_check_leaves_no_child(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    pending = start_change_check(corpus, index_dir)
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
    pending = start_change_check(corpus, index_dir)
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
        f"pending = start_change_check({str(corpus)!r}, {str(index_dir)!r})\n"
        "assert 'indexer.index.change_check' in sys.modules  # imported here, before the fork\n"
        "assert 'hashlib' in sys.modules  # the fingerprint's too\n"
        "print(pending.changed())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == "False\n"
