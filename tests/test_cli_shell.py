"""`search` opening the shell: `--shell`, piped lines, and the one-shot path staying light."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from indexer.cli import search_main
from tests.conftest import BUNDLED_CORPUS, REPO, copy_bundled_index, write_project_settings

GPRS = "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"


@pytest.fixture
def built(tmp_path, monkeypatch, bundled_index):
    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    copy_bundled_index(bundled_index, tmp_path / "corpus", tmp_path / "index_data")
    return tmp_path


def test_shell_with_piped_lines_runs_each_line_and_quit_exits_0(built):
    lines = ":limit 1\nGPRS gateway\n:show 9\n:quit\nransomware\n"
    result = CliRunner().invoke(search_main, ["--shell"], input=lines)
    assert result.exit_code == 0
    # Results on stdout, the shell's talk on stderr, as the one-shot search does.
    assert result.stdout == (
        "1. T-Mobile confirms breach through misconfigured GPRS gateway\n"
        "   2021-08-16 · The Record · Catalin Cimpanu\n"
        f"   {GPRS}\n"
        "   20: In a message posted on Sunday, the seller explained how they got in: through a GPRS gateway "
        "that, they said, T-Mobile had left reachable from the outside and poorly configured.\n"
        "   26: T-Mobile did not address the claim about the GPRS gateway, and it declined to confirm how "
        "many customers might be involved until its review is complete.\n"
    )
    assert result.stderr == (
        "limit: 1 hit a page\n1 note matches (1-1 shown)\nerror: no hit 9: hits 1-1 are shown\n"
    )


def test_shell_runs_a_query_given_with_it_first_with_the_limit_and_sort_options(built):
    result = CliRunner().invoke(
        search_main, ["--shell", "-n", "2", "-s", "-date", "tag:ransomware"], input=":more\n"
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("1. Inside LockBit’s first Linux build aimed at VMware ESXi\n")
    assert "\n2. Conti ransomware gang exploits Log4Shell" in result.stdout
    assert "\n3. " in result.stdout and "\n5. " not in result.stdout
    assert result.stderr == (
        "14 notes match (1-2 shown); :more for the next 2\n14 notes match (3-4 shown); :more for the next 2\n"
    )


def test_shell_with_a_machine_output_option_is_a_usage_error(built):
    result = CliRunner().invoke(search_main, ["--shell", "--json"], input="")
    assert result.exit_code == 2
    assert "--shell cannot be combined with --json" in result.stderr


def test_no_query_without_a_terminal_is_still_a_usage_error(built):
    result = CliRunner().invoke(search_main, [], input="ransomware\n")
    assert result.exit_code == 2
    assert "missing QUERY" in result.stderr and "search --shell" in result.stderr


def test_the_one_shot_search_never_imports_prompt_toolkit_or_the_shell(built):
    code = (
        "import sys\n"
        "from indexer.cli import search_main\n"
        "try:\n"
        "    search_main(['GPRS gateway'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "heavy = sorted(name for name in sys.modules\n"
        "               if name.split('.')[0] in ('prompt_toolkit', 'platformdirs')\n"
        "               or name.startswith('indexer.shell'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=built, capture_output=True, text=True, env=_env(), check=False
    )
    assert "1. T-Mobile confirms breach" in result.stdout
    assert "HEAVY []" in result.stderr, result.stderr


def test_importing_the_cli_imports_no_prompt_toolkit():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import indexer.cli"],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert "indexer.cli" in imported
    assert not [name for name in imported if name.startswith(("prompt_toolkit", "indexer.shell"))]


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--saved", "--json"], '{\n  "format_version": 1,\n  "saved": {}\n}\n'),
        (["--similar", GPRS, "--count"], "21\n"),
        (["--batch", "-", "--count"], '{"format_version": 1, "query": "ransomware", "total": 17}\n'),
    ],
    ids=["saved", "similar", "batch"],
)
def test_options_taking_no_query_do_their_work_on_a_terminal(built, monkeypatch, arguments, expected):
    monkeypatch.setattr("indexer.cli.search.is_terminal", lambda stream: True)
    result = CliRunner().invoke(search_main, arguments, input="ransomware\n")
    assert (result.exit_code, result.stdout) == (0, expected)  # not the shell's output


def test_shell_with_batch_is_a_usage_error(built):
    result = CliRunner().invoke(search_main, ["--shell", "--batch", "-"], input="conti\n")
    assert result.exit_code == 2
    assert "--shell cannot be combined with --batch" in result.stderr
