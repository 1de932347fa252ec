"""Colours for the line being typed: fields (unknown ones marked as errors), phrases,
operators, ranges, wildcards and fuzzy terms, and `:commands`.

`tokenize` is a pure function tested with strings; `QueryLexer` hands its tokens to
prompt_toolkit, and `line_problem` says in words what the error mark means.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from enum import Enum

from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.lexers import Lexer

from indexer.index.fields import FieldCatalog
from indexer.search.query import unbalanced
from indexer.shell.commands import COMMANDS, CommandRegistry


class Token(Enum):
    """A kind of piece of the line; the value is its prompt_toolkit style class."""

    TEXT = ""
    FIELD = "class:field"
    UNKNOWN_FIELD = "class:field.unknown"
    PHRASE = "class:phrase"
    OPERATOR = "class:operator"
    RANGE = "class:range"
    PATTERN = "class:pattern"  # wildcards and fuzzy terms
    COMMAND = "class:command"
    UNKNOWN_COMMAND = "class:command.unknown"
    UNBALANCED = "class:unbalanced"  # an unclosed quote or parenthesis, an unmatched `)`


STYLE = {
    "field": "ansicyan bold",
    "field.unknown": "ansiwhite bg:ansired bold underline",
    "phrase": "ansigreen",
    "operator": "ansimagenta bold",
    "range": "ansiyellow",
    "pattern": "ansiblue",
    "command": "bold",
    "command.unknown": "ansiwhite bg:ansired",
    "unbalanced": "ansiwhite bg:ansired bold underline",
    "bottom-toolbar": "noreverse bg:ansibrightblack ansiwhite",
    "bottom-toolbar.problem": "bg:ansired ansiwhite bold",
}

_SCANNER = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<field>(?<![^\s(+\-])[^\W\d]\w*:)(?!//)    # `name:` where a word starts
    | (?P<phrase>"[^"]*"?)
    | (?P<range>[\[{][^\]}]*[\]}]?)
    | (?P<compare>(?<=:)[<>]=?[^\s()]*)
    | (?P<paren>[()])
    | (?P<minus>(?<![^\s(])-(?=[^\s\-)]))       # `-x`, `-"a b"`, `-tag:x`: NOT, as search reads it
    | (?P<sign>\+(?=[^\W\d]\w*:(?!//)))          # `+tag:x`: the field still starts a word
    | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_FUZZY = re.compile(r".+~\d*(?:/\d+)?$")

Tokens = list[tuple[Token, str]]


def tokenize(line: str, catalog: FieldCatalog, commands: CommandRegistry = COMMANDS) -> Tokens:
    """`line` cut into (token, text) pieces that join back into `line`."""
    if line.lstrip().startswith(":"):
        return _tokenize_command(line, commands)
    tokens: Tokens = []
    for match in _SCANNER.finditer(line):
        kind, text = match.lastgroup, match.group()
        if kind == "field":
            known = catalog.index_field(text[:-1]) is not None
            tokens.append((Token.FIELD if known else Token.UNKNOWN_FIELD, text))
        elif kind == "phrase":
            tokens.append((Token.PHRASE, text))
        elif kind in ("range", "compare"):
            tokens.append((Token.RANGE, text))
        elif kind in ("paren", "minus") or (kind == "word" and text.lstrip("+-") in _OPERATORS):
            tokens.append((Token.OPERATOR, text))
        elif kind == "word" and ("*" in text or "?" in text or _FUZZY.match(text)):
            tokens.append((Token.PATTERN, text))
        else:
            tokens.append((Token.TEXT, text))
    problem = unbalanced(line)
    if problem is not None:
        tokens = _mark(tokens, problem[1])
    return _merge(tokens)


def _mark(tokens: Tokens, offset: int) -> Tokens:
    """`tokens` with the character at `offset` cut out of its token as UNBALANCED."""
    marked: Tokens = []
    start = 0
    for token, text in tokens:
        end = start + len(text)
        if start <= offset < end:
            cut = offset - start
            pieces = [(token, text[:cut]), (Token.UNBALANCED, text[cut]), (token, text[cut + 1 :])]
            marked.extend(piece for piece in pieces if piece[1])
        else:
            marked.append((token, text))
        start = end
    return marked


def _tokenize_command(line: str, commands: CommandRegistry) -> Tokens:
    match = re.match(r"(\s*)(:\S*)(.*)", line, re.S)
    assert match is not None
    lead, name, rest = match.groups()
    known = commands.find(name[1:]) is not None or name == ":"
    tokens = [
        (Token.TEXT, lead),
        (Token.COMMAND if known else Token.UNKNOWN_COMMAND, name),
        (Token.TEXT, rest),
    ]
    return [(token, text) for token, text in tokens if text]


def _merge(tokens: Tokens) -> Tokens:
    merged: Tokens = []
    for token, text in tokens:
        if merged and merged[-1][0] is token is Token.TEXT:
            merged[-1] = (token, merged[-1][1] + text)
        else:
            merged.append((token, text))
    return merged


def line_problem(line: str, catalog: FieldCatalog, commands: CommandRegistry = COMMANDS) -> str:
    """What the error mark on `line` means, in words ("" when nothing is wrong)."""
    for token, text in tokenize(line, catalog, commands):
        if token is Token.UNKNOWN_FIELD:
            name = text[:-1]
            close = difflib.get_close_matches(name.lower(), catalog.user_fields(), n=1, cutoff=0.6)
            return f"unknown field '{text}'" + (f": did you mean {close[0]}:?" if close else "")
        if token is Token.UNKNOWN_COMMAND:
            close = difflib.get_close_matches(text[1:].lower(), commands.names(), n=1, cutoff=0.5)
            return f"unknown command '{text}'" + (f": did you mean :{close[0]}?" if close else "")
    if not line.lstrip().startswith(":") and (problem := unbalanced(line)) is not None:
        return f"{problem[0]} at column {problem[1] + 1}"
    return ""


class QueryLexer(Lexer):
    """prompt_toolkit lexer over `tokenize`; the catalog can change (after `:reindex`)."""

    def __init__(self, catalog: Callable[[], FieldCatalog], commands: CommandRegistry = COMMANDS) -> None:
        self.catalog = catalog
        self.commands = commands

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        lines = document.lines

        def get_line(number: int) -> StyleAndTextTuples:
            try:
                line = lines[number]
            except IndexError:
                return []
            try:
                return [(token.value, text) for token, text in tokenize(line, self.catalog(), self.commands)]
            except Exception:  # a lexer bug must never break the prompt
                return [("", line)]

        return get_line
