"""Options and helpers shared by the `search` and `indexer` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from indexer.output.console import warn
from indexer.output.terminal import is_terminal

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

corpus_option = click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NOTES_CORPUS",
    show_envvar=True,
    help="Folder of markdown notes (.md, .markdown; hidden files and folders are left out). "
    "[default: the default collection of notes.toml]",
)
collection_option = click.option(
    "-c",
    "--collection",
    "collections",
    multiple=True,
    metavar="NAME",
    help="Work on the collection NAME of notes.toml ([collections.NAME] path = ...); "
    "search takes it more than once and merges the hits. [default: the `collection` key]",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, readable=False, path_type=Path),  # the store says what is wrong
    envvar="NOTES_INDEX",
    show_envvar=True,
    help="Folder holding the index. [default: one per corpus in your data folder, "
    "~/.local/share/notes-indexer/indexes on Linux; see: indexer list]",
)


def took(seconds: float) -> str:
    """ " in 1.2 s" on a terminal; nothing when stderr is captured, so logs stay stable."""
    return f" in {seconds:.1f} s" if is_terminal(sys.stderr) else ""


def print_skips(program: str, report, *, warnings: bool = True) -> None:
    """One warning line per note read with a warning, and per note skipped."""
    if warnings:
        for path, message in report.warnings:
            warn(program, f"{path}: {message}")
    for path, reason in report.skipped:
        warn(program, f"{path}: skipped: {reason}")
