"""The corpus fingerprint the one-shot search's change check compares with the index's state.

`walked_fingerprint` is `scan_corpus` and `corpus_fingerprint` in one lean walk: over random
trees (notes, folders named like notes, links, FIFOs, hidden and tool folders, ignore
patterns, an index inside the corpus) it must give what they give, and the fingerprint must
tell any two different sets of (path, mtime, size) apart.
"""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.index.change_check import STATE_FILE, corpus_changed
from indexer.index.json_files import read_json_object, write_json_atomic
from indexer.index.store import IndexOptions, build_index, detect_changes, ensure_fresh_index
from indexer.notes import corpus as corpus_module
from indexer.notes.corpus import corpus_fingerprint, scan_corpus, walked_fingerprint
from tests.conftest import info_note

NAMES = ["a", "b", "a-b", "a.b", "B0", "é", "x y", "node_modules", "idx", ".hid"]
SUFFIXES = [".md", ".MD", ".markdown", ".txt", ""]
KINDS = ["note", "note", "note", "folder", "fifo", "link to note", "link to folder", "broken link"]


@st.composite
def trees(draw):
    """A list of (relative path, kind, size, mtime_ns) to make under a corpus folder."""
    entries = []
    for _ in range(draw(st.integers(0, 14))):
        depth = draw(st.integers(0, 2))
        parts = [draw(st.sampled_from(NAMES)) for _ in range(depth)]
        name = draw(st.sampled_from(NAMES)) + draw(st.sampled_from(SUFFIXES))
        kind = draw(st.sampled_from(KINDS))
        size = draw(st.integers(0, 40))
        mtime_ns = draw(st.integers(-(2**40), 2**62))
        entries.append(("/".join([*parts, name]), kind, size, mtime_ns))
    return entries


def make_tree(root: Path, entries: list[tuple[str, str, int, int]]) -> None:
    outside = root.parent / "outside"
    (outside / "folder").mkdir(parents=True, exist_ok=True)
    (outside / "folder" / "n.md").write_text("# N")
    (outside / "target.md").write_text("# T")
    for rel, kind, size, mtime_ns in entries:
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "note":
                path.write_bytes(b"x" * size)
                os.utime(path, ns=(mtime_ns, mtime_ns))
            elif kind == "folder":
                path.mkdir()
                (path / "inner.md").write_bytes(b"y" * size)
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "link to note":
                os.symlink(outside / "target.md", path)
            elif kind == "link to folder":
                os.symlink(outside / "folder", path)
            else:
                os.symlink(root / "nowhere", path)
        except OSError:  # a file where a folder should be, a name taken: leave it
            continue


@given(
    entries=trees(),
    ignore=st.sampled_from([(), ("a*",), ("*/b*",), ("*.markdown", "x y/*")]),
    index_inside=st.booleans(),
)
def test_the_walk_gives_the_fingerprint_of_the_scan_over_random_trees(entries, ignore, index_inside):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "corpus"
        root.mkdir()
        make_tree(root, entries)
        exclude = (root / "idx",) if index_inside else ()
        scanned = scan_corpus(root, ignore=ignore, exclude=exclude).files
        assert walked_fingerprint(root, ignore=ignore, exclude=exclude) == corpus_fingerprint(scanned)


def test_the_walk_and_the_scan_agree_on_the_shared_news_corpus():
    from tests.conftest import SHARED_NEWS

    if not SHARED_NEWS.is_dir():
        pytest.skip(f"shared news corpus not found at {SHARED_NEWS}")
    assert walked_fingerprint(SHARED_NEWS) == corpus_fingerprint(scan_corpus(SHARED_NEWS).files)


def test_without_folder_descriptors_the_walk_is_the_scan(corpus, write_note, monkeypatch):
    write_note("a.md", "# A")
    write_note("sub/b.md", "# B")
    expected = corpus_fingerprint(scan_corpus(corpus).files)
    monkeypatch.setattr(corpus_module, "_WALK_BESIDE_FOLDERS", False)
    monkeypatch.setattr(corpus_module.os, "scandir", fails_on_a_descriptor(os.scandir))
    assert walked_fingerprint(corpus) == expected


