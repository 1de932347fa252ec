"""Index many notes on every core: each process parses its share and writes its own segment.

Whoosh's own multiprocessing writer parses nothing: the main process pickles every
document to job files for the workers, which on two cores leaves three processes
fighting for two CPUs. Here the main process and N-1 workers each read, parse and
index a share of the notes into a segment of their own, and the main process commits
all the segments in one table of contents (the same internal steps Whoosh's
`MpWriter(multisegment=True)` uses; whoosh3 is pinned exactly for that reason).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from indexer.errors import NoteParseError
from indexer.notes.note import DEFAULT_MAX_NOTE_BYTES, parse_note


@dataclass(slots=True)
class ShardResult:
    """What indexing one share of the notes produced."""

    segment: object = None  # a Whoosh Segment, or None when nothing was added
    added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # path -> the note's near-duplicate signature (see `duplicates`), None if not indexed
    indexed: dict[str, tuple[int, ...] | None] = field(default_factory=dict)


def index_notes(
    writer,
    root: Path,
    paths: list[str],
    signatures: dict[str, tuple[int, int]],
    *,
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES,
    replace: bool = False,
    on_note: Callable[[], None] | None = None,
) -> ShardResult:
    """Parse each note and add it to `writer`; a note that fails is recorded, never raised.

    With `replace`, documents with the same path are replaced (for updates).
    """
    from indexer.index.near_copies import paragraph_signature
    from indexer.index.schema import note_document

    result = ShardResult()
    add = writer.update_document if replace else writer.add_document
    for rel in paths:
        mtime_ns, size = signatures[rel]
        parsed = _parse(
            root, rel, max_note_bytes, result, partial(note_document, mtime_ns=mtime_ns, size=size)
        )
        if parsed is None:
            if replace:
                writer.delete_by_term("path_id", rel)
            result.indexed[rel] = None
        else:
            note, document = parsed
            add(**document)
            result.added += 1
            result.warnings.extend((rel, warning) for warning in note.warnings)
            # The plain text just indexed: signatures cost no second pass over the markdown.
            result.indexed[rel] = tuple(sorted(paragraph_signature(str(document["body"]))))
        if on_note is not None:
            on_note()
    return result


def index_in_parallel(
    open_writer: Callable[[], object],
    storage_dir: str,
    indexname: str,
    root: Path,
    paths: list[str],
    signatures: dict[str, tuple[int, int]],
    *,
    procs: int,
    limitmb: int,
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[object, ShardResult, list[object]]:
    """Index `paths` with `procs` processes: this one and `procs - 1` workers.

    The workers are started before `open_writer()` creates this process's writer, so
    they inherit none of its open files. Returns that writer, the combined result and
    every segment written (the workers', then this process's), to be committed together
    by `commit_with_segments`. This process writes its segment out before it waits for
    the workers: waiting first left one core idle while each wrote its segment in turn
    (4.8 s of a 16 s build of the news corpus).
    """
    shares = [paths[index::procs] for index in range(procs)]
    context = _context()
    counter = context.Value("i", 0)
    with ProcessPoolExecutor(
        max_workers=procs - 1, mp_context=context, initializer=_init_worker, initargs=(counter, os.getpid())
    ) as pool:
        futures = [
            pool.submit(
                _index_share,
                storage_dir,
                indexname,
                str(root),
                share,
                {rel: signatures[rel] for rel in share},
                limitmb,
                max_note_bytes,
            )
            for share in shares[1:]
        ]
        writer = open_writer()
        done_here = 0

        def tick() -> None:
            nonlocal done_here
            done_here += 1
            if progress is not None and done_here % 25 == 0:
                progress(done_here + counter.value, len(paths))

        try:
            combined = index_notes(
                writer, root, shares[0], signatures, max_note_bytes=max_note_bytes, on_note=tick
            )
            own = writer._finalize_segment() if writer._added else None
            if own is None:
                writer._close_segment()
            segments = []
            for future in futures:
                shard = future.result()
                if shard.segment is not None:
                    segments.append(shard.segment)
                combined.added += shard.added
                combined.skipped.extend(shard.skipped)
                combined.warnings.extend(shard.warnings)
                combined.indexed.update(shard.indexed)
            if own is not None:
                segments.append(own)
        except BaseException:
            # Ctrl-C, or a failed share: stop the workers now rather than wait for their
            # shares, then drop the temporary files they shared with this writer.
            _stop_workers(pool)
            writer.cancel()
            raise
    if progress is not None:
        progress(len(paths), len(paths))
    return writer, combined, segments


def commit_with_segments(writer, segments: list[object], *, clear: bool) -> None:
    """Commit the `segments` written by `index_in_parallel` (its writer's own among them)
    in one new table of contents."""
    from whoosh.writing import CLEAR

    try:
        final = writer._merge_segments(CLEAR if clear else None, False, None)
        final.extend(segments)
        writer._commit_toc(final)
    except Exception:
        writer._cleanup_on_error()  # as SegmentWriter.commit does: release the lock, drop temp files
        raise
    writer._finish()


# -- worker side ---------------------------------------------------------------------------

_worker_counter = None


def _init_worker(counter, parent_pid: int) -> None:
    global _worker_counter
    _worker_counter = counter
    # Ctrl-C reaches the whole process group: the parent decides and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A killed parent (kill -9) must not leave workers behind: the pool's pipe would keep
    # them waiting for more work forever.
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int, interval: float = 0.2) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval)
    os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes at once."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # gone after shutdown
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)


def _index_share(
    storage_dir: str,
    indexname: str,
    root: str,
    paths: list[str],
    signatures: dict[str, tuple[int, int]],
    limitmb: int,
    max_note_bytes: int,
) -> ShardResult:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import SegmentWriter

    from indexer.engine.field_lengths import read_lengths_whole
    from indexer.engine.posting_pool import use_grouped_pool

    ix = FileStorage(storage_dir).open_index(indexname)
    # No lock: the parent process holds the index's write lock for all of us. Never call
    # the writer's _finish()/cancel() here: they delete the temporary folder that this
    # writer shares with the parent and the other workers (the parent cleans it up).
    writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)
    read_lengths_whole(writer)
    use_grouped_pool(writer, limitmb)
    try:
        result = index_notes(
            writer, Path(root), paths, signatures, max_note_bytes=max_note_bytes, on_note=_count_one
        )
        if writer._added:
            result.segment = writer._finalize_segment()
        else:
            writer._close_segment()
    except BaseException:
        writer._close_segment()
        raise
    return result


def _count_one() -> None:
    if _worker_counter is not None:
        with _worker_counter.get_lock():
            _worker_counter.value += 1


def _parse(root: Path, rel: str, max_note_bytes: int, result: ShardResult, to_document: Callable):
    """(note, its index document), read and made within the note's CPU budget; None if skipped."""
    from indexer.notes.parse_budget import ParseBudgetExceeded, parse_budget

    try:
        with parse_budget():
            note = parse_note(root / rel, root, max_bytes=max_note_bytes)
            return note, to_document(note)
    except (NoteParseError, ParseBudgetExceeded) as exc:
        result.skipped.append((rel, exc.reason))
    except Exception as exc:
        result.skipped.append((rel, f"unexpected error while parsing ({type(exc).__name__}: {exc})"))
    return None


def _context():
    # fork is cheapest (no re-import), but unsafe once threads exist (Python 3.12+ warns).
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def worker_count(notes: int, requested: int | None, threshold: int) -> int:
    """Processes to use: what was asked, else one per core (at most 2) for big jobs."""
    if requested is not None:
        return max(1, requested)
    if notes < threshold:
        return 1
    return max(1, min(2, os.cpu_count() or 1))
