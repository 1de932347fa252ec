"""Soft AND: notes that lack one word of a plain query of three or more words, but hold
all the others within one passage of their body, rank among the notes with every word.

Users remember a detail of a note with one word wrong as often as they mistype one
(`wrong-word` in `benchmarks/relevance.py`). A strict AND then returns only the notes
that hold all the words somewhere, often scattered common words, and never the note whose
one paragraph holds the others. Web search engines answer this with a soft AND: Lucene's
`minimum_should_match` of n-1 with a coordination factor. Here:

- only for a query of `MIN_WORDS` or more plain words (unscoped, unquoted, no operators,
  no negation, no date; not `--exact`, not sorted by date), with at least one note
  holding every word (else the relaxed fallback, "notes with most of the words", answers);
- a near miss holds every word but one in its body within one passage (the same window
  as `ranking.passage_span` gives that many words);
- it scores its words' body scores twice (`NEAR_BOOST`: as BM25F and the passage bonus
  score them for a note with every word in one passage), and up to `PROXIMITY` times
  more the closer they are (all side by side: the whole bonus; spread over the whole
  passage: none), less `MISSING_PENALTY` times the lacking word's idf;
- it never passes a note with every word in one passage, in its title, in two passages
  or beside its title (the rerank's bonuses); a note whose body holds every word
  elsewhere it passes only when its score is above that note's plus what that note's
  closest passage of all its words but one is worth measured the same way (passage
  bonus and closeness): three words in one sentence pass four strewn over a long body,
  and never four as close (MaxP, a note judged by its best passage, with the strict
  AND's extra word kept as the stronger evidence);
- at most `MAX_NEAR_MISSES` join; the count, facets and timeline are the strict query's.

When no note has every word, the relaxed fallback's notes whose words but one lie in one
passage get the passage bonus on those words, and more the closer they are. The
candidates are read from the two rarest words' body postings (a note lacking one word
has one of them).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from whoosh import query as wq

from indexer.engine.bm25f import WordPostings, read_words
from indexer.search.ranking import (
    PASSAGE_BOOST,
    RERANK_WINDOW,
    _exact_words,
    _within_span,
    field_clause,
    passage_span,
    word_groups,
)

MIN_WORDS = 3
MAX_WORDS = 8
# The lacking word's idf, this many times, is taken from the words' body scores before
# they are multiplied (the body score of one occurrence of a word is about its idf times
# 1.2-1.6). Query sets 11-13, wrong-word / scattered / mixed: 2.0 outside the multiplier
# 0.668 / 0.877 / 0.824; 1.0 inside 0.658 / 0.880 / 0.836; 2.0 inside 0.621 / 0.882 / 0.837.
MISSING_PENALTY = 1.0
# Near misses joining the ranked notes, at most.
MAX_NEAR_MISSES = 10
# The two rarest words' notes read at most (a query of common words only is not worth it).
MAX_CANDIDATES = 3000
# The words a near miss holds lie within this many times `ranking.passage_span` of them.
NEAR_SPAN = 1.0
# A near miss scores its words' body scores this many times (a note with every word in
# one passage has them twice: BM25F and the passage bonus).
NEAR_BOOST = 1 + PASSAGE_BOOST
# And up to this many times more, the closer its words: all of them side by side count
# it whole, spread over the whole passage nothing (`_closeness`). Three words in one
# sentence say more than three in a paragraph, as a short paragraph holding them does
# for passage retrieval's bm25 (wrong-word, query sets 11-13: 0.602 without, 0.646 with
# 1.0, 0.664 with 2.0, 0.689 with 4.0).
PROXIMITY = 4.0
# When no note has every word, a note with every word but one in one passage gets the
# passage bonus on those words, and up to this many times more the closer they are, as a
# near miss does: three words in one sentence say more than three in a paragraph
# (wrong-word, query sets 11-13: 0.651 without, 0.673 with 2.0, 0.680 with 4.0, 0.681 with
# 8.0; sentence-changed 0.877 -> 0.902 with 4.0, typo 0.938 -> 0.933).
RELAXED_PROXIMITY = PROXIMITY
# Passing a note whose body holds every word costs the lacking word this many times its
# idf more (scattered, query sets 11-13: 0.880 without, 0.882 with 2.0; wrong-word 0.658,
# 0.651).
PASS_PENALTY = 2.0
# A near miss never ranks above a note with one of these bonuses (`ranking.rerank`'s labels).
_PROTECTED = frozenset(
    {
        "all words in body",
        "all words in title",
        "all words in subtitle",
        "the words in two passages of body",
        "the words beside the title in one passage of body",
        "all words but one in title",
    }
)


@dataclass(frozen=True, slots=True)
class NearMissQuery:
    """The query's words as indexed (stems) and as typed, in query order."""

    stems: tuple[str, ...]
    typed: tuple[str, ...]
    body_boosts: tuple[float, ...] = ()
    # The words as typed, ranked beside a correction's hits: only when every one is in the
    # index (the correction of a word in no note is no guess: no near miss joins it).
    corrected: bool = False


