"""The project's ranking bonuses (`indexer.search.ranking`) as query DSL for the cluster.

`ranking.ranking_bonuses` decides which bonuses a query earns: all the words in the title
or subtitle, every word in one window of the body in any order, the words in the typed
order near each other. Each is worth the words' scores in that field again, times its
boost. Here each `Bonus` becomes one optional clause of the cluster's query that scores
exactly that: a `bool` of the words' `term` queries in the field (its score is the sum
of the words' BM25 there), times the boost, required to match (`filter`) a span query
that places the words as the bonus asks. Both engines share one ranking model, and the
cluster computes it in one request, in Java, next to the postings.

The two bonuses that are no single span are sent as their alternatives: two details
from two paragraphs as every split of the words into two groups, each an unordered span;
a subject and a detail as every set of words the title may hold, the others an
unordered span of the body; half a title as every word the title may lack (see
docs/opensearch.md).

The exact-form bonuses (the words as typed, stop words and endings included) are
checked the same way on the `title_words`, `subtitle_words` and `body_words` fields,
which index the words as `schema.EXACT_ANALYZER` numbers them. One difference, said in docs/opensearch.md:
the cluster gives the bonuses to every match, not only to the best `RERANK_WINDOW`
(it costs it little).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from indexer.search.ranking import TWO_PASSAGES_MAX_WORDS, Bonus, describe, passage_span

# The fields of title, subtitle and body as written (see `mapping`).
WRITTEN_SUFFIX = "_words"


def bonus_clauses(bonuses: Sequence[Bonus]) -> list[tuple[str, dict]]:
    """The query clauses that score `bonuses`, each with its description (as `rerank`
    explains it): per bonus, one for the stems placed as it asks (worth `boost` times the
    words' scores in the field) and one for the words as typed (worth `exact_boost` times
    the same scores), each left out when worth nothing."""
    clauses = []
    for bonus in bonuses:
        words = list(bonus.words)  # a word typed twice counts twice, as in `rerank`
        if not words:
            continue
        if bonus.all_but_one:
            clauses.append(_all_but_one(bonus))
            continue
        if bonus.two_passages or bonus.beside_title:
            found = _two_passages(bonus) if bonus.two_passages else _beside_title(bonus)
            if found is not None:
                clauses.append(found)
            continue
        stems_placed = _placement(bonus.field, bonus, words)
        if bonus.boost:
            clauses.append((describe(bonus), _scored(bonus.field, words, bonus.boost, [stems_placed])))
        if bonus.exact and bonus.exact_boost:
            exact_field = bonus.field + WRITTEN_SUFFIX
            exact_placed = _placement(exact_field, bonus, list(bonus.exact))
            if exact_placed is None:  # all the words, anywhere in the field
                exact_placed = {"bool": {"filter": [{"term": {exact_field: word}} for word in bonus.exact]}}
            scored = _scored(bonus.field, words, bonus.exact_boost, [stems_placed, exact_placed])
            clauses.append((describe(bonus, as_typed=True), scored))
    return clauses


def _scored(field: str, words: list[str], boost: float, placed: list[dict | None]) -> dict:
    """Scores the words' BM25 in `field`, times `boost`, where every `placed` query matches."""
    clauses: dict = {"must": [{"term": {field: {"value": word}}} for word in words], "boost": boost}
    required = [query for query in placed if query is not None]
    if required:
        clauses["filter"] = required
    return {"bool": clauses}


def with_bonuses(query: dict, bonuses: Sequence[Bonus]) -> dict:
    """`query` with the bonuses as optional clauses: the same notes match, reordered."""
    clauses = [clause for _, clause in bonus_clauses(bonuses)]
    if not clauses:
        return query
    return {"bool": {"must": [query], "should": clauses}}


