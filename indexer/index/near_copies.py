"""Which notes are copies of each other: by their own text, never by a shared template.

Two notes are copies when, after leaving out boilerplate (a paragraph found in
`BOILERPLATE_NOTES` or more notes: a newsletter footer, a report template's headings),
at most a fifth (`MAX_DIFFERING`) of either note's own words differs from the other,
and at most a fifth of either note's whole text does; or when their whole texts differ
by no more than `NEARLY_SAME` (a story saved three times, whose paragraphs are all in
three notes and so count as boilerplate). A word "differs" when no run of
`SHINGLE_WORDS` words around it (a w-shingle) occurs in the other note, so one edited
word costs one word, not five. A note with no text of its own (all boilerplate) is
compared on its whole text.

Finding them costs little while indexing: each note gets a signature, the hashes of its
paragraphs (lines of its plain text, words only, lowercased) with their word counts,
kept in the manifest. At commit, pairs that share a paragraph of their own are the
candidates; those whose shared paragraphs hold at least `CANDIDATE_OVERLAP` of both
notes' own words are read again and compared shingle by shingle. Verdicts are kept
beside the index, keyed by both signatures and the boilerplate they had, so an update
reads only the notes whose pairs changed. Notes with the same signature are one unit,
compared once (a story saved 1,000 times costs one comparison), and each unit is
compared with at most `MAX_PARTNERS` candidates: the work grows with the notes, never
with the square of a group's size. docs/duplicates.md has the measurements.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain

# A paragraph in this many notes or more is boilerplate: it does not count as own text.
BOILERPLATE_NOTES = 3
# A paragraph in more units than this (versions: notes with the same paragraphs count once)
# makes no candidate pairs: a footer in hundreds of notes, a template filled in many times.
# A paragraph makes at most 120 pairs however many notes hold it (on the news corpus a cap
# of 5 finds the same pairs as one of 50; a story saved 1,000 times is one unit).
MAX_UNITS_PER_PARAGRAPH = 16
# A unit (the notes with one signature) is compared word by word with at most this many
# candidates, its closest: the work a commit does grows with the notes, never with the
# square of a group's size (on the news corpus no note has more than 3 candidates).
MAX_PARTNERS = 8
# Copies differ in at most this share of either note's own text and of its whole text.
MAX_DIFFERING = 0.2
# Notes whose whole texts differ by at most this share are copies even when their own text
# differs more: a story saved three times has all its paragraphs in three notes, which
# makes them boilerplate (measured on the news corpus: such families differ by 0.002 to
# 0.048; a note filled in from a template differs from its twin by its own text).
NEARLY_SAME = 0.05
# A note with fewer words than this is never folded: two short notes with the same line
# ("ransomware gateway", "See [[Project X]]") are different notes whose text is too short
# to tell (their titles and fields tell them apart).
MIN_WORDS = 20
# Words per shingle: five is long enough that a shared run is seldom chance.
SHINGLE_WORDS = 5
# A candidate pair is compared word by word only when the paragraphs the two notes share
# verbatim hold this share of both notes' own words (measured: copies on the news corpus
# share 0.3 or more; see docs/duplicates.md).
CANDIDATE_OVERLAP = 0.25
# ... or these shared paragraphs hold this share of both notes' whole words.
CANDIDATE_WHOLE_OVERLAP = 0.5

Signature = frozenset[int]

# Copies differ in quotes, dashes and link punctuation; compare the words only.
_WORDS = re.compile(r"[^\W_]+")
_COUNT_BITS = 12
_COUNT_MASK = (1 << _COUNT_BITS) - 1


def paragraph_key(words: list[str]) -> int:
    """One paragraph's hash, with its word count (up to 4,095) in the low bits."""
    return zlib.crc32(" ".join(words).encode("utf-8")) << _COUNT_BITS | min(len(words), _COUNT_MASK)


