"""The test-only switch between the engine's two paths: the fast path (Whoosh's internals,
on the version it was written for) and stock Whoosh (its public API only)."""

from __future__ import annotations

import pytest

import indexer.engine.version


def use_stock_whoosh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the engine believe the installed Whoosh is not the one its fast path was
    written for, until the test ends (forked build workers see it too)."""
    monkeypatch.setattr(indexer.engine.version, "TESTED_WHOOSH_VERSION", (0, 0, 0))
    monkeypatch.setattr(indexer.engine.version, "_fast", None)
    assert not indexer.engine.version.fast_path()
