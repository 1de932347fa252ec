"""`Shell.execute`, line by line, against the bundled index: queries, every command, errors."""

from __future__ import annotations

import io
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from indexer.index.store import build_index
from indexer.output.internal_error import log_path
from indexer.output.render import TextStyle, render_text
from indexer.search.searching import open_index
from indexer.shell.app import Shell
from indexer.shell.commands import COMMANDS, Outcome
from indexer.shell.screen import Screen
from tests.conftest import FakePager, info_note

FINCEN = "news/therecord/FinCEN-suspected-ransomware-payments-reached-590-million-in-first-half-of-2021.md"


class Harness:
    def __init__(self, shell: Shell, out: io.StringIO, err: io.StringIO, pager: FakePager) -> None:
        self.shell, self.out, self.err, self.pager = shell, out, err, pager

    def run(self, *lines: str) -> Outcome:
        outcome = Outcome.CONTINUE
        for line in lines:
            outcome = self.shell.execute(line)
        return outcome

    def take(self) -> tuple[str, str]:
        """What was printed since the last take: (stdout, stderr)."""
        out, err = self.out.getvalue(), self.err.getvalue()
        for stream in (self.out, self.err):
            stream.seek(0)
            stream.truncate()
        return out, err


def make_harness(corpus: Path, index: Path, *, environ: dict[str, str] | None = None, rows: int = 24):
    out, err, pager = io.StringIO(), io.StringIO(), FakePager()
    screen = Screen(
        out=out, err=err, interactive=True, size=lambda: os.terminal_size((100, rows)), pager=pager
    )
    notes = open_index(corpus, index)
    shell = Shell(notes, screen=screen, environ=environ or {})
    return Harness(shell, out, err, pager)


@pytest.fixture
def new_harness():
    """make_harness(...) for tests that need their own; every one is closed afterwards."""
    made: list[Harness] = []

    def make(*args, **kwargs) -> Harness:
        made.append(make_harness(*args, **kwargs))
        return made[-1]

    yield make
    for harness in made:
        harness.shell.close()


@pytest.fixture
def harness(bundled_index, new_harness):
    return new_harness(*bundled_index)


def test_the_prompt_names_the_corpus_and_counts_its_notes(harness):
    assert harness.shell.prompt_text() == "corpus (40 notes)> "


def test_the_prompt_survives_an_index_that_cannot_be_read(harness, monkeypatch):
    def broken():
        raise OSError("gone")

    monkeypatch.setattr(harness.shell.notes, "note_count", broken)
    assert harness.shell.prompt_text() == "corpus> "


def test_a_query_prints_the_cli_rendering_of_its_hits_then_a_count(harness, bundled_index):
    harness.run(":limit 2")
    harness.take()
    harness.run("author:cimpanu tag:ransomware")
    out, err = harness.take()
    with open_index(*bundled_index) as notes:
        expected = render_text(notes.search("author:cimpanu tag:ransomware", limit=2), TextStyle(width=100))
    assert out.startswith(expected)
    assert out[len(expected) :].startswith("3 notes match (1-2 shown, ")
    assert out.endswith(" ms); :more for the next 1\n")
    assert err == ""
    assert harness.pager.pages == []


def test_limit_then_more_shows_the_next_page_numbered_on(harness):
    harness.run(":limit 2")
    assert harness.take() == ("limit: 2 hits a page\n", "")
    harness.run("ransomware")
    first, _ = harness.take()
    assert first.startswith("1. ") and "\n2. " in first and "\n3. " not in first
    harness.run(":more")
    second, _ = harness.take()
    assert second.startswith("3. ") and "\n4. " in second
    assert "(3-4 shown" in second


def test_more_after_the_last_page_says_so_in_one_line(harness):
    harness.run(":limit 0", "author:cimpanu tag:ransomware")
    harness.take()
    harness.run(":more")
    assert harness.take() == ("", "error: no more hits: all 3 are shown; scroll up, or :show N\n")


