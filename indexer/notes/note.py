"""Read one note file into a `Note`: decoding, format detection, normalised fields. No Whoosh here."""

from __future__ import annotations

import codecs
import errno
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import NoteParseError
from indexer.notes.blocks import blocks_text
from indexer.notes.corpus import special_file_reason
from indexer.notes.note_view import IndexedNote, NoteView, indexed_view

if TYPE_CHECKING:
    from indexer.notes.blocks import Block
    from indexer.notes.formats import NoteDraft

DEFAULT_MAX_NOTE_BYTES = 10 * 1024 * 1024
# One-line fields (title, author, ...) longer than this are cut: a hostile 5 MB title
# would otherwise be printed whole with every hit.
MAX_LINE_FIELD_CHARS = 1000

# Author/source values that mean "nobody said".
_MISSING_NAMES = frozenset({"", "unknown", "none", "null", "n/a", "anonymous", "-"})
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Note:
    """One note's fields, normalised and ready to index or display."""

    path: str  # relative to the corpus root, `/` separators
    title: str
    subtitle: str = ""
    body: str = ""
    body_line: int = 1  # line of the file where `body` starts (1-based)
    section: str = ""  # the heading the body sits under ("Article"), if any
    source: str = ""
    author: str = ""  # as written ("Andrea Peterson and Martin Matishak")
    authors: tuple[str, ...] = ()  # one name each
    date: date | None = None
    tags: tuple[str, ...] = ()
    structured: tuple[tuple[str, str], ...] = ()  # (`victim.country.name`, `Ukraine`)
    link: str = ""
    indicators: str = ""  # hashes, IPs, URLs listed after the tags
    warnings: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()  # the body as markdown-it reads it (see `markdown`)
    links: tuple[str, ...] = ()  # targets of the body's links, images and wiki links
    aliases: tuple[str, ...] = ()  # other names of the note (front-matter `aliases`)

    @property
    def text(self) -> str:
        """The body as a reader sees it: a line per block, without markup."""
        return blocks_text(self.blocks)


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


