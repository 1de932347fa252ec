"""The OpenSearch index: analyzers that read text as the Whoosh schema does, the mapping,
and the document of a note.

The stemmed fields (title, subtitle, body, tag words) are sent already analyzed by the
Whoosh schema's own analyzer (`schema.TEXT_ANALYZER`), its stems joined by spaces, and the
cluster only splits them: Whoosh's Porter stemmer is not Lucene's (`cryptocurrency` is
`cryptocurrenci` to Whoosh, `cryptocurr` to Lucene; `deployment`, `deploy`), so stemming
on the cluster made the same query match different notes. The words as written go to
`*_words` fields (for the exact-form ranking bonuses), what hits show to `shown`.

The other analyzers are built from stock OpenSearch parts so that a word means the same
on both engines: the Whoosh word pattern, lowercasing, accent folding and the same stop
words. Whoosh numbers the words after stop words are taken out (`flaw to affect` is the
phrase `flaw affect`); Lucene would leave a gap, so the stop words are removed before
the text is split (a char filter) instead.
"""

from __future__ import annotations

from whoosh.analysis.filters import STOP_WORDS

from indexer.index.analysis import PATH_WORD_PATTERN, WORD_PATTERN
from indexer.index.schema import (
    MAX_WORD_CHARS,
    STRUCTURED_PREFIX,
    TEXT_ANALYZER,
    indexed_body,
    structured_values,
)
from indexer.notes.note import Note
from indexer.search.facets import fold

SHARDS = 2
REPLICAS = 1
# Bump when the mapping or analyzers change: an index of another version is rebuilt.
MAPPING_VERSION = 3

_STOP_ALTERNATIVES = "|".join(sorted(STOP_WORDS, key=lambda word: (-len(word), word)))
# A stop word as a whole token of WORD_PATTERN (not the `a` of `x.a` or `a.b`).
_STOP_PATTERN = rf"(?<!\w)(?<!\w\.)(?:{_STOP_ALTERNATIVES})(?!\w)(?!\.\w)"


def index_body(*, shards: int = SHARDS, replicas: int = REPLICAS) -> dict:
    """Settings and mapping of a new notes index."""
    return {"settings": _settings(shards, replicas), "mappings": _mappings()}


def _settings(shards: int, replicas: int) -> dict:
    words = {"type": "pattern", "group": 0, "flags": "CASE_INSENSITIVE|UNICODE_CHARACTER_CLASS"}
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "analysis": {
            "char_filter": {
                "notes_stop_words": {
                    "type": "pattern_replace",
                    "pattern": _STOP_PATTERN,
                    "replacement": "",
                    "flags": "CASE_INSENSITIVE|UNICODE_CHARACTER_CLASS",
                }
            },
            "tokenizer": {
                "notes_words": words | {"pattern": WORD_PATTERN},
                "notes_path_words": words | {"pattern": PATH_WORD_PATTERN},
            },
            "filter": {"notes_max_length": {"type": "length", "max": MAX_WORD_CHARS}},
            "analyzer": {
                # Stems as `TEXT_ANALYZER` made them, one a word (see `stems`).
                "notes_stems": {"type": "custom", "tokenizer": "whitespace"},
                # Words as written (`schema.EXACT_ANALYZER`): the exact-form ranking bonuses.
                "notes_exact": {
                    "type": "custom",
                    "tokenizer": "notes_words",
                    "filter": ["lowercase", "asciifolding", "notes_max_length"],
                },
                "notes_names": {
                    "type": "custom",
                    "char_filter": ["notes_stop_words"],
                    "tokenizer": "notes_words",
                    "filter": ["lowercase", "asciifolding", "notes_max_length"],
                },
                "notes_paths": {
                    "type": "custom",
                    "tokenizer": "notes_path_words",
                    "filter": ["lowercase", "asciifolding", "notes_max_length"],
                },
            },
            "normalizer": {"notes_value": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
        },
    }


