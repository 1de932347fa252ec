"""The known-item evaluation (benchmarks/relevance.py) on the bundled corpus: queries and a full run."""

from __future__ import annotations

import json
import random
import re

import pytest

from benchmarks import relevance
from benchmarks.known_items import (
    KINDS,
    STOP_WORDS,
    KnownItem,
    generate,
    inflect,
    load_notes,
    misspell,
    paragraphs,
    words,
)
from benchmarks.systems import Fts5ParagraphBaseline
from tests.conftest import BUNDLED_CORPUS


@pytest.fixture(scope="module")
def notes():
    return {note.path: note for note in load_notes(BUNDLED_CORPUS)}


@pytest.fixture(scope="module")
def items(notes):
    return generate(list(notes.values()), per_kind=8, seed=3)


def test_the_same_seed_gives_the_same_queries_and_another_seed_others(notes, items):
    assert generate(list(notes.values()), per_kind=8, seed=3) == items
    assert generate(list(notes.values()), per_kind=8, seed=4) != items


def test_every_kind_is_generated_in_kind_order(items):
    kinds = [item.kind for item in items]
    assert kinds == sorted(kinds, key=KINDS.index)
    assert {kind: kinds.count(kind) for kind in KINDS} == dict.fromkeys(KINDS, 8)


def _in_order(wanted, found) -> bool:
    remaining = iter(found)
    return all(word in remaining for word in wanted)


def test_title_and_subtitle_queries_are_words_of_that_field_in_order(notes, items):
    for item in items:
        if item.kind in ("title", "subtitle"):
            source = [word.lower() for word in words(getattr(notes[item.target], item.kind))]
            assert 3 <= len(item.words) <= 4
            assert _in_order(item.words, source), item
            assert not set(item.words) & STOP_WORDS


def test_body_queries_are_four_words_of_one_paragraph_in_order(notes, items):
    for item in (item for item in items if item.kind == "body"):
        assert len(item.words) == 4
        assert any(
            _in_order(item.words, [word.lower() for word in words(paragraph)])
            for paragraph in paragraphs(notes[item.target].body)
        ), item


def test_phrase_queries_quote_text_exactly_as_the_note_has_it(notes, items):
    for item in (item for item in items if item.kind == "phrase"):
        assert item.phrase and 2 <= len(item.words) <= 3
        assert " ".join(item.words) in notes[item.target].body
        assert item.query == '"' + " ".join(item.words) + '"'


def test_scoped_queries_name_the_notes_author_or_month(notes, items):
    for item in (item for item in items if item.kind == "scoped"):
        note = notes[item.target]
        field, value = item.scope
        if field == "author":
            assert value in note.author.lower()
        else:
            assert field == "date" and value == note.date.strftime("%Y-%m")
        assert re.fullmatch(r"[a-z]+ [a-z]+ (author|date):\S+", item.query)


def test_scores_average_reciprocal_ranks_over_all_queries():
    score = relevance.Score.of([1, 2, None, 4])
    assert score.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert (score.success_at_1, score.success_at_10) == (0.25, 0.75)


def test_fts5_quotes_each_word_and_maps_scopes(notes):
    fts5 = relevance.Fts5Baseline(list(notes.values()))
    target = "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
    assert fts5.search(KnownItem("body", target, ("gprs", "gateway")))[0] == target
    assert (
        fts5.search(KnownItem("scoped", target, ("gprs", "gateway"), scope=("author", "cimpanu")))[0]
        == target
    )
    assert fts5.search(KnownItem("scoped", target, ("gprs", "gateway"), scope=("date", "2021-08"))) == [
        target
    ]
    assert fts5.search(KnownItem("scoped", target, ("gprs", "gateway"), scope=("date", "2020-01"))) == []
    assert fts5.search(KnownItem("phrase", target, ("gateway", "GPRS"), phrase=True)) == []


