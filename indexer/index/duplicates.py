"""Near-duplicate notes beside the index: the groups found at the last commit, and the
fold that shows each group once in a ranking. Which notes are copies is decided in
`near_copies` (by their own text, not a shared template).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.index.json_files import json_object, read_json_object, write_json_atomic

if TYPE_CHECKING:
    from indexer.index.near_copies import CopyFinding

# Beside the index: the groups found at the last commit, and the verdicts behind them.
GROUPS_FILE = "duplicates.json"
GROUPS_VERSION = 2
# How `write_duplicate_groups` starts the file: the groups come before the verdicts.
_GROUPS_START = re.compile(r'\{"version":\d+,"max_differing":[-+.\deE]+,"groups":')
_DECODER = json.JSONDecoder()


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
    write_json_atomic(
        path,
        {
            "version": GROUPS_VERSION,
            "max_differing": MAX_DIFFERING,
            "groups": finding.groups,
            "verdicts": finding.verdicts,
        },
    )
    return finding


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
    groups = _saved_groups(Path(index_dir) / GROUPS_FILE)
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


def _saved_groups(path: Path) -> object:
    """The "groups" of the file at `path` ([] when it is missing or damaged). A file as
    `write_duplicate_groups` writes it has its groups decoded alone: the verdicts after
    them, which a search never uses, are not (at 45,000 paths, 6.7 ms of the 12.7 ms the
    whole file takes to decode); any other file is decoded whole."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return []
    start = _GROUPS_START.match(text)
    if start is not None:
        try:
            groups, end = _DECODER.raw_decode(text, start.end())
        except ValueError:
            return []
        if text.startswith(',"verdicts":', end) or text[end:] == "}":
            return groups
    return json_object(text).get("groups", [])


class Copies:
    """The saved groups, folding a ranking (docnums) so each group shows its best copy.

    Document numbers are turned into paths only for the notes a page needs, through
    `path_of` (the stored path of a docnum): looking every group member up when the index
    opened cost 1.7 s when 45,000 notes had copies; a page needs tens.
    """

    def __init__(self, groups: list[list[str]], path_of: Callable[[int], str | None]) -> None:
        self._group_of = {path: group for group in groups for path in group}
        self._path_of = path_of
        self._key_of_docnum: dict[int, str | None] = {}
        self.foldable = len(self._group_of)  # at most this many hits can be folded away

    @classmethod
    def load(cls, index_dir: Path, path_of: Callable[[int], str | None]) -> Copies:
        return cls(read_duplicate_groups(index_dir), path_of)

    def __bool__(self) -> bool:
        return bool(self.foldable)

    def _key(self, docnum: int) -> str | None:
        """The group (its first path) of the note `docnum`, None when it has no copies."""
        if docnum not in self._key_of_docnum:
            group = self._group_of.get(self._path_of(docnum) or "")
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
        return tuple(other for other in self._group_of.get(path, ()) if other != path)
