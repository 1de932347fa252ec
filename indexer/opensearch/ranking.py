"""The project's ranking bonuses (`indexer.search.ranking`) as query DSL for the cluster.

`ranking.ranking_bonuses` decides which bonuses a query earns: all the words in the title
or subtitle, every word in one window of the body in any order, the words in the typed
order near each other. Each is worth the words' scores in that field again, times its
boost. Here each `Bonus` becomes one optional clause of the cluster's query that scores
exactly that: a `bool` of the words' `term` queries in the field (its score is the sum
of the words' BM25 there), times the boost, required to match (`filter`) a span query
that places the words as the bonus asks. Both engines share one ranking model, and the
cluster computes it in one request, in Java, next to the postings.

The exact-form bonuses (the words as typed, stop words and endings included) are
checked the same way on the `title_words`, `subtitle_words` and `body_words` fields,
which index the words as `schema.EXACT_ANALYZER` numbers them. One difference, said in docs/opensearch.md:
the cluster gives the bonuses to every match, not only to the best `RERANK_WINDOW`
(it costs it little).
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.search.ranking import Bonus, describe

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
