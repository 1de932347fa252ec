"""`best_passages` finds spans in order of a bound (`TermMatcher.most_spans`) and stops once
no other piece can win: the same passages as finding the spans of every piece."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.index.schema import TEXT_ANALYZER
from indexer.search.results import TermMatcher, _sure_part, best_passages

# Words whose stems lose or change their last letters, and others around them.
BASES = [
    "key",
    "say",
    "make",
    "hope",
    "gateway",
    "sensible",
    "relation",
    "attack",
    "patch",
    "use",
    "gpr",
    "tie",
]
ENDINGS = [
    "",
    "s",
    "es",
    "ed",
    "ing",
    "y",
    "ly",
    "ility",
    "bility",
    "ational",
    "ation",
    "ization",
    "er",
    "ness",
]
OTHERS = [
    "the",
    "a",
    "of",
    "network",
    "keys",
    "mak",
    "hop",
    "at",
    "sa",
    "ke",
    "node.js",
    "U.S",
    "x1",
    "under_score",
]
SEPARATORS = [" ", " ", ", ", ". ", "-", "’", " (", ") ", "...", "\n"]


def matcher(*terms: str) -> TermMatcher:
    return TermMatcher(TEXT_ANALYZER, terms)


class EveryPiece(TermMatcher):
    """Finds the spans of every piece: what `best_passages` did before the bound."""

    def most_spans(self, text: str) -> int:
        return sys.maxsize


def _cased(word: str, how: int) -> str:
    return word.upper() if how == 2 else word.capitalize() if how == 1 else word


words = st.builds(
    lambda base, ending, how: _cased(base.rstrip("e") + ending if ending else base, how),
    st.sampled_from(BASES),
    st.sampled_from(ENDINGS),
    st.integers(0, 2),
) | st.sampled_from(OTHERS)
texts = st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda pairs: "".join(word + separator for word, separator in pairs)
)
terms = st.lists(words.map(TEXT_ANALYZER.normalize).filter(bool), min_size=1, max_size=4)


@settings(max_examples=600)
@given(st.text(alphabet="abcdeilnorstuyz", min_size=1, max_size=9), st.sampled_from(ENDINGS))
def test_every_word_indexed_as_a_term_holds_its_sure_part(start, ending):
    word = start + ending
    term = TEXT_ANALYZER.normalize(word)
    if term:
        assert _sure_part(term) in word


def test_sure_parts_leave_out_the_letters_stemming_adds():
    assert [_sure_part(TEXT_ANALYZER.normalize(word)) for word in ("key", "making", "sensibility")] == [
        "ke",
        "mak",
        "sensi",
    ]


@settings(max_examples=600)
@given(texts, terms)
def test_most_spans_is_never_below_the_spans_found(text, wanted):
    found = matcher(*wanted)
    most = found.most_spans(text)
    spans = found.spans(text)
    assert most >= len(spans)
    if most == 0:
        assert spans == ()


def test_a_word_whose_stem_it_does_not_hold_is_counted():
    # "key" is indexed as "kei", which "key" does not hold; the line holds the other probe.
    found = matcher("kei", "gatewai")
    assert found.spans("The key to the gateway") == ((4, 7), (15, 22))
    assert found.most_spans("The key to the gateway") >= 2


def _every_match(text: str, wanted: set[str]) -> tuple[tuple[int, int], ...]:
    """The spans of the analyzer's tokens that are query terms: no pre-filter."""
    tokens = TEXT_ANALYZER(text, chars=True, mode="query")
    return tuple((token.startchar, token.endchar) for token in tokens if token.text in wanted)


@settings(max_examples=600)
@given(texts, terms)
def test_the_pre_filter_passes_every_piece_that_holds_a_term(text, wanted):
    assert matcher(*wanted).spans(text) == _every_match(text, set(wanted))


def test_a_line_whose_only_match_is_a_short_changed_stem_is_found():
    # The pre-filter kept four letters of every term: "kei" looked for "kei" in "key".
    for word in ("key", "say", "making", "hoping", "Keys"):
        term = TEXT_ANALYZER.normalize(word)
        text = f"It was the {word} of it."
        assert matcher(term).spans(text) == ((11, 11 + len(word)),), word
        passages = best_passages(f"An opening line.\n\n{text}", 1, matcher(term))
        assert [passage.line for passage in passages] == [3], word


paragraphs = st.lists(texts, min_size=1, max_size=8)


def _body(pieces: list[str], headed: list[bool]) -> str:
    return "\n\n".join(
        ("## " + text if heading else text) for text, heading in zip(pieces, headed, strict=False)
    )


@settings(max_examples=300)
@given(paragraphs, st.lists(st.booleans(), min_size=8, max_size=8), terms, st.integers(1, 4))
def test_the_same_passages_as_finding_the_spans_of_every_piece(pieces, headed, wanted, count):
    body = _body(pieces, headed)
    assert best_passages(body, 3, matcher(*wanted), count=count, context=80) == best_passages(
        body, 3, EveryPiece(TEXT_ANALYZER, wanted), count=count, context=80
    )


def test_a_richer_piece_later_in_the_note_wins_and_ties_go_to_the_first():
    body = "\n\n".join(
        (
            "Patch the gateway.",
            "Patches, patches, patches.",
            "The gateway patch and the key.",
            "Gateway key patch.",
        )
    )
    found = matcher("patch", "gatewai", "kei")
    (best,) = best_passages(body, 1, found)
    assert best.line == 5  # three distinct words first; line 7 ties it and comes later
    first, second = best_passages(body, 1, found, count=2)
    assert (first.line, second.line) == (5, 7)
    (repeated,) = best_passages("Patches, patches, patches.\n\nPatch it.", 1, matcher("patch"))
    assert repeated.line == 1  # one distinct word each: more spans wins


def test_a_piece_whose_bound_is_too_high_does_not_win_a_tie_against_an_earlier_one():
    # "patchy" holds "patc": the second piece's bound is 3, its words 2, as the first's.
    body = "A gateway patch.\n\nPatch the gateway; patchy."
    found = matcher("patch", "gatewai")
    assert [found.most_spans(text) for text in body.split("\n\n")] == [2, 3]
    (best,) = best_passages(body, 1, found)
    assert best.line == 1
