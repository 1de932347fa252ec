"""Ranking: bonuses that reorder the notes a query matches, and a relaxed query for none.

A query's words must all match somewhere in a note; the matches are first ordered by
BM25F over the default fields (see `query.FIELD_BOOSTS`). `rerank` then gives the best
`RERANK_WINDOW` of them bonuses chosen by the known-item evaluation
(`benchmarks/relevance.py`), each worth the words' scores in one field again, times a boost:

- all the words in the title (as stems, and again as the exact forms typed), or all in
  the subtitle;
- every word in one short window of the body, in any order (a remembered detail usually
  comes from one paragraph, and not in the order its words are remembered), as stems
  and again as the exact forms typed;
- the words a note's title lacks in one short window of the body, when the title holds
  the others (a remembered subject and one detail);
- every word but one in the title (half a title remembered, and a detail);
- four to six words in two groups, each group in a short window of its own (two details
  of a story, from two of its paragraphs);
- a smaller bonus for the words in the order typed, near each other in the body (for two
  words, as much as the window);
- a quoted phrase exactly as typed, stop words and word endings included;
- every word as typed, the stop words typed too (which the index drops), within one
  short window of the note's text.

The index holds stems only: exact forms are checked in the text of the few best notes
(the stored title; the body, which the caller reads from the note file).

When no note has all the words, `relaxed_query` asks for notes with any of them, those
with more of the words first.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import NamedTuple

from whoosh import query as wq

from indexer.engine.bm25f import WordPostings
from indexer.index.schema import DEFAULT_SEARCH_FIELDS, EXACT_ANALYZER, TEXT_ANALYZER

# Only the best matches by BM25F are reranked: the bonuses read word positions, which
# for a common word in thousands of notes would cost more than the search itself.
RERANK_WINDOW = 100
# Exact forms are not indexed (that doubled the build); they are checked in the text of
# the notes, which means reading their bodies from disk. Only notes that an exact bonus
# could lift into the places asked for are read, best first, and at most this many.
EXACT_WINDOW = 30
# A note with every word in its title (or subtitle) gets the words' scores there again,
# times 2.5, and three times more if the title has them as typed.
ALL_WORDS_BOOST = 2.5
EXACT_TITLE_BOOST = 3.0
# Every word within a few positions of the others, in any order, counts as one
# remembered passage (users remember a detail, not the order of its words): such a note
# gets the words' body scores again, and 1.5 times more if the words are there as typed
# (the exact forms' own scores, rarer than their stems, were worth that when they were
# indexed). The window grows with the words: 15 positions for each word after the first
# (a paragraph of a news story is 40-60 words).
PASSAGE_SPAN_PER_WORD = 15
PASSAGE_BOOST = 1.0
# A note whose title holds some of the words (three or more in all) and whose body holds
# the others, two at least, within one passage, gets those others' body scores again: a
# remembered subject and one detail of the story (title word and body words, in any
# order: 0.811 -> 0.842 on query sets 11-13; title, body-shuffled within 0.01).
TITLE_AND_PASSAGE_BOOST = 1.0
# A note whose title holds every word but one (two at least), the note holding that one
# elsewhere, gets those words' title scores again, times this (less than all the words
# in the title get: half a title is weaker evidence than a whole one): half a title
# remembered and a detail of the story for the rest, which notes with one of the words
# in their title and all in one paragraph outscored. Query sets 11-13, title-half /
# title / subtitle / any-words-shuffled: none 0.821 / 0.977 / 0.984 / 0.698; 1.0 0.885 /
# - / - / -; 1.5 0.899 / 0.973 / 0.982 / 0.696; 2.0 0.904 / 0.971 / 0.982 / 0.696; 2.5
# 0.905 / 0.971 / 0.979 / 0.692 (2.5 lost subtitle 0.008 and any-words 0.010 on sets
# 1-5 and 7); mixed 0.837 -> 0.833 with 1.5.
MOST_OF_TITLE_BOOST = 1.5
EXACT_PASSAGE_BOOST = 1.5
# The stop words typed ("the if you enter") are not in the index; a note whose text holds
# every word as typed, the stop words too, within one passage gets the words' body scores
# again, times this: as much as a quoted phrase found as typed (any-words-shuffled, query
# sets 11-13: 0.610 with none, 0.671 with 1.5, 0.693 with 3.0, 0.709 with 6.0; no other
# kind has stop words).
STOP_WORDS_PASSAGE_BOOST = 3.0
# Four to six words split into two groups, two words at least each, each group within
# one passage of its own (two details of one story, from two of its paragraphs), get the
# words' body scores again, times this (the scattered kind, query sets 11-13: 0.828 with
# none, 0.875 with 1.0, 0.892 with 1.5, 0.898 with 2.0; subtitle 0.983 -> 0.981 -> 0.978).
TWO_PASSAGES_BOOST = 1.5
TWO_PASSAGES_MIN_WORDS = 4
TWO_PASSAGES_MAX_WORDS = 6
# The words in the order typed, each at most this many positions after the one before,
# get half their body scores again: less than a passage, so the typed order never
# outweighs all the words in one paragraph.
PROXIMITY_WINDOW = 25
PROXIMITY_BOOST = 0.5
EXACT_PROXIMITY_BOOST = 0.0
# Two words, though, near each other in any order are common, and in the order typed
# and as typed they are close to a phrase: for two words the typed order counts as much
# as the passage (scoped queries, two words and an author or month, measured 0.753 with
# 0.5 and 0.801 with this on query sets 11-13).
TWO_WORD_PROXIMITY_BOOST = 1.0
TWO_WORD_EXACT_PROXIMITY_BOOST = 1.5
# A quoted phrase found exactly as typed gets its words' scores again, tripled.
EXACT_PHRASE_BOOST = 3.0
# In a relaxed query each word found adds this much, more than any note's score for
# its words, so notes with more of the words always come first.
RELAXED_WORD_SCORE = 10_000.0

# Query operators, never words.
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})

# The text of one field of a note: (docnum, "title" or "body") -> the text, None if unknown.
FieldText = Callable[[int, str], str | None]


class Bonus(NamedTuple):
    """Notes with all `words` in `field` (in order, each at most `gap` positions after the
    one before, unless `gap` is None; with `span`, in any order within `span` positions)
    score the words' BM25 there again, times `boost`; and again, times `exact_boost`, when
    the field's text has the `exact` words as typed, placed the same way. (A NamedTuple,
    not a dataclass: ~1 M instructions to build instead of ~4.5 M on every search.)"""

    field: str
    words: tuple[str, ...]  # as indexed (stems)
    boost: float
    gap: int | None = None
    exact: tuple[str, ...] = ()  # as typed (lowercased, accents folded, stop words kept)
    exact_boost: float = 0.0
    span: int | None = None  # any order: first to last word at most this many positions
    # Only the words the note's title lacks (at least two, the title holding at least one)
    # need to be within the span: a remembered subject and a detail of the story.
    beside_title: bool = False
    # The words split into two groups, two words at least each, each group within one
    # passage of its own (two details of a story, from two of its paragraphs).
    two_passages: bool = False
    # Every word but one in the field (two at least), the note holding that one elsewhere
    # (a strict match holds every word): half a title and a detail.
    all_but_one: bool = False

    def placed(self, positions: Sequence[Sequence[int]]) -> bool:
        """True if the words (each word's positions, ascending) are placed as this bonus asks."""
        if self.span is not None:
            return _within_span(positions, self.span)
        return self.gap is None or _chained(positions, self.gap)


def ranking_bonuses(query: wq.Query, text: str) -> list[Bonus]:
    """The bonuses for `query`, parsed from `text`; none for scoped terms, ranges and negations."""
    bonuses = []
    terms: list[tuple[wq.Term, list[str]]] = []  # a word's stem query and its exact form
    for group in word_groups(query):
        body = field_clause(group, "body")
        words = _exact_words(body, text)
        if isinstance(body, wq.Phrase) and len(words) > 1:
            # The phrase's stems side by side (as the phrase query matched them) are worth
            # nothing more unless the words are there exactly as typed.
            bonuses.append(Bonus("body", tuple(body.words), 0.0, 1, tuple(words), EXACT_PHRASE_BOOST))
        elif type(body) is wq.Term:
            terms.append((body, words))
    stems = tuple(term.text for term, _ in terms)
    exact = tuple(words[0] for _, words in terms) if all(len(words) == 1 for _, words in terms) else ()
    stop_words = typed_stop_words(text) if exact and STOP_WORDS_PASSAGE_BOOST else ()
    with_stop_words = []
    if stop_words:
        # Every word as typed, the stop words too, within one passage of the body.
        every = tuple(dict.fromkeys((*exact, *stop_words)))
        with_stop_words.append(
            Bonus(
                "body",
                tuple(dict.fromkeys(stems)),
                0.0,
                exact=every,
                exact_boost=STOP_WORDS_PASSAGE_BOOST,
                span=passage_span(len(every)),
            )
        )
    if len(terms) < 2:
        return [*bonuses, *with_stop_words]
    # Title, subtitle and body share one analyzer, so the body's stems are theirs too.
    title_boost = EXACT_TITLE_BOOST if exact else 0.0
    passage_exact = tuple(dict.fromkeys(exact))
    unique = tuple(dict.fromkeys(stems))  # each stem once, in the order typed
    found = [
        *bonuses,
        Bonus("title", stems, ALL_WORDS_BOOST, None, exact, title_boost),
        Bonus("subtitle", stems, ALL_WORDS_BOOST),
    ]
    if len(unique) > 1:
        found.append(
            Bonus(
                "body",
                unique,
                PASSAGE_BOOST,
                exact=passage_exact if len(passage_exact) > 1 else (),
                exact_boost=EXACT_PASSAGE_BOOST if len(passage_exact) > 1 else 0.0,
                span=passage_span(len(unique)),
            )
        )
    if TITLE_AND_PASSAGE_BOOST and len(unique) > 2:
        found.append(Bonus("body", unique, TITLE_AND_PASSAGE_BOOST, span=0, beside_title=True))
    if MOST_OF_TITLE_BOOST and len(unique) > 2:
        found.append(Bonus("title", unique, MOST_OF_TITLE_BOOST, all_but_one=True))
    if TWO_PASSAGES_BOOST and TWO_PASSAGES_MIN_WORDS <= len(unique) <= TWO_PASSAGES_MAX_WORDS:
        found.append(Bonus("body", unique, TWO_PASSAGES_BOOST, span=0, two_passages=True))
    found += with_stop_words
    two = len(stems) == 2
    order_boost = TWO_WORD_PROXIMITY_BOOST if two else PROXIMITY_BOOST
    order_exact = TWO_WORD_EXACT_PROXIMITY_BOOST if two else EXACT_PROXIMITY_BOOST
    if order_boost or order_exact:
        body_boost = order_exact if exact else 0.0
        found.append(Bonus("body", stems, order_boost, PROXIMITY_WINDOW, exact, body_boost))
    return found


def typed_stop_words(text: str) -> tuple[str, ...]:
    """The stop words typed as words of the query (not quoted, not a field's value), in
    order: the index has no place for them, but a note's text does."""
    found = []
    quoted = False
    for token in text.split():
        starts_quoted = quoted
        quoted ^= token.count('"') % 2 == 1
        if starts_quoted or '"' in token or ":" in token or token[0] in "-+(" or token in _OPERATORS:
            continue
        word = token.strip(".,;!?)").lower()
        if word in TEXT_ANALYZER.stoplist:
            found.append(word)
    return tuple(found)


def passage_span(words: int) -> int:
    """Positions from the first to the last of `words` words that count as one passage."""
    return PASSAGE_SPAN_PER_WORD * (words - 1)


def rerank(
    searcher,
    ranked: Sequence[tuple[float, int]],
    bonuses: Sequence[Bonus],
    field_text: FieldText | None = None,
    needed: int | None = None,
    postings: WordPostings | None = None,
    *,
    alone: bool = False,
) -> tuple[list[tuple[float, int]], dict[int, list[tuple[str, float]]]]:
    """`ranked` ((score, docnum), best first) with the bonuses added to its first
    `RERANK_WINDOW` entries, which are then sorted again; the rest keep their order.

    Exact forms are checked in the text that `field_text` gives (without it, not at all),
    only for the notes whose exact bonuses could bring them into the first `needed`
    places (None: any).

    Also returns, for each note that got one, its bonuses as (description, score), so
    that an explanation adds up to the final score. `postings`, what the search read of
    its words' postings (see `engine/bm25f.py`), saves reading them again. A lone match
    gets its bonuses only with `alone` (near misses may join it and are compared with its
    score: without them, a note with every word in its title or one passage would be
    passed as if it had none).
    """
    head, tail = list(ranked[:RERANK_WINDOW]), list(ranked[RERANK_WINDOW:])
    if not bonuses or len(head) < (1 if alone else 2):
        return [*head, *tail], {}
    scores = {docnum: score for score, docnum in head}
    given: dict[int, list[tuple[str, float]]] = {}
    exact_checks: list[tuple[Bonus, int, float]] = []  # a bonus, a note, the words' scores there
    docnums = sorted(scores)
    found_postings = _head_postings(searcher, bonuses, docnums, postings)
    for bonus in bonuses:
        found = [found_postings[bonus.field, word] for word in bonus.words]
        if bonus.beside_title:
            titles = [found_postings["title", word] for word in bonus.words]
            _add_beside_title(bonus, found, titles, docnums, scores, given)
            continue
        if bonus.two_passages:
            _add_two_passages(bonus, found, docnums, scores, given)
            continue
        if bonus.all_but_one:
            _add_all_but_one(bonus, found, docnums, scores, given)
            continue
        placed = bonus.gap is not None or bonus.span is not None
        for docnum in docnums:
            at = [by_doc.get(docnum) for by_doc in found]
            if None not in at and (not placed or bonus.placed([positions for _, positions in at])):
                words_score = sum(score for score, _ in at)
                if bonus.boost:
                    scores[docnum] += bonus.boost * words_score
                    given.setdefault(docnum, []).append((describe(bonus), bonus.boost * words_score))
                if bonus.exact and bonus.exact_boost:
                    # A check worth nothing would read the note's body for nothing.
                    exact_checks.append((bonus, docnum, words_score))
    if exact_checks and field_text is not None:
        _add_exact_bonuses(scores, given, exact_checks, field_text, needed or len(head))
    # Sorted by score alone: notes of equal score keep the order they came in (see `ties`).
    head = sorted(((score, docnum) for docnum, score in scores.items()), key=lambda item: -item[0])
    return [*head, *tail], given


def _add_beside_title(
    bonus: Bonus,
    found: list[dict[int, tuple[float, Sequence[int]]]],
    titles: list[dict[int, tuple[float, Sequence[int]]]],
    docnums: Sequence[int],
    scores: dict[int, float],
    given: dict[int, list[tuple[str, float]]],
) -> None:
    """The `beside_title` bonus: for each note whose title holds some of the words, the
    others (two or more) within one passage of the body (`found`: each word's body
    postings; `titles`: its title postings, as `_head_postings` reads them)."""
    for docnum in docnums:
        titled = [docnum in by_doc for by_doc in titles]
        if not any(titled) or all(titled):
            continue
        rest = [by_doc.get(docnum) for by_doc, here in zip(found, titled, strict=True) if not here]
        if len(rest) < 2 or None in rest:
            continue
        if _within_span([positions for _, positions in rest], passage_span(len(rest))):
            value = bonus.boost * sum(score for score, _ in rest)
            scores[docnum] += value
            label = f"the words beside the title in one passage of {bonus.field}"
            given.setdefault(docnum, []).append((label, value))


def _add_two_passages(
    bonus: Bonus,
    found: list[dict[int, tuple[float, Sequence[int]]]],
    docnums: Sequence[int],
    scores: dict[int, float],
    given: dict[int, list[tuple[str, float]]],
) -> None:
    """The `two_passages` bonus: for each note whose body holds every word, the words
    split into two groups (two words at least each), each within a passage of its own.
    Notes with all the words in one passage usually earn it too (counting it only for
    the others measured worse: body 0.952 -> 0.938, body-shuffled 0.913 -> 0.893)."""
    for docnum in docnums:
        at = [by_doc.get(docnum) for by_doc in found]
        if None in at:
            continue
        positions = [places for _, places in at]
        if _in_two_passages(positions):
            value = bonus.boost * sum(score for score, _ in at)
            scores[docnum] += value
            given.setdefault(docnum, []).append((f"the words in two passages of {bonus.field}", value))


def _add_all_but_one(
    bonus: Bonus,
    found: list[dict[int, tuple[float, Sequence[int]]]],
    docnums: Sequence[int],
    scores: dict[int, float],
    given: dict[int, list[tuple[str, float]]],
) -> None:
    """The `all_but_one` bonus: for each note whose field (the title) holds every word but
    one, two at least (`found`: each word's postings there), those words' scores again.
    The notes are strict matches: the word the field lacks is elsewhere in the note."""
    for docnum in docnums:
        at = [by_doc.get(docnum) for by_doc in found]
        held = [score for score, _ in filter(None, at)]
        if len(held) == len(at) - 1 and len(held) >= 2:
            value = bonus.boost * sum(held)
            scores[docnum] += value
            given.setdefault(docnum, []).append((describe(bonus), value))


def _in_two_passages(positions: Sequence[Sequence[int]]) -> bool:
    """True if the words (each word's positions, ascending) split into two groups of two
    or more, each group within `passage_span` of its size."""
    words = range(len(positions))
    first = 0  # the first word is in the first group: each split is tried once
    for size in range(1, len(positions) - 1):
        for others in combinations(words[1:], size):
            group = (first, *others)
            rest = [word for word in words if word not in group]
            if len(rest) < 2:
                continue
            if _within_span([positions[word] for word in group], passage_span(len(group))) and _within_span(
                [positions[word] for word in rest], passage_span(len(rest))
            ):
                return True
    return False


def _head_postings(
    searcher, bonuses: Sequence[Bonus], docnums: Sequence[int], postings: WordPostings | None = None
) -> dict[tuple[str, str], dict[int, tuple[float, Sequence[int]]]]:
    """For each (field, word) of the bonuses, the notes of `docnums` (ascending) that have
    it: docnum -> (the word's score there, its positions if a bonus places the words).

    Each posting list is read once, however many bonuses share it (the body's words
    serve the passage, typed-order and phrase bonuses alike), and not at all when the
    search kept what it read of it (`postings`)."""
    placed_fields = {bonus.field for bonus in bonuses if bonus.gap is not None or bonus.span is not None}
    context = searcher.context()
    found: dict[tuple[str, str], dict[int, tuple[float, Sequence[int]]]] = {}
    wanted = [(bonus.field, word) for bonus in bonuses for word in bonus.words]
    # The subject-and-detail bonus also asks which words each title holds.
    wanted += [("title", word) for bonus in bonuses if bonus.beside_title for word in bonus.words]
    for field, word in wanted:
        if (field, word) in found:
            continue
        with_positions = field in placed_fields
        if postings is not None and postings.knows(field, word, docnums, positions=with_positions):
            kept = found[field, word] = {}
            for docnum in docnums:
                score = postings.score(field, word, docnum)
                if score is not None:
                    kept[docnum] = (score, postings.positions(field, word, docnum) if with_positions else ())
            continue
        matcher = wq.Term(field, word).matcher(searcher, context)
        by_doc = found[field, word] = {}
        for docnum in docnums:
            if not _all_at([matcher], docnum):
                if not matcher.is_active():
                    break
                continue
            positions = matcher.value_as("positions") if with_positions else ()
            by_doc[docnum] = (matcher.score(), positions)
    return found


def describe(bonus: Bonus, *, as_typed: bool = False) -> str:
    """A bonus in words: `all words in title`, `words near each other in body (as typed)`."""
    if bonus.all_but_one:
        return f"all words but one in {bonus.field}"
    if bonus.gap == 1:
        kind = f'phrase "{" ".join(bonus.exact if as_typed else bonus.words)}" in {bonus.field}'
    elif bonus.gap is not None:
        kind = f"words near each other in {bonus.field}"
    else:
        kind = f"all words in {bonus.field}"
    if as_typed and len(bonus.exact) > len(bonus.words) and bonus.gap != 1:
        return kind + " (as typed, stop words included)"
    return kind + (" (as typed)" if as_typed else "")


def _add_exact_bonuses(
    scores: dict[int, float],
    given: dict[int, list[tuple[str, float]]],
    checks: list[tuple[Bonus, int, float]],
    field_text: FieldText,
    needed: int,
) -> None:
    """Add to `scores` (docnum -> score) the exact bonuses that can change the first
    `needed` places. Titles (stored in the index) are checked first, for every note;
    bodies (read from the notes) highest possible score first, until no note left could
    reach those places: the first `needed` places are then those that checking every note
    would give (unless `EXACT_WINDOW` bodies were read first)."""
    in_body: dict[int, list[tuple[Bonus, float]]] = {}
    for bonus, docnum, words_score in checks:
        if bonus.field == "body":
            in_body.setdefault(docnum, []).append((bonus, words_score))
        elif _has_exact_words(field_text(docnum, bonus.field), bonus):
            _add(scores, given, docnum, bonus, words_score)
    ceiling = {
        docnum: scores[docnum] + sum(bonus.exact_boost * words_score for bonus, words_score in items)
        for docnum, items in in_body.items()
    }
    by_ceiling = sorted(in_body, key=lambda docnum: (-ceiling[docnum], docnum))
    for docnum in by_ceiling[:EXACT_WINDOW]:
        # Scores only grow: `needed` notes already above this one's highest possible score
        # keep it, and every note after it, out of the first `needed` places.
        if len(scores) >= needed and ceiling[docnum] < heapq.nlargest(needed, scores.values())[-1]:
            break
        for bonus, words_score in _with_exact_words(field_text(docnum, "body"), in_body[docnum]):
            _add(scores, given, docnum, bonus, words_score)


def _add(
    scores: dict[int, float],
    given: dict[int, list[tuple[str, float]]],
    docnum: int,
    bonus: Bonus,
    words_score: float,
) -> None:
    value = bonus.exact_boost * words_score
    scores[docnum] += value
    given.setdefault(docnum, []).append((describe(bonus, as_typed=True), value))


def relaxed_query(query: wq.Query) -> wq.Query | None:
    """Notes with any of the query's words, more words first; None for fewer than two words.

    Everything else in the query (field scopes, dates, negations) still has to match.
    """
    groups = word_groups(query)
    if len(groups) < 2:
        return None
    rest = [part for part in query.subqueries if not any(part is group for group in groups)]
    # Each word counts once, whatever its score: a constant-score copy beside it.
    any_word = wq.Or(
        [clause for group in groups for clause in (wq.ConstantScoreQuery(group, RELAXED_WORD_SCORE), group)]
    )
    return wq.And([*rest, any_word]) if rest else any_word


def word_groups(query: wq.Query) -> list[wq.Or]:
    """The query's unscoped words (or quoted phrases), in order: the parser turns each into
    an `Or` of the same word in every default field. Scoped terms, ranges and negations
    are not words here."""
    parts = query.subqueries if isinstance(query, wq.And) else [query]
    return [part for part in parts if _is_word_group(part)]


def field_clause(group: wq.Or, field: str) -> wq.Query | None:
    """The group's query in one field, or None."""
    return next((sub for sub in group.subqueries if sub.field() == field), None)


def _all_at(matchers: list, docnum: int) -> bool:
    """Move every matcher (they only go forward) to `docnum`; True if all are there."""
    for matcher in matchers:
        if matcher.is_active() and matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active() or matcher.id() != docnum:
            return False
    return True


def _chained(positions: Sequence[Sequence[int]], gap: int) -> bool:
    """True if the words occur in order, each 1 to `gap` positions after the one before:
    `positions` holds each word's positions, ascending."""
    reachable = positions[0]
    for positions_of_word in positions[1:]:
        reachable = [
            position
            for position in positions_of_word
            if (index := bisect_left(reachable, position - gap)) < len(reachable)
            and reachable[index] < position
        ]
        if not reachable:
            return False
    return True


def _within_span(positions: Sequence[Sequence[int]], span: int) -> bool:
    """True if one window of at most `span` positions (last minus first) holds every word,
    in any order (`positions` holds each distinct word's positions, ascending): a window
    slides over the merged positions, as for the smallest window holding every word."""
    merged = sorted((position, word) for word, places in enumerate(positions) for position in places)
    seen = [0] * len(positions)
    missing = len(positions)
    left = 0
    for position, word in merged:
        seen[word] += 1
        missing -= seen[word] == 1
        while missing == 0:
            first, first_word = merged[left]
            if position - first <= span:
                return True
            seen[first_word] -= 1
            missing += seen[first_word] == 0
            left += 1
    return False


def _has_exact_words(text: str | None, bonus: Bonus) -> bool:
    """True if `text` has the bonus's exact words (chained by its gap, if it has one)."""
    places = EXACT_ANALYZER.positions(text, bonus.exact) if text else {}
    if not places:
        return False
    return bonus.placed([places[word] for word in bonus.exact])


def _with_exact_words(text: str | None, checks: list[tuple[Bonus, float]]) -> list[tuple[Bonus, float]]:
    """The `checks` (a bonus, a score) whose bonus `_has_exact_words` in `text`, in order:
    the text's words are found once for all of them (a note may have three exact checks:
    the passage's, the typed order's, the stop words')."""
    if not text:
        return []
    lowered = text.lower() if text.isascii() else None
    # A word missing from the text rules its check out without finding every word.
    hopeful = [
        check for check in checks if lowered is None or all(word in lowered for word in check[0].exact)
    ]
    if not hopeful:
        return []
    places = EXACT_ANALYZER.found_positions(text, {word for bonus, _ in hopeful for word in bonus.exact})
    return [
        (bonus, words_score)
        for bonus, words_score in hopeful
        if all(word in places for word in bonus.exact)
        and bonus.placed([places[word] for word in bonus.exact])
    ]


def _exact_words(query: wq.Query | None, text: str) -> list[str]:
    """The words of the query text a term or phrase was parsed from, as written."""
    if getattr(query, "char_ranges", None):
        start, end = query.char_ranges[0][0], query.char_ranges[-1][1]
    elif getattr(query, "startchar", None) is not None:
        start, end = query.startchar, query.endchar
    else:
        return []  # e.g. a word that split into parts (`T-Mobile`)
    return [token.text for token in EXACT_ANALYZER(text[start:end])]


def _is_word_group(query: wq.Query) -> bool:
    if not isinstance(query, wq.Or) or len(query.subqueries) < 2:
        return False
    subs = query.subqueries
    if not all(sub.is_leaf() and sub.field() in DEFAULT_SEARCH_FIELDS for sub in subs):
        return False
    # One word typed once: the same place in the query text in every field
    # (`title:a OR body:b` also spans two fields, but two places).
    places = {(getattr(sub, "startchar", None), str(getattr(sub, "char_ranges", None))) for sub in subs}
    return len(places) == 1 and len({sub.field() for sub in subs}) > 1
