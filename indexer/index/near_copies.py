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
reads only the notes whose pairs changed. docs/duplicates.md has the measurements.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

# A paragraph in this many notes or more is boilerplate: it does not count as own text.
BOILERPLATE_NOTES = 3
# Paragraphs in more notes than this make no candidate pairs (a footer in hundreds of notes).
MAX_NOTES_PER_PARAGRAPH = 50
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
    present = {tuple(other[i : i + size]) for i in range(len(other) - size + 1)}
    covered = reach = 0
    for start in range(len(words) - size + 1):
        if tuple(words[start : start + size]) in present:
            end = start + size
            covered += end - max(start, reach)
            reach = end
    return (len(words) - covered) / len(words)


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
    # every candidate pair -> [own first, own second, whole first, whole second] differing
    figures: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    compared: int = 0  # pairs compared word by word this time (not from kept verdicts)
    notes_read: int = 0


def find_copies(
    signatures: Mapping[str, Iterable[int]],
    read_text: Callable[[str], str | None],
    known: Mapping[str, list[float]] | None = None,
) -> CopyFinding:
    """Groups of copies (each sorted, groups sorted; singletons left out).

    `read_text(path)` gives a note's plain text (None if it cannot be read now: then it is
    folded with nothing). `known` holds verdicts from the last commit.
    """
    sets = {path: frozenset(keys) for path, keys in signatures.items()}
    holders: dict[int, list[str]] = defaultdict(list)
    for path, keys in sets.items():
        for key in keys:
            holders[key].append(path)
    boilerplate = {key for key, paths in holders.items() if len(paths) >= BOILERPLATE_NOTES}
    pairs = _candidate_pairs(sets, holders)
    known = known or {}
    verdicts: dict[str, list[float]] = {}
    texts: dict[str, str | None] = {}
    finding = CopyFinding(groups=[], verdicts=verdicts)
    copies = []
    for first, second in pairs:
        key = _verdict_key(sets[first], sets[second], boilerplate)
        figures = known.get(key)
        if not (isinstance(figures, list) and len(figures) == 4):
            for path in (first, second):
                if path not in texts:
                    texts[path] = read_text(path)
                    finding.notes_read += 1
            first_text, second_text = texts[first], texts[second]
            if first_text is None or second_text is None:
                continue
            verdict = compare_texts(first_text, second_text, boilerplate)
            figures = [*verdict.own, *verdict.whole]
            finding.compared += 1
        verdicts[key] = finding.figures[(first, second)] = [round(float(value), 4) for value in figures]
        if _copies(figures):
            copies.append((max(figures), first, second))
    finding.groups = complete_groups(copies)
    return finding


def _candidate_pairs(
    sets: Mapping[str, Signature], holders: Mapping[int, list[str]]
) -> list[tuple[str, str]]:
    """Pairs worth comparing word by word: the paragraphs they share verbatim hold
    `CANDIDATE_OVERLAP` of both notes' own words (whole words when either has none of its
    own), or `CANDIDATE_WHOLE_OVERLAP` of both notes' whole words (a story saved three
    times). Counted from the signatures alone, paragraph by paragraph."""
    shared_whole: dict[tuple[str, str], int] = defaultdict(int)
    shared_own: dict[tuple[str, str], int] = defaultdict(int)
    own_words: dict[str, int] = defaultdict(int)
    for key, paths in holders.items():
        words = paragraph_words(key)
        if len(paths) < BOILERPLATE_NOTES:
            for path in paths:
                own_words[path] += words
        if 1 < len(paths) <= MAX_NOTES_PER_PARAGRAPH:
            for pair in itertools.combinations(sorted(paths), 2):
                shared_whole[pair] += words
                if len(paths) < BOILERPLATE_NOTES:
                    shared_own[pair] += words
    whole_words = {path: sum(paragraph_words(key) for key in keys) for path, keys in sets.items()}

    def share(shared: int, first: str, second: str, total: Mapping[str, int]) -> float:
        return shared / max(total[first], total[second], 1)

    pairs = []
    for (first, second), shared in shared_whole.items():
        if min(whole_words[first], whole_words[second]) < MIN_WORDS:
            continue
        if share(shared, first, second, whole_words) >= CANDIDATE_WHOLE_OVERLAP:
            pairs.append((first, second))
        elif not own_words[first] or not own_words[second]:
            if share(shared, first, second, whole_words) >= CANDIDATE_OVERLAP:
                pairs.append((first, second))
        elif share(shared_own[(first, second)], first, second, own_words) >= CANDIDATE_OVERLAP:
            pairs.append((first, second))
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
