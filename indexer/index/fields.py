"""The field names a user may type for one index (core fields, aliases, structured tags)."""

from __future__ import annotations

from typing import NamedTuple

from indexer.errors import QueryError
from indexer.index.schema import FIELD_ALIASES, STRUCTURED_PREFIX, USER_FIELDS


class FieldCatalog(NamedTuple):
    """The field names a user may type for one index, and what each one means there.
    (A NamedTuple, not a dataclass: ~1 M instructions to build instead of ~4.5 M on
    every one-shot search.)"""

    structured: tuple[str, ...] = ()  # short names of structured-tag fields: ("country", "malware")
    # The user's own names for fields (notes.toml `aliases`): (("a", "author"), ...).
    user_aliases: tuple[tuple[str, str], ...] = ()

    def index_field(self, name: str) -> str | None:
        """The index field a user-typed field name stands for, or None if unknown."""
        name = name.lower()
        name = dict(self.user_aliases).get(name, name)
        name = FIELD_ALIASES.get(name, name)
        if name in USER_FIELDS:
            return USER_FIELDS[name]
        if name in self.structured:
            return STRUCTURED_PREFIX + name
        return None

    def user_fields(self) -> list[str]:
        """Every field name a user may type, core fields first."""
        return [*USER_FIELDS, *(name for name in self.structured if name not in USER_FIELDS)]

    def aliases(self) -> dict[str, list[str]]:
        """Whoosh FieldAliasPlugin map: index field -> names users type for it."""
        mapping: dict[str, list[str]] = {}
        for alias, target in FIELD_ALIASES.items():
            mapping.setdefault(USER_FIELDS[target], []).append(alias)
        for name in self.structured:
            if name not in USER_FIELDS and name not in FIELD_ALIASES:
                mapping.setdefault(STRUCTURED_PREFIX + name, []).append(name)
        for alias, target in self.user_aliases:
            mapping.setdefault(self.index_field(target) or target, []).append(alias)
        return mapping


def catalog_from_field_names(
    index_field_names: list[str], *, user_aliases: dict[str, str] | None = None
) -> FieldCatalog:
    """A catalog for an index whose indexed fields are `index_field_names`.

    `user_aliases` (alias -> field name) must name fields this index has, and must not
    hide one; a bad alias is a `QueryError` naming it.
    """
    structured = sorted(
        name[len(STRUCTURED_PREFIX) :]
        for name in index_field_names
        if name.startswith(STRUCTURED_PREFIX)
        and name[len(STRUCTURED_PREFIX) :] not in USER_FIELDS
        and name[len(STRUCTURED_PREFIX) :] not in FIELD_ALIASES
    )
    catalog = FieldCatalog(structured=tuple(structured))
    checked = []
    for alias, target in (user_aliases or {}).items():
        alias, target = alias.lower(), target.lower()
        if catalog.index_field(alias) is not None:
            raise QueryError(
                f"alias {alias!r} is already a field name", hint="choose another name in notes.toml"
            )
        if catalog.index_field(target) is None:
            raise QueryError(
                f"alias {alias!r} names no field: {target!r}",
                hint="valid fields: " + ", ".join(catalog.user_fields()),
            )
        checked.append((alias, target))
    return FieldCatalog(structured=tuple(structured), user_aliases=tuple(checked))
