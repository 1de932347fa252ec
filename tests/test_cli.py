import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import __version__
from indexer.cli import indexer_main, search_main
from tests.conftest import BUNDLED_CORPUS, REPO, copy_bundled_index, info_note, write_project_settings

GPRS_TEXT = (
    "1. T-Mobile confirms breach through misconfigured GPRS gateway\n"
    "   2021-08-16 · The Record · Catalin Cimpanu\n"
    "   news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md\n"
    "   20: In a message posted on Sunday, the seller explained how they got in: through a GPRS gateway "
    "that, they said, T-Mobile had left reachable from the outside and poorly configured.\n"
    "   26: T-Mobile did not address the claim about the GPRS gateway, and it declined to confirm how many "
    "customers might be involved until its review is complete.\n"
)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A checkout-like folder with ./corpus (a copy of the bundled one) and no index yet."""
    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    return tmp_path


@pytest.fixture
def built(workspace, bundled_index):
    """The workspace with ./index_data up to date: a copy of the session's index of the same
    notes (copied with their times), not a build of its own (test_first_search_builds_...
    and the `indexer build` tests build)."""
    copy_bundled_index(bundled_index, workspace / "corpus", workspace / "index_data")
    return workspace


def run_search(*args, env=None):
    return CliRunner().invoke(search_main, list(args), env=env)


def test_first_search_builds_the_index_from_the_defaults_and_prints_hits(workspace):
    result = run_search("GPRS gateway")
    assert result.exit_code == 0
    assert result.stdout == GPRS_TEXT
    assert result.stderr == ("search: built the index: 40 notes\n1 note matches (1-1 shown)\n")
    assert (workspace / "index_data" / "manifest.json").exists()


def test_search_with_hits_exits_0_and_with_none_exits_1(built):
    assert run_search("GPRS gateway").exit_code == 0
    result = run_search("zyzzyva")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "No notes match 'zyzzyva'.\n")


def test_a_query_no_note_fully_matches_shows_notes_with_most_words_and_says_so(built):
    result = run_search("GPRS gateway zyzzyva", "--files", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout == "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md\n"
    assert result.stderr == "no note has all the words; showing notes with most of them\n"
    document = json.loads(run_search("GPRS gateway zyzzyva", "--json").stdout)
    assert document["relaxed"] is True
    assert json.loads(run_search("GPRS gateway", "--json").stdout)["relaxed"] is False


def test_unknown_field_exits_2_with_one_line_naming_valid_fields(built):
    result = run_search("auther:cimpanu")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "search: unknown field 'auther:'; valid fields: title:, subtitle:, body:, source:, author:, tag:, "
        "date:, link:, path:, city:, continent:, country:, industry:, malware:, threatactor:\n"
    )


def test_bad_date_exits_2_with_one_line(built):
    result = run_search("date:someday")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("search: cannot read date 'someday'; dates look like 2021, 2021-08")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"gprs gateway', "unclosed quote at column 1"),
        ("(gprs", "unclosed parenthesis at column 1"),
        ("gprs)", "unmatched closing parenthesis at column 5"),
        ("date:>", "needs a value after it"),
        ("date:<", "needs a value after it"),
    ],
)
def test_unbalanced_quotes_parentheses_and_empty_comparisons_exit_2_with_one_line(built, query, message):
    result = run_search(query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_missing_query_is_a_usage_error(built):
    result = CliRunner().invoke(search_main, [], input="")
    assert result.exit_code == 2
    assert "missing QUERY" in result.stderr


def test_json_output_has_query_total_and_hits_with_every_key(built):
    result = run_search("author:cimpanu tag:ransomware date:2021-10", "--json", "--sort", "date")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["format_version"] == 1
    assert document["query"] == "author:cimpanu tag:ransomware date:2021-10"
    assert document["total"] == 2
    first = document["hits"][0]
    assert sorted(first) == sorted(
        ["rank", "path", "title", "subtitle", "source", "author", "authors", "date", "tags", "link", "score",
         "snippet", "matched_fields", "passages", "duplicates"]
    )  # fmt: skip
    assert first["matched_fields"] == ["tags", "author", "date"]
    assert first["duplicates"] == []
    assert first["passages"][0]["line"] == 14
    assert first["passages"][0]["heading"] == "Article"
    assert first["snippet"] == first["passages"][0]["text"]
    assert (
        first["path"]
        == "news/therecord/FinCEN-suspected-ransomware-payments-reached-590-million-in-first-half-of-2021.md"
    )
    assert first["date"] == "2021-10-15"
    assert first["tags"] == ["Ransomware", "FinCEN", "Bitcoin", "Cryptocurrency", "The Record"]
    assert first["author"] == "Catalin Cimpanu"
    assert first["link"].startswith("https://therecord.media/")
    assert first["score"] is None  # sorted by date: no relevance score
    assert result.stderr == ""


def test_jsonl_prints_one_object_a_hit(built):
    result = run_search("tag:ransomware", "--jsonl", "-n", "3")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["rank"] for line in lines] == [1, 2, 3]


def test_count_and_files(built):
    count = run_search("tag:ransomware", "--count")
    assert (count.exit_code, count.stdout) == (0, "14\n")
    files = run_search("author:cimpanu", "--files", "--sort", "-date", "-n", "0")
    assert (
        files.stdout.splitlines()[0]
        == "news/therecord/REvil-ransomware-gang-goes-dark-again-after-its-Tor-servers-are-hijacked.md"
    )
    assert len(files.stdout.splitlines()) == 6
    assert run_search("zyzzyva", "--count").exit_code == 1


def test_limit_page_and_sort_options(built):
    newest = run_search("tag:ransomware", "--files", "--sort", "-date", "-n", "2")
    oldest = run_search("tag:ransomware", "--files", "--sort", "date", "-n", "2")
    assert newest.stdout.splitlines() == [
        "news/trendmicro/Inside-LockBits-first-Linux-build-aimed-at-VMware-ESXi.md",
        "news/bleepingcomputer/Conti-ransomware-gang-exploits-Log4Shell-to-breach-VMware-vCenter-servers.md",
    ]
    assert (
        oldest.stdout.splitlines()[0]
        == "news/zdnet/FBI-confirms-DarkSide-ransomware-behind-Colonial-Pipeline-shutdown.md"
    )
    page2 = run_search("tag:ransomware", "--files", "--sort", "-date", "-n", "2", "--page", "2")
    all_sorted = run_search("tag:ransomware", "--files", "--sort", "-date", "-n", "0")
    assert page2.stdout.splitlines() == all_sorted.stdout.splitlines()[2:4]


def test_options_are_settable_by_environment_variables(built, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.move(built / "corpus", moved)
    env = {"NOTES_CORPUS": str(moved), "NOTES_INDEX": str(tmp_path / "idx"), "NOTES_LIMIT": "1"}
    result = run_search("tag:ransomware", "--files", env=env)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert (tmp_path / "idx" / "manifest.json").exists()


def test_changed_corpus_is_updated_before_searching_unless_no_update(built):
    (built / "corpus" / "fresh.md").write_text(info_note("Fresh zyzzyva note", "A zyzzyva appears."))
    stale = run_search("zyzzyva", "--no-update")
    assert stale.exit_code == 1
    fresh = run_search("zyzzyva", "--files")
    assert fresh.exit_code == 0
    assert fresh.stdout == "fresh.md\n"
    assert fresh.stderr == "search: updated the index first: 1 new, 0 changed, 0 removed\n"


@pytest.fixture
def answers(monkeypatch):
    """The `search` command's answers as they are computed, printed or not."""
    import indexer.cli.answer as answers_module

    computed = []
    answer = answers_module.answer

    def recorded(notes, text, similar, asked):
        computed.append(answer(notes, text, similar, asked))
        return computed[-1]

    monkeypatch.setattr(answers_module, "answer", recorded)
    return computed


