"""Untrusted text on the terminal, end to end: a hostile note searched through `search`, the
shell's results, `:show` and completion shows every control sequence escaped; JSON keeps
the exact text, JSON-escaped."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from click.testing import CliRunner
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

import indexer.cli.output
from indexer.cli import indexer_main, search_main
from indexer.search.searching import open_index
from indexer.shell.app import Shell
from indexer.shell.completer import NotesCompleter, Vocabulary
from indexer.shell.screen import Screen
from tests.conftest import FakePager, write_project_settings

ESC, BEL = "\x1b", "\x07"
OSC52 = f"{ESC}]52;c;ZXZpbA=={BEL}"  # write "evil" to the clipboard
CLEAR = f"{ESC}[2J"  # clear the screen
OSC8 = f"{ESC}]8;;https://evil.example{ESC}\\link{ESC}]8;;{ESC}\\"  # a hidden hyperlink
TITLE = f"Evil {OSC52} {CLEAR} {OSC8} \u202eabc \x9b31m"
AUTHOR = f"Mallory {ESC}[31mred"
SOURCE = "Source \u2066isolated\u2069"
TAG = "tag\u202eevil"
LINK = f"https://evil.example/{ESC}]0;window title{BEL}"
BODY = f"zyzzyva body {ESC}[31mred{ESC}[0m, \u202eoverride, {ESC}]0;window title{BEL} and \x9b2J."
NAMED = f"name{CLEAR}.md"  # a file name is untrusted text too

# Characters that must never reach a terminal from a note.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Our own colour codes (SGR), the only escape sequences we print.
OUR_SGR = re.compile(r"\x1b\[[0-9;]*m")


def yaml_quoted(text: str) -> str:
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "evil.md").write_text(
        f"---\ntitle: {yaml_quoted(TITLE)}\nauthor: {yaml_quoted(AUTHOR)}\nsource: {yaml_quoted(SOURCE)}\n"
        f"tags: [{yaml_quoted(TAG)}, plain]\nlink: {yaml_quoted(LINK)}\n---\n{BODY}\n",
        encoding="utf-8",
    )
    (corpus / NAMED).write_text("# Named\n\nnamedword\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    assert CliRunner().invoke(indexer_main, ["build"]).exit_code == 0
    return tmp_path


def assert_safe(text: str) -> None:
    found = UNSAFE.findall(OUR_SGR.sub("", text))
    assert not found, f"unsafe characters reached the terminal: {found!r}"


def test_search_text_output_shows_title_author_body_and_path_escaped(hostile):
    result = CliRunner().invoke(search_main, ["zyzzyva", "--color", "always"])
    assert result.exit_code == 0
    assert_safe(result.stdout + result.stderr)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in result.stdout
    assert "\\x1b[2J" in result.stdout and "\\u202eabc \\x9b31m" in result.stdout
    assert "Mallory \\x1b[31mred" in result.stdout and "Source \\u2066isolated\\u2069" in result.stdout
    assert "\\x1b]0;window title\\x07" in result.stdout
    named = CliRunner().invoke(search_main, ["namedword"])
    assert "name\\x1b[2J.md" in named.stdout
    assert_safe(named.stdout)


def test_search_json_and_jsonl_keep_the_exact_text_with_every_unsafe_character_json_escaped(hostile):
    document = CliRunner().invoke(search_main, ["zyzzyva", "--json"]).stdout
    assert_safe(document)
    (hit,) = json.loads(document)["hits"]
    assert (hit["title"], hit["author"], hit["source"], hit["link"]) == (TITLE, AUTHOR, SOURCE, LINK)
    assert hit["tags"] == [TAG, "plain"]
    assert hit["snippet"] == BODY
    lines = CliRunner().invoke(search_main, ["zyzzyva", "--jsonl"]).stdout
    assert_safe(lines)
    assert json.loads(lines)["title"] == TITLE
    named = CliRunner().invoke(search_main, ["namedword", "--json"]).stdout
    assert json.loads(named)["hits"][0]["path"] == NAMED


def test_search_files_keeps_paths_exact_when_piped_and_escapes_them_on_a_terminal(hostile, monkeypatch):
    assert CliRunner().invoke(search_main, ["namedword", "--files"]).stdout == NAMED + "\n"
    monkeypatch.setattr(indexer.cli.output, "is_terminal", lambda stream: True)
    assert CliRunner().invoke(search_main, ["namedword", "--files"]).stdout == "name\\x1b[2J.md\n"


def test_a_warning_about_a_hostile_file_name_is_escaped(hostile):
    (hostile / "corpus" / f"bad{OSC52}.md").write_bytes(b"\x00binary")
    result = CliRunner().invoke(indexer_main, ["update"])
    assert result.stderr == (
        "indexer: warning: bad\\x1b]52;c;ZXZpbA==\\x07.md: skipped: binary file (contains NUL bytes)\n"
    )


@pytest.mark.parametrize("color", [False, True])
def test_the_shell_shows_hostile_hits_and_the_whole_note_escaped(hostile, color):
    out, err, pager = io.StringIO(), io.StringIO(), FakePager()
    screen = Screen(
        out=out, err=err, color=color, interactive=True, size=lambda: os.terminal_size((100, 40)), pager=pager
    )
    with open_index(hostile / "corpus", hostile / "index_data") as notes:
        shell = Shell(notes, screen=screen, environ={})
        shell.execute("zyzzyva")
        shell.execute(":show 1")
        shell.execute("namedword")
        shell.execute(f"nothing{CLEAR}")
    shown = out.getvalue() + err.getvalue() + "".join(pager.pages)
    assert_safe(shown)
    (page,) = pager.pages
    assert "Evil \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J" in page
    assert "https://evil.example/\\x1b]0;window title\\x07" in page
    assert "Tags: tag\\u202eevil, plain" in page
    assert "zyzzyva body \\x1b[31mred\\x1b[0m, \\u202eoverride" in page
    assert "name\\x1b[2J.md" in out.getvalue()
    assert "nothing\\x1b[2J" in out.getvalue() + err.getvalue()


def test_completion_shows_hostile_tag_values_and_hit_titles_escaped(hostile):
    with open_index(hostile / "corpus", hostile / "index_data") as notes:
        vocabulary = Vocabulary.load(notes)
        hit = notes.search("zyzzyva").hits[0]
    completer = NotesCompleter(vocabulary, choices=lambda command: [("1", hit.title)])
    event = CompleteEvent(completion_requested=True)
    values = list(completer.get_completions(Document("tag:ta"), event))
    titles = list(completer.get_completions(Document(":show "), event))
    shown = {c.display_text: c.display_meta_text for c in values + titles}
    # A value holding a control or bidi character is not offered: inserted, it would reach
    # the terminal raw, and its escaped form would not find it.
    assert "tag\\u202eevil" not in shown and [c.text for c in values] == []
    assert shown["1"].startswith("Evil \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J")
    assert_safe("".join(f"{text}{meta}" for text, meta in shown.items()))


# -- every output mode, render path and completion source over every dangerous sequence ----

DANGERS = {
    "CSI": f"{ESC}[2J",
    "OSC 52": OSC52,
    "OSC 8": OSC8,
    "RLO": "\u202e",
    "C1 CSI": "\x9b31m",
    "BEL": BEL,
    "CR": "\r",
    "DEL": "\x7f",
    "isolate": "\u2066",
    "zero width": "\u200b",
}
ALL_DANGERS = " ".join(f"d{number}{sequence}" for number, sequence in enumerate(DANGERS.values()))
LONG_PARAGRAPH = " ".join(f"shared{number} paragraph words" for number in range(60))


@pytest.fixture
def dangerous(tmp_path, monkeypatch):
    """Three notes whose every field holds every dangerous sequence; two are near-duplicates."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = yaml_quoted(ALL_DANGERS)
    for number, name in enumerate((f"a{CLEAR}.md", "b\u202e.md", "c.md")):
        body = f"qwertyzz {ALL_DANGERS}\n\n" + (LONG_PARAGRAPH if number else f"unique{number} words")
        (corpus / name).write_text(
            f"---\ntitle: {text}\nsubtitle: {text}\nauthor: {text}\nsource: {text}\nlink: {text}\n"
            f"date: 2021-10-0{number + 1}\n"
            f"tags: [{text}, {yaml_quoted('threatactor=APT' + ALL_DANGERS)}]\n---\n{body}\n",
            encoding="utf-8",
        )
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    assert CliRunner().invoke(indexer_main, ["build"]).exit_code == 0
    return tmp_path


