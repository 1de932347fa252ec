import pytest

from indexer.cli.config import ConfigError, describe, load_config
from tests.conftest import write_project_settings


@pytest.fixture
def files(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    user = tmp_path / "user.toml"
    return corpus, user


def test_defaults_apply_when_nothing_is_configured(files):
    corpus, user = files
    config = load_config(corpus, environ={}, user_file=user)
    assert config["limit"] == 10
    assert config.source("limit") == "default"
    assert config["sort"] == "relevance"
    assert config.files == []


def test_corpus_file_beats_user_file_env_beats_both_and_options_beat_all(files):
    corpus, user = files
    user.write_text('limit = 5\nsort = "date"\ntheme = "mono"\n')
    (corpus / "notes.toml").write_text("limit = 7\n")
    config = load_config(corpus, environ={"NOTES_SORT": "-date"}, user_file=user, overrides={"theme": "none"})
    assert (config["limit"], config.source("limit")) == (7, str(corpus / "notes.toml"))
    assert (config["sort"], config.source("sort")) == ("-date", "env NOTES_SORT")
    assert (config["theme"], config.source("theme")) == ("none", "command line")


def test_the_corpus_named_by_the_user_file_is_where_its_own_file_is_read(tmp_path):
    corpus = tmp_path / "elsewhere"
    corpus.mkdir()
    (corpus / "notes.toml").write_text("limit = 3\n")
    user = tmp_path / "user.toml"
    user.write_text(f'corpus = "{corpus}"\n')
    config = load_config(None, environ={}, user_file=user)
    assert config["corpus"] == str(corpus)
    assert config["limit"] == 3


def test_unknown_keys_are_warnings(files):
    corpus, user = files
    (corpus / "notes.toml").write_text("limt = 3\n")
    config = load_config(corpus, environ={}, user_file=user)
    assert config.warnings == [f"{corpus / 'notes.toml'}: unknown key 'limt' ignored; did you mean 'limit'?"]
    assert config["limit"] == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('limit = "ten"', "limit must be a whole number from 0 to 1000000, not 'ten'"),
        ("limit = -1", "limit must be a whole number from 0 to 1000000, not -1"),
        ("limit = 10000000000", "limit must be a whole number from 0 to 1000000, not 10000000000"),
        ('sort = "oldest"', "sort must be one of relevance, date, -date, not 'oldest'"),
        ("weights = { titel = 2 }", "weights has unknown field 'titel'"),
        ('weights = { title = "x" }', "weights title must be a number from 0 to 1000"),
        ("weights = { title = nan }", "weights title must be a number from 0 to 1000, not {'title': nan}"),
        ("weights = { title = inf }", "weights title must be a number from 0 to 1000, not {'title': inf}"),
        ("weights = { body = 1e300 }", "weights body must be a number from 0 to 1000"),
        ('date_format = "yyyy"', "date_format must be a strftime format"),
        ('date_format = "%Y\\u001b[2J"', "date_format must not hold control characters (found U+001B)"),
        ('date_format = "%Y\\u009b31m"', "date_format must not hold control characters (found U+009B)"),
        ('date_format = "%Y%n%d"', "date_format must not hold control characters (found U+000A)"),
        ('sort = "date\\u202e"', "sort must be one of relevance, date, -date"),
        ('ignore = ["a\\u001b[2J"]', "ignore must not hold control characters (found U+001B)"),
        (
            'aliases = { "a b" = "author" }',
            "aliases name 'a b' must be one word of letters, digits and _ (it is typed before ':')",
        ),
        ("aliases = { a = 3 }", 'aliases a must name a field as a string, such as "author"'),
        ('aliases = ["author"]', "aliases must be a table such as"),
        ("ignore = 3", "ignore must be a list of glob patterns, not 3"),
    ],
)
def test_bad_values_are_errors_naming_the_file_and_key(files, text, message):
    corpus, user = files
    (corpus / "notes.toml").write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(corpus, environ={}, user_file=user)
    assert str(caught.value).startswith(f"{corpus / 'notes.toml'}: ")
    assert message in str(caught.value)


