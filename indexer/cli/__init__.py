"""The `search` and `indexer` commands (console scripts `indexer.cli:search_main` and
`indexer.cli:indexer_main`): option handling only; the work is in the API.

Nothing heavy is imported here: Whoosh, the shell and prompt_toolkit load inside the
commands that need them, so `search QUERY` starts fast.
"""

from __future__ import annotations

from indexer.cli.indexer_cmd import indexer_main
from indexer.cli.search import search_main

__all__ = ["indexer_main", "search_main"]
