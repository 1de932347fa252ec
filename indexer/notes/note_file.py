"""A note file's text: opened without blocking, checked, size-capped, decoded, `\\n` line
ends. Apart from `note` (the `Note` and its parse): a search reads the text of its best
matches (ranking) without loading the parsers or building the `Note` dataclass."""

from __future__ import annotations

import codecs
import errno
import os
from pathlib import Path

from indexer.errors import NoteParseError
from indexer.notes.corpus import special_file_reason

DEFAULT_MAX_NOTE_BYTES = 10 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_note_text(path: Path, *, max_bytes: int = DEFAULT_MAX_NOTE_BYTES, inside: Path | None = None) -> str:
    """Return a note's text with `\\n` line ends; raise `NoteParseError` saying why not.

    The file is opened without blocking (a FIFO put at a note's path must not hang us)
    and must be a regular file. With `inside` (the corpus root; a search reads notes
    indexed earlier, which may have been swapped since), the path must not be a symbolic
    link now and the file opened must lie inside that folder.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if inside is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise NoteParseError(str(path), "file disappeared before it could be read") from None
    except PermissionError:
        raise NoteParseError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise NoteParseError(str(path), "is a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and inside is not None:
            raise NoteParseError(str(path), "is a symbolic link now, not the note that was indexed") from None
        raise NoteParseError(str(path), exc.strerror or str(exc)) from None
    try:
        _check_opened(descriptor, path, inside)
        raw = _read_at_most(descriptor, max_bytes + 1)
    except OSError as exc:
        raise NoteParseError(str(path), exc.strerror or str(exc)) from None
    finally:
        os.close(descriptor)
    if len(raw) > max_bytes:
        raise NoteParseError(str(path), f"larger than the {_human_size(max_bytes)} size cap (--max-size)")
    text = decode_note_bytes(raw, str(path))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _check_opened(descriptor: int, path: Path, inside: Path | None) -> None:
    reason = special_file_reason(os.fstat(descriptor).st_mode)
    if reason is not None:
        raise NoteParseError(str(path), reason)
    if inside is None:
        return
    proc_link = f"/proc/self/fd/{descriptor}"
    opened = os.readlink(proc_link) if os.path.islink(proc_link) else os.path.realpath(path)
    root = os.path.realpath(inside)
    if os.path.commonpath([root, opened]) != root:
        raise NoteParseError(str(path), "lies outside the corpus folder now (a linked folder?)")


def _read_at_most(descriptor: int, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def decode_note_bytes(raw: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16/32; refuse binary data."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise NoteParseError(
                    name, f"not valid {encoding.upper()} ({exc.reason} at byte {exc.start})"
                ) from None
    if b"\x00" in raw[:8192]:
        raise NoteParseError(name, "binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteParseError(
            name, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.0f} {unit}"
        size /= 1024
    return f"{size} bytes"
