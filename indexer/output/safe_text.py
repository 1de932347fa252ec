"""Make untrusted note text safe to print on a terminal.

Notes come from the web: a title may hold ESC sequences (colours, OSC 8 links, OSC 52
clipboard writes, clear-screen), a bare CR that overwrites the line, or bidi overrides
that reorder what the reader sees. Every such character is shown escaped instead.
"""

from __future__ import annotations

import re

# C0 controls but TAB/LF, DEL, C1 controls, bidi embeddings/overrides/isolates,
# zero-width marks that can hide text, line/paragraph separators, and the BOM.
# `str.isprintable` is False for each of them (tests/test_safe_text.py checks), so text it
# passes has none, and the expressions are compiled only for text it does not pass:
# compiling both cost 5.7 M instructions of every one-shot search.
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb"
)
_compiled: dict[bool, re.Pattern[str]] = {}  # by keep_newlines: TAB and LF are safe


def _unsafe(*, keep_newlines: bool) -> re.Pattern[str]:
    """The characters to escape (TAB and LF too, unless `keep_newlines`), compiled once."""
    pattern = _compiled.get(keep_newlines)
    if pattern is None:
        extra = "" if keep_newlines else "\t\n"
        pattern = _compiled[keep_newlines] = re.compile(f"[{_UNSAFE_CLASS}{extra}]")
    return pattern


def _printable(text: str, *, keep_newlines: bool) -> bool:
    """True when `text` surely has no character to escape (False: it may have one)."""
    if keep_newlines:
        text = text.replace("\n", "").replace("\t", "")
    return text.isprintable()


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return " "
    if code == 0x0A:
        return " "
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control, bidi or invisible formatting character made visible.

    Newlines and tabs become spaces unless `keep_newlines` (for whole notes in a pager).
    """
    if _printable(text, keep_newlines=keep_newlines):
        return text
    pattern = _unsafe(keep_newlines=keep_newlines)
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def json_safe(document: str) -> str:
    """Serialized JSON with the characters `terminal_safe` escapes written as `\\uXXXX`.

    A JSON reader gets the exact text back; a terminal showing the JSON gets no bidi
    override or C1 control (the JSON encoder already escapes C0 controls inside strings,
    and every such character can only sit inside a string).
    """
    if not has_unsafe_characters(document):
        return document
    return _unsafe(keep_newlines=True).sub(lambda match: f"\\u{ord(match.group()):04x}", document)


def has_unsafe_characters(text: str) -> bool:
    """True if printing `text` raw could change the terminal's state or mislead the reader."""
    if _printable(text, keep_newlines=True):
        return False
    return _unsafe(keep_newlines=True).search(text) is not None


def counted(count: int, noun: str) -> str:
    """`1 note`, `2 notes`: a count and its noun, plural when it is not one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
