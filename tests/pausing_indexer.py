"""The `indexer` command, paused at one of the risky moments of a run, so that crash and
concurrency tests can act on a real process exactly there:

    python tests/pausing_indexer.py POINT SECONDS ARGS...

`indexing:N` pauses before this process reads its Nth note (a parallel build's workers
read theirs meanwhile); `commit` pauses once every new segment is written and before the
table of contents that makes them the index; `manifest` pauses after that commit and
before the manifest is written. The process says so on stderr (`indexer: test pause:
POINT`) and waits for a line on stdin (or stdin's end), at most SECONDS, then goes on.
The product knows nothing of this: the launcher wraps the functions at those points
before it runs the command.
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable

# The function that each point runs first, and its module.
POINTS = {
    "indexing": ("indexer.index.parallel", "_parse"),
    "commit": ("indexer.index.store", "commit_segments"),
    "manifest": ("indexer.index.store", "_write_manifest"),
}


def pausing(point: str, seconds: float, function: Callable, *, at_call: int = 1) -> Callable:
    calls = 0
    here = os.getpid()  # forked build workers inherit the wrapper: only this process pauses

    def paused(*args, **kwargs):
        nonlocal calls
        if os.getpid() == here:
            calls += 1
            if calls == at_call:
                sys.stderr.write(f"indexer: test pause: {point}\n")
                sys.stderr.flush()
                if select.select([sys.stdin], [], [], seconds)[0]:
                    sys.stdin.readline()
        return function(*args, **kwargs)

    return paused


def main(argv: list[str]) -> None:
    import importlib

    point, seconds, *args = argv
    name, _, nth = point.partition(":")
    import indexer.index.store
    from indexer.cli import indexer_main

    # The tests' generated corpus is small (tests/processes.py): its build runs on two
    # processes, as one of 400 notes or more does.
    indexer.index.store.PARALLEL_THRESHOLD = 100
    module_name, function = POINTS[name]
    module = importlib.import_module(module_name)
    wrapped = pausing(name, float(seconds), getattr(module, function), at_call=int(nth or 1))
    setattr(module, function, wrapped)
    indexer_main(args, prog_name="indexer")


if __name__ == "__main__":
    main(sys.argv[1:])
