"""Did the corpus change since the index's last commit? Stats only, and light to import.

This is what the forked child of a one-shot search runs (`freshness.start_change_check`)
while its parent loads Whoosh. It imports the corpus walk and nothing of the index code
(no note parsing, no YAML, no Whoosh): the child used to import `store` after the fork,
~45 ms of CPU that overlapped nothing on a machine whose other core was busy.

A "yes" only means "check properly": the parent then runs the full `ensure_fresh_index`.
"""

from __future__ import annotations

import os
from pathlib import Path

from indexer.index.json_files import read_json_object
from indexer.index.schema_version import INDEX_NAME
from indexer.notes.corpus import walked_fingerprint

# 2: entries carry the note's near-duplicate signature.
# 3: the signature is every paragraph's key with its word count (`near_copies`).
MANIFEST_VERSION = 3
# A few bytes saying which corpus state the last commit saw, so that a search can tell
# "nothing changed" from one directory walk without parsing the whole manifest.
STATE_FILE = "state.json"


def has_current_index(index_dir: Path) -> bool:
    """True when `index_dir` has a table of contents of this schema version (names only)."""
    prefix = f"_{INDEX_NAME}_"
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(name.startswith(prefix) and name.endswith(".toc") for name in names)


def corpus_changed(corpus: Path, index_dir: Path, ignore: tuple[str, ...] = ()) -> bool:
    """False when the corpus's notes have the paths, sizes and mtimes of the last commit."""
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not has_current_index(index_dir):
        return True
    state = read_json_object(index_dir / STATE_FILE)
    if state.get("version") != MANIFEST_VERSION or state.get("corpus") != str(corpus.resolve()):
        return True
    if state.get("retry"):
        # Notes skipped at the last commit are read again when their mode, owner or the
        # options change, which no stat of mtime and size shows: the full check decides.
        return True
    return state.get("fingerprint") != walked_fingerprint(corpus, ignore=ignore, exclude=(index_dir,))
