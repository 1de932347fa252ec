"""A note's body as a reader sees it: its blocks (headings, text, code, images).

Apart from `markdown`, which reads them from a note's text: a search shows the blocks
the index keeps (`note_view`) and so loads none of the parsing code (`markdown`, the
note formats, dates), ~40 M instructions of a one-shot search.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Span = tuple[int, int]
BlockKind = Literal["heading", "text", "code", "image"]


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class Block(NamedTuple):
    """One block of a note as a reader sees it."""

    kind: BlockKind  # "image": a paragraph of nothing but images (their alt text)
    text: str  # plain text: one line for headings and text, the code's lines for code
    line: int  # 0-based line of the parsed text where the block starts
    level: int = 0  # headings: 1-6
    atoms: tuple[Span, ...] = ()  # link texts and code spans: a passage is never cut inside one


def blocks_text(blocks: tuple[Block, ...]) -> str:
    """The plain text of `blocks` as a reader sees it: a line per block that has text
    (code keeps its lines), no markup. A note's `text`, its parse's and its view's."""
    return "\n".join(block.text for block in blocks if block.text)
