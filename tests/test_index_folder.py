"""A missing, unreadable, read-only, full or damaged index folder, or one of an older schema:
one line naming the path (exit 2) or a rebuild, never a traceback; the last commit intact."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.recovery import leftover_files
from indexer.index.schema_version import INDEX_NAME
from tests.conftest import BUNDLED_CORPUS, copy_bundled_index, info_note, write_project_settings

ROOT = os.geteuid() == 0


def indexer(*args):
    return CliRunner().invoke(indexer_main, list(args), prog_name="indexer")


def search(*args):
    return CliRunner().invoke(search_main, list(args), prog_name="search")


@pytest.fixture
def workspace(tmp_path, monkeypatch, bundled_index):
    """./corpus (the bundled notes) and ./index_data, an up-to-date index of it (a copy of
    the session's: the tests that build say so)."""
    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    copy_bundled_index(bundled_index, tmp_path / "corpus", tmp_path / "index_data")
    return tmp_path


def add_a_note(workspace: Path) -> None:
    (workspace / "corpus" / "fresh.md").write_text(info_note("Fresh zyzzyva", "A zyzzyva note."))


def deny(monkeypatch, folder: Path, mode: int) -> None:
    """Make `os.access` answer as it would for a user without `mode` on `folder` (as root
    it always says yes, so the chmod tests below cannot run here)."""
    real_access = os.access

    def access(path, wanted, *args, **kwargs):
        if Path(path).resolve() == folder.resolve() and wanted & mode:
            return False
        return real_access(path, wanted, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_a_missing_index_is_built_by_search_and_update_and_stats_says_how(tmp_path, monkeypatch):
    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    stats = indexer("stats")
    assert (stats.exit_code, stats.stderr) == (2, "indexer: no index at index_data; run: indexer build\n")
    update = indexer("update", "--index", "nested/new/index")
    assert update.exit_code == 0
    assert update.stdout.startswith("Indexed 40 notes")
    assert search("gprs", "--count").stdout == "1\n"


@pytest.mark.parametrize("how", ["chmod 000", "access denied"])
def test_an_unreadable_index_folder_is_one_line_naming_it(workspace, monkeypatch, how):
    index = workspace / "index_data"
    if how == "chmod 000":
        if ROOT:
            pytest.skip("root reads a folder without read permission")
        index.chmod(0)
    else:
        deny(monkeypatch, index, os.R_OK)
    try:
        line = (
            "index folder index_data is not readable (permission denied); "
            "check its permissions: chmod u+rwx index_data\n"
        )
        for result, program in [(search("gprs"), "search"), (search("--no-update", "gprs"), "search"),
                                (indexer("stats"), "indexer"), (indexer("update"), "indexer")]:  # fmt: skip
            assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"{program}: {line}")
    finally:
        index.chmod(0o755)


@pytest.mark.parametrize("how", ["chmod 555", "access denied"])
def test_a_read_only_index_folder_is_searched_as_committed_and_update_says_not_writable(
    workspace, monkeypatch, how
):
    index = workspace / "index_data"
    if how == "chmod 555":
        if ROOT:
            pytest.skip("root writes into a read-only folder")
        index.chmod(0o555)
    else:
        deny(monkeypatch, index, os.W_OK)
    add_a_note(workspace)
    try:
        update = indexer("update")
        assert (update.exit_code, update.stdout) == (2, "")
        assert update.stderr == "indexer: index folder index_data is not writable (permission denied)\n"
        found = search("gprs", "--files")
        assert (found.exit_code, found.stdout) == (
            0,
            "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md\n",
        )
        assert found.stderr == (
            "search: warning: index folder index_data is not writable (permission denied); "
            "searching it as last committed\n"
        )
        assert search("zyzzyva").exit_code == 1  # the new note is not in the last commit
    finally:
        index.chmod(0o755)


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("failing", ["segment file", "table of contents"])
@pytest.mark.parametrize("command", ["update", "build"])
def test_a_full_disk_is_one_line_naming_the_index_and_the_last_commit_stays(
    workspace, monkeypatch, command, failing
):
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    add_a_note(workspace)
    with pytest.MonkeyPatch.context() as disk_full:
        if failing == "segment file":
            disk_full.setattr(FileStorage, "create_file", _no_space)
        else:
            disk_full.setattr(TOC, "write", _no_space)
        result = indexer(command)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "indexer: no space left on the device to write the index at index_data; the last committed index "
        "is intact; free some space and run the command again\n"
    )
    assert search("--no-update", "gprs", "--count").stdout == "1\n"
    assert search("--no-update", "zyzzyva").exit_code == 1
    # With space again, the next run goes through and leaves nothing behind.
    assert indexer("update").exit_code == 0
    assert search("--no-update", "zyzzyva", "--count").stdout == "1\n"
    assert leftover_files(workspace / "index_data") == []