def test_more_and_show_before_any_query_explain_what_to_do(harness):
    harness.run(":more")
    assert harness.take()[1] == "error: no query yet; type a query first\n"
    harness.run(":show 1")
    assert harness.take()[1] == "error: no hits to pick from yet; type a query first\n"


def test_sort_newest_first_orders_the_next_query_by_date(harness):
    harness.run(":sort -date")
    assert harness.take() == ("sort: date, newest first\n", "")
    harness.run(":limit 0", "tag:ransomware")
    dates = [hit.date for hit in harness.shell.shown_hits.values() if hit.date]
    assert len(dates) > 5
    assert dates == sorted(dates, reverse=True)


def test_limit_and_sort_alone_print_the_current_setting_and_bad_values_are_one_line(harness):
    harness.run(":limit", ":sort")
    assert harness.take() == ("limit: 10 hits a page\nsort: relevance\n", "")
    harness.run(":limit many", ":sort newest")
    assert harness.take()[1] == (
        "error: expected a number, not 'many'; usage: :limit N (0 shows all hits)\n"
        "error: unknown sort order 'newest'; use relevance, date or -date\n"
    )


def test_long_results_go_through_the_pager_and_short_ones_are_printed(harness):
    harness.run("ransomware")
    out, _ = harness.take()
    assert len(harness.pager.pages) == 1
    assert harness.pager.pages[0].startswith("1. ")
    assert out.startswith("17 notes match (1-10 shown")
    harness.run("GPRS gateway")
    out, _ = harness.take()
    assert out.startswith("1. T-Mobile confirms breach through misconfigured GPRS gateway\n")
    assert len(harness.pager.pages) == 1


def test_show_puts_the_whole_note_in_the_pager(harness):
    harness.run(":limit 1", "author:cimpanu tag:fincen", ":show 1")
    assert harness.shell.shown_hits[1].path == FINCEN
    page = harness.pager.pages[-1]
    lines = page.splitlines()
    assert lines[0] == "FinCEN: Suspected ransomware payments reached $590 million in first half of 2021"
    assert lines[2] == "2021-10-15 · The Record · Catalin Cimpanu"
    assert "Tags: Ransomware, FinCEN, Bitcoin, Cryptocurrency, The Record" in lines
    assert "The average monthly total of suspicious ransomware transactions" in page


def test_show_of_a_hit_that_was_not_shown_names_the_shown_range(harness):
    harness.run(":limit 2", "ransomware")
    harness.take()
    harness.run(":show 3", ":show x")
    assert harness.take()[1] == (
        "error: no hit 3: hits 1-2 are shown\n"
        "error: expected a number, not 'x'; usage: N, a hit number of the last query\n"
    )


def recording_editor(folder: Path, name: str) -> tuple[Path, Path]:
    """An executable called `name` that writes its arguments to a file, one a line."""
    log = folder / "editor-args.txt"
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, log


def test_open_runs_the_editor_at_the_line_of_the_best_passage(bundled_index, tmp_path, new_harness):
    script, log = recording_editor(tmp_path, "vim")
    harness = new_harness(*bundled_index, environ={"EDITOR": str(script)})
    harness.run(":limit 1", "author:cimpanu tag:fincen", ":open 1")
    hit = harness.shell.shown_hits[1]
    assert log.read_text().splitlines() == [f"+{hit.passages[0].line}", str(bundled_index[0] / FINCEN)]
    assert hit.passages[0].line > 1
    assert harness.take()[1] == ""
    assert harness.pager.pages == []


def test_open_prefers_visual_and_passes_only_the_path_to_unknown_editors(
    bundled_index, tmp_path, new_harness
):
    script, log = recording_editor(tmp_path, "my-editor")
    harness = new_harness(*bundled_index, environ={"VISUAL": f"{script} --wait", "EDITOR": "vim"})
    harness.run(":limit 1", "author:cimpanu tag:fincen", ":open 1")
    assert log.read_text().splitlines() == ["--wait", str(bundled_index[0] / FINCEN)]


