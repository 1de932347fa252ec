"""Text analysis in one pass: tokenize, lowercase, fold accents, drop stop words, stem.

Whoosh's chain (RegexTokenizer | LowercaseFilter | CharsetFilter | StopFilter |
StemFilter) gives the same tokens, but runs five generators per word; on a 35 MB corpus
that overhead was the largest single cost of indexing. Here each distinct word is
normalised once and remembered.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from whoosh.analysis import Composable, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

WORD_PATTERN = r"\w+(?:\.?\w+)*"
PATH_WORD_PATTERN = r"[^\W_]+"  # every run of letters and digits: "zdnet/1000-arrests.md"
# What an expression is compiled as: the same matches, found faster. WORD_PATTERN matches a
# run of word characters and the single dots inside it; after each run, Python's regex
# engine tried `\.?\w+` without the dot and gave word characters back before it gave up.
# The possessive form never backtracks: 27% fewer instructions to find the words of the
# first 600 news notes (callgrind), where finding them was 60% of analysing a note. The analyzer
# keeps (and pickles into the index's schema) the expression itself, so indexes are unchanged.
COMPILED_AS = {WORD_PATTERN: r"\w++(?:\.\w++)*+"}
# Where WORD_PATTERN starts a word: not just after a word character, nor after a dot that
# follows one (which joins the two: "u.s"). A match of it and the pattern from an offset
# is the word found there by `finditer`, if one starts there.
_WORD_START = r"(?<!\w)(?<!\w\.)"
_STOPPED = ""  # memo value for a word that is not indexed
_MEMO_LIMIT = 300_000


class WordAnalyzer(Composable):
    """Words of a text, lowercased and accent-folded; stop words out; optionally stemmed.

    A word longer than `maxsize` characters (a base64 blob, a line of one character)
    is treated like a stop word.
    """

    def __init__(
        self,
        *,
        stem: bool = True,
        stoplist: frozenset[str] | set[str] = STOP_WORDS,
        maxsize: int = 100,
        expression: str = WORD_PATTERN,
    ) -> None:
        self.stem = stem
        self.stoplist = frozenset(stoplist)
        self.maxsize = maxsize
        self.expression = expression
        self._setup()

    def _setup(self) -> None:
        self._pattern = re.compile(COMPILED_AS.get(self.expression, self.expression))
        starting = _WORD_START + COMPILED_AS[WORD_PATTERN] if self.expression == WORD_PATTERN else None
        self._word_at = re.compile(starting).match if starting else None
        self._memo: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {key: self.__dict__[key] for key in ("stem", "stoplist", "maxsize", "expression")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.stem, self.maxsize, self.expression))

    def __repr__(self) -> str:
        return f"WordAnalyzer(stem={self.stem}, maxsize={self.maxsize})"

    def has_morph(self) -> bool:
        return self.stem

    def normalize(self, word: str) -> str:
        """The indexed form of one word, or "" if the word is not indexed."""
        text = fold_accents(word.lower())
        if len(text) > self.maxsize or text in self.stoplist:
            return _STOPPED
        return porter_stem(text) if self.stem else text

    def positions(self, text: str, words: Collection[str]) -> dict[str, list[int]]:
        """Where each of `words` (as this analyzer indexes them) occurs in `text`, numbered
        as an index would number them; {} unless every one of them occurs.

        For unstemmed analyzers only. Ranking checks the exact words of whole notes with it
        at search time, so it lowercases and folds all the words at once and finds the
        wanted ones by list search: several times faster than making a token of each word.
        """
        if self.stem:
            raise ValueError("positions() needs an analyzer without stemming")
        if text.isascii() and not all(word in text.lower() for word in words):
            return {}  # a word missing from the text: no need to find every word
        places = self.found_positions(text, words)
        return places if len(places) == len(set(words)) else {}

    def found_positions(self, text: str, words: Collection[str]) -> dict[str, list[int]]:
        """`positions` of those of `words` that occur in `text` (the others left out): one
        pass over a text for the words of several checks."""
        if self.stem:
            raise ValueError("positions() needs an analyzer without stemming")
        found = self._pattern.findall(text)
        if not found:
            return {}
        # Lowercasing and folding keep the spaces between the words (no fold yields one);
        # the words alone are folded, as their punctuation (curly quotes) would send the
        # whole text through the slow `str.translate`.
        folded = fold_accents(" ".join(found).lower()).split(" ")
        first = 0
        if self.stoplist or min(map(len, folded)) == 0 or max(map(len, folded)) > self.maxsize:
            # Words that are not indexed take no position, but those before the first
            # indexed word shift it (see __call__).
            kept = [
                index
                for index, word in enumerate(folded)
                if word and word not in self.stoplist and len(word) <= self.maxsize
            ]
            first = kept[0] if kept else 0
            folded = [folded[index] for index in kept]
        places: dict[str, list[int]] = {}
        for word in set(words).intersection(folded):
            at = places[word] = []
            index = folded.index(word)
            while True:
                at.append(first + index)
                try:
                    index = folded.index(word, index + 1)
                except ValueError:
                    break
        return places

    def spans_of(
        self, text: str, terms: Collection[str], starts: Iterable[int] | None = None
    ) -> list[tuple[int, int]]:
        """Character spans of the words of `text` whose indexed form is one of `terms`: the
        tokens of `__call__(text, chars=True)` with such a text, without a token a word.

        A word is only normalized (stemmed) if its first letter starts one of the terms:
        stemming keeps a word's first letter (checked on all 100,605 words of the news
        corpus), and most words of a passage need no stemming then. `starts`, when the
        caller knows them: offsets in ascending order among which every such word starts
        (where the terms' first letters occur, say); only the words starting there are
        looked at (with the default expression; others read every word)."""
        if starts is not None and self._word_at is not None:
            return self._spans_from(text, terms, starts)
        initials = {term[:1] for term in terms}
        memo = self._memo
        found = []
        for match in self._pattern.finditer(text):
            word = match.group()
            indexed = memo.get(word)
            if indexed is None:
                initial = fold_accents(word[:1].lower())[:1]
                if initial and initial not in initials:
                    continue
                indexed = self._remember(word)
            if indexed and indexed in terms:
                found.append(match.span())
        return found

    def _spans_from(self, text: str, terms: Collection[str], starts: Iterable[int]) -> list[tuple[int, int]]:
        memo, word_at = self._memo, self._word_at
        found = []
        for start in starts:
            match = word_at(text, start)
            if match is None:
                continue  # inside a word
            word = match.group()
            indexed = memo.get(word)
            if indexed is None:
                indexed = self._remember(word)
            if indexed and indexed in terms:
                found.append(match.span())
        return found

    def _remember(self, word: str) -> str:
        """`normalize(word)`, remembered for the next time (the loops below look the memo
        up themselves: a method call a word would cost more than the lookup)."""
        text = self.normalize(word)
        if len(word) <= self.maxsize:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[word] = text
        return text

    def word_positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed word of `value` with its positions, numbered as `__call__` numbers
        them (with `positions=True`): what an index posting needs, without a token a word.
        Indexing calls it through `postings.CappedPositions`; half the cost of analysis was
        moving each word through a `Token`."""
        memo = self._memo
        places: dict[str, list[int]] = {}
        next_position = None
        for index, word in enumerate(self._pattern.findall(value)):
            text = memo.get(word)
            if text is None:
                text = self._remember(word)
            if text:
                position = index if next_position is None else next_position
                next_position = position + 1
                at = places.get(text)
                if at is None:
                    places[text] = [position]
                else:
                    at.append(position)
        return places

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            text = self.normalize(value)
            if text or not removestops:
                token.text = text or fold_accents(value.lower())
                token.original = value
                token.stopped = not text
                token.boost = 1.0
                token.pos = start_pos
                token.startchar, token.endchar = start_char, start_char + len(value)
                yield token
            return
        memo = self._memo
        # Like Whoosh's StopFilter(renumber=True): indexed words are numbered without
        # gaps for the stop words between them, so "attack at Société" is a phrase.
        next_position = None
        for index, match in enumerate(self._pattern.finditer(value), start_pos):
            word = match.group()
            text = memo.get(word)
            if text is None:
                text = self._remember(word)
            if text:
                token.stopped = False
                token.text = text
                position = index if next_position is None else next_position
                next_position = position + 1
            elif removestops:
                continue
            else:
                token.stopped = True
                token.text = fold_accents(word.lower())
                position = index
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


# A letter or digit outside ASCII (`é`, `ß`, `K`): a word holding one may fold to ASCII.
_NON_ASCII_WORD_CHAR = re.compile(r"[^\W\x00-\x7f]")
_ASCII_BYTES = bytes(range(128))


def ascii_words(text: str) -> bool:
    """Whether every word of `text` is ASCII (its punctuation may not be: curly quotes,
    dashes): then lowercasing and folding change no word but by its case, and a word
    is found in the lowercased text as it is."""
    return text.isascii() or not _has_non_ascii_word_char(text.encode("utf-8", "surrogatepass"))


def lowered_ascii_words(text: str) -> bytes | None:
    """`text` as UTF-8 with its ASCII letters lowercased when every word of it is ASCII
    (`ascii_words`), else None. Its other characters are then no word's (curly quotes,
    dashes) and their bytes are none of ASCII's: an ASCII word's letters occur in it as in
    `text.lower()`, which costs several times as much for a text outside ASCII."""
    if text.isascii():
        return text.encode("ascii").lower()
    encoded = text.encode("utf-8", "surrogatepass")
    return None if _has_non_ascii_word_char(encoded) else encoded.lower()


def _has_non_ascii_word_char(encoded: bytes) -> bool:
    """Whether UTF-8 `encoded` holds a letter or digit outside ASCII. The regex looks only
    at the characters outside ASCII, taken out in C (the ASCII bytes dropped): run over
    the whole text it cost three times as much."""
    others = encoded.translate(None, _ASCII_BYTES)
    return _NON_ASCII_WORD_CHAR.search(others.decode("utf-8", "surrogatepass")) is not None


def fold_accents(text: str) -> str:
    """Accents off (é -> e, ß -> ss), leaving ASCII text untouched."""
    return text if text.isascii() else text.translate(accent_map)
