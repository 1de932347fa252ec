"""A whole note rendered for reading (`:show N` in the shell)."""

from __future__ import annotations

from datetime import date

from indexer.notes.note import Note
from indexer.output.render import TextStyle, render_note_text

NOTE = Note(
    path="news/therecord/a.md",
    title="T-Mobile confirms breach",
    subtitle="Through a GPRS gateway",
    body="\nFirst paragraph.\n\n| a | b |\n\tindented\n",
    source="The Record",
    author="Catalin Cimpanu",
    date=date(2021, 8, 16),
    tags=("T-Mobile", "The Record"),
    link="https://therecord.media/a",
)


def test_a_note_renders_title_meta_path_link_tags_then_the_body_keeping_its_lines():
    assert render_note_text(NOTE) == (
        "T-Mobile confirms breach\n"
        "Through a GPRS gateway\n"
        "2021-08-16 · The Record · Catalin Cimpanu\n"
        "news/therecord/a.md\n"
        "https://therecord.media/a\n"
        "Tags: T-Mobile, The Record\n"
        "\n"
        "First paragraph.\n\n| a | b |\n\tindented\n"
    )


def test_control_characters_from_the_note_are_escaped_but_newlines_kept():
    hostile = Note(path="x.md", title="Evil\x1b[2J title", body="line one\x1b]52;c;aGk=\x07\nline\u202etwo")
    text = render_note_text(hostile)
    assert "\x1b" not in text and "\u202e" not in text
    assert text == "Evil\\x1b[2J title\nx.md\n\nline one\\x1b]52;c;aGk=\\x07\nline\\u202etwo\n"


def test_colour_marks_the_title_bold():
    text = render_note_text(NOTE, TextStyle(color=True))
    assert text.startswith("\x1b[1mT-Mobile confirms breach\x1b[0m\n")