def test_open_without_an_editor_shows_the_note_instead(harness):
    harness.run(":limit 1", "author:cimpanu tag:fincen")
    harness.take()
    harness.run(":open 1")
    assert harness.take() == ("No $VISUAL or $EDITOR is set: showing the note instead.\n", "")
    assert harness.pager.pages[-1].startswith("FinCEN: Suspected ransomware payments")


def test_open_with_an_editor_that_cannot_run_says_so_and_shows_the_note(bundled_index, tmp_path, new_harness):
    harness = new_harness(*bundled_index, environ={"EDITOR": str(tmp_path / "no-such-editor")})
    harness.run(":limit 1", "author:cimpanu tag:fincen")
    harness.take()
    harness.run(":open 1")
    _, err = harness.take()
    assert err.startswith("cannot run the editor ") and err.endswith(": showing the note\n")
    assert err.count("\n") == 1
    assert harness.pager.pages[-1].startswith("FinCEN: Suspected ransomware payments")


def test_similar_lists_other_notes_and_more_pages_through_them(harness):
    harness.run(":limit 2", "author:cimpanu tag:ransomware")
    harness.take()
    harness.run(":similar 1")
    out, _ = harness.take()
    title = "REvil ransomware gang goes dark again after its Tor servers are hijacked"
    assert out.startswith(f"Notes like 1. {title}:\n1. ")
    paths = [hit.path for hit in harness.shell.shown_hits.values()]
    assert len(paths) == 2 and all("goes-dark" not in path for path in paths)
    harness.run(":more")
    assert harness.take()[0].startswith("3. ")


def test_an_unknown_command_gets_a_one_line_hint(harness):
    harness.run(":shw 1", ":frobnicate")
    assert harness.take() == (
        "",
        "error: unknown command ':shw'; did you mean :show? :help lists the commands\n"
        "error: unknown command ':frobnicate'; :help lists the commands\n",
    )


def test_a_bad_query_is_one_line_and_the_shell_goes_on(harness):
    outcome = harness.run("auther:cimpanu")
    assert outcome is Outcome.CONTINUE
    out, err = harness.take()
    assert out == ""
    assert err.startswith("error: unknown field 'auther:'; valid fields: title:, subtitle:, body:")
    assert err.count("\n") == 1
    harness.run("date:someday")
    assert harness.take()[1].startswith("error: cannot read date 'someday'; dates look like")
    harness.run("GPRS gateway")
    assert harness.take()[0].startswith("1. T-Mobile")


def test_a_query_that_matches_nothing_says_so(harness):
    harness.run("zyzzyva")
    assert harness.take() == ("No notes match 'zyzzyva'.\n", "")


def test_ctrl_c_during_a_query_prints_cancelled_and_the_shell_goes_on(harness, monkeypatch):
    real_search = harness.shell.notes.search

    def interrupted(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)  # what Ctrl-C on the terminal delivers
        return real_search(*args, **kwargs)

    monkeypatch.setattr(harness.shell.notes, "search", interrupted)
    assert harness.run("ransomware") is Outcome.CONTINUE
    assert harness.take() == ("", "cancelled\n")
    monkeypatch.setattr(harness.shell.notes, "search", real_search)
    harness.run("GPRS gateway")
    assert harness.take()[0].startswith("1. T-Mobile")


