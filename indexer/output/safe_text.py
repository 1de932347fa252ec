"""Make untrusted note text safe to print on a terminal.

Notes come from the web: a title may hold ESC sequences (colours, OSC 8 links, OSC 52
clipboard writes, clear-screen), a bare CR that overwrites the line, or bidi overrides
that reorder what the reader sees. Every such character is shown escaped instead.
"""

from __future__ import annotations

import re

# C0 controls but TAB/LF, DEL, C1 controls, bidi embeddings/overrides/isolates,
# zero-width marks that can hide text, line/paragraph separators, and the BOM.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_UNSAFE_ONE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


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
    pattern = _UNSAFE if keep_newlines else _UNSAFE_ONE_LINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def json_safe(document: str) -> str:
    """Serialized JSON with the characters `terminal_safe` escapes written as `\\uXXXX`.

    A JSON reader gets the exact text back; a terminal showing the JSON gets no bidi
    override or C1 control (the JSON encoder already escapes C0 controls inside strings,
    and every such character can only sit inside a string).
    """
    if _UNSAFE.search(document) is None:
        return document
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


def has_unsafe_characters(text: str) -> bool:
    """True if printing `text` raw could change the terminal's state or mislead the reader."""
    return _UNSAFE.search(text) is not None


def counted(count: int, noun: str) -> str:
    """`1 note`, `2 notes`: a count and its noun, plural when it is not one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
