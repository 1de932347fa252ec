"""The README's example outputs are what the commands print on the bundled corpus.

Each `$ search ...` or `$ indexer ...` line of a `console` block of the README is run
from a copy of the checkout (bundled corpus, fresh index) and its output compared with
the lines shown under it. Examples that need the shared news corpus, a pipe, an editor,
a terminal or a running process are left out (see `_runnable`).
"""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.store import build_index
from tests.conftest import BUNDLED_CORPUS, REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, str]]:
    """(command line, output shown) for each `$ ` line of the README's console blocks."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


def _runnable(command: str) -> bool:
    words = shlex.split(command)
    return (
        words[0] in ("search", "indexer")
        and len(words) > 1  # `search` alone opens the shell
        and not any(mark in command for mark in ("|", "../shared", "&&", ">", "--open", "watch"))
    )


EXAMPLES = [(command, output) for command, output in console_examples() if _runnable(command)]


def test_the_readme_has_runnable_examples():
    assert len(EXAMPLES) >= 10, EXAMPLES


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A folder laid out like a checkout: ./corpus (bundled) and ./index_data (built)."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(BUNDLED_CORPUS, root / "corpus")
    build_index(root / "corpus", root / "index_data")
    return root


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[command for command, _ in EXAMPLES])
def test_a_readme_example_prints_what_the_readme_shows(checkout, monkeypatch, command, shown):
    monkeypatch.chdir(checkout)
    program, *args = shlex.split(command)
    main = search_main if program == "search" else indexer_main
    result = CliRunner().invoke(main, args, prog_name=program, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert _tidy(result.output) == _tidy(shown)


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
