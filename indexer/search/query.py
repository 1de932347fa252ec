"""Turn query text into a Whoosh query: field scopes and aliases, dates, fuzzy terms, strict checks.

Whoosh's parser is lenient (an unknown `auther:` silently becomes a word, a bad date
silently matches nothing), so the checks that make a typo an error live here.
"""

from __future__ import annotations

import calendar
import itertools
import re
from datetime import date, timedelta

from whoosh import query as wq
from whoosh.qparser import (
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
    OperatorsPlugin,
    RangePlugin,
)

from indexer.engine.expansions import expansion_words, list_words_once
from indexer.engine.parse_errors import whoosh_parsing_stage
from indexer.errors import QueryError, UnknownFieldError
from indexer.index.fields import FieldCatalog
from indexer.index.schema import DEFAULT_SEARCH_FIELDS
from indexer.search.fuzzy import Lexicon, expand_fuzzy_terms
from indexer.search.pasted_link import pasted_link

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

# Names of the weighted fields in notes.toml that differ from the index's.
WEIGHT_FIELD_NAMES = {"tags": "tag_words"}

# `name:` at the start of a word, as Whoosh's field syntax reads it (not `https://`).
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(+\-]))(?P<name>[^\W\d]\w*):(?!//)")
_QUOTED = re.compile(r"\"[^\"]*\"?|'[^']*'?")
# `date:<2021`, `date:>=2021-08`: a comparison with a year, month or day.
_DATE_COMPARISON = re.compile(
    r"(?:^|(?<=[\s(+\-]))(?P<name>[^\W\d]\w*):(?P<op><=|>=|<|>)"
    r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?(?=$|[\s)])"
)
# `date:2021..2022`, `date:2021-08..`, `date:..2021-10-15`: a span, as GitHub writes it.
_DATE_SPAN = re.compile(
    r"(?:^|(?<=[\s(+\-]))(?P<name>[^\W\d]\w*):"
    r"(?P<start>\d{4}(?:-\d{1,2}){0,2})?\.\.(?P<end>\d{4}(?:-\d{1,2}){0,2})?(?=$|[\s)])"
)
# A fuzzy distance after a word (a quoted phrase's `~N` is its slop, any size).
_FUZZY_DISTANCE = re.compile(r"(?<=[^\s\"'~(])~(?P<distance>\d+)")
# `NOT x`, and `-x` as web search engines, GitHub and Gmail read it: a `-` where a term
# starts (the query's start, after a space or `(`), followed by the term itself. A hyphen
# inside a word (`e-mail`, `COVID-19`, `2021-10`, `CVE-2021-44228`) is no operator, and a
# lone `-` or `--` stays a word of no letters, as before.
NOT_OPERATOR = r"(?:^|(?<=[\s()]))NOT(?=\s)|(?:^|(?<=[\s(]))-(?=[^\s\-)])"
# A comparison that Whoosh's grammar cannot complete (`<script>`, `<a`, `< b`).
_COMPARISON = re.compile(r"[<>]")


# Typographic double quotes, as phones and word processors type them and notes paste
# them, stand for `"` (one character for one: offsets into the text stay the same). Single
# ones are left alone: `’` is also the apostrophe of `Russia’s`.
_TYPOGRAPHIC_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})


def straight_quotes(text: str) -> str:
    """`text` with “typographic” double quotes as `"`: `“GPRS gateway”` is a phrase."""
    return text.translate(_TYPOGRAPHIC_QUOTES)


class BoundedRangePlugin(RangePlugin):
    """Whoosh's `[a to b]` ranges, with bounds that cannot contain a bracket.

    Whoosh's own pattern lets a bound run over later `[`, so each unclosed `[` scans the
    rest of the query again: `date:[2021 to 2021 ` typed 300 times took 2.5 s to parse.
    Stopping a bound at the next bracket makes the scan linear; no range loses meaning.
    """

    expr = re.compile(
        r"""
        (?P<open>\{|\[)
        (?P<start>('[^']*?'\s+)|([^\[\]{}]+?(?=\b[Tt][Oo]\b)))?
        \b[Tt][Oo]\b
        (?P<end>(\s+'[^']*?')|([^\[\]{}]+?))?
        (?P<close>}|])
        """,
        re.VERBOSE,
    )


