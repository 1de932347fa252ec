"""The words a fuzzy term, a wildcard or a range stands for: listed, remembered, replaced.

Whoosh asks a `MultiTerm` for its words (its private `_btexts`) wherever it needs them:
the size estimate, the matcher, the highlighter, `expanded_terms`. Three things are done
with that here, and nowhere else:

- `expansion_words` lists them (to cap what a wildcard may cost);
- `list_words_once` makes a query list them once per index reader (fast path only:
  `ransomware~2` listed its words five times, 80% of a search);
- `use_words` makes a fuzzy term stand for the words `search/fuzzy.py` chose (the
  closest, capped). That one defines what `word~` finds, so it is done on both paths:
  Whoosh offers no public way to give a term its words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from whoosh import query as wq

from indexer.engine.version import fast_path

if TYPE_CHECKING:
    from whoosh.reading import IndexReader


def expansion_words(term: wq.MultiTerm, reader: IndexReader) -> Iterable[bytes]:
    """The words of `reader` that `term` stands for, as Whoosh lists them."""
    if fast_path():
        return term._btexts(reader)
    return (word for _field, word in term.expanded_terms(reader))


def list_words_once(term: wq.MultiTerm) -> None:
    """Make `term` (and its copies) list its words once per index reader (fast path only)."""
    if fast_path() and "_btexts" not in vars(term):
        term._btexts = _listed_once(term._btexts)


def use_words(term: wq.MultiTerm, words: Sequence[str]) -> None:
    """Make `term` (and its copies) stand for `words`, wherever Whoosh asks for its words."""
    kept = tuple(words)

    def btexts(reader: IndexReader) -> Iterator[str]:
        return iter(kept)

    term._btexts = btexts


def _listed_once(list_words: Callable[[object], Iterable[bytes]]) -> Callable[[object], Iterator[bytes]]:
    listed: dict[object, list[bytes]] = {}

    def words(reader: object) -> Iterator[bytes]:
        if reader not in listed:
            listed[reader] = list(list_words(reader))
        return iter(listed[reader])

    return words
