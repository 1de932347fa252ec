"""Create, build and update the index on disk: change detection, locking, crash-safe commits.

Layout of an index folder:
  _notes_v<N>_<gen>.toc, notes_v<N>_*.seg   Whoosh's files (one index name per schema version)
  .notes-index                             marker: this folder is ours to write (see `index_folder`)
  manifest.json                            path -> [mtime_ns, size, indexed] at the last commit
  write.lock                               held by the process writing (see `locking`)

A commit either lands whole or not at all (Whoosh renames its table of contents into
place), so a killed build leaves the previous index searchable; what it half wrote is
removed by the next build or update (see `recovery`).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import IndexDamagedError, IndexLockedError, IndexWriteError, NotesError
from indexer.index.change_check import MANIFEST_VERSION, STATE_FILE
from indexer.index.damage import damaged, is_damage, read_or_damaged
from indexer.index.duplicates import note_text_reader, write_duplicate_groups
from indexer.index.json_files import read_json_object, write_json_atomic
from indexer.index.locking import write_lock
from indexer.index.opening import MANIFEST_FILE, index_exists, old_index_names, open_whoosh_index
from indexer.index.recovery import leftover_files, remove_leftovers
from indexer.notes.corpus import CorpusScan, corpus_fingerprint, scan_corpus
from indexer.notes.note import DEFAULT_MAX_NOTE_BYTES

if TYPE_CHECKING:
    from indexer.index.parallel import ShardResult

# MANIFEST_FILE, MANIFEST_VERSION and STATE_FILE live where a search reads them: `opening`
# (which opens the index for a search without loading this module) and `change_check`.
# Below this many notes to index, one process is faster than starting workers.
PARALLEL_THRESHOLD = 400

ProgressCallback = Callable[[int, int], None]  # (notes done, notes in all)


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """How notes are found and read."""

    follow_symlinks: bool = False
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES
    ignore: tuple[str, ...] = ()
    wait_seconds: float = 10.0  # how long to wait for another writer
    procs: int | None = None  # worker processes; None = decide from the amount of work
    limitmb: int = 256

    @property
    def retry_key(self) -> str:
        """The options a skipped note's reading depends on: when they change, it is read again."""
        return f"max_note_bytes={self.max_note_bytes}"


@dataclass(slots=True)
class IndexReport:
    """What a build or an update did."""

    notes: int = 0  # notes in the index afterwards
    added: int = 0
    changed: int = 0
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # Skipped at an earlier commit, unchanged since and not worth a retry (not warned again).
    still_skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # indexed, with a remark
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Differences between the corpus on disk and the last commit."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    needs_rebuild: str = ""  # why the index must be built from scratch, if it must

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.needs_rebuild)


# -- building and updating -----------------------------------------------------------


