"""The exception family for every error a user can cause; the CLI turns them into one line."""

from __future__ import annotations


class NotesError(Exception):
    """Root of all user-facing errors: a one-line message and an optional hint."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NoteParseError(NotesError):
    """A note file could not be read or parsed; the note is skipped."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QueryError(NotesError):
    """The query text cannot be understood."""


class UnknownFieldError(QueryError):
    """A `field:` scope names a field the index does not have."""

    def __init__(self, field: str, valid: list[str]) -> None:
        super().__init__(
            f"unknown field '{field}:'",
            hint="valid fields: " + ", ".join(f"{name}:" for name in valid),
        )
        self.field = field
        self.valid = valid


class IndexMissingError(NotesError):
    """No index exists where one was expected."""


class IndexLockedError(NotesError):
    """Another process is writing the index."""


class IndexDamagedError(NotesError):
    """The index exists but cannot be read."""


class IndexWriteError(NotesError):
    """The index could not be written (a full disk, a read-only folder); the last commit stands."""


class CorpusError(NotesError):
    """The corpus folder is missing or unreadable."""
