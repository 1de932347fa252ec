"""The schema version and the index name it gives: what tells this code's index from an older one.

Apart from `schema` (which loads Whoosh's fields and analyzers), so that asking whether an
index exists imports no Whoosh: the change check before a one-shot search asks it first.
"""

from __future__ import annotations

# Bump when the fields or analyzers of `schema` change, or how the index is written:
# older indexes are then rebuilt. 6: posting blocks pickled with protocol 4 (read back 6x
# faster; `engine/posting_writer.py`) and the copy groups' lookup (`index/duplicates.py`):
# a version-5 index still reads right, but every query on it would pay what 6 saves.
SCHEMA_VERSION = 6
INDEX_NAME = f"notes_v{SCHEMA_VERSION}"
