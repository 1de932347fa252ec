"""The shell as a person meets it: `search` in a pseudo-terminal, typed into with pexpect."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

PROMPT = r"corpus \(40 notes\)>"  # the trailing space is drawn separately
TIMEOUT = 600  # a bound for a hang: the test waits for text, never for a fixed time


def search_command() -> list[str]:
    script = Path(sys.executable).with_name("search")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from indexer.cli import search_main; search_main()"]


@pytest.fixture
def terminal_env(bundled_index) -> dict[str, str]:
    env = dict(os.environ)  # HOME and XDG folders already point into tmp (conftest)
    env.update(
        TERM="xterm",
        NO_COLOR="1",
        PROMPT_TOOLKIT_NO_CPR="1",  # pexpect does not answer cursor-position requests
        PAGER="less" if shutil.which("less") else "cat",
        COLUMNS="120",
        LINES="40",
    )
    env.pop("LESS", None)
    return env


def test_search_on_a_terminal_opens_the_shell_runs_a_query_shows_a_note_and_quits(
    bundled_index, terminal_env
):
    corpus, index = bundled_index
    argv = [*search_command(), "--corpus", str(corpus), "--index", str(index)]
    child = pexpect.spawn(
        argv[0], argv[1:], env=terminal_env, dimensions=(40, 120), encoding="utf-8", timeout=TIMEOUT
    )
    try:
        child.expect(PROMPT)
        child.send("author:cimpanu tag:ransomware\r")
        child.expect(r"1\. REvil ransomware gang goes dark again")
        child.expect(r"2\. FinCEN: Suspected ransomware payments reached \$590 million")
        child.expect(r"3\. REvil ransomware hits hundreds of companies")
        child.expect(r"3 notes match \(1-3 shown, \d+ ms\)")
        child.expect(PROMPT)

        child.send(":show 2\r")
        child.expect("Tags: Ransomware, FinCEN, Bitcoin, Cryptocurrency, The Record")
        if terminal_env["PAGER"] == "less":
            child.send("q")  # leave the pager
        child.expect(PROMPT)

        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = Path(terminal_env["XDG_DATA_HOME"]) / "notes-indexer" / "shell_history"
    assert "+author:cimpanu tag:ransomware" in history.read_text(encoding="utf-8")


def test_ctrl_c_at_the_prompt_keeps_the_shell_and_ctrl_d_exits_0(bundled_index, terminal_env):
    corpus, index = bundled_index
    argv = [*search_command(), "--shell", "--corpus", str(corpus), "--index", str(index)]
    child = pexpect.spawn(
        argv[0], argv[1:], env=terminal_env, dimensions=(40, 120), encoding="utf-8", timeout=TIMEOUT
    )
    try:
        child.expect(PROMPT)
        child.send("half a line")
        child.sendcontrol("c")
        child.expect(PROMPT)
        child.send("GPRS gateway\r")
        child.expect(r"1\. T-Mobile confirms breach through misconfigured GPRS gateway")
        child.expect(PROMPT)
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
