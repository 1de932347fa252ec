"""Print hits: numbered text for people (colour on a terminal), JSON/JSONL and paths for scripts.

Text output passes every note-supplied string through `terminal_safe`; JSON keeps the
exact text (JSON-escaped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from indexer.output.safe_text import counted, terminal_safe
from indexer.search.facets import FacetValues
from indexer.search.results import Contribution, Hit, SearchResult, Span
from indexer.search.timeline import MonthCounts

if TYPE_CHECKING:
    from indexer.notes.note import Note
    from indexer.search.spelling import Suggestion

_ANSI = re.compile("\x1b\\[[0-9;]*m")
_RESET = "\x1b[0m"
# Colour themes (notes.toml `theme`): the escape code of each role of text. "none" means
# no styling at all, even on a terminal (see `TextStyle.color`).
THEMES = {
    "default": {
        "bold": "\x1b[1m", "dim": "\x1b[2m", "match": "\x1b[1;33m", "title_match": "\x1b[1;4;33m",
        "path": "\x1b[36m",
    },
    "mono": {
        "bold": "\x1b[1m", "dim": "\x1b[2m", "match": "\x1b[1;4m", "title_match": "\x1b[1;4m", "path": "",
    },
}  # fmt: skip


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class TextStyle(NamedTuple):
    """How text output looks: colours and their theme, the width to wrap to (None: no
    wrapping), and how dates are written."""

    color: bool = False
    width: int | None = None
    theme: str = "default"
    date_format: str = "%Y-%m-%d"

    def code(self, role: str) -> str:
        """The escape code for a role of text ("" without colour)."""
        return THEMES.get(self.theme, THEMES["default"])[role] if self.color else ""

    def day(self, value) -> str:
        """A note's date as the user asked to see it ("" for none)."""
        return value.strftime(self.date_format) if value is not None else ""


PLAIN = TextStyle()
# A passage from a code block is shown as an indented block, as markdown writes code.
CODE_INDENT = "    "


def render_text(result: SearchResult, style: TextStyle = PLAIN, *, passages: int = 2) -> str:
    """Numbered hits, each with title, meta line, path and up to `passages` passages."""
    blocks = [render_hit_text(hit, style, passages=passages) for hit in result.hits]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_hit_text(hit: Hit, style: TextStyle = PLAIN, *, passages: int = 2) -> str:
    """One hit as a few lines of text.

    Title, then date · source · author (the author highlighted when the query matched
    it), the path, the tags when the query matched one, and each passage after the line
    number it starts on (and the heading it sits under, if any); a line of code goes on a
    line of its own, indented as a code block.
    """
    number = f"{hit.rank}."
    indent = " " * (len(number) + 1)
    title = _marked(hit.title, hit.title_spans, style, "title_match", "bold")
    lines = [f"{_paint(number, 'dim', style)} {title}"]
    matched = set(hit.matched_fields)
    author = (
        _paint(terminal_safe(hit.author), "match", style)
        if "author" in matched
        else terminal_safe(hit.author)
    )
    source = (
        _paint(terminal_safe(hit.source), "match", style)
        if "source" in matched
        else terminal_safe(hit.source)
    )
    meta = [part for part in (style.day(hit.date), source, author) if part]
    if meta:
        lines.append(
            indent + _paint(" · ", "dim", style).join(meta) if style.color else indent + " · ".join(meta)
        )
    where = f"  [{terminal_safe(hit.collection)}]" if hit.collection is not None else ""
    lines.append(indent + _paint(terminal_safe(hit.path), "path", style) + where)
    if "tags" in matched:
        lines.append(indent + "tags: " + ", ".join(terminal_safe(tag) for tag in hit.tags))
    if hit.missing:
        # A near miss (soft AND): ranked among the notes with every word, but lacks one.
        lacks = ", ".join(terminal_safe(word) for word in hit.missing)
        lines.append(indent + _paint(f"most words: lacks {lacks}", "dim", style))
    if hit.duplicates:
        copies = len(hit.duplicates)
        lines.append(indent + _paint(f"+{copies} similar cop{'y' if copies == 1 else 'ies'}", "dim", style))
    for passage in hit.passages[:passages]:
        label = f"{passage.line}:" if passage.line else ""
        if passage.within:
            label += f" [{terminal_safe(passage.within)}]"
        gutter = indent + (_paint(label, "dim", style) + " " if label else "")
        if passage.code:
            # A line of code: under its label, indented as a code block, never re-wrapped
            # (dim on a terminal, matches still marked).
            if label:
                lines.append(gutter.rstrip())
            lines.append(indent + CODE_INDENT + _marked(passage.text, passage.spans, style, "match", "dim"))
            continue
        lines.append(_wrap_marked(passage.text, passage.spans, style, indent, first=gutter))
    if hit.explanation:
        lines.extend(indent + _paint(line, "dim", style) for line in explanation_lines(hit.explanation))
    return "\n".join(lines)