def test_bad_toml_is_an_error_naming_the_file(files):
    corpus, user = files
    (corpus / "notes.toml").write_text("limit = = 3\n")
    with pytest.raises(ConfigError, match=r"notes\.toml: not valid TOML"):
        load_config(corpus, environ={}, user_file=user)


def test_bad_environment_value_names_the_variable(files):
    corpus, user = files
    with pytest.raises(ConfigError, match="env NOTES_LIMIT: limit must be a whole number"):
        load_config(corpus, environ={"NOTES_LIMIT": "many"}, user_file=user)


def test_describe_lists_every_value_with_its_source(files):
    corpus, user = files
    (corpus / "notes.toml").write_text('ignore = ["drafts/*"]\nweights = { title = 4 }\n')
    text = describe(load_config(corpus, environ={"NOTES_LIMIT": "3"}, user_file=user))
    assert 'ignore = ["drafts/*"]  # ' + str(corpus / "notes.toml") in text
    assert "limit = 3  # env NOTES_LIMIT" in text
    assert "weights = { title = 4.0 }" in text
    assert 'sort = "relevance"  # default' in text


def test_the_user_file_is_in_the_xdg_config_folder_on_linux(monkeypatch, tmp_path):
    import sys

    from indexer.cli.config import user_config_path

    monkeypatch.setattr(sys, "platform", "linux")
    assert user_config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "notes-indexer" / "notes.toml"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_config_path({}) == tmp_path / "home" / ".config" / "notes-indexer" / "notes.toml"


# -- the settings reach the commands ------------------------------------------------------


def test_a_corpus_file_sets_limit_sort_theme_date_format_weights_and_aliases(tmp_path, monkeypatch):
    import json
    import shutil

    from click.testing import CliRunner

    from indexer.cli import search_main
    from tests.conftest import BUNDLED_CORPUS

    shutil.copytree(BUNDLED_CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    (tmp_path / "corpus" / "notes.toml").write_text(
        'limit = 2\nsort = "-date"\ndate_format = "%d %b %Y"\naliases = { a = "author" }\n'
    )
    result = CliRunner().invoke(search_main, ["a:cimpanu", "--passages", "0"])
    assert result.exit_code == 0, result.stderr
    hits = result.stdout.split("\n\n")
    assert len(hits) == 2  # limit = 2
    # sort = "-date": the newest of Cimpanu's notes first, its date as date_format says.
    assert hits[0].splitlines()[1] == "   18 Oct 2021 · The Record · Catalin Cimpanu"
    typed = CliRunner().invoke(search_main, ["a:cimpanu", "-n", "3", "--json"])
    assert len(json.loads(typed.stdout)["hits"]) == 3  # a typed option beats the file
    shown = CliRunner().invoke(search_main, ["--config-show"]).stdout
    assert "limit = 2  # corpus/notes.toml\n" in shown
    assert 'aliases = { a = "author" }  # corpus/notes.toml\n' in shown


def test_a_bad_value_in_a_corpus_file_stops_search_with_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import search_main

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "notes.toml").write_text('sort = "oldest"\n')
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    result = CliRunner().invoke(search_main, ["x"])
    assert result.exit_code == 2
    assert result.stderr == (
        "search: corpus/notes.toml: sort must be one of relevance, date, -date, not 'oldest'\n"
    )