OUTPUT_ARGS = [
    ["--color", "always"],
    [
        "--color",
        "always",
        "--facet",
        "tag",
        "--facet",
        "author",
        "--facet",
        "source",
        "--facet",
        "threatactor",
    ],
    ["--color", "always", "--timeline", "--explain", "--all-copies"],
    ["--color", "always", "--debug-query"],
    *[["--output", output] for output in ("paths", "json", "jsonl", "count", "tags", "authors", "sources")],
    ["--json", "--facet", "tag", "--timeline"],
    ["--batch", "-"],
]


@pytest.mark.parametrize("args", OUTPUT_ARGS, ids=lambda args: " ".join(args))
def test_every_output_mode_escapes_every_dangerous_sequence(dangerous, monkeypatch, args):
    monkeypatch.setattr(indexer.cli.output, "is_terminal", lambda stream: True)
    query = [] if "--batch" in args else ["qwertyzz"]
    result = CliRunner().invoke(search_main, query + args, input="qwertyzz\n")
    assert result.exit_code == 0, result.stderr
    assert "qwertyzz" in result.stdout or result.stdout.strip().isdigit() or "--output" in args
    assert_safe(result.stdout + result.stderr)


@pytest.mark.parametrize("output", ["tags", "authors", "sources"])
def test_value_outputs_show_each_value_escaped_on_one_line(dangerous, output):
    result = CliRunner().invoke(search_main, ["qwertyzz", "--output", output])
    assert result.exit_code == 0
    assert_safe(result.stdout)
    assert "\\u202e" in result.stdout and "\\x1b]" in result.stdout and "\\x9b31m" in result.stdout
    assert all(line.count("\t") == 1 for line in result.stdout.splitlines())


