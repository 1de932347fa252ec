"""Options and notes.toml together: what was typed wins, then NOTES_* variables, then files.

Every option with a NOTES_* variable has a notes.toml key of the same name
(`PARAMETER_KEYS`); an option left at its default takes the key's configured value.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import NamedTuple

from indexer.errors import NotesError
from indexer.output.console import warn


class Target(NamedTuple):
    """A corpus to search and the folder of its index; `name` when it is a collection.
    (A NamedTuple, not a dataclass: ~1 M instructions to build instead of ~4.5 M.)"""

    corpus: Path
    index_dir: Path
    name: str | None = None


class Settings(NamedTuple):
    """The effective settings of one command, each from the highest-ranking source.
    (A NamedTuple, not a dataclass: built on every search, see `Target`.)"""

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
    daemon: bool  # a resident process may answer (notes.toml `daemon`, NOTES_NO_DAEMON)
    daemon_idle: int  # its idle timeout in seconds
    config: object  # the `indexer.cli.config.Config` they came from (for --config-show)
    options: dict[str, object]  # parameter name -> effective value
    targets: tuple[Target, ...] = ()  # the collections asked for with -c (or the one corpus)
    collection: str | None = None  # the collection searched, when there is one
    engine: str = "whoosh"
    url: str = ""
    index_name: str = "notes"
    verify_tls: bool = True
    typed: frozenset[str] = frozenset()  # the parameters of PARAMETER_KEYS typed on the command line

    def cluster(self):
        """Where the notes live on a cluster (engine = opensearch); credentials from the environment."""
        from indexer.opensearch.connection import ClusterSettings

        return ClusterSettings.from_environment(self.url, self.index_name, verify_tls=self.verify_tls)

    def index_options(self, **kwargs):
        from indexer.index.store import IndexOptions

        return IndexOptions(ignore=self.ignore, **kwargs)

    def text_style(self, *, color: bool, width: int | None = None):
        from indexer.output.render import TextStyle

        return TextStyle(
            color=color and self.theme != "none", width=width, theme=self.theme, date_format=self.date_format
        )


# Command parameters that a notes.toml key can set, by parameter name. The key is the
# option's NOTES_* variable in lower case without NOTES_ (tests/test_config.py checks).
PARAMETER_KEYS = {
    "corpus": "corpus",
    "index_dir": "index",
    "limit": "limit",
    "sort": "sort",
    "output_choice": "output",
    "passages": "passages",
    "context_chars": "context",
    "format_version": "format_version",
    "all_copies": "all_copies",
    "exact": "exact",
    "no_update": "no_update",
    "color": "color",
    "facets": "facet",
    "facet_limit": "facet_limit",
    "follow_symlinks": "follow_symlinks",
    "max_size_mb": "max_size",
    "wait_seconds": "wait",
    "strict": "strict",
    "settle_seconds": "watch_settle",
    "engine": "engine",
    "url": "url",
    "index_name": "index_name",
}

_warned: set[str] = set()  # a warning about a file is printed once per process


def _warned_set() -> set[str]:
    """The warnings printed so far: by this process, or by this request of a resident one."""
    from indexer.daemon import current_request

    served = current_request()
    return _warned if served is None else served.warned


def resident_process_disabled() -> bool:
    """NOTES_NO_DAEMON=1 turns the resident query process off."""
    import os

    from indexer.daemon.protocol import disabled_by_env

    return disabled_by_env(os.environ)


class NoCorpusError(NotesError):
    """No corpus was named anywhere."""


class UnknownCollectionError(NotesError):
    """-c NAME names no collection of the notes.toml files read."""


def resolve_settings(
    program: str,
    params: dict[str, object] | None = None,
    *,
    need_corpus: bool = True,
    typed: frozenset[str] | None = None,
) -> Settings:
    """Settings for a command, given its parameter values (by default, the running click
    command's) and `typed`, the names of those typed on the command line (by default,
    those click says came from it).

    A parameter typed on the command line overrides every file; a parameter left at its
    default (or set by its NOTES_* variable) takes the resolved configuration value.
    """
    from indexer.cli.config import load_config

    if params is None or typed is None:
        given, typed_there = _click_parameters()
        params = given if params is None else params
        typed = typed_there if typed is None else typed
    params = dict(params)
    typed = frozenset(name for name in PARAMETER_KEYS if name in params and name in typed)
    overrides: dict[str, object] = {}
    for name, key in PARAMETER_KEYS.items():
        if name in typed:
            value = params[name]
            overrides[key] = str(value) if isinstance(value, Path) else value
    names = tuple(params.get("collections") or ())
    if names:
        overrides["collection"] = names[0]
    corpus = overrides.get("corpus")
    config = load_config(Path(str(corpus)) if corpus else None, folder=Path("."), overrides=overrides)
    warned = _warned_set()
    for message in config.warnings:
        if message not in warned:
            warned.add(message)
            warn(program, message)
    options = dict(params)
    for name, key in PARAMETER_KEYS.items():
        if name in options and name not in typed and name not in ("corpus", "index_dir"):
            options[name] = _as_parameter(name, config[key])
    try:
        targets = _targets(config, names)
    except NoCorpusError:
        if need_corpus:
            raise
        targets = ()  # --config-show says so instead
    first = targets[0] if targets else Target(Path("."), Path("."))
    editor = config["editor"]
    verify_tls = _verify_tls(program, config)
    return Settings(
        corpus=first.corpus,
        index_dir=first.index_dir,
        limit=int(config["limit"]),
        sort=str(config["sort"]),
        ignore=tuple(config["ignore"]),
        editor=tuple(shlex.split(editor)) if editor else None,
        date_format=str(config["date_format"]),
        theme=str(config["theme"]),
        weights=dict(config["weights"]),
        aliases=dict(config["aliases"]),
        daemon=bool(config["daemon"]) and not resident_process_disabled(),
        daemon_idle=int(config["daemon_idle"]),
        config=config,
        engine=str(config["engine"]),
        url=str(config["url"]),
        index_name=str(config["index_name"]),
        verify_tls=verify_tls,
        options=options,
        targets=targets,
        collection=first.name,
        typed=typed,
    )


def _click_parameters() -> tuple[dict[str, object], frozenset[str]]:
    """The running click command's parameter values, and the names typed on its command line."""
    import click
    from click.core import ParameterSource

    context = click.get_current_context()
    typed = frozenset(
        name for name in context.params if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    )
    return context.params, typed


