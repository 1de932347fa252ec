"""What a killed build or update leaves in an index folder, and how the next run removes it.

A commit lands whole or not at all, so a killed run never damages the index; it only
leaves files that no commit refers to: segment files of the segments it was writing,
Whoosh's temporary folder, a half-written table of contents, a half-written manifest.
Whoosh deletes unreferenced segment files at its next commit, but not the others, and
an update with nothing to do makes no commit. Only a holder of the write lock may
call `remove_leftovers`: a running writer's files look exactly like leftovers.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# `json_files.write_json_atomic` writes `.manifest.json.PID.tmp`, `.state.json...`, then renames.
MANIFEST_TEMPORARY = re.compile(r"^\.(?:manifest|state|duplicates)\.json\.\d+\.tmp$")


def leftover_files(index_dir: Path) -> list[str]:
    """Names in `index_dir` that the last commit does not use and no commit will."""
    from indexer.index.schema_version import INDEX_NAME

    try:
        names = os.listdir(index_dir)
    except OSError:
        return []
    committed = _committed(Path(index_dir), INDEX_NAME, names)
    return sorted(name for name in names if _is_leftover(name, INDEX_NAME, committed))


def _is_leftover(name: str, indexname: str, committed: tuple[int, set[str]] | None) -> bool:
    if name == f"{indexname}.tmp" or MANIFEST_TEMPORARY.match(name):
        return True
    if re.match(rf"_{re.escape(indexname)}_\d+\.toc\.", name):  # a table of contents half written
        return True
    if committed is None:  # a table of contents that cannot be read: `indexer build` starts afresh
        return False
    generation, segments = committed
    if match := re.fullmatch(rf"_{re.escape(indexname)}_(\d+)\.toc", name):
        return int(match[1]) != generation
    # Segment ids are lowercase: `notes_vN_WRITELOCK` (Whoosh's lock) never matches.
    if match := re.match(rf"({re.escape(indexname)}_[0-9a-z]+)\.", name):
        return match[1] not in segments
    return False


def remove_leftovers(index_dir: Path) -> list[str]:
    """Delete what `leftover_files` finds; returns the names removed. Hold the write lock."""
    removed = []
    for name in leftover_files(index_dir):
        path = Path(index_dir) / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            pass
        removed.append(name)
    return removed


def _committed(index_dir: Path, indexname: str, names: list[str]) -> tuple[int, set[str]] | None:
    """The generation of the last commit and the ids of its segments ((-1, {}) if none),
    or None if its table of contents cannot be read. `names`: the folder's files."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    from indexer.errors import IndexDamagedError
    from indexer.index.damage import read_or_damaged

    toc_name = re.compile(rf"_{re.escape(indexname)}_\d+\.toc")
    if not any(toc_name.fullmatch(name) for name in names):  # no commit yet
        return -1, set()
    storage = FileStorage(str(index_dir), readonly=True)
    try:  # a damaged table of contents may raise anything
        toc = read_or_damaged(index_dir, lambda: TOC.read(storage, indexname), errors=(Exception,))
    except IndexDamagedError:
        return None
    return toc.generation, {segment.segment_id() for segment in toc.segments}
