"""Notes with YAML (`---`) or TOML (`+++`) front matter; the body is the markdown below it.

YAML is read with python-frontmatter, whose loader is `yaml.SafeLoader`: tags such as
`!!python/object/apply` are refused, never executed.
"""

from __future__ import annotations

import re

from indexer.formats import NoteDraft
from indexer.tags import split_tag_list

_YAML_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_TOML_FENCE = re.compile(r"^\+{3,}[ \t]*$", re.MULTILINE)
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)

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
    draft.title = _as_text(values["title"])
    if not draft.title and (heading := _FIRST_HEADING.search(draft.body)):
        draft.title = heading.group(1)
    draft.subtitle = _as_text(values["subtitle"])
    draft.source = _as_text(values["source"])
    draft.link = _as_text(values["link"])
    draft.author = values["author"]
    draft.date = values["date"]
    draft.tag_texts = split_tag_list(values["tags"])
    return draft


def _load_yaml(header: str) -> object:
    import yaml  # imported here: only notes with front matter pay for it
    from frontmatter.default_handlers import YAMLHandler

    try:
        return YAMLHandler().load(header)
    except yaml.YAMLError as exc:
        # The header starts on the fence line, so its line N is line N + 1 of the file.
        problem = getattr(exc, "problem", None) or type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FrontMatterError(f"broken YAML front matter{where}: {problem}") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise FrontMatterError(f"broken YAML front matter: {exc}") from None


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


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(item) for item in value if item is not None)
    if isinstance(value, dict):
        return ""
    return " ".join(str(value).split())