def test_ignore_globs_leave_notes_out_of_the_index(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import indexer_main, search_main
    from tests.conftest import info_note

    corpus = tmp_path / "corpus"
    (corpus / "drafts").mkdir(parents=True)
    (corpus / "kept.md").write_text(info_note("Kept", "zyzzyva kept"))
    (corpus / "drafts" / "draft.md").write_text(info_note("Draft", "zyzzyva draft"))
    (corpus / "notes.toml").write_text('ignore = ["drafts/*"]\n')
    monkeypatch.chdir(tmp_path)
    write_project_settings(tmp_path)
    assert CliRunner().invoke(indexer_main, ["build"]).exit_code == 0
    assert CliRunner().invoke(search_main, ["zyzzyva", "--files"]).stdout == "kept.md\n"


# -- every setting in one place ------------------------------------------------------------


def _commands():
    from indexer.cli import indexer_main, search_main

    yield search_main
    yield from indexer_main.commands.values()


def test_every_option_with_a_variable_has_a_key_of_the_same_name_and_default():
    from indexer.cli.config import KEYS
    from indexer.cli.settings import PARAMETER_KEYS

    checked = 0
    for command in _commands():
        for parameter in command.params:
            if not parameter.envvar:
                continue
            key = parameter.envvar.removeprefix("NOTES_").lower()
            assert key in KEYS, f"{command.name} {parameter.opts[0]}: no notes.toml key {key!r}"
            assert KEYS[key].env == parameter.envvar
            assert PARAMETER_KEYS[parameter.name] == key
            default = KEYS[key].default
            if parameter.default is not None and "UNSET" not in repr(parameter.default):
                wanted = tuple(parameter.default) if isinstance(default, tuple) else parameter.default
                assert default == wanted, f"{key}: key default {default!r}, option {parameter.default!r}"
            checked += 1
    assert checked >= 18


def test_every_key_is_documented_with_its_variable():
    from indexer.cli.config import KEYS
    from tests.conftest import REPO

    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key, spec in KEYS.items():
        assert f"| `{key}` |" in page, f"docs/configuration.md has no row for {key}"
        if spec.env:
            assert f"`{spec.env}`" in page


def test_a_file_key_sets_an_option_and_a_typed_option_beats_it(tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from indexer.cli import search_main
    from tests.conftest import info_note

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(info_note("Zyzzyva", "One zyzzyva line.\n\nTwo zyzzyva lines."))
    (tmp_path / "notes.toml").write_text(
        'collection = "mine"\npassages = 1\noutput = "json"\nfacet = ["source"]\n'
        '[collections.mine]\npath = "corpus"\nindex = "index"\n'
    )
    monkeypatch.chdir(tmp_path)
    document = json.loads(CliRunner().invoke(search_main, ["zyzzyva"]).stdout)
    assert len(document["hits"][0]["passages"]) == 1
    assert document["facets"] == {"source": {"The Record": 1}}
    typed = CliRunner().invoke(search_main, ["zyzzyva", "--files"])
    assert typed.stdout == "a.md\n"  # --files beats output = "json"
    shown = CliRunner().invoke(search_main, ["--config-show"]).stdout
    assert "passages = 1  # notes.toml\n" in shown
    assert 'collections.mine = { path = "corpus", index = "index" }  # notes.toml\n' in shown


def test_config_show_lists_every_key(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import search_main
    from indexer.cli.config import KEYS

    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(search_main, ["--corpus", str(tmp_path), "--config-show"]).stdout
    for key in KEYS:
        assert f"\n{key} = " in "\n" + shown or f"# {key} is not set" in shown, key


def test_an_unknown_key_is_one_warning_once_with_the_nearest_key(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import search_main
    from indexer.cli.settings import _warned

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.toml").write_text("pasages = 1\n")
    monkeypatch.chdir(tmp_path)
    _warned.clear()
    result = CliRunner().invoke(search_main, ["--corpus", "corpus", "zyzzyva"])
    warning = "search: warning: corpus/notes.toml: unknown key 'pasages' ignored; did you mean 'passages'?\n"
    assert result.stderr.count("unknown key") == 1
    assert result.stderr.startswith(warning)


def test_an_unknown_key_far_from_any_says_where_the_keys_are_listed(files):
    corpus, user = files
    user.write_text("zzz = 1\n")
    config = load_config(corpus, environ={}, user_file=user)
    assert config.warnings == [f"{user}: unknown key 'zzz' ignored (--config-show lists the keys)"]


@pytest.mark.parametrize(
    ("variable", "value", "key", "expected"),
    [
        ("NOTES_MAX_SIZE", "2.5", "max_size", 2.5),
        ("NOTES_STRICT", "1", "strict", True),
        ("NOTES_NO_UPDATE", "false", "no_update", False),
        ("NOTES_FACET", "source year", "facet", ("source", "year")),
        ("NOTES_OUTPUT", "json", "output", "json"),
        ("NOTES_COLLECTION", "news", "collection", "news"),
    ],
)
def test_variables_are_read_and_typed_like_their_keys(files, variable, value, key, expected):
    corpus, user = files
    config = load_config(corpus, environ={variable: value}, user_file=user)
    assert (config[key], config.source(key)) == (expected, f"env {variable}")


# -- trust: what a notes folder's own notes.toml may set --------------------------------------


def test_a_corpus_file_cannot_set_a_command_or_a_place_to_write_and_says_so_in_one_line(files):
    corpus, user = files
    (corpus / "notes.toml").write_text(
        'editor = "sh -c \\"id > pwned\\" --"\nindex = "/some/other/folder"\n'
        'corpus = "/elsewhere"\nlimit = 4\n'
    )
    config = load_config(corpus, environ={}, user_file=user)
    assert (config["editor"], config.source("editor")) == ("", "default")
    assert (config["index"], config.source("index")) == (None, "default")
    assert (config["corpus"], config.source("corpus")) == (None, "default")
    assert config["limit"] == 4  # a search default is the folder's to set
    path = corpus / "notes.toml"
    assert config.warnings == [
        f"{path}: key 'editor' ignored: a notes folder's own notes.toml may not set it "
        "(set it with NOTES_EDITOR or your own notes.toml)",
        f"{path}: key 'index' ignored: a notes folder's own notes.toml may not set it "
        "(set it with NOTES_INDEX or your own notes.toml)",
        f"{path}: key 'corpus' ignored: a notes folder's own notes.toml may not set it "
        "(set it with NOTES_CORPUS or your own notes.toml)",
    ]


def test_the_user_file_and_the_environment_may_set_the_editor_and_the_index(files):
    corpus, user = files
    user.write_text('editor = "vim"\nindex = "/tmp/mine"\n')
    config = load_config(corpus, environ={}, user_file=user)
    assert (config["editor"], config["index"]) == ("vim", "/tmp/mine")
    config = load_config(corpus, environ={"NOTES_EDITOR": "nano"}, user_file=user)
    assert (config["editor"], config.source("editor")) == ("nano", "env NOTES_EDITOR")


def test_a_corpus_file_may_set_search_defaults_only():
    from indexer.cli.config import FROM_CORPUS, KEYS

    assert set(KEYS) >= FROM_CORPUS
    for key in ("editor", "index", "corpus", "collection", "collections", "follow_symlinks", "max_size"):
        assert key not in FROM_CORPUS
    assert {"limit", "sort", "aliases", "weights", "date_format"} <= FROM_CORPUS


def test_a_hostile_corpus_file_neither_runs_its_editor_nor_writes_into_its_index(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import search_main
    from tests.conftest import info_note

    corpus, victim = tmp_path / "corpus", tmp_path / "victim"
    corpus.mkdir()
    victim.mkdir()
    (victim / "manifest.json").write_text("theirs")
    pwned = tmp_path / "pwned"
    (corpus / "a.md").write_text(info_note("Zyzzyva", "zyzzyva word"))
    (corpus / "notes.toml").write_text(f'editor = "sh -c \\"touch {pwned}\\" --"\nindex = "{victim}"\n')
    monkeypatch.chdir(tmp_path)
    for name in ("VISUAL", "EDITOR", "NOTES_EDITOR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(search_main, ["--corpus", "corpus", "zyzzyva", "--open", "1"])
    assert not pwned.exists()
    assert (victim / "manifest.json").read_text() == "theirs"
    assert sorted(path.name for path in victim.iterdir()) == ["manifest.json"]
    assert "key 'editor' ignored" in result.stderr and "key 'index' ignored" in result.stderr
    assert result.stderr.endswith(
        "search: no editor to open the note with; set NOTES_EDITOR, VISUAL or EDITOR\n"
    )


def test_a_date_format_with_an_escape_stops_search_with_one_line_naming_file_and_key(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from indexer.cli import search_main

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "notes.toml").write_text('date_format = "%Y\\u001b]52;c;ZXZpbA==\\u0007"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(search_main, ["--corpus", "corpus", "x"])
    assert result.exit_code == 2
    assert result.stderr == (
        "search: corpus/notes.toml: date_format must not hold control characters (found U+001B), "
        "not '%Y\\x1b]52;c;ZXZpbA==\\x07'\n"
    )
