"""Read a note's markdown with markdown-it-py into the blocks a reader sees, with their lines.

Headings are headings only where CommonMark sees one (ATX or setext), so a `## ` line of
R output inside a fenced block stays code. Links and images read as their text and alt
text (their targets are collected apart, for the `link` field); HTML blocks, inline tags
and comments are dropped; Hugo/Jekyll shortcodes and `{#id .class}` attribute lists are
removed; Obsidian's `[[target|alias]]` reads as its alias, `![[embeds]]` are dropped,
callouts (`> [!note] Title`) read as their title and text, and `#tags` are collected.

Inline markdown is parsed only where a paragraph holds something the inline parser must
read (`[`, a backtick, `<`, a backslash): on the news corpus that is half of the text,
and inline parsing of all of it would cost twice the block parsing. Emphasis marks of the
rest are dropped and its entities decoded by linear rules. Every rule here is linear in
its input.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.notes.blocks import Block, Span, blocks_text
from indexer.notes.markdown_fast import simple_inline

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


# Characters that need the inline parser: links and images, code spans, inline HTML and
# autolinks, backslash escapes.
_NEEDS_INLINE = re.compile(r"[\[`<\\]")
# Emphasis and strikethrough marks of the rest, dropped as CommonMark reads them without
# pairing them up: `*` runs touching a word on either side (also inside a word:
# `hours**as`), `_` and `~` runs only at a word's edge (`snake_case` stays). Possessive
# and anchored at a run's start, so a run of 30,000 marks is read once.
_EMPHASIS = re.compile(
    r"(?<![*\s])\*++|\*++(?=[^*\s])"
    r"|(?<![\w_~])[_~]++(?=[^\s_~])|(?<=[^\s_~])[_~]++(?![\w_~])"
)
# Hugo (`{{< … >}}`, `{{% … %}}`) and Jekyll/Liquid (`{% … %}`) shortcodes.
_SHORTCODE_OPENERS = (("{{<", ">}}"), ("{{%", "%}}"), ("{%", "%}"))
# Pandoc/kramdown attribute lists: `{#id .class}`, `{.class}`, `{: .class}`.
_ATTRIBUTES = re.compile(r"\{[#.:][^{}\n]*\}")
# Obsidian wiki links and embeds.
_WIKI_LINK = re.compile(r"(!?)\[\[([^\[\]\n]*)\]\]")
# Obsidian tags: `#tag`, `#nested/tag`, not all digits (`#1` is not a tag), not in a word.
_INLINE_TAG = re.compile(r"(?<![\w#&/])#([\w-]+(?:/[\w-]+)*)")
# Obsidian callouts: `> [!note] Title` (`+`/`-` fold markers allowed).
_CALLOUT = re.compile(r"\[!([\w-]+)\][+-]?[ \t]*")
_SPACES = re.compile(r"\s+")
# HTML tags, for the text of HTML blocks (`<p>A caption</p>`): stops at the next `<`, linear.
_HTML_TAG = re.compile(r"<[^<>]*>")
# Elements whose content is no text a reader sees, and comments.
_HTML_HIDDEN = (("<!--", "-->"), ("<script", "</script>"), ("<style", "</style>"), ("<?", "?>"))


@dataclass(frozen=True, slots=True)
class ParsedMarkdown:
    """The blocks of a text and what its markup pointed at."""

    blocks: tuple[Block, ...] = ()
    links: tuple[str, ...] = ()  # link and image targets, wiki-link targets, in order, once each
    tags: tuple[str, ...] = ()  # Obsidian `#tags` outside code and headings, once each

    @property
    def text(self) -> str:
        """The plain text of every block, a line each (code keeps its lines)."""
        return blocks_text(self.blocks)

    def first_heading(self, level: int = 1) -> str:
        """The text of the first heading of `level` ("" if there is none)."""
        for block in self.blocks:
            if block.kind == "heading" and block.level == level and block.text:
                return block.text
        return ""


def parse_markdown(text: str, *, shortcuts: bool = True) -> ParsedMarkdown:
    """The blocks, link targets and inline tags of a markdown text.

    `shortcuts=False` reads it with markdown-it alone, without the short cuts of
    `markdown_fast` (which give the same result): for the tests that compare the two."""
    reader = _Reader(shortcuts)
    reader.read(text)
    return ParsedMarkdown(tuple(reader.blocks), tuple(dict.fromkeys(reader.links)), tuple(reader.tags))


def strip_markdown(text: str) -> str:
    """The plain text of a markdown text, a line per block."""
    return parse_markdown(text).text


@functools.cache
def _parser(shortcuts: bool = True) -> MarkdownIt:
    """CommonMark with GFM tables and strikethrough, and footnotes; inline parsing on demand."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from indexer.notes.markdown_fast import FastHelpers, normalize, plain_paragraph

    class Parser(MarkdownIt):
        # Targets are indexed as written: percent-encoding them costs a fifth of inline parsing.
        def normalizeLink(self, url: str) -> str:
            return url

    md = Parser("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(footnote_plugin)
    md.disable(["inline"])  # the core rule: `_Reader` runs the inline parser where it pays
    md.helpers = FastHelpers(md.helpers)
    if shortcuts:
        md.core.ruler.at("normalize", normalize)
        md.block.ruler.before("table", "plain_paragraph", plain_paragraph)
    return md


class _LazyParser:
    """Stands in for `_parser()` until something needs more of it than its two link rules
    (which `simple_inline` asks of every link): a note whose blocks `block_tokens` reads
    and whose inline runs the short cuts read is parsed without loading markdown-it
    (~100 M instructions, a quarter of a search's imports)."""

    def __init__(self, shortcuts: bool) -> None:
        self._shortcuts = shortcuts

    @staticmethod
    def normalizeLink(url: str) -> str:
        return url  # as `_parser()`'s

    @staticmethod
    def validateLink(url: str) -> bool:
        from indexer.notes.markdown_blocks import validate_link

        return validate_link(url)

    def __getattr__(self, name: str):
        return getattr(_parser(self._shortcuts), name)


class _Reader:
    def __init__(self, shortcuts: bool = True) -> None:
        self.shortcuts = shortcuts
        self.blocks: list[Block] = []
        self.links: list[str] = []
        self.tags: dict[str, None] = {}
        self.only_images = False  # of the last inline run read

    def read(self, text: str) -> None:
        from indexer.notes.markdown_blocks import block_tokens

        self.env: dict = {}
        tokens = block_tokens(text) if self.shortcuts else None
        if tokens is None:
            self.md = _parser(self.shortcuts)
            tokens = self.md.parse(text, self.env)
        else:
            self.md = _LazyParser(self.shortcuts)
        callout_pending = False
        row: list[str] | None = None
        row_line = 0
        heading: tuple[int, int] | None = None
        marker = ""  # the bullet or number of the list item whose first paragraph comes next
        for token in tokens:
            kind = token.type
            if kind not in ("inline", "blockquote_open", "paragraph_open"):
                callout_pending = False  # a quote that opens with a heading or list is no callout
            if kind == "inline":
                line = token.map[0] if token.map else 0
                if heading is not None:
                    text_, atoms = self.inline(token.content, tags=False)
                    self.blocks.append(Block("heading", text_, heading[1], heading[0], atoms))
                elif row is not None:
                    row.append(self.inline(token.content)[0])
                elif callout_pending:
                    callout_pending = False
                    self.callout(token.content, line)
                else:
                    text_, atoms = self.inline(token.content)
                    if text_ and marker:
                        # A list item reads with its bullet or number, as the note shows it.
                        text_ = marker + text_
                        atoms = tuple((a + len(marker), b + len(marker)) for a, b in atoms)
                    if text_:
                        kind_ = "image" if self.only_images and not marker else "text"
                        self.blocks.append(Block(kind_, text_, line, 0, atoms))
                    marker = ""
            elif kind == "list_item_open":
                marker = f"{token.info}{token.markup} "
            elif kind == "heading_open":
                marker = ""
                heading = (int(token.tag[1]), token.map[0] if token.map else 0)
            elif kind == "heading_close":
                heading = None
            elif kind in ("fence", "code_block"):
                code = token.content.rstrip("\n")
                if code.strip():
                    # A fence's map starts at its ``` line; the code starts on the next.
                    first = (token.map[0] if token.map else 0) + (kind == "fence")
                    self.blocks.append(Block("code", code, first))
            elif kind == "html_block":
                shown = _html_text(token.content)
                if shown:
                    self.blocks.append(Block("text", shown, token.map[0] if token.map else 0))
            elif kind == "blockquote_open":
                callout_pending = True
            elif kind == "tr_open":
                row, row_line = [], token.map[0] if token.map else 0
            elif kind == "tr_close" and row is not None:
                cells = [cell for cell in row if cell]
                if cells:
                    self.blocks.append(Block("text", " | ".join(cells), row_line))
                row = None
            # hr, list and footnote markers: nothing a reader reads

    def callout(self, content: str, line: int) -> None:
        """A block quote's first paragraph: an Obsidian callout's title and text, or plain text."""
        marker = _CALLOUT.match(content)
        if marker is None:
            text_, atoms = self.inline(content)
            if text_:
                self.blocks.append(Block("text", text_, line, 0, atoms))
            return
        first, _, rest = content[marker.end() :].partition("\n")
        title = self.inline(first)[0] or marker.group(1).replace("-", " ").capitalize()
        text_, atoms = self.inline(rest)
        if text_:
            shift = len(title) + 3
            atoms = tuple((a + shift, b + shift) for a, b in atoms)
            self.blocks.append(Block("text", f"{title} — {text_}", line, 0, atoms))
        else:
            self.blocks.append(Block("text", title, line))

    def inline(self, content: str, *, tags: bool = True) -> tuple[str, tuple[Span, ...]]:
        """Plain text of an inline run, and the spans of its link texts and code spans."""
        self.only_images = False
        if "{" in content and "`" not in content:
            content = _remove_shortcodes(content)
        if not _NEEDS_INLINE.search(content):
            text_ = self.clean(content, tags)
            if "&" in text_:
                text_ = html.unescape(text_)
            if "*" in text_ or "_" in text_ or "~" in text_:
                text_ = _EMPHASIS.sub("", text_)
            return _one_line(text_), ()
        children: list | None = simple_inline(content, self.md, self.env) if self.shortcuts else None
        if children is None:
            children = []
            md = _parser(self.shortcuts)
            md.inline.parse(content, md, self.env, children)
        line = _LineBuilder()
        pending: list[str] = []
        link_start: int | None = None

        def flush() -> None:
            if pending:
                line.add(self.clean("".join(pending), tags))
                pending.clear()

        for child in children:
            kind = child.type
            if kind in ("text", "text_special"):
                pending.append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                pending.append(" ")
            elif kind == "code_inline":
                flush()
                line.add(child.content, atom=True)
            elif kind == "link_open":
                flush()
                self.links.append(str(child.attrGet("href") or ""))
                link_start = line.size
            elif kind == "link_close":
                flush()
                if link_start is not None:
                    line.atom_since(link_start)
                link_start = None
            elif kind == "image":
                self.links.append(str(child.attrGet("src") or ""))
                pending.append(child.content)
            # html_inline (tags, comments), emphasis marks, footnote references: dropped
        self.only_images = any(child.type == "image" for child in children) and all(
            child.type in ("image", "softbreak", "hardbreak") or not child.content.strip()
            for child in children
        )
        flush()
        return line.finish()

    def clean(self, text: str, tags: bool) -> str:
        """Text without shortcodes, attribute lists and wiki-link markup; its `#tags` noted."""
        if "{" in text:
            text = _ATTRIBUTES.sub("", _remove_shortcodes(text))
        if "[[" in text:
            text = _WIKI_LINK.sub(self.wiki_link, text)
        if tags and "#" in text:
            for match in _INLINE_TAG.finditer(text):
                tag = match.group(1)
                if not tag.replace("/", "").replace("-", "").replace("_", "").isdigit():
                    self.tags.setdefault(tag, None)
        return text

    def wiki_link(self, match: re.Match[str]) -> str:
        if match.group(1):
            return ""  # an embed shows another note or a picture, not text of this one
        target, _, alias = match.group(2).partition("|")
        page, _, section = target.partition("#")
        if page.strip():
            self.links.append(page.strip())
        if alias.strip():
            return alias.strip()
        shown = [part.strip() for part in (page, section.lstrip("^")) if part.strip()]
        return " > ".join(shown)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _html_text(markup: str) -> str:
    """The text an HTML block shows: tags, comments, scripts and styles dropped."""
    text = _HTML_TAG.sub(" ", _remove_between(markup, _HTML_HIDDEN, ignore_case=True))
    return _one_line(html.unescape(text)) if "&" in text else _one_line(text)


def _remove_shortcodes(text: str) -> str:
    """`text` without Hugo/Jekyll shortcodes."""
    return _remove_between(text, _SHORTCODE_OPENERS)


def _remove_between(text: str, pairs: tuple[tuple[str, str], ...], *, ignore_case: bool = False) -> str:
    """`text` without each opener, its closer and what lies between; `str.find`, linear."""
    for opener, closer in pairs:
        # ASCII-only lowering keeps every offset of `text` (str.lower does not: "İ").
        haystack = text.translate(_ASCII_LOWER) if ignore_case else text
        if opener not in haystack:
            continue
        pieces, position = [], 0
        while (start := haystack.find(opener, position)) >= 0:
            end = haystack.find(closer, start + len(opener))
            if end < 0:
                break  # no closer after this opener, so none after any later one
            pieces.append(text[position:start])
            position = end + len(closer)
        pieces.append(text[position:])
        text = "".join(pieces)
    return text


def _one_line(text: str) -> str:
    # `_SPACES.sub(" ", text).strip()`, two and a half times as fast: `str.split` splits
    # at the characters `\s` matches (str.isspace), and `strip` drops those.
    return " ".join(text.split())


class _LineBuilder:
    """Pieces of text joined on one line (whitespace runs collapsed), with atom spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []  # where each part starts
        self.atoms: list[Span] = []
        self.size = 0
        self.ends_in_space = True  # nothing yet: a leading space is dropped

    def add(self, piece: str, *, atom: bool = False) -> None:
        if "  " in piece or "\n" in piece or "\t" in piece or "\r" in piece:
            piece = _SPACES.sub(" ", piece)
        if self.ends_in_space and piece.startswith(" "):
            piece = piece[1:]
        if not piece:
            return
        if atom:
            self.atoms.append((self.size, self.size + len(piece.rstrip())))
        self.parts.append(piece)
        self.offsets.append(self.size)
        self.size += len(piece)
        self.ends_in_space = piece.endswith(" ")

    def atom_since(self, start: int) -> None:
        """Mark what was added since offset `start` as one atom (a link's text)."""
        while start < self.size and self._char(start) == " ":
            start += 1
        end = self.size - (1 if self.ends_in_space else 0)
        if end > start:
            self.atoms.append((start, end))

    def _char(self, offset: int) -> str:
        # By bisection: a scan from the first part made a paragraph of n links cost n².
        if not 0 <= offset < self.size:
            return ""
        index = bisect.bisect_right(self.offsets, offset) - 1
        return self.parts[index][offset - self.offsets[index]]

    def finish(self) -> tuple[str, tuple[Span, ...]]:
        text = "".join(self.parts).rstrip()
        atoms = tuple((a, min(b, len(text))) for a, b in self.atoms if a < min(b, len(text)))
        return text, atoms