def test_a_full_run_prints_every_kind_for_all_four_systems_and_writes_json(tmp_path, capsys):
    output = tmp_path / "run.json"
    common = ["--corpus", str(BUNDLED_CORPUS), "--workdir", str(tmp_path / "work"), "--per-kind", "4"]
    code = relevance.main([*common, "--json", str(output)])
    assert code == 0
    table = capsys.readouterr().out
    assert "| kind | n | ours MRR |" in table and "FTS5 MRR" in table and "whoosh CLI MRR" in table
    for kind in (*KINDS, "all"):
        assert f"| {kind} |" in table
    record = json.loads(output.read_text())
    assert set(record["scores"]) == {"ours", "fts5", "whoosh", "paragraphs"}
    assert len(record["queries"]) == 4 * len(KINDS)
    assert "| kind | n | ours | FTS5 | whoosh CLI | FTS5 paragraphs |" in table
    assert set(record["latency_ms"]) == {"median", "p95"}

    code = relevance.main([*common, "--systems", "ours", "--before", str(output)])
    assert code == 0
    assert "| kind | MRR before | MRR after | change |" in capsys.readouterr().out


def test_several_seeds_pool_their_query_sets_into_one_run(tmp_path, capsys, notes):
    output = tmp_path / "pooled.json"
    code = relevance.main(
        ["--corpus", str(BUNDLED_CORPUS), "--workdir", str(tmp_path / "work"), "--per-kind", "3",
         "--systems", "ours", "--seed", "3,4", "--json", str(output)]
    )  # fmt: skip
    assert code == 0
    record = json.loads(output.read_text())
    assert record["seed"] == [3, 4]
    expected = generate(list(notes.values()), per_kind=3, seed=3) + generate(
        list(notes.values()), per_kind=3, seed=4
    )
    assert [query["query"] for query in record["queries"]] == [item.query for item in expected]
    assert f"| title | {sum(item.kind == 'title' for item in expected)} |" in capsys.readouterr().out


@pytest.mark.parametrize("seeds", ["", "1,x"])
def test_seeds_that_are_not_integers_are_refused(seeds, capsys):
    with pytest.raises(SystemExit) as stopped:
        relevance.main(["--seed", seeds])
    assert stopped.value.code == 2
    assert "--seed" in capsys.readouterr().err


def _paragraph_words(note):
    return [[word.lower() for word in words(paragraph)] for paragraph in paragraphs(note.body)]


def test_shuffled_body_queries_are_four_words_of_one_paragraph_out_of_order(notes, items):
    shuffled = [item for item in items if item.kind == "body-shuffled"]
    assert shuffled
    for item in shuffled:
        assert len(set(item.words)) == 4
        found = [found for found in _paragraph_words(notes[item.target]) if set(item.words) <= set(found)]
        assert found, item
    assert any(
        not _in_order(item.words, found)
        for item in shuffled
        for found in _paragraph_words(notes[item.target])
    )


@pytest.mark.parametrize("seed", range(30))
def test_a_typo_drops_swaps_or_doubles_one_letter(seed):
    word = "ransomware"
    typo = misspell(word, random.Random(seed))
    assert typo != word
    dropped = any(typo == word[:i] + word[i + 1 :] for i in range(len(word)))
    doubled = any(typo == word[: i + 1] + word[i:] for i in range(len(word)))
    swapped = sorted(typo) == sorted(word) and sum(a != b for a, b in zip(typo, word, strict=True)) == 2
    assert dropped or doubled or swapped


def test_typo_queries_are_three_title_words_one_misspelled(notes, items):
    for item in (item for item in items if item.kind == "typo"):
        title = [word.lower() for word in words(notes[item.target].title)]
        assert len(item.words) == 3
        assert sum(word not in title for word in item.words) == 1, item


def test_scattered_queries_take_two_words_from_each_of_two_paragraphs(notes, items):
    for item in (item for item in items if item.kind == "scattered"):
        assert len(set(item.words)) == 4
        found = _paragraph_words(notes[item.target])
        first = [index for index, words_of in enumerate(found) if set(item.words[:2]) <= set(words_of)]
        second = [index for index, words_of in enumerate(found) if set(item.words[2:]) <= set(words_of)]
        assert any(one != two for one in first for two in second), item


def test_mixed_queries_hold_a_title_word_and_two_body_words(notes, items):
    for item in (item for item in items if item.kind == "mixed"):
        title = {word.lower() for word in words(notes[item.target].title)}
        assert len(item.words) == 3 and set(item.words) & title, item


