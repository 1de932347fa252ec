"""Open the index on disk for a search: is there one of this schema version, and what is
wrong when it cannot be opened.

Apart from `store` (building, updating, committing), so that a search loads neither the
writing code nor its records (`IndexOptions`, `IndexReport`, `ChangeSet`, `Freshness`),
the lock and the recovery after a killed run (which loads `shutil`, `bz2` and `lzma`):
~25 M instructions of a one-shot search's ~700 M (callgrind, `search --count`).
"""

from __future__ import annotations

import os
from pathlib import Path

from indexer.errors import IndexDamagedError, IndexMissingError
from indexer.index.change_check import STATE_FILE, has_current_index
from indexer.index.damage import read_or_damaged

MANIFEST_FILE = "manifest.json"


def index_exists(index_dir: Path) -> bool:
    """True when `index_dir` holds an index of the current schema version.

    Decided from the file names alone: Whoosh's `exists_in` reads the whole table of
    contents (and unpickles the schema), which doubled the cost of opening an index.
    """
    if not Path(index_dir).is_dir():
        return False
    _require_readable(Path(index_dir))
    return has_current_index(Path(index_dir))


def _require_readable(index_dir: Path) -> None:
    if not os.access(index_dir, os.R_OK | os.X_OK):
        raise IndexDamagedError(
            f"index folder {index_dir} is not readable (permission denied)",
            hint=f"check its permissions: chmod u+rwx {index_dir}",
        )


def old_index_names(index_dir: Path) -> list[str]:
    """Names of indexes in `index_dir` written by other schema versions."""
    from indexer.index.schema_version import INDEX_NAME

    try:
        names = os.listdir(index_dir)
    except OSError:
        return []
    found = set()
    for name in names:
        if name.startswith("_notes_v") and name.endswith(".toc"):
            indexname = name[1:].rsplit("_", 1)[0]
            if indexname != INDEX_NAME:
                found.add(indexname)
    return sorted(found)


def open_whoosh_index(index_dir: Path, *, finished: bool = True):
    """Open the index for reading; raise a `NotesError` saying what is wrong and what to do.

    `finished`: refuse an index whose first build never committed its manifest (killed,
    or failed): Whoosh's empty table of contents is there, but it would answer "0 notes".
    """
    from whoosh import index as whoosh_index
    from whoosh.index import EmptyIndexError

    from indexer.index.schema_version import INDEX_NAME

    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        raise IndexMissingError(f"no index at {index_dir}", hint="run: indexer build")
    if not index_exists(index_dir):
        if old_index_names(index_dir):
            raise IndexMissingError(
                f"index at {index_dir} was written by an older version of this tool",
                hint="run: indexer build",
            )
        raise IndexMissingError(f"no index at {index_dir}", hint="run: indexer build")
    if finished and not (index_dir / MANIFEST_FILE).exists() and not (index_dir / STATE_FILE).exists():
        raise IndexMissingError(
            f"the index at {index_dir} is incomplete: its first build did not finish",
            hint="finish it: indexer build (a search without --no-update builds it too)",
        )

    def open_dir():
        try:
            return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
        except EmptyIndexError:
            raise IndexMissingError(f"no index at {index_dir}", hint="run: indexer build") from None

    # A table of contents that cannot be unpickled may raise anything. One that is gone
    # between Whoosh's listing of the folder and its reading of the file was replaced by a
    # newer commit (a build beside this search): opening again reads the newer one.
    return read_or_damaged(
        index_dir, open_dir, errors=(Exception,), reopened=lambda failure: failure is FileNotFoundError
    )
