"""Reduce markdown to the words a reader sees, line by line (line numbers are kept)."""

from __future__ import annotations

import re

# Every rule is linear in the line: a text or target stops at the next opening bracket,
# and emphasis at the next mark, so a line of `![a](`, `[a](` or `*x ` is read a bounded
# number of times (unbounded `.+?` and `[^)]*` made those lines quadratic).
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)([^*\n]+?)(?<=\S)\1|(_{2,3})(?=\S)([^_\n]+?)(?<=\S)\3")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")


def strip_markdown(text: str) -> str:
    """Drop image/link targets and emphasis marks; keep link and image texts.

    Works on whole texts but never removes a newline, so line N of the result is
    line N of the input.
    """
    if "[" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
    if "*" in text or "__" in text:
        text = _EMPHASIS.sub(lambda match: match[2] or match[4], text)
    return text


def strip_line_marks(line: str) -> str:
    """Remove a heading's `#`s or a blockquote's `>`s from one line."""
    return _QUOTE.sub("", _HEADING.sub("", line))
