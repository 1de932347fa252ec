"""The `search` console script's entry: the resident process first (indexer.daemon.client,
which loads neither click nor Whoosh), else the garbage collector paused while the code
loads; then a command line of the common kind without click (`cli/common_argv.py`), else
the click command.

Why and how long: `indexer.cli.gc_pause`. This module imports the command only inside
`run_search`, after the pause, and the command imports `gc_pause` (not this module) to
say when its code is in.

`main` (the console script) then leaves without tearing the interpreter down: see
`exit_without_teardown`.
"""

from __future__ import annotations

from indexer.cli.deferred_inspect import defer_inspect
from indexer.cli.gc_pause import pause_collection


def main() -> None:
    """The `search` console script: `run_search`, then a quick exit once its output is out."""
    try:
        run_search()
    except SystemExit as done:
        exit_without_teardown(done)
        raise


def run_search() -> None:
    """Ask the resident process; else pause collection, then load and run the command: the
    common command line's path, or the click command."""
    import sys

    from indexer.daemon.client import answer_remotely

    status = answer_remotely(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    defer_inspect()
    pause_collection()
    from indexer.cli.common_argv import serve_common_argv

    serve_common_argv(sys.argv[1:])  # exits, unless the line is for the click command
    from indexer.cli.search import search_main

    search_main()


def exit_without_teardown(done: SystemExit) -> None:
    """End the process at once with `done`'s status, the way Python would end it, minus
    the teardown of every module and object (~6-10 ms of CPU of a one-shot search with
    click and Whoosh loaded, measured with `/usr/bin/time` on the news corpus).

    What a normal exit does that matters is done first, in its order: other threads are
    waited for (none run here, else this returns and the normal exit runs), the `atexit`
    functions run, stdout and stderr are flushed. Returns, leaving the normal exit to
    Python, when the status is not a number or a flush fails (a closed pipe: Python
    then says so and picks the status, as always)."""
    import sys

    code = done.code
    if code is None:
        code = 0
    if not isinstance(code, int) or code < 0 or code > 255:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and not stream.closed:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
