"""The garbage collector paused while the `search` command's code loads.

Loading click and Whoosh creates a few hundred thousand objects (functions, classes,
compiled patterns) that live as long as the process and hold no garbage, yet Python's
cyclic collector walks them again each time enough objects have been created, and once
more when the interpreter exits. For a one-shot search that was ~17 ms of ~190 (`search
--no-update 'ransomware attack'` on the news corpus, median of 15 runs each way).

So the `search` script (`indexer.cli.startup`) pauses the collector before importing the
command, and `code_loaded()` hands everything loaded so far to `gc.freeze` (out of the
collector's sight for good) and resumes collection for the work itself: the search, a
shell session or a batch run collects garbage as usual. Anything else that imports the
command (tests, the Python API) never paused the collector, and `code_loaded()` leaves
it alone.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    """Pause collection until `code_loaded` (if it is running at all)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def code_loaded() -> None:
    """Resume collection paused by `pause_collection`, with the code loaded so far frozen."""
    global _paused
    if _paused:
        gc.freeze()
        gc.enable()
        _paused = False
