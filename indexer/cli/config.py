"""Settings from `notes.toml` files: where each value came from, validated key by key.

Precedence, highest first: a command-line option, a `NOTES_*` environment variable,
`notes.toml` in the corpus folder, `notes.toml` in the user config folder
(platformdirs), the built-in default. Unknown keys are warnings; a bad value is an
error naming the file and the key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import NotesError

CONFIG_FILE = "notes.toml"
APP_NAME = "notes-indexer"

SORT_ORDERS = ("relevance", "date", "-date")
THEMES = ("default", "mono", "none")
# Fields a weight may be given to (the unscoped search fields).
WEIGHT_FIELDS = ("title", "subtitle", "body", "tags", "author", "source")


class ConfigError(NotesError):
    """A configuration file or value is unusable."""


@dataclass(frozen=True, slots=True)
class Setting:
    """A value and where it came from ("default", "env NOTES_LIMIT", a file path...)."""

    value: object
    source: str


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _whole(minimum: int) -> Callable[[object, str], int]:
    def check(value: object, key: str) -> int:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number >= {minimum}")
        return value

    return check


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def check(value: object, key: str) -> str:
        if value not in options:
            raise ValueError("must be one of " + ", ".join(options))
        return value  # type: ignore[return-value]

    return check


def _globs(value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError("must be a list of glob patterns")
    return tuple(value)


def _weights(value: object, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError("must be a table such as { title = 3.0, body = 1.0 }")
    weights = {}
    for name, weight in value.items():
        if name not in WEIGHT_FIELDS:
            raise ValueError(f"has unknown field {name!r} (fields: {', '.join(WEIGHT_FIELDS)})")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise ValueError(f"{name} must be a number >= 0")
        weights[name] = float(weight)
    return weights


def _aliases(value: object, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and name.isidentifier() and isinstance(target, str) and target
        for name, target in value.items()
    ):
        raise ValueError('must be a table such as { a = "author", t = "tag" }')
    return dict(value)


def _date_format(value: object, key: str) -> str:
    text = _text(value, key)
    if "%" not in text:
        raise ValueError("must be a strftime format such as %Y-%m-%d")
    return text


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its default, its environment variable, its check."""

    default: object
    check: Callable[[object, str], object]
    env: str | None = None
    help: str = ""


KEYS: dict[str, Key] = {
    "corpus": Key("corpus", _text, "NOTES_CORPUS", "folder of notes"),
    "index": Key("index_data", _text, "NOTES_INDEX", "folder of the index"),
    "ignore": Key((), _globs, "NOTES_IGNORE", "glob patterns of notes and folders to leave out"),
    "limit": Key(10, _whole(0), "NOTES_LIMIT", "hits shown by default (0 = all)"),
    "sort": Key("relevance", _choice(SORT_ORDERS), "NOTES_SORT", "default order of hits"),
    "editor": Key("", _text, "NOTES_EDITOR", "command that opens a note (default: $VISUAL or $EDITOR)"),
    "date_format": Key("%Y-%m-%d", _date_format, "NOTES_DATE_FORMAT", "how dates are shown in text output"),
    "theme": Key("default", _choice(THEMES), "NOTES_THEME", "colours of text output"),
    "weights": Key({}, _weights, None, "field weights for ranking, e.g. { title = 3.0 }"),
    "aliases": Key({}, _aliases, None, 'extra field names, e.g. { a = "author" }'),
}  # fmt: skip


@dataclass(slots=True)
class Config:
    """Every setting with its source, plus warnings about the files read."""

    settings: dict[str, Setting] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

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
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """Resolve every key: `overrides` (command-line options) > env > corpus file > user file > default.

    `corpus` is where to look for the corpus's own `notes.toml`; when None it is
    resolved first from the other sources.
    """
    environ = os.environ if environ is None else environ
    overrides = {key: value for key, value in (overrides or {}).items() if value is not None}
    config = Config()
    user_file = user_file or user_config_path(environ)
    layers: list[tuple[dict[str, object], str]] = [(_read_file(user_file, config), str(user_file))]
    if corpus is None:
        corpus_text = overrides.get("corpus") or environ.get("NOTES_CORPUS") or layers[0][0].get("corpus")
        corpus = Path(str(corpus_text or KEYS["corpus"].default)).expanduser()
    corpus_file = Path(corpus) / CONFIG_FILE
    layers.append((_read_file(corpus_file, config), str(corpus_file)))
    for key, spec in KEYS.items():
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
        config.settings[key] = Setting(value, source)
    return config


def _read_file(path: Path, config: Config) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
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
            config.warnings.append(f"{path}: unknown key {key!r} ignored (known: {', '.join(KEYS)})")
    return {key: value for key, value in data.items() if key in KEYS}


def describe(config: Config) -> str:
    """The effective configuration, one `key = value  # source` line each (for --config-show)."""
    lines = []
    for key, setting in config.settings.items():
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
