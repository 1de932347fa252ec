"""Figures about an index: note count, freshness, paths, size, fields."""

from __future__ import annotations

import os
from pathlib import Path

from indexer.index.damage import read_or_damaged
from indexer.index.fields import catalog_from_field_names
from indexer.index.schema_version import SCHEMA_VERSION
from indexer.index.store import open_whoosh_index, read_index_info


def index_stats(corpus: Path, index_dir: Path) -> dict[str, object]:
    """A flat dict of figures, in display order (also the JSON shape of `indexer stats --json`)."""
    ix = open_whoosh_index(index_dir)

    def read() -> tuple[int, list[str], int]:
        from whoosh.index import TOC

        with ix.reader() as reader:
            segments = len(TOC.read(ix.storage, ix.indexname).segments)
            return reader.doc_count(), list(reader.indexed_field_names()), segments

    notes, field_names, segments = read_or_damaged(index_dir, read)
    info = read_index_info(index_dir)
    catalog = catalog_from_field_names(field_names)
    size = folder_size(Path(index_dir))
    return {
        "notes": notes,
        "skipped": info.get("skipped", 0),
        "updated_at": info.get("updated_at"),
        "corpus": info.get("corpus") or str(Path(corpus).resolve()),
        "index": str(Path(index_dir).resolve()),
        "size_bytes": size,
        "size": human_size(size),
        "segments": segments,
        "schema_version": SCHEMA_VERSION,
        "fields": catalog.user_fields(),
        "structured_fields": list(catalog.structured),
    }


def folder_size(folder: Path) -> int:
    """Bytes used by the files directly inside `folder`."""
    total = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def human_size(size: float) -> str:
    """1536 -> '1.5 KB'."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
