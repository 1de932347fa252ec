"""The notes one search reads (`ParsedNotes`), and the parsed notes a long-lived process
keeps between searches (`NoteMemo`). Apart from `note`, which they load only when a note
must be parsed (its file changed since it was indexed): a search shows the views the index
keeps and reads the text of its best matches, and then builds no `Note`."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import NoteParseError
from indexer.notes.note_file import read_note_text
from indexer.notes.note_view import IndexedNote, NoteView, indexed_view

if TYPE_CHECKING:
    from indexer.notes.note import Note


def _parse_note(path: Path, root: Path) -> Note:
    """`note.parse_note(path, root, indexed=True)`, looked up when called (tests patch it)."""
    from indexer.notes import note

    return note.parse_note(path, root, indexed=True)


class NoteMemo:
    """Parsed notes kept between searches by a long-lived process (the resident one).

    A note is parsed again unless its file has the device, inode, size, mtime and ctime
    it had when it was parsed: an edit, a rename over it, a chmod (ctime) all show, and a
    file with the same inode and ctime has the content that was read, through the same
    checks (a regular file inside the corpus). At most `limit` notes and `max_chars`
    characters of body are kept, the least recently used leaving first.
    """

    def __init__(self, limit: int = 500, max_chars: int = 8_000_000) -> None:
        from collections import OrderedDict
        from threading import Lock

        self.limit, self.max_chars = limit, max_chars
        self._kept: OrderedDict[str, tuple[tuple[int, ...], Note]] = OrderedDict()
        self._chars = 0
        self._lock = Lock()
        self.parsed = 0  # notes parsed (not found here): for tests

    def get(self, path: Path, root: Path) -> Note:
        """The note at `path`, parsed as `parse_note(path, root, indexed=True)` would."""
        key = str(path)
        signature = _file_signature(path)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and signature is not None and kept[0] == signature:
                self._kept.move_to_end(key)
                return kept[1]
        note = _parse_note(path, root)
        after = _file_signature(path)
        with self._lock:
            self.parsed += 1
            if (
                after is None
                or after != signature
                or len(note.body) > self.max_chars // 4
                # Written in the last seconds: another write within the clock's tick
                # would leave the same mtime (as git's "racy" files): not kept yet.
                or time.time_ns() - after[3] < _SETTLED_NS
            ):
                return note  # changed while read, or too big or too new to keep
            old = self._kept.pop(key, None)
            if old is not None:
                self._chars -= len(old[1].body)
            self._kept[key] = (after, note)
            self._chars += len(note.body)
            while self._kept and (len(self._kept) > self.limit or self._chars > self.max_chars):
                _, (_, dropped) = self._kept.popitem(last=False)
                self._chars -= len(dropped.body)
        return note


_SETTLED_NS = 2_000_000_000


def _file_signature(path: Path) -> tuple[int, ...] | None:
    import stat

    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class ParsedNotes:
    """Notes of one corpus read on demand, each parsed once: the notes one search reads.

    Ranking checks the exact words of its best matches in their text, and the passages
    of the page shown come from the same notes: from the view the index keeps of each
    (`shown`, no parse) while its file is as it was indexed. Make a new one for each
    search, so that a note edited since is read again; a `memo` (a long-lived process's)
    keeps parsed notes between searches, each checked against its file's stat first.
    """

    def __init__(self, root: Path, memo: NoteMemo | None = None) -> None:
        self.root = Path(root)
        self._root = str(root)
        self._memo = memo
        self._notes: dict[str, Note | None] = {}
        self._shown: dict[str, NoteView | None] = {}
        self._texts: dict[str, str | None] = {}  # files as written, for ranking
        # Why a note could not be read now, by path: a FIFO or a link put at its path, a
        # note that takes too long to parse. A vanished file is no news and is not listed.
        self.problems: dict[str, str] = {}

    def get(self, rel_path: str) -> Note | None:
        """The note at `rel_path` (relative to the root), None if it cannot be read now."""
        if rel_path not in self._notes:
            from indexer.notes.parse_budget import ParseBudgetExceeded, parse_budget

            try:
                with parse_budget():
                    if self._memo is not None:
                        self._notes[rel_path] = self._memo.get(self.root / rel_path, self.root)
                    else:
                        self._notes[rel_path] = _parse_note(self.root / rel_path, self.root)
            except (NoteParseError, ParseBudgetExceeded) as exc:
                self._notes[rel_path] = None  # the file changed or vanished since it was indexed
                if not exc.reason.startswith("file disappeared"):
                    self.problems[rel_path] = exc.reason
        return self._notes[rel_path]

    def shown(self, rel_path: str, indexed: IndexedNote | None = None) -> NoteView | None:
        """What a hit shows of the note at `rel_path` (None if it cannot be read now): the
        view the index keeps (`indexed`) while the file is as it was indexed, without
        reading or parsing it; else the file parsed now (`get`)."""
        if rel_path not in self._shown:
            view = indexed_view(self._root, rel_path, indexed) if indexed is not None else None
            if view is None:
                note = self.get(rel_path)
                view = NoteView.of(note) if note is not None else None
            self._shown[rel_path] = view
        return self._shown[rel_path]

    def text(self, rel_path: str) -> str | None:
        """The note's file as written, not parsed (None if it cannot be read now): ranking
        looks for a few words as typed in the text of its best matches, and reading a
        file costs far less than parsing it (about 6 ms a news note)."""
        if rel_path not in self._texts:
            try:
                self._texts[rel_path] = read_note_text(self.root / rel_path, inside=self.root)
            except NoteParseError:
                self._texts[rel_path] = None
        return self._texts[rel_path]
