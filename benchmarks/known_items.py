"""Known-item queries drawn from the notes' own text, deterministic for a seed.

A known-item query is what a user types to find one note they have read: a few words
of its title or subtitle, four content words of one paragraph (in the note's order or in
any order; or any four of its words, stop words included, in any order), a short phrase,
two words and the author or month, title words with a typo, two words of each of two
paragraphs, a title word among body words, or a sentence fragment as remembered, with a
typo, or words of one paragraph with one word that is not in the note; body words in
another inflection, a name and a topic word, half a title and a detail, a pasted sentence
with one word changed; two words of a paragraph, body words with one or two typos,
shuffled body words with one inflected, five or six shuffled body words. Queries are
built from the parsed notes (`parse_note`) with this module's own tokenizer and
statistics, never from any search index, so no system under test can shape them.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import NoteParseError
from indexer.notes.note import Note, parse_note

KINDS = (
    "title",
    "subtitle",
    "body",
    "phrase",
    "scoped",
    "body-shuffled",
    "typo",
    "scattered",
    "mixed",
    "any-words-shuffled",
    "fragment-typo",
    "wrong-word",
    "inflected",
    "name-topic",
    "title-half",
    "sentence-changed",
    "two-words",
    "body-typo",
    "two-typos",
    "shuffled-inflected",
    "long-shuffled",
)

# Function words a user leaves out of a remembered detail (and numbers never qualify:
# only alphabetic words are candidates).
_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up upon us very was
we were what when where which while who whom why will with would you your yours yourself
yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# A word in more than a quarter of the notes ("said", "security", "ransomware") is too
# common to be what a user remembers of one note.
MAX_DOCUMENT_FREQUENCY = 0.25
MIN_WORD_CHARS = 3
# Notes with fewer words in their body are not targets (empty, "Unknown", a stub).
MIN_BODY_WORDS = 80

_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_RULE = re.compile(r"^\s*[-=_*]{3,}\s*$", re.M)
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}|>+|[-+*]|\d+\.)\s+", re.M)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_EDGE_PUNCTUATION = "\"'“”‘’()[]{}.,;:!?*"
_ALPHABETIC = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class KnownItem:
    """One query and the note it should find."""

    kind: str
    target: str  # the note's path relative to the corpus root
    words: tuple[str, ...]  # lower-case words; for `phrase`, the words exactly as in the note
    phrase: bool = False
    scope: tuple[str, str] | None = None  # ("author", "cimpanu") or ("date", "2021-08")

    @property
    def text(self) -> str:
        """The words (or the quoted phrase) without the scope."""
        joined = " ".join(self.words)
        return f'"{joined}"' if self.phrase else joined

    @property
    def query(self) -> str:
        """The query in notes-indexer syntax."""
        if self.scope is None:
            return self.text
        field, value = self.scope
        return f"{self.text} {field}:{value}"


def load_notes(corpus: Path) -> list[Note]:
    """Every readable note under `corpus`, in path order."""
    corpus = Path(corpus)
    notes = []
    for path in sorted(corpus.rglob("*.md")):
        try:
            notes.append(parse_note(path, corpus))
        except NoteParseError:
            continue
    return notes


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs as a reader sees them: no images, link targets or URLs."""
    text = _IMAGE.sub(" ", body)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _RULE.sub("", text)
    text = _LINE_MARK.sub("", text)
    return [" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def words(text: str) -> list[str]:
    """Whole alphabetic words as written (`T-Mobile`, `Log4j` and `hacker’s` are skipped)."""
    found = []
    for token in text.split():
        token = token.strip(_EDGE_PUNCTUATION)
        if _ALPHABETIC.fullmatch(token):
            found.append(token)
    return found


class CorpusText:
    """The notes' paragraphs and word statistics, computed from their text."""

    def __init__(self, notes: Sequence[Note], *, max_df: float = MAX_DOCUMENT_FREQUENCY) -> None:
        self.notes = list(notes)
        self.paragraphs = {note.path: paragraphs(note.body) for note in self.notes}
        self.document_frequency: Counter[str] = Counter()
        paragraph_notes: Counter[str] = Counter()
        for note in self.notes:
            seen = {word.lower() for text in (note.title, note.subtitle) for word in words(text)}
            for paragraph in self.paragraphs[note.path]:
                seen.update(word.lower() for word in words(paragraph))
            self.document_frequency.update(seen)
            paragraph_notes.update({paragraph.lower() for paragraph in self.paragraphs[note.path]})
        self._max_notes = max_df * len(self.notes)
        # A paragraph or subtitle that several notes share (a re-titled copy of an
        # article) cannot single out one of them, so it is never a source of queries.
        self._shared_paragraphs = {text for text, count in paragraph_notes.items() if count > 1}
        subtitles = Counter(note.subtitle.lower() for note in self.notes if note.subtitle)
        self._shared_subtitles = {text for text, count in subtitles.items() if count > 1}

    def is_content_word(self, word: str) -> bool:
        word = word.lower()
        return (
            len(word) >= MIN_WORD_CHARS
            and word not in STOP_WORDS
            and self.document_frequency[word] <= self._max_notes
        )

    def content_words(self, text: str) -> list[str]:
        """Distinct content words of `text`, lower-case, in order of first appearance."""
        return list(dict.fromkeys(word.lower() for word in words(text) if self.is_content_word(word)))

    def is_target(self, note: Note) -> bool:
        return sum(len(words(paragraph)) for paragraph in self.paragraphs[note.path]) >= MIN_BODY_WORDS

    def own_paragraphs(self, note: Note) -> list[str]:
        """Paragraphs found in this note only, other than its title and subtitle."""
        skip = {note.title.lower(), note.subtitle.lower()}
        return [
            paragraph
            for paragraph in self.paragraphs[note.path]
            if paragraph.lower() not in self._shared_paragraphs and paragraph.lower() not in skip
        ]

    def has_own_subtitle(self, note: Note) -> bool:
        subtitle = note.subtitle.lower()
        return bool(subtitle) and subtitle != note.title.lower() and subtitle not in self._shared_subtitles


def generate(
    notes: Sequence[Note],
    *,
    per_kind: int = 80,
    seed: int = 7,
    kinds: Iterable[str] = KINDS,
    max_df: float = MAX_DOCUMENT_FREQUENCY,
) -> list[KnownItem]:
    """`per_kind` queries of each kind (fewer if the notes do not allow more), in kind order."""
    text = CorpusText(notes, max_df=max_df)
    targets = [note for note in text.notes if text.is_target(note)]
    items: list[KnownItem] = []
    for kind in kinds:
        # One generator a kind, seeded by a string (stable across runs and hash seeds).
        rng = random.Random(f"{seed}:{kind}")
        order = list(targets)
        rng.shuffle(order)
        made = 0
        for note in order:
            if made == per_kind:
                break
            item = _MAKERS[kind](text, note, rng)
            if item is not None:
                items.append(item)
                made += 1
    return items


def _ordered_sample(rng: random.Random, values: Sequence[str], count: int) -> tuple[str, ...]:
    """`count` of `values` chosen at random, kept in their order."""
    return tuple(values[index] for index in sorted(rng.sample(range(len(values)), count)))


def _words_of(text: CorpusText, note: Note, source: str, kind: str, rng: random.Random) -> KnownItem | None:
    candidates = text.content_words(source)
    if len(candidates) < 3:
        return None
    count = min(len(candidates), rng.choice((3, 4)))
    return KnownItem(kind, note.path, _ordered_sample(rng, candidates, count))


def _title_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    return _words_of(text, note, note.title, "title", rng)


def _subtitle_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    if not text.has_own_subtitle(note):
        return None
    return _words_of(text, note, note.subtitle, "subtitle", rng)


def _paragraph_words(text: CorpusText, note: Note, count: int, rng: random.Random) -> tuple[str, ...] | None:
    """`count` content words of one paragraph of the note, in order."""
    candidates = [
        found for found in map(text.content_words, text.own_paragraphs(note)) if len(found) >= count
    ]
    if not candidates:
        return None
    return _ordered_sample(rng, rng.choice(candidates), count)


def _body_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    chosen = _paragraph_words(text, note, 4, rng)
    return None if chosen is None else KnownItem("body", note.path, chosen)


def _phrase_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    by_length: dict[int, list[tuple[str, ...]]] = {2: [], 3: []}
    for paragraph in text.own_paragraphs(note):
        tokens = paragraph.split()
        for length, windows in by_length.items():
            for start in range(len(tokens) - length + 1):
                window = _phrase_window(text, tokens[start : start + length])
                # Exactly as in the note: the words with single spaces are in its text.
                if window and " ".join(window) in note.body:
                    windows.append(window)
    lengths = [length for length in (2, 3) if by_length[length]]
    if not lengths:
        return None
    preferred = rng.choice((2, 3))
    length = preferred if preferred in lengths else lengths[0]
    return KnownItem("phrase", note.path, rng.choice(by_length[length]), phrase=True)


def _phrase_window(text: CorpusText, tokens: list[str]) -> tuple[str, ...] | None:
    """Adjacent words that make a quotable phrase: whole words, content words at both ends."""
    *inner, last = tokens
    last = last.rstrip(".,;:!?")
    window = (*inner, last)
    if not all(_ALPHABETIC.fullmatch(token) for token in window):
        return None
    if not (text.is_content_word(window[0]) and text.is_content_word(window[-1])):
        return None
    return window


def _scoped_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    scopes = []
    surname = _surname(note)
    if surname:
        scopes.append(("author", surname))
    if note.date is not None:
        scopes.append(("date", note.date.strftime("%Y-%m")))
    if not scopes:
        return None
    chosen = _paragraph_words(text, note, 2, rng)
    if chosen is None:
        return None
    return KnownItem("scoped", note.path, chosen, scope=rng.choice(scopes))


def _surname(note: Note) -> str:
    if not note.authors:
        return ""
    name = note.authors[0].split()[-1].strip(_EDGE_PUNCTUATION)
    return name.lower() if _ALPHABETIC.fullmatch(name) and len(name) > 1 else ""


def _shuffled(rng: random.Random, values: Sequence[str]) -> tuple[str, ...]:
    """`values` in a random order other than the given one (when there is another)."""
    order = list(values)
    if len(set(order)) < 2:
        return tuple(order)
    while tuple(order) == tuple(values):
        rng.shuffle(order)
    return tuple(order)


def _body_shuffled_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """The body kind's four words of one paragraph, in another order: users remember a
    detail, not the order of its words."""
    chosen = _paragraph_words(text, note, 4, rng)
    return None if chosen is None else KnownItem("body-shuffled", note.path, _shuffled(rng, chosen))


def _any_words_shuffled_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Issue 14's description taken literally: "4 words of one body paragraph", in another
    order. Any four distinct words of the paragraph: unlike `body-shuffled`, common words
    ("said", "security") and stop words ("the", "with") are drawn too, as often as the
    paragraph has them, so a query may hold fewer than four words that single out a note."""
    candidates = [
        found
        for found in (
            list(dict.fromkeys(word.lower() for word in words(paragraph)))
            for paragraph in text.own_paragraphs(note)
        )
        if len(found) >= 4
    ]
    if not candidates:
        return None
    chosen = _ordered_sample(rng, rng.choice(candidates), 4)
    return KnownItem("any-words-shuffled", note.path, _shuffled(rng, chosen))


# A typo drops a letter, swaps two neighbouring letters or doubles one; only words of at
# least this many letters get one (a shorter word loses too much of itself).
MIN_TYPO_CHARS = 4
TYPOS = ("drop", "swap", "double")


def misspell(word: str, rng: random.Random) -> str:
    """`word` with one dropped, swapped (two different neighbours) or doubled letter."""
    kind = rng.choice(TYPOS)
    swappable = [index for index in range(len(word) - 1) if word[index] != word[index + 1]]
    if kind == "swap" and swappable:
        index = rng.choice(swappable)
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    index = rng.randrange(len(word))
    if kind == "double":
        return word[: index + 1] + word[index:]
    return word[:index] + word[index + 1 :]


def _typo_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Three content words of the title, in order, one of them misspelled."""
    candidates = text.content_words(note.title)
    if len(candidates) < 3:
        return None
    chosen = list(_ordered_sample(rng, candidates, 3))
    typeable = [index for index, word in enumerate(chosen) if len(word) >= MIN_TYPO_CHARS]
    if not typeable:
        return None
    index = rng.choice(typeable)
    chosen[index] = misspell(chosen[index], rng)
    return KnownItem("typo", note.path, tuple(chosen))


def _scattered_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Two content words of each of two different paragraphs (four distinct words)."""
    own = [found for found in map(text.content_words, text.own_paragraphs(note)) if len(found) >= 2]
    if len(own) < 2:
        return None
    first, second = sorted(rng.sample(range(len(own)), 2))
    words_one = _ordered_sample(rng, own[first], 2)
    rest = [word for word in own[second] if word not in words_one]
    if len(rest) < 2:
        return None
    return KnownItem("scattered", note.path, (*words_one, *_ordered_sample(rng, rest, 2)))


def _mixed_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """One content word of the title and two of one paragraph, in random order: what a
    user who remembers the story's subject and one detail of it types."""
    title = text.content_words(note.title)
    body = _paragraph_words(text, note, 2, rng)
    if not title or body is None:
        return None
    title_word = rng.choice(title)
    if title_word in body:
        return None
    return KnownItem("mixed", note.path, _shuffled(rng, (title_word, *body)))


# A remembered sentence fragment: this many consecutive words of one paragraph.
FRAGMENT_WORDS = 5
_SENTENCE_END = ".!?"


def _sentence_windows(text: CorpusText, note: Note, size: int) -> Iterator[tuple[list[str], list[int]]]:
    """Every run of `size` consecutive words of one sentence of the note's own paragraphs,
    in order, where each word is alphabetic once its edge punctuation is off: the words,
    and the indexes of the content words among them."""
    for paragraph in text.own_paragraphs(note):
        tokens = paragraph.split()
        for start in range(len(tokens) - size + 1):
            window = tokens[start : start + size]
            if any(token[-1] in _SENTENCE_END for token in window[:-1]):
                continue
            found = [token.strip(_EDGE_PUNCTUATION) for token in window]
            if all(_ALPHABETIC.fullmatch(word) for word in found):
                yield found, [index for index, word in enumerate(found) if text.is_content_word(word)]


def _fragment_typo_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Five consecutive words of one paragraph as written (stop words included, not
    quoted, within one sentence), two of them content words at least, one content word
    of four letters or more misspelled: a sentence fragment remembered and mistyped."""
    candidates = []
    for found, content in _sentence_windows(text, note, FRAGMENT_WORDS):
        typeable = [index for index in content if len(found[index]) >= MIN_TYPO_CHARS]
        if len(content) >= 2 and typeable:
            candidates.append((found, typeable))
    if not candidates:
        return None
    found, typeable = rng.choice(candidates)
    chosen = [word.lower() for word in found]
    index = rng.choice(typeable)
    chosen[index] = misspell(chosen[index], rng)
    return KnownItem("fragment-typo", note.path, tuple(chosen))


# A word counts as in the note when one of the note's words starts with its first this
# many letters (so a stemmed form of it, `attacks` for `attacked`, is never "wrong").
_WRONG_WORD_PREFIX = 5


def _wrong_word_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Three content words of one paragraph and one content word the note does not have
    (drawn from another note's paragraph), in random order: a detail remembered with one
    word wrong. No note need hold all four; the target holds three in one paragraph."""
    chosen = _paragraph_words(text, note, 3, rng)
    if chosen is None:
        return None
    foreign = _foreign_word(text, note, rng)
    if foreign is None:
        return None
    return KnownItem("wrong-word", note.path, _shuffled(rng, (*chosen, foreign)))


def _foreign_word(text: CorpusText, note: Note, rng: random.Random) -> str | None:
    """A content word of another note's paragraph that `note` does not have (not even in
    another form: no word of the note starts with its first `_WRONG_WORD_PREFIX` letters)."""
    own = {
        word.lower()[:_WRONG_WORD_PREFIX]
        for source in (note.title, note.subtitle, " ".join(note.tags), *text.paragraphs[note.path])
        for word in words(source)
    }
    other = rng.choice(text.notes)
    foreign = [
        word
        for paragraph in text.own_paragraphs(other)
        for word in text.content_words(paragraph)
        if word[:_WRONG_WORD_PREFIX] not in own
    ]
    if other.path == note.path or not foreign:
        return None
    return rng.choice(foreign)


def inflect(word: str) -> str | None:
    """`word` in another inflection, by rule (not always a dictionary word, as a user's
    guess is not): plural to singular and back, past tense to `-ing` and back; None when
    no rule fits. `attacks` -> `attack`, `server` -> `servers`, `companies` -> `company`,
    `targeted` -> `targeting`, `hosting` -> `hosted`."""
    if len(word) < 4:
        return None
    if word.endswith("ies") and len(word) >= 5:
        return word[:-3] + "y"
    if word.endswith("ed") and len(word) >= 6:
        return word[:-2] + "ing"
    if word.endswith("ing") and len(word) >= 7:
        return word[:-3] + "ed"
    if word.endswith("s"):
        return None if word.endswith(("ss", "us", "is")) or len(word) < 5 else word[:-1]
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word[-1] in "xzh":  # `patches`, `boxes`: not guessed
        return None
    return word + "s"


def _inflected_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """The body kind's four words of one paragraph, in the note's order, two of them in
    another inflection (`attack` for `attacks`, `targeting` for `targeted`): a user who
    remembers what a story said, not the forms of the words it used."""
    chosen = _paragraph_words(text, note, 4, rng)
    if chosen is None:
        return None
    # Only into a form some note has (`smalls` and `earliers` are no one's guess).
    changeable = [index for index, word in enumerate(chosen) if text.document_frequency[inflect(word) or ""]]
    if len(changeable) < 2:
        return None
    changed = set(rng.sample(changeable, 2))
    typed = tuple(inflect(word) if index in changed else word for index, word in enumerate(chosen))
    if len(set(typed)) < 4:
        return None
    return KnownItem("inflected", note.path, typed)


def _names(paragraph: str) -> list[tuple[str, str]]:
    """Two capitalised words side by side inside a sentence (not its first word, no
    punctuation between them): `Justice Department`, `Tom Kellermann`. Lower-case."""
    tokens = paragraph.split()
    found = []
    for index in range(1, len(tokens) - 1):
        if tokens[index - 1][-1] in _SENTENCE_END + ":" or tokens[index][-1] in ",;:" + _SENTENCE_END:
            continue
        pair = tuple(token.strip(_EDGE_PUNCTUATION) for token in tokens[index : index + 2])
        if (
            all(
                _ALPHABETIC.fullmatch(word) and word[0].isupper() and not word.isupper() and len(word) >= 3
                for word in pair
            )
            and not {word.lower() for word in pair} & STOP_WORDS
        ):
            found.append((pair[0].lower(), pair[1].lower()))
    return found


def _name_topic_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """A two-word name from one paragraph (`tom kellermann`, `justice department`) and a
    content word of the title, the name first or last: a user who remembers who or what a
    story was about and its topic, not its words."""
    names = [name for paragraph in text.own_paragraphs(note) for name in _names(paragraph)]
    if not names:
        return None
    name = rng.choice(names)
    stems = {part[:_WRONG_WORD_PREFIX] for part in name}
    topic = [word for word in text.content_words(note.title) if word[:_WRONG_WORD_PREFIX] not in stems]
    if not topic:
        return None
    word = rng.choice(topic)
    return KnownItem("name-topic", note.path, (*name, word) if rng.random() < 0.5 else (word, *name))


def _title_half_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Two content words of the title and one of a paragraph, in random order: a title
    half remembered, and a detail of the story for the rest (the reverse of `mixed`)."""
    title = text.content_words(note.title)
    body = _paragraph_words(text, note, 1, rng)
    if len(title) < 2 or body is None or body[0] in title:
        return None
    return KnownItem("title-half", note.path, _shuffled(rng, (*_ordered_sample(rng, title, 2), body[0])))


# A sentence pasted from memory: this many consecutive words of one sentence.
SENTENCE_WORDS = 10


def _sentence_changed_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Ten consecutive words of one sentence of a paragraph as written (stop words
    included, not quoted), one content word replaced by a content word the note does not
    have: a long sentence pasted from memory, with one word wrong."""
    candidates = [
        (found, content)
        for found, content in _sentence_windows(text, note, SENTENCE_WORDS)
        if len(content) >= 3
    ]
    if not candidates:
        return None
    found, content = rng.choice(candidates)
    foreign = _foreign_word(text, note, rng)
    if foreign is None:
        return None
    chosen = [word.lower() for word in found]
    chosen[rng.choice(content)] = foreign
    return KnownItem("sentence-changed", note.path, tuple(chosen))


def _two_words_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Two content words of one paragraph, in random order: a very short memory."""
    chosen = _paragraph_words(text, note, 2, rng)
    return None if chosen is None else KnownItem("two-words", note.path, _shuffled(rng, chosen))


def _misspelled(
    text: CorpusText, note: Note, chosen: Sequence[str], count: int, rng: random.Random
) -> tuple[str, ...] | None:
    """`chosen` with `count` of its words of `MIN_TYPO_CHARS` letters or more that the
    title lacks misspelled (a typo in a remembered detail, not in the subject), or None."""
    title = {word.lower() for word in words(note.title)}
    typeable = [
        index for index, word in enumerate(chosen) if len(word) >= MIN_TYPO_CHARS and word not in title
    ]
    if len(typeable) < count:
        return None
    changed = set(rng.sample(typeable, count))
    return tuple(misspell(word, rng) if index in changed else word for index, word in enumerate(chosen))


def _body_typo_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """The body kind's four words in the note's order, one of them (not a title word)
    misspelled: a detail of the story remembered and mistyped."""
    chosen = _paragraph_words(text, note, 4, rng)
    typed = None if chosen is None else _misspelled(text, note, chosen, 1, rng)
    return None if typed is None else KnownItem("body-typo", note.path, typed)


def _two_typos_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """The body kind's four words in the note's order, two of them (not title words)
    misspelled: typed in a hurry."""
    chosen = _paragraph_words(text, note, 4, rng)
    typed = None if chosen is None else _misspelled(text, note, chosen, 2, rng)
    return None if typed is None else KnownItem("two-typos", note.path, typed)


def _shuffled_inflected_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """The body-shuffled kind's four words in another order, one of them in another
    inflection (into a form some note has): order and form both misremembered."""
    chosen = _paragraph_words(text, note, 4, rng)
    if chosen is None:
        return None
    changeable = [index for index, word in enumerate(chosen) if text.document_frequency[inflect(word) or ""]]
    if not changeable:
        return None
    index = rng.choice(changeable)
    typed = tuple(inflect(word) if at == index else word for at, word in enumerate(chosen))
    if len(set(typed)) < 4:
        return None
    return KnownItem("shuffled-inflected", note.path, _shuffled(rng, typed))


def _long_shuffled_item(text: CorpusText, note: Note, rng: random.Random) -> KnownItem | None:
    """Five or six content words of one paragraph, in another order: a detail remembered
    at length."""
    count = rng.choice((5, 6))
    chosen = _paragraph_words(text, note, count, rng)
    return None if chosen is None else KnownItem("long-shuffled", note.path, _shuffled(rng, chosen))


_MAKERS = {
    "title": _title_item,
    "subtitle": _subtitle_item,
    "body": _body_item,
    "phrase": _phrase_item,
    "scoped": _scoped_item,
    "body-shuffled": _body_shuffled_item,
    "typo": _typo_item,
    "scattered": _scattered_item,
    "mixed": _mixed_item,
    "any-words-shuffled": _any_words_shuffled_item,
    "fragment-typo": _fragment_typo_item,
    "wrong-word": _wrong_word_item,
    "inflected": _inflected_item,
    "name-topic": _name_topic_item,
    "title-half": _title_half_item,
    "sentence-changed": _sentence_changed_item,
    "two-words": _two_words_item,
    "body-typo": _body_typo_item,
    "two-typos": _two_typos_item,
    "shuffled-inflected": _shuffled_inflected_item,
    "long-shuffled": _long_shuffled_item,
}
