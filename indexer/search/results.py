"""What a search returns: `Hit`s with the passages of each note that match the query.

Passages are found by running the index's own analyzer over the note's lines, so a
stemmed query term (`gatewai`) highlights the word as the note writes it (`gateway`).
"""

from __future__ import annotations

import re
import sys
from bisect import insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from indexer.index.analysis import ascii_words, fold_accents, lowered_ascii_words
from indexer.search.options import DEFAULT_CONTEXT_CHARS
from indexer.search.options import SortOrder as SortOrder  # where callers have imported it from

if TYPE_CHECKING:
    from indexer.notes.blocks import Block
    from indexer.search.facets import FacetValues
    from indexer.search.spelling import Suggestion
    from indexer.search.timeline import MonthCounts

Span = tuple[int, int]  # [start, end) character offsets of a matched word

# Passages are looked for in the first `_MAX_LINE_CHARS` of each line and the first
# `_MAX_SCANNED_CHARS` of the note: a 5 MB line, or a 10 MB note in which every line
# matches, took seconds a hit to analyze in full.
_MAX_LINE_CHARS = 10_000
_MAX_SCANNED_CHARS = 500_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_PLAIN_PART = re.compile(r"[a-z0-9_]+")
_UNKNOWN = sys.maxsize  # `most_spans` when it cannot count
# A piece that may match: (most spans, its number, line offset, text, headings, atoms, code).
_Piece = tuple[int, int, int, str, str, tuple[Span, ...], bool]
# A piece that matched: ((-distinct words, -spans, line offset, number), line offset, text,
# spans, headings, atoms, code); the smallest first is the best.
_Ranked = tuple[tuple[int, int, int, int], int, str, tuple[Span, ...], str, tuple[Span, ...], bool]


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class Passage(NamedTuple):
    """A piece of a note's text, with the matched words marked."""

    text: str
    spans: tuple[Span, ...] = ()
    line: int = 0  # line of the note file it comes from (1-based), 0 if unknown
    heading: str = ""  # the headings it sits under, "Article › How they got in"; "" if none
    within: str = ""  # the same without the section the whole body sits under ("How they got in")
    code: bool = False  # a line of a code block (fenced or indented): shown as code


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class Contribution(NamedTuple):
    """What one query term added to a hit's score (see `explain`)."""

    field: str  # as users name it: "title", "body", "tag", "country"
    term: str  # as indexed: stemmed for text fields ("ransomwar"), a phrase in quotes
    score: float


