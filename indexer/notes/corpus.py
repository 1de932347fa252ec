"""Find the note files of a corpus folder and their stat signatures; never reads file contents."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from indexer.errors import CorpusError

# What counts as a note (here, not in `notes`, so the change check needs no note parsing).
NOTE_SUFFIXES = (".md", ".markdown")


def special_file_reason(mode: int) -> str | None:
    """Why a file of this `st_mode` is not read as a note, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"not a regular file ({kind})"


# Folders that hold tool state, not notes.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".obsidian", ".trash", ".Trash", "node_modules", "__pycache__"}
)


# What change detection compares for each note: (modification time in ns, size in bytes).
Signature = tuple[int, int]


class CorpusScan:
    """The note files found under a corpus root, and what was passed over and why.

    A plain class with `__slots__`, not a dataclass: nothing compares or copies it, and
    building a dataclass costs every one-shot search ~4.5 M instructions (issue 19)."""

    __slots__ = ("files", "root", "skipped")

    def __init__(
        self,
        root: Path,
        files: dict[str, Signature] | None = None,  # relative path -> signature
        skipped: list[tuple[str, str]] | None = None,  # (relative path, reason)
    ) -> None:
        self.root = root
        self.files: dict[str, Signature] = {} if files is None else files
        self.skipped: list[tuple[str, str]] = [] if skipped is None else skipped


def scan_corpus(
    root: Path,
    *,
    follow_symlinks: bool = False,
    ignore: Iterable[str] = (),
    exclude: Iterable[Path] = (),
) -> CorpusScan:
    """List the notes under `root` (`.md` files, hidden folders skipped).

    Symbolic links are skipped unless `follow_symlinks`; when followed, a link
    that loops or leads back into a folder already walked is skipped with a reason.
    `exclude` holds folders never to enter (the index, when it lives inside the corpus).
    This runs before every search, so the loop is kept lean: one `stat` per note and
    no per-file objects beyond a tuple.
    """
    root = Path(root)
    try:
        root_stat = os.stat(root)
    except FileNotFoundError:
        raise CorpusError(
            f"corpus folder not found: {root}", hint="pass --corpus DIR or set NOTES_CORPUS"
        ) from None
    except OSError as exc:
        raise CorpusError(f"cannot read corpus folder {root}: {exc.strerror}") from None
    if not stat.S_ISDIR(root_stat.st_mode):
        raise CorpusError(f"corpus is not a folder: {root}")

    scan = CorpusScan(root=root)
    files = scan.files
    patterns = tuple(ignore)
    excluded = {os.path.realpath(path) for path in exclude}
    excluded_names = {os.path.basename(path) for path in excluded}
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    pending = [(str(root), "")]
    while pending:
        directory, rel_dir = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            scan.skipped.append((rel_dir or ".", f"cannot list folder: {exc.strerror}"))
            continue
        links: list[tuple[os.DirEntry, str]] = []
        for entry in entries:
            name = entry.name
            if name[0] == "." or (patterns and _ignored(rel_dir + name, patterns)):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name in SKIPPED_DIRS or (
                        name in excluded_names and os.path.realpath(entry.path) in excluded
                    ):
                        continue
                    if follow_symlinks:
                        # Remember real folders so a link back to one is seen as a loop.
                        info = entry.stat(follow_symlinks=False)
                        visited.add((info.st_dev, info.st_ino))
                    pending.append((entry.path, rel_dir + name + "/"))
                elif entry.is_symlink():
                    links.append((entry, rel_dir + name))
                elif name.endswith(NOTE_SUFFIXES) or name.lower().endswith(NOTE_SUFFIXES):
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        files[rel_dir + name] = (info.st_mtime_ns, info.st_size)
                    else:  # a FIFO, socket or device named like a note: never opened, reported
                        scan.skipped.append((rel_dir + name, special_file_reason(info.st_mode) or ""))
            except OSError as exc:
                scan.skipped.append((rel_dir + name, exc.strerror or str(exc)))
        # Links last, once this folder's real subfolders are known (a link to one is a duplicate).
        for entry, rel in links:
            _scan_link(entry, rel, scan, pending, visited, follow_symlinks, excluded)
    scan.skipped.sort()
    return scan


def corpus_fingerprint(files: dict[str, Signature]) -> str:
    """A digest of every note's path and signature: equal digests mean nothing changed."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for rel in sorted(files):
        mtime_ns, size = files[rel]
        digest.update(f"{rel}\0{mtime_ns}\0{size}\n".encode())
    return digest.hexdigest()


def _scan_link(
    entry: os.DirEntry,
    rel: str,
    scan: CorpusScan,
    pending: list[tuple[str, str]],
    visited: set[tuple[int, int]],
    follow_symlinks: bool,
    excluded: set[str],
) -> None:
    is_note_name = entry.name.lower().endswith(NOTE_SUFFIXES)
    if not follow_symlinks:
        if is_note_name:
            scan.skipped.append((rel, "symbolic link not followed (use --follow-symlinks)"))
        return
    try:
        target = os.stat(entry.path)
    except OSError as exc:
        reason = (
            "symbolic link loop" if exc.errno == errno.ELOOP else f"broken symbolic link ({exc.strerror})"
        )
        scan.skipped.append((rel, reason))
        return
    if stat.S_ISDIR(target.st_mode):
        key = (target.st_dev, target.st_ino)
        if key in visited:
            scan.skipped.append((rel, "symbolic link to a folder already walked (a loop or a duplicate)"))
        elif os.path.realpath(entry.path) not in excluded:
            visited.add(key)
            pending.append((entry.path, rel + "/"))
    elif stat.S_ISREG(target.st_mode) and is_note_name:
        scan.files[rel] = (target.st_mtime_ns, target.st_size)
    elif is_note_name:
        scan.skipped.append(
            (rel, f"symbolic link to something that is {special_file_reason(target.st_mode)}")
        )


def _ignored(rel: str, patterns: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) for pattern in patterns)
