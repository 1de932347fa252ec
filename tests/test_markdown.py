"""Note bodies read with markdown-it-py: blocks, headings, code, links, shortcodes, Obsidian."""

from __future__ import annotations

import re

import pytest

from indexer.index.schema import TEXT_ANALYZER, note_document
from indexer.notes.markdown import parse_markdown
from indexer.notes.note import parse_note_text
from indexer.search.results import TermMatcher, best_passages
from tests.growth import assert_grows_linearly


def matcher(*stems):
    return TermMatcher(TEXT_ANALYZER, stems)


def blocks(text):
    return [(block.kind, block.text, block.line) for block in parse_markdown(text).blocks]


FENCED_R = """Intro text about taxonomy.

## Conclusion

```r
## the taxonomic hierarchy - or classification
x <- classification("Poa annua")
```

After the code, more taxonomy words.
"""


def test_a_comment_inside_fenced_code_is_code_not_a_heading():
    assert blocks(FENCED_R) == [
        ("text", "Intro text about taxonomy.", 0),
        ("heading", "Conclusion", 2),
        ("code", '## the taxonomic hierarchy - or classification\nx <- classification("Poa annua")', 5),
        ("text", "After the code, more taxonomy words.", 9),
    ]


def test_code_lines_are_searchable_passages_under_the_real_heading():
    (passage,) = best_passages(FENCED_R, 10, matcher("hierarchi"))
    assert passage.text == "## the taxonomic hierarchy - or classification"
    assert passage.line == 15  # the code's first line, 10 + 5
    assert passage.heading == "Conclusion"


def test_indented_code_is_code():
    assert blocks("Text.\n\n    # not a heading\n") == [("text", "Text.", 0), ("code", "# not a heading", 2)]


def test_a_setext_heading_is_a_heading_and_labels_the_passages_below_it():
    body = "Intro.\n\nHow they got in\n---------------\n\nThrough a GPRS gateway.\n"
    assert blocks(body)[1] == ("heading", "How they got in", 2)
    (passage,) = best_passages(body, 1, matcher("gpr"))
    assert passage.heading == "How they got in"


def test_hugo_and_jekyll_shortcodes_are_removed():
    body = (
        '{{< figure src="a.png" caption="x" >}}\n\n'
        "See {% include note.html %} the {{% notice %}}map{{% /notice %}}.\n"
    )
    assert blocks(body) == [("text", "See the map.", 2)]


def test_a_shortcode_shown_in_a_code_span_stays():
    assert blocks("Write `{{< figure >}}` in the post.") == [("text", "Write {{< figure >}} in the post.", 0)]


def test_attribute_lists_are_removed_from_headings_and_text():
    assert blocks("## Rolling your own {#dev-cran}\n\nA picture ![cat](c.png){.wide} here.\n") == [
        ("heading", "Rolling your own", 0),
        ("text", "A picture cat here.", 2),
    ]


def test_links_read_as_their_text_and_their_targets_go_to_the_link_field():
    text = "# T\n\nSee [the advisory](https://example.org/adv) and ![a map](map.png).\n"
    note = parse_note_text(text, "n.md")
    assert note.text == "See the advisory and a map."
    assert note.links == ("https://example.org/adv", "map.png")
    document = note_document(note, mtime_ns=0, size=0)
    assert "example.org/adv" in document["link"] and document["_stored_link"] == ""
    assert "example.org" not in document["body"]


def test_html_blocks_keep_their_text_and_drop_markup_and_comments():
    body = (
        "<!-- draft: hidden words -->\n\n"
        "<div class='credit'>\n<p>A caption &amp; credit</p>\n</div>\n\nText.\n"
    )
    assert blocks(body) == [("text", "A caption & credit", 2), ("text", "Text.", 6)]


def test_tables_are_read_row_by_row():
    assert blocks("| tool | use |\n|---|---|\n| taxize | names |\n") == [
        ("text", "tool | use", 0),
        ("text", "taxize | names", 2),
    ]


def test_a_passage_is_never_cut_inside_a_link():
    words = " ".join(f"w{n}" for n in range(30))
    body = f"GPRS {words} and then [the link text that must stay whole](https://x.org) {words}."
    (passage,) = best_passages(body, 1, matcher("gpr"), context=len("GPRS " + words) + 20)
    assert "the link text that must stay whole" in passage.text
    assert passage.text.endswith("…")


def test_a_passage_does_not_start_inside_a_code_span():
    words = " ".join(f"w{n}" for n in range(40))
    body = f"{words} `some long code span here` GPRS " + words
    (passage,) = best_passages(body, 1, matcher("gpr"), context=60)
    assert passage.text.startswith("…some long code span here") or "`" not in passage.text
    assert passage.text[slice(*passage.spans[0])] == "GPRS"


def test_front_matter_title_comes_from_the_first_heading_outside_code():
    text = "---\ndate: 2021-01-01\n---\n```md\n# Not the title\n```\n\n# The title\n\nBody.\n"
    assert parse_note_text(text, "x/post.md").title == "The title"


def test_information_list_fields_are_unchanged():
    text = (
        "# A title\n### A subtitle\n\n## Information:\n+ Source: The Record\n"
        "+ Link: [article](https://example.org/a)\n+ Date: August 16, 2021\n+ Author: A B\n\n"
        "## Article:\nText with #hashtag.\n\n#### Tags:\n[[ransomware]]\n"
    )
    note = parse_note_text(text, "n.md")
    assert (note.title, note.subtitle, note.source, note.link, note.tags) == (
        "A title",
        "A subtitle",
        "The Record",
        "https://example.org/a",
        ("ransomware",),
    )


