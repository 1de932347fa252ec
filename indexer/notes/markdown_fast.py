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


# -- Block tokens without markdown-it -------------------------------------------------------
#
# A search parses the notes whose passages it shows; loading markdown-it for that costs
# more than parsing them (~100 M instructions, ~25 ms). Most notes are paragraphs,
# ATX headings, simple list items and block quotes, thematic breaks between them:
# `block_tokens` gives markdown-it's tokens for such a note without loading it, and None
# for any other, which markdown-it then reads as before.

# markdown-it's `mdTrim`: strip CommonMark's whitespace.
_MD_TRIM = "".join(
    chr(code)
    for code in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)
# A list item as markdown-it reads it, in its simplest shape: indented at most three, a
# bullet or a number of at most nine digits, one to four spaces, then the item's text.
_LIST_ITEM = re.compile(r"( {0,3})([-*+]|([0-9]{1,9})[.)])( {1,4})(?=[^ \t])")
# A thematic break: three or more of the same of `*`, `-`, `_`, spaces and tabs between.
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")


# markdown-it's `validateLink` (common/normalize_url.py), which `simple_inline` asks of
# every link: no `javascript:`, `vbscript:`, `file:` targets, `data:` only for images.
_BAD_PROTOCOL = re.compile(r"^(vbscript|javascript|file|data):")
_GOOD_DATA = re.compile(r"^data:image\/(gif|png|jpeg|webp);")


def validate_link(url: str) -> bool:
    """markdown-it's `MarkdownIt.validateLink`, without loading markdown-it."""
    url = url.strip().lower()
    return bool(_GOOD_DATA.search(url)) if _BAD_PROTOCOL.search(url) else True


class BlockToken:
    """A block-level token as `markdown._Reader.read` reads it (markdown-it's `Token`'s
    type, tag, map, content, info and markup)."""

    __slots__ = ("content", "info", "map", "markup", "tag", "type")

    def __init__(self, kind: str, line: int = 0, end: int = 0, *, tag: str = "", content: str = "") -> None:
        self.type, self.tag, self.content = kind, tag, content
        self.map = [line, end]
        self.info = self.markup = ""


def block_tokens(text: str) -> list[BlockToken] | None:
    """markdown-it's block tokens for `text` when it holds only plain paragraphs (as
    `plain_paragraph` reads them), ATX headings, thematic breaks, one-line list items
    and block quotes of plain paragraphs; None for anything else (and for tabs in an
    indentation, carriage returns, NUL, link reference and footnote definitions)."""
    if "\r" in text or "\0" in text:
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # markdown-it counts no line after a final line end
    count = len(lines)
    indents = []
    for line in lines:
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            return None  # tab stops: left to markdown-it
        indents.append(len(line) - len(stripped))
    tokens: list[BlockToken] = []
    number = 0
    while number < count:
        line, indent = lines[number], indents[number]
        if indent == len(line):
            number += 1  # an empty line
            continue
        if indent > 3:
            return None  # an indented code block
        mark = line[indent]
        if "|" in line and number + 1 < count and _first_char(lines[number + 1]) in ("|", "-", ":"):
            return None  # maybe a table
        if mark == ">":
            number = _quote(lines, indents, number, tokens)
        elif mark == "#":
            number = _heading(line, indent, number, tokens)
        elif mark in "-*_" and _THEMATIC_BREAK.fullmatch(line):
            tokens.append(BlockToken("hr", number, number + 1))
            number += 1
        elif (mark in "-*+" or "0" <= mark <= "9") and _LIST_ITEM.match(line):
            number = _list_item(lines, indents, number, tokens)
        else:
            number = _paragraph(lines, indents, number, 0, tokens)
        if number < 0:
            return None
    return tokens


def _first_char(line: str) -> str:
    stripped = line.lstrip(" \t")
    return stripped[0] if stripped else ""