def paragraph_words(key: int) -> int:
    """The word count stored in a paragraph key."""
    return key & _COUNT_MASK


def text_paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """(key, words) of each line of a note's plain text that has words."""
    paragraphs = []
    for line in text.split("\n"):
        words = _WORDS.findall(line.lower())
        if words:
            paragraphs.append((paragraph_key(words), words))
    return paragraphs


def paragraph_signature(text: str) -> Signature:
    """The keys of a note's paragraphs (each line with words), what the manifest keeps."""
    return frozenset(key for key, _ in text_paragraphs(text))


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """How much of each note's text differs from the other's (shares of words)."""

    own: tuple[float, float]  # own text (boilerplate left out) of the first and second note
    whole: tuple[float, float]  # whole text of the first and second note

    @property
    def copies(self) -> bool:
        return _copies([*self.own, *self.whole])


def _copies(figures: list[float]) -> bool:
    """[own first, own second, whole first, whole second] differing shares -> copies?"""
    own_first, own_second, whole_first, whole_second = figures
    whole = max(whole_first, whole_second)
    return whole <= NEARLY_SAME or max(own_first, own_second, whole) <= MAX_DIFFERING


def differing_share(words: list[str], other: list[str]) -> float:
    """Share of `words` not covered by a w-shingle that also occurs in `other`.

    A text shorter than a shingle is one shingle of its own length."""
    if not words:
        return 0.0
    size = min(SHINGLE_WORDS, len(words))
    if len(other) < size:
        return 1.0
    present = set(_shingles(other, size))
    # One byte a shingle of `words`, 1 where `other` has it; the last size - 1 words start
    # no shingle. A word is covered when a shingle starting at it or at one of the size - 1
    # words before it occurs in `other`: dropping each 1 with the up to size - 1 zeros
    # after it leaves the words not covered. (The loop this replaces, a word at a time,
    # was most of the near-copy comparison at commit.)
    found = bytes(map(present.__contains__, _shingles(words, size))) + bytes(size - 1)
    uncovered = len(_COVERED_RUN[size].sub(b"", found))
    return uncovered / len(words)


def _shingles(words: list[str], size: int) -> Iterable[tuple[str, ...]]:
    """Each run of `size` words of `words`, in order (zip stops at the shortest slice: the
    last run)."""
    return zip(*(words[start:] for start in range(size)), strict=False)


# A shingle found, with the up to size - 1 words after it that it covers too, for each size.
_COVERED_RUN = {size: re.compile(b"\x01\x00{0,%d}" % (size - 1)) for size in range(1, SHINGLE_WORDS + 1)}


def compare_texts(first: str, second: str, boilerplate: set[int] | frozenset[int]) -> PairVerdict:
    """The verdict on two notes' plain texts, with `boilerplate` paragraph keys left out of
    their own text (both compared whole when either has none of its own)."""
    a, b = text_paragraphs(first), text_paragraphs(second)
    whole_a = [word for _, words in a for word in words]
    whole_b = [word for _, words in b for word in words]
    own_a = [word for key, words in a if key not in boilerplate for word in words]
    own_b = [word for key, words in b if key not in boilerplate for word in words]
    whole = (differing_share(whole_a, whole_b), differing_share(whole_b, whole_a))
    if not own_a or not own_b:
        return PairVerdict(own=whole, whole=whole)
    return PairVerdict(own=(differing_share(own_a, own_b), differing_share(own_b, own_a)), whole=whole)


@dataclass(slots=True)
class CopyFinding:
    """The groups found, and the verdicts to keep for the next commit."""

    groups: list[list[str]]
    verdicts: dict[str, list[float]]
    # every pair compared (or looked up) -> [own first, own second, whole first, whole second]
    figures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    compared: int = 0  # pairs compared word by word this time (not from kept verdicts)
    notes_read: int = 0
    # Work that grows with the pairs a paragraph makes (a pair counted once per paragraph
    # it shares): the operation count tests/test_duplicates.py holds to linear growth.
    pair_steps: int = 0


