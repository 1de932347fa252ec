"""Turn query text into a Whoosh query: field scopes and aliases, dates, fuzzy terms, strict checks.

Whoosh's parser is lenient (an unknown `auther:` silently becomes a word, a bad date
silently matches nothing), so the checks that make a typo an error live here.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, GtLtPlugin, MultifieldParser
from whoosh.qparser.dateparse import DateParserPlugin

from indexer.errors import QueryError, UnknownFieldError
from indexer.schema import DEFAULT_SEARCH_FIELDS, FIELD_ALIASES, STRUCTURED_PREFIX, USER_FIELDS

MAX_QUERY_CHARS = 10_000
# Each costs time in proportion: a fuzzy term of distance 99 matched every term of the
# index (3 s on 40 notes), and 3,000 words made a 3 s query. A word without a field
# counts once for each field it is searched in (6).
MAX_FUZZY_DISTANCE = 2
MAX_QUERY_TERMS = 1024
# Words a query's wildcards and ranges may stand for, all together: `*a*` stood for
# 25,000 words of a 4,490-note index and took 15 s; `ransom*` stands for 37.
MAX_EXPANSIONS = 1024

# Weight of a match in each default field (BM25F field weights), relative to the body.
FIELD_BOOSTS = {
    "title": 3.0,
    "subtitle": 2.0,
    "tag_words": 1.5,
    "body": 1.0,
    "author": 1.0,
    "source": 0.5,
}

# `name:` at the start of a word, as Whoosh's field syntax reads it (not `https://`).
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(+\-]))(?P<name>[^\W\d]\w*):(?!//)")
_QUOTED = re.compile(r"\"[^\"]*\"?|'[^']*'?")


@dataclass(frozen=True, slots=True)
class FieldCatalog:
    """The field names a user may type for one index, and what each one means there."""

    structured: tuple[str, ...] = ()  # short names of structured-tag fields: ("country", "malware")

    def index_field(self, name: str) -> str | None:
        """The index field a user-typed field name stands for, or None if unknown."""
        name = name.lower()
        name = FIELD_ALIASES.get(name, name)
        if name in USER_FIELDS:
            return USER_FIELDS[name]
        if name in self.structured:
            return STRUCTURED_PREFIX + name
        return None

    def user_fields(self) -> list[str]:
        """Every field name a user may type, core fields first."""
        return [*USER_FIELDS, *(name for name in self.structured if name not in USER_FIELDS)]

    def aliases(self) -> dict[str, list[str]]:
        """Whoosh FieldAliasPlugin map: index field -> names users type for it."""
        mapping: dict[str, list[str]] = {}
        for alias, target in FIELD_ALIASES.items():
            mapping.setdefault(USER_FIELDS[target], []).append(alias)
        for name in self.structured:
            if name not in USER_FIELDS and name not in FIELD_ALIASES:
                mapping.setdefault(STRUCTURED_PREFIX + name, []).append(name)
        return mapping


def catalog_from_field_names(index_field_names: list[str]) -> FieldCatalog:
    """A catalog for an index whose indexed fields are `index_field_names`."""
    structured = sorted(
        name[len(STRUCTURED_PREFIX) :]
        for name in index_field_names
        if name.startswith(STRUCTURED_PREFIX)
        and name[len(STRUCTURED_PREFIX) :] not in USER_FIELDS
        and name[len(STRUCTURED_PREFIX) :] not in FIELD_ALIASES
    )
    return FieldCatalog(structured=tuple(structured))


class QueryParser:
    """Parses query text for one index (its schema and structured fields)."""

    def __init__(self, schema, catalog: FieldCatalog, reader=None) -> None:
        """With the index's `reader`, wildcards and ranges are also checked against its words."""
        self.catalog = catalog
        self.reader = reader
        self._bad_dates: list[str] = []
        parser = MultifieldParser(list(DEFAULT_SEARCH_FIELDS), schema, fieldboosts=FIELD_BOOSTS)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(GtLtPlugin())
        parser.add_plugin(DateParserPlugin(free=False, callback=self._bad_dates.append))
        parser.add_plugin(FieldAliasPlugin(catalog.aliases()))
        self._parser = parser

    def parse(self, text: str) -> wq.Query:
        """The Whoosh query for `text`; raises `QueryError` with a one-line reason."""
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        if not text.strip():
            raise QueryError("empty query", hint='try: search "ransomware"')
        check_fields(text, self.catalog)
        self._bad_dates.clear()
        try:
            parsed = self._parser.parse(text)
            if self._bad_dates and _contains_null(parsed):
                raise QueryError(
                    f"cannot read date {self._bad_dates[0]!r}",
                    hint='dates look like 2021, 2021-08, 2021-08-16, "aug 2021", yesterday, '
                    "[2021-08-01 to 2021-08-31], >2021-10-15",
                )
            parsed = parsed.normalize()
            if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
                raise QueryError(
                    f"query {text.strip()!r} has no searchable words (only stop words or symbols)"
                )
            parsed = _star_means_every_note(parsed)
            check_cost(parsed)
            if self.reader is not None:
                check_expansions(parsed, self.reader)
        except QueryError:
            raise
        except RecursionError:
            raise QueryError("query is nested too deeply") from None
        except Exception as exc:
            raise QueryError(f"cannot parse query: {_describe(exc)}") from None
        return _allow_pure_negation(parsed)


