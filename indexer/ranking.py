"""Ranking: clauses that reorder the notes a query matches, and a relaxed query for none.

A query's words must all match somewhere in a note (BM25F over the default fields, see
`query.FIELD_BOOSTS`). `rank_query` adds optional clauses, scored only for notes that
already match, chosen by the known-item evaluation (`benchmarks/relevance.py`):

- all the words in the title (as stems, and again as the exact forms typed), or all in
  the subtitle;
- the words near each other, in the order typed, in the body (a remembered detail
  usually comes from one paragraph), as stems and again as the exact forms typed;
- a quoted phrase exactly as typed, stop words and word endings included.

When no note has all the words, `relaxed_query` asks for notes with any of them, those
with more of the words first.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import query as wq
from whoosh.matching import WrappingMatcher
from whoosh.query import spans
from whoosh.query.wrappers import WrappingQuery

from indexer.schema import DEFAULT_SEARCH_FIELDS, EXACT_ANALYZER

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


class Boosted(WrappingQuery):
    """A query whose score is multiplied by `boost` (Whoosh's span and compound
    queries of one clause drop their own boost)."""

    def __init__(self, child: wq.Query, boost: float) -> None:
        super().__init__(child)
        self.boost = boost

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r}, {self.boost:g})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.child, self.boost) == (other.child, other.boost)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.child, self.boost))

    def _rewrap(self, child: wq.Query) -> Boosted:
        return type(self)(child, self.boost)

    def matcher(self, searcher, context=None):
        return WrappingMatcher(self.child.matcher(searcher, context), boost=self.boost)


def rank_query(query: wq.Query, text: str) -> wq.Query:
    """`query` (parsed from `text`) with optional ranking clauses; `query` itself when none applies."""
    groups = word_groups(query)
    clauses = [*_clauses(groups), *_exact_clauses(groups, text)]
    if not clauses:
        return query
    return wq.AndMaybe(query, clauses[0] if len(clauses) == 1 else wq.Or(clauses))


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
    """The group's query in one field, without the field's boost, or None."""
    for sub in group.subqueries:
        if sub.field() == field:
            return sub.with_boost(1.0)
    return None


def _clauses(groups: list[wq.Or]) -> Iterator[wq.Query]:
    if len(groups) < 2:
        return
    for field in ALL_WORDS_FIELDS:
        parts = [field_clause(group, field) for group in groups]
        if all(part is not None for part in parts):
            yield Boosted(wq.And(parts), ALL_WORDS_BOOST)
    body_terms = [term for term in (field_clause(group, "body") for group in groups) if type(term) is wq.Term]
    if len(body_terms) >= 2:
        yield Boosted(spans.SpanNear2(body_terms, slop=PROXIMITY_WINDOW, ordered=True), PROXIMITY_BOOST)


def _exact_clauses(groups: list[wq.Or], text: str) -> Iterator[wq.Query]:
    exact_words = []
    for group in groups:
        body = field_clause(group, "body")
        words = _exact_words(body, text)
        if isinstance(body, wq.Phrase) and len(words) > 1:
            yield Boosted(wq.Phrase(EXACT_BODY_FIELD, words), EXACT_PHRASE_BOOST)
        elif type(body) is wq.Term and len(words) == 1:
            exact_words.append(words[0])
    if len(exact_words) >= 2:
        yield Boosted(wq.And([wq.Term(EXACT_TITLE_FIELD, word) for word in exact_words]), ALL_WORDS_BOOST)
        terms = [wq.Term(EXACT_BODY_FIELD, word) for word in exact_words]
        yield Boosted(spans.SpanNear2(terms, slop=PROXIMITY_WINDOW, ordered=True), EXACT_PROXIMITY_BOOST)


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
