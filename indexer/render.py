"""Print hits: numbered text for people (colour on a terminal), JSON/JSONL and paths for scripts.

Text output passes every note-supplied string through `terminal_safe`; JSON keeps the
exact text (JSON-escaped).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from indexer.batch import BatchOutcome
from indexer.facets import FacetValues
from indexer.notes import Note
from indexer.results import Contribution, Hit, Span
from indexer.safe_text import terminal_safe
from indexer.searching import SearchResult
from indexer.spelling import Suggestion
from indexer.timeline import MonthCounts, bar, chart_rows, sparkline

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
    if hit.explanation:
        lines.extend(indent + _paint(line, _DIM, style) for line in explanation_lines(hit.explanation))
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
    return f"{part.field}:{part.term}"


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


def render_facets_text(facets: Mapping[str, FacetValues], style: TextStyle = PLAIN, *, limit: int = 0) -> str:
    """Each facet as a heading and its values with their counts, at most `limit` (0: all)."""
    blocks = []
    for name, values in facets.items():
        shown = values[:limit] if limit else values
        plural = "" if len(values) == 1 else "s"
        lines = [_paint(f"{name} ({len(values)} value{plural})", _BOLD, style)]
        width = max((len(str(count)) for _, count in shown), default=1)
        lines += [f"  {count:>{width}}  {terminal_safe(value)}" for value, count in shown]
        if len(shown) < len(values):
            lines.append(_paint(f"  … {len(values) - len(shown)} more", _DIM, style))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def render_timeline_text(timeline: MonthCounts, style: TextStyle = PLAIN, *, total: int | None = None) -> str:
    """Hits per month as a bar chart, oldest month first; long runs of empty months folded."""
    dated = sum(count for _, count in timeline)
    if not timeline:
        return _paint("timeline (no hit has a date)", _BOLD, style) + "\n"
    undated = f", {total - dated} undated" if total is not None and total > dated else ""
    span = f"{timeline[0][0]} to {timeline[-1][0]}"
    lines = [_paint(f"timeline ({dated} notes{undated}, {span})", _BOLD, style)]
    peak = max(count for _, count in timeline)
    digits = len(str(peak))
    width = max(10, min(50, (style.width or 80) - 7 - digits - 6))
    for row in chart_rows(timeline):
        if row.gap:
            lines.append(_paint(f"  {'⋮':<7}  {row.gap} months without notes", _DIM, style))
            continue
        drawn = bar(row.count, peak, width)
        padding = " " * (width - len(drawn))
        lines.append(f"  {row.month}  {_paint(drawn, _MATCH, style)}{padding}  {row.count:>{digits}}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_sparkline(timeline: MonthCounts, style: TextStyle = PLAIN) -> str:
    """Hits per month on one line: first month, a sparkline, last month, and the busiest month."""
    if not timeline:
        return "no hit has a date\n"
    rows = chart_rows(timeline)
    line = sparkline([None if row.gap else row.count for row in rows])
    month, count = max(timeline, key=lambda item: item[1])  # the first of equally busy months
    busiest = _paint(f"busiest {month}: {count} note{'' if count == 1 else 's'}", _DIM, style)
    return f"{timeline[0][0]} {_paint(line, _MATCH, style)} {timeline[-1][0]}  {busiest}\n"


def render_suggestion(suggestion: Suggestion) -> str:
    """The did-you-mean line: `Did you mean 'ransomware'? 17 notes match it.`"""
    plural = "note matches" if suggestion.total == 1 else "notes match"
    return terminal_safe(f"Did you mean {suggestion.query!r}? {suggestion.total} {plural} it.")


def facets_to_dict(facets: Mapping[str, FacetValues], *, limit: int = 0) -> dict[str, dict[str, int]]:
    """The JSON shape of facets: {field: {value: count}}, most frequent first (at most `limit`)."""
    return {name: dict(values[:limit] if limit else values) for name, values in facets.items()}


def render_json(result: SearchResult, *, facet_limit: int = 0) -> str:
    """The whole result as one JSON object; keys beyond `hits` appear only when asked for."""
    document: dict[str, object] = {
        "format_version": FORMAT_VERSION,
        "query": result.query,
        "total": result.total,
        "relaxed": result.relaxed,
        "page": result.page,
        "limit": result.limit,
        "hits": [hit_to_dict(hit) for hit in result.hits],
    }
    if result.facets:
        document["facets"] = facets_to_dict(result.facets, limit=facet_limit)
    if result.timeline is not None:
        document["timeline"] = dict(result.timeline)
    if result.suggestion is not None:
        document["suggestion"] = result.suggestion.query
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_jsonl(result: SearchResult) -> Iterator[str]:
    """One JSON object a line for each hit."""
    for hit in result.hits:
        yield json.dumps(hit_to_dict(hit), ensure_ascii=False) + "\n"


def render_batch_outcome(outcome: BatchOutcome, *, facet_limit: int = 0) -> Iterator[str]:
    """JSONL for one query of a batch, each object with the query as written: its hits, then
    a summary (`total`, `hits` on the page, and facets, timeline or suggestion) when it has
    no hit on the page or extras were asked for; with counting only, `{"query", "total"}`."""
    query = outcome.query.text
    if outcome.total is not None:
        yield json.dumps({"query": query, "total": outcome.total}, ensure_ascii=False) + "\n"
        return
    result = outcome.result
    if result is None:  # an error: reported on stderr
        return
    for hit in result.hits:
        yield json.dumps({"query": query} | hit_to_dict(hit), ensure_ascii=False) + "\n"
    extras: dict[str, object] = {}
    if result.facets:
        extras["facets"] = facets_to_dict(result.facets, limit=facet_limit)
    if result.timeline is not None:
        extras["timeline"] = dict(result.timeline)
    if result.suggestion is not None:
        extras["suggestion"] = result.suggestion.query
    if extras or not result.hits:
        summary = {"query": query, "total": result.total, "hits": len(result.hits)} | extras
        yield json.dumps(summary, ensure_ascii=False) + "\n"


def render_paths(result: SearchResult, *, null: bool = False) -> str:
    """Hit paths, one a line (or NUL-separated for `xargs -0`)."""
    end = "\0" if null else "\n"
    return "".join(hit.path + end for hit in result.hits)


def hit_to_dict(hit: Hit) -> dict[str, object]:
    """The JSON shape of a hit (format_version 1); "explain" only when it was asked for."""
    document: dict[str, object] = {
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
    if hit.explanation:
        document["explain"] = explanation_to_list(hit.explanation)
    return document


def explanation_to_list(explanation: tuple[Contribution, ...]) -> list[dict[str, object]]:
    """The JSON shape of an explanation: [{"field", "term", "score"}], largest first."""
    return [{"field": part.field, "term": part.term, "score": round(part.score, 4)} for part in explanation]


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
