"""The `search` script's first move: ask the resident process, print what it answers.

Standard library only (`python -X importtime` shows neither click nor Whoosh): when a
process serves the index, this is all a one-shot search loads. Whatever goes wrong,
`answer_remotely` returns None and the script runs the search itself, silently.
"""

from __future__ import annotations

import os
import sys

from indexer.daemon.protocol import (
    CONNECT_TIMEOUT_SECONDS,
    ENV_NAMES,
    ENV_PREFIXES,
    REPLY_TIMEOUT_SECONDS,
    ProtocolError,
    code_stamp,
    disabled_by_env,
    private_dir,
    read_frame,
    route_key,
    route_link,
    runtime_dir,
    same_user,
    send_json,
    socket,
)

# Asked for on the command line, these run in this process (a terminal, an editor, stdin).
LOCAL_OPTIONS = ("--shell", "--open", "--batch", "--no-daemon", "--help", "-h")


def answer_remotely(argv: list[str]) -> int | None:
    """Run `search ARGV` in the resident process and print its output; its exit status,
    or None when this process must run the search itself."""
    environ = os.environ
    if disabled_by_env(environ) or _runs_locally(argv):
        return None
    try:
        folder = runtime_dir(environ)
        if not private_dir(folder):
            return None
        cwd = os.getcwd()
        link = route_link(folder, route_key(argv, environ, cwd))
        sock = _connect(link)
        if sock is None:
            return None
        try:
            chunks, status = _exchange(sock, argv, cwd)
        finally:
            sock.close()  # (the C socket is no context manager)
    except (OSError, ProtocolError, ValueError, ImportError):
        return None
    if status is None:
        return None
    _write_all(chunks)
    return status


def _runs_locally(argv: list[str]) -> bool:
    if any(word.split("=", 1)[0] in LOCAL_OPTIONS for word in argv):
        return True
    # No words at all on a terminal opens the shell.
    return not argv and os.isatty(0) and os.isatty(1)


def _connect(link: str):
    """A connection to the process behind `link`, or None; a dead one's leftovers are removed."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_TIMEOUT_SECONDS)
    try:
        sock.connect(link)
    except FileNotFoundError:
        sock.close()
        if os.path.islink(link) and not os.path.exists(link):  # a link whose socket is gone
            _unlink(link)
        return None
    except ConnectionRefusedError:  # nobody listens: the process died without cleaning up
        sock.close()
        remove_stale(link)
        return None
    except OSError:
        sock.close()
        return None
    if not same_user(sock):
        sock.close()
        return None
    sock.settimeout(REPLY_TIMEOUT_SECONDS)
    return sock


def remove_stale(link: str) -> None:
    """Remove a route link and the socket it points to, if no process holds the socket's
    lock: a refused connection alone may be a process between bind and listen."""
    import fcntl

    folder = os.path.dirname(link)
    target = os.path.realpath(link)
    if os.path.dirname(target) != folder or not target.endswith(".sock"):
        _unlink(link)
        return
    try:
        lock = os.open(target[: -len(".sock")] + ".lock", os.O_RDWR)
    except FileNotFoundError:
        lock = None
    try:
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while a process lives
        _unlink(target)
        if link != target:
            _unlink(link)
    except OSError:
        return
    finally:
        if lock is not None:
            os.close(lock)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:  # gone already, or not ours to remove
        return


def request_environment(environ) -> dict[str, str]:
    """The variables a query's output may depend on, with the terminal's size if any."""
    chosen = {
        name: value for name, value in environ.items() if name.startswith(ENV_PREFIXES) or name in ENV_NAMES
    }
    if os.isatty(1) and "COLUMNS" not in chosen:
        try:
            size = os.get_terminal_size(1)
        except OSError:
            return chosen
        chosen["COLUMNS"], chosen["LINES"] = str(size.columns), str(size.lines)
    return chosen


def _exchange(sock, argv: list[str], cwd: str) -> tuple[list[tuple[int, bytes]], int | None]:
    """Send the request; the output chunks in order and the exit status (None: fall back)."""
    out, err = sys.stdout, sys.stderr
    send_json(
        sock,
        b"j",
        {
            "op": "search",
            "stamp": code_stamp(),
            "argv": argv,
            "cwd": cwd,
            "env": request_environment(os.environ),
            "tty": [os.isatty(0), os.isatty(1), os.isatty(2)],
            "streams": [[out.encoding, out.errors], [err.encoding, err.errors]],
        },
    )
    chunks: list[tuple[int, bytes]] = []
    while True:
        kind, payload = read_frame(sock)
        if kind == b"o":
            chunks.append((1, payload))
        elif kind == b"e":
            chunks.append((2, payload))
        elif kind == b"x":
            return chunks, int(payload)
        else:  # b"f", or anything this client does not know
            return chunks, None


def _write_all(chunks: list[tuple[int, bytes]]) -> None:
    for fd, data in chunks:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BrokenPipeError:  # `search ... | head`: the reader has gone
                return
            except InterruptedError:
                continue
