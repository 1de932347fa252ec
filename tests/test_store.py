import json
import os
import subprocess
import sys
import time

import pytest

from indexer.errors import IndexLockedError, IndexMissingError
from indexer.index.locking import write_lock
from indexer.index.schema_version import INDEX_NAME
from indexer.index.store import (
    MANIFEST_FILE,
    STATE_FILE,
    build_index,
    detect_changes,
    ensure_fresh_index,
    index_exists,
    open_whoosh_index,
    update_index,
)
from indexer.search.searching import open_index
from tests.conftest import info_note, relative_files


def titles(corpus, index_dir, query):
    with open_index(corpus, index_dir) as notes:
        return sorted(hit.title for hit in notes.search(query, limit=0).hits)


def bump_mtime(path, seconds=10):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_build_indexes_every_note_and_reports_counts(corpus, write_note, index_dir):
    write_note("a.md", info_note("Alpha breach", "Alpha text about gateways."))
    write_note("sub/b.md", info_note("Beta leak", "Beta text."))
    report = build_index(corpus, index_dir)
    assert (report.notes, report.added, report.skipped) == (2, 2, [])
    assert index_exists(index_dir)
    assert titles(corpus, index_dir, "text") == ["Alpha breach", "Beta leak"]


def test_build_never_writes_inside_the_corpus(corpus, write_note, index_dir):
    write_note("a.md", info_note("Alpha", "Text."))
    before = relative_files(corpus)
    build_index(corpus, index_dir)
    update_index(corpus, index_dir)
    assert relative_files(corpus) == before


def test_a_bad_note_is_skipped_and_the_others_indexed(corpus, write_note, index_dir):
    write_note("good.md", info_note("Good note", "Fine text."))
    write_note("binary.md", raw=b"\x00\x01\x02binary")
    write_note("broken.md", "---\ntitle: [oops\n---\nBody\n")
    report = build_index(corpus, index_dir)
    assert report.notes == 1
    assert sorted(report.skipped) == [
        ("binary.md", "binary file (contains NUL bytes)"),
        ("broken.md", "broken YAML front matter at line 3: did not find expected ',' or ']'"),
    ]


def test_update_applies_new_changed_deleted_and_renamed_notes(corpus, write_note, index_dir):
    keep = write_note("keep.md", info_note("Keep", "unchanged words"))
    change = write_note("change.md", info_note("Change", "old words"))
    gone = write_note("gone.md", info_note("Gone", "doomed words"))
    move = write_note("move.md", info_note("Moved", "travelling words"))
    build_index(corpus, index_dir)

    change.write_text(info_note("Change", "fresh words"), encoding="utf-8")
    bump_mtime(change)
    gone.unlink()
    (corpus / "moved").mkdir()
    move.rename(corpus / "moved" / "here.md")
    write_note("new.md", info_note("New", "brand words"))

    changes = detect_changes(corpus, index_dir)
    assert changes.added == ("moved/here.md", "new.md")
    assert changes.changed == ("change.md",)
    assert changes.removed == ("gone.md", "move.md")

    report = update_index(corpus, index_dir)
    assert (report.added, report.changed, report.removed, report.notes) == (2, 1, 2, 4)
    assert titles(corpus, index_dir, "fresh") == ["Change"]
    assert titles(corpus, index_dir, "old") == []
    assert titles(corpus, index_dir, "doomed") == []
    with open_index(corpus, index_dir) as notes:
        assert [hit.path for hit in notes.search("travelling").hits] == ["moved/here.md"]
    assert keep.exists()
    assert not detect_changes(corpus, index_dir)