def explanation_lines(explanation: tuple[Contribution, ...]) -> list[str]:
    """`score 17.515` and one line per field and term: `  6.428  title:ransomwar`."""
    total = sum(part.score for part in explanation)
    width = max(len(f"{part.score:.3f}") for part in explanation)
    lines = [f"score {total:.3f}"]
    for part in explanation:
        lines.append(f"  {part.score:>{width}.3f}  {terminal_safe(_clause_label(part))}")
    return lines


def _clause_label(part: Contribution) -> str:
    if part.field == "every note":
        return "every note"
    if part.field == "NOT":
        return f"NOT {part.term}"
    if part.field == "ranking":
        return f"bonus: {part.term}"
    return f"{part.field}:{part.term}"


def render_note_text(note: Note, style: TextStyle = PLAIN) -> str:
    """A whole note for reading (in a pager): title, meta line, path, link, tags, then the body."""
    lines = [_paint(terminal_safe(note.title), "bold", style)]
    if note.subtitle:
        lines.append(terminal_safe(note.subtitle))
    meta = " · ".join(
        terminal_safe(part) for part in (style.day(note.date), note.source, note.author) if part
    )
    if meta:
        lines.append(_paint(meta, "dim", style))
    lines.append(_paint(terminal_safe(note.path), "path", style))
    if note.link:
        lines.append(_paint(terminal_safe(note.link), "dim", style))
    if note.tags:
        lines.append("Tags: " + ", ".join(terminal_safe(tag) for tag in note.tags))
    body = terminal_safe(note.body.strip("\n"), keep_newlines=True)
    return "\n".join(lines) + "\n\n" + (body + "\n" if body else "")