def near_miss_query(parsed: wq.Query, text: str) -> NearMissQuery | None:
    """The words of `parsed` (from `text`) if soft AND applies to it, else None: three to
    eight distinct plain words, nothing else (no field scope, quote, operator or date)."""
    if '"' in text or not isinstance(parsed, wq.And):
        return None
    groups = word_groups(parsed)
    if len(groups) != len(parsed.subqueries) or not MIN_WORDS <= len(groups) <= MAX_WORDS:
        return None
    stems, typed = [], []
    for group in groups:
        body = field_clause(group, "body")
        if type(body) is not wq.Term or not all(type(sub) is wq.Term for sub in group.subqueries):
            return None
        stems.append(body.text)
        typed.append(" ".join(_exact_words(body, text)) or body.text)
    if len(set(stems)) != len(stems):
        return None
    boosts = tuple(field_clause(group, "body").boost for group in groups)
    return NearMissQuery(tuple(stems), tuple(typed), boosts)


def near_misses(
    searcher,
    words: NearMissQuery,
    ranked: Sequence[tuple[float, int]],
    given: dict[int, list[tuple[str, float]]],
    window: int,
    *,
    relaxed: bool = False,
    postings: WordPostings | None = None,
) -> tuple[list[tuple[float, int]], dict[int, str]]:
    """`ranked` (every strict match, best first, its first `window` reranked) with the near
    misses merged into that head; and for each near miss, the word it lacks (as typed).
    `given` (a note's bonuses) gets each near miss's penalty, for `--explain`.

    `relaxed`: `ranked` are the notes with most of the words (no note has them all); those
    whose words but one lie within one passage get the passage bonus on those words.

    `postings` (what the search read of its words' postings) saves reading them again;
    what is read here is added to it."""
    reader = searcher.reader()
    count = len(words.stems)
    frequencies = [reader.doc_frequency("body", stem) for stem in words.stems]
    if words.corrected and 0 in frequencies:
        return list(ranked), {}
    by_rarity = sorted(range(count), key=lambda index: (frequencies[index], index))
    # A note lacking one word holds one of the two rarest.
    firsts = by_rarity[:2]
    if sum(frequencies[index] for index in firsts) > MAX_CANDIDATES or frequencies[by_rarity[1]] == 0:
        return list(ranked), {}
    strict = set() if relaxed else {docnum for _, docnum in ranked}
    postings = WordPostings() if postings is None else postings
    read_words(searcher, "body", [words.stems[index] for index in firsts], postings)
    read = {index: postings.scores("body", words.stems[index]) for index in firsts}
    candidates = sorted(set().union(*read.values()) - strict)
    others = [index for index in range(count) if index not in read]
    # The other words are read for the candidates only (the blocks without one skipped).
    read_words(searcher, "body", [words.stems[index] for index in others], postings, candidates)
    read.update((index, postings.scores("body", words.stems[index])) for index in others)
    doc_count = reader.doc_count_all()
    found: list[tuple[float, int, int]] = []  # (score, docnum, the index of the lacking word)
    span = int(NEAR_SPAN * passage_span(count - 1))
    # Each note lacking exactly one word, with the most its score can be (its words side
    # by side): their positions are read best bound first, and no longer once no note left
    # can reach the `MAX_NEAR_MISSES` best (the relaxed fallback keeps every one).
    lacking_one: list[tuple[float, int, list[float], list[int], int]] = []
    idfs = [_idf(doc_count, frequency) for frequency in frequencies]
    # Most candidates hold one or two of the words: counted in C, only those holding all
    # but one are looked at word by word.
    held: Counter[int] = Counter()
    within = set(candidates)
    for notes in read.values():
        held.update(within.intersection(notes))
    for docnum in [docnum for docnum in candidates if held[docnum] == count - 1]:
        scores, holding, lacking = [], [], []
        for index in range(count):
            here = read[index].get(docnum)
            if here is None:
                lacking.append(index)
                if len(lacking) > 1:
                    break
            else:
                scores.append(words.body_boosts[index] * here)
                holding.append(index)
        if len(lacking) != 1:
            continue
        missing = lacking[0]
        bound = math.inf if relaxed else _bound(sum(scores) - MISSING_PENALTY * idfs[missing])
        lacking_one.append((bound, docnum, scores, holding, missing))
    if not relaxed:
        lacking_one.sort(key=lambda item: (-item[0], item[1]))
    best: list[tuple[float, int]] = []  # the `MAX_NEAR_MISSES` best (score, -docnum) so far, a heap
    for bound, docnum, scores, holding, missing in lacking_one:
        if len(best) == MAX_NEAR_MISSES and bound < best[0][0]:
            break  # every note left scores below the best ten found
        positions = [_positions(searcher, postings, words.stems[index], docnum) for index in holding]
        if not _within_span(positions, span):
            continue
        frequency = frequencies[missing]
        idf = _idf(doc_count, frequency)
        close = _closeness(positions, span)
        # The lacking word counts against the words held, at the same weight.
        score = (NEAR_BOOST + PROXIMITY * close) * (sum(scores) - MISSING_PENALTY * idf)
        if relaxed:
            score = (PASSAGE_BOOST + RELAXED_PROXIMITY * close) * sum(scores)
        found.append((score, docnum, missing))
        if not relaxed:
            if len(best) < MAX_NEAR_MISSES:
                heapq.heappush(best, (score, -docnum))
            else:
                heapq.heappushpop(best, (score, -docnum))
    if not found:
        return list(ranked), {}
    if relaxed:
        return _relaxed(ranked, found, words, given)
    found.sort(key=lambda item: (-item[0], item[1]))
    found = found[:MAX_NEAR_MISSES]
    if not found:
        return list(ranked), {}
    head, tail = list(ranked[:window]), list(ranked[window:])
    # Passing a note with every word costs the lacking word again, `PASS_PENALTY` times its idf.
    passing = [score - PASS_PENALTY * _idf(doc_count, frequencies[missing]) for score, _, missing in found]
    ceilings = _ceilings(searcher, words, head, given, passing, postings, found[0][0])
    lacks: dict[int, str] = {}
    for (score, docnum, missing), ceiling in zip(found, ceilings, strict=True):
        placed = min(score, math.nextafter(ceiling, -math.inf))
        head.append((placed, docnum))
        lacks[docnum] = words.typed[missing]
        given.setdefault(docnum, []).append((f"most words: lacks {words.typed[missing]}", placed))
    head.sort(key=lambda item: -item[0])
    return [*head, *tail], lacks


