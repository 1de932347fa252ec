"""The words of a list within a few edits of a typed one (insert, delete, substitute, or
swap two neighbours: the optimal string alignment distance, rapidfuzz's `OSA`).

rapidfuzz matches in C, but importing it costs 41 M instructions (~12 ms) of a one-shot
search, more than matching a short list in Python: a zero-hit query's correction looks
at ~1,900 words in 14 lists, the longest 1,258. Lists up to `PYTHON_MATCHING_LIMIT`
words are matched here (most words are ruled out before any table is filled: each of a
word's letters that the typed word lacks takes an edit of its own), longer ones by
rapidfuzz. Both find the same words at the same distances (tests/test_edit_distance.py).
"""

from __future__ import annotations

from collections.abc import Sequence

# Longer lists are matched by rapidfuzz (a `body~` fuzzy word's list can be 10,000 words).
PYTHON_MATCHING_LIMIT = 2000


def close_matches(word: str, candidates: Sequence[str], maxdist: int) -> list[tuple[str, int]]:
    """(candidate, distance) for each candidate within `maxdist` edits of `word`, in the
    order of `candidates`: what `rapidfuzz.process.extract(word, candidates,
    scorer=OSA.distance, score_cutoff=maxdist, limit=None)` finds."""
    if len(candidates) > PYTHON_MATCHING_LIMIT:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        return [(text, distance) for text, distance, _ in found]
    letters, length = set(word), len(word)
    matches = []
    for text in candidates:
        if abs(len(text) - length) > maxdist:
            continue
        if len(text) - sum(map(letters.__contains__, text)) > maxdist:
            continue
        distance = osa_distance(word, text, maxdist)
        if distance <= maxdist:
            matches.append((text, distance))
    return matches


def osa_distance(first: str, second: str, cutoff: int) -> int:
    """The optimal string alignment distance of two strings, or `cutoff + 1` when it is
    more than `cutoff` (the table is left as soon as no cell can come back under it)."""
    width = len(second)
    before: list[int] = []
    previous = list(range(width + 1))
    for row in range(1, len(first) + 1):
        letter = first[row - 1]
        current = [row] + [0] * width
        for column in range(1, width + 1):
            other = second[column - 1]
            best = min(
                previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (letter != other)
            )
            if (
                row > 1
                and column > 1
                and letter == second[column - 2]
                and first[row - 2] == other
                and before[column - 2] + 1 < best
            ):
                best = before[column - 2] + 1
            current[column] = best
        if min(current) > cutoff and min(previous) >= cutoff:
            return cutoff + 1
        before, previous = previous, current
    return min(previous[width], cutoff + 1)
