"""Notes with YAML (`---`) or TOML (`+++`) front matter; the body is the markdown below it.

YAML is read with python-frontmatter's loader, `yaml.SafeLoader`: tags such as
`!!python/object/apply` are refused, never executed. Two more guards for notes from the
web: a timestamp YAML cannot turn into a date (year 0) stays text, so the note is indexed
without a date rather than refused; and aliases that expand the header far beyond its
size (a "billion laughs" bomb) are refused before anything walks the values.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from indexer.notes.formats import NoteDraft
from indexer.notes.tags import split_tag_list

if TYPE_CHECKING:
    import yaml

_YAML_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_TOML_FENCE = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)

_KEYS = {
    "title": ("title",),
    "subtitle": ("subtitle", "description", "summary"),
    "author": ("author", "authors", "creator", "by"),
    "source": ("source", "site", "publisher"),
    "date": ("date", "published", "pubdate", "created"),
    "tags": ("tags", "keywords"),
    "link": ("link", "url", "source_url", "canonical_url"),
}


class FrontMatterError(ValueError):
    """The front matter is present but unusable (bad syntax, not a mapping)."""


def has_front_matter(text: str) -> bool:
    """True when the note opens with a `---` or `+++` fence."""
    return text.startswith(("---\n", "+++\n")) or text in ("---", "+++")


def parse_front_matter(text: str) -> NoteDraft:
    """Parse a note that starts with a front-matter fence (see `has_front_matter`)."""
    fence = _TOML_FENCE if text.startswith("+++") else _YAML_FENCE
    parts = fence.split(text, 2)
    if len(parts) < 3:
        raise FrontMatterError("front matter is not closed (no second fence line)")
    _, header, body = parts
    metadata = _load_toml(header) if fence is _TOML_FENCE else _load_yaml(header)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise FrontMatterError(f"front matter is a {type(metadata).__name__}, not a mapping of keys")

    draft = NoteDraft()
    header_lines = text[: len(text) - len(body)].count("\n")
    stripped_body = body.lstrip("\n")
    draft.body_line = header_lines + 1 + (len(body) - len(stripped_body))
    draft.body = stripped_body.rstrip()

    values = {name: _first(metadata, keys) for name, keys in _KEYS.items()}
    # Without a title, the note's first level-1 heading (outside code) names it: see `notes`.
    draft.title = _as_text(values["title"])
    draft.subtitle = _as_text(values["subtitle"])
    draft.source = _as_text(values["source"])
    draft.link = _as_text(values["link"])
    draft.author = values["author"]
    draft.date = values["date"]
    draft.tag_texts = split_tag_list(values["tags"])
    draft.aliases = _as_list(_first(metadata, ("aliases", "alias")))
    return draft


def _load_yaml(header: str) -> object:
    import yaml  # imported here: only notes with front matter pay for it

    try:
        metadata = yaml.load(header, Loader=_yaml_loader())
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (ESC, other controls)
        line = header[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else 0
        where = f" at line {line}" if line else ""
        raise FrontMatterError(
            f"YAML front matter holds a character YAML does not allow (U+{exc.character:04X}{where}); "
            "remove it or write it as an escape in a double-quoted string"
        ) from None
    except yaml.YAMLError as exc:
        # The header starts on the fence line, so its line N is line N + 1 of the file.
        problem = getattr(exc, "problem", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FrontMatterError(f"broken YAML front matter{where}: {problem}") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise FrontMatterError(f"broken YAML front matter: {exc}") from None
    # Without aliases a header of N characters holds fewer than N values.
    if _exceeds(metadata, len(header) + _ALIAS_ALLOWANCE):
        raise FrontMatterError("YAML front matter expands too much through aliases (an alias bomb?)")
    return metadata


_ALIAS_ALLOWANCE = 10_000


@functools.cache
def _yaml_loader() -> type:
    """python-frontmatter's safe loader, with timestamps that are not dates kept as text."""
    from frontmatter.default_handlers import SafeLoader

    class NoteLoader(SafeLoader):
        def construct_yaml_timestamp(self, node: yaml.Node) -> object:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:  # `0000-01-01`, `2021-02-30`: normalize_date says why
                return self.construct_scalar(node)

    NoteLoader.add_constructor("tag:yaml.org,2002:timestamp", NoteLoader.construct_yaml_timestamp)
    return NoteLoader


def _exceeds(value: object, limit: int) -> bool:
    """True if `value` holds more than `limit` values, counting shared ones each time."""
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set):
            pending.extend(item)
    return False


def _load_toml(header: str) -> object:
    import tomllib

    try:
        return tomllib.loads(header)
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"broken TOML front matter: {exc}") from None


def _first(metadata: dict, keys: tuple[str, ...]) -> object:
    lowered = {str(key).lower(): value for key, value in metadata.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_list(value: object) -> list[str]:
    """One text per item of a YAML list (or of a comma-separated string)."""
    if value is None or isinstance(value, dict):
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [text for item in items if (text := _as_text(item))]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(item) for item in value if item is not None)
    if isinstance(value, dict):
        return ""
    return " ".join(str(value).split())
