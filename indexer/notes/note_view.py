"""What a search shows of a note (its body's blocks, lines and section), kept in the index.

A build writes each note's blocks as one compact value (`encode_note_view`); a search
reads it back (`indexed_view`) instead of reading and parsing the file, as long as the
file still has the size and modification time it had when it was indexed. The value is
a version byte, then a zlib stream (ISA-L's deflate where `isal` is installed: the same
format, read back with `zlib`) of UTF-8 text: a JSON head (body line, section, each
block's kind, line, level and link spans), then each block's text, all NUL-separated
(a note's text holds no NUL; the texts kept out of JSON decode in a sixth of the time).
Plain lists, no pickled objects: an index never runs code, and a damaged value is only
a value that does not decode.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from indexer.deflate import deflate
from indexer.notes.blocks import Block, blocks_text

# The first byte of a stored value: the layout below. A value of another version is not
# read (its note is parsed from its file instead); bump with any change of the layout.
VIEW_VERSION = 1
# Deflate level: ISA-L's fastest (1 of 0-3) and zlib's 1 give about a third of the text's
# size on news notes; higher levels save a few percent for twice the time.
_LEVEL = 1
# A block kind as one letter in the stored value.
_KIND_LETTERS = {"heading": "h", "text": "t", "code": "c", "image": "i"}
_KINDS = {letter: kind for kind, letter in _KIND_LETTERS.items()}


class ParsedNote(Protocol):
    """What a view is made of: a `notes.note.Note` (named so, not imported: it imports this)."""

    path: str
    blocks: tuple[Block, ...]
    body_line: int
    section: str
    title: str
    subtitle: str
    tags: tuple[str, ...]


class NoteViewError(ValueError):
    """A stored view that does not decode: damaged, or written in another layout."""


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class NoteView(NamedTuple):
    """What a hit shows of a note: the fields passages and `similar` read, no more."""

    path: str  # relative to the corpus root, `/` separators
    blocks: tuple[Block, ...]  # the body as `markdown.parse_markdown` reads it
    body_line: int = 1  # line of the file where the body starts (1-based)
    section: str = ""  # the heading the body sits under, if any
    title: str = ""
    subtitle: str = ""
    tags: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The body as a reader sees it: a line per block, without markup (as `Note.text`)."""
        return blocks_text(self.blocks)

    @classmethod
    def of(cls, note: ParsedNote) -> NoteView:
        """The view of a note just parsed."""
        return cls(note.path, note.blocks, note.body_line, note.section, note.title, note.subtitle, note.tags)


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class IndexedNote(NamedTuple):
    """What the index holds of a note for showing it: its file's size and modification
    time when it was indexed, its stored view (`encode_note_view`; None in an index
    written without one) and the stored fields a view adds."""

    mtime_ns: int | None
    size: int | None
    value: bytes | None
    title: str = ""
    subtitle: str = ""
    tags: tuple[str, ...] = ()


def encode_note_view(note: ParsedNote) -> bytes:
    """The value stored with a note at build time: its body's blocks, body line and section
    (empty for the rare note whose text holds a NUL, which the layout uses: it is parsed)."""
    items = []
    for block in note.blocks:
        item: list = [_KIND_LETTERS[block.kind], block.line]
        if block.level or block.atoms:
            item.append(block.level)
        if block.atoms:
            item.append([offset for atom in block.atoms for offset in atom])
        items.append(item)
    texts = [block.text for block in note.blocks]
    if any("\x00" in text for text in texts):
        return b""
    head = json.dumps([note.body_line, note.section, items], separators=(",", ":"))
    data = "\x00".join((head, *texts)).encode("utf-8")
    return bytes((VIEW_VERSION,)) + deflate(data, _LEVEL)


def decode_note_view(
    value: bytes, path: str, *, title: str = "", subtitle: str = "", tags: Sequence[str] = ()
) -> NoteView:
    """The view `encode_note_view` stored; raise `NoteViewError` if `value` is not one."""
    if not isinstance(value, bytes) or not value or value[0] != VIEW_VERSION:
        raise NoteViewError(f"{path}: stored view of another version or none")
    try:
        head, *texts = zlib.decompress(value[1:]).decode("utf-8").split("\x00")
        body_line, section, items = json.loads(head)
        if len(items) != len(texts):
            raise ValueError("as many blocks as texts")
        blocks = tuple(_blocks(texts, items))
    except (zlib.error, UnicodeDecodeError, TypeError, ValueError, KeyError) as exc:
        raise NoteViewError(f"{path}: stored view does not decode ({type(exc).__name__})") from None
    if type(body_line) is not int or type(section) is not str:
        raise NoteViewError(f"{path}: stored view does not decode (its header)")
    return NoteView(path, blocks, body_line, section, title, subtitle, tuple(tags))


def indexed_view(root: str, rel_path: str, indexed: IndexedNote) -> NoteView | None:
    """The note's view from the index when its file is as it was indexed (the same size and
    modification time, a regular file), or when the whole corpus folder is gone (moved, or
    on a drive not mounted: the hits come from the index, and so do their passages); None
    when the file changed or was deleted since, or the stored view is missing or damaged:
    the caller then reads the file, as for an older index (a deleted note shows nothing)."""
    if indexed.value is None or indexed.mtime_ns is None:
        return None
    try:
        info = os.stat(os.path.join(root, rel_path), follow_symlinks=False)
    except FileNotFoundError:
        if os.path.isdir(root):
            return None  # deleted: what it said is not shown again
    except OSError:
        return None  # parsing it says why it cannot be read now
    else:
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_mtime_ns != indexed.mtime_ns
            or info.st_size != indexed.size
        ):
            return None
    try:
        return decode_note_view(
            indexed.value, rel_path, title=indexed.title, subtitle=indexed.subtitle, tags=indexed.tags
        )
    except NoteViewError:
        return None


def _blocks(texts: list[str], items: list[list]) -> list[Block]:
    make = Block._make  # tuple.__new__: a third of the cost of calling Block
    blocks = []
    for text, item in zip(texts, items, strict=True):
        if len(item) == 2:  # most blocks: a kind and a line
            letter, line = item
            level, spans = 0, ()
        else:
            letter, line, level, *rest = item
            atoms = rest[0] if rest else ()
            spans = tuple(zip(atoms[::2], atoms[1::2], strict=True))
            if type(level) is not int:
                raise ValueError("a level that is no number")
        if type(line) is not int:
            raise ValueError("a line that is no number")
        blocks.append(make((_KINDS[letter], text, line, level, spans)))
    return blocks