def _placement(field: str, bonus: Bonus, words: list[str]) -> dict | None:
    """A span query on `field` matching where `words` are placed as the bonus asks, or None."""
    if len(set(words)) < 2 or (bonus.span is None and bonus.gap is None):
        return None
    spans = [{"span_term": {field: word}} for word in words]
    if bonus.span is not None:
        # Any order, first to last word at most `span` positions apart: Lucene's slop for
        # unordered spans counts the positions between them that no word fills.
        return {"span_near": {"clauses": spans, "slop": bonus.span - (len(words) - 1), "in_order": False}}
    # In order, each word at most `gap` positions after the one before. Lucene's slop
    # bounds the gaps' total, not each gap: for two words it is the same; for more it
    # allows the same total with one gap longer (said in the docs, as for phrases).
    return {"span_near": {"clauses": spans, "slop": (bonus.gap - 1) * (len(words) - 1), "in_order": True}}


def _unordered(field: str, words: Sequence[str]) -> dict:
    """The words in any order, first to last at most `passage_span` of their number apart."""
    spans = [{"span_term": {field: word}} for word in words]
    return {
        "span_near": {
            "clauses": spans,
            "slop": passage_span(len(words)) - (len(words) - 1),
            "in_order": False,
        }
    }


def _any_of(queries: list[dict]) -> dict:
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def _two_passages(bonus: Bonus) -> tuple[str, dict] | None:
    """The two-passages bonus (`ranking._add_two_passages`): every way of splitting the
    words into two groups of two or more (3 for four words, 10 for five, 25 for six), each
    group an unordered span of its own; worth the words' body scores times the boost."""
    words = list(dict.fromkeys(bonus.words))
    if len(words) < 4 or len(words) > TWO_PASSAGES_MAX_WORDS:
        return None
    first, rest = words[0], words[1:]
    splits = []
    for size in range(1, len(words) - 2):  # the first word's group: itself and `size` others
        for others in combinations(rest, size):
            group = [first, *others]
            apart = [word for word in words if word not in group]
            splits.append(
                {"bool": {"filter": [_unordered(bonus.field, group), _unordered(bonus.field, apart)]}}
            )
    label = f"the words in two passages of {bonus.field}"
    return label, _scored(bonus.field, words, bonus.boost, [_any_of(splits)])


def _beside_title(bonus: Bonus) -> tuple[str, dict] | None:
    """The subject-and-detail bonus (`ranking._add_beside_title`): for each set of words
    the title may hold (some, not all, leaving two or more), the title holding exactly
    those and the body the others within one passage, worth those others' body scores
    times the boost. The sets are exclusive, so one at most scores. Queries of more than
    `TWO_PASSAGES_MAX_WORDS` words get none here (their sets number in the hundreds)."""
    words = list(dict.fromkeys(bonus.words))
    if len(words) < 3 or len(words) > TWO_PASSAGES_MAX_WORDS:
        return None
    ways = []
    for size in range(1, len(words) - 1):
        for titled in combinations(words, size):
            others = [word for word in words if word not in titled]
            placed = {
                "bool": {
                    "must": [{"term": {bonus.field: {"value": word}}} for word in others],
                    "filter": [
                        *({"term": {"title": word}} for word in titled),
                        _unordered(bonus.field, others),
                    ],
                    "must_not": [{"term": {"title": word}} for word in others],
                    "boost": bonus.boost,
                }
            }
            ways.append(placed)
    return f"the words beside the title in one passage of {bonus.field}", _any_of(ways)


def _all_but_one(bonus: Bonus) -> tuple[str, dict]:
    """The half-a-title bonus (`ranking._add_all_but_one`): for each word the field may
    lack, the field holding every other word and not that one, worth those words' scores
    there times the boost. The ways are exclusive, so one at most scores."""
    words = list(dict.fromkeys(bonus.words))
    ways = [
        {
            "bool": {
                "must": [{"term": {bonus.field: {"value": word}}} for word in words if word != lacking],
                "must_not": [{"term": {bonus.field: lacking}}],
                "boost": bonus.boost,
            }
        }
        for lacking in words
    ]
    return describe(bonus), _any_of(ways)