def test_update_with_nothing_changed_opens_no_writer(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    toc_before = sorted(name for name in os.listdir(index_dir) if name.endswith(".toc"))
    report = update_index(corpus, index_dir)
    assert not report.touched
    assert report.notes == 1
    assert sorted(name for name in os.listdir(index_dir) if name.endswith(".toc")) == toc_before


def test_a_note_that_becomes_unreadable_leaves_the_index_and_is_not_retried(corpus, write_note, index_dir):
    note = write_note("a.md", info_note("Readable", "words"))
    build_index(corpus, index_dir)
    note.write_bytes(b"\x00binary now")
    bump_mtime(note)
    report = update_index(corpus, index_dir)
    assert report.skipped == [("a.md", "binary file (contains NUL bytes)")]
    assert titles(corpus, index_dir, "words") == []
    assert not detect_changes(corpus, index_dir)


def test_missing_index_is_built_by_update_and_by_ensure_fresh(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    outcome = ensure_fresh_index(corpus, index_dir)
    assert outcome.action == "built"
    assert outcome.report.notes == 1
    assert ensure_fresh_index(corpus, index_dir).action == "none"


def test_manifest_records_signatures_and_the_corpus(corpus, write_note, index_dir):
    from indexer.index.near_copies import paragraph_signature

    path = write_note("a.md", info_note("A", "A paragraph long enough to have a near-duplicate signature."))
    write_note("bad.md", raw=b"\x00binary")
    build_index(corpus, index_dir)
    data = json.loads((index_dir / MANIFEST_FILE).read_text())
    assert data["corpus"] == str(corpus.resolve())
    signature = sorted(paragraph_signature("A paragraph long enough to have a near-duplicate signature."))
    assert len(signature) == 1
    assert data["files"]["a.md"] == [path.stat().st_mtime_ns, path.stat().st_size, 1, signature]
    bad = corpus / "bad.md"
    # A skipped note: what a retry depends on (mode, owner, options) and why it was skipped.
    assert data["files"]["bad.md"][2:] == [
        0,
        [],
        [
            bad.stat().st_mode,
            bad.stat().st_uid,
            "max_note_bytes=10485760",
            "binary file (contains NUL bytes)",
        ],
    ]


def test_an_unchanged_corpus_is_recognised_from_the_state_file_without_the_manifest(
    corpus, write_note, index_dir
):
    note = write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    (index_dir / MANIFEST_FILE).write_text("damaged")  # proves the manifest is not read
    assert not detect_changes(corpus, index_dir)
    bump_mtime(note)
    assert detect_changes(corpus, index_dir).needs_rebuild == "the index's manifest is missing or damaged"
    report = update_index(corpus, index_dir)
    assert report.rebuilt and report.notes == 1
    assert not detect_changes(corpus, index_dir)


def test_a_stale_state_file_falls_back_to_the_manifest(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    (index_dir / STATE_FILE).unlink()
    assert not detect_changes(corpus, index_dir)
    write_note("b.md", info_note("B", "words"))
    assert detect_changes(corpus, index_dir).added == ("b.md",)


def test_a_no_op_update_repairs_a_missing_state_file(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    (index_dir / STATE_FILE).unlink()
    assert not update_index(corpus, index_dir).touched
    assert (index_dir / STATE_FILE).exists()
    (index_dir / MANIFEST_FILE).write_text("damaged")
    assert not detect_changes(corpus, index_dir)  # answered by the repaired state file


def test_an_index_built_from_another_corpus_is_rebuilt(tmp_path, corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text(info_note("B", "other words"), encoding="utf-8")
    assert detect_changes(other, index_dir).needs_rebuild == (
        f"index was built from another corpus folder ({corpus.resolve()})"
    )
    report = update_index(other, index_dir)
    assert report.rebuilt
    assert titles(other, index_dir, "words") == ["B"]


def test_opening_a_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexMissingError) as caught:
        open_whoosh_index(tmp_path / "nowhere")
    assert caught.value.hint == "run: indexer build"


def test_an_index_of_an_older_schema_version_is_detected_and_rebuilt(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    # Pretend the files were written by schema version 0.
    for name in os.listdir(index_dir):
        if INDEX_NAME in name:
            os.rename(index_dir / name, index_dir / name.replace(INDEX_NAME, "notes_v0"))
    with pytest.raises(IndexMissingError, match="older version"):
        open_whoosh_index(index_dir)
    assert detect_changes(corpus, index_dir).needs_rebuild == "older index version"
    report = update_index(corpus, index_dir)
    assert report.rebuilt and report.notes == 1
    assert not [name for name in os.listdir(index_dir) if "notes_v0" in name]


def test_a_second_writer_gets_a_message_naming_the_process_holding_the_lock(corpus, write_note, index_dir):
    write_note("a.md", info_note("A", "words"))
    build_index(corpus, index_dir)
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from indexer.index.locking import write_lock\n"
            "with write_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(600)",
            str(index_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout.readline().strip() == "locked"
            write_note("b.md", info_note("B", "words"))
            started = time.monotonic()
            with pytest.raises(IndexLockedError) as caught:
                update_index(corpus, index_dir, options=_options(wait_seconds=0.3))
            assert time.monotonic() - started >= 0.3
            assert str(caught.value) == f"index {index_dir} is being updated by process {holder.pid}"
            # A search-triggered refresh does not wait: it searches the last commit.
            assert ensure_fresh_index(corpus, index_dir, options=_options(wait_seconds=0)).action == "locked"
        finally:
            holder.kill()
    # The kernel released the lock with the process: no stale lock to clean.
    with write_lock(index_dir):
        pass
    assert update_index(corpus, index_dir).added == 1


def _explode(*args, **kwargs):
    raise RuntimeError("disk on fire")


def _options(**kwargs):
    from indexer.index.store import IndexOptions

    return IndexOptions(**kwargs)


def test_a_parallel_build_indexes_exactly_what_a_single_process_build_does(bundled_index, tmp_path):
    corpus, _ = bundled_index
    single = build_index(corpus, tmp_path / "one", options=_options(procs=1))
    parallel = build_index(corpus, tmp_path / "two", options=_options(procs=2))
    assert (parallel.notes, parallel.added, parallel.skipped) == (single.notes, single.added, single.skipped)
    assert sorted(parallel.warnings) == sorted(single.warnings)
    for query in [
        "ransomware",
        "author:cimpanu",
        "tag:ransomware date:2021",
        '"GPRS gateway"',
        "country:ukraine",
    ]:
        with open_index(corpus, tmp_path / "one") as one, open_index(corpus, tmp_path / "two") as two:
            assert {h.path for h in one.search(query, limit=0).hits} == {
                h.path for h in two.search(query, limit=0).hits
            }
    segments = [name for name in os.listdir(tmp_path / "two") if name.endswith(".pst")]
    assert len(segments) == 2  # one segment per process, committed together
    assert not (tmp_path / "two" / "notes_v1.tmp").exists()


@pytest.mark.parametrize("procs", [1, 2])
@pytest.mark.parametrize("enabled_before", [True, False], ids=["collector on", "collector off"])
def test_a_build_pauses_the_garbage_collector_while_it_indexes_and_leaves_it_as_it_found_it(
    bundled_index, tmp_path, monkeypatch, procs, enabled_before
):
    import gc

    import indexer.index.parallel
    from indexer.engine.writer import NoteSegmentWriter

    corpus, _ = bundled_index
    seen = []

    def watched(real):
        def run(*args, **kwargs):
            seen.append((real.__name__, gc.isenabled()))
            return real(*args, **kwargs)

        return run

    monkeypatch.setattr(indexer.index.parallel, "_parse", watched(indexer.index.parallel._parse))
    monkeypatch.setattr(NoteSegmentWriter, "_flush_segment", watched(NoteSegmentWriter._flush_segment))
    frozen = gc.get_freeze_count()
    was_enabled = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        report = build_index(corpus, tmp_path / "index", options=_options(procs=procs))
        after = gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()
    assert report.added == 40
    # this process's share (every note with one process, every other note with two), then its segment
    assert seen == [("_parse", False)] * (40 // procs) + [("_flush_segment", False)]
    assert after == enabled_before
    assert gc.get_freeze_count() == frozen


def test_indexing_notes_leaves_no_garbage_for_the_collector(bundled_index, tmp_path):
    """Why the collector may be paused while a build indexes (`collector.paused_collection`):
    every object made reading, parsing and indexing notes, and writing their segment, is
    freed by its reference count, skipped notes' errors included."""
    import gc

    from whoosh import index as whoosh_index

    from indexer.engine.writer import open_writer
    from indexer.index.parallel import index_notes
    from indexer.index.schema import build_schema
    from indexer.notes.corpus import scan_corpus

    corpus, _ = bundled_index
    scan = scan_corpus(corpus)
    found = []
    for attempt in range(2):  # the first run makes what is made once (classes, caches)
        ix = whoosh_index.create_in(str(tmp_path), build_schema(), indexname=f"run{attempt}")
        writer = open_writer(ix, limitmb=16)
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            result = index_notes(writer, corpus, sorted(scan.files), scan.files, max_note_bytes=2500)
            writer.finish_segment()
            found.append(gc.collect())
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            (gc.enable if was_enabled else gc.disable)()
        assert result.skipped and result.added  # both paths: notes indexed, and notes too big
    assert found[1] == 0


@pytest.mark.parametrize("failing", ["worker", "commit", "single-process commit"])
def test_a_failure_while_writing_leaves_the_previous_index_untouched(
    bundled_index, tmp_path, monkeypatch, failing
):
    corpus, _ = bundled_index
    index = tmp_path / "index"
    build_index(corpus, index, options=_options(procs=1))
    toc_before = sorted(name for name in os.listdir(index) if name.endswith(".toc"))

    from whoosh.writing import SegmentWriter

    if failing == "worker":
        _in_forked_workers(monkeypatch, _explode)
    else:
        monkeypatch.setattr(SegmentWriter, "_commit_toc", _explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_index(corpus, index, options=_options(procs=1 if failing.startswith("single") else 2))
    monkeypatch.undo()
    assert sorted(name for name in os.listdir(index) if name.endswith(".toc")) == toc_before
    with open_index(corpus, index) as notes:
        assert notes.note_count() == 40
    assert update_index(corpus, index).notes == 40


def _in_forked_workers(monkeypatch, index_share) -> None:
    """Make the build's workers run `index_share`: forked (a thread left by an earlier test
    would make them spawned, and a spawned worker imports the module afresh)."""
    import multiprocessing

    import indexer.index.parallel

    monkeypatch.setattr(indexer.index.parallel, "_index_share", index_share)
    monkeypatch.setattr(indexer.index.parallel, "_context", lambda: multiprocessing.get_context("fork"))


def _die(*args, **kwargs):
    os._exit(3)  # a worker killed mid-share (out of memory, say): no result, no exception


def test_a_build_worker_that_dies_fails_the_build_and_leaves_the_index_untouched(
    bundled_index, tmp_path, monkeypatch
):

    corpus, _ = bundled_index
    index = tmp_path / "index"
    build_index(corpus, index, options=_options(procs=1))
    _in_forked_workers(monkeypatch, _die)
    with pytest.raises(RuntimeError, match=r"a build process ended without a result \(exit code 3\)"):
        build_index(corpus, index, options=_options(procs=2))
    monkeypatch.undo()
    with open_index(corpus, index) as notes:
        assert notes.note_count() == 40
    assert update_index(corpus, index).notes == 40
