"""Test-only pauses at the risky moments of a commit, so that crash tests can kill a real
process exactly there.

`NOTES_TEST_PAUSE_AT=commit` pauses once every new segment is written and before the
table of contents that makes them the index; `NOTES_TEST_PAUSE_AT=manifest` pauses after
that commit and before the manifest is written. The process says so on stderr
(`indexer: test pause: commit`) and sleeps up to `NOTES_TEST_PAUSE_SECONDS` (60). Unset,
as it always is outside the tests, this costs one environment lookup per commit.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_VARIABLE = "NOTES_TEST_PAUSE_AT"


def pause_for_tests(point: str) -> None:
    """Sleep here if a test asked to pause at `point`."""
    if os.environ.get(PAUSE_VARIABLE) != point:
        return
    sys.stderr.write(f"indexer: test pause: {point}\n")
    sys.stderr.flush()
    time.sleep(float(os.environ.get("NOTES_TEST_PAUSE_SECONDS", "60")))
