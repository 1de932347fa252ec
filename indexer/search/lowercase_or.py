"""A lower-case `or` between two words is a stop word, not the operator: `conti or revil`
needs both words. When that finds nothing and `conti OR revil` finds notes, the user is
told (`Did you mean 'conti OR revil'?`), never left with a silent empty result."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from indexer.search.query import _blank_quotes
from indexer.search.spelling import Suggestion

if TYPE_CHECKING:
    from collections.abc import Callable

# `or` in any case but `OR`, as a word of its own between two others (not a field's value
# such as `tag:or`, nor the first or last word).
_LOWERCASE_OR = re.compile(r"(?<=\S\s)(?!OR)[oO][rR](?=\s+[^\s)])")

WHY = "lower-case 'or' is ignored and every word is needed; OR finds either"


def with_or_operator(text: str) -> str | None:
    """`text` with each lower-case `or` between two words (outside quotes) written `OR`, or
    None if it has none."""
    blank = _blank_quotes(text)
    spots = [match.start() for match in _LOWERCASE_OR.finditer(blank)]
    if not spots:
        return None
    chars = list(text)
    for at in spots:
        chars[at : at + 2] = "OR"
    return "".join(chars)


def or_suggestion(count: Callable[[str], int], text: str, total: int) -> Suggestion | None:
    """`text` with `OR` for its lower-case `or`, when `text` finds nothing (`total`) and
    that finds notes (`count` counts a query's hits); else None."""
    if total:
        return None
    written = with_or_operator(text)
    if written is None:
        return None
    from indexer.errors import QueryError

    try:
        found = count(written)
    except QueryError:
        return None
    return Suggestion(written, found, why=WHY) if found else None
