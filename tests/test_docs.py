"""The README and the commands' help stay in step with what the tool does."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CLI_PAGE = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
# Pages other issues are writing; the README links them already (none may be missing
# once they land: remove a name here when its page exists).
PAGES_IN_FLIGHT = {
    "docs/opensearch.md",
}


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


def test_ci_runs_every_tier_the_readme_command_leaves_out():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-m slow" in ci and "-m 'cluster or opensearch_client'" in ci
    assert "pip install -q -e '.[test,opensearch]'" in ci  # the client, for the second


def test_every_slow_test_names_a_test_and_is_listed_in_the_testing_page_with_its_reason():
    from tests.tiers import SLOW

    page = re.sub(r"\s+", " ", (REPO / "docs" / "testing.md").read_text(encoding="utf-8"))
    for entry, reason in SLOW.items():
        path, _, name = entry.partition("::")
        source = (REPO / path).read_text(encoding="utf-8")
        assert not name or re.search(rf"^def {name}\(", source, re.M), f"{entry} names no test"
        assert f"`{entry.removeprefix('tests/')}`" in page, f"docs/testing.md does not list {entry}"
        assert reason in page, f"docs/testing.md does not give the reason for {entry}"


@pytest.mark.parametrize(
    ("numprocesses", "dist", "expected"),
    [(2, "no", "loadfile"), ("auto", "no", "loadfile"), (2, "load", "load"), (None, "no", "no")],
)
def test_workers_get_whole_files_unless_told_otherwise(numprocesses, dist, expected):
    from types import SimpleNamespace

    from tests.conftest import pytest_cmdline_main

    config = SimpleNamespace(option=SimpleNamespace(numprocesses=numprocesses, dist=dist))
    pytest_cmdline_main(config)
    assert config.option.dist == expected


def test_the_pytest_settings_parse_without_xdist():
    """`--dist` is xdist's option: in addopts it made `pytest -p no:xdist` a usage error."""
    import tomllib

    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "--dist" not in settings["tool"]["pytest"]["ini_options"]["addopts"]


COMMANDS = [
    (search_main, []),
    (indexer_main, []),
    (indexer_main, ["build"]),
    (indexer_main, ["update"]),
    (indexer_main, ["stats"]),
    (indexer_main, ["watch"]),
    (indexer_main, ["duplicates"]),
    (indexer_main, ["list"]),
    (indexer_main, ["forget"]),
]


