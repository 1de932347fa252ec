"""The Whoosh schema: index fields, the names users type, and the schema version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import TYPE_CHECKING

from whoosh.analysis import CharsetFilter, LowercaseFilter
from whoosh.analysis.tokenizers import CommaSeparatedTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from indexer.engine.postings import cap_positions
from indexer.index.analysis import PATH_WORD_PATTERN, WordAnalyzer
from indexer.notes.note_view import encode_note_view
from indexer.notes.tags import structured_field_name

if TYPE_CHECKING:
    from indexer.notes.note import Note

# Changing the fields or analyzers below? Bump SCHEMA_VERSION in `schema_version`.

# Longer "words" (base64 blobs, a 5 MB line of one character) are not indexed.
MAX_WORD_CHARS = 100
# A query word that analyzes to several tokens ("T-Mobile", "x.com/y") is a phrase.
MULTITOKEN = "phrase"

# Structured tags (`victim.country.name=Ukraine`) live in dynamic fields `sx_<name>`.
STRUCTURED_PREFIX = "sx_"

# Fields a user can scope a query to, and the index field each one means.
USER_FIELDS: dict[str, str] = {
    "title": "title",
    "subtitle": "subtitle",
    "body": "body",
    "source": "source",
    "author": "author",
    "tag": "tag",
    "date": "date",
    "link": "link",
    "path": "path",
}
FIELD_ALIASES: dict[str, str] = {"tags": "tag", "authors": "author", "url": "link"}

# Fields searched by a word without a `field:` scope.
DEFAULT_SEARCH_FIELDS = ("title", "subtitle", "body", "tag_words", "author", "source")

# Words: "T-Mobile" -> "t", "mobile"; "3.5" stays one token; accents folded; English
# stems. Single letters are kept so that a query word such as `T-Mobile`, which becomes a
# phrase of its parts (see MULTITOKEN), can match exactly. (One-pass equivalent of
# RegexTokenizer | LowercaseFilter | CharsetFilter(accent_map) | StopFilter | StemFilter.)
TEXT_ANALYZER = WordAnalyzer(stem=True, maxsize=MAX_WORD_CHARS)
# Names are matched word by word and never stemmed; stop words are dropped so that an
# unscoped "the" does not match every note from "The Record".
NAME_ANALYZER = WordAnalyzer(stem=False, maxsize=MAX_WORD_CHARS)
# Words as written, for ranking only (not an index field: ranking finds them in the text
# of its best matches): no stems, and stop words kept, so that a quoted "flaw to affect"
# can favour the notes that say exactly that.
EXACT_ANALYZER = WordAnalyzer(stem=False, stoplist=frozenset(), maxsize=MAX_WORD_CHARS)
# Paths and links: every alphanumeric run is a word ("zdnet/1000-arrests.md"); no stop
# words, no stems.
PATH_ANALYZER = WordAnalyzer(
    stem=False, stoplist=frozenset(), maxsize=MAX_WORD_CHARS, expression=PATH_WORD_PATTERN
)
# Whole values, case- and accent-insensitive: `tag:"The Record"`.
VALUE_ANALYZER = CommaSeparatedTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> Schema:
    """The schema of a new index."""
    schema = Schema(
        path_id=ID(unique=True, stored=True),
        path=TEXT(analyzer=PATH_ANALYZER, multitoken_query=MULTITOKEN),
        title=TEXT(analyzer=TEXT_ANALYZER, stored=True, multitoken_query=MULTITOKEN),
        subtitle=TEXT(analyzer=TEXT_ANALYZER, stored=True, multitoken_query=MULTITOKEN),
        body=TEXT(analyzer=TEXT_ANALYZER, multitoken_query=MULTITOKEN),
        source=TEXT(analyzer=NAME_ANALYZER, stored=True, multitoken_query=MULTITOKEN),
        author=TEXT(analyzer=NAME_ANALYZER, stored=True, multitoken_query=MULTITOKEN),
        tag=KEYWORD(analyzer=VALUE_ANALYZER, scorable=True),
        tag_words=TEXT(analyzer=TEXT_ANALYZER, multitoken_query=MULTITOKEN),
        date=DATETIME(stored=True, sortable=True),
        link=TEXT(analyzer=PATH_ANALYZER, stored=True, multitoken_query=MULTITOKEN),
        # Exact values with their case, for completion and facets.
        source_name=KEYWORD(commas=True),
        author_name=KEYWORD(commas=True),
        tag_name=KEYWORD(commas=True),
        # Kept for display and for change detection without re-reading files.
        authors=STORED,
        tags=STORED,
        structured=STORED,
        mtime_ns=STORED,
        size=STORED,
        # The body's blocks as a hit shows them, so a search need not parse the note: a
        # column of its own, read for the page's notes only (in the stored fields, which a
        # search reads for its hundred best notes, it tripled their cost: 17 -> 46 us each).
        blocks=COLUMN(VarBytesColumn()),
    )
    schema.add(STRUCTURED_PREFIX + "*", KEYWORD(analyzer=VALUE_ANALYZER, scorable=True), glob=True)
    return cap_positions(schema)


def note_document(note: Note, *, mtime_ns: int, size: int) -> dict[str, object]:
    """The Whoosh document for a note."""
    document: dict[str, object] = {
        "path_id": note.path,
        "path": note.path,
        # Aliases are searched with the title's weight; only the title is shown.
        "title": "\n".join((note.title, *note.aliases)),
        "_stored_title": note.title,
        "body": indexed_body(note),
        "authors": list(note.authors),
        "tags": list(note.tags),
        "structured": [list(pair) for pair in note.structured],
        "mtime_ns": mtime_ns,
        "size": size,
        "blocks": encode_note_view(note),
    }
    optional = {
        "subtitle": note.subtitle,
        "source": note.source,
        "source_name": _values([note.source]),
        "author": note.author,
        "author_name": _values(note.authors),
        "tag": _values(note.tags),
        "tag_words": " ".join(note.tags),
        "tag_name": _values(note.tags),
        # The body's link targets are searched with `link:`; only the note's own link is shown.
        "link": "\n".join((note.link, *note.links)).strip("\n"),
    }
    document.update({name: value for name, value in optional.items() if value})
    if "link" in document:
        document["_stored_link"] = note.link
    if note.date is not None:
        document["date"] = datetime.combine(note.date, time())
    for field_name, values in structured_values(note).items():
        document[field_name] = _values(values)
    return document


def structured_values(note: Note) -> dict[str, list[str]]:
    """Values of each structured-tag field of a note: {"sx_country": ["Ukraine", ...]}."""
    fields: dict[str, list[str]] = {}
    for key, value in note.structured:
        name = STRUCTURED_PREFIX + structured_field_name(key)
        fields.setdefault(name, []).append(value)
    return fields


def indexed_body(note: Note) -> str:
    """The text the `body` field indexes: the body as a reader sees it, then the indicators."""
    body = note.text
    return f"{body}\n{note.indicators}" if note.indicators else body


def _values(values: Iterable[str]) -> str:
    # Commas separate values in KEYWORD fields, so a comma inside one becomes a space.
    return ",".join(value.replace(",", " ") for value in values if value)