def build_index(
    corpus: Path,
    index_dir: Path,
    *,
    options: IndexOptions = IndexOptions(),
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Index every note of `corpus` from scratch, replacing the index in one commit."""
    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    scan = _scan(corpus, index_dir, options)
    _prepare_index_dir(index_dir)
    report = IndexReport(rebuilt=True, skipped=list(scan.skipped))
    with _writing(index_dir, wait=options.wait_seconds):
        ix = _open_or_create(index_dir, replace_damaged=True)
        written = _write(ix, scan, sorted(scan.files), options, report, progress, clear=True)
        indexed = written.indexed
        report.added = sum(1 for found in indexed.values() if found is not None)
        manifest = {rel: _manifest_entry(scan, rel, found) for rel, found in indexed.items()}
        _remember_skips(manifest, scan, report, options)
        _finish_commit(ix, index_dir, corpus, manifest, report, options, written.texts)
    _remove_old_indexes(index_dir)
    report.seconds = time.perf_counter() - started
    return report


def update_index(
    corpus: Path,
    index_dir: Path,
    *,
    options: IndexOptions = IndexOptions(),
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Bring the index up to date with the corpus: only new, changed and deleted notes are touched."""
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not index_exists(index_dir):
        return build_index(corpus, index_dir, options=options, progress=progress)
    started = time.perf_counter()
    scan = _scan(corpus, index_dir, options)
    manifest = load_manifest(index_dir, corpus)
    if manifest is None:
        return build_index(corpus, index_dir, options=options, progress=progress)
    changes = diff_manifest(manifest, scan, retry_key=options.retry_key)
    report = IndexReport(skipped=list(scan.skipped))
    if not changes:
        report.still_skipped = _skipped_in(manifest)
        _remove_leftovers_unless_busy(index_dir)
        report.notes = _doc_count(index_dir)
        _repair_state(index_dir, corpus)
        report.seconds = time.perf_counter() - started
        return report
    _prepare_index_dir(index_dir)
    with _writing(index_dir, wait=options.wait_seconds):
        # Another process may have committed while we waited for the lock.
        manifest = load_manifest(index_dir, corpus) or {}
        changes = diff_manifest(manifest, scan, retry_key=options.retry_key)
        ix = _open_or_create(index_dir)
        written = _write(
            ix, scan, sorted(changes.added + changes.changed), options, report, progress,
            clear=False, removed=changes.removed,
        )  # fmt: skip
        indexed = written.indexed
        for rel in changes.removed:
            manifest.pop(rel, None)
        changed = set(changes.changed)
        report.removed = len(changes.removed)
        report.changed = sum(1 for rel, found in indexed.items() if found is not None and rel in changed)
        report.added = sum(1 for rel, found in indexed.items() if found is not None and rel not in changed)
        manifest.update({rel: _manifest_entry(scan, rel, found) for rel, found in indexed.items()})
        _remember_skips(manifest, scan, report, options)
        report.still_skipped = [item for item in _skipped_in(manifest) if item[0] not in indexed]
        _finish_commit(ix, index_dir, corpus, manifest, report, options, written.texts)
    report.seconds = time.perf_counter() - started
    return report


def detect_changes(corpus: Path, index_dir: Path, *, options: IndexOptions = IndexOptions()) -> ChangeSet:
    """Compare the corpus with the last commit by file stats alone (no note is read)."""
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not index_exists(index_dir):
        reason = "older index version" if old_index_names(index_dir) else "no index yet"
        return ChangeSet(needs_rebuild=reason)
    scan = _scan(corpus, index_dir, options)
    state = read_json_object(Path(index_dir) / STATE_FILE)
    fingerprint = corpus_fingerprint(scan.files)
    if (
        state.get("version") == MANIFEST_VERSION
        and state.get("corpus") == str(corpus.resolve())
        and state.get("fingerprint") == fingerprint
        and not _retries_due(state.get("retry", {}), corpus, options.retry_key)
    ):
        return ChangeSet()
    manifest = load_manifest(index_dir, corpus)
    if manifest is None:
        built_from = state.get("corpus")
        if built_from and built_from != str(corpus.resolve()):
            return ChangeSet(needs_rebuild=f"index was built from another corpus folder ({built_from})")
        return ChangeSet(needs_rebuild="the index's manifest is missing or damaged")
    changes = diff_manifest(manifest, scan, retry_key=options.retry_key)
    if not changes and state.get("fingerprint") != fingerprint:
        # Nothing changed but the state says otherwise (written in an older fingerprint
        # format, or lost between the manifest's write and its own): write it again, so
        # the next search's quick check answers "unchanged" by itself.
        _repair_state(index_dir, corpus)
    return changes


def diff_manifest(
    manifest: dict[str, list[int]], scan: CorpusScan, *, retry_key: str | None = None
) -> ChangeSet:
    """New, changed and removed paths between a manifest and a corpus scan.

    With `retry_key` (the options in force), a note skipped at the last commit counts as
    changed when those options, its permissions or its owner changed since: raising
    --max-size or fixing a file's mode reads it again.
    """
    added, changed = [], []
    for rel, signature in scan.files.items():
        known = manifest.get(rel)
        if known is None:
            added.append(rel)
        elif (known[0], known[1]) != signature or (
            retry_key is not None and not known[2] and _retry_due(known, scan.root / rel, retry_key)
        ):
            changed.append(rel)
    removed = [rel for rel in manifest if rel not in scan.files]
    return ChangeSet(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)))


# -- manifest --------------------------------------------------------------------------