def _damage(index: Path, suffix: str, how: str) -> None:
    (target,) = [path for path in index.iterdir() if path.name.endswith(suffix)]
    data = target.read_bytes()
    target.write_bytes(b"" if how == "truncated" else bytes((byte * 7 + 13) % 256 for byte in data))


DAMAGE = [
    (".toc", "truncated"),
    (".toc", "garbled"),
    (".trm", "truncated"),
    (".pst", "garbled"),
    ("._stored.col", "truncated"),
    ("._stored.col", "garbled"),
    ("._title_len.col", "truncated"),
]


@pytest.mark.parametrize(("suffix", "how"), DAMAGE, ids=[f"{how} {suffix}" for suffix, how in DAMAGE])
def test_a_damaged_index_is_one_line_saying_how_to_rebuild_and_build_repairs_it(workspace, suffix, how):
    _damage(workspace / "index_data", suffix, how)
    result = search("--no-update", "ransomware")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("search: index at index_data cannot be read (")
    assert result.stderr.endswith("); rebuild it: indexer build\n") and result.stderr.count("\n") == 1
    repaired = indexer("build")
    assert repaired.exit_code == 0, repaired.output
    assert search("--no-update", "gprs", "--count").stdout == "1\n"


def test_an_index_of_an_older_schema_version_is_rebuilt_by_search_and_update_and_stats_says_how(workspace):
    index = workspace / "index_data"
    for name in os.listdir(index):  # as if written by schema version 0
        if INDEX_NAME in name:
            os.rename(index / name, index / name.replace(INDEX_NAME, "notes_v0"))
    stats = indexer("stats")
    assert (stats.exit_code, stats.stderr) == (
        2,
        "indexer: index at index_data was written by an older version of this tool; run: indexer build\n",
    )
    found = search("gprs", "--count")
    assert (found.exit_code, found.stdout) == (0, "1\n")
    assert found.stderr.startswith("search: built the index: 40 notes\n")
    assert not [name for name in os.listdir(index) if "notes_v0" in name]
    update = indexer("update")
    assert update.stdout == "Index index_data is up to date: 40 notes\n"


# -- a folder that is not ours ------------------------------------------------------------


def _listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_non_empty_folder_that_holds_no_index_is_refused_and_left_as_it_was(workspace):
    victim = workspace / "victim"
    victim.mkdir()
    (victim / "manifest.json").write_text('{"name": "their web app"}')
    (victim / "state.json").write_text("theirs")
    before = _listing(victim)
    message = (
        f"index folder {victim} is not empty and holds no index of this tool; refusing to write into it; "
        "give --index (or NOTES_INDEX) a new or empty folder\n"
    )
    for command, args in ((indexer, ["build"]), (indexer, ["update"]), (search, ["gprs"])):
        result = command(*args, "--index", str(victim))
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.endswith(message), result.stderr
        assert _listing(victim) == before
    saved = search("--save", "mine", "gprs", "--index", str(victim))
    assert saved.exit_code == 2 and "refusing to write into it" in saved.stderr
    assert _listing(victim) == before


def test_a_new_or_empty_folder_becomes_an_index_with_its_marker(workspace):
    from indexer.index.index_folder import MARKER_FILE

    (workspace / "empty").mkdir()
    for folder in ("empty", "brand/new"):
        assert indexer("build", "--index", folder).exit_code == 0
        assert (workspace / folder / MARKER_FILE).is_file()
        assert search("gprs", "--count", "--index", folder).stdout == "1\n"


def test_an_index_built_before_the_marker_existed_is_still_ours_and_gets_the_marker(workspace):
    from indexer.index.index_folder import MARKER_FILE

    (workspace / "index_data" / MARKER_FILE).unlink()
    add_a_note(workspace)
    result = indexer("update")
    assert result.exit_code == 0, result.stderr
    assert (workspace / "index_data" / MARKER_FILE).is_file()
    assert search("zyzzyva", "--count").stdout == "1\n"
    # Only our manifest, without Whoosh's files (a damaged index), is ours too.
    for name in os.listdir(workspace / "index_data"):
        if name != "manifest.json":
            path = workspace / "index_data" / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert indexer("build").exit_code == 0
    assert search("zyzzyva", "--count").stdout == "1\n"


def test_the_bundled_index_folder_carries_the_marker_so_a_fresh_clone_can_build_there():
    from indexer.index.index_folder import MARKER_FILE
    from tests.conftest import BUNDLED_CORPUS

    assert (BUNDLED_CORPUS.parent / "index_data" / MARKER_FILE).is_file()
