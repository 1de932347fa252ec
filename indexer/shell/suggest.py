"""What kind of word fits at the cursor: a field name, a value of a field, an operator, a command.

A pure function of the text before the cursor, so it is tested with plain strings; the
words themselves come from the completer, which knows the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    FIELD = "field"  # `auth` -> `author:`
    VALUE = "value"  # `tag:ran` -> `tag:ransomware`
    OPERATOR = "operator"  # `O` -> `OR`
    COMMAND = "command"  # `:sh` -> `:show`
    ARGUMENT = "argument"  # `:sort -` -> `:sort -date`


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The kinds of word that fit, and the text a completion replaces (it ends at the cursor)."""

    kinds: tuple[Kind, ...] = ()
    word: str = ""  # replaced by the completion
    field: str = ""  # VALUE: the field name as typed (`tags`)
    prefix: str = ""  # VALUE: the value typed so far, without its opening quote
    command: str = ""  # ARGUMENT: the command's name, without the colon
    operators: tuple[str, ...] = ()  # OPERATOR: the operators that fit here


NOTHING = Suggestion()

# Operators that join two terms need one before them; NOT may also start a query.
_BINARY_OPERATORS = ("AND", "OR", "NOT")
_FIELD_NAME = re.compile(r"[^\W\d]\w*")
# Characters that make a word a pattern, a boost or a range rather than a word to complete.
_SPECIAL = set("*?~^[]{}<>\"'()")


def suggest(text_before_cursor: str) -> Suggestion:
    """What kind of word fits at the end of `text_before_cursor` (a query or a `:command` line)."""
    text = text_before_cursor
    if text.lstrip().startswith(":"):
        return _suggest_command(text.lstrip())
    return _suggest_query(text)


def _suggest_command(text: str) -> Suggestion:
    name, space, rest = text.partition(" ")
    if not space:
        return Suggestion((Kind.COMMAND,), word=name)
    word = rest.rsplit(" ", 1)[-1]
    return Suggestion((Kind.ARGUMENT,), word=word, command=name[1:].lower())


def _suggest_query(text: str) -> Suggestion:
    quote = _open_quote(text)
    if quote is not None:
        # Inside a phrase: a value only if the phrase belongs to a field (`tag:"the r`).
        field = _field_before(text, quote)
        if field is None:
            return NOTHING
        return Suggestion((Kind.VALUE,), word=text[quote:], field=field, prefix=text[quote + 1 :])
    if _inside_range(text):
        return NOTHING
    raw = re.split(r"\s", text)[-1]
    word = raw.lstrip("(+-")
    before = text[: len(text) - len(raw)]
    name, colon, value = word.partition(":")
    if colon:
        if not _FIELD_NAME.fullmatch(name) or value.startswith("//") or _SPECIAL & set(value):
            return NOTHING
        if ":" in value:
            return NOTHING
        return Suggestion((Kind.VALUE,), word=value, field=name, prefix=value)
    if word and (_SPECIAL & set(word) or not _FIELD_NAME.fullmatch(word)):
        return NOTHING
    if set(raw[: len(raw) - len(word)]) & {"+", "-"}:
        operators: tuple[str, ...] = ()  # `-x` and `+x` take a term, not an operator
    elif _follows_term(before + raw[: len(raw) - len(word)]):
        operators = _BINARY_OPERATORS
    else:
        operators = ("NOT",)
    return Suggestion((Kind.FIELD, Kind.OPERATOR), word=word, operators=operators)


def _open_quote(text: str) -> int | None:
    """Position of the `"` that opens an unfinished phrase, or None."""
    position = None
    for index, char in enumerate(text):
        if char == '"':
            position = index if position is None else None
    return position


def _field_before(text: str, quote: int) -> str | None:
    match = re.search(r"(?:^|(?<=[\s(+\-]))([^\W\d]\w*):$", text[:quote])
    return match.group(1) if match else None


def _inside_range(text: str) -> bool:
    unquoted = re.sub(r'"[^"]*"', "", text)
    return unquoted.count("[") + unquoted.count("{") > unquoted.count("]") + unquoted.count("}")


def _follows_term(before: str) -> bool:
    """True when a term ends before the current word (so AND/OR can join it)."""
    words = before.split()
    if not words:
        return False
    last = words[-1]
    return not last.endswith("(") and last not in _BINARY_OPERATORS
