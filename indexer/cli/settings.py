"""Options and notes.toml together: what was typed wins, then NOTES_* variables, then files."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import click

from indexer.output.console import warn


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings of one command, each from the highest-ranking source."""

    corpus: Path
    index_dir: Path
    limit: int
    sort: str
    ignore: tuple[str, ...]
    editor: tuple[str, ...] | None  # None: $VISUAL, then $EDITOR
    date_format: str
    theme: str
    weights: dict[str, float]
    aliases: dict[str, str]
    config: object  # the `indexer.cli.config.Config` they came from (for --config-show)

    def index_options(self, **kwargs):
        from indexer.index.store import IndexOptions

        return IndexOptions(ignore=self.ignore, **kwargs)

    def text_style(self, *, color: bool, width: int | None = None):
        from indexer.output.render import TextStyle

        return TextStyle(
            color=color and self.theme != "none", width=width, theme=self.theme, date_format=self.date_format
        )


# Command parameters that a notes.toml key can set, by parameter name.
PARAMETER_KEYS = {"corpus": "corpus", "index_dir": "index", "limit": "limit", "sort": "sort"}


def resolve_settings(program: str, params: dict[str, object]) -> Settings:
    """Settings for the running click command, given its parameter values.

    A parameter typed on the command line overrides every file; a parameter left at its
    default (or set by its NOTES_* variable) takes the resolved configuration value.
    """
    from click.core import ParameterSource

    from indexer.cli.config import load_config

    context = click.get_current_context()
    overrides = {}
    for name, key in PARAMETER_KEYS.items():
        if name in params and context.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            value = params[name]
            overrides[key] = str(value) if isinstance(value, Path) else value
    corpus = overrides.get("corpus")
    config = load_config(Path(corpus) if corpus else None, overrides=overrides)
    for message in config.warnings:
        warn(program, message)
    editor = config["editor"]
    return Settings(
        corpus=Path(str(config["corpus"])).expanduser(),
        index_dir=Path(str(config["index"])).expanduser(),
        limit=int(config["limit"]),
        sort=str(config["sort"]),
        ignore=tuple(config["ignore"]),
        editor=tuple(shlex.split(editor)) if editor else None,
        date_format=str(config["date_format"]),
        theme=str(config["theme"]),
        weights=dict(config["weights"]),
        aliases=dict(config["aliases"]),
        config=config,
    )
