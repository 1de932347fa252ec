"""Which folders the index may be written into: one we made (it holds our marker file), a
new or empty one, or one an earlier version of this tool made. Never any other folder."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from indexer.errors import IndexWriteError

MARKER_FILE = ".notes-index"
MARKER_TEXT = (
    "This folder holds a notes-indexer index: `indexer build` may replace anything in it.\n"
    "Only saved-searches.toml cannot be rebuilt from the notes.\n"
)
# Files of an index written before the marker existed: Whoosh's table of contents.
_OUR_TOC = re.compile(r"_notes_v\d+_\d+\.toc")


def is_index_folder(index_dir: Path) -> bool:
    """True when `index_dir` holds our marker file."""
    return (Path(index_dir) / MARKER_FILE).is_file()


def claim_index_folder(index_dir: Path) -> None:
    """Make `index_dir` ours before the first write into it, or refuse.

    A missing or empty folder is created with the marker; a folder with the marker is
    ours; a folder that an earlier version wrote (a table of contents of ours, or our
    manifest) gets the marker. Any other folder is refused: `--index` pointed at the
    wrong place, or a notes folder naming someone else's, must not lose their files.
    """
    index_dir = Path(index_dir)
    if is_index_folder(index_dir):
        return
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        names = os.listdir(index_dir)
    except OSError as exc:
        raise IndexWriteError(f"cannot create index folder {index_dir}: {exc.strerror}") from None
    if names and not _written_by_us(index_dir, names):
        raise IndexWriteError(
            f"index folder {index_dir} is not empty and holds no index of this tool; "
            "refusing to write into it",
            hint="give --index (or NOTES_INDEX) a new or empty folder",
        )
    try:
        (index_dir / MARKER_FILE).write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as exc:
        raise IndexWriteError(
            f"index folder {index_dir} is not writable ({exc.strerror})",
            hint=f"check its permissions: chmod u+rwx {index_dir}",
        ) from None


def _written_by_us(index_dir: Path, names: list[str]) -> bool:
    if set(names) <= {"saved-searches.toml"}:  # saved searches kept before any build
        return True
    if any(_OUR_TOC.fullmatch(name) for name in names):
        return True
    if "manifest.json" in names:
        try:
            manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            isinstance(manifest, dict)
            and isinstance(manifest.get("version"), int)
            and isinstance(manifest.get("corpus"), str)
            and isinstance(manifest.get("files"), dict)
        )
    return False
