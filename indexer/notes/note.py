"""Read one note file into a `Note`: decoding, format detection, normalised fields. No Whoosh here."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.errors import NoteParseError
from indexer.notes.blocks import blocks_text
from indexer.notes.note_file import DEFAULT_MAX_NOTE_BYTES as DEFAULT_MAX_NOTE_BYTES
from indexer.notes.note_file import read_note_text

if TYPE_CHECKING:
    from indexer.notes.blocks import Block
    from indexer.notes.formats import NoteDraft

# One-line fields (title, author, ...) longer than this are cut: a hostile 5 MB title
# would otherwise be printed whole with every hit.
MAX_LINE_FIELD_CHARS = 1000

# Author/source values that mean "nobody said".
_MISSING_NAMES = frozenset({"", "unknown", "none", "null", "n/a", "anonymous", "-"})
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")


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