def fails_on_a_descriptor(scandir):
    def scandir_of_paths(path="."):
        assert not isinstance(path, int), "a folder descriptor where none is supported"
        return scandir(path)

    return scandir_of_paths


signatures = st.tuples(st.integers(-(2**63), 2**63 - 1), st.integers(0, 2**63 - 1))
paths = st.lists(st.sampled_from(["a", "b", "a.b", "1", "12", "a b", "\n", "é"]), min_size=1, max_size=3).map(
    lambda parts: "/".join(parts) + ".md"
)


@given(st.dictionaries(paths, signatures, max_size=6), st.dictionaries(paths, signatures, max_size=6))
def test_two_fingerprints_are_equal_only_for_the_same_paths_mtimes_and_sizes(first, second):
    assert (corpus_fingerprint(first) == corpus_fingerprint(second)) == (first == second)


@given(st.dictionaries(paths, signatures, min_size=1, max_size=6), st.data())
def test_any_one_change_changes_the_fingerprint(files, data):
    rel = data.draw(st.sampled_from(sorted(files)))
    mtime_ns, size = files[rel]
    changed = data.draw(
        st.sampled_from(
            [
                {**files, rel: (mtime_ns + 1, size)},
                {**files, rel: (mtime_ns, size + 1)},
                {key: value for key, value in files.items() if key != rel},
                {**{key: value for key, value in files.items() if key != rel}, rel + ".md": (mtime_ns, size)},
                {**files, "new/" + rel: (mtime_ns, size)},
            ]
        )
    )
    assert corpus_fingerprint(changed) != corpus_fingerprint(files)


def test_paths_that_join_alike_without_a_separator_differ():
    assert corpus_fingerprint({"a.md": (1, 2), "b.mdc.md": (3, 4)}) != corpus_fingerprint(
        {"a.mdb.md": (1, 2), "c.md": (3, 4)}
    )


def test_mtimes_past_what_eight_bytes_hold_still_fingerprint_and_differ():
    far = {"a.md": (2**64, 3)}
    assert corpus_fingerprint(far) != corpus_fingerprint({"a.md": (2**64 + 1, 3)})
    assert corpus_fingerprint(far) != corpus_fingerprint({"a.md": (0, 3)})
    # Numbers written as text never meet numbers packed into the same bytes.
    as_text = {"a.md": (2**64, 1), "b.md": (123456, 1)}
    text = b"\0".join(str(number).encode() for pair in as_text.values() for number in pair) + b"\0"
    assert len(text) == 32
    packed = struct.unpack("<4q", text)
    assert corpus_fingerprint(as_text) != corpus_fingerprint({"a.md": packed[:2], "b.md": packed[2:]})


def test_an_index_inside_the_corpus_is_not_walked(corpus, write_note):
    write_note("a.md", "# A")
    write_note("idx/stray.md", "# not a note")
    inside = walked_fingerprint(corpus, exclude=(corpus / "idx",))
    assert inside == corpus_fingerprint({"a.md": scan_corpus(corpus).files["a.md"]})
    assert walked_fingerprint(corpus) == corpus_fingerprint(scan_corpus(corpus).files) != inside


# -- the change check's answers -------------------------------------------------------------


def _edit_in_place_same_size(note: Path) -> None:
    text = note.read_bytes()
    note.write_bytes(text.replace(b"words", b"WORDS"))
    later = note.stat().st_mtime_ns + 1_000_000_000
    os.utime(note, ns=(later, later))