@dataclass(frozen=True, slots=True)
class Hit:
    """One note found by a query."""

    rank: int
    path: str  # relative to the corpus root, `/` separators
    title: str
    score: float | None  # relevance; None when hits are sorted by date (no score is computed)
    subtitle: str = ""
    source: str = ""
    author: str = ""
    authors: tuple[str, ...] = ()
    date: date | None = None
    tags: tuple[str, ...] = ()
    structured: tuple[tuple[str, str], ...] = ()
    link: str = ""
    title_spans: tuple[Span, ...] = ()
    passages: tuple[Passage, ...] = field(default_factory=tuple)
    # Parts of the note the query matched ("title", "body", "tags", "author", "country"...).
    matched_fields: tuple[str, ...] = ()
    # Near-duplicate copies of this note folded into it (paths), see `duplicates`.
    duplicates: tuple[str, ...] = ()
    # Filled when asked for (`explain=True`): what each field and term added to `score`.
    explanation: tuple[Contribution, ...] = ()
    # The collection the note belongs to, when several were searched at once (`-c a -c b`).
    collection: str | None = None
    # The query words this note lacks: a near miss of a query of three words or more
    # (`near_miss`), ranked among the notes with every word but not counted in `total`.
    missing: tuple[str, ...] = ()

    @property
    def snippet(self) -> str:
        """The best passage's text ("" when the note has no text to show)."""
        return self.passages[0].text if self.passages else ""

    @property
    def line(self) -> int:
        """The line of the note file its best passage is on (0: unknown), where an editor opens it."""
        return self.passages[0].line if self.passages else 0


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of one page of a query, and what was asked."""

    query: str
    parsed: str  # the Whoosh query, for --debug-query
    total: int  # matching notes in all, not just this page
    page: int
    limit: int  # 0 = no limit
    hits: tuple[Hit, ...]
    seconds: float
    # Asked for with `facets=`: facet name -> (value, notes) among all hits, most frequent first.
    facets: Mapping[str, FacetValues] = field(default_factory=dict)
    # Asked for with `timeline=True`: (month, notes) among all dated hits, oldest first.
    timeline: MonthCounts | None = None
    # Asked for with `suggest=True`: a corrected query with clearly more hits, if any.
    suggestion: Suggestion | None = None
    # No note had all the words: these hits have most of them (the caller says so).
    relaxed: bool = False
    # Notes of the page that could not be read again for passages, and why:
    # "a.md: no passages: not a regular file (a FIFO)".
    warnings: tuple[str, ...] = ()
    # No note had all the words as typed: these are the hits of this corrected query.
    corrected_query: str | None = None


class TermMatcher:
    """Finds the words of a text whose analyzed form is one of the query's terms."""

    def __init__(self, analyzer: Callable, terms: Iterable[str]) -> None:
        self.analyzer = analyzer
        self.terms = frozenset(terms)
        probes = sorted({_sure_part(term) for term in self.terms if term}, key=len, reverse=True)
        # A cheap pre-filter: a line can only match if it holds a term's sure part (the
        # first letters that every word indexed as the term has: `_sure_part`).
        self._probe = re.compile("|".join(map(re.escape, probes)), re.IGNORECASE) if probes else None
        # In text whose words are ASCII, ASCII probes are found as plain substrings of the
        # lowercased text: the same lines as the regex above, several times faster (its
        # case-blind alternation is matched a character at a time).
        self._ascii_probes = tuple(probes) if all(probe.isascii() for probe in probes) else None
        # Our `WordAnalyzer` finds the spans without a token a word; others go token by token.
        self._spans_of = getattr(analyzer, "spans_of", None)
        # What `most_spans` counts: the same sure parts, when our analyzer finds the words
        # and the parts are plain letters and digits (an occurrence of one then lies inside
        # one word).
        plain = self._spans_of is not None and self._ascii_probes is not None
        self._sure_parts = tuple(probes) if plain and all(map(_PLAIN_PART.fullmatch, probes)) else None
        self._sure_bytes = tuple(part.encode("ascii") for part in self._sure_parts or ())

    def spans(self, text: str) -> tuple[Span, ...]:
        """Offsets of the matching words of `text`."""
        if self._probe is None:
            return ()
        # Sure parts are kept only with ASCII probes: one look at the text's words serves both.
        words_ascii = self._ascii_probes is not None and ascii_words(text)
        if words_ascii and self._sure_parts is not None:
            # Each matching word starts with its term's sure part: only the words starting
            # where one occurs are looked at (an occurrence inside a word is passed over).
            starts = self._starts(text.lower())
            return tuple(self._spans_of(text, self.terms, starts)) if starts else ()
        if words_ascii:
            # ASCII words (whatever the punctuation: curly quotes, dashes): folding
            # changes none of their letters.
            lowered = text.lower()
            if not any(probe in lowered for probe in self._ascii_probes):
                return ()
        elif not self._probe.search(fold_accents(text)):
            return ()
        if self._spans_of is not None:
            return tuple(self._spans_of(text, self.terms))
        found = []
        for token in self.analyzer(text, chars=True, mode="query"):
            if token.text in self.terms:
                found.append((token.startchar, token.endchar))
        return tuple(found)

    def most_spans(self, text: str) -> int:
        """At least `len(self.spans(text))`, found without looking at the words one by one:
        how often the terms' sure parts occur in the lowercased text (each matching word
        holds its term's; 0 exactly when `spans`' pre-filter finds none), `_UNKNOWN` when
        that cannot be counted (words outside ASCII, another analyzer)."""
        if self._probe is None:
            return 0
        if self._sure_parts is None or (lowered := lowered_ascii_words(text)) is None:
            return _UNKNOWN
        return sum(map(lowered.count, self._sure_bytes))

    def _starts(self, lowered: str) -> list[int]:
        """Where the sure parts occur in `lowered`, in order (each once)."""
        found = []
        for part in self._sure_parts:
            at = lowered.find(part)
            while at >= 0:
                found.append(at)
                # An occurrence overlapping this one would start inside a word.
                at = lowered.find(part, at + len(part))
        if len(self._sure_parts) > 1:
            found = sorted(set(found))
        return found


def best_passages(
    body: str | Sequence[Block],
    body_line: int,
    matcher: TermMatcher,
    *,
    count: int = 1,
    context: int = DEFAULT_CONTEXT_CHARS,
    section: str = "",
) -> tuple[Passage, ...]:
    """The `count` passages of `body` richest in query terms, in the order of the note.

    `body` is markdown, or its blocks as `markdown.parse_markdown` read them (a `Note`'s
    `blocks`). A passage is a paragraph, list item, table row or quote, or one line of a
    code block; it carries its line in the note file and the path of real headings it
    sits under ("Article › BlackByte gang responds"), starting from `section`, the
    heading the body itself sits under. With no match in the body, the opening of the
    note stands in (without spans).
    """
    if isinstance(body, str):
        from indexer.notes.markdown import parse_markdown

        blocks = parse_markdown(body).blocks
    else:
        blocks = body
    pending: list[_Piece] = []
    headings: list[tuple[int, str]] = []
    within = ""  # the headings' path, joined when they change (not for every piece)
    opening: Passage | None = None
    scanned = 0
    for block in blocks:
        if scanned > _MAX_SCANNED_CHARS:
            break
        kind = block.kind
        if kind == "heading":
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            within = " › ".join(title for _, title in headings if title)
            continue
        if kind == "image":
            continue  # alt text is searched, but a picture's caption is no passage
        if kind == "code":
            pieces = [(block.line + n, line.strip(), ()) for n, line in enumerate(block.text.split("\n"))]
        else:
            pieces = [(block.line, block.text, block.atoms)]
        for offset, text, atoms in pieces:
            text = text[:_MAX_LINE_CHARS]
            scanned += len(text)
            if not text:
                continue
            if opening is None and kind == "text":
                opening = _passage(_cut(text, (), context, atoms), body_line + offset, section, within)
            most = matcher.most_spans(text)
            if most:
                pending.append((most, len(pending), offset, text, within, atoms, kind == "code"))
    chosen = _richest(pending, matcher, max(count, 1))
    if not chosen:
        return (opening,) if opening else ()
    return tuple(
        _passage(_cut(text, spans, context, atoms), body_line + offset, section, within, code=code)
        for _, offset, text, spans, within, atoms, code in sorted(chosen[:count], key=lambda item: item[1])
    )


