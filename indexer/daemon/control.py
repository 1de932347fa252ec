"""Ask the resident process of an index for its status, or to stop."""

from __future__ import annotations

import os
import time

from indexer.daemon.protocol import (
    CONNECT_TIMEOUT_SECONDS,
    ProtocolError,
    index_socket,
    private_dir,
    read_json,
    runtime_dir,
    same_user,
    send_json,
    socket,
)


def ask(index_dir: str, op: str) -> dict | None:
    """Send `op` ("status" or "stop") to the process serving `index_dir`; its status, or
    None when no live process of this user serves it (a stale socket is removed)."""
    folder = runtime_dir()
    if not private_dir(folder):
        return None
    path = index_socket(folder, os.path.abspath(index_dir))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(CONNECT_TIMEOUT_SECONDS)
    try:
        sock.connect(path)
    except ConnectionRefusedError:
        from indexer.daemon.client import remove_stale

        sock.close()
        remove_stale(path)
        return None
    except OSError:
        sock.close()
        return None
    try:
        if not same_user(sock):
            return None
        sock.settimeout(10.0)
        send_json(sock, b"j", {"op": op})
        answer = read_json(sock)
    except (OSError, ProtocolError, ValueError):
        return None
    finally:
        sock.close()
    return answer if isinstance(answer, dict) else None


def stop(index_dir: str, timeout: float = 10.0) -> dict | None:
    """Ask the process to stop and wait until its pid is gone; its last status, or None."""
    status = ask(index_dir, "stop")
    if status is None:
        return None
    deadline = time.monotonic() + timeout
    while _alive(int(status["pid"])) and time.monotonic() < deadline:
        time.sleep(0.02)
    return status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a test's own child not yet reaped) has exited too.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
