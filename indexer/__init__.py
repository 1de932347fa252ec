"""Local full-text search for folders of markdown notes, on Whoosh.

The small public API, also used by the `search` and `indexer` commands::

    import indexer

    indexer.build_index("corpus", "index_data")          # or update_index(...)
    with indexer.open_index("corpus", "index_data") as notes:
        result = notes.search('author:cimpanu tag:ransomware date:2021-10', limit=5)
        for hit in result.hits:
            print(hit.rank, hit.date, hit.title, hit.snippet)
        # or one SearchOptions, made (and checked) once and passed to many searches:
        newest = indexer.SearchOptions(limit=5, sort=indexer.SortOrder.NEWEST)
        result = notes.search("ransomware", newest)

Names are imported lazily so that `import indexer` stays cheap for the CLI.
"""

from __future__ import annotations

# typing.TYPE_CHECKING without importing typing: `import indexer` is the first thing every
# `search` does, and typing costs ~3 ms of a query answered by the resident process.
TYPE_CHECKING = False

__version__ = "0.1.0"

_EXPORTS = {
    "open_index": "indexer.search.searching",
    "NoteIndex": "indexer.search.searching",
    "SearchResult": "indexer.search.results",
    "SearchOptions": "indexer.search.options",
    "SortOrder": "indexer.search.options",
    "Hit": "indexer.search.results",
    "Passage": "indexer.search.results",
    "Contribution": "indexer.search.results",
    "Suggestion": "indexer.search.spelling",
    "SavedSearches": "indexer.search.saved",
    "SavedSearchError": "indexer.search.saved",
    "BatchQuery": "indexer.search.batch",
    "read_queries": "indexer.search.batch",
    "run_batch": "indexer.search.batch",
    "Note": "indexer.notes.note",
    "parse_note": "indexer.notes.note",
    "build_index": "indexer.index.store",
    "update_index": "indexer.index.store",
    "detect_changes": "indexer.index.store",
    "IndexOptions": "indexer.index.store",
    "IndexReport": "indexer.index.store",
    "NotesError": "indexer.errors",
    "QueryError": "indexer.errors",
    "UnknownFieldError": "indexer.errors",
    "NoteParseError": "indexer.errors",
    "IndexMissingError": "indexer.errors",
    "IndexLockedError": "indexer.errors",
    "ExitStatus": "indexer.status",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from typing import Any

    from indexer.errors import (
        IndexLockedError,
        IndexMissingError,
        NoteParseError,
        NotesError,
        QueryError,
        UnknownFieldError,
    )
    from indexer.index.store import IndexOptions, IndexReport, build_index, detect_changes, update_index
    from indexer.notes.note import Note, parse_note
    from indexer.search.batch import BatchQuery, read_queries, run_batch
    from indexer.search.options import SearchOptions, SortOrder
    from indexer.search.results import Contribution, Hit, Passage, SearchResult
    from indexer.search.saved import SavedSearchError, SavedSearches
    from indexer.search.searching import NoteIndex, open_index
    from indexer.search.spelling import Suggestion
    from indexer.status import ExitStatus


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