def test_an_unexpected_error_is_one_line_never_a_traceback(harness, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(harness.shell.notes, "search", broken)
    harness.run("ransomware")
    log = log_path()
    assert harness.take() == ("", f"internal error: RuntimeError: disk on fire (details in {log})\n")
    assert "RuntimeError: disk on fire" in log.read_text(encoding="utf-8")


def test_quit_and_its_aliases_end_the_shell(harness):
    assert harness.run(":quit") is Outcome.QUIT
    assert harness.run(":q") is Outcome.QUIT
    assert harness.run(":EXIT") is Outcome.QUIT
    assert harness.run("   ") is Outcome.CONTINUE


def test_help_lists_every_registered_command_with_its_summary(harness):
    harness.run(":help")
    out, _ = harness.take()
    out = out or harness.pager.pages[-1]  # taller than the 24-line screen: paged
    assert out.startswith("Commands:\n")
    for command in COMMANDS:
        assert f"  {command.synopsis} " in out
        assert command.summary in out
    assert "Ctrl-R" in out and "Tab" in out


def test_stats_prints_the_index_figures_and_the_shell_settings(harness):
    harness.run(":stats")
    out, _ = harness.take()
    assert out.startswith("notes              40\n")
    assert "shell              10 hits a page, sorted by relevance\n" in out


@pytest.fixture
def own_index(tmp_path, bundled_index):
    corpus = tmp_path / "corpus"
    shutil.copytree(bundled_index[0], corpus)
    index = tmp_path / "index"
    build_index(corpus, index)
    return corpus, index


def test_reindex_applies_corpus_changes_and_tells_the_listeners(own_index, new_harness):
    corpus, index = own_index
    harness = new_harness(corpus, index)
    seen = []
    harness.shell.index_listeners.append(lambda notes: seen.append(notes.note_count()))
    (corpus / "new.md").write_text(info_note("Zyzzyva sighting", "A zyzzyva was seen."), encoding="utf-8")
    harness.run(":reindex")
    out, err = harness.take()
    assert out.startswith("Checking ")
    assert "Updated: 1 added, 0 changed, 0 removed; 41 notes in " in out
    assert err == ""
    assert seen == [41]
    assert harness.shell.prompt_text() == "corpus (41 notes)> "
    harness.run("zyzzyva")
    assert harness.take()[0].startswith("1. Zyzzyva sighting")
    harness.run(":reindex")
    assert harness.take()[0].endswith("The index is up to date: 41 notes.\n")


def test_a_commit_by_another_process_is_seen_by_the_next_query(own_index, new_harness):
    from indexer.index.store import update_index

    corpus, index = own_index
    harness = new_harness(corpus, index)
    harness.run("zyzzyva")
    assert harness.take()[0] == "No notes match 'zyzzyva'.\n"
    (corpus / "new.md").write_text(info_note("Zyzzyva sighting", "A zyzzyva was seen."), encoding="utf-8")
    update_index(corpus, index)
    harness.run("zyzzyva")
    assert harness.take()[0].startswith("1. Zyzzyva sighting")


def test_watch_on_indexes_new_notes_in_the_background_and_off_stops_it(own_index, new_harness):
    import time

    corpus, index = own_index
    harness = new_harness(corpus, index)
    harness.run(":watch on")
    assert harness.take()[0].startswith(f"Watching {corpus}: changes are indexed as you save them")
    # No pause: the observer's inotify watch exists once `:watch on` has returned.
    (corpus / "new.md").write_text(info_note("Zyzzyva sighting", "A zyzzyva was seen."), encoding="utf-8")
    deadline = time.monotonic() + 600  # a bound for a hang, not for speed
    out = ""
    # The batch's log line is queued after its commit, so a search may find the note a
    # moment before the line is there: wait for both, whatever the machine's load.
    while time.monotonic() < deadline:
        harness.run("zyzzyva")
        out += harness.take()[0]
        if "1. Zyzzyva sighting" in out and "watch: " in out:
            break
        time.sleep(0.05)
    assert "watch: " in out and " 1 added, 0 changed, 0 removed; 41 notes" in out
    assert "1. Zyzzyva sighting" in out
    harness.run(":watch off")
    assert harness.take() == ("Stopped watching the corpus.\n", "")
    assert harness.shell.watcher is None


def test_watch_with_a_bad_argument_says_how_to_use_it(harness):
    harness.run(":watch sometimes")
    assert harness.take() == ("", "error: unknown :watch argument 'sometimes'; use :watch on or :watch off\n")
