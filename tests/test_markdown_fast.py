"""The short cuts through markdown-it (indexer/notes/markdown_fast.py) read every note as
markdown-it alone does: on every note of the shared corpora, on random markup, and on the
shapes a note built to be slow takes; and they are taken where they should be."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.notes.markdown import _parser, parse_markdown
from indexer.notes.markdown_blocks import block_tokens
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


# Lines as `block_tokens` must either read exactly or leave to markdown-it: a block
# marker (or none) and a few pieces of text, so that each line is a block's first line
# or a paragraph's next one far more often than in the random markup above.
LINE_STARTS = [
    "", "", "", " ", "   ", "    ", "> ", ">", ">  ", "> > ", "- ", "* ", "+ ", "1. ", "2) ", "10. ",
    "-  ", "-     ", "# ", "## ", "####### ", "#", "  - ", "   * ", "> - ", "> # ", "[x]: ", "[^a]: ",
    "| ", ">\t", "\t", "1.5 ", "=", "-", "***", "---", "===", "- - -",
    "```", "  ```", "~~~", "````", "```py ", "~~~ x`", "    ```", "`x` ", "~~s~~ ",
]  # fmt: skip
LINE_PIECES = [
    "word", "two words", "**bold**", "*it*", "---", "===", "- - -", "***", "_", "__x__", "[l](u)",
    "![i](p.png)", "a | b", "|---|", ":--", "#tag", "# h #", " #", "```", "~~~", "<b>", "&amp;", "\\*",
    "`c`", "x  ", "\xa0", "", " ", "[x]", "[^1]", "-", "=",
]  # fmt: skip


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(LINE_STARTS), st.lists(st.sampled_from(LINE_PIECES), max_size=3)),
        min_size=1,
        max_size=10,
    ).map(lambda lines: "\n".join(start + "".join(pieces) for start, pieces in lines))
)
def test_the_block_short_cut_reads_random_lines_as_markdown_it_alone(text):
    assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "Setext title\n============\n\nA paragraph\nover two lines.\n\nSub\n---",
        "**Bold** opening, *emphasis*, #tag and 1.5 million.\n\n***\n\n___",
        "- one\n- two\n\n* three\n1. four\n2) five\n\nAfter the list.",
        "> A quote\n> on two lines\n>\n> [!note] Not first\n\n> [!tip] A callout\n> its text",
        "# Heading #\n## Closed ##   \n### \n#5 is no heading\n\n####### nor this",
        "- an item\n  - nested\n\n- an item\n\n  its second paragraph",
        "A line\n    lazily indented\n- a list after a paragraph\n> a quote after one",
        "a | b\n--|--\n\n- a | b\n- --|--",
        "> quote\nlazy line\n\n>  indented quote\n\n> - list in a quote",
        "```py\n  code\n\n````\n```\n\n  ~~~\n   indented\n ~~~~  \n`code` and ~~struck~~ start lines",
        "Text\n```\nunclosed fence after a paragraph\n   \n",
        "``` a`b\nnot a fence: a backtick in its info\n\n```\nunclosed, ends in spaces\n  ",
    ],
)
def test_the_block_short_cut_reads_each_case_as_markdown_it_alone(text):
    assert_read_alike(text)


def test_the_block_short_cut_reads_the_common_shapes_and_leaves_the_rest():
    common = (
        "Title\n=====\n\n**Lead** paragraph with a [link](https://example.com/a).\n\n"
        "## A section\n\n- one\n- two\n\n1. first\n\n> quoted\n> text\n\n---\n\nThe end.\n"
    )
    tokens = block_tokens(common)
    assert tokens is not None
    assert [(token.type, token.map[0]) for token in tokens if token.type in ("inline", "hr")] == [
        ("inline", 0), ("inline", 3), ("inline", 5), ("inline", 7), ("inline", 8), ("inline", 10),
        ("inline", 12), ("hr", 15), ("inline", 17),
    ]  # fmt: skip
    fence = block_tokens("```py\n  x = 1\n```")
    assert [(token.type, token.content, token.info) for token in fence or ()] == [
        ("fence", "  x = 1\n", "py")
    ]
    for rest in ("    indented code", "<div>html</div>", "| a | b |\n|---|---|",
                 "[ref]: https://r.example", "[^1]: a footnote", "\tTabbed", "- a\n  - nested"):  # fmt: skip
        assert block_tokens(rest) is None, rest


def test_the_copies_of_markdown_its_helpers_agree_with_markdown_it():
    # `markdown_blocks` copies `mdTrim`'s characters and `validateLink` so as not to load
    # markdown-it: a new markdown-it that changes either must show here.
    from markdown_it.common.utils import MD_TRIM_CHARS

    from indexer.notes import markdown_blocks

    assert markdown_blocks._MD_TRIM == MD_TRIM_CHARS
    md = _parser()
    for url in ["https://e.x", "javascript:alert(1)", " JavaScript:x", "vbscript:x", "file:///etc",
                "data:image/png;base64,AA", "DATA:image/webp;x", "data:text/html;x", "data:image/svg+xml;x",
                "mailto:a@b.c", "\tdata:image/gif;x", "", "javascript", "fi le:x"]:  # fmt: skip
        assert markdown_blocks.validate_link(url) == md.validateLink(url), url


def test_a_note_of_the_common_shapes_is_read_without_loading_markdown_it():
    # A search reads the notes of the page it shows: markdown-it's import is ~100 M
    # instructions, more than reading them. (A fresh interpreter: the suite loads it.)
    script = (
        "import sys\n"
        "from indexer.notes.markdown import parse_markdown\n"
        "parsed = parse_markdown('Title\\n=====\\n\\nA [link](https://e.x/a_b).\\n\\n**Bold** and *it*.\\n\\n"
        "- one\\n- two\\n\\n> quoted')\n"
        "print(len(parsed.blocks), parsed.links, 'markdown_it' in sys.modules)\n"
        "parse_markdown('| a | b |\\n|---|---|')\n"
        "print('markdown_it' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["6 ('https://e.x/a_b',) False", "True"]


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
