"""Linear-time checks: the CPU time of some work on an input and on one four times its size.

Linear work takes four times as long on four times the input, quadratic sixteen; the bound
halfway (in ratio) leaves a factor of two for noise either way. The time is CPU time
(`time.process_time`), which a busy machine inflates by tens of percent, not by two.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

Input = TypeVar("Input")

RATIO_BOUND = 8.0  # for four times the input: linear 4, quadratic 16
ROUNDS = 4  # rounds at most before a failure; the first one that passes ends the test


def cpu_seconds_per_call(work: Callable[[Input], object], argument: Input, *, at_least: float) -> float:
    """The CPU time of one call, over as many calls as take `at_least` seconds of CPU (at
    least one): a cheap call is timed over many, so the clock's grain does not matter."""
    calls, started = 0, time.process_time()
    while (spent := time.process_time() - started) < at_least or calls == 0:
        work(argument)
        calls += 1
    return spent / calls


def assert_grows_linearly(
    work: Callable[[Input], object],
    small: Input,
    large: Input,
    *,
    what: str,
    at_least: float = 0.02,
    slack: float = 0.0,
) -> None:
    """Fail unless `work(large)`, on four times the input of `work(small)`, costs less than
    RATIO_BOUND times as much CPU (plus `slack` seconds).

    Each round times both sizes, interleaved, and the best time of each size so far is
    compared: the first round that passes ends the check (the usual case: one round, where
    a fixed best-of-three cost three), and only ROUNDS rounds that all fail are a failure,
    so a burst of load, which slows a round, seldom fails the test. A quadratic rule stays
    at 16 whatever the rounds. Without the cyclic garbage collector meanwhile: a full
    collection walks every object of the process (the whole suite's) and can fall inside
    the larger input's calls only (the `many links` ratio measured 11-13 in loaded
    full-suite runs with it, 4.0 alone)."""
    best_small = best_large = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(ROUNDS):
            best_small = min(best_small, cpu_seconds_per_call(work, small, at_least=at_least))
            best_large = min(best_large, cpu_seconds_per_call(work, large, at_least=at_least))
            if best_large < best_small * RATIO_BOUND + slack:
                return
    finally:
        if enabled:
            gc.enable()
    raise AssertionError(
        f"{what}: {best_small * 1000:.2f} ms, then {best_large * 1000:.2f} ms for four times the input "
        f"(best of {ROUNDS} rounds; linear is 4x, the bound {RATIO_BOUND:g}x)"
    )
