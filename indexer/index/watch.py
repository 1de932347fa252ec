"""Keep the index current while notes change: file events in, batched updates out.

Events only say *that* something changed; what changed is worked out by the ordinary
`update_index` (stat signatures against the manifest), so a burst of saves, renames
and deletions becomes one commit, and a missed event is caught by the next batch.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from indexer.index.store import IndexOptions, IndexReport, update_index
from indexer.notes.corpus import NOTE_SUFFIXES

# Wait for this long without events before updating (a save is often several events).
DEFAULT_QUIET_SECONDS = 0.5
# ...but never delay an update longer than this while events keep coming.
MAX_DELAY_SECONDS = 3.0


class CorpusWatcher:
    """Watches a corpus folder and applies its changes to the index in batches.

    `on_batch` receives the report of every update that changed something;
    `on_error` receives what an update raised: a `NotesError`, or any other exception
    (a bug, for the caller to log); the watcher goes on and retries at the next event.
    Both are called from the watcher's own thread.
    """

    def __init__(
        self,
        corpus: Path,
        index_dir: Path,
        *,
        options: IndexOptions | None = None,
        on_batch: Callable[[IndexReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_notice: Callable[[], None] | None = None,
        quiet_seconds: float = DEFAULT_QUIET_SECONDS,
    ) -> None:
        self.corpus = Path(os.path.abspath(corpus))
        self.index_dir = Path(os.path.abspath(index_dir))
        self.options = options or IndexOptions()
        self.on_batch = on_batch
        self.on_error = on_error
        self.on_notice = on_notice  # called for every event that marks the corpus changed
        self.quiet_seconds = quiet_seconds
        self._changed = threading.Event()
        self._applying = threading.Lock()  # one update at a time: the batch loop or apply_pending
        self._stopping = threading.Event()
        self._last_event = 0.0
        self._first_event = 0.0
        self._observer = None
        self._worker: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def start(self) -> None:
        """Start watching (and bring the index up to date once, first)."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                watcher.notice(event.src_path, event.is_directory)
                if getattr(event, "dest_path", ""):
                    watcher.notice(event.dest_path, event.is_directory)

        # Watching starts before the first update, so a change made while it runs is an
        # event for the next batch rather than lost between the two.
        self._observer = Observer()
        self._observer.schedule(Handler(), str(self.corpus), recursive=True)
        self._observer.start()
        self._apply()
        self._worker = threading.Thread(target=self._run, name="notes-watch", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Stop watching; an update in progress is finished first, never cut short."""
        self._stopping.set()
        self._changed.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def notice(self, path: str, is_directory: bool) -> None:
        """Called for every file event; marks the corpus as changed if the event matters."""
        resolved = Path(os.path.abspath(os.fsdecode(path)))
        if resolved == self.index_dir or self.index_dir in resolved.parents:
            return
        if self.corpus not in resolved.parents:
            return
        if any(part.startswith(".") for part in resolved.relative_to(self.corpus).parts):
            return
        if is_directory or resolved.name.lower().endswith(NOTE_SUFFIXES):
            now = time.monotonic()
            if not self._changed.is_set():
                self._first_event = now
            self._last_event = now
            self._changed.set()
            if self.on_notice is not None:
                self.on_notice()

    def apply_pending(self) -> None:
        """Apply the changes noticed so far now, without waiting for the burst to settle
        (a resident process does this before each query)."""
        with self._applying:
            if self._changed.is_set():
                self._changed.clear()
                self._apply_now()

    def _report_error(self, exc: Exception) -> None:
        if self.on_error is not None:
            self.on_error(exc)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._changed.wait()
            if self._stopping.is_set():
                return
            # Let a burst settle, but do not wait forever while events keep coming.
            while not self._stopping.is_set():
                now = time.monotonic()
                settled = now - self._last_event >= self.quiet_seconds
                overdue = now - self._first_event >= MAX_DELAY_SECONDS
                if settled or overdue:
                    break
                time.sleep(min(self.quiet_seconds, 0.1))
            with self._applying:
                if self._changed.is_set():  # else apply_pending got there first
                    self._changed.clear()
                    self._apply_now()

    def _apply(self) -> None:
        with self._applying:
            self._apply_now()

    def _apply_now(self) -> None:
        try:
            report = update_index(self.corpus, self.index_dir, options=self.options)
        except Exception as exc:  # the watcher outlives one failed batch, and retries
            self._report_error(exc)
            return
        if report.touched and self.on_batch is not None:
            self.on_batch(report)
