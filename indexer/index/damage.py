"""Reading an index whose files may change under us or be damaged on disk.

Another process's commit deletes the files of the commit before it: a reader that had
not yet opened one of them (Whoosh opens column files lazily, during a search) finds it
gone, and reads again from the new commit. Damaged files surface as whatever the
decoder trips over (struct, pickle, type errors, Whoosh's own); they become one line
saying how to rebuild. Only failures of the reading itself do (`is_damage`): a bug of
ours inside a guarded method is not damage, and reaches the top-level handler.
"""

from __future__ import annotations

import functools
import gc
import pickle
import struct
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from indexer.errors import IndexDamagedError, NotesError


@functools.cache
def read_errors() -> tuple[type[BaseException], ...]:
    """What reading truncated or garbled index files raises wherever it happens: I/O,
    decoding and Whoosh's own format errors. Whoosh is imported here, not when this
    module is, so that importing `store` stays cheap."""
    from whoosh.filedb.filetables import FileFormatError
    from whoosh.index import IndexError as WhooshIndexError
    from whoosh.reading import CorruptIndexError

    return (
        OSError,
        EOFError,
        struct.error,
        zlib.error,
        pickle.UnpicklingError,
        FileFormatError,
        CorruptIndexError,
        WhooshIndexError,
    )


# Errors a decoder raises on garbage, but so does a bug. They count as damage only when
# raised by the code that reads the index files: Whoosh's, or the engine's column and
# posting readers (AttributeError only in Whoosh's: an unpickled value of the wrong type;
# in the engine it means a Whoosh internal moved, which a rebuild cannot fix).
_DECODING_ERRORS = (ValueError, IndexError, KeyError, TypeError, AttributeError)
_INDEX_READERS = ("whoosh.", "indexer.engine.")


def is_damage(exc: BaseException) -> bool:
    """Whether `exc`, raised while reading an index, says its files are damaged (not that
    our code has a bug: that reaches the top-level handler as an internal error)."""
    if isinstance(exc, read_errors()):
        return True
    if not isinstance(exc, _DECODING_ERRORS) or isinstance(exc, UnicodeEncodeError):
        # Encoding text is writing it, never reading damaged bytes: a bug, not damage.
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    if isinstance(exc, AttributeError):
        return module.startswith("whoosh.")
    return module.startswith(_INDEX_READERS)


REBUILD_HINT = "rebuild it: indexer build"

Method = TypeVar("Method", bound=Callable[..., Any])
Result = TypeVar("Result")


def damaged(index_dir: Path, exc: BaseException) -> IndexDamagedError:
    """The one-line error for an index that cannot be read, naming what failed."""
    if isinstance(exc, PermissionError):  # not damage: a rebuild would not help
        name = Path(exc.filename).name if exc.filename else "a file"
        return IndexDamagedError(
            f"index at {index_dir} cannot be read: {name}: permission denied",
            hint=f"check the permissions of its files: chmod -R u+rw {index_dir}",
        )
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    kind = type(exc).__name__
    kind = f"{type(exc).__module__}.{kind}" if kind == "error" else kind  # struct.error, zlib.error
    what = f"{kind}: {detail}" if detail else kind
    return IndexDamagedError(f"index at {index_dir} cannot be read ({what})", hint=REBUILD_HINT)


def read_or_damaged(
    index_dir: Path,
    read: Callable[[], Result],
    *,
    errors: tuple[type[BaseException], ...] | None = None,
    reopened: Callable[[type[BaseException]], bool] | None = None,
    attempts: int = 3,
) -> Result:
    """`read()`, or the `IndexDamagedError` for what it raised (of `errors`, else what
    `is_damage` says is damage; anything else, a bug, is raised as it is).

    When reading fails, `reopened(type of the error)` may say that the files being read
    were replaced by a newer commit and the index is open again on it: `read()` is then
    tried again (up to `attempts` times in all, for commits in quick succession).

    Whoosh opens files without `with` or try/finally (a table of contents, a segment's
    term and posting files): when a damaged file makes reading fail, they stay open,
    held by the traceback, and would close with a ResourceWarning whenever collected
    (in the middle of another test, under `-W error`). They are closed here.
    """
    # The files close when the failed read's traceback goes, at the end of the `except`.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return read()
        except NotesError:
            raise
        except Exception as exc:
            if not (isinstance(exc, errors) if errors else is_damage(exc)):
                raise
            import traceback  # here: a search that reads a sound index never loads it

            traceback.clear_frames(exc.__traceback__)
            error, failure = damaged(index_dir, exc), type(exc)
        gc.collect()  # what it held in reference cycles
    if attempts > 1 and reopened is not None and reopened(failure):
        return read_or_damaged(index_dir, read, errors=errors, reopened=reopened, attempts=attempts - 1)
    raise error


def reads_index(method: Method) -> Method:
    """For `NoteIndex` methods: a read that fails because another process committed (Whoosh
    opens some files lazily, and a commit deletes the files of the one before) is read
    again from the new commit; any other failure is damage, in one line."""

    @functools.wraps(method)
    def guarded(self, *args: Any, **kwargs: Any) -> Any:
        def reopened(failure: type[BaseException]) -> bool:
            if self.refresh_if_changed():
                return True
            if issubclass(failure, FileNotFoundError):  # between reading the commit and its files
                self.refresh()
                return True
            return False

        return read_or_damaged(self.index_dir, lambda: method(self, *args, **kwargs), reopened=reopened)

    return cast(Method, guarded)
