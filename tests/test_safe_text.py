import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# The expressions as they were compiled at import before they were compiled on demand.
_UNSAFE_BEFORE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_ONE_LINE_BEFORE = re.compile(_UNSAFE_BEFORE.pattern[:-1] + "\t\n]")
_EDGES = (
    "\t\n\r\x00\x07\x1b\x7f\x85\x9b\xa0\xad\u061c\u200b\u200c\u200d\u200e"
    "\u2028\u202a\u2060\u2065\u2069\ufeff\ufffa é🦊 a"
)


def test_every_unsafe_character_is_one_isprintable_refuses():
    unsafe = [chr(code) for code in range(0x110000) if _UNSAFE_BEFORE.match(chr(code))]
    assert len(unsafe) == 88
    assert not any(character.isprintable() for character in unsafe)


@given(st.text(alphabet=st.sampled_from(_EDGES) | st.characters(), max_size=40))
def test_the_escapes_are_those_of_the_expressions_compiled_at_import(text):
    def escaped(pattern, replace):
        return pattern.sub(replace, text) if pattern.search(text) else text

    def shown(match):
        code = ord(match.group())
        return " " if code in (9, 10) else f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    assert terminal_safe(text) == escaped(_ONE_LINE_BEFORE, shown)
    assert terminal_safe(text, keep_newlines=True) == escaped(_UNSAFE_BEFORE, shown)
    assert json_safe(text) == escaped(_UNSAFE_BEFORE, lambda match: f"\\u{ord(match.group()):04x}")
    assert has_unsafe_characters(text) == (_UNSAFE_BEFORE.search(text) is not None)


def test_printable_text_compiles_no_expression():
    code = (
        "from indexer.output import safe_text\n"
        "safe_text.terminal_safe('Société Générale — 🦊'); safe_text.json_safe('{\\n  \"a\": 1\\n}')\n"
        "print(sorted(safe_text._compiled))\n"
        "safe_text.terminal_safe('two\\nlines')\n"
        "print(sorted(safe_text._compiled))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["[]", "[False]"], done.stderr
