"""Short cuts through markdown-it for the commonest markdown, each giving exactly the
tokens markdown-it gives (tests/test_markdown_fast.py compares them on every note of the
shared corpora and on random markup), at a fraction of the cost.

- `plain_paragraph`, a block rule tried first: a paragraph whose lines start with no
  block markup is handed to markdown-it's own paragraph rule at once, without
  the ten rules before it (table, code, fence, quote, rule, list, footnote, reference,
  HTML, heading, setext heading), none of which can match such lines. Block parsing of
  the news corpus: 2.2 s -> 1.1 s of CPU.
- `simple_inline`, the tokens of an inline run whose only markup is plain links and
  images (`[text](https://…)`, `![alt](a.png)`: no markup in the text, no space, escape
  or parenthesis in the target, no title) found by one regex, where markdown-it's inline
  parser steps through every character with a dozen rules: three quarters of the news
  corpus's inline runs with a link.
- `FastHelpers`, markdown-it's link helpers with the destination scanned a run of
  characters at a time.

Anything else (emphasis, code spans, stray brackets, entities, HTML, escapes) goes
through markdown-it as before.
"""

from __future__ import annotations

import re
from typing import Any


def normalize(state: Any) -> None:
    """markdown-it's `normalize` core rule (line ends to `\n`, NUL to U+FFFD) without its
    two regex substitutions over the whole text when there is nothing to replace."""
    text = state.src
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    state.src = text


# What a line can start with (after its indentation) that makes it more than a line of a
# paragraph: fences, block quotes, thematic breaks and bullets, setext underlines, ATX
# headings, HTML, table delimiter rows. (`[` is looked at apart: footnotes and link
# reference definitions start with one, and so do many paragraphs, with a link.)
_BLOCK_MARKS = frozenset("`~>*-_+=#<|:")
_ORDERED_MARKER = re.compile(r"[0-9]+[.)]")


def plain_paragraph(state: Any, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's paragraph rule, for a paragraph none of whose lines starts with block
    markup: the rules before it cannot match there (they need a marker at a line's start,
    an indentation of four, a setext or table line below, or `]:` for a reference)."""
    if state.sCount[startLine] - state.blkIndent > 3:
        return False
    src, starts, shifts, ends, indents = state.src, state.bMarks, state.tShift, state.eMarks, state.sCount
    last, indent = state.lineMax, state.blkIndent
    line = startLine
    while True:
        position = starts[line] + shifts[line]
        mark = src[position]
        if mark in _BLOCK_MARKS or ("0" <= mark <= "9" and _ORDERED_MARKER.match(src, position)):
            return False
        if mark == "[" and src.startswith("^", position + 1):
            return False  # a footnote definition (which also ends a paragraph)
        line += 1
        # A line indented four or more continues the paragraph whatever it holds (lazily).
        while line < last and starts[line] + shifts[line] < ends[line] and indents[line] - indent > 3:
            line += 1
        if line >= last or starts[line] + shifts[line] >= ends[line]:
            break
    position = starts[startLine] + shifts[startLine]
    if src[position] == "[" and "]:" in src[position : ends[line - 1]]:
        return False  # maybe a link reference definition: its label ends with `]:`
    from markdown_it.rules_block import paragraph

    return paragraph(state, startLine, endLine, silent)


class _Child:
    """An inline token as `markdown._Reader.inline` reads it: type, content, href/src."""

    __slots__ = ("content", "target", "type")

    def __init__(self, kind: str, content: str = "", target: str = "") -> None:
        self.type, self.content, self.target = kind, content, target

    def attrGet(self, name: str) -> str:
        return self.target


# Characters some inline rule acts on: escapes, code spans, emphasis and strikethrough,
# autolinks and HTML, entities, footnotes, brackets. Outside a plain link none may occur.
_ACTIVE = re.compile(r"[\\`*_~<&^\[\]]")
# A plain link or image: text without those characters, a destination markdown-it reads
# in one run (no space, control, backslash, parenthesis; not `<…>`), no title.
_PLAIN_LINK = re.compile(
    r"(!?)\[([^\\`*_~<&^\[\]]*)\]\([ \t\n]*([^\x00-\x20\x7f\\()<][^\x00-\x20\x7f\\()]*)[ \t\n]*\)"
)
# A line break as markdown-it's newline rule reads it: spaces before it dropped (a soft
# or hard break), spaces and tabs after it skipped; the reader reads either break as " ".
_BREAK = re.compile(r" *\n[ \t]*")


def simple_inline(content: str, md: Any) -> list[_Child] | None:
    """The inline tokens markdown-it makes of `content` (as far as the reader looks: text,
    breaks as one text, link open/close with href, images with src and raw alt text),
    when its only markup is plain links and images; None otherwise."""
    children: list[_Child] = []
    position = 0
    for match in _PLAIN_LINK.finditer(content):
        start = match.start()
        if _ACTIVE.search(content, position, start):
            return None
        target = match.group(3)
        if "&" in target:
            from markdown_it.common.utils import unescapeAll

            target = unescapeAll(target)
        target = md.normalizeLink(target)
        if not md.validateLink(target):
            return None  # markdown-it reads it otherwise (`javascript:` targets)
        if start > position:
            children.append(_Child("text", _text(content[position:start])))
        if match.group(1):
            children.append(_Child("image", match.group(2), target))
        else:
            children.append(_Child("link_open", "", target))
            if match.group(2):
                children.append(_Child("text", _text(match.group(2))))
            children.append(_Child("link_close"))
        position = match.end()
    if _ACTIVE.search(content, position):
        return None
    if position < len(content):
        children.append(_Child("text", _text(content[position:])))
    return children


def _text(text: str) -> str:
    return _BREAK.sub(" ", text) if "\n" in text else text


class FastHelpers:
    """markdown-it's link helpers, with the destination scan done a run of characters at a
    time by a regex instead of a character at a time: it was the largest single cost of
    reading the news corpus (URLs are long). Same results; still linear."""

    def __init__(self, helpers: Any) -> None:  # markdown-it's `helpers` module
        self._helpers = helpers
        self.parseLinkLabel = helpers.parseLinkLabel
        self.parseLinkTitle = helpers.parseLinkTitle

    def parseLinkDestination(self, string: str, pos: int, maximum: int) -> Any:
        if pos < maximum and string[pos] == "<":
            return self._helpers.parseLinkDestination(string, pos, maximum)
        from markdown_it.common.utils import unescapeAll

        result = self._helpers.parseLinkDestination(string, maximum, maximum)  # a failed result
        start, level = pos, 0
        while pos < maximum:
            run = _PLAIN_DESTINATION.match(string, pos, maximum)
            if run is not None:
                pos = run.end()
                if pos >= maximum:
                    break
            char = string[pos]
            if char <= " " or char == "\x7f":
                break
            if char == "\\" and pos + 1 < maximum:
                if string[pos + 1] == " ":
                    break
                pos += 2
                continue
            if char == "(":
                level += 1
                if level > 32:
                    return result
            elif char == ")":
                if level == 0:
                    break
                level -= 1
            pos += 1
        if start == pos or level != 0:
            return result
        result.str = unescapeAll(string[start:pos])
        result.pos = pos
        result.ok = True
        return result


# Characters of a link destination with no special meaning: not space, control, `\`, `(`, `)`.
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f\\()]+")
