"""Our own bugs say `internal error`, exit 2 and leave a traceback in a log; they are never
dressed up as the user's (a damaged index, a bad query)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

import indexer.index.store
import indexer.search.query
import indexer.search.searching
from indexer.cli import indexer_main, search_main
from indexer.errors import IndexDamagedError, QueryError
from indexer.index.damage import is_damage, read_or_damaged
from indexer.index.watch import CorpusWatcher
from indexer.output.console import error_report
from indexer.output.internal_error import log_path
from indexer.search.searching import open_index
from indexer.shell.app import Shell
from indexer.shell.screen import Screen

LINE = re.compile(
    r"^(?P<program>[a-z]+: )?internal error: AttributeError: planted bug \(details in (?P<log>.+)\)$"
)


def planted_bug(*args, **kwargs):
    raise AttributeError("planted bug")


def run_search(bundled_index, *args: str):
    corpus, index = bundled_index
    return CliRunner().invoke(
        search_main,
        ["--no-update", "--corpus", str(corpus), "--index", str(index), *args],
        prog_name="search",
    )


def test_a_bug_while_searching_is_an_internal_error_with_a_logged_traceback(monkeypatch, bundled_index):
    monkeypatch.setattr(indexer.search.searching, "best_passages", planted_bug)
    result = run_search(bundled_index, "ransomware")
    assert result.exit_code == 2
    assert result.stdout == ""
    line = result.stderr.rstrip("\n")
    assert "\n" not in line and "rebuild" not in line
    match = LINE.match(line)
    assert match and match["program"] == "search: ", line
    assert Path(match["log"]) == log_path()
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "in planted_bug" in logged and "AttributeError: planted bug" in logged
    assert "Traceback" not in result.stderr


def test_notes_debug_prints_the_traceback_on_stderr_too(monkeypatch, bundled_index):
    monkeypatch.setattr(indexer.search.searching, "best_passages", planted_bug)
    monkeypatch.setenv("NOTES_DEBUG", "1")
    result = run_search(bundled_index, "ransomware")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "in planted_bug" in result.stderr
    assert LINE.match(result.stderr.rstrip("\n").splitlines()[-1])


def test_each_internal_error_is_appended_to_the_log(monkeypatch, bundled_index):
    monkeypatch.setattr(indexer.search.searching, "best_passages", planted_bug)
    run_search(bundled_index, "ransomware")
    run_search(bundled_index, "gateway")
    assert log_path().read_text(encoding="utf-8").count("AttributeError: planted bug") == 2


def test_a_bug_in_the_query_checks_is_not_called_a_bad_query(monkeypatch, bundled_index):
    monkeypatch.setattr(indexer.search.query, "check_cost", planted_bug)
    with open_index(*bundled_index) as notes, pytest.raises(AttributeError, match="planted bug"):
        notes.parser.parse("ransomware")
    result = run_search(bundled_index, "ransomware")
    assert result.exit_code == 2
    assert "cannot parse" not in result.stderr and LINE.match(result.stderr.rstrip("\n"))


def test_a_query_that_trips_whoosh_s_parser_is_still_a_query_error(bundled_index):
    with open_index(*bundled_index) as notes:
        with pytest.raises(QueryError, match="compare a field with a value"):
            notes.parser.parse("< ransomware")
        with pytest.raises(QueryError, match="cannot read a date"):
            notes.parser.parse("date:[garbage to 2021]")


def test_a_bug_while_building_is_an_internal_error(monkeypatch, corpus, write_note, index_dir):
    write_note("a.md", "# A note\n\nabout gateways\n")
    monkeypatch.setattr(indexer.index.store, "scan_corpus", planted_bug)
    result = CliRunner().invoke(
        indexer_main, ["build", "--corpus", str(corpus), "--index", str(index_dir)], prog_name="indexer"
    )
    assert result.exit_code == 2
    match = LINE.match(result.stderr.rstrip("\n"))
    assert match and match["program"] == "indexer: ", result.stderr
    assert "in planted_bug" in log_path().read_text(encoding="utf-8")


def test_a_bug_in_the_shell_is_one_line_and_the_shell_goes_on(monkeypatch, bundled_index, capsys):
    with open_index(*bundled_index) as notes:
        shell = Shell(notes, screen=Screen(color=False, interactive=False))
        with monkeypatch.context() as patch:
            patch.setattr(indexer.search.searching, "best_passages", planted_bug)
            shell.execute("ransomware")
        shell.execute(":limit 1")
    err = capsys.readouterr().err.splitlines()
    match = LINE.match(err[0])
    assert match and match["program"] is None, err
    assert err[1:] == ["limit: 1 hit a page"]  # the next line ran as usual
    assert "in planted_bug" in log_path().read_text(encoding="utf-8")


def test_a_bug_in_a_watched_update_reaches_on_error_as_itself(monkeypatch, corpus, write_note, index_dir):
    write_note("a.md", "# A note\n\nabout gateways\n")
    indexer.index.store.build_index(corpus, index_dir)
    errors: list[Exception] = []
    watcher = CorpusWatcher(corpus, index_dir, on_error=errors.append)
    monkeypatch.setattr("indexer.index.watch.update_index", planted_bug)
    watcher._apply()
    assert [type(error) for error in errors] == [AttributeError]
    assert LINE.match(error_report("watch", errors[0])).group("program") == "watch: "


def test_real_read_failures_are_damage_and_our_bugs_are_not():
    def fails(exc: Exception):
        def read():
            raise exc

        return read

    with pytest.raises(IndexDamagedError, match="cannot be read"):
        read_or_damaged(Path("ix"), fails(struct.error("unpack requires a buffer of 4 bytes")))
    with pytest.raises(IndexDamagedError):
        read_or_damaged(Path("ix"), fails(EOFError()))
    for bug in (AttributeError("x"), ValueError("x"), KeyError("x"), TypeError("x"), IndexError("x")):
        with pytest.raises(type(bug)):
            read_or_damaged(Path("ix"), fails(bug))


def test_a_decoding_error_raised_inside_whoosh_is_damage():
    from whoosh.filedb.structfile import StructFile

    try:
        StructFile(None).read_int()  # Whoosh's own reader trips over what it was given
    except Exception as exc:
        caught = exc
    assert isinstance(caught, AttributeError)
    assert is_damage(caught)
    try:
        planted_bug()
    except AttributeError as exc:
        assert not is_damage(exc)


def test_text_that_whoosh_cannot_encode_is_a_bug_not_damage():
    # A path held with surrogates (bytes that are not UTF-8) reaching the writer is ours.
    from whoosh.fields import ID

    try:
        ID(stored=True).to_bytes("bad\udcff.md")
    except UnicodeEncodeError as exc:
        caught = exc
    assert caught.__traceback__.tb_next is not None  # raised inside Whoosh
    assert not is_damage(caught)