# Block markup a line may start with that no plain line of a paragraph does here (kept
# whatever follows them): fences, quotes, HTML, tables and their delimiter rows.
_ALWAYS_MARKUP = frozenset("`~><|:")
# A setext underline: a run of `=` or of `-`, then nothing but spaces and tabs.
_UNDERLINE = re.compile(r"(=+|-+)[ \t]*")
# An ATX heading's opening: one to six `#`, then a space, a tab or the line's end.
_ATX_OPENING = re.compile(r"#{1,6}(?:[ \t]|$)")
# An ordered list's marker as markdown-it's `skipOrderedListMarker` reads it.
_LIST_NUMBER = re.compile(r"[0-9]{1,9}[.)](?:[ \t]|$)")


def _plain_start(line: str, indent: int) -> bool:
    """Whether a line (indented at most three) holds nothing markdown-it reads as the start
    of a block, or as the end of a paragraph: no fence, quote, HTML, table row, thematic
    break, list item, ATX heading or footnote; `**Bold**`, `#tag`, `1.5 million` are
    plain. Setext underlines are looked for apart."""
    mark = line[indent]
    if mark in _ALWAYS_MARKUP:
        return False
    if mark in "*-_+":
        if mark != "+" and _THEMATIC_BREAK.fullmatch(line, indent):
            return False
        return mark == "_" or line[indent + 1 : indent + 2] not in ("", " ", "\t")  # else a bullet
    if mark == "#":
        return _ATX_OPENING.match(line, indent) is None
    if "0" <= mark <= "9":
        return _LIST_NUMBER.match(line, indent) is None
    if mark == "[":
        return not line.startswith("^", indent + 1)  # a footnote definition
    return True


def _paragraph(lines: list[str], indents: list[int], start: int, shift: int, tokens: list[BlockToken]) -> int:
    """markdown-it's reading of the paragraph (or setext heading) starting at line
    `start`, when each of its lines is plain (`_plain_start`) and no table or link
    reference definition can start in it (each line read from its column `shift`, after
    a block quote's marker); the line after it, or -1 where markdown-it must read it."""
    count = len(lines)
    number = start
    level = 0
    while True:
        line, indent = lines[number], indents[number]
        if number > start and (underline := _UNDERLINE.fullmatch(line, indent)) is not None:
            level = 1 if underline.group(1)[0] == "=" else 2
            break
        if not _plain_start(line, indent):
            return -1
        if "|" in line and number + 1 < count and _first_char(lines[number + 1]) in ("|", "-", ":"):
            return -1  # maybe a table's first rows
        number += 1
        # A line indented four or more continues the paragraph whatever it holds (lazily).
        while number < count and indents[number] < len(lines[number]) and indents[number] > 3:
            number += 1
        if number >= count or indents[number] == len(lines[number]):
            break
    first = lines[start]
    if first[indents[start]] == "[" and "]:" in "\n".join(lines[start:number])[indents[start] :]:
        return -1  # maybe a link reference definition
    if shift:
        content = "\n".join(line[shift:] for line in lines[start:number])
    else:
        content = "\n".join(lines[start:number])
    content = content.strip(_MD_TRIM)
    if level:
        tag = f"h{level}"
        tokens.append(BlockToken("heading_open", start, number + 1, tag=tag))
        tokens.append(BlockToken("inline", start, number, content=content))
        tokens.append(BlockToken("heading_close", tag=tag))
        return number + 1
    tokens.append(BlockToken("paragraph_open", start, number, tag="p"))
    tokens.append(BlockToken("inline", start, number, content=content))
    tokens.append(BlockToken("paragraph_close", tag="p"))
    return number


def _heading(line: str, indent: int, number: int, tokens: list[BlockToken]) -> int:
    """markdown-it's `heading` rule on one line; -1 if the line is no ATX heading."""
    end = len(line)
    position = indent
    level = 0
    while position < end and line[position] == "#" and level <= 6:
        level += 1
        position += 1
    if level > 6 or (position < end and line[position] not in " \t"):
        return -1  # `#tag`, `####### seven`: a paragraph, left to markdown-it
    # markdown-it's tail cut: trailing spaces, then a closing run of `#` after a space.
    maximum = end
    while maximum > position and line[maximum - 1] in " \t":
        maximum -= 1
    closing = maximum
    while closing > position and line[closing - 1] == "#":
        closing -= 1
    if closing > position and line[closing - 1] in " \t":
        maximum = closing
    tag = f"h{level}"
    tokens.append(BlockToken("heading_open", number, number + 1, tag=tag))
    tokens.append(BlockToken("inline", number, number + 1, content=line[position:maximum].strip(_MD_TRIM)))
    tokens.append(BlockToken("heading_close", tag=tag))
    return number + 1


