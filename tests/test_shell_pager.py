"""Paging decisions, the pager and editor command lines, and running a child on the terminal."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from indexer.output.children import ctrl_c_goes_to_child, run_child
from indexer.output.editor import editor_command, editor_from
from indexer.shell.pager import needs_pager, pager_command, pager_environment, screen_rows


def test_screen_rows_count_wrapped_lines_and_ignore_colour_codes():
    assert screen_rows("a\nb\n", 80) == 2
    assert screen_rows("x" * 81, 80) == 2
    assert screen_rows("\x1b[1;33m" + "x" * 80 + "\x1b[0m", 80) == 1
    assert screen_rows("\n\n", 80) == 2
    assert screen_rows("界" * 41, 80) == 2  # wide characters take two columns


def test_text_is_paged_only_when_it_does_not_fit_above_the_prompt():
    assert not needs_pager("line\n" * 22, 80, 24)
    assert needs_pager("line\n" * 23, 80, 24)
    assert not needs_pager("x" * 440, 20, 24)  # 22 rows
    assert needs_pager("x" * 441, 20, 24)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PAGER": "most"}, ["most"]),
        ({"PAGER": "less -S --mouse"}, ["less", "-S", "--mouse"]),
        ({"PAGER": "  "}, ["less", "-R"]),
        ({}, ["less", "-R"]),
    ],
)
def test_the_pager_is_PAGER_else_less(environ, expected, monkeypatch):
    monkeypatch.setattr("indexer.shell.pager.shutil.which", lambda name: f"/usr/bin/{name}")
    assert pager_command(environ) == expected


def test_without_PAGER_or_less_there_is_no_pager(monkeypatch):
    monkeypatch.setattr("indexer.shell.pager.shutil.which", lambda name: None)
    assert pager_command({}) is None


def test_less_is_told_to_keep_colours_unless_LESS_is_set():
    assert pager_environment(["less"], {})["LESS"] == "RX"
    assert pager_environment(["less"], {"LESS": "S"})["LESS"] == "S"
    assert "LESS" not in pager_environment(["most"], {})


@pytest.mark.parametrize(
    ("editor", "line", "expected"),
    [
        (["vim"], 12, ["vim", "+12", "/n/a.md"]),
        (["/usr/bin/nvim"], 3, ["/usr/bin/nvim", "+3", "/n/a.md"]),
        (["emacsclient", "-t"], 7, ["emacsclient", "-t", "+7", "/n/a.md"]),
        (["nano"], 0, ["nano", "/n/a.md"]),
        (["code", "--wait"], 9, ["code", "--wait", "--goto", "/n/a.md:9"]),
        (["gedit"], 9, ["gedit", "/n/a.md"]),
    ],
)
def test_editors_that_take_a_line_open_the_note_there(editor, line, expected):
    assert editor_command(editor, Path("/n/a.md"), line) == expected


def test_visual_wins_over_editor_and_blank_values_do_not_count():
    assert editor_from({"VISUAL": "code --wait", "EDITOR": "vim"}) == ["code", "--wait"]
    assert editor_from({"VISUAL": " ", "EDITOR": "vim"}) == ["vim"]
    assert editor_from({}) is None


def test_a_child_gets_the_text_and_its_exit_status_comes_back(tmp_path):
    target = tmp_path / "got.txt"
    code = f"import sys; open({str(target)!r}, 'w').write(sys.stdin.read()); sys.exit(3)"
    assert run_child([sys.executable, "-c", code], input_text="héllo\n") == 3
    assert target.read_text(encoding="utf-8") == "héllo\n"


def test_a_reader_that_quits_early_is_not_an_error():
    assert run_child([sys.executable, "-c", "pass"], input_text="x\n" * 200_000) == 0


def test_ctrl_c_is_ignored_by_the_shell_while_a_child_runs():
    with ctrl_c_goes_to_child():
        signal.raise_signal(signal.SIGINT)  # would raise KeyboardInterrupt outside
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