def test_the_query_runs_once_on_an_unchanged_corpus(built, answers):
    assert run_search("GPRS gateway").exit_code == 0
    assert [answer.total for answer in answers] == [1]


def test_an_answer_from_the_index_as_it_was_is_dropped_when_the_corpus_changed(built, answers):
    """The query runs while the corpus is checked; after an update it runs again, and only
    that answer is printed."""
    gprs = (
        built
        / "corpus"
        / "news"
        / "therecord"
        / "T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
    )
    gprs.write_text(gprs.read_text(encoding="utf-8").replace("GPRS", "zyzzyva"), encoding="utf-8")
    result = run_search("GPRS", "--files")
    assert [answer.total for answer in answers] == [1, 0]
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "search: updated the index first: 0 new, 1 changed, 0 removed\n"


def test_a_field_only_new_notes_have_is_found_after_the_update(built):
    (built / "corpus" / "fresh.md").write_text(
        "---\ntitle: Fresh\ntags:\n  - vendor.name=Zyzzyva\n---\nbody\n", encoding="utf-8"
    )
    assert run_search("vendor:zyzzyva", "--no-update").exit_code == 2  # not a field yet
    fresh = run_search("vendor:zyzzyva", "--files")
    assert fresh.exit_code == 0, fresh.stderr
    assert fresh.stdout == "fresh.md\n"
    assert fresh.stderr == "search: updated the index first: 1 new, 0 changed, 0 removed\n"


