"""Options and helpers shared by the `search` and `indexer` commands."""

from __future__ import annotations

from pathlib import Path

import click

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


# Where the notes are indexed: shared by search and indexer build/update.
engine_options = [
    click.option(
        "--engine",
        type=click.Choice(["whoosh", "opensearch"]),
        default="whoosh",
        show_default=True,
        envvar="NOTES_ENGINE",
        show_envvar=True,
        help="Search engine: the local Whoosh index, or an OpenSearch cluster (needs opensearch-py).",
    ),
    click.option(
        "--url",
        default="http://localhost:9200",
        show_default=True,
        envvar="NOTES_URL",
        show_envvar=True,
        help="OpenSearch cluster URL (--engine opensearch); credentials from NOTES_OPENSEARCH_USER "
        "and NOTES_OPENSEARCH_PASSWORD.",
    ),
    click.option(
        "--index-name",
        default="notes",
        show_default=True,
        envvar="NOTES_INDEX_NAME",
        show_envvar=True,
        help="OpenSearch index holding the notes (--engine opensearch).",
    ),
]


def engine_option_group(func):
    """Add --engine, --url and --index-name to a command."""
    for option in reversed(engine_options):
        func = option(func)
    return func
