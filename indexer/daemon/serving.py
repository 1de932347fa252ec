"""One request served inside the resident process: its streams, folder and variables.

The `search` command runs unchanged, in a pool thread. What it would read from the
process (sys.stdout, sys.stderr, sys.stdin, os.environ, the current folder) is made the
client's: the standard streams are replaced once by proxies that write into the current
thread's capture, and requests whose folder and variables differ take turns
(`ContextGate`), while requests from the same shell run side by side.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from indexer.daemon.protocol import ENV_NAMES, ENV_PREFIXES


class RunLocally(BaseException):
    """The request needs the client's own process (a terminal, an editor, another index).

    A BaseException, like SystemExit: a signal to the server, which the command's
    handler of our own bugs (`except Exception` -> internal error) must let through."""


_local = threading.local()


@dataclass(slots=True)
class ServedRequest:
    """What the command may ask of the process serving it."""

    service: object  # the server's `Service`: serves(), bring_current()
    chunks: list[tuple[int, bytes]] = field(default_factory=list)
    # Warnings printed once per process are printed once per request here: each request
    # is a process as far as its output goes.
    warned: set[str] = field(default_factory=set)

    def check_serves(self, settings) -> None:
        """Raise RunLocally unless this process serves `settings`' corpus and index, alone."""
        if len(getattr(settings, "targets", ())) > 1 or not self.service.serves(settings):
            raise RunLocally

    def bring_current(self) -> None:
        """Apply the changes the file watcher has reported, before the query runs."""
        self.service.bring_current()

    def open_notes(self, settings):
        """A context manager lending the process's open index of `settings` (see `index_pool`)."""
        return self.service.indexes.lend(
            settings.corpus, settings.index_dir, dict(settings.weights or {}), dict(settings.aliases or {})
        )


def current_request() -> ServedRequest | None:
    """The request this thread serves inside a resident process; None in a plain process."""
    return getattr(_local, "request", None)


class CapturedText(io.TextIOBase):
    """A text stream that records encoded writes, in order, with the client's encoding."""

    def __init__(self, fd: int, chunks: list, encoding: str, errors: str, tty: bool) -> None:
        self._fd, self._chunks, self._tty = fd, chunks, tty
        self._encoding, self._errors = encoding or "utf-8", errors or "strict"
        self.buffer = CapturedBytes(fd, chunks)

    # Read-only, as `TextIOBase` has them (it defines them as getters, not attributes).
    @property
    def encoding(self) -> str:
        return self._encoding

    @property
    def errors(self) -> str:
        return self._errors

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._tty

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._chunks.append((self._fd, text.encode(self._encoding, self._errors)))
        return len(text)


class CapturedBytes(io.RawIOBase):
    def __init__(self, fd: int, chunks: list) -> None:
        self._fd, self._chunks = fd, chunks

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append((self._fd, bytes(data)))
        return len(data)


class EmptyInput(io.StringIO):
    """The client's stdin as far as a served request sees it: its tty-ness, no data."""

    def __init__(self, tty: bool) -> None:
        super().__init__("")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


class ThreadStream:
    """Stands in for sys.stdout/stderr/stdin: the current request's stream, or the original."""

    def __init__(self, index: int, original) -> None:
        self._index, self._original = index, original

    def _target(self):
        streams = getattr(_local, "streams", None)
        return streams[self._index] if streams is not None else self._original

    def __getattr__(self, name: str):
        return getattr(self._target(), name)

    def write(self, text):
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._target().isatty()

    def __iter__(self) -> Iterator[str]:
        return iter(self._target())


def install_stream_proxies() -> None:
    import sys

    if not isinstance(sys.stdout, ThreadStream):
        sys.stdin = ThreadStream(0, sys.stdin)
        sys.stdout = ThreadStream(1, sys.stdout)
        sys.stderr = ThreadStream(2, sys.stderr)


@contextmanager
def serving(service, request: dict) -> Iterator[ServedRequest]:
    """Point this thread's streams at a capture of `request`'s output."""
    served = ServedRequest(service)
    tty = [bool(flag) for flag in request.get("tty", [False, False, False])]
    (out_encoding, out_errors), (err_encoding, err_errors) = request.get("streams", [["utf-8", "strict"]] * 2)
    _local.streams = (
        EmptyInput(tty[0]),
        CapturedText(1, served.chunks, out_encoding, out_errors, tty[1]),
        CapturedText(2, served.chunks, err_encoding, err_errors, tty[2]),
    )
    _local.request = served
    try:
        yield served
    finally:
        _local.streams = None
        _local.request = None


def _relevant(name: str) -> bool:
    return name.startswith(ENV_PREFIXES) or name in ENV_NAMES


class ContextGate:
    """Lets requests share the process's folder and variables, one context at a time.

    Requests whose (cwd, variables) equal the current context run together; a request
    with another context waits until none is running, then switches the process to its
    own (os.chdir and os.environ are process-wide)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._current: tuple[str, tuple[tuple[str, str], ...]] | None = None
        self._running = 0

    @contextmanager
    def entered(self, cwd: str, env: dict[str, str]) -> Iterator[None]:
        wanted = (cwd, tuple(sorted(env.items())))
        with self._condition:
            while self._current != wanted and self._running:
                self._condition.wait()
            if self._current != wanted:
                os.chdir(cwd)
                for name in [name for name in os.environ if _relevant(name)]:
                    del os.environ[name]
                os.environ.update(env)
                self._current = wanted
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._running -= 1
                self._condition.notify_all()
