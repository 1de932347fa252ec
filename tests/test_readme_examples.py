"""The example outputs of the README and of docs/ are what the commands print on the
bundled corpus.

Each `$ search ...` or `$ indexer ...` line of a `console` block of README.md or a page
of docs/ (optionally after `NAME=value` variables) is run from a copy of the checkout
(bundled corpus, its notes.toml, a fresh index) and its output compared with the lines
shown under it. Examples that need a pipe, an editor, a terminal or a running process are
left out (see `_runnable`); examples on notes a reader does not have are `text` blocks.

Each example runs on its own copy of the checkout, so that it passes or fails the same way
alone, in any order or on any xdist worker: the examples before it on its page that save a
search (`--save`, written into the index folder) are run first, as a reader would have.
"""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.store import build_index
from indexer.search.saved import SAVED_FILE
from tests.conftest import BUNDLED_CORPUS, REPO, write_project_settings

README = (REPO / "README.md").read_text(encoding="utf-8")
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def console_examples() -> list[tuple[str, str, str]]:
    """(page, command line, output shown) for each `$ ` line of the console blocks of the pages."""
    examples = []
    for page in PAGES:
        for block in re.findall(r"```console\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                examples.append((page.name, command, output))
    return examples


def _split_environment(command: str) -> tuple[dict[str, str], list[str]]:
    """`NOTES_LIMIT=5 search x` -> ({"NOTES_LIMIT": "5"}, ["search", "x"])."""
    words = shlex.split(command)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    return env, words


def _runnable(command: str) -> bool:
    _, words = _split_environment(command)
    return (
        words[0] in ("search", "indexer")
        and len(words) > 1  # `search` alone opens the shell
        and not any(mark in command for mark in ("|", "../shared", "&&", ">", "--open", "watch"))
    )


EXAMPLES = [example for example in console_examples() if _runnable(example[1])]


def _saves(command: str) -> bool:
    """The example changes what later ones see: it saves a search into the index folder."""
    return "--save" in _split_environment(command)[1]


def _run(program: str, args: list[str], env: dict[str, str]):
    main = search_main if program == "search" else indexer_main
    env = {"NO_COLOR": "1", "COLUMNS": "200", **env}
    return CliRunner().invoke(main, args, prog_name=program, env=env)


def test_the_readme_and_docs_have_runnable_examples():
    assert len(EXAMPLES) >= 15, EXAMPLES


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A folder laid out like a checkout: ./corpus (bundled) and ./index_data (built), built
    once per module (per xdist worker)."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(BUNDLED_CORPUS, root / "corpus")
    write_project_settings(root)
    build_index(root / "corpus", root / "index_data")
    return root


@pytest.fixture
def own_checkout(checkout):
    """The checkout as no example has touched it: no saved search (the one file examples
    write; the index itself stays as built, up to date)."""
    (checkout / "index_data" / SAVED_FILE).unlink(missing_ok=True)
    return checkout


@pytest.mark.parametrize(
    ("page", "command", "shown"), EXAMPLES, ids=[f"{page}: {command}" for page, command, _ in EXAMPLES]
)
def test_a_readme_example_prints_what_the_readme_shows(own_checkout, monkeypatch, page, command, shown):
    monkeypatch.chdir(own_checkout)
    for earlier_page, earlier, _ in EXAMPLES[: EXAMPLES.index((page, command, shown))]:
        if earlier_page == page and _saves(earlier):
            replayed = _run(*_program_and_args(earlier))
            assert replayed.exit_code == 0, (earlier, replayed.output)
    result = _run(*_program_and_args(command))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert _tidy(result.output) == _tidy(shown)


def _program_and_args(command: str) -> tuple[str, list[str], dict[str, str]]:
    env, (program, *args) = _split_environment(command)
    return program, args, env


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def everyday_queries() -> list[str]:
    section = README.split("## Ten everyday queries", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.join(shlex.split(line, comments=True)) for line in block.splitlines() if line.strip()]


def test_the_readme_shows_ten_everyday_queries():
    assert len(everyday_queries()) == 10


@pytest.mark.parametrize("command", everyday_queries())
def test_each_everyday_query_finds_notes_in_the_bundled_corpus(checkout, monkeypatch, command):
    monkeypatch.chdir(checkout)
    program, *args = shlex.split(command)
    assert program == "search"
    result = CliRunner().invoke(search_main, [*args, "--count"] if "--facet" not in args else args)
    if args == ["ransomwear"]:  # the typo: no match, and the suggestion
        assert result.exit_code == 1
        assert "Did you mean 'ransomware'?" in result.stderr
        return
    assert result.exit_code == 0, result.output
    if "--facet" not in args:
        assert int(result.stdout) > 0
