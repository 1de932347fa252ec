"""Settings from `notes.toml` files: where each value came from, validated key by key.

Precedence, highest first: a command-line option, a `NOTES_*` environment variable,
`notes.toml` in the corpus folder, `notes.toml` in the current folder, `notes.toml` in
the user config folder (platformdirs), the built-in default. Every option that has a
`NOTES_NAME` variable has a key `name` (`KEYS`). Unknown keys are one warning each, with
the nearest known key; a bad value is an error naming the file and the key.

Trust: a notes folder is often cloned, synced or shared, so its own `notes.toml` may set
only the keys in `FROM_CORPUS` (search defaults, aliases). A key that runs a program,
names a path or widens what is read (`editor`, `index`, `collections`,
`follow_symlinks`...) comes only from the command line, the environment, the user's own
file or the current folder's; a corpus file setting it is a one-line warning.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from indexer.errors import NotesError
from indexer.output.formats import OutputFormat
from indexer.output.terminal import ColorMode
from indexer.search.options import SortOrder

COLLECTION_NAME = re.compile(r"[A-Za-z0-9_-]+")

CONFIG_FILE = "notes.toml"
APP_NAME = "notes-indexer"

SORT_ORDERS = tuple(order.value for order in SortOrder)
THEMES = ("default", "mono", "none")
ENGINES = ("whoosh", "opensearch")
COLORS = tuple(mode.value for mode in ColorMode)
# What `search` prints: text (hits with passages), or one of the script outputs.
OUTPUTS = tuple(output.value for output in OutputFormat)
# Fields a weight may be given to (the unscoped search fields).
WEIGHT_FIELDS = ("title", "subtitle", "body", "tags", "author", "source")


class ConfigError(NotesError):
    """A configuration file or value is unusable."""


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class Setting(NamedTuple):
    """A value and where it came from ("default", "env NOTES_LIMIT", a file path...)."""

    value: object
    source: str


# Limits on numbers, so a value cannot make a search misbehave (NaN and inf scores).
MAX_WHOLE = 1_000_000
MAX_WEIGHT = 1000.0


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    _no_controls(value)
    return value


def _no_controls(text: str) -> None:
    """Refuse control, bidi and invisible characters: they would reach the terminal raw."""
    from indexer.output.safe_text import has_unsafe_characters

    if has_unsafe_characters(text) or "\t" in text or "\n" in text:
        bad = next(char for char in text if has_unsafe_characters(char) or char in "\t\n")
        raise ValueError(f"must not hold control characters (found U+{ord(bad):04X})")


def _whole(minimum: int, maximum: int = MAX_WHOLE) -> Callable[[object, str], int]:
    def check(value: object, key: str) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise ValueError(f"must be a whole number from {minimum} to {maximum}")
        return value

    return check


def _number(minimum: float) -> Callable[[object, str], float]:
    def check(value: object, key: str) -> float:
        if isinstance(value, str):
            with suppress(ValueError):
                value = float(value)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not minimum <= value <= MAX_WHOLE
        ):
            raise ValueError(f"must be a finite number from {minimum:g} to {MAX_WHOLE}")
        return float(value)

    return check


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _flag(value: object, key: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _names(value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) and item for item in value):
        raise ValueError('must be a list of names such as ["source", "year"]')
    return tuple(value)


def _collection_name(value: object, key: str) -> str:
    if not isinstance(value, str) or not COLLECTION_NAME.fullmatch(value):
        raise ValueError("must be a name of letters, digits, - and _")
    return value


def _collections(value: object, key: str) -> dict[str, dict[str, str]]:
    """`[collections.NAME]` tables: `path` (the corpus) and, optionally, `index`. A bad
    table is a `CollectionTableError` naming it (not the whole `collections` value)."""
    if not isinstance(value, dict):
        raise ValueError('must be tables such as [collections.news] path = "~/archive/news"')
    collections = {}
    for name, table in value.items():
        if not COLLECTION_NAME.fullmatch(name):
            raise CollectionTableError(f"[collections.{name!r}]: a name must be letters, digits, - and _")
        if not isinstance(table, dict):
            raise CollectionTableError(
                f'collections.{name} must be a table: [collections.{name}] path = "~/notes"'
            )
        unknown = sorted(set(table) - set(COLLECTION_KEYS))
        if unknown:
            raise CollectionTableError(
                f"[collections.{name}] has unknown key {unknown[0]!r}" + _table_key_hint(unknown[0])
            )
        if not isinstance(table.get("path"), str) or not table["path"]:
            raise CollectionTableError(f'[collections.{name}] needs a path, e.g. path = "~/notes"')
        if "index" in table and (not isinstance(table["index"], str) or not table["index"]):
            raise CollectionTableError(f"[collections.{name}] index must be a folder path")
        collections[name] = {k: str(v) for k, v in table.items()}
    return collections


# What a `[collections.NAME]` table holds.
COLLECTION_KEYS = ("path", "index")


class CollectionTableError(ValueError):
    """One `[collections.NAME]` table is wrong: the message names it and the key."""


def _table_key_hint(key: str) -> str:
    """What to do with a key a `[collections.NAME]` table does not hold: a top-level key
    written below the table (TOML puts it in the table), or the nearest table key."""
    import difflib

    keys = ", ".join(COLLECTION_KEYS)
    if key in KEYS:
        return f"; {key!r} is a top-level key: move it above the first [table] (a collection holds {keys})"
    near = difflib.get_close_matches(key.lower().replace("-", "_"), COLLECTION_KEYS, n=1, cutoff=0.6)
    if near:
        return f"; did you mean {near[0]!r}? (a collection holds {keys})"
    return f" (a collection holds {keys})"


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def check(value: object, key: str) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError("must be one of " + ", ".join(options))
        return value

    return check


def _globs(value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError("must be a list of glob patterns")
    for item in value:
        _no_controls(item)
    return tuple(value)


def _weights(value: object, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError("must be a table such as { title = 3.0, body = 1.0 }")
    weights = {}
    for name, weight in value.items():
        if name not in WEIGHT_FIELDS:
            raise ValueError(f"has unknown field {name!r} (fields: {', '.join(WEIGHT_FIELDS)})")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or not 0 <= weight <= MAX_WEIGHT
        ):
            raise ValueError(f"{name} must be a number from 0 to {MAX_WEIGHT:g}")
        weights[name] = float(weight)
    return weights


def _aliases(value: object, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError('must be a table such as { a = "author", t = "tag" }')
    for name, target in value.items():
        if not (isinstance(name, str) and name.isidentifier() and name.isascii()):
            raise ValueError(
                f"name {name!r} must be one word of letters, digits and _ (it is typed before ':')"
            )
        if not isinstance(target, str) or not target.strip():
            raise ValueError(f'{name} must name a field as a string, such as "author"')
        _no_controls(target)
    return dict(value)


_YES, _NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _switch(value: object, key: str) -> bool:
    if isinstance(value, str) and value.strip().lower() in _YES + _NO:
        return value.strip().lower() in _YES
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _date_format(value: object, key: str) -> str:
    text = _text(value, key)
    if "%" not in text:
        raise ValueError("must be a strftime format such as %Y-%m-%d")
    if len(text) > 100:
        raise ValueError("must be at most 100 characters")
    try:
        from datetime import date

        shown = date(2021, 10, 18).strftime(text)
    except ValueError as exc:
        raise ValueError(f"is not a usable strftime format ({exc})") from None
    _no_controls(shown)  # `%n` and `%t` write a newline or a tab
    return text


# A NamedTuple, not a dataclass: ~1 M instructions to build, not ~4.5 M, on every search.
class Key(NamedTuple):
    """One configuration key: its default, its environment variable, its check."""

    default: object
    check: Callable[[object, str], object]
    env: str | None = None
    help: str = ""


# The keys, in the order --config-show lists them. A key named like an option's
# variable without NOTES_ (NOTES_MAX_SIZE -> max_size) sets that option's default.
KEYS: dict[str, Key] = {
    "corpus": Key(None, _text, "NOTES_CORPUS", "folder of notes (else the default collection)"),
    "index": Key(None, _text, "NOTES_INDEX", "folder of the index (default: one per corpus)"),
    "collection": Key(None, _collection_name, "NOTES_COLLECTION", "the collection searched by default"),
    "collections": Key({}, _collections, None, 'named corpora: [collections.news] path = "~/news"'),
    "ignore": Key((), _globs, "NOTES_IGNORE", "glob patterns of notes and folders to leave out"),
    "limit": Key(10, _whole(0), "NOTES_LIMIT", "hits shown by default (0 = all)"),
    "sort": Key("relevance", _choice(SORT_ORDERS), "NOTES_SORT", "default order of hits"),
    "editor": Key("", _text, "NOTES_EDITOR", "command that opens a note (default: $VISUAL or $EDITOR)"),
    "date_format": Key("%Y-%m-%d", _date_format, "NOTES_DATE_FORMAT", "how dates are shown in text output"),
    "theme": Key("default", _choice(THEMES), "NOTES_THEME", "colours of text output"),
    "weights": Key({}, _weights, None, "field weights for ranking, e.g. { title = 3.0 }"),
    "aliases": Key({}, _aliases, None, 'extra field names, e.g. { a = "author" }'),
    "output": Key("text", _choice(OUTPUTS), "NOTES_OUTPUT", "what search prints (--output)"),
    "passages": Key(2, _whole(0), "NOTES_PASSAGES", "passages shown per hit"),
    "context": Key(220, _whole(40), "NOTES_CONTEXT", "longest passage, in characters"),
    "format_version": Key(1, _whole(1), "NOTES_FORMAT_VERSION", "shape of JSON output"),
    "all_copies": Key(False, _flag, "NOTES_ALL_COPIES", "list near-duplicate copies as hits of their own"),
    "exact": Key(False, _flag, "NOTES_EXACT", "search words as typed: no spelling correction"),
    "no_update": Key(False, _flag, "NOTES_NO_UPDATE", "search the index as it is"),
    "color": Key("auto", _choice(COLORS), "NOTES_COLOR", "colour the output: auto, always, never"),
    "facet": Key((), _names, "NOTES_FACET", "facets counted by every search"),
    "facet_limit": Key(None, _whole(0), "NOTES_FACET_LIMIT", "values shown per facet"),
    "follow_symlinks": Key(False, _flag, "NOTES_FOLLOW_SYMLINKS", "follow symbolic links when indexing"),
    "max_size": Key(10.0, _number(0.001), "NOTES_MAX_SIZE", "skip notes larger than this many MB"),
    "wait": Key(10.0, _number(0), "NOTES_WAIT", "seconds to wait for another writer of the index"),
    "strict": Key(False, _flag, "NOTES_STRICT", "indexer exits 1 if a note was skipped"),
    "watch_settle": Key(0.5, _number(0.05), "NOTES_WATCH_SETTLE", "seconds without events before a batch"),
    "daemon": Key(True, _flag, None, "answer from a resident process (NOTES_NO_DAEMON=1: off)"),
    "daemon_idle": Key(900, _whole(1), "NOTES_DAEMON_IDLE", "idle seconds before the resident process exits"),
    "engine": Key("whoosh", _choice(ENGINES), "NOTES_ENGINE", "whoosh or opensearch"),
    "url": Key("http://localhost:9200", _text, "NOTES_URL", "OpenSearch cluster URL (engine = opensearch)"),
    "index_name": Key("notes", _text, "NOTES_INDEX_NAME", "OpenSearch index name (engine = opensearch)"),
    "verify_tls": Key(True, _switch, "NOTES_VERIFY_TLS", "check the cluster's TLS certificate"),
}  # fmt: skip

# The keys a notes folder's own notes.toml may set: search defaults and field names.
# Any other key (one that runs a program, names a path, widens what is read or how long
# a writer waits) comes only from the command line, the environment, the user's file or
# the current folder's. A new key is untrusted until it is listed here.
FROM_CORPUS = frozenset({
    "ignore", "limit", "sort", "date_format", "theme", "weights", "aliases", "output", "passages",
    "context", "format_version", "all_copies", "color", "facet", "facet_limit", "exact",
    # Our own resident process, on or off: it runs no program the folder names.
    "daemon", "daemon_idle",
})  # fmt: skip


class Config:
    """Every setting with its source, plus warnings about the files read. (A plain class
    with `__slots__`, not a dataclass: ~4.5 M instructions less on every search.)"""

    __slots__ = ("collection_sources", "files", "settings", "warnings")

    def __init__(self) -> None:
        self.settings: dict[str, Setting] = {}
        self.warnings: list[str] = []
        self.files: list[Path] = []
        self.collection_sources: dict[str, str] = {}  # name -> the file naming it

    def __getitem__(self, key: str) -> object:
        return self.settings[key].value

    def source(self, key: str) -> str:
        return self.settings[key].source


def user_config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """`notes.toml` in the user's config folder.

    On Linux that is the XDG config folder, written out here because it is read before
    every search and importing platformdirs for it cost ~5 ms; elsewhere platformdirs
    knows the platform's place.
    """
    if sys.platform.startswith("linux"):
        base = environ.get("XDG_CONFIG_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".config")
        return Path(base) / APP_NAME / CONFIG_FILE
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / CONFIG_FILE


def load_config(
    corpus: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    user_file: Path | None = None,
    folder: Path | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """Resolve every key: `overrides` (command-line options) > env > corpus file > folder
    file > user file > default.

    `folder` is the current folder, whose `notes.toml` is read when given. `corpus` is
    where to look for the corpus's own `notes.toml`; when None it is resolved first from
    the other sources (a `corpus` key, else the default collection's path). Relative paths
    in a file are relative to that file's folder.
    """
    environ = os.environ if environ is None else environ
    overrides = {key: value for key, value in (overrides or {}).items() if value is not None}
    config = Config()
    user_file = user_file or user_config_path(environ)
    layers: list[tuple[dict[str, object], str]] = [(_read_file(user_file, config), str(user_file))]
    if folder is not None and not _same_file(Path(folder) / CONFIG_FILE, user_file):
        folder_file = Path(folder) / CONFIG_FILE
        layers.append((_read_file(folder_file, config), str(folder_file)))
    if corpus is None:
        corpus = _corpus_named(layers, environ, overrides)
    if corpus is not None:
        corpus_file = Path(corpus).expanduser() / CONFIG_FILE
        for position, (values, origin) in enumerate(layers):
            if _same_file(corpus_file, Path(origin)):
                if position:  # the current folder is the corpus: its file is the corpus's own
                    layers[position] = (_trusted_keys(values, Path(origin), config), origin)
                break
        else:
            layers.append(
                (_trusted_keys(_read_file(corpus_file, config), corpus_file, config), str(corpus_file))
            )
    for key, spec in KEYS.items():
        if key == "collections":
            config.settings[key] = _merged_collections(layers, config)
            continue
        value, source = spec.default, "default"
        for values, origin in layers:
            if key in values:
                value, source = values[key], origin
        if spec.env and environ.get(spec.env, "") != "":
            value, source = environ[spec.env], f"env {spec.env}"
        if key in overrides:
            value, source = overrides[key], "command line"
        if source != "default":
            try:
                value = spec.check(value, key)
            except ValueError as exc:
                raise ConfigError(f"{source}: {key} {exc}, not {value!r}") from None
            if source not in ("command line",) and not source.startswith("env "):
                value = _anchored(key, value, Path(source).parent)
        config.settings[key] = Setting(value, source)
    return config


def _merged_collections(layers: list[tuple[dict[str, object], str]], config: Config) -> Setting:
    """`[collections.NAME]` tables of every file, name by name: the current folder's file adds
    its collections to yours (a NAME in both is the nearer file's). Its source is the
    nearest file that names one; `config.collection_sources` says which file named each."""
    merged: dict[str, dict[str, str]] = {}
    source = "default"
    for values, origin in layers:
        if "collections" not in values:
            continue
        try:
            tables = KEYS["collections"].check(values["collections"], "collections")
        except CollectionTableError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
        except ValueError as exc:
            raise ConfigError(f"{origin}: collections {exc}, not {values['collections']!r}") from None
        for name, table in _anchored("collections", tables, Path(origin).parent).items():
            merged[name] = table
            config.collection_sources[name] = origin
        source = origin
    return Setting(merged, source)


def _trusted_keys(values: dict[str, object], path: Path, config: Config) -> dict[str, object]:
    """The keys a corpus's own file may set; one warning for each other one."""
    for key in values:
        if key not in FROM_CORPUS:
            where = f"{KEYS[key].env} or " if KEYS[key].env else ""
            config.warnings.append(
                f"{path}: key {key!r} ignored: a notes folder's own notes.toml may not set it "
                f"(set it with {where}your own {CONFIG_FILE})"
            )
    return {key: value for key, value in values.items() if key in FROM_CORPUS}


def _corpus_named(
    layers: list[tuple[dict[str, object], str]], environ: Mapping[str, str], overrides: Mapping[str, object]
) -> Path | None:
    """The corpus the command will use, to find its own notes.toml (before values are checked)."""
    if overrides.get("corpus") or environ.get("NOTES_CORPUS"):
        return Path(str(overrides.get("corpus") or environ["NOTES_CORPUS"]))
    corpus = collection = None
    collections: dict[str, object] = {}
    for values, origin in layers:
        if isinstance(values.get("corpus"), str):
            corpus = _anchored("corpus", values["corpus"], Path(origin).parent)
        if isinstance(values.get("collection"), str):
            collection = values["collection"]
        if isinstance(values.get("collections"), dict):
            for name, table in values["collections"].items():
                if isinstance(table, dict) and isinstance(table.get("path"), str):
                    collections[name] = _anchored("corpus", table["path"], Path(origin).parent)
    collection = str(overrides.get("collection") or environ.get("NOTES_COLLECTION") or collection or "")
    if collection in collections:
        return Path(str(collections[collection]))
    return Path(str(corpus)) if corpus else None


def _anchored(key: str, value: object, folder: Path) -> object:
    """Paths a file gives (corpus, index, a collection's path and index), relative to its folder."""
    if key in ("corpus", "index") and isinstance(value, str):
        return _relative_to(value, folder)
    if key == "collections" and isinstance(value, dict):
        return {
            name: {item: _relative_to(text, folder) for item, text in table.items()}
            for name, table in value.items()
        }
    return value


def _relative_to(text: str, folder: Path) -> str:
    path = Path(text).expanduser()
    if path.is_absolute():
        return str(path)
    if _same_folder(folder, Path.cwd()):
        return text  # the current folder's own file: keep what it says (and what messages show)
    return str(folder / path)


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def _same_file(one: Path, other: Path) -> bool:
    return _same_folder(one.parent, other.parent) and one.name == other.name


def _read_file(path: Path, config: Config) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    import tomllib  # only when there is a file: the import alone costs a search ~7 ms

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    config.files.append(path)
    for key in data:
        if key not in KEYS:
            message = f"{path}: unknown key {key!r} ignored" + _nearest_hint(key)
            if message not in config.warnings:
                config.warnings.append(message)
    return {key: value for key, value in data.items() if key in KEYS}


def _nearest_hint(key: str) -> str:
    import difflib

    near = difflib.get_close_matches(key.lower().replace("-", "_"), list(KEYS), n=1, cutoff=0.6)
    if near:
        return f"; did you mean {near[0]!r}?"
    return " (--config-show lists the keys)"


def describe(config: Config) -> str:
    """The effective configuration, one `key = value  # source` line each (for --config-show)."""
    lines = []
    for key, setting in config.settings.items():
        if setting.value is None:
            lines.append(f"# {key} is not set  # {setting.source}")
        elif key == "collections" and setting.value:
            for name, table in setting.value.items():
                source = config.collection_sources.get(name, setting.source)
                lines.append(f"collections.{name} = {_toml_value(table)}  # {source}")
        else:
            lines.append(f"{key} = {_toml_value(setting.value)}  # {setting.source}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{name} = {_toml_value(item)}" for name, item in value.items()) + " }"
            if value
            else "{}"
        )
    return repr(value)
