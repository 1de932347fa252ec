"""Lint and format checks run with the tests, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

RUFF = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which("ruff")
if RUFF is None:
    # Installed into the running interpreter's environment (pip install '.[test]').
    candidate = __import__("pathlib").Path(sys.executable).with_name("ruff")
    RUFF = str(candidate) if candidate.exists() else None


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed (pip install -e '.[test]')")
@pytest.mark.parametrize("arguments", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_is_clean(arguments):
    result = subprocess.run([RUFF, *arguments], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
