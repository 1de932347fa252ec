"""The resident query process: one per index, answering `search` over a Unix socket.

    python -m indexer.daemon.server --corpus DIR --index DIR --route KEY --idle SECONDS

Started in the background by a one-shot search (`spawn.start_in_background`). It loads
the search code once, keeps the index current with a file watcher, serves requests in a
thread pool, and exits when idle, when its index or corpus is removed, when a client of
another code version or `indexer daemon stop` asks it to.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from indexer.daemon.index_pool import IndexPool
from indexer.daemon.protocol import (
    ProtocolError,
    code_stamp,
    index_socket,
    make_private_dir,
    read_json,
    route_link,
    runtime_dir,
    same_user,
    send_frame,
    send_json,
)
from indexer.daemon.serving import ContextGate, RunLocally, _relevant, install_stream_proxies, serving

log = logging.getLogger("notes-indexer.daemon")

WORKERS = 4
# How often the accept loop wakes to check the idle time and that the index still exists.
TICK_SECONDS = 0.25


class Service:
    """The state of one resident process: its index, watcher, counters and socket."""

    def __init__(self, corpus: Path, index_dir: Path, idle_seconds: float, folder: str) -> None:
        self.corpus = corpus
        self.index_dir = index_dir
        self.idle_seconds = idle_seconds
        self.folder = folder
        self.socket_path = index_socket(folder, str(index_dir))
        self.stamp = code_stamp()
        self.started = time.time()
        self.served = 0
        self.changes_seen = 0
        self.updates_applied = 0
        self._active = 0
        self._last_activity = time.monotonic()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.gate = ContextGate()
        self.watcher = None
        self.indexes = IndexPool()

    # -- what a request may ask -------------------------------------------------------

    def serves(self, settings) -> bool:
        """True when `settings` name this process's corpus and index and allow the process."""
        if not getattr(settings, "daemon", True):
            self.stopping.set()  # turned off in notes.toml: leave
            return False
        return (
            Path(os.path.abspath(settings.index_dir)) == self.index_dir
            and Path(os.path.abspath(settings.corpus)) == self.corpus
        )

    def bring_current(self) -> None:
        if self.watcher is not None:
            self.watcher.apply_pending()

    def status(self) -> dict[str, object]:
        return {
            "pid": os.getpid(),
            "index": str(self.index_dir),
            "corpus": str(self.corpus),
            "uptime": round(time.time() - self.started, 1),
            "served": self.served,
            "changes_seen": self.changes_seen,
            "updates": self.updates_applied,
            "memory": resident_bytes(),
            "indexes_opened": self.indexes.opened,
            "idle_timeout": self.idle_seconds,
            "version": self.stamp,
        }

    # -- lifetime -----------------------------------------------------------------------

    def done_starting(self) -> None:
        """Idle time counts from when the process can serve, not from its start."""
        with self._lock:
            self._last_activity = time.monotonic()

    def busy(self) -> None:
        with self._lock:
            self._active += 1

    def done(self) -> None:
        with self._lock:
            self._active -= 1
            self._last_activity = time.monotonic()

    def should_exit(self) -> str | None:
        """Why the process should leave now, or None."""
        if self.stopping.is_set():
            return "asked to stop"
        with self._lock:
            idle = self._active == 0 and time.monotonic() - self._last_activity >= self.idle_seconds
        if idle:
            return f"idle for {self.idle_seconds:g} s"
        if not self.corpus.is_dir():
            return "the corpus folder was removed"
        from indexer.index.opening import index_exists

        if not index_exists(self.index_dir):
            return "the index was removed"
        return None


