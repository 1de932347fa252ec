"""Open indexes kept between the requests a resident process serves.

A one-shot search opens the index, reads its table of contents and schema, opens a
searcher and reads per-searcher data (each note's field lengths and date, the
near-duplicate groups, stored fields) before its query runs, and throws all of it away
after. The resident process lends the same `NoteIndex` to one request after another
instead; a request sees the latest commit all the same (`NoteIndex.refresh_if_changed`,
after the watcher's changes are applied).

A `NoteIndex` is used by one request at a time: concurrent requests each get their own,
and at most `KEPT_PER_INDEX` idle ones are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KEPT_PER_INDEX = 2


class IndexPool:
    """Idle `NoteIndex`es by (corpus, index, weights, aliases)."""

    def __init__(self) -> None:
        self._idle: dict[tuple, list] = {}
        self._memos: dict[str, object] = {}  # corpus -> its NoteMemo, shared by its indexes
        self._lock = threading.Lock()
        self.opened = 0  # indexes opened (for tests and status)

    @contextmanager
    def lend(self, corpus: Path, index_dir: Path, weights: dict, aliases: dict) -> Iterator:
        """A `NoteIndex` showing the latest commit, returned to the pool afterwards (closed
        instead if the request failed: its state is then not trusted)."""
        key = (str(corpus), str(index_dir), tuple(sorted(weights.items())), tuple(sorted(aliases.items())))
        with self._lock:
            idle = self._idle.get(key)
            notes = idle.pop() if idle else None
        if notes is None:
            from indexer.notes.parsed_notes import NoteMemo
            from indexer.search.searching import open_index

            notes = open_index(corpus, index_dir, weights=dict(weights), aliases=dict(aliases))
            with self._lock:
                self.opened += 1
                notes.note_memo = self._memos.setdefault(str(corpus), NoteMemo())
        try:
            notes.refresh_if_changed()
            yield notes
        except BaseException:
            notes.close()
            raise
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < KEPT_PER_INDEX:
                idle.append(notes)
                return
        notes.close()

    def close(self) -> None:
        with self._lock:
            kept = [notes for idle in self._idle.values() for notes in idle]
            self._idle.clear()
        for notes in kept:
            notes.close()
