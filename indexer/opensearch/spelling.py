"""Spelling correction on the cluster: the rules of `indexer.search.spelling`, with the
close words found by OpenSearch's term suggester instead of the Whoosh lexicon.

The cluster indexes the words as written in `title_words` and `body_words` (lowercased,
accents folded, unstemmed) and the names of authors, sources and paths; the suggester
lists their words within two edits of a typed word, sharing its first two letters (as
Whoosh's correction asks), with the number of notes holding each. As on Whoosh, only
unscoped words outside quotes are corrected; a word some note has is left alone.
"""

from __future__ import annotations

from typing import Protocol

from indexer.errors import QueryError
from indexer.search.spelling import (
    _CONTEXT_CANDIDATES,
    _KNOWN_WORD_NOTES,
    _MAX_ABSENT_WORDS,
    _MAX_EDITS,
    _MIN_WORD_CHARS,
    _MORE_COMMON,
    _OPERATORS,
    _SPECIAL,
    Suggestion,
    _same_case,
    _tokens,
    edit_distance,
    with_words,
)


class ClusterNotes(Protocol):
    """What a correction asks of `searching.ClusterNotes`."""

    def count(self, text: str) -> int: ...

    def suggest(self, suggesters: dict) -> dict: ...


# Fields whose words, as written, stand for the words a user types.
SUGGEST_FIELDS = ("title_words", "body_words", "path", "author", "source")
_SUGGESTIONS = 8


def close_words(notes: ClusterNotes, word: str) -> list[tuple[str, int]]:
    """Words of the notes within two edits of `word`, sharing its first two letters, each
    with the most notes holding it in one field: closest first, then most frequent."""
    typed = word.lower()
    suggest = {
        field: {
            "text": typed,
            "term": {
                "field": field,
                "suggest_mode": "always",
                "max_edits": _MAX_EDITS,
                "prefix_length": 2,
                "min_word_length": _MIN_WORD_CHARS,
                "size": _SUGGESTIONS,
                "string_distance": "damerau_levenshtein",
            },
        }
        for field in SUGGEST_FIELDS
    }
    answer = notes.suggest(suggest)
    found: dict[str, int] = {}
    for field in SUGGEST_FIELDS:
        for entry in answer.get(field, ()):
            for option in entry.get("options", ()):
                text = option["text"]
                if text != typed and text.isalpha():
                    found[text] = max(found.get(text, 0), option.get("freq", 0))
    return sorted(found.items(), key=lambda item: (edit_distance(typed, item[0]), -item[1], item[0]))


def corrected_in_context(notes: ClusterNotes, text: str) -> str | None:
    """`text` with each unscoped, unquoted word that no note has replaced by the first of
    its closest words with which the query finds notes (as `spelling.corrected_in_context`);
    None if a word has no such replacement."""
    absent = [
        match
        for match in _tokens(text)  # not the words the query excludes
        if match["field"] is None
        and match["word"] is not None
        and _correctable(match["word"])
        and _notes(notes, match["word"]) == 0
    ]
    if not absent or len(absent) > _MAX_ABSENT_WORDS:
        return None
    chosen: dict[int, str] = {}
    for index, match in enumerate(absent):
        for candidate, _ in close_words(notes, match["word"])[:_CONTEXT_CANDIDATES]:
            replacement = _same_case(match["word"], candidate)
            try:
                if notes.count(with_words(text, absent, chosen | {index: replacement})):
                    chosen[index] = replacement
                    break
            except QueryError:
                continue
        else:
            return None
    return with_words(text, absent, chosen)


def suggest_query(notes: ClusterNotes, text: str, total: int) -> Suggestion | None:
    """A corrected `text` with clearly more hits than `total` (as `spelling.suggest_query`,
    for unscoped words): each rare word replaced by its closest word in many more notes."""
    replacements = []
    for match in _tokens(text):
        word = match["word"]
        if match["field"] is not None or word is None or not _correctable(word):
            continue
        held = _notes(notes, word)
        if held is None or held > _KNOWN_WORD_NOTES:
            continue
        better = [candidate for candidate, count in close_words(notes, word) if count > held * _MORE_COMMON]
        if better:
            replacements.append((match.start("word"), match.end("word"), _same_case(word, better[0])))
    if not replacements:
        return None
    corrected = text
    for start, end, replacement in sorted(replacements, reverse=True):
        corrected = corrected[:start] + replacement + corrected[end:]
    try:
        new_total = notes.count(corrected)
    except QueryError:
        return None
    if new_total >= 2 * total and new_total > total:
        return Suggestion(corrected, new_total)
    return None


def _correctable(word: str) -> bool:
    return len(word) >= _MIN_WORD_CHARS and word not in _OPERATORS and not _SPECIAL.search(word)


def _notes(notes: ClusterNotes, word: str) -> int | None:
    """Notes holding `word` in a default field (None if it is no word to search)."""
    try:
        return notes.count(word)
    except QueryError:
        return None
