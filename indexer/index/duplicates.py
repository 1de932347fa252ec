"""Near-duplicate notes beside the index: the groups found at the last commit, and the
fold that shows each group once in a ranking. Which notes are copies is decided in
`near_copies` (by their own text, not a shared template).

The groups file is JSON: `{"version", "max_differing", "lookup", "groups", "verdicts"}`.
A search folds the copies of the few notes near its page only, yet decoding every group
cost a fresh searcher (a one-shot `search`) ~19 ms at 44,900 notes in 4,490 groups: the
file read as text, 44,900 paths decoded, a dictionary of them made. So the file carries
a lookup (`GroupLookup`, base64 in the "lookup" string, before the groups): each path's
64-bit hash, sorted, with the number of its group, and where each group's JSON lies in
the file. A search decodes the group of each note it asks about, and only that; a file
without a lookup (an older build's) or with a damaged one is decoded whole, as before.
"""

from __future__ import annotations

import binascii
import json
import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from hashlib import blake2b
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.index.json_files import json_object, read_json_object, write_text_atomic

if TYPE_CHECKING:
    from indexer.index.near_copies import CopyFinding

# Beside the index: the groups found at the last commit, and the verdicts behind them.
GROUPS_FILE = "duplicates.json"
GROUPS_VERSION = 2
# How `write_duplicate_groups` starts the file: the lookup (base64, no quote in it), then
# the groups, then the verdicts. An older build's file has no lookup.
_FILE_START = re.compile(rb'\{"version":\d+,"max_differing":[-+.\deE]+,')
_LOOKUP_KEY = b'"lookup":"'
_GROUPS_KEY = b'"groups":'
_DECODER = json.JSONDecoder()
# The lookup's header: its tag, how many paths and how many groups.
_LOOKUP_HEADER = struct.Struct("<4sII")
_LOOKUP_TAG = b"DGL1"


def write_duplicate_groups(
    index_dir: Path, signatures: Mapping[str, Iterable[int]], read_text: Callable[[str], str | None]
) -> CopyFinding:
    """Find the groups among every indexed note's signature and save them beside the index,
    with the verdicts on each pair compared (an update compares only changed pairs)."""
    # Here: a search reads the groups and never loads the comparison.
    from indexer.index.near_copies import MAX_DIFFERING, find_copies

    path = Path(index_dir) / GROUPS_FILE
    saved = read_json_object(path)
    known = saved.get("verdicts") if saved.get("version") == GROUPS_VERSION else None
    finding = find_copies(signatures, read_text, known if isinstance(known, dict) else None)
    write_text_atomic(path, groups_file_text(finding.groups, finding.verdicts, MAX_DIFFERING))
    return finding


def groups_file_text(groups: list[list[str]], verdicts: dict, max_differing: float) -> str:
    """The groups file: the JSON object {"version", "max_differing", "lookup", "groups",
    "verdicts"}, compact, its lookup (`GroupLookup`) giving where each group's JSON lies."""
    compact = {"separators": (",", ":")}
    # ASCII only (json's default): a group's characters are its bytes in the file.
    texts = [json.dumps(group, **compact) for group in groups]
    head = f'{{"version":{GROUPS_VERSION},"max_differing":{json.dumps(max_differing)},'
    owner: dict[str, int] = {}  # path -> its group (the last one, as a dictionary of them has it)
    for number, group in enumerate(groups):
        owner.update(dict.fromkeys(group, number))
    records = sorted((path_hash(path), number) for path, number in owner.items())
    spans = array("I")  # each group's start and end, from the start of the groups' list
    at = 1  # after its "["
    for text in texts:
        spans.extend((at, at + len(text)))
        at += len(text) + 1  # and the comma
    hashes = array("Q", [hashed for hashed, _ in records])
    numbers = array("I", [number for _, number in records])
    if sys.byteorder != "little":
        for column in (hashes, numbers, spans):
            column.byteswap()
    lookup = b"".join(
        (
            _LOOKUP_HEADER.pack(_LOOKUP_TAG, len(records), len(groups)),
            hashes.tobytes(),
            numbers.tobytes(),
            spans.tobytes(),
        )
    )
    encoded = binascii.b2a_base64(lookup, newline=False).decode("ascii")
    return "".join(
        (
            head,
            f'"lookup":"{encoded}",',
            '"groups":[',
            ",".join(texts),
            '],"verdicts":',
            json.dumps(verdicts, **compact),
            "}",
        )
    )


