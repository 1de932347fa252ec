"""Ranking: bonuses that reorder the notes a query matches, and a relaxed query for none.

A query's words must all match somewhere in a note; the matches are first ordered by
BM25F over the default fields (see `query.FIELD_BOOSTS`). `rerank` then gives the best
`RERANK_WINDOW` of them bonuses chosen by the known-item evaluation
(`benchmarks/relevance.py`), each worth the words' scores in one field again, times a boost:

- all the words in the title (as stems, and again as the exact forms typed), or all in
  the subtitle;
- the words near each other, in the order typed, in the body (a remembered detail
  usually comes from one paragraph), as stems and again as the exact forms typed;
- a quoted phrase exactly as typed, stop words and word endings included.

When no note has all the words, `relaxed_query` asks for notes with any of them, those
with more of the words first.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh import query as wq

from indexer.schema import DEFAULT_SEARCH_FIELDS, EXACT_ANALYZER

# Only the best matches by BM25F are reranked: the bonuses read word positions, which
# for a common word in thousands of notes would cost more than the search itself.
RERANK_WINDOW = 100
# A note with every word in its title (or subtitle) gets the words' scores there again,
# doubled, and once more if the title has them as typed.
ALL_WORDS_FIELDS = ("title", "subtitle")
ALL_WORDS_BOOST = 2.0
# Words within this many positions of each other, in order, count as one remembered
# passage; such a note gets the words' body scores again, once for the stems and once
# more if the words are there as typed.
PROXIMITY_WINDOW = 25
PROXIMITY_BOOST = 1.0
EXACT_PROXIMITY_BOOST = 1.0
# A quoted phrase found exactly as typed gets its words' scores again, tripled.
EXACT_PHRASE_BOOST = 3.0
# In a relaxed query each word found adds this much, more than any note's score for
# its words, so notes with more of the words always come first.
RELAXED_WORD_SCORE = 10_000.0
EXACT_TITLE_FIELD = "title_exact"
EXACT_BODY_FIELD = "body_exact"


@dataclass(frozen=True, slots=True)
class Bonus:
    """Notes with all `words` in `field` (in order, each at most `gap` positions after the
    one before, unless `gap` is None) score the words' BM25 there again, times `boost`."""

    field: str
    words: tuple[str, ...]
    boost: float
    gap: int | None = None


def ranking_bonuses(query: wq.Query, text: str) -> list[Bonus]:
    """The bonuses for `query`, parsed from `text`; none for scoped terms, ranges and negations."""
    bonuses = []
    terms: list[tuple[wq.Term, list[str]]] = []  # a word's stem query and its exact form
    for group in word_groups(query):
        body = field_clause(group, "body")
        words = _exact_words(body, text)
        if isinstance(body, wq.Phrase) and len(words) > 1:
            bonuses.append(Bonus(EXACT_BODY_FIELD, tuple(words), EXACT_PHRASE_BOOST, gap=1))
        elif type(body) is wq.Term:
            terms.append((body, words))
    if len(terms) < 2:
        return bonuses
    # Title, subtitle and body share one analyzer, so the body's stems are theirs too.
    stems = tuple(term.text for term, _ in terms)
    bonuses += [Bonus(field, stems, ALL_WORDS_BOOST) for field in ALL_WORDS_FIELDS]
    bonuses.append(Bonus("body", stems, PROXIMITY_BOOST, gap=PROXIMITY_WINDOW))
    if all(len(words) == 1 for _, words in terms):
        exact = tuple(words[0] for _, words in terms)
        bonuses.append(Bonus(EXACT_TITLE_FIELD, exact, ALL_WORDS_BOOST))
        bonuses.append(Bonus(EXACT_BODY_FIELD, exact, EXACT_PROXIMITY_BOOST, gap=PROXIMITY_WINDOW))
    return bonuses


def rerank(
    searcher, ranked: Sequence[tuple[float, int]], bonuses: Sequence[Bonus]
) -> tuple[list[tuple[float, int]], dict[int, list[tuple[str, float]]]]:
    """`ranked` ((score, docnum), best first) with the bonuses added to its first
    `RERANK_WINDOW` entries, which are then sorted again; the rest keep their order.

    Also returns, for each note that got one, its bonuses as (description, score), so
    that an explanation adds up to the final score.
    """
    head, tail = list(ranked[:RERANK_WINDOW]), list(ranked[RERANK_WINDOW:])
    if not bonuses or len(head) < 2:
        return [*head, *tail], {}
    extra = dict.fromkeys((docnum for _, docnum in head), 0.0)
    given: dict[int, list[tuple[str, float]]] = {}
    docnums = sorted(extra)
    context = searcher.context()
    for bonus in bonuses:
        matchers = [wq.Term(bonus.field, word).matcher(searcher, context) for word in bonus.words]
        for docnum in docnums:
            if _all_at(matchers, docnum) and (bonus.gap is None or _chained(matchers, bonus.gap)):
                value = bonus.boost * sum(matcher.score() for matcher in matchers)
                extra[docnum] += value
                given.setdefault(docnum, []).append((describe(bonus), value))
    head = sorted(
        ((score + extra[docnum], docnum) for score, docnum in head), key=lambda item: (-item[0], item[1])
    )
    return [*head, *tail], given


def describe(bonus: Bonus) -> str:
    """A bonus in words: `all words in title`, `words near each other in body (exact)`."""
    exact = bonus.field.endswith("_exact")
    field = bonus.field.removesuffix("_exact")
    if bonus.gap == 1:
        kind = f'phrase "{" ".join(bonus.words)}" in {field}'
    elif bonus.gap is not None:
        kind = f"words near each other in {field}"
    else:
        kind = f"all words in {field}"
    return kind + (" (as typed)" if exact else "")


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


def _chained(matchers: list, gap: int) -> bool:
    """True if the words occur in order, each 1 to `gap` positions after the one before."""
    reachable = matchers[0].value_as("positions")
    for matcher in matchers[1:]:
        positions = matcher.value_as("positions")
        reachable = [
            position
            for position in positions
            if (index := bisect_left(reachable, position - gap)) < len(reachable)
            and reachable[index] < position
        ]
        if not reachable:
            return False
    return True


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
