"""Where a resident process listens, how it is checked, and the bytes on its socket.

Standard library only: the `search` script reads this before deciding whether to load
click and Whoosh at all.

A request is one frame of JSON; a reply is a series of frames, each a kind byte, a
4-byte length and a payload: `o` stdout bytes, `e` stderr bytes, `x` the exit status
(ending the reply), `f` "run it yourself" (the client falls back silently), `j` JSON
(status and control answers).
"""

from __future__ import annotations

import json
import os
import stat
import struct

# The C module under `socket` (and below, under `hashlib`): the Python wrappers load
# enum, selectors and OpenSSL, ~4 ms of a client that has only a socket to open.
import _socket as socket  # isort: skip

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (CPython without its bundled BLAKE2)
    from hashlib import blake2b

PROTOCOL = 1
RUNTIME_SUBDIR = "notes-indexer"
# The client waits this long for a reply before running the search itself.
REPLY_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 0.5
MAX_FRAME = 256 * 1024 * 1024

# Environment variables a query may depend on: settings, colour, width, config folders.
ENV_PREFIXES = ("NOTES_", "XDG_")
ENV_NAMES = ("HOME", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TERM", "LANG", "LC_ALL", "LC_CTYPE")

_HEADER = struct.Struct(">cI")


class ProtocolError(Exception):
    """The other side broke the protocol or went away."""


def disabled_by_env(environ: dict[str, str] | os._Environ) -> bool:
    """NOTES_NO_DAEMON=1 (or true/yes) turns the resident process off."""
    return environ.get("NOTES_NO_DAEMON", "").strip().lower() in ("1", "true", "yes", "on")


def code_stamp() -> str:
    """This package's version and a digest of its source files' sizes and mtimes.

    A client and a process talk only when their stamps agree, so an upgraded (or edited)
    package never gets answers from code loaded before the change (~0.3 ms: stats only)."""
    from indexer import __version__

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = blake2b(digest_size=8)
    pending = [root]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    digest.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return f"{__version__}/{PROTOCOL}/{digest.hexdigest()}"


def runtime_dir(environ: dict[str, str] | os._Environ | None = None) -> str:
    """The folder of the sockets: $XDG_RUNTIME_DIR/notes-indexer or platformdirs' runtime dir."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_RUNTIME_DIR", "")
    if not base or not os.path.isabs(base):
        import warnings

        from platformdirs import user_runtime_dir

        with warnings.catch_warnings():
            # Its fallback (/tmp/runtime-UID) is fine: `private_dir` checks the folder's
            # owner and mode before a socket is trusted; the warning would reach stderr.
            warnings.simplefilter("ignore")
            base = user_runtime_dir()
    return os.path.join(base, RUNTIME_SUBDIR)


def private_dir(path: str) -> bool:
    """True if `path` is a real folder owned by this user that nobody else can enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077 == 0


def make_private_dir(path: str) -> bool:
    """Create the socket folder with mode 0700 (and its parents); False if it is not private."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        return False
    return private_dir(path)


def _digest(text: str) -> str:
    return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def index_socket(folder: str, index_dir: str) -> str:
    """The socket of the process that serves `index_dir` (an absolute, resolved path)."""
    return os.path.join(folder, f"{_digest(index_dir)}.sock")


def route_key(argv: list[str], environ: dict[str, str] | os._Environ, cwd: str) -> str:
    """What a client knows cheaply about which index it will search.

    The folder, the --corpus/--index/--collection words typed and the variables that
    pick a config file or the index's default place; a route names a link to the socket
    of the index they resolved to last time.
    The process checks every request against its own index, so a guess that went stale
    (a notes.toml changed) costs one fallback, never a wrong answer."""
    chooses = ("--corpus", "--index", "--collection", "-c")
    typed = [word for word in argv if word.startswith(chooses)]
    typed += [argv[i + 1] for i, word in enumerate(argv[:-1]) if word in chooses]
    names = ("NOTES_CORPUS", "NOTES_INDEX", "NOTES_COLLECTION", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME")
    picked = {name: environ.get(name, "") for name in names}
    return _digest(json.dumps([cwd, typed, picked]))


def route_link(folder: str, key: str) -> str:
    return os.path.join(folder, f"route-{key}")


def same_user(sock) -> bool:
    """The peer of a Unix socket runs as this user (SO_PEERCRED on Linux; elsewhere: no)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return False
    credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


def send_frame(sock, kind: bytes, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(kind, len(payload)) + payload)


def send_json(sock, kind: bytes, value: object) -> None:
    send_frame(sock, kind, json.dumps(value).encode("utf-8"))


def _read_exactly(sock, size: int) -> bytes:
    parts, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_frame(sock) -> tuple[bytes, bytes]:
    kind, size = _HEADER.unpack(_read_exactly(sock, _HEADER.size))
    if size > MAX_FRAME:
        raise ProtocolError("frame too large")
    return kind, _read_exactly(sock, size)


def read_json(sock) -> object:
    kind, payload = read_frame(sock)
    if kind != b"j":
        raise ProtocolError(f"expected JSON, got {kind!r}")
    return json.loads(payload)
