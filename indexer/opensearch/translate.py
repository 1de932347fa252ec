"""A parsed query (the tree `indexer.search.query.QueryParser` makes) as OpenSearch query DSL.

The tree already holds analyzed terms (`gatewai`, not `gateway`), and the cluster's
analyzers index text the same way (see `mapping`), so each leaf is an exact term-level
query: what a user types means the same on both engines. Scores are OpenSearch's BM25
per field, summed, not Whoosh's BM25F: the same notes match, their order may differ.
"""

from __future__ import annotations

from datetime import datetime

from whoosh import query as wq

from indexer.errors import QueryError
from indexer.search.fuzzy import MAX_WORDS_PER_TERM, MIN_PREFIX

_MATCH_ALL: dict = {"match_all": {}}


def to_dsl(query: wq.Query) -> dict:
    """The OpenSearch query for a parsed query; `QueryError` for a form it cannot express."""
    if isinstance(query, wq.Every):
        return {"exists": {"field": query.fieldname}} if query.fieldname else _MATCH_ALL
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return {"match_none": {}}
    if isinstance(query, wq.Not):
        return {"bool": {"must": [_MATCH_ALL], "must_not": [to_dsl(query.query)]}}
    if isinstance(query, wq.AndNot):
        return {"bool": {"must": [to_dsl(query.a)], "must_not": [to_dsl(query.b)]}}
    if isinstance(query, wq.AndMaybe):
        return {"bool": {"must": [to_dsl(query.a)], "should": [to_dsl(query.b)]}}
    if isinstance(query, wq.Require):
        return {"bool": {"must": [to_dsl(query.a)], "filter": [to_dsl(query.b)]}}
    if isinstance(query, wq.ConstantScoreQuery):
        return {"constant_score": {"filter": to_dsl(query.child), "boost": query.score}}
    if isinstance(query, wq.Sequence):
        raise QueryError("this query form is not supported on the OpenSearch engine: " + repr(query)[:80])
    if isinstance(query, wq.And):
        return _all_of(query.subqueries, query.boost)
    if isinstance(query, wq.Or):
        return _any_of(query.subqueries, query.boost)
    if isinstance(query, wq.DateRange):
        return _date_range(query)
    if isinstance(query, wq.Phrase):
        return _phrase(query)
    if isinstance(query, wq.FuzzyTerm):
        fuzzy = {
            "value": query.text,
            "fuzziness": query.maxdist,
            # As `search/fuzzy.py` lists them: words sharing the first letter, a swap of two
            # neighbours is one edit (OSA), the closest 32 words of each field.
            "prefix_length": max(query.prefixlength, MIN_PREFIX),
            "transpositions": True,
            "max_expansions": MAX_WORDS_PER_TERM,
            "boost": query.boost,
        }
        return {"fuzzy": {query.fieldname: fuzzy}}
    if isinstance(query, wq.Prefix):
        return {"prefix": {query.fieldname: {"value": query.text, "boost": query.boost}}}
    if isinstance(query, wq.Wildcard):
        return {"wildcard": {query.fieldname: {"value": query.text, "boost": query.boost}}}
    if isinstance(query, wq.TermRange):
        bounds = _bounds(query.start, query.end, query.startexcl, query.endexcl)
        return {"range": {query.fieldname: bounds | {"boost": query.boost}}}
    if isinstance(query, wq.Term):
        return {"term": {query.fieldname: {"value": query.text, "boost": query.boost}}}
    raise QueryError("this query form is not supported on the OpenSearch engine: " + repr(query)[:80])


def _all_of(parts: list[wq.Query], boost: float) -> dict:
    must = [to_dsl(part) for part in parts if not isinstance(part, wq.Not)]
    must_not = [to_dsl(part.query) for part in parts if isinstance(part, wq.Not)]
    clauses: dict = {"must": must or [_MATCH_ALL]}
    if must_not:
        clauses["must_not"] = must_not
    if boost != 1.0:
        clauses["boost"] = boost
    return {"bool": clauses}


def _any_of(parts: list[wq.Query], boost: float) -> dict:
    clauses: dict = {"should": [to_dsl(part) for part in parts], "minimum_should_match": 1}
    if boost != 1.0:
        clauses["boost"] = boost
    return {"bool": clauses}


def _phrase(query: wq.Phrase) -> dict:
    if len(query.words) == 1:
        return {"term": {query.fieldname: {"value": query.words[0], "boost": query.boost}}}
    # Whoosh's slop is the most positions from one word to the next (1: adjacent);
    # a span's slop counts the positions left between the words.
    return {
        "span_near": {
            "clauses": [{"span_term": {query.fieldname: word}} for word in query.words],
            "slop": (query.slop - 1) * (len(query.words) - 1),
            "in_order": True,
            "boost": query.boost,
        }
    }


def _date_range(query: wq.DateRange) -> dict:
    start = _instant(query.startdate) if query.startdate else None
    end = _instant(query.enddate) if query.enddate else None
    bounds = _bounds(start, end, query.startexcl, query.endexcl)
    return {"range": {query.fieldname: bounds}}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _bounds(start, end, startexcl: bool, endexcl: bool) -> dict:
    bounds = {}
    if start is not None:
        bounds["gt" if startexcl else "gte"] = start
    if end is not None:
        bounds["lt" if endexcl else "lte"] = end
    return bounds