class QueryParser:
    """Parses query text for one index (its schema and structured fields)."""

    def __init__(
        self, schema, catalog: FieldCatalog, *, weights: dict[str, float] | None = None, reader=None
    ) -> None:
        """With the index's `reader`, wildcards and ranges are also checked against its words."""
        self.catalog = catalog
        self.reader = reader
        self._schema = schema
        # notes.toml `weights` name fields as users know them; "tags" is the tag words field.
        self.boosts = FIELD_BOOSTS | {
            WEIGHT_FIELD_NAMES.get(name, name): w for name, w in (weights or {}).items()
        }
        self._bad_dates: list[str] = []
        self._parsers: dict[bool, MultifieldParser] = {}
        # The index's words by first letter, listed once: for fuzzy words and corrections.
        self.lexicon = Lexicon(reader) if reader is not None else None

    def _whoosh_parser(self, with_dates: bool) -> MultifieldParser:
        # The natural-language date grammar costs ~20 ms to build: only when `date:` is used.
        if with_dates not in self._parsers:
            parser = MultifieldParser(list(DEFAULT_SEARCH_FIELDS), self._schema, fieldboosts=self.boosts)
            parser.add_plugin(FuzzyTermPlugin())
            parser.replace_plugin(OperatorsPlugin(Not=NOT_OPERATOR))
            parser.add_plugin(GtLtPlugin())
            parser.remove_plugin_class(RangePlugin)
            parser.add_plugin(BoundedRangePlugin())
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
        text = straight_quotes(text)
        check_balance(text)
        fields = check_fields(text, self.catalog)
        check_fuzzy_distances(text)
        edits: list[Edit] = []
        if "date" in fields:
            text, edits = rewrite_dates(text, self.catalog)
        self._bad_dates.clear()
        try:
            parsed = None if fields else self._plain_words(text)
            if parsed is None:
                parsed = self._whoosh_parser("date" in fields).parse(text)
            restore_offsets(parsed, edits)
            if self._bad_dates and _contains_null(parsed):
                raise QueryError(f"cannot read date {self._bad_dates[0]!r}", hint=DATE_HINT)
            parsed = parsed.normalize()
            if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
                raise QueryError(
                    f"query {text.strip()!r} has no searchable words (only stop words or symbols)"
                )
            parsed = _star_means_every_note(parsed)
            parsed = self._with_link_field(parsed, text)
            check_cost(parsed)
            if self.reader is not None:
                check_expansions(parsed, self.reader)
                expand_fuzzy_terms(parsed, self.reader, self.lexicon)
            memoize_expansions(parsed)
        except QueryError:
            raise
        except RecursionError:
            raise QueryError("query is nested too deeply") from None
        except Exception as exc:
            where = whoosh_parsing_stage(exc)
            if where is None:
                raise  # a bug: the top-level handler says so
            if where == "date":
                raise QueryError(
                    f"cannot read a date in the query ({_describe(exc)})", hint=DATE_HINT
                ) from None
            if isinstance(exc, IndexError) and _COMPARISON.search(_blank_quotes(text)):
                # `<script>`, `<a`, `< b`: Whoosh's `<` plugin trips over a comparison without a field
                raise QueryError(
                    "'<' and '>' compare a field with a value, as in date:>2021-10-15",
                    hint='to search for words written with them, quote them: "<script>"',
                ) from None
            raise QueryError(f"cannot parse query ({_describe(exc)})") from None
        return _allow_pure_negation(parsed)

    def _plain_words(self, text: str) -> wq.Query | None:
        """What Whoosh's parser makes of `text` when it is only plain words (ASCII letters
        and digits between spaces, no operator), made without its tagging and filtering
        passes (about a millisecond a query): for each word, an `Or` of a `Term` in each
        default field where the field's analyzer keeps it as one word, with the field's
        boost and the word's place in `text`; all joined by `And`, then normalized. None
        for any other text, or a word that a field splits in two (a phrase then): Whoosh
        parses it. tests/test_query.py compares the two on many queries."""
        if not _PLAIN_WORDS.fullmatch(text):
            return None
        schema, boosts = self._schema, self.boosts
        groups = []
        for match in _WORD.finditer(text):
            word = match.group()
            if word in _OPERATOR_WORDS:
                return None
            start, end = match.span()
            terms = []
            for field in DEFAULT_SEARCH_FIELDS:
                texts = list(schema[field].process_text(word, mode="query"))
                if len(texts) > 1:
                    return None
                if texts:
                    terms.append(_placed(wq.Term(field, texts[0], boost=boosts.get(field, 1.0)), start, end))
            groups.append(_placed(wq.Or(terms), start, end))
        if not groups:
            return None
        return wq.And(groups).normalize()

    def _with_link_field(self, parsed: wq.Query, text: str) -> wq.Query:
        """A query that is one pasted link searches the link field as well as its words
        (see `pasted_link`); any other query is returned as it is."""
        link = pasted_link(text)
        words = list(self._schema["link"].process_text(link, mode="query")) if link else []
        if not words:
            return parsed
        in_link = wq.Term("link", words[0]) if len(words) == 1 else wq.Phrase("link", words)
        return wq.Or([parsed, in_link])


