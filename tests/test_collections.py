"""Collections: named corpora in notes.toml, searched one at a time or merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import indexer_main, search_main
from indexer.index.locations import default_index_dir
from tests.conftest import info_note, relative_files


def search(*args: str):
    return CliRunner().invoke(search_main, list(args))


@pytest.fixture
def home(tmp_path, monkeypatch, isolated_environment) -> Path:
    """Two collections, news and blog, named in the user's notes.toml; an empty cwd."""
    news = tmp_path / "archive" / "news"
    blog = tmp_path / "blog"
    for folder, notes in (
        (news, [("a.md", "Gateway breach", "A GPRS gateway was left open zyzzyva."), ("b.md", "Other", "x")]),
        (blog, [("c.md", "Gateway gateway gateway", "My gateway gateway post zyzzyva.")]),
    ):
        folder.mkdir(parents=True)
        for name, title, body in notes:
            (folder / name).write_text(info_note(title, body), encoding="utf-8")
    config = isolated_environment / ".config" / "notes-indexer"
    config.mkdir(parents=True)
    (config / "notes.toml").write_text(
        'collection = "news"\n\n[collections.news]\npath = "'
        + str(news)
        + '"\n\n[collections.blog]\npath = "'
        + str(blog)
        + '"\n',
        encoding="utf-8",
    )
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return tmp_path


def test_the_default_collection_is_searched_without_corpus_or_c(home):
    result = search("gateway", "--files")
    assert (result.exit_code, result.stdout) == (0, "a.md\n")


def test_c_names_another_collection(home):
    result = search("-c", "blog", "gateway", "--files")
    assert (result.exit_code, result.stdout) == (0, "c.md\n")
    assert (default_index_dir(home / "blog") / "manifest.json").is_file()


def test_a_folders_notes_toml_adds_its_collections_to_yours(home, monkeypatch, isolated_environment):
    # As in a checkout: the folder's file names its own collection and makes it the default.
    project = home / "project"
    (project / "sample").mkdir(parents=True)
    (project / "sample" / "s.md").write_text(info_note("Sample", "gateway sample"), encoding="utf-8")
    (project / "notes.toml").write_text(
        'collection = "sample"\n\n[collections.sample]\npath = "sample"\nindex = "index_data"\n'
    )
    monkeypatch.chdir(project)
    assert (search("gateway", "--files").stdout, search("-c", "blog", "gateway", "--files").stdout) == (
        "s.md\n",
        "c.md\n",
    )
    assert search("-c", "sample", "-c", "news", "gprs", "--files").stdout == "a.md\n"
    shown = search("--config-show").stdout.splitlines()
    user_file = isolated_environment / ".config" / "notes-indexer" / "notes.toml"
    assert 'collections.sample = { path = "sample", index = "index_data" }  # notes.toml' in shown
    assert f'collections.blog = {{ path = "{home / "blog"}" }}  # {user_file}' in shown