def load_manifest(index_dir: Path, corpus: Path) -> dict[str, list[int]] | None:
    """The manifest of the last commit, or None if missing, damaged, or for another corpus."""
    data = read_json_object(Path(index_dir) / MANIFEST_FILE)
    if data.get("version") != MANIFEST_VERSION:
        return None
    if data.get("corpus") != str(Path(corpus).resolve()):
        return None
    files = data.get("files")
    return files if isinstance(files, dict) else None


def read_index_info(index_dir: Path) -> dict[str, object]:
    """The last commit's summary: corpus path, update time, note and skip counts."""
    return {
        key: value
        for key, value in read_json_object(Path(index_dir) / STATE_FILE).items()
        if key != "fingerprint"
    }


def _write_manifest(index_dir: Path, corpus: Path, files: dict[str, list[int]], notes: int) -> None:
    summary = {
        "version": MANIFEST_VERSION,
        "corpus": str(Path(corpus).resolve()),
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notes": notes,
        "skipped": sum(1 for entry in files.values() if not entry[2]),
    }
    fingerprint = corpus_fingerprint({rel: (entry[0], entry[1]) for rel, entry in files.items()})
    # A skipped note's permissions and owner are checked with the fingerprint (a chmod
    # changes neither its mtime nor its size).
    retry = {
        rel: entry[4][:3] if len(entry) > 4 and isinstance(entry[4], list) else []
        for rel, entry in files.items()
        if not entry[2]
    }
    # The manifest first: a state file never describes a manifest that is not there yet.
    write_json_atomic(Path(index_dir) / MANIFEST_FILE, {**summary, "files": files})
    write_json_atomic(Path(index_dir) / STATE_FILE, {**summary, "fingerprint": fingerprint, "retry": retry})


def _repair_state(index_dir: Path, corpus: Path) -> None:
    """Rewrite a missing or stale state file (indexes built before it existed or with an
    older fingerprint format, a crash between the two writes) so later searches take the
    fast path again. Best effort: skipped when another process writes or the folder is
    read-only. The manifest is read under the lock: one committed meanwhile is kept."""
    with suppress(IndexLockedError, NotesError, OSError), write_lock(index_dir, wait=0):
        manifest = load_manifest(index_dir, corpus)
        if manifest is None:
            return
        state = read_json_object(Path(index_dir) / STATE_FILE)
        fingerprint = corpus_fingerprint({rel: (entry[0], entry[1]) for rel, entry in manifest.items()})
        if state.get("fingerprint") == fingerprint and state.get("version") == MANIFEST_VERSION:
            return
        _write_manifest(index_dir, corpus, manifest, _doc_count(index_dir))


# -- internals ---------------------------------------------------------------------------


def _scan(corpus: Path, index_dir: Path, options: IndexOptions) -> CorpusScan:
    return scan_corpus(
        corpus,
        follow_symlinks=options.follow_symlinks,
        ignore=options.ignore,
        exclude=(index_dir,),
    )


def _prepare_index_dir(index_dir: Path) -> None:
    from indexer.index.index_folder import claim_index_folder

    if not os.access(index_dir, os.F_OK) or os.access(index_dir, os.W_OK | os.X_OK):
        claim_index_folder(index_dir)
    if not os.access(index_dir, os.W_OK | os.X_OK):
        raise IndexWriteError(f"index folder {index_dir} is not writable (permission denied)")


@contextmanager
def _writing(index_dir: Path, *, wait: float) -> Iterator[None]:
    """Hold the write lock, remove what a killed run left, and make a failed write one line.

    Whoosh writes new files and renames its table of contents last, so when writing
    fails (a full disk, a folder turned read-only) the last commit is still whole.
    """
    try:
        with write_lock(index_dir, wait=wait):
            remove_leftovers(index_dir)
            yield
    except NotesError:
        raise
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise IndexWriteError(
                f"no space left on the device to write the index at {index_dir}; "
                "the last committed index is intact",
                hint="free some space and run the command again",
            ) from None
        reason = exc.strerror or str(exc)
        raise IndexWriteError(
            f"cannot write the index at {index_dir} ({reason}); the last committed index is intact"
        ) from None
    except Exception as exc:  # an update reads the segments it keeps
        if not is_damage(exc):
            raise
        raise damaged(index_dir, exc) from None


