"""Completion words from the index: field names, operators, command names, and the values of
`tag:`, `author:`, `source:` (and structured fields) ranked by how many notes hold them.

Values come from the index's term lists (`NoteIndex.field_values`), read once when the
shell opens and again after `:reindex`, never from a re-read of the corpus. `suggest`
says which kind of word fits; this module only supplies the words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from indexer.index.fields import FieldCatalog
from indexer.index.schema import STRUCTURED_PREFIX
from indexer.output.safe_text import has_unsafe_characters, terminal_safe
from indexer.search.searching import NoteIndex
from indexer.shell.commands import COMMANDS, Command, CommandRegistry
from indexer.shell.suggest import Kind, Suggestion, suggest

# Whole-value fields that keep each value as written (with its case), by the field users type.
VALUE_FIELDS = {"tag": "tag_name", "author": "author_name", "source": "source_name"}
MAX_VALUES = 100
# A value that needs no quotes after `field:`; anything else is written as a "phrase".
_BARE_VALUE = re.compile(r"[\w.@#&/][\w.@#&/\-]*")
_WORD_BREAK = re.compile(r"[\s\-_/.]+")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"})


@dataclass(frozen=True, slots=True)
class Value:
    """A field value as most notes write it, and how many notes hold it in any case."""

    text: str
    count: int
    # Worked out once, not at every key press: the folded text and its words after the first.
    folded: str = field(default="", compare=False, repr=False)
    later_words: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        folded = fold(self.text)
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "later_words", tuple(_WORD_BREAK.split(folded)[1:]))


def fold(text: str) -> str:
    """Case- and accent-insensitive form, for matching what was typed."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def merge_case_variants(pairs: Iterable[tuple[str, int]]) -> list[Value]:
    """`[("ransomware", 532), ("Ransomware", 251)]` -> `[Value("ransomware", 783)]`, most frequent first.

    The spelling shown is the most frequent one. A note holds one spelling of a tag,
    so the counts add up to notes.
    """
    groups: dict[str, list[tuple[str, int]]] = {}
    for text, count in pairs:
        groups.setdefault(fold(text), []).append((text, count))
    merged = []
    for variants in groups.values():
        best = max(variants, key=lambda variant: (variant[1], variant[0]))
        merged.append(Value(best[0], sum(count for _, count in variants)))
    merged.sort(key=lambda value: (-value.count, value.folded))
    return merged


def quote_value(text: str) -> str | None:
    """`text` as typed after `field:`: bare if it can be, else quoted; None if it cannot be typed.

    A value holding a control, bidi or invisible character is never inserted into the
    line (it would reach the terminal raw); its escaped form would not find it either.
    """
    if '"' in text or has_unsafe_characters(text) or "\t" in text or "\n" in text:
        return None
    if _BARE_VALUE.fullmatch(text) and text.upper() not in _OPERATOR_WORDS:
        return text
    return f'"{text}"'


class Vocabulary:
    """The words the completer offers for one state of the index."""

    def __init__(self, catalog: FieldCatalog, values: dict[str, list[Value]]) -> None:
        self.catalog = catalog
        self.values = values  # index field -> values, most frequent first

    @classmethod
    def load(cls, notes: NoteIndex) -> Vocabulary:
        catalog = notes.catalog
        values = {name: merge_case_variants(notes.field_values(name)) for name in VALUE_FIELDS.values()}
        if catalog.structured and getattr(notes, "engine", "whoosh") == "opensearch":
            # The cluster keeps each value as written (`ClusterNotes.field_values`).
            for name in catalog.structured:
                values[STRUCTURED_PREFIX + name] = merge_case_variants(
                    notes.field_values(STRUCTURED_PREFIX + name)
                )
        elif catalog.structured:
            # Structured values are lowercased in the index: the facet counter knows how
            # the notes write them (`APT28`, not `apt28`).
            live = set(notes.searcher.reader().all_doc_ids())
            counter = notes.facet_counter
            for name in catalog.structured:
                values[STRUCTURED_PREFIX + name] = merge_case_variants(counter.count(name, live))
        return cls(catalog, values)

    def field_names(self, prefix: str) -> list[str]:
        prefix = prefix.lower()
        return [name for name in self.catalog.user_fields() if name.startswith(prefix)]

    def field_values(self, typed_field: str, prefix: str) -> list[Value]:
        """Values of the field typed as `typed_field` that start with `prefix`, or have a word
        that does (`cim` finds "Catalin Cimpanu"); whole-value matches first, each by frequency."""
        index_field = self.catalog.index_field(typed_field)
        if index_field is None:
            return []
        values = self.values.get(VALUE_FIELDS.get(index_field, index_field), [])
        wanted = fold(prefix)
        starts, inside = [], []
        for value in values:
            folded = value.folded
            if folded.startswith(wanted):
                starts.append(value)
            elif any(word.startswith(wanted) for word in value.later_words):
                inside.append(value)
            if len(starts) >= MAX_VALUES:
                break
        return (starts + inside)[:MAX_VALUES]


class NotesCompleter(Completer):
    """prompt_toolkit completer for query lines and `:command` lines."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        commands: CommandRegistry = COMMANDS,
        choices: Callable[[Command], Iterable[tuple[str, str]]] = lambda command: (),
    ) -> None:
        self.vocabulary = vocabulary
        self.commands = commands
        self.choices = choices

    def refresh(self, notes: NoteIndex) -> None:
        """Read the values again (after `:reindex`)."""
        self.vocabulary = Vocabulary.load(notes)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        try:
            found = list(self._completions(suggest(document.text_before_cursor), complete_event))
        except Exception:  # a completion bug must never break the prompt
            return
        yield from found

    def _completions(self, suggestion: Suggestion, event: CompleteEvent) -> Iterator[Completion]:
        word = suggestion.word
        start = -len(word)
        asked = event.completion_requested  # Tab, rather than typing
        if Kind.VALUE in suggestion.kinds:
            for value in self.vocabulary.field_values(suggestion.field, suggestion.prefix):
                text = quote_value(value.text)
                if text is not None:
                    meta = f"{value.count} note{'' if value.count == 1 else 's'}"
                    # Values and titles come from notes: no bidi override reaches the menu.
                    yield Completion(text, start, display=terminal_safe(value.text), display_meta=meta)
        if Kind.FIELD in suggestion.kinds and (word or asked):
            for name in self.vocabulary.field_names(word):
                if not has_unsafe_characters(name):  # structured field names come from notes
                    yield Completion(f"{name}:", start, display_meta="field")
        if Kind.OPERATOR in suggestion.kinds and ((word and word.isupper()) or asked):
            for operator in suggestion.operators:
                if operator.startswith(word.upper()):
                    yield Completion(operator, start, display_meta="operator")
        if Kind.COMMAND in suggestion.kinds:
            name = word[1:].lower()
            for command in self.commands:
                if command.name.startswith(name):
                    yield Completion(
                        f":{command.name}", start, display=command.synopsis, display_meta=command.summary
                    )
        if Kind.ARGUMENT in suggestion.kinds:
            command = self.commands.find(suggestion.command)
            if command is not None:
                for argument, meta in self.choices(command):
                    if argument.startswith(word) and not has_unsafe_characters(argument):
                        yield Completion(argument, start, display_meta=terminal_safe(meta))
