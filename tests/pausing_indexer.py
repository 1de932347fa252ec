"""The `indexer` command, paused at one of the risky moments of a commit, so that crash
tests can kill a real process exactly there:

    python tests/pausing_indexer.py POINT SECONDS ARGS...

`commit` pauses once every new segment is written and before the table of contents that
makes them the index; `manifest` pauses after that commit and before the manifest is
written. The process says so on stderr (`indexer: test pause: POINT`) and sleeps
SECONDS, then goes on. The product knows nothing of this: the launcher wraps the
functions at those points before it runs the command.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

# The function of `indexer.index.store` that each point runs first.
POINTS = {"commit": "commit_segments", "manifest": "_write_manifest"}


def pausing(point: str, seconds: float, function: Callable) -> Callable:
    def paused(*args, **kwargs):
        sys.stderr.write(f"indexer: test pause: {point}\n")
        sys.stderr.flush()
        time.sleep(seconds)
        return function(*args, **kwargs)

    return paused


def main(argv: list[str]) -> None:
    point, seconds, *args = argv
    import indexer.index.store as store
    from indexer.cli import indexer_main

    name = POINTS[point]
    setattr(store, name, pausing(point, float(seconds), getattr(store, name)))
    indexer_main(args, prog_name="indexer")


if __name__ == "__main__":
    main(sys.argv[1:])
