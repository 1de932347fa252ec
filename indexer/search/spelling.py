"""Did you mean: a corrected query, built from the index's own words, suggested when the
query has few hits and the correction clearly more. Never applied silently.

Body, title and tag words are indexed as stems (`ransomwar`), which make poor suggestions,
so unscoped words are corrected from the unstemmed words of paths, links, tags, authors
and sources (`ransomware`, `cimpanu`) and from the words one edit away from the typed one
(`gatway` -> `gateway`); a correction counts only if its stem is in the index, in clearly
more notes. Field-scoped words (`author:cimpanou`) are corrected from that field's terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from indexer.index.schema import DEFAULT_SEARCH_FIELDS, STRUCTURED_PREFIX
from indexer.search.options import FEW_HITS
from indexer.search.query import negated_spans

if TYPE_CHECKING:
    from indexer.index.fields import FieldCatalog


# The score of a query's best note (0 when it finds none).
Score = Callable[[str], float]
# Given a query and the same less one of its words: False only when no query with that
# word replaced by another word can find a note (no note has the other words).
OthersFound = Callable[[str, str], bool]
# Whether a query's best note scores above 0 (`Score` > 0), known for less.
FindsNotes = Callable[[str], bool]


class Lexicon(Protocol):
    """What a correction reads of an open index: a `searching.NoteIndex` is one."""

    searcher: Any  # a Whoosh Searcher
    catalog: FieldCatalog
    parser: Any  # a `query.QueryParser`: its `lexicon` lists the index's words

    def count(self, text: str) -> int: ...


# Words with more notes than this are not typos worth correcting.
_KNOWN_WORD_NOTES = FEW_HITS - 1
# A correction must be in this many times more notes than the word typed.
_MORE_COMMON = 10
_MAX_EDITS = 2
# Candidates must share the first letter: a search of every term of a 4,490-note index
# for words within two edits takes ~250 ms a field without it, ~15 ms with it.
_SAME_PREFIX = 1
_MIN_WORD_CHARS = 4
# Each word costs ~15 ms to correct: a query longer than this gets no suggestion.
_MAX_CORRECTED_WORDS = 16
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A query's words that no note has are corrected (not just suggested) only this many at a
# time, each among this many close words, by how many notes the corrected query finds.
_MAX_ABSENT_WORDS = 3
_CONTEXT_CANDIDATES = 4
# Words found only in note bodies are indexed as stems alone, so they are looked for among
# the words one edit away from the typed one: ~50 * length candidates, each stemmed.
_MAX_EDITED_CHARS = 12
# Words one edit from a typed one that keep its first letters are checked against the
# index's words with those letters, listed once (see `_known_one_edit_away`).
_LISTED_PREFIX = 2

# Unstemmed fields whose words stand in for the stemmed ones.
_SURFACE_FIELDS = ("path", "link", "tag", "author", "source")
# Links mostly repeat the paths' words: a correction that runs looks at the others only.
_CONTEXT_SURFACE_FIELDS = ("path", "tag", "author", "source")
_STEMMED_FIELDS = frozenset({"title", "subtitle", "body", "tag_words"})
_WHOLE_VALUE_FIELDS = frozenset({"tag"})

_TOKEN = re.compile(
    r"""(?P<field>[^\W\d]\w*):(?!//)(?P<value>"[^"]*"|[^\s()"]+)?   # field:value, field:"two words"
      | "[^"]*"?                                                    # a phrase: left alone
      | (?P<word>[^\s()"]+)                                         # a word
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_SPECIAL = re.compile(r"[\d*?~^\[\]{}<>:=/\\.@#&+$%|]")
_QUERY_SYNTAX = re.compile(r"[*?~^\[\]{}<>]")


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A corrected query and its number of hits."""

    query: str
    total: int
    why: str = ""  # said after the count: why this query may be the one meant


def suggest_query(notes: Lexicon, text: str, total: int) -> Suggestion | None:
    """A corrected form of `text` with clearly more hits than `total`, or None."""
    corrected = corrected_text(notes, text)
    if corrected is None:
        return None
    from indexer.errors import QueryError

    try:
        new_total = notes.count(corrected)
    except QueryError:
        return None
    if new_total >= 2 * total and new_total > total:
        return Suggestion(corrected, new_total)
    return None


def corrected_in_context(
    notes: Lexicon,
    text: str,
    score: Score | None = None,
    others_found: OthersFound | None = None,
    finds: FindsNotes | None = None,
) -> str | None:
    """`text` with each unscoped, unquoted word that no note has replaced by one of its
    `_CONTEXT_CANDIDATES` closest words (see `candidates`) with which the query finds
    notes: the other words rule out a close word that no note has beside them. None if a
    word has no such replacement. Among those, `score` (the corrected query's best note's
    score, 0 without hits) picks the one whose best note holds the words best (`charming
    powershell backdoor`, whose note has all three in its title, not `carding ...`); without
    it, the closest that finds notes.

    Words any note has are left alone unless the query has two or more and no note has them
    all (the caller asks only when the query as typed finds nothing): then one of them, the
    rarest first, may be a typo that makes another word (`funs` for `funds`). Where
    `others_found(text, text without the word)` says no note has the other words, no
    replacement of it can find one, and its candidates are not tried. `finds` (whether
    `score` is above 0, for less) decides a candidate alone in its tier (see `_best_query`).
    """
    corrector = _Corrector(notes)
    words = [
        match
        for match in _tokens(text)
        if match["field"] is None and match["word"] is not None and corrector._correctable(match["word"])
    ]
    found = {id(match): corrector._notes(match["word"].lower(), DEFAULT_SEARCH_FIELDS) for match in words}
    absent = [match for match in words if found[id(match)] == 0]
    if not absent:
        if len(words) < 2:
            return None  # one word that notes have finds them (or only deleted ones had it)
        present = sorted((match for match in words if found[id(match)]), key=lambda match: found[id(match)])
        for match in present[:_MAX_ABSENT_WORDS]:
            if others_found is not None and not others_found(text, with_words(text, [match], {})):
                continue  # no note has the other words: no replacement of this one finds a note
            texts = [
                (
                    tier,
                    text[: match.start("word")]
                    + _same_case(match["word"], candidate)
                    + text[match.end("word") :],
                )
                for tier, candidate in _closest_first(corrector, match["word"])
            ]
            chosen = _best_query(notes, texts, score, finds)
            if chosen is not None:
                return chosen
        return None
    if len(absent) > _MAX_ABSENT_WORDS:
        return None
    chosen_words: dict[int, str] = {}  # index in `absent` -> its replacement ("" while undecided)
    for index, match in enumerate(absent):
        tiers = _closest_first(corrector, match["word"])
        replacements = [_same_case(match["word"], candidate) for _, candidate in tiers]
        texts = [with_words(text, absent, chosen_words | {index: choice}) for choice in replacements]
        chosen = _best_query(
            notes, [(tier, text) for (tier, _), text in zip(tiers, texts, strict=True)], score, finds
        )
        if chosen is None:
            return None
        chosen_words[index] = replacements[texts.index(chosen)]
    return with_words(text, absent, chosen_words)


def with_words(text: str, words: list[re.Match[str]], replacements: dict[int, str]) -> str:
    """`text` with each of its `words` (matches of `_TOKEN`, in order) replaced by its entry
    in `replacements` (by index in `words`; a word without one is dropped)."""
    for index in range(len(words) - 1, -1, -1):
        match = words[index]
        text = text[: match.start("word")] + replacements.get(index, "") + text[match.end("word") :]
    return text


def _closest_first(corrector: _Corrector, word: str) -> list[tuple[tuple[bool, int], str]]:
    """The word's `_CONTEXT_CANDIDATES` closest words (see `candidates`), with their tiers."""
    return corrector.candidate_tiers(word)[:_CONTEXT_CANDIDATES]


def _best_query(
    notes: Lexicon,
    texts: list[tuple[tuple[bool, int], str]],
    score: Score | None,
    finds: FindsNotes | None = None,
) -> str | None:
    """Of `texts` ((tier, corrected query), best tier first: see `candidate_tiers`), the
    first that finds notes; with `score`, of those of the first tier that finds notes, the
    one scoring highest. A candidate alone in its tier has no score to be compared with:
    `finds` (if given) says whether it finds notes, for less than scoring it (a rerank
    each, ~3 ms on the news corpus)."""
    from indexer.errors import QueryError

    in_tier = Counter(tier for tier, _ in texts)
    best: tuple[tuple[bool, int], float, str] | None = None  # (tier, -score, query)
    for tier, candidate in texts:
        if best is not None and tier > best[0]:
            break
        try:
            if score is None:
                value = float(notes.count(candidate) > 0)
            elif finds is not None and in_tier[tier] == 1:
                value = float(finds(candidate))
            else:
                value = score(candidate)
        except QueryError:
            continue
        if value > 0 and (best is None or (tier, -value) < best[:2]):
            best = (tier, -value, candidate)
            if score is None:
                break
    return best[2] if best is not None else None


def _tokens(text: str) -> list[re.Match[str]]:
    """The query's tokens that may be corrected: not those it excludes (`NOT x`, `-x`):
    correcting an excluded word into one the notes have would drop those notes."""
    excluded = negated_spans(text)
    return [
        match
        for match in _TOKEN.finditer(text)
        if not any(start <= match.start() < end for start, end in excluded)
    ]


def corrected_text(notes: Lexicon, text: str) -> str | None:
    """`text` with its misspelled words replaced by the index's closest, more common words;
    None if none is (a quoted phrase is left as typed)."""
    corrector = _Corrector(notes)
    replacements = []
    for match in _tokens(text):
        found = corrector.correct(match)
        if corrector.words_looked_up > _MAX_CORRECTED_WORDS:
            return None
        if found is not None:
            replacements.append(found)
    if not replacements:
        return None
    corrected = text
    for start, end, replacement in sorted(replacements, reverse=True):
        corrected = corrected[:start] + replacement + corrected[end:]
    return corrected


class _Corrector:
    """Corrections of single query words against one open index."""

    def __init__(self, notes: Lexicon) -> None:
        self.reader = notes.searcher.reader()
        self.schema = notes.searcher.schema
        self.catalog = notes.catalog
        self._fields = set(self.reader.indexed_field_names())
        self.lexicon = notes.parser.lexicon
        self._best_of: dict[tuple[str, tuple[str, ...]], str | None] = {}

    @property
    def words_looked_up(self) -> int:
        """Distinct words (per fields) corrected so far; repeats are remembered."""
        return len(self._best_of)

    def correct(self, match: re.Match[str]) -> tuple[int, int, str] | None:
        """(start, end, replacement) for the value of one token, or None to leave it."""
        if match["field"] is not None:
            value, start = match["value"], match.start("value")
            if value is None:
                return None
            field = self.catalog.index_field(match["field"])
            if field is None or field == "date":
                return None
            if value.startswith('"'):
                if not self._whole_value(field) or len(value) < 3 or not value.endswith('"'):
                    return None
                value, start = value[1:-1], start + 1
            elif not self._correctable(value, whole_value=self._whole_value(field)):
                return None
            fields: tuple[str, ...] = (field,)
        else:
            value, start = match["word"], match.start("word")
            if value is None or not self._correctable(value):
                return None
            fields = DEFAULT_SEARCH_FIELDS
        key = (value, fields)
        if key not in self._best_of:
            self._best_of[key] = self._best(value, fields)
        best = self._best_of[key]
        if best is None:
            return None
        quoted = match["field"] is not None and match["value"].startswith('"')
        if " " in best and not quoted:
            best = f'"{best}"'
        return start, start + len(value), _same_case(value, best)

    def _correctable(self, word: str, *, whole_value: bool = False) -> bool:
        # Whole values may hold digits and dashes (`APT28`, `CVE-2021-44228`); words may not.
        special = _QUERY_SYNTAX if whole_value else _SPECIAL
        return len(word) >= _MIN_WORD_CHARS and word not in _OPERATORS and not special.search(word)

    def _whole_value(self, field: str) -> bool:
        return field in _WHOLE_VALUE_FIELDS or field.startswith(STRUCTURED_PREFIX)

    def _best(self, value: str, fields: tuple[str, ...]) -> str | None:
        """The closest, then most common, replacement for `value` searched in `fields`."""
        typed = value.lower()
        notes = self._notes(typed, fields)
        if notes is None or notes > _KNOWN_WORD_NOTES:
            return None
        stemmed = any(field in _STEMMED_FIELDS for field in fields)
        sources = [field for field in _SURFACE_FIELDS if field in self._fields] if stemmed else list(fields)
        candidates = {
            term
            for source in sources
            for term in self.lexicon.close_words(source, typed, _MAX_EDITS, prefix=_SAME_PREFIX)
            if term != typed and (not stemmed or term.isalpha())
        }
        if stemmed and typed.isalpha() and len(typed) <= _MAX_EDITED_CHARS:
            candidates |= self._known_one_edit_away(typed, fields)
        return self._closest(typed, candidates, fields, notes)

    def candidates(self, value: str) -> list[str]:
        """Words within two edits of an unscoped word that the index has: words seen as written
        first, then the closest, then those in the most notes; words that are their own stem
        (`million`, `former`) included, after the written ones (`ransomware` before the stem
        `ransomwar`, one edit closer to `ransomwear`)."""
        typed = value.lower()
        return [candidate for _, candidate in self._ranked_candidates(typed, self._pool(typed))]

    def _pool(self, typed: str) -> set[str]:
        """The words `candidates` ranks: close written words, and words one edit away."""
        # Two letters in common: listing the written words by first letter alone took
        # ~60 ms a field of the news archive (its paths and links hold every title word);
        # words one edit away need no listing (below).
        pool = {
            term
            for source in _CONTEXT_SURFACE_FIELDS
            if source in self._fields
            for term in self.lexicon.close_words(source, typed, _MAX_EDITS, prefix=2)
            if term != typed and term.isalpha()
        }
        if typed.isalpha() and len(typed) <= _MAX_EDITED_CHARS:
            pool |= self._known_one_edit_away(typed, DEFAULT_SEARCH_FIELDS, own_stems=True)
        return pool

    def _ranked_candidates(self, typed: str, pool: set[str]) -> list[tuple[tuple[bool, int], str]]:
        """The words of `pool` that notes have, best first, each with its tier."""
        surface = [field for field in _SURFACE_FIELDS if field in self._fields]
        ranked = []
        for candidate in pool:
            found = self._notes(candidate, DEFAULT_SEARCH_FIELDS)
            if found:
                # A word seen as written (in a path, link, tag, author or source) is a word;
                # one known only by its stem may be a stem's look-alike (`sente`, `sent`).
                written = any(self.reader.doc_frequency(field, candidate) for field in surface)
                ranked.append((not written, edit_distance(typed, candidate), -found, candidate))
        return [((not_written, edits), candidate) for not_written, edits, _, candidate in sorted(ranked)]

    def candidate_tiers(self, value: str) -> list[tuple[tuple[bool, int], str]]:
        """`candidates(value)`, each with its tier: (not seen as written, edits), ranked
        once (it was ranked, then each word's tier worked out again)."""
        return self._ranked_candidates(value.lower(), self._pool(value.lower()))

    def _known_one_edit_away(
        self, typed: str, fields: tuple[str, ...], *, own_stems: bool = False
    ) -> set[str]:
        """Words one edit from `typed` whose stems the index knows, but not stems posing as
        words (`conit` -> `condit`, the stem of "condition") unless `own_stems`."""
        body = "body" if "body" in fields else next(field for field in fields if field in _STEMMED_FIELDS)
        stems_of = _word_stems(self.schema[body])
        # Most of the ~450 strings keep the typed word's first two letters, and so do their
        # stems: those are looked for among the field's words with that prefix, listed once
        # (about 2 ms) rather than looked up one by one (15 microseconds each, ~8 ms).
        prefix = typed[:_LISTED_PREFIX]
        listed = self.lexicon.word_set(body, prefix)
        known = set()
        for word in one_edit_away(typed):
            stems = stems_of(word)
            if len(stems) != 1 or (not own_stems and stems[0] == word):
                continue
            stem = stems[0]
            if stem.startswith(prefix):
                if stem in listed:
                    known.add(word)
            elif self.reader.doc_frequency(body, stem):
                known.add(word)
        return known

    def _closest(self, typed: str, candidates: set[str], fields: tuple[str, ...], notes: int) -> str | None:
        ranked = []
        for candidate in candidates:
            found = self._notes(candidate, fields)
            if found and found > notes * _MORE_COMMON:
                ranked.append((edit_distance(typed, candidate), -found, candidate))
        return min(ranked)[2] if ranked else None

    def _notes(self, word: str, fields: tuple[str, ...]) -> int | None:
        """Most notes holding `word` (as each field analyzes it) in any of `fields`; None if
        the word is not one term there (a stop word, or several words)."""
        best: int | None = None
        for field in fields:
            if field not in self._fields:
                continue
            terms = list(self.schema[field].process_text(word, mode="query"))
            if len(terms) != 1:
                continue
            best = max(best or 0, self.reader.doc_frequency(field, terms[0]))
        return best


def _word_stems(field) -> Callable[[str], list[str]]:
    """What `field.process_text(word, mode="query")` lists for one word of lowercase
    letters: with our `WordAnalyzer`, its remembered indexed form (or nothing for a stop
    word) without a token made for it; the ~450 strings one edit from a typed word cost
    about 4 ms through tokens, 1.5 ms so (mostly stemming the new ones)."""
    from indexer.index.analysis import WordAnalyzer

    analyzer = field.analyzer
    if type(analyzer) is not WordAnalyzer or not field.format:
        return lambda word: list(field.process_text(word, mode="query"))
    memo = analyzer._memo
    remember = analyzer._remember

    def stems(word: str) -> list[str]:
        text = memo.get(word)
        if text is None:
            text = remember(word)
        return [text] if text else []

    return stems


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, substitution or insertion from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + char + right[1:] for left, right in splits if right for char in _LETTERS}
    inserts = {left + char + right for left, right in splits for char in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def _same_case(typed: str, word: str) -> str:
    """`word` in the case style of what was typed: Ransomwear -> Ransomware, APT82 -> APT28."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
