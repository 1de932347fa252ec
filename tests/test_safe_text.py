import pytest

from indexer.output.safe_text import has_unsafe_characters, json_safe, terminal_safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
        ("\x1b]52;c;ZXZpbA==\x07clipboard", "\\x1b]52;c;ZXZpbA==\\x07clipboard"),
        (
            "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
            "\\x1b]8;;https://evil.example\\x1b\\link\\x1b]8;;\\x1b\\",
        ),
        ("safe\roverwritten", "safe\\x0doverwritten"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("C1 \x9b CSI", "C1 \\x9b CSI"),
        ("bell\x07", "bell\\x07"),
    ],
)
def test_control_and_bidi_characters_are_shown_escaped(text, shown):
    assert terminal_safe(text) == shown
    assert has_unsafe_characters(text)


def test_plain_text_and_accents_and_emoji_pass_unchanged():
    text = "Société Générale, São Paulo — “quoted” 🦊👨‍👩‍👧"
    assert terminal_safe(text) is text
    assert not has_unsafe_characters(text)


def test_newlines_and_tabs_become_spaces_on_one_line_and_stay_in_pages():
    assert terminal_safe("a\nb\tc") == "a b c"
    assert terminal_safe("a\nb\tc\x1b", keep_newlines=True) == "a\nb\tc\\x1b"


def test_json_safe_escapes_what_json_leaves_raw_and_keeps_the_same_value():
    import json

    document = json.dumps({"title": "a\u202eb\x9bc\x1b\x7fd é"}, ensure_ascii=False)
    safe = json_safe(document)
    assert safe == '{"title": "a\\u202eb\\u009bc\\u001b\\u007fd é"}'
    assert json.loads(safe) == json.loads(document)