def test_the_paragraph_baseline_ranks_a_note_by_its_best_paragraph(notes):
    target = "news/therecord/T-Mobile-confirms-breach-through-misconfigured-GPRS-gateway.md"
    baseline = Fts5ParagraphBaseline(list(notes.values()))
    try:
        found = baseline.search(KnownItem("body-shuffled", target, ("gateway", "seller", "gprs")))
        assert found[0] == target
        assert len(found) == len(set(found))  # a note once, however many paragraphs match
    finally:
        baseline.close()


def _drawn_from_one_paragraph(notes, items, kind: str, count: int) -> list:
    """The queries of `kind`, after checking each is `count` different words of one
    paragraph of its target."""
    drawn = [item for item in items if item.kind == kind]
    assert drawn
    for item in drawn:
        assert len(set(item.words)) == count
        assert any(set(item.words) <= set(found) for found in _paragraph_words(notes[item.target])), item
    return drawn


def test_any_words_queries_are_four_words_of_one_paragraph_common_and_stop_words_included(notes, items):
    drawn = _drawn_from_one_paragraph(notes, items, "any-words-shuffled", 4)
    # Drawn from all the paragraph's words, unlike `body-shuffled`: stop words come up.
    assert any(set(item.words) & STOP_WORDS for item in drawn)


def test_fragment_typo_queries_are_five_consecutive_words_of_a_paragraph_one_misspelled(notes, items):
    drawn = [item for item in items if item.kind == "fragment-typo"]
    assert drawn
    for item in drawn:
        assert len(item.words) == 5 and not item.phrase
        windows = [
            [word.lower() for word in words(paragraph)] for paragraph in paragraphs(notes[item.target].body)
        ]
        assert any(
            sum(typed != written for typed, written in zip(item.words, found[start : start + 5], strict=True))
            == 1
            for found in windows
            for start in range(len(found) - 4)
        ), item
    # Stop words are kept, as a remembered fragment has them.
    assert any(set(item.words) & STOP_WORDS for item in drawn)


def test_wrong_word_queries_are_three_words_of_a_paragraph_and_one_the_note_lacks(notes, items):
    drawn = [item for item in items if item.kind == "wrong-word"]
    assert drawn
    for item in drawn:
        note = notes[item.target]
        assert len(set(item.words)) == 4 and not item.phrase and item.scope is None
        written = {
            word.lower()
            for source in (note.title, note.subtitle, " ".join(note.tags), *paragraphs(note.body))
            for word in words(source)
        }
        foreign = [word for word in item.words if not any(own.startswith(word[:5]) for own in written)]
        assert len(foreign) == 1, item
        rest = set(item.words) - set(foreign)
        assert any(rest <= set(found) for found in _paragraph_words(note)), item


def _written(note) -> set[str]:
    return {
        word.lower()
        for source in (note.title, note.subtitle, " ".join(note.tags), *paragraphs(note.body))
        for word in words(source)
    }


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("attacks", "attack"),
        ("server", "servers"),
        ("companies", "company"),
        ("targeted", "targeting"),
        ("hosting", "hosted"),
        ("access", None),
        ("patch", None),
        ("the", None),
    ],
)
def test_a_word_is_inflected_by_plural_and_tense_rules(word, other):
    assert inflect(word) == other


def test_inflected_queries_are_body_words_in_order_two_in_another_form(notes, items):
    drawn = [item for item in items if item.kind == "inflected"]
    assert drawn
    for item in drawn:
        assert len(set(item.words)) == 4
        found = _paragraph_words(notes[item.target])
        # Two words are as written in one paragraph, and the other two are a form of
        # two more of its words, all four in the paragraph's order.
        assert any(
            sum(word in words_of for word in item.words) >= 2
            and all(
                word in words_of or inflect(word) in words_of or any(inflect(own) == word for own in words_of)
                for word in item.words
            )
            for words_of in found
        ), item
        assert sum(word not in _written(notes[item.target]) for word in item.words) <= 2, item


def test_name_topic_queries_are_two_capitalised_words_side_by_side_and_a_title_word(notes, items):
    drawn = [item for item in items if item.kind == "name-topic"]
    assert drawn
    for item in drawn:
        note = notes[item.target]
        title = {word.lower() for word in words(note.title)}
        text = " ".join(paragraphs(note.body)).lower()
        assert len(item.words) == 3, item
        first, last = (item.words[0], item.words[1:]), (item.words[2], item.words[:2])
        # The name's two words side by side in the note's text.
        assert any(
            topic in title and re.search(r"\b" + r"\W+".join(pair) + r"\b", text)
            for topic, pair in (first, last)
        ), item


