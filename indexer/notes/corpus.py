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


# Why a file or folder whose name is not UTF-8 is passed over. Its path could be neither
# stored in the index (UTF-8 text) nor printed as it is; it is reported with its bytes
# shown as `\\xff` escapes (`shown_name`), and its notes are indexed once it is renamed.
NOT_UTF8_FILE = "file name is not valid UTF-8: rename it to index it"
NOT_UTF8_FOLDER = "folder name is not valid UTF-8: rename it to index its notes"


def undecodable(name: str) -> bool:
    """Whether `name`, as `os.scandir` gives it, came from bytes that are not UTF-8 (Python
    holds each such byte as a lone surrogate); an ASCII name is decided in C."""
    if name.isascii():
        return False
    try:
        name.encode()
    except UnicodeEncodeError:
        return True
    return False


def shown_name(rel: str) -> str:
    """`rel` printable and storable: the bytes that are not UTF-8 as `\\xff` escapes."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


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
    root_stat = _corpus_folder_stat(root)
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
                if undecodable(name):
                    _pass_over_undecodable(entry, rel_dir + name, scan)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if not _walked_into(directory, name, excluded, excluded_names):
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
    """A digest of every note's path and signature: equal digests mean nothing changed.

    The notes are taken folder by folder (folders in order of their path, each one's notes
    in order of name), the order `walked_fingerprint` digests them in without a sort of
    the whole list."""
    by_folder: dict[str, list[str]] = {}
    for rel in files:
        folder = rel[: rel.rfind("/") + 1]
        names = by_folder.get(folder)
        if names is None:
            by_folder[folder] = [rel]
        else:
            names.append(rel)
    paths: list[str] = []
    for folder in sorted(by_folder):
        paths += sorted(by_folder[folder])
    numbers: list[int] = []
    for rel in paths:
        numbers += files[rel]
    return _fingerprint(len(paths), "\0".join(paths), numbers)


def walked_fingerprint(root: Path, *, ignore: Iterable[str] = (), exclude: Iterable[Path] = ()) -> str:
    """`corpus_fingerprint(scan_corpus(root, ignore=ignore, exclude=exclude).files)` without
    building the scan: the change check before every one-shot search (issue 19).

    The same walk (the same notes and folders passed over, symbolic links not followed),
    leaner: each folder is opened once and its notes `lstat`ed by name beside it in name
    order, their paths joined and their mtimes and sizes kept in one flat list, with no
    tuple, dict entry or `DirEntry.stat` object kept per note (news corpus: 89 M
    instructions for the check before, see benchmarks/results/2026-12-05-change-check.md).
    """
    if not _WALK_BESIDE_FOLDERS:  # no `dir_fd` (Windows): the scan itself
        return corpus_fingerprint(scan_corpus(root, ignore=ignore, exclude=exclude).files)
    root = Path(root)
    _corpus_folder_stat(root)
    patterns = tuple(ignore)
    excluded = {os.path.realpath(path) for path in exclude}
    excluded_names = {os.path.basename(path) for path in excluded}
    lstat, is_regular = os.lstat, stat.S_ISREG
    folders: list[tuple[str, str, list[int]]] = []  # (relative folder, its notes' paths, numbers)
    count = 0
    pending = [(str(root), "")]
    while pending:
        directory, rel_dir = pending.pop()
        try:
            folder = os.open(directory, _FOLDER_FLAGS)
        except OSError:  # scan_corpus reports it ("cannot list folder"); none of its notes count
            continue
        try:
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                continue
            names = []  # named like a note: its `lstat` below says whether it is a folder
            for entry in entries:
                name = entry.name
                if name[0] == "." or (patterns and _ignored(rel_dir + name, patterns)) or undecodable(name):
                    continue
                if name.endswith(NOTE_SUFFIXES) or name.lower().endswith(NOTE_SUFFIXES):
                    names.append(name)
                    continue
                try:
                    if not entry.is_dir(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                if _walked_into(directory, name, excluded, excluded_names):
                    pending.append((directory + "/" + name, rel_dir + name + "/"))
            names.sort()
            numbers: list[int] = []
            add = numbers.append
            passed_over = []  # not a regular file (a link, a FIFO, a folder) or gone
            for name in names:
                try:
                    info = lstat(name, dir_fd=folder)
                except OSError:
                    passed_over.append(name)
                    continue
                if is_regular(info.st_mode):
                    add(info.st_mtime_ns)
                    add(info.st_size)
                else:
                    passed_over.append(name)
                    if stat.S_ISDIR(info.st_mode) and _walked_into(directory, name, excluded, excluded_names):
                        pending.append((directory + "/" + name, rel_dir + name + "/"))
        finally:
            os.close(folder)
        if passed_over:
            dropped = set(passed_over)
            names = [name for name in names if name not in dropped]
        if names:
            folders.append((rel_dir, rel_dir + ("\0" + rel_dir).join(names), numbers))
            count += len(names)
    folders.sort()
    numbers = []
    for _, _, its_numbers in folders:
        numbers += its_numbers
    return _fingerprint(count, "\0".join([paths for _, paths, _ in folders]), numbers)


# The fingerprint's format, part of its value: a state file written in another format never
# matches, and the check then runs in full (and writes the state again).
FINGERPRINT_FORMAT = "2"
_WALK_BESIDE_FOLDERS = (
    os.stat in os.supports_dir_fd and os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


def _walked_into(directory: str, name: str, excluded: set[str], excluded_names: set[str]) -> bool:
    """Whether `scan_corpus` walks into the folder `name` of `directory` (symbolic links aside)."""
    if name in SKIPPED_DIRS:
        return False
    return name not in excluded_names or os.path.realpath(os.path.join(directory, name)) not in excluded


def _fingerprint(count: int, paths: str, numbers: list[int]) -> str:
    """The digest of `count` notes: their paths joined by NUL, their mtimes and sizes in
    the same order. Packed as 8-byte integers (one call, no text per number); as text in
    the unlikely case one does not fit (an mtime past 2262), marked so the two never meet."""
    import hashlib
    import struct

    try:
        packed, kind = struct.pack(f"<{len(numbers)}q", *numbers), b"q"
    except struct.error:
        packed, kind = "\0".join(map(str, numbers)).encode() + b"\0", b"t"
    digest = hashlib.sha1(b"%d%s\0" % (count, kind), usedforsecurity=False)
    digest.update(packed)
    digest.update(paths.encode())
    return f"{FINGERPRINT_FORMAT}:{digest.hexdigest()}"


def _corpus_folder_stat(root: Path) -> os.stat_result:
    """The corpus folder's `stat`, or the `CorpusError` saying why it cannot be walked."""
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
    return root_stat


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


def _pass_over_undecodable(entry: os.DirEntry, rel: str, scan: CorpusScan) -> None:
    """Report a folder, or a file named like a note, whose name is not UTF-8 (anything else
    so named is passed over silently, as it would be with a UTF-8 name)."""
    if entry.is_dir(follow_symlinks=False):
        scan.skipped.append((shown_name(rel) + "/", NOT_UTF8_FOLDER))
    elif entry.name.lower().endswith(NOTE_SUFFIXES):
        scan.skipped.append((shown_name(rel), NOT_UTF8_FILE))


def _ignored(rel: str, patterns: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern) for pattern in patterns)
