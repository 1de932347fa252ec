"""Note formats: each module turns the text of one note format into a `NoteDraft`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class NoteDraft:
    """Raw fields as a format found them, before dates, authors and tags are normalised."""

    title: str = ""
    subtitle: str = ""
    body: str = ""
    body_line: int = 1  # line of the file where `body` starts (1-based)
    section: str = ""  # the heading the body sits under ("Article"), if any
    source: str = ""
    author: object = None  # a string, or a list of names (YAML)
    date: object = None  # a string, or a date/datetime (YAML)
    tag_texts: list[str] = field(default_factory=list)
    link: str = ""
    indicators: str = ""  # IOC lines (hashes, IPs, URLs) from the tag sections
    warnings: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other names of the note (Obsidian `aliases`)
    # Obsidian `#tags` in the text count as tags, except where the format has its own tag section.
    inline_tags: bool = True