def test_two_collections_merge_into_one_ranked_list_whose_hits_say_their_collection(home):
    result = search("-c", "news", "-c", "blog", "zyzzyva", "--passages", "0")
    assert result.exit_code == 0
    hits = result.stdout.split("\n\n")
    assert len(hits) == 2
    assert {hit.splitlines()[2] for hit in hits} == {"   a.md  [news]", "   c.md  [blog]"}
    assert result.stderr.endswith("2 notes match (1-2 shown)\n")
    document = json.loads(search("-c", "news", "-c", "blog", "zyzzyva", "--json").stdout)
    assert document["total"] == 2
    assert sorted((hit["collection"], hit["path"]) for hit in document["hits"]) == [
        ("blog", "c.md"),
        ("news", "a.md"),
    ]
    scores = [hit["score"] for hit in document["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert [hit["rank"] for hit in document["hits"]] == [1, 2]


def test_merged_pages_count_and_absolute_paths(home):
    first = search("-c", "news", "-c", "blog", "zyzzyva", "-n", "1", "--files", "--absolute")
    second = search("-c", "news", "-c", "blog", "zyzzyva", "-n", "1", "-p", "2", "--files", "--absolute")
    both = {first.stdout, second.stdout}
    assert both == {f"{home / 'archive' / 'news' / 'a.md'}\n", f"{home / 'blog' / 'c.md'}\n"}
    assert search("-c", "news", "-c", "blog", "zyzzyva", "--count").stdout == "2\n"


def test_an_unknown_collection_is_one_line_naming_the_known_ones(home):
    result = search("-c", "nope", "x")
    assert (result.exit_code, result.stderr) == (
        2,
        "search: no collection 'nope' (collections: blog, news)\n",
    )


def test_a_collection_file_in_the_current_folder_beats_the_user_file(home):
    Path("notes.toml").write_text('collection = "blog"\n', encoding="utf-8")
    assert search("gateway", "--files").stdout == "c.md\n"


def test_collections_write_nothing_into_their_folders(home):
    before = relative_files(home / "blog")
    assert search("-c", "blog", "gateway").exit_code == 0
    assert CliRunner().invoke(indexer_main, ["update", "-c", "blog"]).exit_code == 0
    assert relative_files(home / "blog") == before


def test_a_collection_with_its_own_index_folder_uses_it(home, tmp_path):
    Path("notes.toml").write_text(
        f'[collections.blog]\npath = "{home / "blog"}"\nindex = "blog-index"\n', encoding="utf-8"
    )
    assert search("-c", "blog", "gateway").exit_code == 0
    assert (Path("blog-index") / "manifest.json").is_file()  # relative to the file's folder


def test_a_collection_without_a_path_is_an_error_naming_the_file(home):
    Path("notes.toml").write_text("[collections.blog]\nindex = 'x'\n", encoding="utf-8")
    result = search("-c", "blog", "x")
    assert result.exit_code == 2
    assert result.stderr == 'search: notes.toml: [collections.blog] needs a path, e.g. path = "~/notes"\n'


@pytest.mark.parametrize(
    ("table", "message"),
    [
        # A top-level key written below a table is in that table, as TOML reads it.
        (
            'path = "x"\nlimit = 5\n',
            "[collections.blog] has unknown key 'limit'; 'limit' is a top-level key: "
            "move it above the first [table] (a collection holds path, index)",
        ),
        (
            'pth = "x"\n',
            "[collections.blog] has unknown key 'pth'; did you mean 'path'? (a collection holds path, index)",
        ),
        (
            'path = "x"\nwhatever = 1\n',
            "[collections.blog] has unknown key 'whatever' (a collection holds path, index)",
        ),
    ],
)
def test_a_key_a_collection_does_not_hold_is_one_line_naming_file_table_key_and_nearest_key(
    home, table, message
):
    Path("notes.toml").write_text(
        f'[collections.news]\npath = "news"\n\n[collections.blog]\n{table}', encoding="utf-8"
    )
    result = search("-c", "blog", "x")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"search: notes.toml: {message}\n"


def _settings_for(*names: str):
    import click

    from indexer.cli.settings import resolve_settings

    context = click.Context(search_main)
    with context.scope():
        context.params = {"collections": names}
        return resolve_settings("search")


def test_the_shell_prompt_names_the_collection_and_use_switches_it(home):
    from indexer.index.store import build_index
    from indexer.search.searching import open_index
    from indexer.shell.app import Shell

    settings = _settings_for("news")
    build_index(settings.corpus, settings.index_dir)
    with open_index(settings.corpus, settings.index_dir) as notes:
        shell = Shell(notes, settings=settings)
        assert shell.prompt_text() == "news (2 notes)> "
        shell.execute(":use blog")
        assert shell.prompt_text() == "blog (1 note)> "
        assert shell.notes.corpus == home / "blog"
        assert [hit.path for hit in shell.notes.search("zyzzyva").hits] == ["c.md"]
        shell.notes.close()


def test_use_lists_the_collections_and_refuses_unknown_ones(home, capsys):
    from indexer.index.store import build_index
    from indexer.search.searching import open_index
    from indexer.shell.app import Shell
    from indexer.shell.screen import Screen

    settings = _settings_for("news")
    build_index(settings.corpus, settings.index_dir)
    with open_index(settings.corpus, settings.index_dir) as notes:
        shell = Shell(notes, settings=settings, screen=Screen(color=False, interactive=False))
        shell.execute(":use")
        shell.execute(":use nope")
    out, err = capsys.readouterr()
    assert out.rstrip("\n") == f"  blog  {home / 'blog'}\n* news  {home / 'archive' / 'news'}"
    assert "no collection 'nope' (collections: blog, news)" in err
