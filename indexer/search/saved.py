"""Saved searches: named queries kept in `saved-searches.toml` in the index folder, and the
`@name` references that run them.

The file is a flat TOML table, `name = "query"`, read with the standard library's
`tomllib` and written here (the format is too small to need a TOML writer); it can be
edited by hand. A rebuild of the index leaves it alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from indexer.errors import NotesError

SAVED_FILE = "saved-searches.toml"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# `@name` at the start of a word (not `user@example.com`), outside "quoted phrases".
_REFERENCE = re.compile(r'"[^"]*"?|(?<![^\s(])@(?P<name>[A-Za-z0-9_-]+)(?=[\s)]|$)')
_HEADER = '# Saved searches of notes-indexer: name = "query". Run one with: search @name\n'
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


class SavedSearchError(NotesError):
    """A saved search is unknown, badly named, or its file cannot be read or written."""


class SavedSearches:
    """The saved searches of one index folder."""

    def __init__(self, index_dir: Path | str) -> None:
        self.path = Path(index_dir) / SAVED_FILE

    def load(self) -> dict[str, str]:
        """Name -> query, in the file's order; empty when nothing was saved yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise SavedSearchError(f"cannot read {self.path}: {exc}") from None
        import tomllib  # only when there is a file to read: 2.4 ms of start-up otherwise

        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SavedSearchError(
                f"{self.path} is not valid TOML ({exc})", hint="fix or delete it"
            ) from None
        bad = [name for name, query in table.items() if not isinstance(query, str) or not valid_name(name)]
        if bad:
            raise SavedSearchError(
                f'{self.path}: {bad[0]!r} is not a saved search (name = "query")', hint="fix or delete it"
            )
        return table

    def get(self, name: str) -> str:
        """The query saved as `name`."""
        saved = self.load()
        if name not in saved:
            hint = "search --saved (:saved in the shell) lists them"
            if not saved:
                hint = 'save one first: search --save NAME "QUERY"'
            raise SavedSearchError(f"no saved search named '@{name}'", hint=hint)
        return saved[name]

    def save(self, name: str, query: str) -> bool:
        """Save `query` as `name`; True if it replaced an older one."""
        check_name(name)
        if not query.strip():
            raise SavedSearchError("cannot save an empty query")
        saved = self.load()
        replaced = name in saved
        saved[name] = query.strip()
        self._write(saved)
        return replaced

    def expand(self, text: str) -> str:
        """`text` with each `@name` replaced by its saved query (in parentheses, unless the
        reference is the whole text). Raises `SavedSearchError` for an unknown name."""
        if "@" not in text:
            return text
        alone = re.fullmatch(r"@([A-Za-z0-9_-]+)", text.strip())
        if alone:
            return self.get(alone[1])
        saved: dict[str, str] | None = None

        def replace(match: re.Match[str]) -> str:
            nonlocal saved
            name = match["name"]
            if name is None:
                return match.group()  # a quoted phrase, kept as it is
            if saved is None:
                saved = self.load()
            if name not in saved:
                self.get(name)  # raises with the right hint
            return f"({saved[name]})"

        return _REFERENCE.sub(replace, text)

    def _write(self, saved: dict[str, str]) -> None:
        from indexer.errors import IndexWriteError
        from indexer.index.index_folder import claim_index_folder

        try:
            claim_index_folder(self.path.parent)
        except IndexWriteError as exc:
            raise SavedSearchError(exc.message, hint=exc.hint) from None
        temporary = self.path.with_name(f".{SAVED_FILE}.{os.getpid()}.tmp")
        try:
            temporary.write_text(render_toml(saved), encoding="utf-8")
            os.replace(temporary, self.path)
        except (OSError, UnicodeEncodeError) as exc:
            temporary.unlink(missing_ok=True)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise SavedSearchError(f"cannot write {self.path}: {reason}") from None


def valid_name(name: str) -> bool:
    return bool(NAME_PATTERN.fullmatch(name))


def check_name(name: str) -> None:
    if not valid_name(name):
        raise SavedSearchError(
            f"{name!r} cannot name a saved search", hint="use letters, digits, - and _ (e.g. apt28-ukraine)"
        )


def render_toml(saved: dict[str, str]) -> str:
    """The TOML text of `saved`: a comment, then one `name = "query"` line each."""
    return _HEADER + "".join(f"{name} = {toml_string(query)}\n" for name, query in saved.items())


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, escaped."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
