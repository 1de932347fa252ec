"""Run a pager or an editor on the shell's terminal.

While the child runs, Ctrl-C belongs to it: the terminal sends SIGINT to the whole
foreground group, and the shell must not die of a key press meant for `less` or `vim`.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress


@contextmanager
def ctrl_c_goes_to_child() -> Iterator[None]:
    """Ignore SIGINT in the shell for a while (a Python handler, so children get the default)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_child(argv: list[str], *, input_text: str | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run `argv` on the terminal (feeding it `input_text`), wait for it; its exit status.

    Raises OSError when it cannot be started. A reader that quits early (`q` in less) is fine.
    """
    with ctrl_c_goes_to_child():
        if input_text is None:
            return subprocess.run(argv, env=env, check=False).returncode
        child = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env, encoding="utf-8", errors="replace")
        assert child.stdin is not None
        try:
            child.stdin.write(input_text)
        except BrokenPipeError:
            pass
        finally:
            with suppress(BrokenPipeError):
                child.stdin.close()
        return child.wait()
