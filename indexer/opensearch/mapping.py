"""The OpenSearch index: analyzers that read text as the Whoosh schema does, the mapping,
and the document of a note.

The analyzers are built from stock OpenSearch parts so that a word means the same on both
engines: the Whoosh word pattern, lowercasing, accent folding, the same stop words and
the Porter stemmer (the `english` analyzer's stemmer, without its possessive rule and
stop list, which differ from Whoosh's). Whoosh numbers the words after stop words are
taken out (`flaw to affect` is the phrase `flaw affect`); Lucene would leave a gap, so
the stop words are removed before the text is split (a char filter) instead.
"""

from __future__ import annotations

from whoosh.analysis.filters import STOP_WORDS

from indexer.index.analysis import PATH_WORD_PATTERN, WORD_PATTERN
from indexer.index.schema import MAX_WORD_CHARS, STRUCTURED_PREFIX, indexed_body, structured_values
from indexer.notes.note import Note
from indexer.search.facets import fold

SHARDS = 2
REPLICAS = 1
# Bump when the mapping or analyzers change: an index of another version is rebuilt.
MAPPING_VERSION = 1

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
                "notes_english": {
                    "type": "custom",
                    "char_filter": ["notes_stop_words"],
                    "tokenizer": "notes_words",
                    "filter": ["lowercase", "asciifolding", "notes_max_length", "porter_stem"],
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
    english = {"type": "text", "analyzer": "notes_english"}
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
            "title": english,
            "subtitle": english,
            "body": english,
            "source": {"type": "text", "analyzer": "notes_names"},
            "author": {"type": "text", "analyzer": "notes_names"},
            "tag": value,
            "tag_words": english,
            "date": {"type": "date", "format": "strict_date_optional_time"},
            "link": {"type": "text", "analyzer": "notes_paths"},
            # Shown in hits, never searched.
            "authors": {"type": "keyword", "index": False},
            "tags": {"type": "keyword", "index": False},
            "structured": {"type": "object", "enabled": False},
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
    document: dict[str, object] = {
        "path_id": note.path,
        "path": note.path,
        "title": note.title,
        "body": indexed_body(note),
        "authors": list(note.authors),
        "tags": list(note.tags),
        "structured": {"pairs": [list(pair) for pair in note.structured]},
        "mtime_ns": mtime_ns,
        "size": size,
    }
    optional = {
        "subtitle": note.subtitle,
        "source": note.source,
        "author": note.author,
        "tag": [value for value in note.tags if value],
        "tag_words": " ".join(note.tags),
        "link": note.link,
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
