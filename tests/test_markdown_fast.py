"""The short cuts through markdown-it (indexer/notes/markdown_fast.py) read every note as
markdown-it alone does: on every note of the shared corpora, on random markup, and on the
shapes a note built to be slow takes; and they are taken where they should be."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.notes.markdown import _parser, parse_markdown
from tests.conftest import SHARED, parsed_shared_notes
from tests.growth import assert_grows_linearly

# Pieces of markdown that the short cuts must either read exactly or leave to markdown-it.
PIECES = [
    "word", "Word", "é", "1", " ", "  ", "\t", "    ", "\n", "\n\n", "  \n", "\xa0",
    "[", "]", "(", ")", "![", "](", "[a](http://x.y/z_w)", "![i](a.png)", "[](u)", "![](u)",
    "[a\nb](u)", "[a](b c)", "[a](<b>)", '[a](b "t")', "[a]( b\n)", "(u)", "[a](b&amp;c)",
    "*", "**", "_", "~", "~~", "`", "<", ">", "&amp;", "&", "&#42;", "&#X41;", "&nosuch;", "&#0;",
    "&#1114112;", "\\", "^", "^[x]", "!", "[x]", "[x](", "![x]", "[x][y]",
    "#", "# ", "- ", "* ", "1. ", "2) ", "+ ", "> ", "---", "===", "|", ":", " |---|", "| a | b |",
    "```", "~~~", "[^1]", "[^1]: note", "[ref]", "[ref]: http://r.x", "]:",
    "javascript:alert(1)", "](javascript:x)", "](data:image/png;x)",
    "{{< x >}}", "{#id}", "[[wiki|alias]]", "#tag", "<!-- c -->", "<div>", "9.", "a.b/c_d",
]  # fmt: skip


def assert_read_alike(text: str) -> None:
    assert parse_markdown(text) == parse_markdown(text, shortcuts=False), repr(text)


@settings(deadline=None)  # examples: the profile's (tests/conftest.py: 30 everyday, 300 thorough)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_the_shortcuts_read_random_markup_as_markdown_it_alone(text):
    assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "Plain text with a [link](https://example.com/a_b?x=1&amp;y=2) and ![a picture](p.png).",
        "A [link\nover two lines](u) and a soft  \nhard break.",
        "![only](a.png) ![images](b.png)",
        "[[1](https://a.example), [2](https://b.example)]",  # links inside brackets
        "A [link](javascript:alert(1)) is not one.",
        "Text\n    lazy continuation\n- a list\n\n[ref]: https://r.example\n\n[ref] and [x](y)",
        "- one\n- two\n\n  still two\n\n> quoted [link](u)\n> more",
        "Title\n=====\n\nPara\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "[^1]\n\n[^1]: a footnote [link](u)",
    ],
)
def test_the_shortcuts_read_each_case_as_markdown_it_alone(text):
    assert_read_alike(text)


@pytest.mark.shared_corpus
@pytest.mark.parametrize("name", ["frontmatter", "news"])
def test_the_shortcuts_read_every_shared_note_as_markdown_it_alone(name):
    if not (SHARED / "corpus" / name).is_dir():
        pytest.skip(f"shared corpus not found at {SHARED / 'corpus' / name}")
    notes = parsed_shared_notes(name)
    different = []
    for note in notes.values():  # read with the short cuts (as a build reads them)
        alone = parse_markdown(note.body, shortcuts=False)
        if note.blocks != alone.blocks or note.links != tuple(link[:1000] for link in alone.links if link):
            different.append(note.path)
    assert not different, different[:10]
    assert len(notes) > 700


def test_plain_paragraphs_and_plain_links_do_not_go_through_markdown_its_inline_parser(monkeypatch):
    md = _parser()

    def refuse(*args, **kwargs):
        raise AssertionError("markdown-it's inline parser was used")

    monkeypatch.setattr(md.inline, "parse", refuse)
    parsed = parse_markdown(
        "Plain words.\n\nA [link](https://example.com/a) and an ![image](https://example.com/b.png).\n"
    )
    assert [block.text for block in parsed.blocks] == ["Plain words.", "A link and an image."]
    assert parsed.links == ("https://example.com/a", "https://example.com/b.png")
    assert parsed.blocks[1].atoms == ((2, 6),)  # a passage is never cut inside the link's text


@pytest.mark.parametrize("unit", ["![a](", "[a](", "[a](b) ", "*a* [a](b) ", "[[1](u), "])
def test_parsing_time_grows_linearly_with_openers_and_links(unit):
    parse_markdown(unit * 100)  # warm up
    # A paragraph of n links took n² when each link's text was found from the first piece:
    # at these sizes (3,000 and 12,000 units) that showed as more than 8x for 4x the input.
    # One parse a size (each takes tens of milliseconds); 20 ms of slack for the clock.
    assert_grows_linearly(parse_markdown, unit * 3000, unit * 12000, what=repr(unit), at_least=0, slack=0.02)
