"""Short cuts through markdown-it for the commonest markdown, each giving exactly the
tokens markdown-it gives (tests/test_markdown_fast.py compares them on every note of the
shared corpora and on random markup), at a fraction of the cost.

- `plain_paragraph`, a block rule tried first: a paragraph whose lines start with no
  block markup gets markdown-it's paragraph tokens at once, without the ten rules
  before it (table, code, fence, quote, rule, list, footnote, reference, HTML, heading,
  setext heading), none of which can match such lines, and without the paragraph
  rule's own terminator rules on each of its lines (which need the same markers). Block
  parsing of the news corpus: 2.2 s -> 1.1 s of CPU.
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
    # markdown-it's paragraph rule would now try its terminator rules (fence, quote, rule,
    # list, HTML, heading, table, footnote) on every line after the first: each needs a
    # marker at the line's start, and no line here has one. Its tokens, at once.
    from markdown_it.common.utils import mdTrim

    content = mdTrim(state.getLines(startLine, line, state.blkIndent, False))
    state.line = line
    token = state.push("paragraph_open", "p", 1)
    token.map = [startLine, line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [startLine, line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    return True


class _Child:
    """An inline token as `markdown._Reader.inline` reads it: type, content, href/src."""

    __slots__ = ("content", "target", "type")

    def __init__(self, kind: str, content: str = "", target: str = "") -> None:
        self.type, self.content, self.target = kind, content, target

    def attrGet(self, name: str) -> str:
        return self.target


# Characters some inline rule acts on: escapes, code spans, strikethrough, autolinks and
# HTML, footnotes. Outside a plain link none may occur; nor may brackets that could make
# a link (`](`, or any where the note defines link references). Emphasis marks (`*`, `_`)
# may: they are paired by markdown-it's own delimiter algorithm (`_emphasis`).
_ACTIVE = re.compile(r"[\\`~<^]")
# A plain link or image: text without those characters or brackets, a destination
# markdown-it reads in one run (no space, control, backslash, parenthesis; not `<…>`), no
# title. (`!\[|\[` rather than `!?\[`: the regex engine then skips to a `!` or `[` at once.)
_PLAIN_LINK = re.compile(
    r"(!\[|\[)([^\\`~<^\[\]]*)\]\([ \t\n]*([^\x00-\x20\x7f\\()<][^\x00-\x20\x7f\\()]*)[ \t\n]*\)"
)
# A line break as markdown-it's newline rule reads it: spaces before it dropped (a soft
# or hard break), spaces and tabs after it skipped; the reader reads either break as " ".
_BREAK = re.compile(r" *\n[ \t]*")
# Entities as markdown-it's entity rule reads them (a named one only if HTML knows it).
_ENTITY = re.compile(r"&(?:#(x[a-f0-9]{1,6}|[0-9]{1,7})|([a-z][a-z0-9]{1,31}));", re.IGNORECASE)
# A run of emphasis marks: each mark is a delimiter of markdown-it's emphasis rule.
_MARKS = re.compile(r"\*+|_+")

Span = tuple[int, int]


def simple_inline(content: str, md: Any, env: dict) -> list[_Child] | None:
    """The inline tokens markdown-it makes of `content` (as far as the reader looks: text
    with its entities decoded and its paired emphasis marks dropped, breaks as one text,
    link open/close with href, images with src and raw alt text), when its only markup is
    plain links and images, emphasis, entities and brackets that make no link; None
    otherwise."""
    # Pass 1: where the links are, and whether the text between them is plain enough.
    parts: list[tuple[str, Span, str]] = []  # ("text", span, "") / ("link" | "image", label span, target)
    position = 0
    marks = False  # emphasis marks outside links or in a link's text (not in targets)
    for match in _PLAIN_LINK.finditer(content):
        start = match.start()
        target = match.group(3)
        if "&" in target:
            from markdown_it.common.utils import unescapeAll

            target = unescapeAll(target)
        target = md.normalizeLink(target)
        if not md.validateLink(target):
            return None  # markdown-it reads it otherwise (`javascript:` targets)
        if start > position:
            between = content[position:start]
            if not _plain_between(between, env):
                return None
            marks = marks or "*" in between or "_" in between
            parts.append(("text", (position, start), ""))
        if len(match.group(1)) == 2:
            parts.append(("image", match.span(2), target))
        else:
            marks = marks or "*" in match.group(2) or "_" in match.group(2)
            parts.append(("link", match.span(2), target))
        position = match.end()
    if position < len(content):
        between = content[position:]
        if not _plain_between(between, env):
            return None
        marks = marks or "*" in between or "_" in between
        parts.append(("text", (position, len(content)), ""))
    # Pass 2: paired emphasis marks (outside links, and in each link's text apart).
    dropped: set[int] = set()
    if marks:
        outside = [span for kind, span, _ in parts if kind == "text"]
        dropped = _emphasis(content, outside, len(content), md, env)
        for kind, (start, end), _ in parts:
            if kind == "link":
                dropped |= _emphasis(content, [(start, end)], end, md, env)
    # Pass 3: the tokens.
    children: list[_Child] = []
    for kind, (start, end), target in parts:
        if kind == "image":
            children.append(_Child("image", content[start:end], target))
            continue
        if kind == "link":
            children.append(_Child("link_open", "", target))
        if end > start:
            children.append(_Child("text", _read(content, start, end, dropped)))
        if kind == "link":
            children.append(_Child("link_close"))
    return children


def _plain_between(text: str, env: dict) -> bool:
    """Whether text between plain links holds no markup but emphasis and entities.

    A bracket there is text: with no `](` after it and no link reference defined, no
    link can start at it (markdown-it's link and image rules need one or the other)."""
    if _ACTIVE.search(text):
        return False
    return not (("[" in text or "]" in text) and ("](" in text or "references" in env))


def _read(content: str, start: int, end: int, dropped: set[int]) -> str:
    """The text of content[start:end] as markdown-it's tokens hold it: pieces between
    emphasis marks each read as `_text` does (a mark ends the text a line break trims),
    the marks that found no pair kept, the others dropped."""
    text = content[start:end]
    if "*" not in text and "_" not in text:
        return _text(text)
    pieces = []
    position = start
    for run in _MARKS.finditer(content, start, end):
        pieces.append(_text(content[position : run.start()]))
        pieces.extend(content[index] for index in range(run.start(), run.end()) if index not in dropped)
        position = run.end()
    pieces.append(_text(content[position:end]))
    return "".join(pieces)


def _emphasis(content: str, spans: list[Span], end: int, md: Any, env: dict) -> set[int]:
    """Offsets of the emphasis marks in `spans` (one level: the text outside links, or
    one link's text, which ends at `end`) that markdown-it pairs, and so drops: each run's
    flanking found by markdown-it's `scanDelims`, the pairs by its `processDelimiters`."""
    from markdown_it.rules_inline.balance_pairs import processDelimiters
    from markdown_it.rules_inline.state_inline import Delimiter, StateInline

    state = StateInline(content, md, env, [])
    state.posMax = end
    delimiters: list[Delimiter] = []
    offsets: list[int] = []
    token = 0
    for start, stop in spans:
        for run in _MARKS.finditer(content, start, stop):
            marker = content[run.start()]
            scanned = state.scanDelims(run.start(), marker == "*")
            token += 1  # the text or link before it: a token apart
            for index in range(run.start(), run.end()):
                delimiters.append(
                    Delimiter(ord(marker), scanned.length, token, -1, scanned.can_open, scanned.can_close)
                )
                offsets.append(index)
                token += 1
    if not delimiters:
        return set()
    processDelimiters(state, delimiters)
    dropped = set()
    for number, delimiter in enumerate(delimiters):
        if delimiter.end != -1:
            dropped.add(offsets[number])
            dropped.add(offsets[delimiter.end])
    return dropped


def _text(text: str) -> str:
    if "\n" in text:
        text = _BREAK.sub(" ", text)
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text


def _entity(match: re.Match[str]) -> str:
    from markdown_it.common.entities import entities
    from markdown_it.common.utils import isValidEntityCode

    number, name = match.groups()
    if name is not None:
        return entities.get(name, match.group())
    code = int(number[1:], 16) if number[0] in "xX" else int(number)
    return chr(code) if isValidEntityCode(code) else "\ufffd"


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