# Text `QueryParser._plain_words` parses itself, and the words Whoosh reads as operators.
_PLAIN_WORDS = re.compile(r"[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*")
_WORD = re.compile(r"[A-Za-z0-9]+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def _placed(query: wq.Query, start: int, end: int) -> wq.Query:
    """`query` with its place in the text, as Whoosh's parser attaches it."""
    query.startchar, query.endchar = start, end
    return query


def _blank_quotes(text: str) -> str:
    """`text` with quoted text blanked out (its length and quotes kept): `"a b:c"` is no scope."""
    return _QUOTED.sub(lambda match: match.group()[0] + "_" * (len(match.group()) - 1), text)


_NEGATION = re.compile(NOT_OPERATOR + r"|(?<=\s)ANDNOT(?=\s)")


def negated_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` excludes words: each (start, end) of a `NOT x`, `-x`, `-"a phrase"`,
    `-tag:x`, `NOT (a OR b)` or `ANDNOT x`, the operator included. The spelling
    correction leaves these words alone (correcting one would exclude notes that have it)."""
    blank = _blank_quotes(text)
    return [(match.start(), _operand_end(blank, match.end())) for match in _NEGATION.finditer(blank)]


def _operand_end(blank: str, start: int) -> int:
    """Where the term after an operator at `start` ends: a word, or a group to its `)`
    (`blank` has its quoted text blanked, so a phrase is one word)."""
    at = start
    while at < len(blank) and blank[at].isspace():
        at += 1
    depth = 0
    while at < len(blank):
        char = blank[at]
        if depth == 0 and (char.isspace() or char == ")"):
            break
        depth += {"(": 1, ")": -1}.get(char, 0)
        at += 1
        if depth == 0 and char == ")":
            break
    return at


def check_fuzzy_distances(text: str) -> None:
    """Refuse `word~N` over the largest distance, however many digits N has (Whoosh reads
    `ransomwear~10` as `ransomwear~1` and a word `0`)."""
    blanked = _blank_quotes(text)
    for match in _FUZZY_DISTANCE.finditer(text):
        if blanked[match.start() - 1] != text[match.start() - 1]:
            continue  # inside quotes, or a phrase's slop after its closing quote
        distance = int(match["distance"])
        if distance > MAX_FUZZY_DISTANCE:
            word = text[: match.start()].split()[-1] if text[: match.start()].split() else ""
            raise QueryError(
                f"fuzzy distance {distance} is too large in {word}~{match['distance']}",
                hint=f"use word~ (1 edit) up to word~{MAX_FUZZY_DISTANCE}",
            )


DATE_HINT = (
    'dates look like 2021, 2021-08, 2021-08-16, "aug 2021", yesterday, '
    "[2021-08-01 to 2021-08-31], >2021-10-15"
)


def _describe(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:200]


def check_fields(text: str, catalog: FieldCatalog) -> set[str]:
    """The index fields a query scopes to; raise for unknown scopes or empty ones."""
    unquoted = _blank_quotes(text)
    fields = set()
    for match in _FIELD_PREFIX.finditer(unquoted):
        name = match["name"]
        field = catalog.index_field(name)
        if field is None:
            raise UnknownFieldError(name, catalog.user_fields())
        fields.add(field)
        after = match.end() + (len(_COMPARISON.match(text, match.end())[0]) if field == "date" else 0)
        if text[after : after + 1] in ("", " ", "\t", "\n", "\r", ")"):
            raise QueryError(
                f"'{name}:' needs a value after it", hint=f'e.g. {name}:word or {name}:"two words"'
            )
        operator = re.match(r"[<>]=?", text[match.end() :])
        if operator and text[match.end() + operator.end() : match.end() + operator.end() + 1] in (
            "", " ", "\t", "\n", "\r", ")",
        ):  # fmt: skip
            raise QueryError(
                f"'{name}:{operator.group()}' needs a value after it", hint="e.g. date:>2021-10-15"
            )
    return fields


_COMPARISON = re.compile(r"[<>]?=?")


# Whoosh's parser recurses once per level of parentheses; deeper than this is refused before it
# runs (near Python's recursion limit a refusal cost seconds of CPU, not milliseconds).
MAX_NESTING = 100


def unbalanced(text: str) -> tuple[str, int] | None:
    """The first unclosed quote or parenthesis of a query, unmatched `)` or parenthesis nested
    deeper than `MAX_NESTING`, and its offset."""
    quote_at: int | None = None
    opened: list[int] = []
    for offset, char in enumerate(text):
        if quote_at is not None:
            if char == '"':
                quote_at = None
        elif char == '"':
            quote_at = offset
        elif char == "(":
            opened.append(offset)
            if len(opened) > MAX_NESTING:
                return f"parentheses nested more than {MAX_NESTING} deep", offset
        elif char == ")":
            if not opened:
                return "unmatched closing parenthesis", offset
            opened.pop()
    if quote_at is not None:
        return "unclosed quote", quote_at
    if opened:
        return "unclosed parenthesis", opened[-1]
    return None


def check_balance(text: str) -> None:
    """Raise for an unclosed quote or parenthesis: Whoosh would read the query as something else."""
    problem = unbalanced(text)
    if problem is not None:
        message, offset = problem
        hint = "close it, or drop it" if "nested" not in message else "drop the extra parentheses"
        raise QueryError(f"{message} at column {offset + 1}", hint=hint)


# One rewrite of the query text: (start, end) in the rewritten text, (start, end) in the typed.
Edit = tuple[int, int, int, int]


def rewrite_dates(text: str, catalog: FieldCatalog) -> tuple[str, list[Edit]]:
    """`text` with its date comparisons and `..` spans as the ranges Whoosh reads, and where
    each rewrite is (for `restore_offsets`)."""
    edits: list[Edit] = []
    parts: list[str] = []
    typed_at = 0
    written = 0
    matches = sorted(
        [(match, _comparison_range) for match in _DATE_COMPARISON.finditer(text)]
        + [(match, _span_range) for match in _DATE_SPAN.finditer(text)],
        key=lambda found: found[0].start(),
    )
    for match, rewrite in matches:
        if match.start() < typed_at or catalog.index_field(match["name"]) != "date":
            continue
        replacement = rewrite(match)
        parts.append(text[typed_at : match.start()])
        written += match.start() - typed_at
        edits.append((written, written + len(replacement), match.start(), match.end()))
        parts.append(replacement)
        written += len(replacement)
        typed_at = match.end()
    parts.append(text[typed_at:])
    return "".join(parts), edits


def rewrite_date_comparisons(text: str, catalog: FieldCatalog) -> str:
    """`date:<X` as the range before the first day of X, `date:>X` after its last day;
    `<=` and `>=` include X. X is a year, a month or a day (`2021`, `2021-08`, `2021-08-16`).
    `date:X..Y` (as GitHub writes it) is `date:[X to Y]`; `X..` and `..Y` are open ends."""
    return rewrite_dates(text, catalog)[0]


def _comparison_range(match: re.Match[str]) -> str:
    first, last = _date_span(match["year"], match["month"], match["day"])
    if first is None or last is None:
        raise QueryError(f"cannot read date {match.group()[len(match['name']) + 1 :]!r}", hint=DATE_HINT)
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    bounds = {"<": f"[to {before}]", "<=": f"[to {last}]", ">": f"[{after} to]", ">=": f"[{first} to]"}
    return f"{match['name']}:{bounds[match['op']]}"


def _span_range(match: re.Match[str]) -> str:
    start, end = match["start"] or "", match["end"] or ""
    return f"{match['name']}:[{start}{' ' if start else ''}to{' ' if end else ''}{end}]"


def restore_offsets(query: wq.Query, edits: list[Edit]) -> None:
    """Point the parsed words' character offsets back into the text as typed: ranking reads
    the words as typed there (`date:>2021-10 ransomware gangs` lost its exact-form bonuses
    when the offsets were the rewritten text's)."""
    if not edits:
        return

    def typed(offset: int) -> int:
        for start, end, typed_start, typed_end in reversed(edits):
            if offset >= end:
                return offset + typed_end - end
            if offset >= start:
                return typed_start
        return offset

    for leaf in query.leaves():
        if getattr(leaf, "startchar", None) is not None and getattr(leaf, "endchar", None) is not None:
            leaf.startchar, leaf.endchar = typed(leaf.startchar), typed(leaf.endchar)
        if getattr(leaf, "char_ranges", None):
            leaf.char_ranges = [(typed(start), typed(end)) for start, end in leaf.char_ranges]


def _date_span(year: str, month: str | None, day: str | None) -> tuple[date | None, date | None]:
    try:
        if day is not None:
            first = last = date(int(year), int(month or 1), int(day))
        elif month is not None:
            first = date(int(year), int(month), 1)
            last = date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
        else:
            first, last = date(int(year), 1, 1), date(int(year), 12, 31)
        if first.year < 2 or last.year > 9998:
            return None, None  # no day before or after it to compare with
    except ValueError:
        return None, None
    return first, last


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
            budget -= sum(1 for _ in itertools.islice(expansion_words(leaf, reader), budget + 1))
            if budget < 0:
                raise QueryError(
                    f"a wildcard or range of the query matches too many words (more than {MAX_EXPANSIONS})",
                    hint="make it more specific: ransom* rather than r*",
                )


def memoize_expansions(query: wq.Query) -> None:
    """Let each fuzzy term, wildcard and range list its words once per index reader.

    Whoosh lists them again for every use: the size estimate, the matcher, the
    highlighter and the relaxed retry. `ransomware~2` listed its words five times, 80%
    of a search. The cache is a plain function, which copies of the query share.
    """
    for leaf in query.leaves():
        if isinstance(leaf, wq.MultiTerm):
            list_words_once(leaf)


def _star_means_every_note(query: wq.Query) -> wq.Query:
    """A lone `*` is every note, not "any word of each default field" (a walk of each
    field's whole word list: 10 s on 4,490 notes)."""

    def every(node: wq.Query) -> wq.Query:
        parts = node.subqueries if isinstance(node, wq.Or) else ()
        if parts and all(isinstance(part, wq.Every) and part.fieldname for part in parts):
            return wq.Every()
        return node

    return query.accept(every)


def wanted_leaves(query: wq.Query) -> list[wq.Query]:
    """The query's leaves (words, phrases, ranges) that a note matches by having, not
    those it excludes (`NOT x`, `-x`, `a ANDNOT x`): what highlighting marks."""
    if isinstance(query, wq.Not):
        return []
    if isinstance(query, wq.AndNot):
        return wanted_leaves(query.a)
    if query.is_leaf():
        return [query]
    return [leaf for child in query.children() for leaf in wanted_leaves(child)]


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
