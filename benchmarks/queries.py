"""Varied, seeded queries for the latency test, drawn from the notes of the corpus measured.

Kinds, taken in turn: two title words, an author's surname, a tag, a source, a date
range or month, and a two-word phrase from a title. Every query comes from one real
note, so most of them match something.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from indexer.errors import NoteParseError
from indexer.notes.note import Note, parse_note

QUERY_KINDS = ("words", "author", "tag", "source", "date", "phrase")
# The one-shot process tests: the same text is given to `search` and to `whoosh search`
# (whoosh's own schema has title and body but no date field, so that one finds nothing there).
ONE_SHOT_QUERIES = (
    ("plain two words", "ransomware attack"),
    ("field-scoped", "title:ransomware"),
    ("date range", "date:[2021-08-01 to 2021-08-31]"),
)

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
    "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will", "with", "not",
    "new", "how", "why", "what", "who", "after", "over", "into", "more", "than", "you", "your",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class BenchQuery:
    kind: str
    text: str


def sample_queries(corpus: Path, paths: list[Path], count: int, *, seed: int) -> list[BenchQuery]:
    """`count` queries, the kinds in turn, each made from a note picked with `seed`."""
    rng = random.Random(f"{seed}/queries")
    notes = _notes(corpus, rng.sample(paths, len(paths)))
    queries: list[BenchQuery] = []
    misses = 0
    while len(queries) < count and misses < 50 * len(QUERY_KINDS):
        kind = QUERY_KINDS[len(queries) % len(QUERY_KINDS)]
        note = next(notes, None)
        if note is None:
            break
        text = _MAKERS[kind](note, rng)
        if text is None:
            misses += 1
            continue
        queries.append(BenchQuery(kind, text))
    return queries


def _notes(corpus: Path, paths: list[Path]) -> Iterator[Note]:
    for path in paths:
        try:
            yield parse_note(path, corpus)
        except NoteParseError:
            continue


def _title_words(note: Note) -> list[str]:
    return [word for word in _WORD.findall(note.title) if word.lower() not in _STOPWORDS and len(word) > 2]


def _words(note: Note, rng: random.Random) -> str | None:
    words = sorted(set(_title_words(note)))
    return " ".join(rng.sample(words, 2)) if len(words) >= 2 else None


def _author(note: Note, rng: random.Random) -> str | None:
    names = [name.split()[-1] for name in note.authors if _WORD.fullmatch(name.split()[-1] or "")]
    return f"author:{rng.choice(names)}" if names else None


def _tag(note: Note, rng: random.Random) -> str | None:
    tags = [tag for tag in note.tags if '"' not in tag]
    return f'tag:"{rng.choice(tags)}"' if tags else None


def _source(note: Note, rng: random.Random) -> str | None:
    return f'source:"{note.source}"' if note.source and '"' not in note.source else None


def _date(note: Note, rng: random.Random) -> str | None:
    if note.date is None:
        return None
    if rng.random() < 0.5:
        return f"date:{note.date:%Y-%m}"
    start = note.date - timedelta(days=rng.randint(0, 20))
    return f"date:[{start.isoformat()} to {(start + timedelta(days=rng.randint(1, 30))).isoformat()}]"


def _phrase(note: Note, rng: random.Random) -> str | None:
    # Neighbours in the title as written, each a plain word, so the phrase is really there.
    words = [word.strip(".,:;!?'\"()") for word in note.title.split()]
    pairs = [
        (first, second)
        for first, second in itertools.pairwise(words)
        if all(_WORD.fullmatch(word) and word.lower() not in _STOPWORDS for word in (first, second))
    ]
    return '"{} {}"'.format(*rng.choice(pairs)) if pairs else None


_MAKERS = {
    "words": _words,
    "author": _author,
    "tag": _tag,
    "source": _source,
    "date": _date,
    "phrase": _phrase,
}
