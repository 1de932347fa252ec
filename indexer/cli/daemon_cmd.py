"""`indexer daemon status` and `indexer daemon stop`: the resident query process of an index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer.cli.click_command import Group
from indexer.cli.options import CONTEXT, corpus_option, index_option
from indexer.output.console import cli_errors
from indexer.status import ExitStatus

DAEMON_EPILOG = """\b
Examples:
  indexer daemon status              # pid, index, uptime, queries served, memory
  indexer daemon status --json
  indexer daemon stop
  NOTES_NO_DAEMON=1 search ransomware    # one search without it
"""


@click.group("daemon", cls=Group, context_settings=CONTEXT, epilog=DAEMON_EPILOG)
def daemon_group() -> None:
    """The resident query process that answers `search` (see docs/resident-process.md)."""


def _index_dir(corpus: Path, index_dir: Path) -> Path:
    from indexer.cli.settings import resolve_settings

    return resolve_settings("indexer", {"corpus": corpus, "index_dir": index_dir}).index_dir


@daemon_group.command(
    "status",
    context_settings=CONTEXT,
    epilog="\b\nExamples:\n  indexer daemon status\n  indexer daemon status --json | jq .memory",
)
@corpus_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status_command(corpus: Path, index_dir: Path, as_json: bool) -> None:
    """Show the process serving the index: pid, index, uptime, queries served, memory.

    Exit 0 if one runs, 1 if none does."""
    from indexer.daemon.control import ask

    with cli_errors("indexer"):
        index = _index_dir(corpus, index_dir)
        status = ask(str(index), "status")
    if status is None:
        if as_json:
            click.echo(json.dumps({"running": False, "index": str(index.resolve())}))
        else:
            click.echo(f"no resident process serves {index}", err=True)
        sys.exit(ExitStatus.NO_MATCH)
    if as_json:
        click.echo(json.dumps({"running": True, **status}, indent=2))
        return
    rows = {
        "pid": status["pid"],
        "index": status["index"],
        "corpus": status["corpus"],
        "uptime": f"{status['uptime']:.0f} s",
        "queries served": status["served"],
        "changes seen": status["changes_seen"],
        "memory": f"{status['memory'] / 1024 / 1024:.1f} MB",
        "idle timeout": f"{status['idle_timeout']:g} s",
    }
    width = max(map(len, rows))
    for key, value in rows.items():
        click.echo(f"{key:<{width}}  {value}")


@daemon_group.command(
    "stop",
    context_settings=CONTEXT,
    epilog=(
        "\b\nExamples:\n  indexer daemon stop\n"
        "  indexer daemon stop --corpus ~/notes      # the one serving that folder's index"
    ),
)
@corpus_option
@index_option
def stop_command(corpus: Path, index_dir: Path) -> None:
    """Stop the process serving the index (the next search starts a new one).

    Exit 0 if one was stopped, 1 if none ran."""
    from indexer.daemon.control import stop

    with cli_errors("indexer"):
        index = _index_dir(corpus, index_dir)
        status = stop(str(index))
    if status is None:
        click.echo(f"no resident process serves {index}", err=True)
        sys.exit(ExitStatus.NO_MATCH)
    served = f"{status['served']} quer{'y' if status['served'] == 1 else 'ies'}"
    click.echo(f"stopped the resident process {status['pid']} (served {served})")