def resident_bytes() -> int:
    """This process's resident memory (VmRSS), in bytes."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def handle(service: Service, conn: socket.socket) -> None:
    """Serve one connection: a search, a status or a stop."""
    try:
        with conn:
            conn.settimeout(10.0)
            if not same_user(conn):
                return
            request = read_json(conn)
            if not isinstance(request, dict):
                return
            conn.settimeout(None)
            op = request.get("op")
            if op == "status":
                send_json(conn, b"j", service.status())
            elif op == "stop":
                service.stopping.set()
                send_json(conn, b"j", service.status())
            elif op == "search":
                _answer_search(service, conn, request)
    except (OSError, ProtocolError, ValueError):
        log.debug("connection dropped", exc_info=True)
    except Exception:
        log.exception("internal error serving a request")
    finally:
        service.done()


def _answer_search(service: Service, conn: socket.socket, request: dict) -> None:
    if request.get("stamp") != service.stamp:
        # Another version of the code: it must not get answers from this one; leave.
        log.info("client of another version (%s); exiting", request.get("stamp"))
        service.stopping.set()
        send_frame(conn, b"f", b"")
        return
    status = run_search(service, request)
    if status is None:
        send_frame(conn, b"f", b"")
        return
    chunks, code = status
    for fd, data in chunks:
        send_frame(conn, b"o" if fd == 1 else b"e", data)
    send_frame(conn, b"x", str(code).encode("ascii"))


def run_search(service: Service, request: dict) -> tuple[list[tuple[int, bytes]], int] | None:
    """Run the `search` command for `request`; its output and exit status, or None."""
    from indexer.cli.search import search_main

    argv = [str(word) for word in request.get("argv", [])]
    env = {str(k): str(v) for k, v in dict(request.get("env", {})).items() if _relevant(str(k))}
    with service.gate.entered(str(request.get("cwd", "/")), env), serving(service, request) as served:
        try:
            search_main.main(args=argv, prog_name="search", standalone_mode=True)
            code = 0
        except SystemExit as stop:
            code = _exit_code(stop.code, served)
        except RunLocally:
            return None
    with service._lock:
        service.served += 1
    return served.chunks, code


def _exit_code(code, served) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    served.chunks.append((2, f"{code}\n".encode()))  # what Python prints for sys.exit("text")
    return 1


def serve(service: Service, listener: socket.socket) -> str:
    """Accept connections until it is time to leave; why it left."""
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="notes-query") as pool:
        listener.settimeout(TICK_SECONDS)
        service.done_starting()
        while True:
            reason = service.should_exit()
            if reason is not None:
                return reason
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            service.busy()
            pool.submit(handle, service, conn)


def start_watcher(service: Service, ignore: tuple[str, ...]) -> None:
    """Bring the index up to date once, then follow the corpus's changes."""
    from indexer.index.store import IndexOptions
    from indexer.index.watch import CorpusWatcher

    def applied(report) -> None:
        service.updates_applied += 1

    def noticed() -> None:
        service.changes_seen += 1

    def failed(exc) -> None:
        log.warning("update failed: %s", exc)

    watcher = CorpusWatcher(
        service.corpus,
        service.index_dir,
        options=IndexOptions(ignore=ignore),
        on_batch=applied,
        on_error=failed,
        on_notice=noticed,
    )
    watcher.start()
    service.watcher = watcher


def warm_up(service: Service) -> None:
    """Load the search code and read the index once, so the first query is fast too."""
    from indexer.cli.search import search_main  # noqa: F401
    from indexer.search.options import SearchOptions

    with service.indexes.lend(service.corpus, service.index_dir, {}, {}) as notes:
        notes.search("warm up index", SearchOptions(limit=1))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="notes-indexer-daemon")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--route", action="append", default=[])
    parser.add_argument("--idle", type=float, default=900.0)
    parser.add_argument("--ignore", action="append", default=[])
    return parser.parse_args(argv)


def link_route(folder: str, key: str, socket_path: str) -> None:
    """Point route `key` at `socket_path` (atomically: a client never sees half a link)."""
    link = route_link(folder, key)
    temporary = f"{link}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    os.symlink(socket_path, temporary)
    os.replace(temporary, link)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    corpus, index_dir = Path(os.path.abspath(args.corpus)), Path(os.path.abspath(args.index))
    folder = runtime_dir()
    if not make_private_dir(folder):
        return 2  # not a folder only this user can enter: serve nothing
    service = Service(corpus, index_dir, args.idle, folder)
    logging.basicConfig(
        filename=service.socket_path[: -len(".sock")] + ".log",
        level=logging.INFO,
        format="%(asctime)s %(process)d %(levelname)s %(message)s",
    )
    lock = open(service.socket_path[: -len(".sock")] + ".lock", "w")  # noqa: SIM115 (held for life)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another process serves this index: share it
        for key in args.route:
            link_route(folder, key, service.socket_path)
        return 0
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Bound and listening under another name first, then renamed over a dead process's
    # socket (the lock says it is dead): a client never finds a socket nobody listens on.
    temporary = f"{service.socket_path}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    old_mask = os.umask(0o177)
    try:
        listener.bind(temporary)
    finally:
        os.umask(old_mask)
    listener.listen(64)
    os.replace(temporary, service.socket_path)
    reason = "failed to start"
    try:
        install_stream_proxies()
        warm_up(service)
        start_watcher(service, tuple(args.ignore))
        for key in args.route:
            link_route(folder, key, service.socket_path)
        log.info("serving %s (corpus %s)", index_dir, corpus)
        reason = serve(service, listener)
    except Exception:
        log.exception("internal error")
    finally:
        listener.close()
        remove_links(service)
        if service.watcher is not None:
            service.watcher.stop()
        service.indexes.close()
        log.info("exiting: %s", reason)
        lock.close()
    return 0


def remove_links(service: Service) -> None:
    """Remove this process's socket and every route link to it."""
    with contextlib.suppress(OSError):
        os.unlink(service.socket_path)
    with contextlib.suppress(OSError), os.scandir(service.folder) as entries:
        for entry in entries:
            if entry.name.startswith("route-") and os.readlink(entry.path) == service.socket_path:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


if __name__ == "__main__":
    sys.exit(main())
