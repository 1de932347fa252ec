"""The one-pass analyzer gives exactly the tokens of Whoosh's filter chain it replaces."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

from indexer.index.analysis import (
    COMPILED_AS,
    PATH_WORD_PATTERN,
    WORD_PATTERN,
    WordAnalyzer,
    ascii_words,
    fold_accents,
    lowered_ascii_words,
)
from indexer.index.schema import PATH_ANALYZER
from tests.conftest import BUNDLED_CORPUS, SHARED_NEWS, needs_shared_news

CHAIN_STEMMED = (
    RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
    | StopFilter(minsize=1, maxsize=100) | StemFilter()
)  # fmt: skip
CHAIN_NAMES = (
    RegexTokenizer(WORD_PATTERN)
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(minsize=1, maxsize=100)
)

# What paths and links were analyzed with before `PATH_ANALYZER` was a `WordAnalyzer`.
CHAIN_PATHS = (
    RegexTokenizer(PATH_WORD_PATTERN)
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(stoplist=(), minsize=1, maxsize=100)
)
PATHS = [
    "zdnet/1000-arrests.md",
    "bleepingcomputer/Société_Générale--hit_by  RansomEXX (2).md",
    "https://www.zdnet.com/article/t-mobile-says-hackers-stole-data/?utm_source=x&a_b=1",
    "a/" + "x" * 150 + "/the_of_and.md",
    "",
]

TEXTS = [
    "The attacker’s Ransomware hit 3.5 million users at Société Générale, said the FBI.",
    "T-Mobile’s GPRS gateway was misconfigured; hackers HACKED it in the café.",
    "a " * 5 + "x" * 150 + " word",
    "",
    *(path.read_text(encoding="utf-8") for path in sorted(BUNDLED_CORPUS.rglob("*.md"))[:12]),
]


def tokens(analyzer, text, **kwargs):
    return [(t.text, t.pos, t.startchar, t.endchar, t.stopped) for t in analyzer(text, **kwargs)]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("removestops", [True, False])
@pytest.mark.parametrize(
    ("fused", "chain"), [(WordAnalyzer(stem=True), CHAIN_STEMMED), (WordAnalyzer(stem=False), CHAIN_NAMES)]
)
def test_fused_analyzer_matches_the_whoosh_chain(text, removestops, fused, chain):
    assert tokens(fused, text, positions=True, chars=True, removestops=removestops) == tokens(
        chain, text, positions=True, chars=True, removestops=removestops
    )


@pytest.mark.parametrize("text", PATHS + TEXTS[:3])
@pytest.mark.parametrize("removestops", [True, False])
def test_path_analyzer_matches_the_whoosh_chain_it_replaces(text, removestops):
    assert tokens(PATH_ANALYZER, text, positions=True, chars=True, removestops=removestops) == tokens(
        CHAIN_PATHS, text, positions=True, chars=True, removestops=removestops
    )
    assert PATH_ANALYZER.word_positions(text) == {
        word: [t.pos for t in CHAIN_PATHS(text, positions=True) if t.text == word]
        for word in {t.text for t in CHAIN_PATHS(text)}
    }


@pytest.mark.parametrize("word", ["Hacked", "café", "the", "T-Mobile", "x" * 200])
def test_untokenized_values_are_normalised_like_the_chain(word):
    fused = [t.text for t in WordAnalyzer()(word, tokenize=False)]
    chain = [t.text for t in CHAIN_STEMMED(word, tokenize=False)]
    assert fused == chain


def test_analyzer_survives_pickling_as_part_of_the_schema():
    analyzer = WordAnalyzer(stem=True)
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    assert [t.text for t in copy("Hackers hacked")] == ["hacker", "hack"]


def test_very_long_words_are_not_indexed_nor_remembered():
    analyzer = WordAnalyzer()
    assert [t.text for t in analyzer("z" * 5_000_000 + " ok")] == ["ok"]
    assert all(len(word) <= 100 for word in analyzer._memo)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("stoplist", [frozenset(), None])
def test_positions_of_words_are_those_the_tokens_get(text, stoplist):
    analyzer = WordAnalyzer(stem=False) if stoplist is None else WordAnalyzer(stem=False, stoplist=stoplist)
    expected: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True):
        expected.setdefault(token.text, []).append(token.pos)
    words = sorted(expected)[:3]
    assert analyzer.positions(text, words) == {word: expected[word] for word in words}


@pytest.mark.parametrize("text", TEXTS)
def test_found_positions_are_those_of_the_words_that_occur(text):
    analyzer = WordAnalyzer(stem=False)
    expected: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True):
        expected.setdefault(token.text, []).append(token.pos)
    words = [*sorted(expected)[:3], "zqxjv"]
    assert analyzer.found_positions(text, words) == {word: expected[word] for word in words[:-1]}


def test_positions_are_empty_unless_every_word_occurs():
    analyzer = WordAnalyzer(stem=False, stoplist=frozenset())
    assert analyzer.positions("Hackers breached the café", ["cafe", "the"]) == {"cafe": [3], "the": [2]}
    assert analyzer.positions("Hackers breached the café", ["cafe", "servers"]) == {}
    assert analyzer.found_positions("Hackers breached the café", ["cafe", "servers"]) == {"cafe": [3]}
    with pytest.raises(ValueError, match="without stemming"):
        WordAnalyzer(stem=True).positions("Hackers", ["hacker"])


def _spans_by_tokens(analyzer: WordAnalyzer, text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    return [(token.startchar, token.endchar) for token in analyzer(text, chars=True) if token.text in terms]


def _corpus_texts(folder) -> list[str]:
    return [path.read_text(encoding="utf-8", errors="replace") for path in sorted(folder.rglob("*.md"))]


@pytest.mark.parametrize(
    "words",
    ["ransomware attack", "GPRS gateway", "Société Générale über", "the of and", "y ay sky", "breaches"],
)
def test_spans_of_are_the_spans_of_the_matching_tokens(words):
    analyzer = WordAnalyzer(stem=True)
    terms = frozenset(analyzer.normalize(word) for word in words.split())
    texts = [*_corpus_texts(BUNDLED_CORPUS), "Ärger bei Société Générale, ÜBER alles; skies and sky", ""]
    found = 0
    for text in texts:
        expected = _spans_by_tokens(WordAnalyzer(stem=True), text, terms)  # a fresh memo each time
        assert WordAnalyzer(stem=True).spans_of(text, terms) == expected
        assert analyzer.spans_of(text, terms) == expected  # and with a memo filled by earlier texts
        found += len(expected)
    assert found > 0 or words == "the of and"


@needs_shared_news
def test_stemming_keeps_the_first_letter_of_every_word_of_the_news_corpus():
    """What `spans_of` relies on to skip stemming words that start with another letter."""
    analyzer = WordAnalyzer(stem=True)
    words = {word for text in _corpus_texts(SHARED_NEWS) for word in analyzer._pattern.findall(text)}
    changed = [
        word
        for word in words
        if (stem := analyzer.normalize(word)) and stem[0] != fold_accents(word[:1].lower())[:1]
    ]
    assert len(words) > 50_000 and changed == []


def test_ascii_words_looks_at_the_words_not_the_punctuation():
    from indexer.index.analysis import ascii_words

    assert ascii_words("plain text") and ascii_words("the gang’s “leak” — 3…")
    assert not ascii_words("le café") and not ascii_words("\u212aelvin") and not ascii_words("x ①2")


# Word characters of several scripts, the dot in every place, and what separates words.
WORD_PIECES = ["a", "Z", "7", "é", "ß", "٣", "字", "_", ".", "..", " ", "-", "\n", "·", "’", "x.y", "3.5"]


@settings(deadline=None)  # examples: the profile's (tests/conftest.py)
@given(st.lists(st.sampled_from(WORD_PIECES), max_size=30).map("".join))
def test_the_faster_compiled_pattern_finds_exactly_the_words_of_word_pattern(text):
    import re

    assert re.compile(COMPILED_AS[WORD_PATTERN]).findall(text) == re.compile(WORD_PATTERN).findall(text)
    assert [match.span() for match in WordAnalyzer()._pattern.finditer(text)] == [
        match.span() for match in re.finditer(WORD_PATTERN, text)
    ]


def test_the_analyzer_keeps_its_expression_as_written():
    """The index's pickled schema is the same whatever the expression is compiled as."""
    analyzer = pickle.loads(pickle.dumps(WordAnalyzer()))
    assert analyzer.expression == WORD_PATTERN
    assert analyzer.__getstate__()["expression"] == WORD_PATTERN
    assert analyzer._pattern.pattern == COMPILED_AS[WORD_PATTERN]