def _remove_leftovers_unless_busy(index_dir: Path) -> None:
    """After a killed run, an update with nothing to do still cleans up (if no writer runs)."""
    if not leftover_files(index_dir):
        return
    # Busy: a running writer's files are not leftovers. Read-only: nothing can be done.
    with suppress(IndexLockedError, OSError), write_lock(index_dir, wait=0):
        remove_leftovers(index_dir)


def _open_or_create(index_dir: Path, *, replace_damaged: bool = False):
    from whoosh import index as whoosh_index

    from indexer.index.schema import build_schema
    from indexer.index.schema_version import INDEX_NAME

    if index_exists(index_dir):
        try:
            return open_whoosh_index(index_dir, finished=False)
        except IndexDamagedError:
            if not replace_damaged:
                raise
    return whoosh_index.create_in(str(index_dir), build_schema(), indexname=INDEX_NAME)


def _write(
    ix,
    scan: CorpusScan,
    paths: list[str],
    options: IndexOptions,
    report: IndexReport,
    progress: ProgressCallback | None,
    *,
    clear: bool,
    removed: tuple[str, ...] = (),
) -> ShardResult:
    """Index `paths` (and delete `removed`) in one commit; returns what was indexed: path ->
    its near-duplicate signature (`indexed`, None when the note was skipped) and the plain
    texts kept for comparing near-copies (`texts`).

    A full build (`clear`) replaces every earlier document in the same commit; an
    update replaces documents by path, so re-running a half-finished one is harmless.
    """
    from indexer.collector import paused_collection
    from indexer.engine.writer import can_write_in_parallel, open_writer
    from indexer.index.parallel import index_in_parallel, index_notes, worker_count

    signatures = {rel: scan.files[rel] for rel in paths}
    procs = worker_count(len(paths), options.procs, PARALLEL_THRESHOLD)

    def new_writer():
        writer = open_writer(ix, limitmb=options.limitmb)
        for rel in removed:
            writer.delete_by_term("path_id", rel)
        return writer

    if procs > 1 and clear and can_write_in_parallel():
        writer, result, segments = index_in_parallel(
            new_writer, str(ix.storage.folder), ix.indexname, scan.root, paths, signatures,
            procs=procs, limitmb=options.limitmb, max_note_bytes=options.max_note_bytes, progress=progress,
        )  # fmt: skip
        with _abandoned_on_error(writer):
            commit_segments(writer, segments, clear=clear)
    else:
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, len(paths))

        writer = new_writer()
        with _abandoned_on_error(writer), paused_collection():
            result = index_notes(
                writer, scan.root, paths, signatures, max_note_bytes=options.max_note_bytes,
                replace=not clear, on_note=tick,
            )  # fmt: skip
            commit_segments(writer, None, clear=clear)
    report.skipped.extend(result.skipped)
    report.warnings.extend(result.warnings)
    return result


def commit_segments(writer, segments: list[object] | None, *, clear: bool) -> None:
    """Make what `writer` wrote the index, in one new table of contents: before it, a
    killed run leaves the last commit as it was (the crash tests kill a process here).
    `segments` are those a parallel build wrote, or None for the writer's own."""
    if segments is not None:
        writer.commit_with_segments(segments, clear=clear)
    else:
        from whoosh.writing import CLEAR

        writer.commit(mergetype=CLEAR if clear else None)


@contextmanager
def _abandoned_on_error(writer) -> Iterator[None]:
    """Cancel `writer` if the block fails (Ctrl-C included): the last commit stays as it was."""
    try:
        yield
    except BaseException:
        if not writer.is_closed:
            with suppress(Exception):
                writer.cancel()
        raise


