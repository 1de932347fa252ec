"""Positions kept per word per note are capped, so phrase search stays fast on repetitive notes."""

from __future__ import annotations

import random
import time

import pytest
from whoosh.formats import Positions

from indexer.engine.postings import MAX_POSITIONS, CappedPositions
from indexer.index.schema import build_schema
from indexer.index.store import build_index
from indexer.search.searching import open_index
from tests.conftest import info_note


def test_every_positional_field_keeps_at_most_max_positions_of_a_word():
    schema = build_schema()
    capped = sorted(name for name, field in schema.items() if isinstance(field.format, CappedPositions))
    positional = sorted(
        name for name, field in schema.items() if field.format and field.format.supports("positions")
    )
    assert capped == positional
    assert {"author", "body", "link", "path", "source", "subtitle", "tag_words", "title"} <= set(capped)
    encoded = schema["body"].format.encode(list(range(5000)))
    assert schema["body"].format.decode_positions(encoded) == list(range(MAX_POSITIONS))


def test_a_phrase_over_a_note_of_a_million_repeats_answers_quickly_and_ranks_by_all_of_them(
    corpus, write_note, index_dir
):
    write_note("repeat.md", "# Repeat\n\n" + "word " * 1_000_000 + "\n")
    write_note("once.md", info_note("Once", "A word here and a word there."))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        started = time.process_time()  # CPU time: a busy machine does not fail it
        result = notes.search('"word word"', passages=0)
        assert time.process_time() - started < 1.5  # 30 s with every position kept
        assert [hit.path for hit in result.hits] == ["repeat.md"]
        # Frequencies still count every occurrence: the repetitive note ranks first.
        assert [hit.path for hit in notes.search("word", passages=0).hits] == ["repeat.md", "once.md"]


TEXTS = [
    "",
    "the",
    "The attack at Société Générale: the attackers' café, réseau and naïve users.",
    "A a a word word, WORD words; 1.2.3 v2.0 e-mail T-Mobile " + "x" * 150 + " end",
    "and of the to the first word after stop words",
    "GPRS gateway " * 700,
]


@pytest.mark.parametrize("field", ["title", "body", "author", "source", "tag_words", "path", "link"])
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_postings_from_word_positions_equal_whooshs_through_tokens(field, text):
    field_type = build_schema()[field]
    fast = list(field_type.format.word_values(text, field_type.analyzer, mode="index"))
    through_tokens = list(Positions.word_values(field_type.format, text, field_type.analyzer, mode="index"))
    assert sorted(fast) == sorted(through_tokens)


def test_positions_are_encoded_as_whoosh_encodes_them_up_to_the_cap():
    rng = random.Random(7)
    capped = CappedPositions()
    lists = [
        sorted(rng.sample(range(50_000), rng.choice([1, 1, 2, 3, 17, 999, 1000, 1001, 2500])))
        for _ in range(300)
    ]
    for positions in [*lists, [0], [5], (3,), (1, 4, 9)]:
        assert capped.encode(positions) == Positions().encode(list(positions)[:MAX_POSITIONS])
        assert capped.decode_positions(capped.encode(positions)) == list(positions)[:MAX_POSITIONS]


@pytest.mark.parametrize("position", [0, 1, 255, 256, 70_000, 1 << 16, (1 << 16) - 1, 1 << 40])
def test_a_lone_position_is_encoded_as_whoosh_encodes_it_first_time_and_after(position):
    ours, whooshs = CappedPositions(), Positions()
    for poslist in ([position], [position], (position,)):
        assert ours.encode(poslist) == whooshs.encode(list(poslist))
    assert ours.decode_positions(ours.encode([position])) == [position]


def test_positions_decode_as_whoosh_decodes_them_first_time_and_after():
    """`CappedPositions.decode_positions` looks a lone position up after its first time:
    the same lists as Whoosh's decoding, each a new list (a caller may change its own)."""
    rng = random.Random(11)
    ours, whooshs = CappedPositions(), Positions()
    lists = [sorted(rng.sample(range(70_000), rng.choice([1, 1, 1, 2, 5, 300]))) for _ in range(2000)]
    for positions in [*lists, *lists[:50], [0], [0], [1 << 16], [1 << 16]]:
        encoded = whooshs.encode(positions)
        decoded = ours.decode_positions(encoded)
        assert decoded == whooshs.decode_positions(encoded) == positions
        decoded.append(-1)
        assert ours.decode_positions(encoded) == positions
