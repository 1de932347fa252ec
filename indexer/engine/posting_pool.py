"""Postings gathered per word while a segment is written, instead of in one list to sort.

Whoosh's segment writer keeps every posting, a (field, word, note, weight, positions)
tuple, in one list, sorts the whole list before it writes the segment and, past its
memory limit, pickles the postings one by one to sorted runs on disk and merges them
back one by one. Postings arrive note by note, so each word's postings are already in
note order: keeping one list per (field, word) leaves only the words to sort, and a run
on disk is one pickle per word. Whoosh's writer receives the same postings in the same
order.
"""

from __future__ import annotations

import contextlib
import heapq
import pickle
from collections.abc import Callable, Iterator
from itertools import chain, groupby
from operator import itemgetter
from typing import TYPE_CHECKING
from uuid import uuid4

if TYPE_CHECKING:
    from whoosh.filedb.filestore import Storage

# Estimated bytes per posting besides its word and positions (Whoosh's own estimate,
# which also counts the field name and the word twice: about the same memory limit), and
# per word for its list and dictionary entry.
_POSTING_BYTES = 175
_WORD_BYTES = 150

Posting = tuple  # (field name, word, note number, weight, encoded positions)
Key = tuple[str, bytes]  # (field name, word)
Fields = dict[str, dict[bytes, list[Posting]]]  # field name -> word -> its postings

_key = itemgetter(0)
_docnum = itemgetter(2)


class GroupedPostingPool:
    """Whoosh's `PostingPool` interface (`add`, `iter_postings`, `cleanup`), one list per word.

    Past `limitmb` (estimated) the lists are written to a run in the writer's temporary
    storage, in word order; reading merges the runs and what is still in memory, oldest
    first, so each word's postings stay in the order they were added.
    """

    def __init__(self, tempstore: Storage, limitmb: float) -> None:
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._size = 0
        self._fields: Fields = {}
        self.runs: list[str] = []
        self._last_docnum = -1
        self._out_of_order = False  # a note added after a higher-numbered one

    def add(self, posting: Posting) -> None:
        words = self._fields.get(posting[0])
        if words is None:
            words = self._fields[posting[0]] = {}
        word = posting[1]
        postings = words.get(word)
        if postings is None:
            postings = words[word] = []
            self._size += _WORD_BYTES + len(word)
        postings.append(posting)
        if posting[2] < self._last_docnum:
            self._out_of_order = True  # Whoosh's segment merges add postings word by word
        self._last_docnum = posting[2]
        self._size += _POSTING_BYTES + len(word) + len(posting[4] or b"")
        if self._size > self._limit:
            self._write_run()

    def add_word_positions(
        self,
        fieldname: str,
        docnum: int,
        places: dict[str, list[int]],
        weight: float,
        encode: Callable[[list[int]], bytes],
    ) -> int:
        """`add` for each word of one note's field, given each word's positions (what
        `postings.CappedPositions.word_values` makes of them, in one loop): a posting's
        weight is its number of positions times `weight`, its value `encode(positions)`.
        Returns the field's length in words."""
        words = self._fields.get(fieldname)
        if words is None:
            words = self._fields[fieldname] = {}
        size = length = 0
        for word, positions in places.items():
            count = len(positions)
            length += count
            key = word.encode()
            value = encode(positions)
            postings = words.get(key)
            if postings is None:
                words[key] = [(fieldname, key, docnum, count * weight, value)]
                size += _WORD_BYTES + _POSTING_BYTES + 2 * len(key) + len(value)
            else:
                postings.append((fieldname, key, docnum, count * weight, value))
                size += _POSTING_BYTES + len(key) + len(value)
        if places:
            if docnum < self._last_docnum:
                self._out_of_order = True
            self._last_docnum = docnum
            self._size += size
            if self._size > self._limit:
                self._write_run()
        return length

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting, sorted as Whoosh's pool sorts them: by field, word, note."""
        return chain.from_iterable(postings for _, _, postings in self.iter_posting_lists())

    def iter_posting_lists(self) -> Iterator[tuple[str, bytes, list[Posting]]]:
        """Each word's postings in note order, as (field, word, postings), by field and word."""
        fields, self._fields = self._fields, {}
        runs, self.runs = self.runs, []
        if runs:
            in_memory = (((field, word), postings) for field, word, postings in _sorted_lists(fields))
            sources = [*(self._read_run(name) for name in runs), in_memory]
            merged = heapq.merge(*sources, key=_key)
            lists = ((*key, _joined(group)) for key, group in groupby(merged, key=_key))
        else:
            lists = _sorted_lists(fields)
        if not self._out_of_order:
            return lists
        return ((field, word, _in_note_order(postings)) for field, word, postings in lists)

    def cleanup(self) -> None:
        for name in self.runs:
            with contextlib.suppress(OSError):
                self._tempstore.delete_file(name)
        self.runs = []

    def _write_run(self) -> None:
        name = f"{uuid4().hex}.run"
        fields, self._fields = self._fields, {}
        self._size = 0
        run = self._tempstore.create_file(name)
        try:
            for fieldname, word, postings in _sorted_lists(fields):
                pickle.dump(((fieldname, word), postings), run, pickle.HIGHEST_PROTOCOL)
        finally:
            run.close()
        self.runs.append(name)

    def _read_run(self, name: str) -> Iterator[tuple[Key, list[Posting]]]:
        run = self._tempstore.open_file(name).raw_file()
        try:
            while True:
                try:
                    yield pickle.load(run)
                except EOFError:
                    return
        finally:
            run.close()
            with contextlib.suppress(OSError):  # gone already if the writer was cancelled
                self._tempstore.delete_file(name)


def _sorted_lists(fields: Fields) -> Iterator[tuple[str, bytes, list[Posting]]]:
    """Each word's postings, in (field, word) order."""
    for fieldname in sorted(fields):
        words = fields[fieldname]
        for word in sorted(words):
            yield fieldname, word, words[word]


def _joined(group: Iterator[tuple[Key, list[Posting]]]) -> list[Posting]:
    """One word's postings from every run that has some, oldest run first."""
    lists = [postings for _, postings in group]
    return lists[0] if len(lists) == 1 else list(chain.from_iterable(lists))


def _in_note_order(postings: list[Posting]) -> list[Posting]:
    # Whoosh numbers notes in the order it adds them, merged segments included, so each
    # word's postings are in note order already; this only sorts if that ever changes.
    docnums = list(map(_docnum, postings))
    return postings if docnums == sorted(docnums) else sorted(postings, key=_docnum)
