"""The linear-time check itself (tests/growth.py): it passes linear work and fails quadratic."""

from __future__ import annotations

import pytest

from tests.growth import assert_grows_linearly


def linear(items: list[int]) -> int:
    return sum(items)


def quadratic(items: list[int]) -> int:
    return sum(sum(items[:end]) for end in range(len(items)))


def test_linear_work_passes():
    assert_grows_linearly(linear, list(range(20_000)), list(range(80_000)), what="sum")


def test_quadratic_work_fails_with_both_times():
    with pytest.raises(AssertionError, match=r"prefix sums: [\d.]+ ms, then [\d.]+ ms for four times"):
        assert_grows_linearly(quadratic, list(range(300)), list(range(1200)), what="prefix sums")
