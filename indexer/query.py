"""Turn query text into a Whoosh query: field scopes and aliases, dates, fuzzy terms, strict checks.

Whoosh's parser is lenient (an unknown `auther:` silently becomes a word, a bad date
silently matches nothing), so the checks that make a typo an error live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, GtLtPlugin, MultifieldParser

from indexer.errors import QueryError, UnknownFieldError
from indexer.schema import DEFAULT_SEARCH_FIELDS, FIELD_ALIASES, STRUCTURED_PREFIX, USER_FIELDS

MAX_QUERY_CHARS = 10_000

# Weight of a match in each default field (BM25F field weights), relative to the body.
FIELD_BOOSTS = {
    "title": 3.0,
    "subtitle": 2.0,
    "tag_words": 1.5,
    "body": 1.0,
    "author": 1.0,
    "source": 0.5,
}

# Names of the weighted fields in notes.toml that differ from the index's.
WEIGHT_FIELD_NAMES = {"tags": "tag_words"}

# `name:` at the start of a word, as Whoosh's field syntax reads it (not `https://`).
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(+\-]))(?P<name>[^\W\d]\w*):(?!//)")
_QUOTED = re.compile(r"\"[^\"]*\"?|'[^']*'?")


@dataclass(frozen=True, slots=True)
class FieldCatalog:
    """The field names a user may type for one index, and what each one means there."""

    structured: tuple[str, ...] = ()  # short names of structured-tag fields: ("country", "malware")
    # The user's own names for fields (notes.toml `aliases`): (("a", "author"), ...).
    user_aliases: tuple[tuple[str, str], ...] = ()

    def index_field(self, name: str) -> str | None:
        """The index field a user-typed field name stands for, or None if unknown."""
        name = name.lower()
        name = dict(self.user_aliases).get(name, name)
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
        for alias, target in self.user_aliases:
            mapping.setdefault(self.index_field(target) or target, []).append(alias)
        return mapping


def catalog_from_field_names(
    index_field_names: list[str], *, user_aliases: dict[str, str] | None = None
) -> FieldCatalog:
    """A catalog for an index whose indexed fields are `index_field_names`.

    `user_aliases` (alias -> field name) must name fields this index has, and must not
    hide one; a bad alias is a `QueryError` naming it.
    """
    structured = sorted(
        name[len(STRUCTURED_PREFIX) :]
        for name in index_field_names
        if name.startswith(STRUCTURED_PREFIX)
        and name[len(STRUCTURED_PREFIX) :] not in USER_FIELDS
        and name[len(STRUCTURED_PREFIX) :] not in FIELD_ALIASES
    )
    catalog = FieldCatalog(structured=tuple(structured))
    checked = []
    for alias, target in (user_aliases or {}).items():
        alias, target = alias.lower(), target.lower()
        if catalog.index_field(alias) is not None:
            raise QueryError(
                f"alias {alias!r} is already a field name", hint="choose another name in notes.toml"
            )
        if catalog.index_field(target) is None:
            raise QueryError(
                f"alias {alias!r} names no field: {target!r}",
                hint="valid fields: " + ", ".join(catalog.user_fields()),
            )
        checked.append((alias, target))
    return FieldCatalog(structured=tuple(structured), user_aliases=tuple(checked))


class QueryParser:
    """Parses query text for one index (its schema and structured fields)."""

    def __init__(self, schema, catalog: FieldCatalog, *, weights: dict[str, float] | None = None) -> None:
        self.catalog = catalog
        self._schema = schema
        # notes.toml `weights` name fields as users know them; "tags" is the tag words field.
        self.boosts = FIELD_BOOSTS | {
            WEIGHT_FIELD_NAMES.get(name, name): w for name, w in (weights or {}).items()
        }
        self._bad_dates: list[str] = []
        self._parsers: dict[bool, MultifieldParser] = {}

    def _whoosh_parser(self, with_dates: bool) -> MultifieldParser:
        # The natural-language date grammar costs ~20 ms to build: only when `date:` is used.
        if with_dates not in self._parsers:
            parser = MultifieldParser(list(DEFAULT_SEARCH_FIELDS), self._schema, fieldboosts=self.boosts)
            parser.add_plugin(FuzzyTermPlugin())
            parser.add_plugin(GtLtPlugin())
            if with_dates:
                from whoosh.qparser.dateparse import DateParserPlugin

                parser.add_plugin(DateParserPlugin(free=False, callback=self._bad_dates.append))
            parser.add_plugin(FieldAliasPlugin(self.catalog.aliases()))
            self._parsers[with_dates] = parser
        return self._parsers[with_dates]

    def parse(self, text: str) -> wq.Query:
        """The Whoosh query for `text`; raises `QueryError` with a one-line reason."""
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        if not text.strip():
            raise QueryError("empty query", hint='try: search "ransomware"')
        fields = check_fields(text, self.catalog)
        self._bad_dates.clear()
        try:
            parsed = self._whoosh_parser("date" in fields).parse(text)
        except QueryError:
            raise
        except RecursionError:
            raise QueryError("query is nested too deeply") from None
        except Exception as exc:
            raise QueryError(f"cannot parse query: {_describe(exc)}") from None
        if self._bad_dates and _contains_null(parsed):
            raise QueryError(
                f"cannot read date {self._bad_dates[0]!r}",
                hint='dates look like 2021, 2021-08, 2021-08-16, "aug 2021", yesterday, '
                "[2021-08-01 to 2021-08-31], >2021-10-15",
            )
        parsed = parsed.normalize()
        if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
            raise QueryError(f"query {text.strip()!r} has no searchable words (only stop words or symbols)")
        return _allow_pure_negation(parsed)


def check_fields(text: str, catalog: FieldCatalog) -> set[str]:
    """The index fields a query scopes to; raise for unknown scopes or empty ones."""
    # Blank out quoted text (keeping its length and quotes) so `"a b:c"` is not a scope.
    unquoted = _QUOTED.sub(lambda match: match.group()[0] + "_" * (len(match.group()) - 1), text)
    fields = set()
    for match in _FIELD_PREFIX.finditer(unquoted):
        name = match["name"]
        field = catalog.index_field(name)
        if field is None:
            raise UnknownFieldError(name, catalog.user_fields())
        fields.add(field)
        if text[match.end() : match.end() + 1] in ("", " ", "\t", "\n", "\r", ")"):
            raise QueryError(
                f"'{name}:' needs a value after it", hint=f'e.g. {name}:word or {name}:"two words"'
            )
    return fields


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


def describe_query(query: wq.Query) -> str:
    """A parsed query as a person reads it (for --debug-query): fields, stems, boosts and dates.

    `author:cimpanu date:2021-10` -> `(author:cimpanu AND date:[2021-10-01 to 2021-10-31])`.
    """
    if isinstance(query, wq.DateRange):
        start = query.startdate.date().isoformat() if query.startdate else ""
        end = query.enddate.date().isoformat() if query.enddate else ""
        return f"{query.fieldname}:[{start} to {end}]"
    if isinstance(query, wq.Not):
        return f"NOT {describe_query(query.query)}"
    if isinstance(query, wq.Every):
        return "every note"
    if isinstance(query, wq.CompoundQuery):
        joint = " AND " if isinstance(query, wq.And) else " OR "
        return "(" + joint.join(describe_query(part) for part in query.subqueries) + ")"
    if isinstance(query, wq.Phrase):
        text = f'{query.fieldname}:"{" ".join(query.words)}"'
    elif hasattr(query, "fieldname") and hasattr(query, "text"):
        text = f"{query.fieldname}:{query.text}"
        if isinstance(query, wq.Prefix):
            text += "*"
        elif isinstance(query, wq.FuzzyTerm):
            text += f"~{query.maxdist}"
    else:
        text = str(query)
    boost = getattr(query, "boost", 1.0)
    return f"{text}^{boost:g}" if boost != 1.0 else text
