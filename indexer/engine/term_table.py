"""A segment's term table looked up in memory: where a word's row is, in one function call.

A search looks a few hundred words up in each segment's term file: the frequencies its
plan, scorer and spelling correction ask for, most of them words the segment lacks (the
~450 strings one edit from a mistyped word), and the term info of each word it reads the
postings of. Whoosh answers each through `W3TermsReader` -> `HashReader.ranges_for_key`,
a generator that hashes the key through a hex string and reads each slot, the row's
lengths and its key with a `seek` and a `read` of their own, then reads the answer the
same way: about 7 microseconds a lookup, 6% of the relevance benchmark's search time on
the two-segment news index. Here the file is mapped into memory once (`mmap`: pages are
read as they are touched, nothing is copied) and a lookup is the same walk over the
same bytes with `struct.unpack_from`.

The format is the pinned whoosh3's (`whoosh.filedb.filetables`): 256 hash tables,
chosen by the low byte of the key's hash (the low 32 bits of its MD5, read here from
the digest's last four bytes rather than a hex string), each a run of (hash, row
position) slots probed in order from `(hash >> 8) % slots`, wrapping, until an empty
one; a row is its key's and value's lengths (`!ii`), the key, the value (a packed
`W3TermInfo`: flags, total weight, document frequency, ...). tests/test_term_table.py
compares every word of an index, and words it lacks, with Whoosh's own lookups.
"""

from __future__ import annotations

import mmap
from hashlib import md5
from struct import Struct

_SLOT = Struct("!Iq")  # a hash table slot: the key's hash, its row's position (filetables._pointer)
_LENGTHS = Struct("!ii")  # a row's key and value lengths (filetables._lengths)
_DOC_FREQUENCY = Struct("!I")  # in a row's value, after the flags byte and the total weight
_DOC_FREQUENCY_AT = 1 + 4  # W3TermInfo.read_doc_freq: datapos + 1 + _FLOAT_SIZE


class TermTable:
    """One term file's hash tables over its bytes, mapped: `find(key)` -> the position
    and length of the key's value, or None, as `HashReader.range_for_key` finds them."""

    __slots__ = ("_data", "_tables")

    def __init__(self, data: mmap.mmap, tables: list[tuple[int, int]]) -> None:
        self._data = data
        self._tables = tables  # HashReader.tables: (position, slots) of each of the 256

    def find(self, key: bytes) -> tuple[int, int] | None:
        keyhash = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        start, slots = self._tables[keyhash & 255]
        if not slots:
            return None
        data = self._data
        unpack_slot = _SLOT.unpack_from
        end = start + slots * _SLOT.size
        position = start + ((keyhash >> 8) % slots) * _SLOT.size
        for _ in range(slots):
            slot_hash, row = unpack_slot(data, position)
            if not row:
                return None
            if slot_hash == keyhash:
                key_length, value_length = _LENGTHS.unpack_from(data, row)
                key_start = row + _LENGTHS.size
                if key_length == len(key) and data[key_start : key_start + key_length] == key:
                    return key_start + key_length, value_length
            position += _SLOT.size
            if position == end:
                position = start
        return None

    def value(self, key: bytes) -> bytes | None:
        found = self.find(key)
        if found is None:
            return None
        position, length = found
        return self._data[position : position + length]

    def doc_frequency(self, key: bytes) -> int | None:
        found = self.find(key)
        if found is None:
            return None
        return _DOC_FREQUENCY.unpack_from(self._data, found[0] + _DOC_FREQUENCY_AT)[0]

    def close(self) -> None:
        self._data.close()


def map_term_table(terms) -> TermTable | None:
    """The term table of a whoosh3 segment's terms reader (`W3TermsReader`), its file
    mapped; None where it cannot be (another hash, a file inside a compound file or in
    memory, a file that cannot be mapped): Whoosh's own lookups stay."""
    table = terms._tindex
    if table.hashtype != 0 or table.startoffset != 0:  # 0: MD5, the only hash whoosh3 writes
        return None
    fileno = getattr(getattr(table.dbfile, "file", None), "fileno", None)
    if fileno is None:
        return None
    try:
        data = mmap.mmap(fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # not a real file, or an empty one
        return None
    return TermTable(data, list(table.tables))
