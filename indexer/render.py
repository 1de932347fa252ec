"""Print hits: numbered text for people (colour on a terminal), JSON/JSONL and paths for scripts.

Text output passes every note-supplied string through `terminal_safe`; JSON keeps the
exact text (JSON-escaped).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from indexer.notes import Note
from indexer.results import Hit, Span
from indexer.safe_text import json_safe, terminal_safe
from indexer.searching import SearchResult

FORMAT_VERSION = 1

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_MATCH = "\x1b[1;33m"  # bold yellow
_TITLE_MATCH = "\x1b[1;4;33m"
_PATH = "\x1b[36m"


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How text output looks: colours, and the width to wrap to (None: no wrapping)."""

    color: bool = False
    width: int | None = None


PLAIN = TextStyle()


def render_text(result: SearchResult, style: TextStyle = PLAIN) -> str:
    """Numbered hits, each with title, date · source · author, path and snippet."""
    blocks = [render_hit_text(hit, style) for hit in result.hits]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_hit_text(hit: Hit, style: TextStyle = PLAIN) -> str:
    """One hit as a few lines of text."""
    number = f"{hit.rank}."
    indent = " " * (len(number) + 1)
    title = _marked(hit.title, hit.title_spans, style, _TITLE_MATCH, base=_BOLD)
    lines = [f"{_paint(number, _DIM, style)} {title}"]
    meta = " · ".join(
        terminal_safe(part)
        for part in (hit.date.isoformat() if hit.date else "", hit.source, hit.author)
        if part
    )
    if meta:
        lines.append(indent + _paint(meta, _DIM, style))
    lines.append(indent + _paint(terminal_safe(hit.path), _PATH, style))
    for passage in hit.passages:
        text = _wrap_marked(passage.text, passage.spans, style, indent)
        lines.append(text)
    return "\n".join(lines)


def render_note_text(note: Note, style: TextStyle = PLAIN) -> str:
    """A whole note for reading (in a pager): title, meta line, path, link, tags, then the body."""
    lines = [_paint(terminal_safe(note.title), _BOLD, style)]
    if note.subtitle:
        lines.append(terminal_safe(note.subtitle))
    meta = " · ".join(
        terminal_safe(part)
        for part in (note.date.isoformat() if note.date else "", note.source, note.author)
        if part
    )
    if meta:
        lines.append(_paint(meta, _DIM, style))
    lines.append(_paint(terminal_safe(note.path), _PATH, style))
    if note.link:
        lines.append(_paint(terminal_safe(note.link), _DIM, style))
    if note.tags:
        lines.append("Tags: " + ", ".join(terminal_safe(tag) for tag in note.tags))
    body = terminal_safe(note.body.strip("\n"), keep_newlines=True)
    return "\n".join(lines) + "\n\n" + (body + "\n" if body else "")


def render_json(result: SearchResult) -> str:
    """The whole result as one JSON object."""
    document = {
        "format_version": FORMAT_VERSION,
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "limit": result.limit,
        "hits": [hit_to_dict(hit) for hit in result.hits],
    }
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def render_jsonl(result: SearchResult) -> Iterator[str]:
    """One JSON object a line for each hit."""
    for hit in result.hits:
        yield json_safe(json.dumps(hit_to_dict(hit), ensure_ascii=False)) + "\n"


def render_paths(result: SearchResult, *, null: bool = False, escape: bool = False) -> str:
    """Hit paths, one a line (or NUL-separated for `xargs -0`); `escape` for a terminal."""
    end = "\0" if null else "\n"
    return "".join((terminal_safe(hit.path) if escape else hit.path) + end for hit in result.hits)


def hit_to_dict(hit: Hit) -> dict[str, object]:
    """The JSON shape of a hit (format_version 1)."""
    return {
        "rank": hit.rank,
        "path": hit.path,
        "title": hit.title,
        "subtitle": hit.subtitle,
        "source": hit.source,
        "author": hit.author,
        "authors": list(hit.authors),
        "date": hit.date.isoformat() if hit.date else None,
        "tags": list(hit.tags),
        "link": hit.link,
        "score": round(hit.score, 4),
        "snippet": hit.snippet,
    }


# -- text helpers ---------------------------------------------------------------------


def _paint(text: str, code: str, style: TextStyle) -> str:
    return f"{code}{text}{_RESET}" if style.color and text else text


def _segments(text: str, spans: tuple[Span, ...]) -> Iterator[tuple[str, bool]]:
    """`text` cut into (piece, is_match) runs."""
    position = 0
    for start, end in spans:
        if start < position or end > len(text):
            continue
        if start > position:
            yield text[position:start], False
        yield text[start:end], True
        position = end
    if position < len(text):
        yield text[position:], False


def _marked(text: str, spans: tuple[Span, ...], style: TextStyle, match_code: str, base: str = "") -> str:
    pieces = []
    for piece, is_match in _segments(text, spans):
        safe = terminal_safe(piece)
        if style.color:
            pieces.append(f"{match_code}{safe}{_RESET}{base}" if is_match else safe)
        else:
            pieces.append(safe)
    joined = "".join(pieces)
    return f"{base}{joined}{_RESET}" if style.color and base else joined


def _wrap_marked(text: str, spans: tuple[Span, ...], style: TextStyle, indent: str) -> str:
    """Word-wrap a highlighted passage to the style's width, keeping highlights per word."""
    words: list[tuple[str, bool]] = []
    for piece, is_match in _segments(text, spans):
        safe = terminal_safe(piece)
        if is_match:
            words.append((safe, True))
            continue
        parts = safe.split(" ")
        for index, part in enumerate(parts):
            if index:
                words.append((" ", False))
            if part:
                words.append((part, False))
    if style.width is None:
        return indent + "".join(_paint(word, _MATCH, style) if hit else word for word, hit in words)
    lines: list[str] = []
    current: list[str] = []
    used = len(indent)
    for word, is_match in words:
        if word == " ":
            if current:
                current.append(" ")
                used += 1
            continue
        if used + len(word) > style.width and current:
            while current and current[-1] == " ":
                current.pop()
            lines.append(indent + "".join(current))
            current, used = [], len(indent)
        current.append(_paint(word, _MATCH, style) if is_match else word)
        used += len(word)
    if current:
        lines.append(indent + "".join(current).rstrip(" "))
    return "\n".join(lines)