def test_a_query_error_on_an_unchanged_corpus_is_reported_once(built, answers):
    result = run_search("nosuchfield:word")
    assert result.exit_code == 2
    assert answers == []
    assert len(result.stderr.strip().splitlines()) == 1 and "nosuchfield" in result.stderr


def test_colour_only_when_asked_or_forced_and_never_with_no_color(built):
    plain = run_search("GPRS gateway")
    assert "\x1b[" not in plain.stdout
    forced = run_search("GPRS gateway", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;33mGPRS\x1b[0m" in forced.stdout
    assert "\x1b[" not in run_search("GPRS gateway", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" in run_search("GPRS gateway", "--color", "always", env={"NO_COLOR": "1"}).stdout


def test_hostile_title_is_escaped_in_text_and_exact_in_json(built):
    # (A bare CR never survives parsing: in the text it ends a line, in YAML it is whitespace.)
    evil = "Evil \x1b]52;c;ZXZpbA==\x07title\x1b[2J \u202eabc"
    escaped = evil.encode("unicode_escape").decode("ascii").replace("\\x", "\\x")
    (built / "corpus" / "evil.md").write_text(f'---\ntitle: "{escaped}"\n---\nzyzzyva body \x1b[31mred\n')
    text = run_search("zyzzyva")
    assert "\x1b" not in text.stdout and "\r" not in text.stdout and "\u202e" not in text.stdout
    assert "1. Evil \\x1b]52;c;ZXZpbA==\\x07title\\x1b[2J \\u202eabc\n" in text.stdout
    assert "zyzzyva body \\x1b[31mred" in text.stdout
    document = json.loads(run_search("zyzzyva", "--json").stdout)
    assert document["hits"][0]["title"] == evil


def test_version_and_help_with_examples():
    version = CliRunner().invoke(search_main, ["--version"])
    assert version.stdout == f"search, version {__version__}\n"
    help_text = CliRunner().invoke(search_main, ["--help"]).stdout
    assert 'search "GPRS gateway"' in help_text
    assert "NOTES_CORPUS" in help_text
    assert "Exit status: 0 hits found, 1 no match, 2 error" in help_text


# -- indexer ------------------------------------------------------------------------------


def test_indexer_build_prints_a_summary_and_warnings(workspace):
    result = CliRunner().invoke(indexer_main, ["build"])
    assert result.exit_code == 0
    assert re.fullmatch(r"Indexed 40 notes in \d+\.\d s into index_data\n", result.stdout)
    assert result.stderr == ""  # the bundled corpus reads without warnings


def test_indexer_build_skips_bad_notes_and_strict_makes_that_exit_1(workspace):
    (workspace / "corpus" / "binary.md").write_bytes(b"\x00\x01binary")
    result = CliRunner().invoke(indexer_main, ["build", "--quiet"])
    assert result.exit_code == 0
    assert re.fullmatch(r"Indexed 40 notes, 1 skipped in \d+\.\d s into index_data\n", result.stdout)
    strict = CliRunner().invoke(indexer_main, ["build", "--strict"])
    assert strict.exit_code == 1
    assert "indexer: warning: binary.md: skipped: binary file (contains NUL bytes)\n" in strict.stderr


def test_indexer_update_reports_changes_then_up_to_date(built):
    (built / "corpus" / "new.md").write_text(info_note("New", "Words."))
    first = CliRunner().invoke(indexer_main, ["update"])
    assert re.fullmatch(
        r"Updated index_data: 1 added, 0 changed, 0 removed; 41 notes in \d+\.\d s\n", first.stdout
    )
    second = CliRunner().invoke(indexer_main, ["update"])
    assert second.stdout == "Index index_data is up to date: 41 notes\n"


def test_indexer_stats_json(built):
    result = CliRunner().invoke(indexer_main, ["stats", "--json"])
    stats = json.loads(result.stdout)
    assert stats["notes"] == 40
    assert stats["corpus"] == str((built / "corpus").resolve())
    assert stats["index"] == str((built / "index_data").resolve())
    assert stats["size_bytes"] > 0
    assert stats["structured_fields"] == [
        "city",
        "continent",
        "country",
        "industry",
        "malware",
        "threatactor",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stats["updated_at"])


def test_indexer_stats_without_an_index_exits_2_with_the_command_to_run(workspace):
    result = CliRunner().invoke(indexer_main, ["stats"])
    assert result.exit_code == 2
    assert result.stderr == "indexer: no index at index_data; run: indexer build\n"


def test_missing_corpus_folder_exits_2(workspace):
    result = run_search("x", "--corpus", "nowhere")
    assert result.exit_code == 2
    assert (
        result.stderr == "search: corpus folder not found: nowhere; pass --corpus DIR or set NOTES_CORPUS\n"
    )


def test_importing_the_cli_package_loads_neither_whoosh_nor_the_shell():
    code = (
        "import sys, indexer.cli\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('whoosh', 'prompt_toolkit')"
        " or n.startswith('indexer.shell')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout == "[]\n"


# -- results built for notes: passages, the scripting contract, --open ----------------------


def test_passages_and_context_choose_how_much_text_each_hit_shows(built):
    one = run_search("GPRS gateway", "--passages", "1")
    assert one.stdout.count("\n   20: ") == 1 and "\n   26: " not in one.stdout
    none = run_search("GPRS gateway", "--passages", "0")
    assert none.stdout.splitlines()[-1].endswith("GPRS-gateway.md")
    short = run_search("GPRS gateway", "--passages", "1", "--context", "60")
    passage = short.stdout.splitlines()[-1]
    assert passage.startswith("   20: ") and passage.endswith("…")
    assert len(passage) <= len("   20: ") + 62


def test_json_passages_carry_line_heading_and_highlight_offsets(built):
    document = json.loads(run_search("GPRS gateway", "--json").stdout)
    passages = document["hits"][0]["passages"]
    assert [(p["line"], p["heading"]) for p in passages] == [(20, "Article"), (26, "Article")]
    first = passages[0]
    assert [first["text"][a:b] for a, b in first["highlights"]] == ["GPRS", "gateway"]
    assert document["hits"][0]["matched_fields"] == ["title", "body"]


def test_a_code_passage_is_flagged_in_json_and_jsonl_and_indented_in_text(workspace):
    note = "# Qwzx setup\n\nInstall the qwzxtool first.\n\n```sh\npip install qwzxtool --upgrade\n```\n"
    (workspace / "corpus" / "setup.md").write_text(note, encoding="utf-8")
    document = json.loads(run_search("qwzxtool upgrade", "--json").stdout)
    passages = document["hits"][0]["passages"]
    assert [(p["text"], p["line"], p["code"]) for p in passages] == [
        ("Install the qwzxtool first.", 3, False),
        ("pip install qwzxtool --upgrade", 6, True),
    ]
    line = json.loads(run_search("qwzxtool upgrade", "--jsonl").stdout.splitlines()[0])
    assert [p["code"] for p in line["passages"]] == [False, True]
    text = run_search("qwzxtool upgrade").stdout.splitlines()  # piped: plain, stable
    assert text[-3:] == [
        "   3: Install the qwzxtool first.",
        "   6:",
        "       pip install qwzxtool --upgrade",
    ]


def test_jsonl_lines_each_carry_the_format_version(built):
    lines = [
        json.loads(line) for line in run_search("tag:ransomware", "--jsonl", "-n", "2").stdout.splitlines()
    ]
    assert [line["format_version"] for line in lines] == [1, 1]


def test_an_unknown_format_version_is_an_error_naming_the_ones_written(built):
    result = run_search("GPRS gateway", "--json", "--format-version", "7")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "search: unknown --format-version 7; this version writes 1\n"
    assert run_search("GPRS gateway", "--json", "--format-version", "1").exit_code == 0


def test_output_values_print_the_distinct_values_among_all_hits_with_counts(built):
    result = run_search("tag:ransomware", "--output", "sources", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["4\tZDNet", "3\tThe Record"]
    assert sum(int(line.split("\t")[0]) for line in result.stdout.splitlines()) == 14
    authors = run_search("author:cimpanu", "--output", "authors").stdout
    assert authors == "6\tCatalin Cimpanu\n"
    tags = run_search("tag:ransomware", "--output", "tags").stdout.splitlines()
    assert tags[0] == "14\tRansomware"


def test_null_separates_paths_with_nul_for_xargs(built):
    result = run_search("author:cimpanu", "--files", "-0", "-n", "2", "--sort", "date")
    assert result.stdout.count("\0") == 2 and "\n" not in result.stdout
    assert run_search("GPRS", "-0").exit_code == 2  # -0 goes with paths only


def test_output_option_and_shortcut_flags_must_agree(built):
    assert run_search("GPRS", "--json", "--output", "json").exit_code == 0
    clash = run_search("GPRS", "--json", "--output", "paths")
    assert clash.exit_code == 2
    assert "--json and --output paths ask for different outputs" in clash.stderr


def test_debug_query_shows_how_the_query_was_understood_on_stderr(built):
    result = run_search("author:cimpanu date:2021-10", "--debug-query", "--count")
    assert result.stdout == "3\n"
    assert result.stderr == (
        "query: author:cimpanu date:2021-10\nparsed: (author:cimpanu AND date:[2021-10-01 to 2021-10-31])\n"
    )


def test_open_runs_the_editor_at_the_line_of_the_best_passage(built, tmp_path):
    log = tmp_path / "editor.log"
    editor = tmp_path / "vim"
    editor.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    editor.chmod(0o755)
    result = run_search("GPRS gateway", "--open", "1", env={"NOTES_EDITOR": str(editor)})
    assert result.exit_code == 0
    assert result.stdout == ""
    target = (
        built / "corpus" / "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
    )
    assert log.read_text().splitlines() == ["+20", str(Path("corpus") / target.relative_to(built / "corpus"))]
    assert result.stderr.startswith("opening news/therecord/T-Mobile-confirms-breach-")
    missing = run_search("GPRS gateway", "--open", "5", env={"NOTES_EDITOR": str(editor)})
    assert (missing.exit_code, missing.stderr) == (2, "search: no hit 5 to open: this page has hits 1-1\n")
    no_editor = run_search(
        "GPRS gateway", "--open", "1", env={"NOTES_EDITOR": "", "VISUAL": "", "EDITOR": ""}
    )
    assert no_editor.stderr == "search: no editor to open the note with; set NOTES_EDITOR, VISUAL or EDITOR\n"


def test_hits_sorted_by_date_have_no_score_rather_than_the_sort_key(built):
    by_date = json.loads(run_search("tag:ransomware", "--json", "--sort", "-date").stdout)
    assert {hit["score"] for hit in by_date["hits"]} == {None}
    by_relevance = json.loads(run_search("tag:ransomware", "--json").stdout)
    assert all(0 < hit["score"] < 1000 for hit in by_relevance["hits"])


@pytest.mark.parametrize(
    ("command", "args", "line"),
    [
        (
            search_main,
            ["-ransomware"],
            "search: No such option '-r' (a query that starts with - goes after --: search -- -word); "
            "try 'search --help'",
        ),
        (
            search_main,
            ["-n", "x", "gprs"],
            "search: Invalid value for '-n' / '--limit' (env var: 'NOTES_LIMIT'): 'x' is not a valid "
            "integer range; try 'search --help'",
        ),
        (indexer_main, ["bogus"], "indexer: No such command 'bogus'; try 'indexer --help'"),
        (
            indexer_main,
            ["build", "--max-size", "0"],
            "indexer build: Invalid value for '--max-size' (env var: 'NOTES_MAX_SIZE'): 0.0 is not in the "
            "range x>=0.001; try 'indexer build --help'",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(workspace, command, args, line):
    prog_name = "search" if command is search_main else "indexer"
    result = CliRunner().invoke(command, args, prog_name=prog_name)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", line + "\n")


def test_a_query_that_starts_with_a_dash_runs_after_double_dash(built):
    # `-gprs` is every note without gprs: 39 of the 40, as `NOT gprs`.
    result = run_search("--count", "--", "-gprs")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "39\n", "")
    assert run_search("--count", "NOT gprs").stdout == "39\n"
    assert run_search("--count", "gprs").stdout == "1\n"


def test_a_count_of_one_is_singular_in_the_build_messages(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# One note\n\nzyzzyva\n", encoding="utf-8")
    runner = CliRunner()
    index = tmp_path / "index"
    built = runner.invoke(indexer_main, ["build", "--corpus", str(corpus), "--index", str(index)])
    assert built.exit_code == 0, built.output
    assert re.fullmatch(rf"Indexed 1 note in \d+\.\d s into {re.escape(str(index))}\n", built.stdout)
    again = runner.invoke(indexer_main, ["update", "--corpus", str(corpus), "--index", str(index)])
    assert again.stdout == f"Index {index} is up to date: 1 note\n"
    (corpus / "b.md").write_text("# Another\n\nzyzzyva\n", encoding="utf-8")
    grown = runner.invoke(indexer_main, ["update", "--corpus", str(corpus), "--index", str(index)])
    assert re.search(r"; 2 notes in \d+\.\d s\n", grown.stdout)