def _retry_state(path: Path, retry_key: str) -> list:
    """What a skipped note's next reading depends on: [mode, owner, options]."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return [-1, -1, retry_key]
    return [info.st_mode, info.st_uid, retry_key]


def _retry_due(entry: list, path: Path, retry_key: str) -> bool:
    remembered = entry[4][:3] if len(entry) > 4 and isinstance(entry[4], list) else None
    return remembered != _retry_state(path, retry_key)


def _retries_due(retry: object, corpus: Path, retry_key: str) -> bool:
    if not isinstance(retry, dict):
        return False
    return any(remembered != _retry_state(corpus / rel, retry_key) for rel, remembered in retry.items())


def _remember_skips(
    manifest: dict[str, list], scan: CorpusScan, report: IndexReport, options: IndexOptions
) -> None:
    """Give each note skipped by this run its reason and what a retry depends on."""
    reasons = dict(report.skipped)
    for rel, entry in manifest.items():
        if not entry[2] and rel in reasons:
            del entry[4:]
            entry.append([*_retry_state(scan.root / rel, options.retry_key), reasons[rel]])


def _skipped_in(manifest: dict[str, list]) -> list[tuple[str, str]]:
    """(path, reason) of every note the manifest records as skipped."""
    skipped = []
    for rel, entry in manifest.items():
        if not entry[2]:
            reason = (
                entry[4][3] if len(entry) > 4 and isinstance(entry[4], list) else "skipped at an earlier run"
            )
            skipped.append((rel, str(reason)))
    return sorted(skipped)


def _manifest_entry(scan: CorpusScan, rel: str, signature: tuple[int, ...] | None) -> list:
    """[mtime_ns, size, indexed (1/0), near-duplicate signature] of one note; a skipped note
    gets [mode, owner, options, reason] after them (`_remember_skips`)."""
    mtime_ns, size = scan.files[rel]
    return [mtime_ns, size, int(signature is not None), list(signature or ())]


def _finish_commit(
    ix,
    index_dir: Path,
    corpus: Path,
    manifest: dict[str, list[int]],
    report: IndexReport,
    options: IndexOptions,
    texts: dict[str, str],
) -> None:
    with ix.reader() as reader:
        report.notes = reader.doc_count()
    _write_manifest(index_dir, corpus, manifest, report.notes)
    # The texts just indexed are compared as they are; other notes are read again.
    read_text = note_text_reader(corpus, manifest, max_note_bytes=options.max_note_bytes, known=texts)
    signatures = {rel: entry[3] for rel, entry in manifest.items() if entry[2]}
    write_duplicate_groups(index_dir, signatures, read_text)


def _doc_count(index_dir: Path) -> int:
    ix = open_whoosh_index(index_dir, finished=False)

    def count() -> int:
        with ix.reader() as reader:
            return reader.doc_count()

    return read_or_damaged(index_dir, count)


def _remove_old_indexes(index_dir: Path) -> None:
    """Delete the files of indexes written by older schema versions."""
    old = old_index_names(index_dir)
    if not old:
        return
    import shutil  # here: a search never removes old indexes

    for name in os.listdir(index_dir):
        if any(name.startswith((f"_{indexname}_", f"{indexname}_")) for indexname in old):
            path = Path(index_dir) / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class Freshness:
    """What `ensure_fresh_index` had to do before a search."""

    action: str  # "none", "built", "updated"; "locked" or "unwritable": searched as last committed
    changes: ChangeSet = ChangeSet()
    report: IndexReport | None = None
    reason: str = ""  # why it could not be updated: another writer, a read-only folder


def ensure_fresh_index(
    corpus: Path,
    index_dir: Path,
    *,
    options: IndexOptions = IndexOptions(),
    progress: ProgressCallback | None = None,
) -> Freshness:
    """Build a missing index or apply pending corpus changes; a busy writer is not waited for."""
    changes = detect_changes(corpus, index_dir, options=options)
    if not changes:
        return Freshness("none")
    try:
        if changes.needs_rebuild:
            return Freshness(
                "built", changes, build_index(corpus, index_dir, options=options, progress=progress)
            )
        return Freshness(
            "updated", changes, update_index(corpus, index_dir, options=options, progress=progress)
        )
    except (IndexLockedError, IndexWriteError) as exc:
        if index_exists(index_dir):
            action = "locked" if isinstance(exc, IndexLockedError) else "unwritable"
            return Freshness(action, changes, reason=exc.message)
        raise
