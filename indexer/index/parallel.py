"""Index many notes on every core: each process parses its share and writes its own segment.

Whoosh's own multiprocessing writer parses nothing: the main process pickles every
document to job files for the workers, which on two cores leaves three processes
fighting for two CPUs. Here the main process and N-1 workers each read, parse and
index a share of the notes into a segment of their own, and the main process commits
all the segments in one table of contents (the same internal steps Whoosh's
`MpWriter(multisegment=True)` uses, done by `engine.writer.NoteSegmentWriter`: only on the
Whoosh version the engine's fast path was written for; otherwise one process builds).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.collector import paused_collection
from indexer.errors import NoteParseError
from indexer.notes.note import DEFAULT_MAX_NOTE_BYTES, parse_note

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, SpawnContext
    from multiprocessing.sharedctypes import Synchronized


@dataclass(slots=True)
class ShardResult:
    """What indexing one share of the notes produced."""

    segment: object = None  # a Whoosh Segment, or None when nothing was added
    added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # path -> the note's near-duplicate signature (see `duplicates`), None if not indexed
    indexed: dict[str, tuple[int, ...] | None] = field(default_factory=dict)
    # path -> the plain text just indexed, so that comparing near-copies at commit reads no
    # note a second time (up to `KEPT_TEXT_CHARS` characters a process; the rest are read again)
    texts: dict[str, str] = field(default_factory=dict)


# Plain text kept per build process for the near-copy comparison at commit: the news
# corpus's 4,490 notes hold 19 million characters.
KEPT_TEXT_CHARS = 64_000_000


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

    With `replace`, documents with the same path are replaced (for updates). Callers run
    it, and the writing of its segment, under `paused_collection`.
    """
    from indexer.index.near_copies import paragraph_signature
    from indexer.index.schema import note_document

    result = ShardResult()
    kept = 0
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
            body = str(document["body"])
            result.indexed[rel] = tuple(sorted(paragraph_signature(body)))
            if kept + len(body) <= KEPT_TEXT_CHARS:
                result.texts[rel] = body
                kept += len(body)
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

    `open_writer()` must give an `engine.writer.NoteSegmentWriter`. The workers are
    started before it creates this process's writer, so they inherit none of its open
    files. Returns that writer, the combined result and every segment written (the
    workers', then this process's), to be committed together by the writer's
    `commit_with_segments`. This process writes its segment out before it waits for the
    workers: waiting first left one core idle while each wrote its segment in turn (4.8 s
    of a 16 s build of the news corpus).
    """
    shares = [paths[index::procs] for index in range(procs)]
    context = _context()
    counter = context.Value("i", 0)
    workers: list[_Worker] = []
    try:
        for share in shares[1:]:
            share_signatures = {rel: signatures[rel] for rel in share}
            args = (storage_dir, indexname, str(root), share, share_signatures, limitmb, max_note_bytes)
            workers.append(_Worker(context, counter, args))
        writer = open_writer()
    except BaseException:
        _stop_workers(workers)
        raise
    done_here = 0

    def tick() -> None:
        nonlocal done_here
        done_here += 1
        if progress is not None and done_here % 25 == 0:
            progress(done_here + counter.value, len(paths))

    try:
        with paused_collection():
            combined = index_notes(
                writer, root, shares[0], signatures, max_note_bytes=max_note_bytes, on_note=tick
            )
            own = writer.finish_segment()
        segments = []
        for worker in workers:
            shard = worker.result()
            if shard.segment is not None:
                segments.append(shard.segment)
            combined.added += shard.added
            combined.skipped.extend(shard.skipped)
            combined.warnings.extend(shard.warnings)
            combined.indexed.update(shard.indexed)
            combined.texts.update(shard.texts)
        if own is not None:
            segments.append(own)
    except BaseException:
        # Ctrl-C, or a failed share: stop the workers now rather than wait for their
        # shares, then drop the temporary files they shared with this writer.
        _stop_workers(workers)
        writer.cancel()
        raise
    if progress is not None:
        progress(len(paths), len(paths))
    return writer, combined, segments


class WorkerTraceback(Exception):
    """Where a worker's exception was raised (its traceback, as text): the cause of the
    exception the parent raises again."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0])


class _Worker:
    """A process indexing one share, started at once, and the pipe its result comes by.

    Our own processes rather than a `ProcessPoolExecutor`: each runs one share, and
    stopping them at once (Ctrl-C, a failed share) needs their `Process` objects, which
    an executor keeps private."""

    def __init__(self, context: ForkContext | SpawnContext, counter: Synchronized[int], args: tuple) -> None:
        self._results, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_run_share, args=(sender, counter, os.getpid(), args), name="indexer-build", daemon=True
        )
        self.process.start()
        sender.close()  # the worker's end only: a worker that dies makes recv() raise EOFError

    def result(self) -> ShardResult:
        """The share's result, or its exception raised again here."""
        try:
            ok, value, where = self._results.recv()
        except EOFError:
            self.process.join()
            raise RuntimeError(
                f"a build process ended without a result (exit code {self.process.exitcode})"
            ) from None
        finally:
            self._results.close()
        self.process.join()
        if ok:
            return value
        raise value from WorkerTraceback(where)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()

    def close(self) -> None:
        self._results.close()


def _stop_workers(workers: list[_Worker]) -> None:
    """End the worker processes at once."""
    for worker in workers:
        worker.stop()
    for worker in workers:
        worker.process.join(5)
        worker.close()


# -- worker side ---------------------------------------------------------------------------

_worker_counter = None


def _run_share(sender: Connection, counter: Synchronized[int], parent_pid: int, args: tuple) -> None:
    """A worker's life: index its share and send the result (or the exception) back."""
    _init_worker(counter, parent_pid)
    try:
        message = (True, _index_share(*args), "")
    except BaseException as exc:
        message = (False, exc, traceback.format_exc())
    try:
        sender.send(message)
    except Exception as exc:  # an exception that cannot be pickled: its text instead
        sender.send((False, RuntimeError(f"{type(message[1]).__name__}: {message[1]}"), str(exc)))
    finally:
        sender.close()


def _init_worker(counter: Synchronized[int], parent_pid: int) -> None:
    global _worker_counter
    _worker_counter = counter
    # Ctrl-C reaches the whole process group: the parent decides and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A killed parent (kill -9) must not leave workers behind: one blocked sending its
    # result to a dead parent would wait forever.
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()


def _exit_with_parent(parent_pid: int, interval: float = 0.2) -> None:
    while os.getppid() == parent_pid:
        time.sleep(interval)
    os._exit(1)


def _index_share(
    storage_dir: str,
    indexname: str,
    root: str,
    paths: list[str],
    signatures: dict[str, tuple[int, int]],
    limitmb: int,
    max_note_bytes: int,
) -> ShardResult:
    from indexer.engine.writer import open_share_writer

    # No lock: the parent process holds the index's write lock for all of us.
    writer = open_share_writer(storage_dir, indexname, limitmb=limitmb)
    try:
        with paused_collection():
            result = index_notes(
                writer, Path(root), paths, signatures, max_note_bytes=max_note_bytes, on_note=_count_one
            )
            result.segment = writer.finish_segment()
    except BaseException:
        writer.close_segment()
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