def path_hash(path: str) -> int:
    """A path's 64-bit hash in the lookup."""
    return int.from_bytes(blake2b(path.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class GroupLookup:
    """The groups of a groups file found by path through its lookup, each group decoded
    when first asked for: `group(path)` is what a dictionary of every group's paths would
    give (the last group holding it), `paths` how many paths the groups hold."""

    def __init__(self, data: bytes, groups_at: int, hashes: array, numbers: array, spans: array) -> None:
        self._data = data
        self._groups_at = groups_at  # where the groups' list starts in `data`
        self._hashes = hashes
        self._numbers = numbers
        self._spans = spans
        self._decoded: dict[int, list[str]] = {}
        self.paths = len(hashes)

    @classmethod
    def read(cls, data: bytes) -> GroupLookup | None:
        """The lookup of a groups file's bytes; None when it has none or it does not hold
        together (then the file is decoded whole)."""
        layout = _layout(data)
        if layout is None or layout[0] is None or not data.startswith(b"[", layout[1]):
            return None
        (encoded_at, encoded_end), groups_at = layout
        try:
            lookup = binascii.a2b_base64(data[encoded_at:encoded_end], strict_mode=True)
            tag, paths, groups = _LOOKUP_HEADER.unpack_from(lookup)
        except (binascii.Error, struct.error):
            return None
        hashes_end = _LOOKUP_HEADER.size + 8 * paths
        numbers_end = hashes_end + 4 * paths
        if tag != _LOOKUP_TAG or len(lookup) != numbers_end + 8 * groups:
            return None
        hashes, numbers, spans = array("Q"), array("I"), array("I")
        hashes.frombytes(lookup[_LOOKUP_HEADER.size : hashes_end])
        numbers.frombytes(lookup[hashes_end:numbers_end])
        spans.frombytes(lookup[numbers_end:])
        if sys.byteorder != "little":
            for column in (hashes, numbers, spans):
                column.byteswap()
        if (numbers and max(numbers) >= groups) or (spans and max(spans) > len(data) - groups_at):
            return None
        return cls(data, groups_at, hashes, numbers, spans)

    def group(self, path: str) -> list[str] | None:
        """The group holding `path`, None when it has no copies. Raises ValueError when the
        group's JSON is not a list of two paths or more (a damaged file)."""
        hashed = path_hash(path)
        hashes = self._hashes
        at = bisect_left(hashes, hashed)
        while at < len(hashes) and hashes[at] == hashed:
            group = self._group(self._numbers[at])
            if path in group:
                return group
            at += 1  # another path of the same hash
        return None

    def _group(self, number: int) -> list[str]:
        group = self._decoded.get(number)
        if group is None:
            start, end = self._spans[2 * number], self._spans[2 * number + 1]
            base = self._groups_at
            group = json.loads(self._data[base + start : base + end])
            if type(group) is not list or len(group) < 2 or set(map(type, group)) != {str}:
                raise ValueError(f"not a group of paths: {group!r:.80}")
            self._decoded[number] = group
        return group

    def all_groups(self) -> list[list[str]]:
        """Every group of the file, decoded whole as `read_duplicate_groups` decodes it."""
        return _groups_in(self._data)


def note_text_reader(
    root: Path, manifest: Mapping[str, list], *, max_note_bytes: int, known: Mapping[str, str] | None = None
) -> Callable[[str], str | None]:
    """A reader of a note's plain text as the index has it, for comparing two notes word by
    word; None when the note changed since it was indexed or cannot be read now. `known`
    holds texts just indexed (by path), which are not read again."""
    known = known or {}
    from indexer.index.schema import indexed_body
    from indexer.notes.note import parse_note
    from indexer.notes.parse_budget import parse_budget

    def read_text(rel: str) -> str | None:
        if rel in known:
            return known[rel]
        path = Path(root) / rel
        try:
            stat = path.stat()
            if [stat.st_mtime_ns, stat.st_size] != list(manifest[rel][:2]):
                return None
            with parse_budget():
                return indexed_body(parse_note(path, Path(root), max_bytes=max_note_bytes))
        except Exception:  # a note that cannot be read now is folded with nothing
            return None

    return read_text


def read_duplicate_groups(index_dir: Path) -> list[list[str]]:
    """The groups saved at the last commit ([] when there are none or the file is unreadable)."""
    return _groups_in(_file_data(index_dir))


def _file_data(index_dir: Path) -> bytes:
    """The groups file's bytes (none when it cannot be read)."""
    try:
        return (Path(index_dir) / GROUPS_FILE).read_bytes()
    except OSError:
        return b""


def _groups_in(data: bytes) -> list[list[str]]:
    """The groups of a groups file's bytes, each a list of two paths or more ([] when it
    has none or is damaged)."""
    groups = _saved_groups(data)
    if not isinstance(groups, list):
        return []
    # As written (lists of two paths or more): used as they are, checked by C-level passes
    # (44,824 paths: 1.8 ms, against 3.4-4.6 ms for a new list of `str` per group).
    if (
        set(map(type, groups)) <= {list}
        and min(map(len, groups), default=2) > 1
        and set(map(type, chain.from_iterable(groups))) <= {str}
    ):
        return groups
    return [[str(path) for path in group] for group in groups if isinstance(group, list) and len(group) > 1]


def _saved_groups(data: bytes) -> object:
    """The "groups" of a groups file's bytes ([] when it is damaged). A file as
    `write_duplicate_groups` writes it has its groups decoded alone: the verdicts after
    them, which a search never uses, are not (at 45,000 paths, 6.7 ms of the 12.7 ms the
    whole file takes to decode); any other file is decoded whole."""
    try:
        text = data.decode("utf-8")  # read as bytes, not text: newline handling took 4 ms of 4 MB
    except ValueError:
        return []
    layout = _layout(data)
    # The file is ASCII as written: a byte's position is its character's.
    if layout is not None and data.isascii():
        try:
            groups, end = _DECODER.raw_decode(text, layout[1])
        except ValueError:
            return []
        if text.startswith(',"verdicts":', end) or text[end:] == "}":
            return groups
    return json_object(text).get("groups", [])


def _layout(data: bytes) -> tuple[tuple[int, int] | None, int] | None:
    """Where a groups file laid out as `write_duplicate_groups` writes it keeps its lookup
    (the base64's start and end; None in an older build's file, which has none) and where
    its groups' list starts; None for another layout."""
    start = _FILE_START.match(data)
    if start is None:
        return None
    at = start.end()
    encoded = None
    if data.startswith(_LOOKUP_KEY, at):
        encoded_at = at + len(_LOOKUP_KEY)
        encoded_end = data.find(b'",', encoded_at)  # base64 holds no quote
        if encoded_end < 0:
            return None
        encoded = (encoded_at, encoded_end)
        at = encoded_end + 2
    if not data.startswith(_GROUPS_KEY, at):
        return None
    return encoded, at + len(_GROUPS_KEY)


def _by_path(groups: list[list[str]]) -> dict[str, list[str]]:
    """Each path's group (the last one holding it)."""
    return {path: group for group in groups for path in group}


class Copies:
    """The saved groups, folding a ranking (docnums) so each group shows its best copy.

    Document numbers are turned into paths only for the notes a page needs, through
    `path_of` (the stored path of a docnum): looking every group member up when the index
    opened cost 1.7 s when 45,000 notes had copies; a page needs tens. Loaded from a file
    with a lookup, only the groups of those notes are decoded (`GroupLookup`).
    """

    def __init__(
        self, groups: list[list[str]], path_of: Callable[[int], str | None], lookup: GroupLookup | None = None
    ) -> None:
        self._lookup = lookup
        self._group_of = _by_path(groups) if lookup is None else None
        self._path_of = path_of
        self._key_of_docnum: dict[int, str | None] = {}
        # At most this many hits can be folded away.
        self.foldable = lookup.paths if lookup is not None else len(self._group_of or ())

    @classmethod
    def load(cls, index_dir: Path, path_of: Callable[[int], str | None]) -> Copies:
        """The groups saved in `index_dir`: looked up path by path where the file has a
        lookup, else all of them decoded."""
        data = _file_data(index_dir)
        lookup = GroupLookup.read(data)
        if lookup is None:
            return cls(_groups_in(data), path_of)
        return cls([], path_of, lookup)

    def _group(self, path: str) -> list[str] | None:
        """The group holding `path` (None: no copies). A lookup that finds a damaged group
        gives way to the file decoded whole, as a file without one is."""
        if self._lookup is not None:
            try:
                return self._lookup.group(path)
            except ValueError:
                self._group_of = _by_path(self._lookup.all_groups())
                self._lookup = None
        return self._group_of.get(path) if self._group_of is not None else None

    def __bool__(self) -> bool:
        return bool(self.foldable)

    def _key(self, docnum: int) -> str | None:
        """The group (its first path) of the note `docnum`, None when it has no copies."""
        if docnum not in self._key_of_docnum:
            group = self._group(self._path_of(docnum) or "")
            self._key_of_docnum[docnum] = group[0] if group else None
        return self._key_of_docnum[docnum]

    def among(self, docnums: Iterable[int]) -> int:
        """How many of `docnums` folding could drop, in whatever order they are ranked:
        all but one of each group's members among them."""
        members = [key for docnum in docnums if (key := self._key(docnum)) is not None]
        return len(members) - len(set(members))

    def fold(self, ranked: list[tuple[float, int]], keep: int | None = None) -> list[tuple[float, int]]:
        """`ranked` without the copies of a note listed before them (the best copy stays),
        folded as far as its first `keep` entries after folding (None: all of it); the
        rest follows as it was."""
        seen: set[str] = set()
        kept = []
        for position, item in enumerate(ranked):
            if keep is not None and len(kept) >= keep:
                return kept + ranked[position:]
            key = self._key(item[1])
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            kept.append(item)
        return kept

    def others(self, path: str) -> tuple[str, ...]:
        """The other copies of the note at `path` (none when it has no near-duplicate)."""
        return tuple(other for other in self._group(path) or () if other != path)