def render_facets_text(facets: Mapping[str, FacetValues], style: TextStyle = PLAIN, *, limit: int = 0) -> str:
    """Each facet as a heading and its values with their counts, at most `limit` (0: all)."""
    blocks = []
    for name, values in facets.items():
        shown = values[:limit] if limit else values
        plural = "" if len(values) == 1 else "s"
        lines = [_paint(f"{name} ({len(values)} value{plural})", "bold", style)]
        width = max((len(str(count)) for _, count in shown), default=1)
        lines += [f"  {count:>{width}}  {terminal_safe(value)}" for value, count in shown]
        if len(shown) < len(values):
            lines.append(_paint(f"  … {len(values) - len(shown)} more", "dim", style))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def render_timeline_text(timeline: MonthCounts, style: TextStyle = PLAIN, *, total: int | None = None) -> str:
    """Hits per month as a bar chart, oldest month first; long runs of empty months folded."""
    from indexer.output.timeline_chart import bar, chart_rows  # here: only --timeline draws one

    dated = sum(count for _, count in timeline)
    if not timeline:
        return _paint("timeline (no hit has a date)", "bold", style) + "\n"
    undated = f", {total - dated} undated" if total is not None and total > dated else ""
    span = f"{timeline[0][0]} to {timeline[-1][0]}"
    lines = [_paint(f"timeline ({dated} notes{undated}, {span})", "bold", style)]
    peak = max(count for _, count in timeline)
    digits = len(str(peak))
    width = max(10, min(50, (style.width or 80) - 7 - digits - 6))
    for row in chart_rows(timeline):
        if row.gap:
            lines.append(_paint(f"  {'⋮':<7}  {counted(row.gap, 'month')} without notes", "dim", style))
            continue
        drawn = bar(row.count, peak, width)
        padding = " " * (width - len(drawn))
        lines.append(f"  {row.month}  {_paint(drawn, 'match', style)}{padding}  {row.count:>{digits}}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_sparkline(timeline: MonthCounts, style: TextStyle = PLAIN) -> str:
    """Hits per month on one line: first month, a sparkline, last month, and the busiest month."""
    if not timeline:
        return "no hit has a date\n"
    from indexer.output.timeline_chart import chart_rows, sparkline

    rows = chart_rows(timeline)
    line = sparkline([None if row.gap else row.count for row in rows])
    month, count = max(timeline, key=lambda item: item[1])  # the first of equally busy months
    busiest = _paint(f"busiest {month}: {count} note{'' if count == 1 else 's'}", "dim", style)
    return f"{timeline[0][0]} {_paint(line, 'match', style)} {timeline[-1][0]}  {busiest}\n"


def render_correction(corrected: str, typed: str, *, how: str = "search --exact") -> str:
    """What a search whose words were corrected says: the query that ran, and how to run
    the one typed (`how`: the command or flag that does it)."""
    showing = terminal_safe(f"showing results for {corrected!r}")
    return f"{showing}\n{terminal_safe(f'search instead for {typed!r} with {how}')}"


def render_suggestion(suggestion: Suggestion) -> str:
    """The did-you-mean line: `Did you mean 'ransomware'? 17 notes match it.`"""
    plural = "note matches" if suggestion.total == 1 else "notes match"
    why = f" ({suggestion.why})" if suggestion.why else ""
    return terminal_safe(f"Did you mean {suggestion.query!r}? {suggestion.total} {plural} it{why}.")


# -- text helpers ---------------------------------------------------------------------


def _paint(text: str, role: str, style: TextStyle) -> str:
    code = style.code(role)
    return f"{code}{text}{_RESET}" if code and text else text


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


def _marked(
    text: str, spans: tuple[Span, ...], style: TextStyle, match_role: str, base_role: str = ""
) -> str:
    match_code, base = style.code(match_role), style.code(base_role) if base_role else ""
    pieces = []
    for piece, is_match in _segments(text, spans):
        safe = terminal_safe(piece)
        pieces.append(f"{match_code}{safe}{_RESET}{base}" if is_match and match_code else safe)
    joined = "".join(pieces)
    return f"{base}{joined}{_RESET}" if base else joined


def _wrap_marked(
    text: str, spans: tuple[Span, ...], style: TextStyle, indent: str, *, first: str | None = None
) -> str:
    """Word-wrap a highlighted passage to the style's width, keeping highlights per word.

    The first line starts with `first` (default `indent`), the others with `indent`.
    """
    first = indent if first is None else first
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
        return first + "".join(_paint(word, "match", style) if hit else word for word, hit in words)
    lines: list[str] = []
    current: list[str] = []
    prefix, used = first, len(_ANSI.sub("", first))
    for word, is_match in words:
        if word == " ":
            if current:
                current.append(" ")
                used += 1
            continue
        if used + len(word) > style.width and current:
            while current and current[-1] == " ":
                current.pop()
            lines.append(prefix + "".join(current))
            current, prefix, used = [], indent, len(indent)
        current.append(_paint(word, "match", style) if is_match else word)
        used += len(word)
    if current:
        lines.append(prefix + "".join(current).rstrip(" "))
    return "\n".join(lines)
