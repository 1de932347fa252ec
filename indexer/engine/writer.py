"""The segment writer of a build or an update: Whoosh's, or our faster subclass of it.

`open_writer` gives the writer `index/store.py` and `index/parallel.py` write notes
with. On the Whoosh version the fast path was written for (`version.fast_path()`) it is
a `NoteSegmentWriter`: Whoosh's `SegmentWriter` with a grouped posting pool
(`posting_pool`), notes added a field's postings at a time (`segment_documents`),
postings written a block at a time (`posting_writer`) and field lengths read whole
(`field_lengths`); its segment files are byte for byte Whoosh's with the same deflate
and pickle protocol (tests/test_posting_pool.py, tests/test_scoring.py). Its segment can also be written
apart and committed together with segments other processes wrote (`finish_segment`,
`commit_with_segments`: what Whoosh's own multi-process writer does). On any other
version it is Whoosh's plain writer, through the public API only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh.writing import CLEAR, IndexWriter, SegmentWriter

from indexer.engine.field_lengths import WholeColumnLengths
from indexer.engine.posting_pool import GroupedPostingPool
from indexer.engine.posting_writer import flush_posting_lists
from indexer.engine.segment_documents import add_note_document
from indexer.engine.version import fast_path

if TYPE_CHECKING:
    from whoosh.codec.base import Segment
    from whoosh.index import FileIndex


class NoteSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, writing the same segment faster (see the module).

    Takes no Whoosh lock: the caller holds the index's write lock (`index/locking.py`),
    and Whoosh's own lock is taken before the writer's files are created and kept if
    that fails (a full disk)."""

    def __init__(self, ix: FileIndex, *, limitmb: float) -> None:
        super().__init__(ix, _lk=False, limitmb=limitmb, compound=False)
        self.pool = GroupedPostingPool(self._tempstorage, limitmb)

    def add_document(self, **fields: object) -> None:
        add_note_document(self, super().add_document, fields)

    def per_document_reader(self) -> WholeColumnLengths:
        return WholeColumnLengths(super().per_document_reader())

    def _flush_segment(self) -> None:
        flush_posting_lists(self)

    def finish_segment(self) -> Segment | None:
        """Write this writer's segment out and return it (None, and its files closed,
        when no note was added), to be committed by `commit_with_segments`: this process's
        or another's. The temporary folder is left alone: other processes share it."""
        if self._added:
            return self._finalize_segment()
        self._close_segment()
        return None

    def close_segment(self) -> None:
        """Close this writer's segment files without writing it (after a failure)."""
        self._close_segment()

    def commit_with_segments(self, segments: list[object], *, clear: bool) -> None:
        """Commit `segments` (written by `finish_segment`, this writer's own among them)
        in one new table of contents, the index's earlier segments cleared or kept (and
        merged as Whoosh's commit merges them)."""
        try:
            final = self._merge_segments(CLEAR if clear else None, False, None)
            final.extend(segments)
            self._commit_toc(final)
        except Exception:
            self._cleanup_on_error()  # as SegmentWriter.commit does: release the lock, drop temp files
            raise
        self._finish()


def open_writer(ix: FileIndex, *, limitmb: float) -> IndexWriter:
    """A writer for `ix`, whose write lock (ours) the caller holds: a `NoteSegmentWriter`
    on the fast path, else Whoosh's own writer (which takes Whoosh's lock too)."""
    if fast_path():
        return NoteSegmentWriter(ix, limitmb=limitmb)
    return ix.writer(limitmb=limitmb, compound=False)


def open_share_writer(storage_dir: str, indexname: str, *, limitmb: float) -> NoteSegmentWriter:
    """A writer for one process's share of a parallel build (fast path only): it writes
    a segment for the parent's writer to commit (`NoteSegmentWriter.finish_segment`).

    Never call its `commit`, `cancel` or `_finish`: they delete the temporary folder this
    writer shares with the parent and the other workers (the parent cleans it up)."""
    from whoosh.filedb.filestore import FileStorage

    return NoteSegmentWriter(FileStorage(storage_dir).open_index(indexname), limitmb=limitmb)


def can_write_in_parallel() -> bool:
    """Whether a build may write segments in several processes (fast path only: it
    relies on the segment writer's internals)."""
    return fast_path()