@dataclass(slots=True)
class _Unit:
    """Notes with one signature (the same paragraphs, in any order), compared as one: the
    first note (`members[0]`) stands for them all. `together`: they are copies of each
    other (checked on two of them; never for notes under `MIN_WORDS` words)."""

    keys: Signature
    members: list[str]
    together: bool = False


def find_copies(
    signatures: Mapping[str, Iterable[int]],
    read_text: Callable[[str], str | None],
    known: Mapping[str, list[float]] | None = None,
) -> CopyFinding:
    """Groups of copies (each sorted, groups sorted; singletons left out).

    `read_text(path)` gives a note's plain text (None if it cannot be read now: then it is
    folded with nothing). `known` holds verdicts from the last commit.

    Notes with the same signature are one unit: a verdict depends on the two signatures
    alone (it is kept by them), so a story saved 1,000 times is one comparison of two of
    its copies, not 499,500, and its units' pairs are compared once for all their notes.
    """
    sets = {path: frozenset(keys) for path, keys in signatures.items()}
    by_keys: dict[Signature, list[str]] = defaultdict(list)
    for path in sorted(sets):
        by_keys[sets[path]].append(path)
    # Counted in C (Counter over every note's keys): a loop a key was most of the work here.
    notes_holding = Counter(chain.from_iterable(sets.values()))
    boilerplate = {key for key, count in notes_holding.items() if count >= BOILERPLATE_NOTES}
    known = known or {}
    texts: dict[str, str | None] = {}
    finding = CopyFinding(groups=[], verdicts={})

    def verdict(first: str, second: str, first_keys: Signature, second_keys: Signature) -> list[float] | None:
        """The figures of a pair, kept or compared now (None: a note cannot be read)."""
        key = _verdict_key(first_keys, second_keys, boilerplate)
        figures = known.get(key)
        if not (isinstance(figures, list) and len(figures) == 4):
            for path in (first, second):
                if path not in texts:
                    texts[path] = read_text(path)
                    finding.notes_read += 1
            first_text, second_text = texts[first], texts[second]
            if first_text is None or second_text is None:
                return None
            compared = compare_texts(first_text, second_text, boilerplate)
            figures = [*compared.own, *compared.whole]
            finding.compared += 1
        finding.verdicts[key] = finding.figures[(first, second)] = [
            round(float(value), 4) for value in figures
        ]
        return figures

    units: list[_Unit] = []
    for keys, paths in by_keys.items():
        if len(paths) > 1 and sum(map(paragraph_words, keys)) >= MIN_WORDS:
            figures = verdict(paths[0], paths[1], keys, keys)
            if figures is None or not _copies(figures):  # told apart pair by pair, as any notes
                units.extend(_Unit(keys, [path]) for path in paths)
                continue
            units.append(_Unit(keys, paths, together=True))
        else:
            units.append(_Unit(keys, paths))
    unit_of = {unit.members[0]: unit for unit in units}
    copies = []
    for first, second in _candidate_pairs(units, notes_holding, boilerplate, finding):
        figures = verdict(first, second, unit_of[first].keys, unit_of[second].keys)
        if figures is not None and _copies(figures):
            copies.append((max(figures), first, second))
    grouped = complete_groups(copies)
    in_group = {first for group in grouped for first in group}
    groups = [sorted(path for first in group for path in unit_of[first].members) for group in grouped]
    groups += [unit.members for unit in units if unit.together and unit.members[0] not in in_group]
    finding.groups = sorted(groups)
    return finding