def test_title_half_queries_hold_two_title_words_and_one_body_word(notes, items):
    drawn = [item for item in items if item.kind == "title-half"]
    assert drawn
    for item in drawn:
        note = notes[item.target]
        title = {word.lower() for word in words(note.title)}
        assert len(set(item.words)) == 3 and sum(word in title for word in item.words) == 2, item
        body = [word for word in item.words if word not in title]
        assert any(body[0] in found for found in _paragraph_words(note)), item


def test_sentence_changed_queries_are_ten_words_of_a_sentence_one_replaced_by_a_word_the_note_lacks(
    notes, items
):
    drawn = [item for item in items if item.kind == "sentence-changed"]
    assert drawn
    for item in drawn:
        note = notes[item.target]
        assert len(item.words) == 10 and not item.phrase, item
        windows = [[word.lower() for word in words(paragraph)] for paragraph in paragraphs(note.body)]
        assert any(
            sum(
                typed != written for typed, written in zip(item.words, found[start : start + 10], strict=True)
            )
            == 1
            for found in windows
            for start in range(len(found) - 9)
        ), item
        written = _written(note)
        assert sum(not any(own.startswith(word[:5]) for own in written) for word in item.words) == 1, item


def test_two_words_queries_are_two_words_of_one_paragraph(notes, items):
    _drawn_from_one_paragraph(notes, items, "two-words", 2)


def _one_letter_off(typed: str, word: str) -> bool:
    """`typed` is `word` with one letter dropped, doubled, or two neighbours swapped."""
    dropped = any(typed == word[:i] + word[i + 1 :] for i in range(len(word)))
    doubled = any(typed == word[: i + 1] + word[i:] for i in range(len(word)))
    swapped = (
        len(typed) == len(word)
        and sorted(typed) == sorted(word)
        and sum(a != b for a, b in zip(typed, word, strict=True)) == 2
    )
    return dropped or doubled or swapped


def _typed_in_order(typed, found, title) -> int | None:
    """How many of `typed` are misspelled words of `found` (in order, each other word as
    written; a misspelled word is of 4 letters or more and not in `title`), None if they
    are not there so (words matched greedily, first fit)."""
    typos, remaining = 0, iter(found)
    for word in typed:
        for own in remaining:
            if own == word:
                break
            if len(own) >= 4 and own not in title and _one_letter_off(word, own):
                typos += 1
                break
        else:
            return None
    return typos


@pytest.mark.parametrize(("kind", "typos"), [("body-typo", 1), ("two-typos", 2)])
def test_body_typo_queries_are_body_words_in_order_with_typos_in_words_the_title_lacks(
    notes, items, kind, typos
):
    drawn = [item for item in items if item.kind == kind]
    assert drawn
    for item in drawn:
        note = notes[item.target]
        title = {word.lower() for word in words(note.title)}
        assert len(item.words) == 4
        assert any(_typed_in_order(item.words, found, title) == typos for found in _paragraph_words(note)), (
            item
        )


def test_shuffled_inflected_queries_are_four_body_words_one_in_another_form(notes, items):
    drawn = [item for item in items if item.kind == "shuffled-inflected"]
    assert drawn
    for item in drawn:
        assert len(set(item.words)) == 4
        assert any(
            sum(word in found for word in item.words) == 3
            and all(word in found or any(inflect(own) == word for own in found) for word in item.words)
            for found in _paragraph_words(notes[item.target])
        ), item


def test_long_shuffled_queries_are_five_or_six_words_of_one_paragraph_out_of_order(notes, items):
    drawn = [item for item in items if item.kind == "long-shuffled"]
    assert drawn
    for item in drawn:
        assert len(set(item.words)) in (5, 6)
        assert any(set(item.words) <= set(found) for found in _paragraph_words(notes[item.target])), item
    assert any(
        not _in_order(item.words, found) for item in drawn for found in _paragraph_words(notes[item.target])
    )