CHANGES = {
    "an edit in place, same size": lambda corpus: _edit_in_place_same_size(corpus / "sub" / "a.md"),
    "a rename": lambda corpus: os.rename(corpus / "sub" / "a.md", corpus / "sub" / "renamed.md"),
    "a rename into another folder": lambda corpus: os.rename(corpus / "sub" / "a.md", corpus / "a.md"),
    "a new note": lambda corpus: (corpus / "c.md").write_text(info_note("C", "words")),
    "a deleted note": lambda corpus: (corpus / "b.md").unlink(),
    "a note in a new subfolder": lambda corpus: (
        (corpus / "new" / "deeper").mkdir(parents=True),
        (corpus / "new" / "deeper" / "d.md").write_text(info_note("D", "words")),
    ),
    "a note that became a link": lambda corpus: (
        (corpus / "b.md").unlink(),
        os.symlink(corpus / "sub" / "a.md", corpus / "b.md"),
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_check_answers_changed_after_each_kind_of_change(corpus, write_note, index_dir, change):
    write_note("sub/a.md", info_note("A", "words"))
    write_note("b.md", info_note("B", "words"))
    build_index(corpus, index_dir)
    assert corpus_changed(corpus, index_dir) is False
    CHANGES[change](corpus)
    assert bool(detect_changes(corpus, index_dir)) is True
    assert corpus_changed(corpus, index_dir) is True


@pytest.mark.parametrize(
    "unseen",
    ["an ignored note", "a hidden note", "a text file", "a link not followed", "a note in a tool folder"],
)
def test_the_check_answers_unchanged_after_what_the_index_never_holds(corpus, write_note, index_dir, unseen):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir, options=IndexOptions(ignore=("drafts/*",)))
    if unseen == "an ignored note":
        write_note("drafts/b.md", info_note("B", "words"))
    elif unseen == "a hidden note":
        write_note(".b.md", info_note("B", "words"))
    elif unseen == "a text file":
        write_note("b.txt", "words")
    elif unseen == "a link not followed":
        os.symlink(corpus / "a.md", corpus / "link.md")
    else:
        write_note("node_modules/b.md", info_note("B", "words"))
    assert corpus_changed(corpus, index_dir, ignore=("drafts/*",)) is False
    assert bool(detect_changes(corpus, index_dir, options=IndexOptions(ignore=("drafts/*",)))) is False


def test_with_links_followed_the_check_leaves_the_answer_to_the_full_check(
    corpus, write_note, index_dir, tmp_path
):
    # As before this change: the quick check does not follow links, so an index built with
    # them followed holds notes it does not see, and it answers "changed"; the full check
    # (which follows them) then finds nothing to do.
    write_note("a.md", info_note("A", "words"))
    (tmp_path / "outside.md").write_text(info_note("O", "words"))
    os.symlink(tmp_path / "outside.md", corpus / "link.md")
    options = IndexOptions(follow_symlinks=True)
    build_index(corpus, index_dir, options=options)
    assert corpus_changed(corpus, index_dir) is True
    assert bool(detect_changes(corpus, index_dir, options=options)) is False


def test_a_state_of_the_older_fingerprint_format_means_check_properly_then_is_written_again(
    corpus, write_note, index_dir
):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    state = read_json_object(index_dir / STATE_FILE)
    assert state["fingerprint"].startswith(corpus_module.FINGERPRINT_FORMAT + ":")
    old = {**state, "fingerprint": "15bcf91e2ddc4924cfb311d8c2fbb045"}  # blake2b, format 1
    write_json_atomic(index_dir / STATE_FILE, old)
    assert corpus_changed(corpus, index_dir) is True
    assert ensure_fresh_index(corpus, index_dir).action == "none"  # nothing to index
    assert read_json_object(index_dir / STATE_FILE)["fingerprint"] == state["fingerprint"]
    assert corpus_changed(corpus, index_dir) is False


def test_a_stale_state_in_a_read_only_index_is_left_as_it_is(corpus, write_note, index_dir, monkeypatch):
    import indexer.index.store as store

    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    state = read_json_object(index_dir / STATE_FILE)
    write_json_atomic(index_dir / STATE_FILE, {**state, "fingerprint": "old"})

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "write_lock", read_only)
    assert not detect_changes(corpus, index_dir)
    assert read_json_object(index_dir / STATE_FILE)["fingerprint"] == "old"