def _verify_tls(program: str, config) -> bool:
    """TLS checks can be turned off by the user's own config or environment only: a
    notes.toml in a corpus or working folder may come from someone else."""
    from indexer.cli.config import user_config_path

    source = config.source("verify_tls")
    if config["verify_tls"] or source.startswith("env ") or source == str(user_config_path()):
        return bool(config["verify_tls"])
    warn(program, f"{source}: verify_tls = false ignored (set it in your own config or NOTES_VERIFY_TLS)")
    return True


def _as_parameter(name: str, value: object) -> object:
    if name == "output_choice":
        return None if value == "text" else value
    return value


def _targets(config, names: tuple[str, ...]) -> tuple[Target, ...]:
    """The corpora (and their indexes) the command works on.

    --corpus (or NOTES_CORPUS, or a `corpus` key) names one folder; else -c NAME names
    collections, else the `collection` key the default one. An index typed or set by
    NOTES_INDEX applies to it; a file's `index` key only to the corpus of the same file,
    so `--corpus DIR` from a folder whose notes.toml names its own index never writes it.
    Otherwise the index lives in the user's data folder, one per corpus."""
    from indexer.index.locations import default_index_dir

    collections: dict[str, dict[str, str]] = config["collections"]
    corpus_source = config.source("corpus")
    if names and _rank(config, "corpus") >= 999:
        raise NotesError("--corpus and -c/--collection name different notes: give one of them")
    if config["corpus"] is not None and not names and _rank(config, "corpus") >= _rank(config, "collection"):
        corpus = Path(str(config["corpus"])).expanduser()
        given_index = config["index"] is not None and (
            _rank(config, "index") >= 999 or config.source("index") == corpus_source
        )
        index = Path(str(config["index"])).expanduser() if given_index else default_index_dir(corpus)
        return (Target(corpus, index),)
    if not names:
        if config["collection"] is None:
            raise NoCorpusError(
                "no corpus to search",
                hint="pass --corpus DIR, or name a default collection in notes.toml: "
                'collection = "notes" and [collections.notes] path = "~/notes"',
            )
        names = (str(config["collection"]),)
    targets = []
    for name in dict.fromkeys(names):
        table = collections.get(name)
        if table is None:
            known = ", ".join(sorted(collections)) or "none is configured"
            raise UnknownCollectionError(f"no collection {name!r} (collections: {known})")
        corpus = Path(table["path"]).expanduser()
        index = Path(table["index"]).expanduser() if "index" in table else default_index_dir(corpus)
        if config["index"] is not None and _rank(config, "index") >= 999 and len(names) == 1:
            index = Path(str(config["index"])).expanduser()
        targets.append(Target(corpus, index, name))
    return tuple(targets)


def _rank(config, key: str) -> int:
    """How strong the source of `key` is: default -1, files in the order read, env 999, typed 1000."""
    source = config.source(key)
    if source == "default":
        return -1
    if source == "command line":
        return 1000
    if source.startswith("env "):
        return 999
    files = [str(path) for path in config.files]
    return files.index(source) if source in files else 0
