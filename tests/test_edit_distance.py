"""Close words matched in Python are rapidfuzz's: the same words at the same distances."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA

from indexer.search import edit_distance
from indexer.search.edit_distance import close_matches, osa_distance

WORDS = st.text(alphabet="abcdeé🦊", max_size=9)


def rapidfuzz_matches(word: str, candidates: list[str], maxdist: int) -> list[tuple[str, int]]:
    found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
    return sorted((text, distance) for text, distance, _ in found)


@settings(max_examples=400)
@given(WORDS, st.lists(WORDS, max_size=30, unique=True), st.integers(min_value=0, max_value=3))
def test_python_finds_the_words_and_distances_rapidfuzz_finds(word, candidates, maxdist):
    assert sorted(close_matches(word, candidates, maxdist)) == rapidfuzz_matches(word, candidates, maxdist)


@settings(max_examples=400)
@given(WORDS, WORDS, st.integers(min_value=0, max_value=4))
def test_the_distance_is_osa_up_to_the_cutoff(first, second, cutoff):
    expected = OSA.distance(first, second)
    assert osa_distance(first, second, cutoff) == (expected if expected <= cutoff else cutoff + 1)


def test_swapped_neighbours_are_one_edit_and_long_lists_go_to_rapidfuzz(monkeypatch):
    assert osa_distance("gatewya", "gateway", 2) == 1
    assert osa_distance("ca", "abc", 3) == 3  # OSA, not Damerau-Levenshtein (2)
    candidates = ["gateway", "gatewya", "gate", "getaway", "way"]
    assert sorted(close_matches("gatway", candidates, 2)) == [("gateway", 1), ("gatewya", 2), ("getaway", 2)]
    monkeypatch.setattr(edit_distance, "PYTHON_MATCHING_LIMIT", 2)
    assert sorted(close_matches("gatway", candidates, 2)) == rapidfuzz_matches("gatway", candidates, 2)


def test_a_short_list_loads_no_rapidfuzz():
    code = (
        "import sys\n"
        "from indexer.search.edit_distance import close_matches\n"
        "found = close_matches('flurbish', ['flourish', 'flush', 'fluorine'] * 100, 2)\n"
        "print(found[:1], 'rapidfuzz' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["[('flourish',", "2)]", "False"], done.stderr
