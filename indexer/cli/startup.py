"""The `search` console script's entry: the resident process first (indexer.daemon.client,
which loads neither click nor Whoosh), else the garbage collector paused while the code loads.

Why and how long: `indexer.cli.gc_pause`. This module imports the command only inside
`run_search`, after the pause, and the command imports `gc_pause` (not this module) to
say when its code is in.
"""

from __future__ import annotations

from indexer.cli.gc_pause import pause_collection


def run_search() -> None:
    """The `search` console script: ask the resident process; else pause collection, then
    load and run the command."""
    import sys

    from indexer.daemon.client import answer_remotely

    status = answer_remotely(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    pause_collection()
    from indexer.cli.search import search_main

    search_main()
