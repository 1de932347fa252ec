"""Near-duplicate notes: the same story saved twice, or re-saved after the source edited it.

A note's signature is the set of hashes of its long paragraphs (lowercased, words
only). Two notes are near-duplicates when their signatures overlap enough
(Jaccard >= `DEFAULT_THRESHOLD`); groups are the connected pairs. Paragraph hashes cost
a few microseconds a note, against about a millisecond for word-shingle MinHash, which
mattered because signatures are computed while indexing. On the news corpus the two
approaches find the same copies: saved copies come from one scraper and share their
paragraphs verbatim.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from indexer.index.json_files import read_json_object, write_json_atomic

# Tuned on ../shared/corpus/news: at 0.5 every pair checked was the same story (updated
# titles, "--ZDNet" re-saves); below 0.45 different stories on one topic appear.
DEFAULT_THRESHOLD = 0.5
# Shorter paragraphs ("Image: The Record", bylines) say nothing about identity.
MIN_PARAGRAPH_CHARS = 40
# A paragraph found in more notes than this is boilerplate (a newsletter footer).
MAX_NOTES_PER_PARAGRAPH = 50
# Beside the index: the groups found at the last commit.
GROUPS_FILE = "duplicates.json"

Signature = frozenset[int]

# Copies differ in quotes, dashes and link punctuation; compare the words only.
_NOT_WORDS = re.compile(r"[\W_]+")


def paragraph_signature(text: str) -> Signature:
    """Hashes of the long paragraphs (lines) of a note's plain text."""
    hashes = set()
    for line in text.split("\n"):
        if len(line) < MIN_PARAGRAPH_CHARS:
            continue
        normalized = _NOT_WORDS.sub(" ", line.lower()).strip()
        if len(normalized) >= MIN_PARAGRAPH_CHARS:
            hashes.add(zlib.crc32(normalized.encode("utf-8")))
    return frozenset(hashes)


def similarity(first: Signature, second: Signature) -> float:
    """Jaccard similarity of two signatures (0.0 when both are empty)."""
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def duplicate_groups(
    signatures: Mapping[str, Iterable[int]], *, threshold: float = DEFAULT_THRESHOLD
) -> list[list[str]]:
    """Groups of near-duplicate paths (each sorted, groups sorted), singletons left out.

    Candidate pairs come from an inverted index of paragraph hashes, so the cost
    follows the number of shared paragraphs, not the square of the number of notes.
    """
    sets = {path: frozenset(hashes) for path, hashes in signatures.items()}
    holders: dict[int, list[str]] = defaultdict(list)
    for path, hashes in sets.items():
        for value in hashes:
            holders[value].append(path)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for paths in holders.values():
        if 1 < len(paths) <= MAX_NOTES_PER_PARAGRAPH:
            for pair in itertools.combinations(sorted(paths), 2):
                shared[pair] += 1
    parent: dict[str, str] = {}

    def root(path: str) -> str:
        while parent.get(path, path) != path:
            parent[path] = parent.get(parent[path], parent[path])
            path = parent[path]
        return path

    for (first, second), common in shared.items():
        union = len(sets[first]) + len(sets[second]) - common
        if union and common / union >= threshold:
            a, b = root(first), root(second)
            parent.setdefault(a, a)
            parent.setdefault(b, b)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for path in parent:
        groups[root(path)].append(path)
    return sorted(sorted(members) for members in groups.values() if len(members) > 1)


def write_duplicate_groups(index_dir: Path, signatures: Mapping[str, Iterable[int]]) -> list[list[str]]:
    """Find the groups among every indexed note's signature and save them beside the index."""
    groups = duplicate_groups(signatures)
    write_json_atomic(
        Path(index_dir) / GROUPS_FILE, {"version": 1, "threshold": DEFAULT_THRESHOLD, "groups": groups}
    )
    return groups


def read_duplicate_groups(index_dir: Path) -> list[list[str]]:
    """The groups saved at the last commit ([] when there are none or the file is unreadable)."""
    groups = read_json_object(Path(index_dir) / GROUPS_FILE).get("groups", [])
    if not isinstance(groups, list):
        return []
    return [[str(path) for path in group] for group in groups if isinstance(group, list) and len(group) > 1]


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