def could_reach(
    ranked: Sequence[tuple[float, int]],
    given: dict[int, list[tuple[str, float]]],
    wanted: int | None,
    shown: Callable[[Sequence[tuple[float, int]]], int] = len,
) -> bool:
    """Whether a near miss could be among the first `wanted` hits (None: all) of `ranked`
    (the strict matches, reranked; `given`: their bonuses), `shown(prefix)` being how many
    hits a prefix of `ranked` makes (fewer when copies fold into a better note).

    A near miss never passes a note of the head with one of the `_PROTECTED` bonuses (see
    `_ceilings`; a note whose body holds every word elsewhere it may pass): when every
    note before the page's end has one, the page is the same with or without near misses,
    and their postings need not be read."""
    if wanted is None:
        return True
    protected = 0
    for _, docnum in ranked[:RERANK_WINDOW]:
        if not any(label in _PROTECTED for label, _ in given.get(docnum, ())):
            break
        protected += 1
    return protected < wanted or shown(ranked[:protected]) < wanted


def _relaxed(
    ranked: Sequence[tuple[float, int]],
    found: list[tuple[float, int, int]],
    words: NearMissQuery,
    given: dict[int, list[tuple[str, float]]],
) -> tuple[list[tuple[float, int]], dict[int, str]]:
    """The relaxed `ranked` with each `found` note's bonus (its words but one in one passage)
    added, in order again."""
    bonus = {docnum: (score, missing) for score, docnum, missing in found}
    rescored = []
    for score, docnum in ranked:
        if docnum in bonus:
            value, missing = bonus[docnum]
            score += value
            given.setdefault(docnum, []).append(
                (f"words but {words.typed[missing]} in one passage of body", value)
            )
        rescored.append((score, docnum))
    rescored.sort(key=lambda item: -item[0])  # stable: equal notes keep their order
    # The result says its hits are the notes with most of the words: no hit is marked.
    return rescored, {}