def _candidate_pairs(
    units: list[_Unit], notes_holding: Mapping[int, int], boilerplate: set[int], finding: CopyFinding
) -> list[tuple[str, str]]:
    """Pairs of units (by their first notes) worth comparing word by word: the paragraphs
    they share verbatim hold `CANDIDATE_OVERLAP` of both notes' own words (whole words when
    either has none of its own), or `CANDIDATE_WHOLE_OVERLAP` of both notes' whole words (a
    story saved three times). Counted from the signatures alone, paragraph by paragraph;
    a paragraph in more than `MAX_UNITS_PER_PARAGRAPH` units makes no pairs."""
    holders: dict[int, list[str]] = defaultdict(list)
    own_words: dict[str, int] = {}
    whole_words: dict[str, int] = {}
    # Only a paragraph in two notes or more can make a pair (most are in one).
    in_several = {key for key, count in notes_holding.items() if count > 1}
    for unit in units:
        first = unit.members[0]
        whole_words[first] = whole = sum(key & _COUNT_MASK for key in unit.keys)
        own_words[first] = whole - sum(key & _COUNT_MASK for key in unit.keys & boilerplate)
        for key in unit.keys & in_several:
            holders[key].append(first)
    shared_whole: dict[tuple[str, str], int] = defaultdict(int)
    shared_own: dict[tuple[str, str], int] = defaultdict(int)
    for key, paths in holders.items():
        if not 1 < len(paths) <= MAX_UNITS_PER_PARAGRAPH:
            continue
        words = paragraph_words(key)
        own = notes_holding[key] < BOILERPLATE_NOTES
        for pair in itertools.combinations(sorted(paths), 2):
            finding.pair_steps += 1
            shared_whole[pair] += words
            if own:
                shared_own[pair] += words

    def share(shared: int, first: str, second: str, total: Mapping[str, int]) -> float:
        return shared / max(total[first], total[second], 1)

    candidates = []
    for (first, second), shared in shared_whole.items():
        if min(whole_words[first], whole_words[second]) < MIN_WORDS:  # never folded
            continue
        whole = share(shared, first, second, whole_words)
        if (
            whole >= CANDIDATE_WHOLE_OVERLAP
            or ((not own_words[first] or not own_words[second]) and whole >= CANDIDATE_OVERLAP)
            or (
                own_words[first]
                and own_words[second]
                and share(shared_own[(first, second)], first, second, own_words) >= CANDIDATE_OVERLAP
            )
        ):
            candidates.append((-whole, first, second))
    # Each unit keeps its `MAX_PARTNERS` closest candidates (most shared words first): a
    # template filled in by 16 notes makes 120 candidates, each compared with 8 at most.
    partners: dict[str, int] = defaultdict(int)
    pairs = set()
    for _, first, second in sorted(candidates):
        for path in (first, second):
            partners[path] += 1
            if partners[path] <= MAX_PARTNERS:
                pairs.add((first, second))
    return sorted(pairs)


def _verdict_key(first: Signature, second: Signature, boilerplate: set[int]) -> str:
    """What a verdict depends on: both notes' paragraphs and which of them are boilerplate."""
    digest = hashlib.blake2b(digest_size=12)
    for keys in (first, second, (first | second) & boilerplate):
        digest.update(b"|" + ",".join(map(str, sorted(keys))).encode("ascii"))
    return digest.hexdigest()


def complete_groups(pairs: list[tuple[float, str, str]]) -> list[list[str]]:
    """Groups in which every two notes are copies (each sorted, groups sorted).

    A chain (A copies B, B copies C, but A and C differ too much) is not one group: a
    fold shows one note of a group, so every note hidden must be a copy of every other.
    Pairs join closest first (complete linkage).
    """
    verified = {(first, second) for _, first, second in pairs}
    group_of: dict[str, list[str]] = {}
    for _, first, second in sorted(pairs):
        a = group_of.setdefault(first, [first])
        b = group_of.setdefault(second, [second])
        if a is b or not all((min(x, y), max(x, y)) in verified for x in a for y in b):
            continue
        a.extend(b)
        for path in b:
            group_of[path] = a
    unique = {id(group): group for group in group_of.values()}
    return sorted(sorted(group) for group in unique.values() if len(group) > 1)