def _mappings() -> dict:
    stemmed = {"type": "text", "analyzer": "notes_stems"}
    # Title, subtitle and body as written, for the exact-form ranking bonuses only.
    written = {"type": "text", "analyzer": "notes_exact", "norms": False, "index_options": "positions"}
    value = {"type": "keyword", "normalizer": "notes_value"}
    exact = {"type": "keyword"}
    return {
        # Structured tags add fields as notes bring them (the templates below map them).
        "dynamic": True,
        "_meta": {"notes_mapping_version": MAPPING_VERSION},
        "dynamic_templates": [
            {"structured": {"match": STRUCTURED_PREFIX + "*", "mapping": value}},
            {"facets": {"path_match": "facet.*", "mapping": exact}},
            {"spellings": {"path_match": "spelling.*", "mapping": exact}},
        ],
        "properties": {
            "path_id": exact,
            "path": {"type": "text", "analyzer": "notes_paths"},
            "title": stemmed,
            "subtitle": stemmed,
            "body": stemmed,
            "title_words": written,
            "subtitle_words": written,
            "body_words": written,
            "source": {"type": "text", "analyzer": "notes_names"},
            "author": {"type": "text", "analyzer": "notes_names"},
            "tag": value,
            "tag_words": stemmed,
            "date": {"type": "date", "format": "strict_date_optional_time"},
            "link": {"type": "text", "analyzer": "notes_paths"},
            # Shown in hits, never searched.
            "authors": {"type": "keyword", "index": False},
            "tags": {"type": "keyword", "index": False},
            "structured": {"type": "object", "enabled": False},
            "shown": {"type": "object", "enabled": False},  # title, subtitle, link as written
            # Change detection, as the Whoosh manifest keeps it.
            "mtime_ns": {"type": "long"},
            "size": {"type": "long"},
            # Facets: folded values are counted, the spellings tell how to show them.
            "facet": {"type": "object", "dynamic": True},
            "spelling": {"type": "object", "dynamic": True},
        },
    }


def note_document(note: Note, *, mtime_ns: int, size: int) -> dict[str, object]:
    """The OpenSearch document of a note (its `_id` is its path)."""
    body = indexed_body(note)
    # Searched as Whoosh indexes them: the title with the note's aliases, the link with
    # the links of the body.
    document: dict[str, object] = {
        "path_id": note.path,
        "path": note.path,
        "title": stems("\n".join((note.title, *note.aliases))),
        "title_words": note.title,
        "body": stems(body),
        "body_words": body,
        "shown": {"title": note.title, "subtitle": note.subtitle, "link": note.link},
        "authors": list(note.authors),
        "tags": list(note.tags),
        "structured": {"pairs": [list(pair) for pair in note.structured]},
        "mtime_ns": mtime_ns,
        "size": size,
    }
    optional = {
        "subtitle": stems(note.subtitle),
        "subtitle_words": note.subtitle,
        "source": note.source,
        "author": note.author,
        "tag": [value for value in note.tags if value],
        "tag_words": stems(" ".join(note.tags)),
        "link": "\n".join((note.link, *note.links)).strip("\n"),
    }
    document.update({name: value for name, value in optional.items() if value})
    if note.date is not None:
        document["date"] = note.date.isoformat()
    facets: dict[str, list[str]] = {}
    facets["source"] = [note.source] if note.source else []
    facets["author"] = [name for name in note.authors if name]
    facets["tag"] = [value for value in note.tags if value]
    for field_name, values in structured_values(note).items():
        document[field_name] = [value.replace(",", " ") for value in values]
        facets[field_name[len(STRUCTURED_PREFIX) :]] = values
    document["facet"] = {name: sorted({fold(v) for v in values}) for name, values in facets.items() if values}
    document["spelling"] = {name: values for name, values in facets.items() if values}
    return document


def stems(text: str) -> str:
    """The words of `text` as the Whoosh schema indexes them (`TEXT_ANALYZER`: lowercased,
    accents folded, stop words out, Porter-stemmed as Whoosh stems), joined by spaces:
    split on spaces, they take the same positions as in the Whoosh index."""
    places = TEXT_ANALYZER.word_positions(text)
    ordered = sorted((position, word) for word, positions in places.items() for position in positions)
    return " ".join(word for _, word in ordered)
