"""markdown-it's block tokens for the commonest notes, without loading markdown-it.

A search parses the notes whose passages it shows, and loading markdown-it for that
costs more than reading them (~100 M instructions, ~25 ms). Most notes are plain
paragraphs, ATX and setext headings, fenced code, one-line list items and block quotes
of plain paragraphs, with thematic breaks between them: `block_tokens` gives markdown-it's
tokens for such a note (as far as `markdown._Reader` reads them), and None for any other,
which markdown-it then reads as before. It reads 94% of the news archive's notes and 43%
of the blog posts (tables, HTML, footnotes, nested lists go to markdown-it);
tests/test_markdown_fast.py checks that every note of both shared corpora, and random
markup, read alike either way.

The rules test a line's start with string methods, not regular expressions: this module
is loaded by every search that shows passages, and compiling a pattern costs more than
reading a page of notes with these. Loaded only when a note is parsed (`--count` and
`--files` never load it).
"""

from __future__ import annotations

# markdown-it's `mdTrim`: strip CommonMark's whitespace.
_MD_TRIM = "".join(
    chr(code)
    for code in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)
_BAD_PROTOCOLS = ("vbscript:", "javascript:", "file:", "data:")
_GOOD_DATA = ("data:image/gif;", "data:image/png;", "data:image/jpeg;", "data:image/webp;")


def validate_link(url: str) -> bool:
    """markdown-it's `MarkdownIt.validateLink` (common/normalize_url.py), which
    `simple_inline` asks of every link, without loading markdown-it: no `javascript:`,
    `vbscript:`, `file:` targets, `data:` only for images."""
    url = url.strip().lower()
    return url.startswith(_GOOD_DATA) if url.startswith(_BAD_PROTOCOLS) else True


def _thematic_break(line: str, indent: int) -> bool:
    """markdown-it's `hr` rule: three or more of one of `*`, `-`, `_`, with nothing but
    spaces and tabs between and after them."""
    marks = line[indent:].replace(" ", "").replace("\t", "")
    return len(marks) >= 3 and marks[0] in "*-_" and marks.count(marks[0]) == len(marks)


def _list_item_start(line: str) -> tuple[int, str, str] | None:
    """(where the text starts, markup, number) of a list item in its simplest shape:
    indented at most three, a bullet or a number of at most nine digits and `.` or `)`,
    one to four spaces, then text (not a tab); None otherwise."""
    indent = len(line) - len(line.lstrip(" "))
    if indent > 3 or indent == len(line):
        return None
    position = indent
    if line[position] in "-*+":
        info, markup = "", line[position]
    else:
        while position < len(line) and "0" <= line[position] <= "9":
            position += 1
        if not 1 <= position - indent <= 9 or line[position : position + 1] not in (".", ")"):
            return None
        info, markup = line[indent:position], line[position]
    position += 1
    spaces = len(line) - position - len(line[position:].lstrip(" "))
    content = position + spaces
    if not 1 <= spaces <= 4 or content >= len(line) or line[content] == "\t":
        return None
    return content, markup, info


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
    if not lines[-1].strip(" \t"):
        # markdown-it counts no line after a final line end, nor a last line of nothing
        # but spaces and tabs without one.
        lines.pop()
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
        elif mark in "`~" and _fence_opening(line, indent):
            number = _fence(lines, indents, number, tokens)
        elif mark in "-*_" and _thematic_break(line, indent):
            tokens.append(BlockToken("hr", number, number + 1))
            number += 1
        elif (mark in "-*+" or "0" <= mark <= "9") and _list_item_start(line) is not None:
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
_ALWAYS_MARKUP = frozenset("><|:")


def _plain_start(line: str, indent: int) -> bool:
    """Whether a line (indented at most three) holds nothing markdown-it reads as the start
    of a block, or as the end of a paragraph: no fence, quote, HTML, table row, thematic
    break, list item, ATX heading or footnote; `**Bold**`, `#tag`, `1.5 million` are
    plain. Setext underlines are looked for apart."""
    mark = line[indent]
    if mark in _ALWAYS_MARKUP:
        return False
    if mark in "`~":
        return not _fence_opening(line, indent)  # `code` or ~~struck~~ text is plain
    if mark in "*-_+":
        if mark != "+" and _thematic_break(line, indent):
            return False
        return mark == "_" or line[indent + 1 : indent + 2] not in ("", " ", "\t")  # else a bullet
    if mark == "#":
        # An ATX heading opens with one to six `#`, then a space, a tab or the line's end.
        hashes = len(line) - indent - len(line[indent:].lstrip("#"))
        return not (hashes <= 6 and line[indent + hashes : indent + hashes + 1] in ("", " ", "\t"))
    if "0" <= mark <= "9":
        # An ordered list's marker as markdown-it's `skipOrderedListMarker` reads it.
        position = indent
        while position < len(line) and "0" <= line[position] <= "9":
            position += 1
        return not (
            position - indent <= 9
            and line[position : position + 1] in (".", ")")
            and line[position + 1 : position + 2] in ("", " ", "\t")
        )
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
        if number > start and line[indent] in "=-":
            # A setext underline: a run of `=` or of `-`, then nothing but spaces and tabs.
            run = line[indent:].rstrip(" \t")
            if run.count(run[0]) == len(run):
                level = 1 if run[0] == "=" else 2
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


def _fence_opening(line: str, indent: int) -> bool:
    """markdown-it's `fence` rule's opening: three or more backticks or tildes, and no
    backtick after backticks."""
    mark = line[indent]
    run = len(line) - indent - len(line[indent:].lstrip(mark))
    return run >= 3 and not (mark == "`" and "`" in line[indent + run :])


def _fence(lines: list[str], indents: list[int], start: int, tokens: list[BlockToken]) -> int:
    """markdown-it's `fence` rule at the top level: the code runs to a line of at least as
    many of the same marks (indented at most three, then only spaces and tabs), or to the
    end; each of its lines loses as many leading spaces as the opening fence had."""
    line, indent = lines[start], indents[start]
    mark = line[indent]
    run = len(line) - indent - len(line[indent:].lstrip(mark))
    number, closed = start + 1, False
    while number < len(lines):
        other, other_indent = lines[number], indents[number]
        if other_indent <= 3 and other[other_indent : other_indent + 1] == mark:
            marks = len(other) - other_indent - len(other[other_indent:].lstrip(mark))
            if marks >= run and not other[other_indent + marks :].strip(" \t"):
                closed = True
                break
        number += 1
    content = "".join(
        code[min(indent, code_indent) :] + "\n"
        for code, code_indent in zip(lines[start + 1 : number], indents[start + 1 : number], strict=True)
    )
    end = number + closed
    token = BlockToken("fence", start, end, tag="code", content=content)
    token.info, token.markup = line[indent + run :], mark * run
    tokens.append(token)
    return end


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
        item = _list_item_start(line)
        if item is None:
            return -1
        content_start, markup, info = item
        content_indent = content_start  # no tabs: columns are characters
        if (
            not _plain_start(line, content_start)
            or "|" in line
            or (line[content_start] == "[" and "]:" in line)
        ):
            return -1  # nested blocks, a table, a reference-like start: markdown-it's
        open_ = BlockToken("list_item_open", number, number + 1, tag="li")
        open_.markup, open_.info = markup, info
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
        if _list_item_start(lines[number]) is None:
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
