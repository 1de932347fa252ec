"""Small JSON files beside the index (manifest, state, duplicate groups), written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.errors import NotesError


def read_json_object(path: Path) -> dict:
    """The JSON object in `path`, or {} when it is missing or damaged (it is then rebuilt)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}
    return json_object(text)


def json_object(text: str) -> dict:
    """The JSON object `text` holds, or {} when it is damaged or holds something else."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def write_json_atomic(target: Path, data: dict) -> None:
    """Write `data` to `target` atomically (a temporary file renamed into place)."""
    write_text_atomic(target, json.dumps(data, separators=(",", ":")))


def write_text_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` atomically (a temporary file renamed into place)."""
    target = Path(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise NotesError(f"cannot write {target}: {exc.strerror}") from None
