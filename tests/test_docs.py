"""The README and the commands' help stay in step with what the tool does."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# The README with the reference pages under docs/: where an option or command is documented.
DOCUMENTED = README + "".join(
    page.read_text(encoding="utf-8") for page in sorted((REPO / "docs").glob("*.md"))
)


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quickstart_has_exactly_two_one_line_commands():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert 'search "GPRS gateway"' in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci


COMMANDS = [
    (search_main, []),
    (indexer_main, []),
    (indexer_main, ["build"]),
    (indexer_main, ["update"]),
    (indexer_main, ["stats"]),
    (indexer_main, ["watch"]),
    (indexer_main, ["duplicates"]),
    (indexer_main, ["daemon"]),
    (indexer_main, ["daemon", "status"]),
    (indexer_main, ["daemon", "stop"]),
]


@pytest.mark.parametrize(("command", "path"), COMMANDS, ids=lambda value: getattr(value, "name", str(value)))
def test_every_command_has_help_with_an_example_and_a_readme_mention(command, path):
    result = CliRunner().invoke(command, [*path, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    program = "search" if command is search_main else "indexer"
    full = " ".join([program, *path])
    assert full in DOCUMENTED, f"README and docs/ do not mention `{full}`"


def test_every_search_option_is_in_the_readme():
    for parameter in search_main.params:
        for option in getattr(parameter, "opts", []):
            if option.startswith("--"):
                assert option in DOCUMENTED, f"README and docs/ do not document {option}"


def test_shell_completion_is_documented_for_both_commands():
    assert "_SEARCH_COMPLETE=bash_source search" in README
    assert "_INDEXER_COMPLETE=bash_source indexer" in README
