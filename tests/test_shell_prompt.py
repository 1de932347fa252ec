"""The real prompt loop, driven through prompt_toolkit's pipe input with a dummy output:
lines, Ctrl-C, Ctrl-D, history across sessions, the completion menu and the toolbar."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from indexer.search.searching import open_index
from indexer.shell.app import Shell
from indexer.shell.loop import run_prompt_loop
from indexer.shell.screen import Screen
from indexer.shell.session import build_session, history_file

CTRL_C, CTRL_D, ENTER, TAB = "\x03", "\x04", "\r", "\t"


@pytest.fixture
def shell(bundled_index):
    screen = Screen(
        out=io.StringIO(),
        err=io.StringIO(),
        interactive=True,
        size=lambda: os.terminal_size((100, 200)),
        pager=lambda text: False,
    )
    with open_index(*bundled_index) as notes:
        yield Shell(notes, screen=screen)


def type_into(shell: Shell, keys: str) -> int:
    """Run the prompt loop on `keys` (then end of input); its exit status."""
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        return run_prompt_loop(shell, input=pipe, output=DummyOutput())


def printed(shell: Shell) -> tuple[str, str]:
    return shell.screen.out.getvalue(), shell.screen.err.getvalue()


def test_each_line_typed_is_run_and_quit_exits_0(shell):
    status = type_into(shell, ":limit 2" + ENTER + "author:cimpanu tag:ransomware" + ENTER + ":quit" + ENTER)
    out, err = printed(shell)
    assert status == 0
    # Equal scores: the newer note first (2021-10-18, then 2021-10-15).
    assert out.startswith("limit: 2 hits a page\n1. REvil ransomware gang goes dark")
    assert "\n2. FinCEN: Suspected ransomware payments" in out
    assert "3 notes match (1-2 shown" in out
    assert err == ""


def test_ctrl_d_on_an_empty_line_exits_0(shell):
    assert type_into(shell, CTRL_D + "ransomware" + ENTER) == 0
    assert printed(shell) == ("", "")


def test_ctrl_c_drops_the_line_being_typed_and_the_shell_goes_on(shell):
    status = type_into(shell, "ransomware" + CTRL_C + "GPRS gateway" + ENTER + CTRL_D)
    out, _ = printed(shell)
    assert status == 0
    assert out.startswith("1. T-Mobile confirms breach through misconfigured GPRS gateway\n")
    assert "ransomware" not in out.lower()


def test_ctrl_c_during_a_query_cancels_it_and_the_next_line_runs(shell, monkeypatch):
    real_search = shell.notes.search
    calls = []

    def slow_search(text, *options, **keywords):
        calls.append(text)
        if len(calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C while Whoosh is working
        return real_search(text, *options, **keywords)

    monkeypatch.setattr(shell.notes, "search", slow_search)
    status = type_into(shell, "ransomware" + ENTER + "GPRS gateway" + ENTER + ":quit" + ENTER)
    out, err = printed(shell)
    assert status == 0
    assert err == "cancelled\n"
    assert out.startswith("1. T-Mobile")


def test_a_bad_query_prints_one_line_and_the_prompt_comes_back(shell):
    status = type_into(shell, "auther:x" + ENTER + ":frob" + ENTER + "GPRS gateway" + ENTER)
    out, err = printed(shell)
    assert status == 0
    assert err.count("\n") == 2
    assert err.startswith("error: unknown field 'auther:'")
    assert out.startswith("1. T-Mobile")


def test_history_is_kept_in_the_user_data_directory_across_sessions(shell, isolated_environment):
    path = history_file()
    assert path == isolated_environment / ".local" / "share" / "notes-indexer" / "shell_history"
    type_into(shell, "tag:ransomware" + ENTER + ":limit 3" + ENTER + ":quit" + ENTER)
    assert shell.history_path == path
    assert "+tag:ransomware" in path.read_text(encoding="utf-8")
    with create_pipe_input() as pipe:
        session = build_session(shell, input=pipe, output=DummyOutput())
        assert list(session.history.load_history_strings())[:3] == [":quit", ":limit 3", "tag:ransomware"]


def test_an_unwritable_history_folder_falls_back_to_memory(shell, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with create_pipe_input() as pipe:
        build_session(shell, input=pipe, output=DummyOutput(), history_path=blocker / "sub" / "history")
    assert shell.history_path is None


async def until(condition: Callable[[], object], what: str) -> None:
    """Wait for the app to reach a state (no fixed delays: the condition decides)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def test_typing_a_field_value_opens_the_menu_and_tab_enter_takes_a_value(shell):
    async def scenario() -> tuple[list[str], str]:
        with create_pipe_input() as pipe:
            session = build_session(shell, input=pipe, output=DummyOutput(), history_path=Path(os.devnull))
            buffer = session.default_buffer
            answer = asyncio.ensure_future(session.prompt_async("> "))
            pipe.send_text("author:cim")
            await until(lambda: buffer.complete_state and buffer.complete_state.completions, "the menu")
            menu = [completion.display_text for completion in buffer.complete_state.completions]
            pipe.send_text(TAB)
            await until(lambda: buffer.text == 'author:"Catalin Cimpanu"', "the value")
            pipe.send_text(ENTER)  # takes the highlighted value, does not run the line
            await until(lambda: buffer.complete_state is None, "the menu to close")
            assert not answer.done()
            pipe.send_text(" tag:ran")
            await until(lambda: buffer.complete_state and buffer.complete_state.completions, "the tag menu")
            menu += [completion.display_text for completion in buffer.complete_state.completions]
            pipe.send_text(TAB + ENTER + ENTER)
            return menu, await answer

    menu, line = asyncio.run(scenario())
    assert menu == ["Catalin Cimpanu", "Ransomware"]
    assert line == 'author:"Catalin Cimpanu" tag:Ransomware'


def test_the_toolbar_names_an_unknown_field_before_enter(shell):
    with create_pipe_input() as pipe:
        session = build_session(shell, input=pipe, output=DummyOutput(), history_path=Path(os.devnull))
        session.default_buffer.reset(Document("auther:cimpanu"))
        assert session.bottom_toolbar() == [
            ("class:bottom-toolbar.problem", " unknown field 'auther:': did you mean author:? ")
        ]
        session.default_buffer.reset(Document("author:cimpanu"))
        ((style, text),) = session.bottom_toolbar()
        assert style == "class:bottom-toolbar"
        assert "10 a page · sort relevance" in text


def test_ctrl_r_finds_an_earlier_line_from_history_and_a_second_enter_runs_it(shell):
    path = history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n# 2021-01-01 00:00:00\n+GPRS gateway\n\n# 2021-01-01 00:00:01\n+:limit 3\n", encoding="utf-8"
    )
    status = type_into(shell, "\x12GPRS" + ENTER + ENTER + ":quit" + ENTER)  # take it, run it
    out, err = printed(shell)
    assert (status, err) == (0, "")
    assert out.startswith("1. T-Mobile confirms breach through misconfigured GPRS gateway\n")
