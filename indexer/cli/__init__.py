"""The `search` and `indexer` commands (console scripts `indexer.cli.startup:main`,
which runs `indexer.cli.search:search_main`, and `indexer.cli.indexer_cmd:indexer_main`):
option handling only; the work is in the API.

Nothing heavy is imported here: Whoosh, the shell and prompt_toolkit load inside the
commands that need them, and each console script imports its own command only, so
`search QUERY` starts fast. `from indexer.cli import search_main` still works.
"""

from __future__ import annotations

__all__ = ["indexer_main", "search_main"]


def __getattr__(name: str):
    if name == "search_main":
        from indexer.cli.search import search_main

        return search_main
    if name == "indexer_main":
        from indexer.cli.indexer_cmd import indexer_main

        return indexer_main
    raise AttributeError(f"module 'indexer.cli' has no attribute {name!r}")