# Obsidian vaults


def test_a_wikilink_with_an_alias_reads_as_the_alias_and_its_target_is_a_link():
    note = parse_note_text("Met with [[People/Ann Lee|Ann]] about [[Projects#Budget]].\n", "daily.md")
    assert note.text == "Met with Ann about Projects > Budget."
    assert note.links == ("People/Ann Lee", "Projects")


def test_embeds_are_dropped():
    assert parse_note_text("Before ![[diagram.png]] after.\n", "n.md").text == "Before after."


def test_a_callout_reads_as_its_title_and_text():
    assert blocks("> [!warning] Mind the gap\n> Trains *stop* here.\n") == [
        ("text", "Mind the gap — Trains stop here.", 0)
    ]
    assert blocks("> [!note]\n> Plain.\n") == [("text", "Note — Plain.", 0)]


def test_inline_tags_outside_code_and_headings_are_tags():
    text = (
        "---\ntags: [work]\n---\n# #Heading tag\n\n"
        "Plan #project/alpha and #idea, not #123.\n\n```\n#code\n```\n"
    )
    assert parse_note_text(text, "n.md").tags == ("work", "project/alpha", "idea")


def test_aliases_are_searched_with_the_title_but_not_shown():
    note = parse_note_text("---\ntitle: Kubernetes\naliases: [k8s, kube]\n---\nText.\n", "n.md")
    assert note.aliases == ("k8s", "kube")
    document = note_document(note, mtime_ns=0, size=0)
    assert document["title"] == "Kubernetes\nk8s\nkube" and document["_stored_title"] == "Kubernetes"


def test_a_note_without_title_or_level_one_heading_is_named_by_its_file():
    text = "Some text.\n\n```\n# Heading 1 in an example\n```\n"
    assert parse_note_text(text, "vault/Meeting notes 2024.md").title == "Meeting notes 2024"


@pytest.mark.parametrize("unit", ["*x ", "![a](", "[a](", "<a ", "{#a ", "{{< ", "[[a", "#a/", "_x "])
def test_parsing_time_grows_linearly_with_the_input(unit):
    parse_markdown(unit * 200)  # warm up
    # Each size timed over as many parses as take 20 ms (the cheapest unit is 0.2 ms a parse).
    assert_grows_linearly(parse_markdown, unit * 1000, unit * 4000, what=repr(unit))


@pytest.mark.shared_corpus
@pytest.mark.parametrize("name", ["frontmatter", "news"])
def test_no_heading_of_a_shared_corpus_note_comes_from_inside_code(name):
    from markdown_it import MarkdownIt

    from tests.conftest import SHARED, parsed_shared_notes

    root = SHARED / "corpus" / name
    if not root.is_dir():
        pytest.skip(f"shared corpus not found at {root}")
    plain = MarkdownIt("commonmark")  # the parser's own block map, without our reading of it
    # CommonMark code is fenced (``` or ~~~) or indented by four columns (a tab, or four
    # spaces after any container's marker): a body with neither has no code block, and the
    # parser's map of it is not needed (news: 85 of 4,490 bodies have either).
    may_hold_code = re.compile(r"```|~~~| {4}|\t")
    checked = code_blocks = 0
    for note in parsed_shared_notes(name).values():
        code_lines = set()
        for token in plain.parse(note.body) if may_hold_code.search(note.body) else ():
            if token.type in ("fence", "code_block") and token.map:
                code_lines.update(range(*token.map))
                code_blocks += 1
        headings = [block for block in note.blocks if block.kind == "heading"]
        assert not [block.text for block in headings if block.line in code_lines], note.path
        checked += len(headings)
    assert checked > 100 and (code_blocks > 100 or name == "news")


def test_a_passage_from_a_code_block_is_flagged_as_code_and_text_is_not():
    text, code = best_passages(FENCED_R, 0, matcher("hierarchi", "taxonomi"), count=2)
    assert (code.text, code.code) == ("## the taxonomic hierarchy - or classification", True)
    assert text.code is False
    (indented,) = best_passages("Text.\n\n    pip install notes-indexer\n", 0, matcher("pip"))
    assert indented.code is True


def code_hit():
    from datetime import date

    from indexer.search.results import Hit

    (passage,) = best_passages(FENCED_R, 10, matcher("hierarchi"))
    return Hit(
        rank=1, path="r.md", title="Taxonomy in R", score=1.0, date=date(2021, 1, 2), passages=(passage,)
    )


def test_json_passages_say_whether_they_are_code():
    from indexer.output.script_output import passage_to_dict

    (passage,) = code_hit().passages
    assert passage_to_dict(passage)["code"] is True
    assert passage_to_dict(best_passages("Plain words.", 0, matcher("word"))[0])["code"] is False


def test_a_code_passage_is_shown_as_an_indented_block_plain_and_dim_on_a_terminal():
    from indexer.output.render import CODE_INDENT, PLAIN, TextStyle, render_hit_text

    plain = render_hit_text(code_hit(), PLAIN).splitlines()
    # Under its label, on a line of its own, indented as markdown indents code; no colour.
    assert plain[-2:] == [
        "   15: [Conclusion]",
        "   " + CODE_INDENT + "## the taxonomic hierarchy - or classification",
    ]
    assert "\x1b" not in "\n".join(plain)
    coloured = render_hit_text(code_hit(), TextStyle(color=True, width=20)).splitlines()
    assert coloured[-1].startswith("   " + CODE_INDENT + "\x1b[2m")  # dim
    assert "\x1b[1;33mhierarchy" in coloured[-1]  # the match still marked
    assert len(coloured) == len(plain)  # code is never re-wrapped, even at 20 columns
