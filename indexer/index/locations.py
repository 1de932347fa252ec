"""Where a corpus's index lives when no --index is given: one folder per corpus in the
user's data folder, named after the corpus's absolute path, so that searching a folder
never writes into it or into the current folder, and switching corpora reuses each index."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

APP_NAME = "notes-indexer"


def user_data_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The user's data folder for this tool (platformdirs' user_data_dir).

    Written out on Linux (XDG_DATA_HOME, else ~/.local/share) because it is asked before
    every search and importing platformdirs costs ~5 ms; elsewhere platformdirs knows."""
    if sys.platform.startswith("linux"):
        base = environ.get("XDG_DATA_HOME", "").strip() or os.path.join(
            os.path.expanduser("~"), ".local", "share"
        )
        return Path(base) / APP_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def indexes_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder holding one index folder per corpus."""
    return user_data_path(environ) / "indexes"


def default_index_dir(corpus: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """The index folder of `corpus`: its name, then a hash of its absolute path.

    `~/notes` and `/mnt/backup/notes` get different folders; the same folder reached
    through a symbolic link gets the same one (the path is resolved first)."""
    import hashlib  # here: a search given --index, or searching no default index, needs none

    absolute = str(Path(corpus).expanduser().resolve())
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(absolute).name).strip("-")[:40] or "root"
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return indexes_path(environ) / f"{name}-{digest}"


class KnownIndex(NamedTuple):
    """An index folder in the data folder and what its last commit says (a NamedTuple,
    not a dataclass: ~1 M instructions to build instead of ~4.5 M on every search)."""

    index_dir: Path
    corpus: str | None  # None: no build has finished in it
    notes: int | None
    updated_at: str | None
    size_bytes: int
    corpus_missing: bool


def known_indexes(environ: Mapping[str, str] = os.environ) -> list[KnownIndex]:
    """Every index folder in the data folder, sorted by corpus path."""
    from indexer.index.stats import folder_size
    from indexer.index.store import read_index_info

    root = indexes_path(environ)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir():
            continue
        info = read_index_info(folder)
        corpus = info.get("corpus") if isinstance(info.get("corpus"), str) else None
        notes = info.get("notes") if isinstance(info.get("notes"), int) else None
        updated = info.get("updated_at") if isinstance(info.get("updated_at"), str) else None
        found.append(
            KnownIndex(
                index_dir=folder,
                corpus=corpus,
                notes=notes,
                updated_at=updated,
                size_bytes=folder_size(folder),
                corpus_missing=corpus is not None and not Path(corpus).is_dir(),
            )
        )
    return sorted(found, key=lambda known: (known.corpus or "", known.index_dir.name))


def forget_index(corpus: Path, environ: Mapping[str, str] = os.environ) -> Path | None:
    """Remove the data folder's index of `corpus` (the corpus itself is not touched).

    The corpus need not exist any more; returns the folder removed, or None if there was none."""
    wanted = str(Path(corpus).expanduser().resolve())
    target = default_index_dir(corpus, environ)
    if not target.is_dir():
        target = next((known.index_dir for known in known_indexes(environ) if known.corpus == wanted), None)
        if target is None:
            return None
    import shutil

    shutil.rmtree(target)
    return target
