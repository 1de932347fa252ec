"""`echo`: a line on stdout or stderr as `click.echo` writes it, without loading click.

A one-shot `search` of the common kind never imports click (`cli/common_argv.py`), yet
its counts, warnings and errors must be the bytes click's echo writes. Where click is
loaded (every click command, and a test's `CliRunner`, which changes how click strips
colour), `echo` is `click.echo` itself. Otherwise it does what `click.echo` does for a
text message to the process's own stdout or stderr on a POSIX system (click 8.5:
`click.utils.echo`): the message, or `str` of it, and a newline; ANSI escapes removed
when the stream is not a terminal; written, then flushed. Anything else (bytes, a
replaced stream, an ASCII stream click would re-wrap, Windows) goes to `click.echo`.
"""

from __future__ import annotations

import io
import sys

# click's `_ansi_re` (click/_compat.py): one CSI escape sequence per ECMA-48.
_ANSI = r"\033\[[0-?]*[ -/]*[@-~]"
_ASCII_NAMES = {"ascii"}  # `codecs.lookup(...).name` of an encoding click re-wraps


def echo(message: object = None, *, err: bool = False, nl: bool = True) -> None:
    """Write `message` and a newline (unless `nl` is false) to stdout, or stderr with `err`,
    as `click.echo(message, nl=nl, err=err)` would, and flush it."""
    click = sys.modules.get("click")
    stream = sys.stderr if err else sys.stdout
    if click is not None or not _plain(stream) or isinstance(message, bytes | bytearray):
        import click

        click.echo(message, nl=nl, err=err)
        return
    out = "" if message is None else message if isinstance(message, str) else str(message)
    if nl:
        out += "\n"
    if not out:
        stream.flush()
        return
    if "\033" in out and not _isatty(stream):
        import re

        out = re.sub(_ANSI, "", out)
    stream.write(out)
    stream.flush()


def _plain(stream: object) -> bool:
    """The interpreter's own text stream, in an encoding click writes to as it is."""
    if type(stream) is not io.TextIOWrapper or sys.platform.startswith("win"):
        return False
    encoding, errors = stream.encoding, stream.errors
    if not encoding or errors is None:
        return False
    import codecs

    try:
        return codecs.lookup(encoding).name not in _ASCII_NAMES
    except LookupError:
        return False


def _isatty(stream: io.TextIOWrapper) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False