@pytest.mark.parametrize(("command", "path"), COMMANDS, ids=lambda value: getattr(value, "name", str(value)))
def test_every_command_has_help_with_an_example_and_a_readme_mention(command, path):
    result = CliRunner().invoke(command, [*path, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    program = "search" if command is search_main else "indexer"
    full = " ".join([program, *path])
    assert full in README, f"README does not mention `{full}`"
    assert full in CLI_PAGE, f"docs/cli.md does not mention `{full}`"


# Documented in docs/resident-process.md and docs/cli.md (the README links the page).
RESIDENT_PROCESS_COMMANDS = [(indexer_main, ["daemon"]), (indexer_main, ["daemon", "status"])]
RESIDENT_PROCESS_COMMANDS += [(indexer_main, ["daemon", "stop"])]


@pytest.mark.parametrize(
    ("command", "path"), RESIDENT_PROCESS_COMMANDS, ids=lambda value: getattr(value, "name", str(value))
)
def test_the_resident_process_commands_have_help_with_an_example_and_a_page(command, path):
    result = CliRunner().invoke(command, [*path, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    full = " ".join(["indexer", *path])
    assert full in (REPO / "docs" / "resident-process.md").read_text(encoding="utf-8")
    assert full in CLI_PAGE, f"docs/cli.md does not mention `{full}`"


@pytest.mark.parametrize(
    ("command", "path"),
    COMMANDS + RESIDENT_PROCESS_COMMANDS,
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_every_option_of_every_command_is_in_the_cli_reference(command, path):
    target = command
    for name in path:
        target = target.commands[name]
    for parameter in target.params:
        for option in getattr(parameter, "opts", []):
            if option.startswith("--") and option not in ("--help", "--version"):
                assert option in CLI_PAGE, f"docs/cli.md does not document {' '.join(path)} {option}"


def _links(text: str) -> list[str]:
    return [
        target.split("#", 1)[0]
        for target in re.findall(r"\]\(([^)\s]+)\)", text)
        if "://" not in target and not target.startswith("#")
    ]


def test_every_relative_link_of_the_readme_and_docs_points_to_a_file():
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), REPO / "benchmarks" / "README.md"]
    for page in pages:
        for target in _links(page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            name = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)
            assert path.exists() or name in PAGES_IN_FLIGHT, f"{page.name} links to missing {target}"


def test_the_readme_is_short_and_in_the_order_a_newcomer_needs():
    assert len(README) <= 15_000
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings == [
        "Quickstart",
        "Install",
        "Search your own notes",
        "Ten everyday queries",
        "The interactive shell",
        "Scripting",
        "Configuration",
        "Documentation",
        "Development",
    ]
    assert "source .venv/bin/activate" in README and "pipx install ." in README


def test_the_readme_cites_no_path_a_user_does_not_have():
    for text in (README, *(page.read_text(encoding="utf-8") for page in (REPO / "docs").glob("*.md"))):
        assert "/work/" not in text
        assert "../shared" not in text


def test_shell_completion_is_documented_for_both_commands():
    assert "_SEARCH_COMPLETE=bash_source search" in README
    assert "_INDEXER_COMPLETE=bash_source indexer" in README


def help_examples() -> list[str]:
    """The `search ...` example lines of `search --help` that run on their own (no pipe,
    no redirection, no file or folder a checkout does not have, no shell)."""
    text = CliRunner().invoke(search_main, ["--help"]).stdout
    section = text.split("Examples:", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("search ")]
    return [
        line
        for line in lines
        if not any(mark in line for mark in ("|", ">", "~/", "queries.txt", "-c news", "--engine opensearch"))
        and line.split("#")[0].strip() != "search"
    ]


def _in_a_checkout(tmp_path, monkeypatch, bundled_index):
    """`tmp_path` as a checkout (the sample notes, the project's notes.toml, their index as
    the Quickstart's first search left it) and the current folder."""
    import shutil

    from tests.conftest import BUNDLED_CORPUS, copy_bundled_index, write_project_settings

    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    write_project_settings(tmp_path)
    copy_bundled_index(bundled_index, tmp_path / "corpus", tmp_path / "index_data")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("line", help_examples())
def test_each_help_example_runs_as_shown_in_the_checkout(tmp_path, monkeypatch, line, bundled_index):
    import shlex

    _in_a_checkout(tmp_path, monkeypatch, bundled_index)
    words = shlex.split(line, comments=True)[1:]
    if words and words[0].startswith("@"):
        assert CliRunner().invoke(search_main, ["--save", "apt28", "threatactor:APT28"]).exit_code == 0
    result = CliRunner().invoke(search_main, words)
    expected = 1 if "ransomwear" in words else 0
    assert result.exit_code == expected, result.output


def test_the_help_pipe_example_prints_paths_a_shell_can_open_from_the_current_folder(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    from tests.conftest import BUNDLED_CORPUS, write_project_settings

    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    write_project_settings(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(search_main, ['tag:"The Record"', "--files", "--absolute"])
    paths = result.stdout.splitlines()
    assert paths and all(Path(path).is_absolute() and Path(path).is_file() for path in paths)
    assert any("Conti" in Path(path).read_text(encoding="utf-8") for path in paths)


def example_lines(command, path: list[str]) -> list[str]:
    """The example lines of a command's help, as printed."""
    text = CliRunner().invoke(command, [*path, "--help"], terminal_width=200).stdout
    section = text.split("Examples:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip()]


EVERY_COMMAND = COMMANDS + RESIDENT_PROCESS_COMMANDS


@pytest.mark.parametrize(
    ("command", "path"), EVERY_COMMAND, ids=lambda value: getattr(value, "name", str(value))
)
def test_no_help_example_leaves_a_wildcard_for_the_shell_to_expand(command, path):
    # `search ransom*` run in a folder holding `ransomware.md` searches for that file name.
    for line in example_lines(command, path):
        unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", line.split(" #", 1)[0])
        assert not re.search(r"[*?\[]", unquoted), line


def indexer_examples() -> list[str]:
    """The `indexer ...` example lines of every `indexer` help that run on their own in a
    checkout: no pipe, no folder of the user's (`~/`), no collection it does not name, no
    cluster, not the endless `watch`, not the resident process's (test_daemon has those)."""
    lines = [
        line.split(" #", 1)[0].strip()
        for command, path in EVERY_COMMAND
        if command is indexer_main
        for line in example_lines(command, path)
        if line.startswith("indexer ")
    ]
    skipped = ("|", ">", "~/", "-c news", "--engine opensearch", "indexer watch", "indexer daemon")
    return list(dict.fromkeys(line for line in lines if not any(mark in line for mark in skipped)))


@pytest.mark.parametrize("line", indexer_examples())
def test_each_indexer_help_example_runs_as_shown_in_the_checkout(tmp_path, monkeypatch, line, bundled_index):
    import shlex

    _in_a_checkout(tmp_path, monkeypatch, bundled_index)
    result = CliRunner().invoke(indexer_main, shlex.split(line)[1:])
    assert result.exit_code == 0, result.output


def test_the_search_help_says_which_notes_its_examples_search():
    text = CliRunner().invoke(search_main, ["--help"], terminal_width=200).stdout
    assert "Without --corpus or -c, a search reads the default collection of notes.toml" in text
    assert "'ransom*'" in text
