import pytest

from indexer.config import ConfigError, describe, load_config


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
    assert config.warnings == [
        f"{corpus / 'notes.toml'}: unknown key 'limt' ignored (known: corpus, index, ignore, limit, sort, "
        "editor, date_format, theme, weights, aliases)"
    ]
    assert config["limit"] == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('limit = "ten"', "limit must be a whole number >= 0, not 'ten'"),
        ("limit = -1", "limit must be a whole number >= 0, not -1"),
        ('sort = "oldest"', "sort must be one of relevance, date, -date, not 'oldest'"),
        ("weights = { titel = 2 }", "weights has unknown field 'titel'"),
        ('weights = { title = "x" }', "weights title must be a number >= 0"),
        ('date_format = "yyyy"', "date_format must be a strftime format"),
        ('aliases = { "a b" = "author" }', "aliases must be a table"),
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
