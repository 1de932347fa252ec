"""Explain a hit's score: which fields and terms contributed how much.

A hit's BM25F score is the sum of the scores of the query's leaf clauses it matches
(terms, phrases, ranges, and the constant 1 that Whoosh gives a NOT clause), so each leaf
is searched on its own, restricted to the hits being explained, and its scores are read
back: one search a leaf, not one a hit, through the same search function as the real
search, so that both are scored alike.
(Scoring a leaf's matcher directly can differ: Whoosh scores multi-term clauses such as
`ransom*` as constants inside a search.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from whoosh import query as wq

from indexer.index.schema import STRUCTURED_PREFIX
from indexer.search.results import Contribution

_BOOST = re.compile(r"\^[\d.]+$")
# Index fields under the names users type.
_FIELD_NAMES = {"tag_words": "tag", "source_name": "source", "author_name": "author", "tag_name": "tag"}


def explain_hits(
    search: Callable[..., Iterable], query: wq.Query, docnums: Iterable[int]
) -> dict[int, tuple[Contribution, ...]]:
    """Docnum -> its contributions, largest first, for each of `docnums` (global docnums).

    `search(clause, only=docnums)` must score as the search being explained
    does (`NoteIndex._whoosh_search`).
    """
    wanted = set(docnums)
    found: dict[int, dict[tuple[str, str], float]] = {docnum: {} for docnum in wanted}
    if wanted:
        for leaf in scored_leaves(query):
            label = describe(leaf)
            for hit in search(leaf, only=wanted):
                if hit.score:
                    parts = found[hit.docnum]
                    parts[label] = parts.get(label, 0.0) + hit.score
    return {
        docnum: tuple(
            Contribution(field, term, score)
            for (field, term), score in sorted(parts.items(), key=lambda item: (-item[1], item[0]))
        )
        for docnum, parts in found.items()
    }


def scored_leaves(query: wq.Query) -> Iterator[wq.Query]:
    """The clauses of `query` whose scores add up to a hit's score: its leaves, and each NOT
    clause as a whole (never the leaves under it)."""
    if isinstance(query, wq.Not) or query.is_leaf():
        yield query
    elif isinstance(query, wq.AndNot):
        yield from scored_leaves(query.a)
    else:
        for child in query.children():
            yield from scored_leaves(child)


def describe(leaf: wq.Query) -> tuple[str, str]:
    """(field as users name it, the term as indexed) for a scored clause: `("title", "ransomwar")`,
    `("body", '"gpr gatewai"')`, `("date", "2021-10-01..2021-10-31")`, `("NOT", "gpr gprs")`."""
    if isinstance(leaf, wq.Not):
        terms = dict.fromkeys(describe(part)[1] for part in scored_leaves(leaf.query) if part is not leaf)
        return "NOT", " ".join(terms)
    if isinstance(leaf, wq.Every):
        return "every note", "*"
    field = leaf.field() or ""
    name = _FIELD_NAMES.get(field, field.removeprefix(STRUCTURED_PREFIX))
    if isinstance(leaf, wq.Term):
        text = leaf.text.decode("utf-8") if isinstance(leaf.text, bytes) else str(leaf.text)
    elif isinstance(leaf, wq.Phrase):
        text = '"' + " ".join(str(word) for word in leaf.words) + '"'
    elif isinstance(leaf, wq.DateRange):
        start = leaf.startdate.date().isoformat() if leaf.startdate else ""
        end = leaf.enddate.date().isoformat() if leaf.enddate else ""
        text = start if start == end else f"{start}..{end}"
    else:  # wildcards, prefixes, fuzzy terms: as typed, without the field and the boost
        text = _BOOST.sub("", str(leaf)).removeprefix(f"{field}:")
    return name, text
