"""Start a resident query process in the background, after a search has answered."""

from __future__ import annotations

import contextlib
import os
import sys

from indexer.daemon.protocol import make_private_dir, route_key, runtime_dir


def start_in_background(settings, argv: list[str] | None = None) -> bool:
    """Start a process serving `settings`' index (or link this route to the one that does).

    Returns True if one was started or linked. Never raises: the search has answered
    already, and a process that cannot be started only means the next one runs cold."""
    try:
        return _start(settings, sys.argv[1:] if argv is None else argv)
    except OSError:
        return False


def _start(settings, argv: list[str]) -> bool:
    from indexer.index.opening import index_exists

    corpus, index_dir = os.path.abspath(settings.corpus), os.path.abspath(settings.index_dir)
    if not os.path.isdir(corpus) or not index_exists(index_dir):
        return False
    folder = runtime_dir()
    if not make_private_dir(folder):
        return False
    key = route_key(argv, os.environ, os.getcwd())
    command = [sys.executable, "-m", "indexer.daemon.server", "--corpus", corpus, "--index", index_dir]
    command += ["--route", key, "--idle", str(settings.daemon_idle)]
    for pattern in settings.ignore:
        command += ["--ignore", pattern]
    # If a process serves this index already (reached by another route), the new one
    # links this route to it and leaves at once: one process per index.
    _detach(command)
    return True


def _detach(command: list[str]) -> None:
    """Run `command` in a new session, its own parent gone (nothing of ours to reap later)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 256)
                os.execv(command[0], command)
        except BaseException:
            pass
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