def _ceilings(
    searcher,
    words: NearMissQuery,
    head: Sequence[tuple[float, int]],
    given: dict[int, list[tuple[str, float]]],
    near: Sequence[float],
    postings: WordPostings,
    best: float,
) -> list[float]:
    """For each near miss's score in `near`, the lowest score of a note of `head` it may
    not pass (inf: none). No near miss passes a note with one of the `_PROTECTED` bonuses
    (every word in one passage or in its title, two passages, the subject and a detail);
    nor a note whose body holds every word, unless the near miss's score is above that
    note's plus the note's own evidence measured the near miss's way (`_evidence`: its
    closest passage of every word, or of every word but one). So three words side by side
    pass four strewn over a long body, and never four as close. Only notes below the best
    near miss need looking at."""
    hard = math.inf
    at_risk = []
    for score, docnum in head:
        if any(label in _PROTECTED for label, _ in given.get(docnum, ())):
            hard = min(hard, score)
        elif score < best:
            at_risk.append((docnum, score))
    guarded: list[tuple[float, float]] = []  # (score, score with its passage evidence)
    if at_risk:
        read_words(searcher, "body", words.stems, postings, [docnum for docnum, _ in at_risk])
        holding = [postings.scores("body", stem) for stem in words.stems]
        for docnum, score in at_risk:
            if score < hard and all(docnum in notes for notes in holding):
                scores = [
                    boost * notes[docnum] for boost, notes in zip(words.body_boosts, holding, strict=True)
                ]
                positions = [_positions(searcher, postings, stem, docnum) for stem in words.stems]
                guarded.append((score, score + _evidence(scores, positions)))
    return [
        min(hard, min((score for score, total in guarded if total >= value), default=math.inf))
        for value in near
    ]


def _evidence(scores: Sequence[float], positions: Sequence[Sequence[int]]) -> float:
    """What a note holding every word, though not in one passage (their body `scores` and
    `positions`), would gain as a near miss does from its closest passage of all its
    words but one: the passage bonus and the closeness bonus on those words."""
    count = len(scores)
    best = 0.0
    for left_out in range(count):
        kept = [index for index in range(count) if index != left_out]
        close = _closeness([positions[index] for index in kept], passage_span(count - 1))
        if close > 0:
            best = max(best, (PASSAGE_BOOST + PROXIMITY * close) * sum(scores[index] for index in kept))
    return best


def _bound(held: float) -> float:
    """The highest score a near miss whose words' body scores less its lacking word's idf
    are `held` can get, whatever its words' closeness (0 to 1): computed as its score is,
    so no rounding puts a score above it."""
    return max((NEAR_BOOST + PROXIMITY * 1.0) * held, (NEAR_BOOST + PROXIMITY * 0.0) * held)


def _idf(doc_count: int, frequency: int) -> float:
    return math.log(1 + (doc_count - frequency + 0.5) / (frequency + 0.5))


def _closeness(positions: Sequence[Sequence[int]], span: int) -> float:
    """1 for words side by side (each word's positions, ascending), falling to 0 for
    words `span` positions apart or more: 1 - the smallest window holding them all / span."""
    merged = sorted((position, word) for word, places in enumerate(positions) for position in places)
    seen = [0] * len(positions)
    missing = len(positions)
    left = 0
    smallest = span
    for position, word in merged:
        seen[word] += 1
        missing -= seen[word] == 1
        while missing == 0:
            first, first_word = merged[left]
            smallest = min(smallest, position - first)
            seen[first_word] -= 1
            missing += seen[first_word] == 0
            left += 1
    return max(0.0, 1 - smallest / span) if span > 0 else 0.0


def _positions(searcher, postings: WordPostings, stem: str, docnum: int) -> list[int]:
    """The body positions of `stem` in note `docnum`, which has it: from the blocks read,
    or (postings not read a block at a time) from Whoosh's matcher."""
    found = postings.read_positions("body", stem, docnum)
    if found is not None:
        return found
    matcher = wq.Term("body", stem).matcher(searcher, searcher.context())
    matcher.skip_to(docnum)
    return list(matcher.value_as("positions"))