def _list_item(lines: list[str], indents: list[int], number: int, tokens: list[BlockToken]) -> int:
    """A run of one-line list items (blank lines between them allowed), each item's text
    a plain paragraph line; -1 for any other list (or a line that is no list item)."""
    count = len(lines)
    while True:
        line = lines[number]
        item = _LIST_ITEM.match(line)
        if item is None:
            return -1
        content_start = item.end()
        content_indent = content_start  # no tabs: columns are characters
        if (
            not _plain_start(line, content_start)
            or "|" in line
            or (line[content_start] == "[" and "]:" in line)
        ):
            return -1  # nested blocks, a table, a reference-like start: markdown-it's
        open_ = BlockToken("list_item_open", number, number + 1, tag="li")
        open_.markup = line[item.end(2) - 1]
        open_.info = item.group(3) or ""
        tokens.append(open_)
        tokens.append(BlockToken("paragraph_open", number, number + 1, tag="p"))
        tokens.append(BlockToken("inline", number, number + 1, content=line[content_start:].strip(_MD_TRIM)))
        tokens.append(BlockToken("paragraph_close", tag="p"))
        tokens.append(BlockToken("list_item_close", tag="li"))
        number += 1
        if number >= count:
            return number
        if indents[number] < len(lines[number]):
            # The next line must be the next item (else: a lazy continuation), not one
            # inside this one (a nested list).
            if indents[number] >= content_indent:
                return -1
            continue
        while number < count and indents[number] == len(lines[number]):
            number += 1
        if number >= count:
            return number
        if indents[number] >= content_indent:
            return -1  # a second paragraph (or more) of the item
        if _LIST_ITEM.match(lines[number]) is None:
            return number  # the list ends; the next block starts here


def _quote(lines: list[str], indents: list[int], number: int, tokens: list[BlockToken]) -> int:
    """A block quote of plain paragraphs, each line starting with `>` (no lazy lines);
    -1 for any other."""
    count = len(lines)
    start = number
    while number < count and indents[number] < len(lines[number]):
        line, indent = lines[number], indents[number]
        if indent > 3 or line[indent] != ">":
            return -1  # a lazy continuation line, or code
        number += 1
    end = number
    # The quote's lines without their markers (and the one space after one), then its
    # paragraphs as at the top level.
    shifts = []
    for line, indent in zip(lines[start:end], indents[start:end], strict=True):
        shift = indent + 1 + (line.startswith(" ", indent + 1))
        if not line[shift:].strip(" \t"):
            shift = len(line)  # an empty line of the quote
        elif line[shift] in " \t":
            return -1  # indented inside the quote
        shifts.append(shift)
    tokens.append(BlockToken("blockquote_open", start, end, tag="blockquote"))
    local = start
    while local < end:
        shift = shifts[local - start]
        if shift >= len(lines[local]):
            local += 1  # an empty line of the quote
            continue
        paragraph_end = local
        while paragraph_end < end and shifts[paragraph_end - start] < len(lines[paragraph_end]):
            paragraph_end += 1
        # Within the quote, each line read from after its marker.
        pieces = [lines[n][shifts[n - start] :] for n in range(local, paragraph_end)]
        piece_indents = [0] * len(pieces)
        sub: list[BlockToken] = []
        if "|" in pieces[0] and len(pieces) > 1 and _first_char(pieces[1]) in ("|", "-", ":"):
            return -1
        if _paragraph(pieces, piece_indents, 0, 0, sub) != len(pieces):
            return -1
        for token in sub:
            token.map = [token.map[0] + local, token.map[1] + local]
        tokens.extend(sub)
        local = paragraph_end
    tokens.append(BlockToken("blockquote_close", tag="blockquote"))
    return end
