"""Python's cyclic garbage collector paused while work that makes few cycles runs.

Building an index and answering a query make many short-lived containers (tuples, lists,
dicts of postings) and free nearly all of them by their reference count. Yet the collector
runs every 700 new objects, each time walking what was made since its last run, and now
and then everything the process holds: in a process that keeps an index open (the
resident process, the shell, a script using the API), that is the searcher's caches too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collection() -> Iterator[None]:
    """The collector off for the duration, then as it was (enabled or not).

    Where it is used:
    - a build, while notes are indexed and their segment written: reading, parsing and
      indexing notes leaves no cyclic garbage (parsing 2,000 news notes with the collector
      off left 33 objects for it, all classes made once), and the postings only grow until
      the segment is written. Yet the collector ran every 700 new objects: 1.09 s of a
      one-process build of the news corpus, and still 0.2-0.4 s a build process once what
      they held was frozen every 256 notes (what this replaces);
    - each search (`NoteIndex.search`): the relevance benchmark's 1,582 queries of seed 7
      on one open index, in a process each way, two rounds (load ~1): wall median 15.1 /
      14.4 -> 14.1 / 13.8 ms, p95 49.2 / 49.0 -> 43.7 / 42.4 ms, the whole loop's CPU
      (what the collector does between searches included) 31.6 / 30.4 -> 28.5 / 27.8 s.
      A search leaves ~50 objects in cycles (24 searches of the bundled corpus with facets,
      timeline, suggestions and explanations: 1,275), which the collector's next run after
      it frees: its count of new objects goes on while it is off.

    Threads: each pause restores the state it found, so when searches overlap, the one
    that found the collector on turns it back on when it ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