@settings(deadline=None)
@given(st.lists(st.sampled_from(WORD_PIECES), max_size=30).map("".join))
def test_a_word_is_found_at_an_offset_exactly_where_finditer_starts_one(text):
    """What `spans_of(starts=...)` relies on: the words it looks at are the pattern's."""
    word_at = WordAnalyzer()._word_at
    starts = {match.start(): match.span() for match in WordAnalyzer()._pattern.finditer(text)}
    found = {at: match.span() for at in range(len(text)) if (match := word_at(text, at))}
    assert found == starts


@pytest.mark.parametrize(
    "text",
    ["counterattack attack", "x.attack ..attack attack.", "attacks_attack Attack ATTACKING", "U.S.attack"],
)
def test_spans_from_starts_are_the_spans_of_the_words_starting_there(text):
    analyzer = WordAnalyzer(stem=True)
    terms = frozenset({"attack"})
    starts = [at for at in range(len(text)) if text.lower().startswith("att", at)]
    assert analyzer.spans_of(text, terms, starts) == _spans_by_tokens(analyzer, text, terms)


@settings(deadline=None)
@given(st.text())
def test_ascii_words_is_whether_no_word_character_is_outside_ascii(text):
    import re

    assert ascii_words(text) == (re.search(r"[^\W\x00-\x7f]", text) is None)


CASED_PIECES = [*WORD_PIECES, "Ab", "AB1", "’S", "“", "—", "\u212a", "Ⓐ"]


@settings(deadline=None)
@given(
    st.lists(st.sampled_from(CASED_PIECES), max_size=30).map("".join) | st.text(),
    st.sampled_from(["a", "ab", "b1", "s", "z", "7", "_", "x"]),
)
def test_lowered_ascii_words_hold_each_plain_part_as_often_as_the_lowercased_text(text, part):
    """What `TermMatcher.most_spans` counts in: the bytes, not `text.lower()`."""
    lowered = lowered_ascii_words(text)
    assert (lowered is not None) == ascii_words(text)
    if lowered is not None:
        assert lowered.count(part.encode()) == text.lower().count(part)