def check_fields(text: str, catalog: FieldCatalog) -> None:
    """Raise for `field:` scopes the index does not have, or with nothing after them."""
    # Blank out quoted text (keeping its length and quotes) so `"a b:c"` is not a scope.
    unquoted = _QUOTED.sub(lambda match: match.group()[0] + "_" * (len(match.group()) - 1), text)
    for match in _FIELD_PREFIX.finditer(unquoted):
        name = match["name"]
        if catalog.index_field(name) is None:
            raise UnknownFieldError(name, catalog.user_fields())
        if text[match.end() : match.end() + 1] in ("", " ", "\t", "\n", "\r", ")"):
            raise QueryError(
                f"'{name}:' needs a value after it", hint=f'e.g. {name}:word or {name}:"two words"'
            )


def check_cost(query: wq.Query) -> None:
    """Raise for queries whose cost has no useful bound: too many terms, fuzzy terms too loose."""
    count = 0
    for leaf in query.leaves():
        count += len(leaf.words) if isinstance(leaf, wq.Phrase) else 1
        if count > MAX_QUERY_TERMS:
            raise QueryError(
                f"query has too many terms (the limit is {MAX_QUERY_TERMS}; a word without a field "
                f"counts {len(DEFAULT_SEARCH_FIELDS)} times)"
            )
        if isinstance(leaf, wq.FuzzyTerm) and leaf.maxdist > MAX_FUZZY_DISTANCE:
            raise QueryError(
                f"fuzzy distance {leaf.maxdist} is too large in {leaf.text}~{leaf.maxdist}",
                hint=f"use word~ (1 edit) up to word~{MAX_FUZZY_DISTANCE}",
            )


def check_expansions(query: wq.Query, reader) -> None:
    """Raise when the query's wildcards and ranges stand for more than `MAX_EXPANSIONS` words.

    Fuzzy terms are left out: their distance is capped, and listing their words costs
    as much as searching them.
    """
    budget = MAX_EXPANSIONS
    for leaf in query.leaves():
        if isinstance(leaf, wq.MultiTerm) and not isinstance(leaf, wq.FuzzyTerm):
            budget -= sum(1 for _ in itertools.islice(leaf._btexts(reader), budget + 1))
            if budget < 0:
                raise QueryError(
                    f"a wildcard or range of the query matches too many words (more than {MAX_EXPANSIONS})",
                    hint="make it more specific: ransom* rather than r*",
                )


def _star_means_every_note(query: wq.Query) -> wq.Query:
    """A lone `*` is every note, not "any word of each default field" (a walk of each
    field's whole word list: 10 s on 4,490 notes)."""

    def every(node: wq.Query) -> wq.Query:
        parts = node.subqueries if isinstance(node, wq.Or) else ()
        if parts and all(isinstance(part, wq.Every) and part.fieldname for part in parts):
            return wq.Every()
        return node

    return query.accept(every)


def _contains_null(query: wq.Query) -> bool:
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return True
    return any(_contains_null(child) for child in query.children())


def _allow_pure_negation(query: wq.Query) -> wq.Query:
    """`NOT tag:x` alone means "every note without tag x", not "nothing"."""
    parts = query.subqueries if isinstance(query, wq.And) else [query]
    if parts and all(isinstance(part, wq.Not) for part in parts):
        return wq.And([wq.Every(), *parts])
    return query


def _describe(exc: Exception) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:200]