def parse_note_text(text: str, rel_path: str) -> Note:
    """Build a `Note` from its text; `rel_path` names it in warnings and is its `path`."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    # The parsers are loaded here, not with this module: a search shows the notes the
    # index keeps (`note_view`) and parses only a note edited since it was indexed.
    from indexer.notes.formats.front_matter import FrontMatterError, has_front_matter, parse_front_matter
    from indexer.notes.formats.infolist import parse_infolist

    # Front matter may follow a blank first line (seen in real notes).
    stripped = text.lstrip("\ufeff \t\n")
    try:
        if has_front_matter(stripped):
            draft = parse_front_matter(stripped)
            draft.body_line += text[: len(text) - len(stripped)].count("\n")
        else:
            draft = parse_infolist(text)
    except FrontMatterError as exc:
        raise NoteParseError(rel_path, str(exc)) from None
    except RecursionError:
        raise NoteParseError(rel_path, "structure nested too deeply to parse") from None
    return _finish(draft, rel_path)


def parse_note(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_NOTE_BYTES, indexed: bool = False
) -> Note:
    """Read and parse the note at `path`; its `path` field is relative to `root`.

    `indexed`: the note is read again after it was indexed (for a search): what is at its
    path now must be a regular file inside `root`, not a link to somewhere else.
    """
    from indexer.notes.parse_budget import ParseBudgetExceeded

    rel_path = relative_note_path(path, root)
    try:
        text = read_note_text(path, max_bytes=max_bytes, inside=root if indexed else None)
    except NoteParseError as exc:
        raise NoteParseError(rel_path, exc.reason) from None
    try:
        return parse_note_text(text, rel_path)
    except ParseBudgetExceeded as exc:
        raise NoteParseError(rel_path, exc.reason) from None


class NoteMemo:
    """Parsed notes kept between searches by a long-lived process (the resident one).

    A note is parsed again unless its file has the device, inode, size, mtime and ctime
    it had when it was parsed: an edit, a rename over it, a chmod (ctime) all show, and a
    file with the same inode and ctime has the content that was read, through the same
    checks (a regular file inside the corpus). At most `limit` notes and `max_chars`
    characters of body are kept, the least recently used leaving first.
    """

    def __init__(self, limit: int = 500, max_chars: int = 8_000_000) -> None:
        from collections import OrderedDict
        from threading import Lock

        self.limit, self.max_chars = limit, max_chars
        self._kept: OrderedDict[str, tuple[tuple[int, ...], Note]] = OrderedDict()
        self._chars = 0
        self._lock = Lock()
        self.parsed = 0  # notes parsed (not found here): for tests

    def get(self, path: Path, root: Path) -> Note:
        """The note at `path`, parsed as `parse_note(path, root, indexed=True)` would."""
        key = str(path)
        signature = _file_signature(path)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and signature is not None and kept[0] == signature:
                self._kept.move_to_end(key)
                return kept[1]
        note = parse_note(path, root, indexed=True)
        after = _file_signature(path)
        with self._lock:
            self.parsed += 1
            if (
                after is None
                or after != signature
                or len(note.body) > self.max_chars // 4
                # Written in the last seconds: another write within the clock's tick
                # would leave the same mtime (as git's "racy" files): not kept yet.
                or time.time_ns() - after[3] < _SETTLED_NS
            ):
                return note  # changed while read, or too big or too new to keep
            old = self._kept.pop(key, None)
            if old is not None:
                self._chars -= len(old[1].body)
            self._kept[key] = (after, note)
            self._chars += len(note.body)
            while self._kept and (len(self._kept) > self.limit or self._chars > self.max_chars):
                _, (_, dropped) = self._kept.popitem(last=False)
                self._chars -= len(dropped.body)
        return note


_SETTLED_NS = 2_000_000_000


def _file_signature(path: Path) -> tuple[int, ...] | None:
    import stat

    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class ParsedNotes:
    """Notes of one corpus read on demand, each parsed once: the notes one search reads.

    Ranking checks the exact words of its best matches in their text, and the passages
    of the page shown come from the same notes: from the view the index keeps of each
    (`shown`, no parse) while its file is as it was indexed. Make a new one for each
    search, so that a note edited since is read again; a `memo` (a long-lived process's)
    keeps parsed notes between searches, each checked against its file's stat first.
    """

    def __init__(self, root: Path, memo: NoteMemo | None = None) -> None:
        self.root = Path(root)
        self._root = str(root)
        self._memo = memo
        self._notes: dict[str, Note | None] = {}
        self._shown: dict[str, NoteView | None] = {}
        self._texts: dict[str, str | None] = {}  # files as written, for ranking
        # Why a note could not be read now, by path: a FIFO or a link put at its path, a
        # note that takes too long to parse. A vanished file is no news and is not listed.
        self.problems: dict[str, str] = {}

    def get(self, rel_path: str) -> Note | None:
        """The note at `rel_path` (relative to the root), None if it cannot be read now."""
        if rel_path not in self._notes:
            from indexer.notes.parse_budget import ParseBudgetExceeded, parse_budget

            try:
                with parse_budget():
                    if self._memo is not None:
                        self._notes[rel_path] = self._memo.get(self.root / rel_path, self.root)
                    else:
                        self._notes[rel_path] = parse_note(self.root / rel_path, self.root, indexed=True)
            except (NoteParseError, ParseBudgetExceeded) as exc:
                self._notes[rel_path] = None  # the file changed or vanished since it was indexed
                if not exc.reason.startswith("file disappeared"):
                    self.problems[rel_path] = exc.reason
        return self._notes[rel_path]

    def shown(self, rel_path: str, indexed: IndexedNote | None = None) -> NoteView | None:
        """What a hit shows of the note at `rel_path` (None if it cannot be read now): the
        view the index keeps (`indexed`) while the file is as it was indexed, without
        reading or parsing it; else the file parsed now (`get`)."""
        if rel_path not in self._shown:
            view = indexed_view(self._root, rel_path, indexed) if indexed is not None else None
            if view is None:
                note = self.get(rel_path)
                view = NoteView.of(note) if note is not None else None
            self._shown[rel_path] = view
        return self._shown[rel_path]

    def text(self, rel_path: str) -> str | None:
        """The note's file as written, not parsed (None if it cannot be read now): ranking
        looks for a few words as typed in the text of its best matches, and reading a
        file costs far less than parsing it (about 6 ms a news note)."""
        if rel_path not in self._texts:
            try:
                self._texts[rel_path] = read_note_text(self.root / rel_path, inside=self.root)
            except NoteParseError:
                self._texts[rel_path] = None
        return self._texts[rel_path]


def relative_note_path(path: Path, root: Path) -> str:
    """The note's path relative to the corpus root, with `/` separators."""
    return Path(os.path.relpath(path, root)).as_posix()


def split_authors(value: object) -> tuple[str, ...]:
    """Author names from a string (`A, B and C`) or a YAML list; `Unknown` counts as none."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        names = [" ".join(str(item).split()) for item in value if isinstance(item, str | int | float)]
    else:
        names = _AUTHOR_SEPARATORS.split(" ".join(str(value).split()))
    unique: dict[str, str] = {}
    for name in names:
        name = name.strip()
        if name.lower() not in _MISSING_NAMES:
            unique.setdefault(name.casefold(), name)
    return tuple(unique.values())


def _finish(draft: NoteDraft, rel_path: str) -> Note:
    from indexer.notes.dates import DateError, is_missing_date, normalize_date
    from indexer.notes.markdown import parse_markdown
    from indexer.notes.tags import MAX_STRUCTURED_FIELDS, cap_structured_fields, parse_wiki_tags

    warnings = list(draft.warnings)
    note_date = None
    if draft.date is not None:
        try:
            note_date = normalize_date(draft.date)
        except DateError as exc:
            warnings.append(f"{exc}; the note is indexed without a date")
        else:
            if note_date is None and isinstance(draft.date, str) and is_missing_date(draft.date):
                warnings.append(
                    f"date is {draft.date.strip() or 'empty'!r}; the note is indexed without a date"
                )
    authors = split_authors(draft.author)
    if isinstance(draft.author, list | tuple):
        author = ", ".join(authors)
    else:
        author = " ".join(str(draft.author).split()) if authors else ""
    source = draft.source if draft.source.strip().lower() not in _MISSING_NAMES else ""
    parsed = parse_markdown(draft.body)
    tag_texts = draft.tag_texts + list(parsed.tags) if draft.inline_tags else draft.tag_texts
    tags, structured = parse_wiki_tags(tag_texts)
    tags, structured, moved = cap_structured_fields(tags, structured)
    if moved:
        warnings.append(
            f"more than {MAX_STRUCTURED_FIELDS} structured-tag fields; {moved} tags of the others "
            "are indexed as plain tags"
        )
    # One-line fields: collapse runs of whitespace, including no-break spaces.
    # No title said: the first level-1 heading outside code, else the file's name (Obsidian's way).
    title = _one_line(draft.title or parsed.first_heading(1), "title", warnings)
    if not title:
        title = _title_from_file_name(rel_path)
        if not draft.body.strip() and not draft.tag_texts:
            warnings.append("empty note; indexed by its file name only")
    return Note(
        path=rel_path,
        title=title,
        subtitle=_one_line(draft.subtitle, "subtitle", warnings),
        body=draft.body,
        body_line=draft.body_line,
        section=draft.section,
        source=_one_line(source, "source", warnings),
        author=_one_line(author, "author", warnings),
        authors=tuple(name[:MAX_LINE_FIELD_CHARS] for name in authors),
        date=note_date,
        tags=tags,
        structured=structured,
        link=_one_line(draft.link, "link", warnings),
        indicators=draft.indicators,
        warnings=tuple(warnings),
        blocks=parsed.blocks,
        links=tuple(link[:MAX_LINE_FIELD_CHARS] for link in parsed.links if link),
        aliases=tuple(dict.fromkeys(_one_line(alias, "alias", warnings) for alias in draft.aliases)),
    )


def _one_line(text: str, name: str, warnings: list[str]) -> str:
    """`text` on one line, cut (with a warning) if longer than `MAX_LINE_FIELD_CHARS`."""
    line = " ".join(text.split())
    if len(line) <= MAX_LINE_FIELD_CHARS:
        return line
    warnings.append(f"{name} longer than {MAX_LINE_FIELD_CHARS} characters; cut")
    cut = line.rfind(" ", 0, MAX_LINE_FIELD_CHARS)
    return line[: cut if cut > MAX_LINE_FIELD_CHARS // 2 else MAX_LINE_FIELD_CHARS - 1] + "…"


def _title_from_file_name(rel_path: str) -> str:
    stem = Path(rel_path).stem
    if stem.lower() in ("index", "_index", "readme") and "/" in rel_path:
        stem = Path(rel_path).parent.name
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words) or stem


def _human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.0f} {unit}"
        size /= 1024
    return f"{size} bytes"
