"""The enums of what `search` prints and how, and the one formatter each for an index
report, the stats table and opening the editor."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from indexer.cli.config import COLORS, OUTPUTS, SORT_ORDERS
from indexer.output.editor import EditorNotRunError, NoEditorError, chosen_editor, open_in_editor
from indexer.output.formats import OutputFormat
from indexer.output.index_report import change_counts, describe_batch, notes_and_time, stats_lines
from indexer.output.terminal import ColorMode
from indexer.search.options import SortOrder


def test_the_enums_keep_the_spellings_of_options_variables_and_notes_toml():
    assert OUTPUTS == ("text", "paths", "json", "jsonl", "count", "tags", "authors", "sources")
    assert SORT_ORDERS == ("relevance", "date", "-date")
    assert COLORS == ("auto", "always", "never")
    assert OutputFormat("jsonl") is OutputFormat.JSONL and ColorMode("never") is ColorMode.NEVER
    assert f"--output {OutputFormat.TAGS}" == "--output tags"  # str-valued: formats as its spelling
    assert SortOrder("-date") is SortOrder.NEWEST


@pytest.mark.parametrize(
    ("output", "flag", "facet", "has_passages"),
    [
        (OutputFormat.TEXT, "--output text", None, True),
        (OutputFormat.JSON, "--json", None, True),
        (OutputFormat.JSONL, "--jsonl", None, True),
        (OutputFormat.PATHS, "--files", None, False),
        (OutputFormat.COUNT, "--count", None, False),
        (OutputFormat.AUTHORS, "--output authors", "author", False),
        (OutputFormat.TAGS, "--output tags", "tag", False),
    ],
)
def test_an_output_says_how_it_is_asked_for_and_what_it_needs(output, flag, facet, has_passages):
    assert (output.flag, output.facet, output.has_passages) == (flag, facet, has_passages)


def report(**figures):
    values = {"added": 3, "changed": 1, "removed": 0, "notes": 4490, "seconds": 1.25, "skipped": []}
    return SimpleNamespace(**(values | figures))


def test_an_index_report_reads_the_same_wherever_it_is_printed():
    assert change_counts(report()) == "3 added, 1 changed, 0 removed"
    assert change_counts(report(), new="new") == "3 new, 1 changed, 0 removed"
    assert notes_and_time(report()) == "4490 notes in 1.2 s"
    skipped = report(skipped=[("a.md", "binary")])
    assert describe_batch(skipped, clock=lambda: "12:03:04") == (
        "12:03:04 3 added, 1 changed, 0 removed, 1 skipped; 4490 notes (1.2 s)"
    )


def test_the_stats_table_is_aligned_joins_lists_and_escapes_terminal_controls():
    lines = stats_lines(
        {"notes": 12, "updated_at": None, "corpus": "/n\x1b[2Jotes", "fields": ["title", "body"]}
    )
    assert lines == [
        "notes       12",
        "updated at  None",
        "corpus      /n\\x1b[2Jotes",
        "fields      title, body",
    ]


def test_the_editor_is_the_configured_one_then_the_variables_else_an_error_with_a_hint():
    assert chosen_editor(("code", "--wait"), {"EDITOR": "vi"}) == ["code", "--wait"]
    assert chosen_editor(None, {"VISUAL": "nano -w", "EDITOR": "vi"}) == ["nano", "-w"]
    with pytest.raises(NoEditorError) as raised:
        chosen_editor(None, {})
    assert (str(raised.value), raised.value.hint) == (
        "no editor to open the note with",
        "set NOTES_EDITOR, VISUAL or EDITOR",
    )


def test_opening_a_note_returns_the_editors_status_or_says_why_it_cannot_run(tmp_path):
    note = tmp_path / "a.md"
    note.write_text("# A\n", encoding="utf-8")
    assert open_in_editor([sys.executable, "-c", "import sys; sys.exit(3)"], note, 5) == 3
    with pytest.raises(EditorNotRunError, match="cannot run the editor 'no-such-editor-x': No such file"):
        open_in_editor(["no-such-editor-x"], note)
