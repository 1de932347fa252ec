"""Tags as notes write them: `[[wiki links]]`, stray punctuation, and `key.path=value` facts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# The text of a `[[link]]` holds no `[[` or `]]`, so a line of unclosed `[[` is read once,
# not once from each of them (the old `\[\[(.*?)\]\]` was quadratic).
WIKI_LINK = re.compile(r"\[\[((?:[^\[\]\n]|\[(?!\[)|\](?!\]))*)\]\]")

# A structured tag's key: dotted identifiers such as `victim.country.name`.
_STRUCTURED_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$")

# Punctuation that clings to a tag when it was cut out of running text:
# `[[devices,]]`, `[[‘dark]]`, `[[(cvss]]`, `[[Explorer.]]`.
_LEADING_JUNK = "\"'“”‘’«»([{<*_`"
_TRAILING_JUNK = "\"'“”‘’«»)]}>,.;:!?*_`"

# The last part of most keys is a generic `name`; the part before it says what it is.
_GENERIC_KEY_PARTS = frozenset({"name", "value", "id"})

# Each structured field becomes a field of the index (with files of its own in every
# segment); real notes use at most 6, a hostile one could bring thousands.
MAX_STRUCTURED_FIELDS = 20


def clean_tag(text: str) -> str:
    """Trim whitespace and stray punctuation; return "" when nothing meaningful is left."""
    tag = " ".join(text.split()).lstrip(_LEADING_JUNK + " ").rstrip(_TRAILING_JUNK + " ")
    if not any(ch.isalnum() for ch in tag):
        return ""
    return tag


def split_structured(text: str) -> tuple[str, str] | None:
    """Return `(key, value)` for a `key.path=value` tag, None for a plain tag."""
    key, sep, value = text.partition("=")
    if not sep:
        return None
    key = key.strip()
    if not _STRUCTURED_KEY.match(key):
        return None
    return key, value.strip()


@lru_cache(maxsize=4096)  # a few keys recur in every note
def structured_field_name(key: str) -> str:
    """Short, searchable name of a structured key: `action.malware.name` -> `malware`."""
    parts = [part.lower().replace("-", "_") for part in key.split(".")]
    while len(parts) > 1 and parts[-1] in _GENERIC_KEY_PARTS:
        parts.pop()
    return parts[-1]


def parse_wiki_tags(
    links: Iterable[str],
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Split raw wiki-link texts into plain tags and structured `(key, value)` pairs.

    Both keep their first-seen order and drop duplicates (case-insensitively for
    plain tags); structured tags with an empty value are dropped.
    """
    plain: dict[str, str] = {}
    structured: dict[tuple[str, str], None] = {}
    for raw in links:
        pair = split_structured(raw)
        if pair is not None:
            key, value = pair
            value = clean_tag(value)
            if value:
                structured.setdefault((key, value), None)
            continue
        tag = clean_tag(raw)
        if tag:
            plain.setdefault(tag.casefold(), tag)
    return tuple(plain.values()), tuple(structured)


def split_tag_list(value: object) -> list[str]:
    """Tags from front matter: a YAML list, or one comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",")]
    if isinstance(value, list | tuple | set):
        return [str(item) for item in value if item is not None and not isinstance(item, dict)]
    return [str(value)]


def cap_structured_fields(
    tags: tuple[str, ...], structured: tuple[tuple[str, str], ...], limit: int = MAX_STRUCTURED_FIELDS
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], int]:
    """Keep structured tags of the first `limit` field names; the others become plain
    `key=value` tags, so they stay searchable. Returns (tags, structured, moved)."""
    fields: set[str] = set()
    kept: list[tuple[str, str]] = []
    moved: list[str] = []
    for key, value in structured:
        name = structured_field_name(key)
        if name in fields or len(fields) < limit:
            fields.add(name)
            kept.append((key, value))
        else:
            moved.append(f"{key}={value}")
    if not moved:
        return tags, structured, 0
    plain = {tag.casefold(): tag for tag in (*tags, *moved)}
    return tuple(plain.values()), tuple(kept), len(moved)