def _richest(pending: list[_Piece], matcher: TermMatcher, count: int) -> list[_Ranked]:
    """The `count` pieces with the most distinct matched words, then the most matched words,
    then the first in the note, best first; [] when none of them matches.

    A piece's spans are found in order of its bound (`most_spans`): neither count can
    exceed it, so once the next bound cannot beat the `count`-th best found, none can."""
    chosen: list[_Ranked] = []
    for most, index, offset, text, within, atoms, code in sorted(
        pending, key=lambda item: (-item[0], item[2], item[1])
    ):
        if len(chosen) == count and (-most, -most, offset, index) > chosen[-1][0]:
            break
        spans = matcher.spans(text)
        if spans:
            words = {text[start:end].lower() for start, end in spans}
            insort(
                chosen, ((-len(words), -len(spans), offset, index), offset, text, spans, within, atoms, code)
            )
            del chosen[count:]
    return chosen


def _passage(
    cut: tuple[str, tuple[Span, ...]], line: int, section: str, within: str, *, code: bool = False
) -> Passage:
    heading = " › ".join(part for part in (section, within) if part)
    return Passage(cut[0], cut[1], line, heading, within, code)


def _cut(
    text: str, spans: tuple[Span, ...], context: int, atoms: tuple[Span, ...] = ()
) -> tuple[str, tuple[Span, ...]]:
    """At most about `context` characters of `text` around its first match.

    Cuts fall on sentence boundaries where that keeps enough text, else between
    words, and never inside one of `atoms` (a link's text, a code span); an ellipsis
    marks a cut inside a sentence.
    """
    if len(text) <= context:
        return text, spans
    first = spans[0][0] if spans else 0
    # Start at the beginning of the sentence holding the first match, if that fits.
    start, cut_inside_sentence = 0, False
    for boundary in _SENTENCE_END.finditer(text, 0, first):
        start = boundary.end()
    if first - start > context // 2:
        start = max(0, first - context // 3)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
        cut_inside_sentence = True
    for atom_start, atom_end in atoms:
        if atom_start < start < atom_end:
            start, cut_inside_sentence = atom_start, True
    end = start + context
    ends_inside_sentence = False
    if end < len(text):
        sentence_ends = [boundary.end() for boundary in _SENTENCE_END.finditer(text, start, end)]
        if sentence_ends and sentence_ends[-1] - start > context // 2:
            end = sentence_ends[-1]
        else:
            space = text.rfind(" ", start, end)
            end = space if space > start else end
            ends_inside_sentence = True
        for atom_start, atom_end in atoms:
            if atom_start < end < atom_end:
                # Keep the whole link when it fits in half as much again, else stop before it.
                end = atom_end if atom_end - start <= context * 3 // 2 or atom_start <= start else atom_start
                ends_inside_sentence = True
    piece = text[start:end].strip()
    lead = start + (text[start:end].find(piece) if piece else 0)
    prefix = "…" if cut_inside_sentence else ""
    suffix = "…" if ends_inside_sentence else ""
    shift = len(prefix) - lead
    kept = tuple((a + shift, b + shift) for a, b in spans if a >= lead and b <= lead + len(piece))
    return f"{prefix}{piece}{suffix}", kept


def _sure_part(term: str) -> str:
    """The start of `term` that every word indexed as `term` holds (lowercased and folded).

    Porter's stemming changes only a word's ending and adds at most one letter (an "e":
    "making" -> "make", "relational" -> "relate"), turns a last "y" into "i" ("key" ->
    "kei"), or "bility" into "ble" ("sensibility" -> "sensible", "sensibl"). The part keeps
    none of the letters that may be new. (The pre-filter used to keep four letters however
    short the term, so a line whose only match was "key", "say", "making" or "hoping" was
    passed over and the note showed its opening instead.)
    """
    new = 2 if term.endswith("ble") else 1 if term.endswith(("e", "i", "bl")) else 0
    return term[: min(max(4, len(term) - 2), len(term) - new)]
