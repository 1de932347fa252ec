"""The schema version and the index name it gives: what tells this code's index from an older one.

Apart from `schema` (which loads Whoosh's fields and analyzers), so that asking whether an
index exists imports no Whoosh: the change check before a one-shot search asks it first.
"""

from __future__ import annotations

# Bump when the fields or analyzers of `schema` change: older indexes are then rebuilt.
SCHEMA_VERSION = 5
INDEX_NAME = f"notes_v{SCHEMA_VERSION}"
