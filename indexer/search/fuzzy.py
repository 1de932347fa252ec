"""Fuzzy words (`ransomwear~`, `gatway~2`) and spelling candidates: the index's words within
a few edits of a typed one (`edit_distance`: in Python, or rapidfuzz's C for long lists)
among the words sharing its first letter, once per query.

Whoosh finds them by computing a Python edit distance against every word of the field
(a MultiReader has no faster path): `ransomwear~` took about 2 s on the 4,490-note news
archive, more with its six default fields, and each use (matching, highlighting, the
relaxed retry) listed them again. Here a fuzzy term's words are listed once, when the
query is parsed, and every later use reads that list.
"""

from __future__ import annotations

from collections.abc import Sequence

from whoosh import query as wq

from indexer.engine.expansions import use_words
from indexer.engine.term_list import words_with_prefix
from indexer.search.edit_distance import close_matches

# Candidates share the typed word's first letter (Whoosh's `FuzzyTerm` default too):
# listing a field's words by first letter costs a twentieth of listing them all, and
# few typos are in the first letter. `word~2/3` asks for a longer shared prefix.
MIN_PREFIX = 1
# The closest words of one fuzzy term (fewest edits, then most notes) that are searched...
MAX_WORDS_PER_TERM = 32
# ...and of all fuzzy terms of a query together: ten `word~2` in six fields each listed
# hundreds of words, and the search of them all took 18 s.
MAX_WORDS_PER_QUERY = 192


class Lexicon:
    """The words of an index reader's fields, listed by prefix and remembered."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self._by_prefix: dict[tuple[str, str], list[str]] = {}
        self._sets: dict[tuple[str, str], frozenset[str]] = {}

    def words_starting(self, field: str, prefix: str) -> list[str]:
        key = (field, prefix)
        if key not in self._by_prefix:
            from_bytes = self.reader.schema[field].from_bytes
            listed = words_with_prefix(self.reader, field, prefix)
            self._by_prefix[key] = [from_bytes(btext) for btext in listed]
        return self._by_prefix[key]

    def word_set(self, field: str, prefix: str) -> frozenset[str]:
        """`words_starting` as a set, made once."""
        key = (field, prefix)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = frozenset(self.words_starting(field, prefix))
        return found

    def close_words(self, field: str, word: str, maxdist: int, *, prefix: int = MIN_PREFIX) -> list[str]:
        """Words of `field` within `maxdist` edits of `word` (insert, delete, substitute or
        swap two neighbours), sharing its first `prefix` letters; closest first, then the
        words in more notes."""
        prefix = max(prefix, MIN_PREFIX)
        if len(word) < prefix:
            return []
        candidates = self.words_starting(field, word[:prefix])
        found = close_matches(word, candidates, maxdist)
        doc_frequency = self.reader.doc_frequency
        ranked = sorted((distance, -doc_frequency(field, text), text) for text, distance in found)
        return [text for _, _, text in ranked]


def expand_fuzzy_terms(query: wq.Query, reader, lexicon: Lexicon | None = None) -> None:
    """List the words of every fuzzy term of `query` once, closest first and capped, and
    make the term use that list wherever Whoosh asks for its words (its matcher, the
    highlighter, `expanded_terms`); copies of the query share it."""
    fuzzy = [leaf for leaf in query.leaves() if isinstance(leaf, wq.FuzzyTerm)]
    if not fuzzy:
        return
    lexicon = lexicon or Lexicon(reader)
    fields = set(reader.indexed_field_names())
    per_term = max(1, min(MAX_WORDS_PER_TERM, MAX_WORDS_PER_QUERY // len(fuzzy)))
    for leaf in fuzzy:
        words: Sequence[str] = []
        if leaf.fieldname in fields:
            words = lexicon.close_words(leaf.fieldname, leaf.text, leaf.maxdist, prefix=leaf.prefixlength)
        use_words(leaf, words[:per_term])
