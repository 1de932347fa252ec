"""A CPU-time budget for reading one note: a note built to make a parser slow becomes a
skipped note with a reason, never a stalled build or search.

Every rule over note text is meant to be linear; the budget is the second line of
defence. It is a virtual-time interval timer (`SIGVTALRM`), so it counts only this
process's CPU, never time spent waiting for a loaded machine. Signals reach only the
main thread: elsewhere (and where there is no `setitimer`) the time is checked after
the parse instead, which cannot cut a stall short but still reports the note.
"""

from __future__ import annotations

import _signal
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# CPU seconds one note may take to read, parse and turn into index fields.
PARSE_BUDGET_SECONDS = 2.0


class ParseBudgetExceeded(Exception):
    """Raised inside the guarded block when its CPU budget runs out."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took more than {seconds:g} s of CPU to parse")
        self.reason = str(self)


_active = threading.local()


@contextmanager
def parse_budget(seconds: float | None = None) -> Iterator[None]:
    """Run the block with at most `seconds` of CPU (default `PARSE_BUDGET_SECONDS`);
    raise `ParseBudgetExceeded` when it takes more. Nested budgets keep the outer one."""
    seconds = PARSE_BUDGET_SECONDS if seconds is None else seconds
    if getattr(_active, "on", False):
        yield
        return
    _active.on = True
    try:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            with _interval_timer(seconds):
                yield
        else:
            started = time.thread_time()
            yield
            if time.thread_time() - started > seconds:
                raise ParseBudgetExceeded(seconds)
    finally:
        _active.on = False


@contextmanager
def _interval_timer(seconds: float) -> Iterator[None]:
    def expired(signum: int, frame: FrameType | None) -> None:
        raise ParseBudgetExceeded(seconds)

    # `_signal.signal`: `signal.signal` less its conversion of handlers to an enum, which
    # raised and caught a ValueError to give ours back (a budget for each hit's passages
    # took ~18 us, now ~6).
    previous = _signal.signal(signal.SIGVTALRM, expired)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        _signal.signal(signal.SIGVTALRM, previous)