def test_similar_and_duplicates_escape_every_dangerous_sequence(dangerous):
    similar = CliRunner().invoke(search_main, ["--similar", "c.md", "--color", "always"])
    assert similar.exit_code == 0, similar.stderr
    assert_safe(similar.stdout + similar.stderr)
    for args in (["duplicates"], ["duplicates", "--json"], ["stats"], ["stats", "--json"]):
        result = CliRunner().invoke(indexer_main, args)
        assert result.exit_code == 0, (args, result.stderr)
        assert_safe(result.stdout + result.stderr)
    groups = json.loads(CliRunner().invoke(indexer_main, ["duplicates", "--json"]).stdout)["groups"]
    assert groups[0][0]["title"] == " ".join(ALL_DANGERS.split())  # the exact text, JSON-escaped


@pytest.mark.parametrize("color", [False, True])
def test_every_shell_render_path_escapes_every_dangerous_sequence(dangerous, color):
    out, err, pager = io.StringIO(), io.StringIO(), FakePager()
    screen = Screen(
        out=out, err=err, color=color, interactive=True, size=lambda: os.terminal_size((100, 40)), pager=pager
    )
    with open_index(dangerous / "corpus", dangerous / "index_data") as notes:
        shell = Shell(notes, screen=screen, environ={})
        for line in ("qwertyzz", ":show 1", ":explain 1", ":facets tag author source threatactor",
                     ":timeline", ":similar 1", ":stats", "qwertyzz~2", f"nothing{CLEAR}"):  # fmt: skip
            shell.execute(line)
    assert_safe(out.getvalue() + err.getvalue() + "".join(pager.pages))
    assert "\\u202e" in out.getvalue()


def test_no_completion_source_inserts_or_shows_a_dangerous_sequence(dangerous):
    from indexer.shell.commands import COMMANDS

    screen = Screen(out=io.StringIO(), err=io.StringIO(), color=False, interactive=True, pager=FakePager())
    with open_index(dangerous / "corpus", dangerous / "index_data") as notes:
        shell = Shell(notes, screen=screen, environ={})
        shell.execute("qwertyzz")
        completer = NotesCompleter(
            Vocabulary.load(notes),
            choices=lambda command: list(command.choices(shell)) if command.choices else [],
        )
        event = CompleteEvent(completion_requested=True)
        lines = [
            "",
            "t",
            "tag:",
            "tag:d",
            "author:",
            "author:d",
            "source:",
            "threatactor:",
            "threatactor:A",
            ":",
        ]
        lines += [f":{command.name} " for command in COMMANDS]
        offered = [c for line in lines for c in completer.get_completions(Document(line), event)]
    assert any(c.display_meta_text.startswith("d0\\x1b[2J") for c in offered)  # hit titles, escaped
    assert {"tag:", "author:", "threatactor:"} <= {c.text for c in offered}
    for completion in offered:
        assert_safe(completion.text + completion.display_text + completion.display_meta_text)
