"""Ranking bonuses: they reorder the notes a query matches and never change which match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.index.fields import FieldCatalog
from indexer.index.schema import build_schema
from indexer.index.store import build_index
from indexer.notes.parsed_notes import ParsedNotes
from indexer.search import ranking
from indexer.search.query import QueryParser
from indexer.search.ranking import Bonus, ranking_bonuses, word_groups
from indexer.search.searching import SortOrder, open_index
from tests.conftest import info_note


def filler(start: int, count: int) -> str:
    return " ".join(f"filler{number}" for number in range(start, start + count))


@pytest.fixture
def parser():
    return QueryParser(build_schema(), FieldCatalog())


def paths(result):
    return [hit.path for hit in result.hits]


def count_note_reads(monkeypatch):
    """The notes a search reads (parsed, or read as written), in order."""
    read = []
    for name in ("get", "text"):
        original = getattr(ParsedNotes, name)

        def counting(self, rel_path, original=original):
            read.append(rel_path)
            return original(self, rel_path)

        monkeypatch.setattr(ParsedNotes, name, counting)
    return read


def plain_order(notes, text):
    """The order without ranking clauses: the parsed query as it is."""
    hits = notes.searcher.search(notes.parser.parse(text), limit=None)
    return [hit["path_id"] for hit in hits]


def test_words_close_together_in_the_body_rank_above_the_same_words_far_apart(corpus, write_note, index_dir):
    # The far note says "falcon" twice, so plain BM25 puts it first.
    write_note(
        "near.md",
        info_note(
            "Quarterly report",
            f"{filler(0, 80)}\n\nThe falcon crossed the harbour at dawn.\n\n{filler(80, 80)}",
        ),
    )
    write_note(
        "far.md",
        info_note(
            "Quarterly review",
            f"A falcon, then a falcon again. {filler(200, 80)}\n\nThe harbour.\n\n{filler(300, 79)} At dawn.",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "falcon harbour dawn") == ["far.md", "near.md"]
        assert paths(notes.search("falcon harbour dawn")) == ["near.md", "far.md"]


def test_words_of_one_paragraph_in_another_order_than_typed_rank_above_the_words_scattered(
    corpus, write_note, index_dir
):
    # "dawn falcon harbour" as typed; the paragraph says them in another order.
    write_note(
        "paragraph.md",
        info_note(
            "Quarterly report",
            f"{filler(0, 80)}\n\nThe harbour saw a falcon at dawn.\n\n{filler(80, 80)}",
        ),
    )
    # In the order typed, but each some twenty words after the one before: no one passage.
    write_note(
        "typed-order.md",
        info_note(
            "Quarterly review",
            f"At dawn, dawn again. {filler(200, 20)} A falcon. {filler(300, 20)} "
            f"The harbour. {filler(400, 90)}",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "dawn falcon harbour") == ["typed-order.md", "paragraph.md"]
        assert paths(notes.search("dawn falcon harbour")) == ["paragraph.md", "typed-order.md"]


@pytest.mark.parametrize(
    ("positions", "span", "within"),
    [
        ([(5,), (3,), (4,)], 2, True),  # any order
        ([(5,), (3,), (4,)], 1, False),
        ([(1, 40), (30,), (52,)], 22, True),  # 30, 40, 52: one window of 22
        ([(1,), (30,)], 25, False),
        ([(3, 9, 100), (101,), (97, 300)], 4, True),  # the window around 100
    ],
)
def test_words_are_within_a_span_when_one_window_holds_them_all_in_any_order(positions, span, within):
    assert ranking._within_span(positions, span) is within


def test_a_note_with_every_word_in_its_title_ranks_above_one_with_some(corpus, write_note, index_dir):
    write_note("all.md", info_note("Falcon over the harbour", f"A short note. {filler(0, 40)}"))
    write_note(
        "some.md",
        info_note(
            "Falcon sighting report",
            f"{filler(100, 30)} harbour {filler(200, 30)} harbour harbour",
            subtitle="Seen from the harbour",
            tags="[[Harbour]]",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "falcon harbour") == ["some.md", "all.md"]
        assert paths(notes.search("falcon harbour")) == ["all.md", "some.md"]


def test_ranking_never_changes_which_notes_match(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        for text in (
            "ransomware gang",
            "breach data stolen",
            '"GPRS gateway" T-Mobile',
            "author:cimpanu ransomware",
        ):
            ranked = notes.search(text, limit=0)
            by_date = notes.search(text, limit=0, sort=SortOrder.DATE)
            # Near misses of three words or more (soft AND) join the ranked hits, marked.
            strict = [hit.path for hit in ranked.hits if not hit.missing]
            assert sorted(strict) == sorted(paths(by_date))
            assert ranked.total == notes.count(text) > 0


@pytest.mark.parametrize("text", ["author:cimpanu tag:ransomware", "gateway", "date:2021-08", "NOT tag:x"])
def test_queries_without_two_words_get_no_ranking_bonuses(parser, text):
    assert ranking_bonuses(parser.parse(text), text) == []


def test_scoped_words_and_field_alternatives_are_not_words_to_rank(parser):
    assert len(word_groups(parser.parse("falcon harbour author:cimpanu date:2021"))) == 2
    assert word_groups(parser.parse("title:falcon OR body:harbour")) == []
    assert word_groups(parser.parse("title:falcon body:harbour")) == []


def test_two_words_get_title_subtitle_and_proximity_bonuses_as_stems_and_as_typed(parser):
    text = "Hackers breached"
    assert ranking_bonuses(parser.parse(text), text) == [
        Bonus(
            "title",
            ("hacker", "breach"),
            ranking.ALL_WORDS_BOOST,
            exact=("hackers", "breached"),
            exact_boost=ranking.EXACT_TITLE_BOOST,
        ),
        Bonus("subtitle", ("hacker", "breach"), ranking.ALL_WORDS_BOOST),
        Bonus(
            "body",
            ("hacker", "breach"),
            ranking.PASSAGE_BOOST,
            exact=("hackers", "breached"),
            exact_boost=ranking.EXACT_PASSAGE_BOOST,
            span=ranking.passage_span(2),
        ),
        Bonus(
            "body",
            ("hacker", "breach"),
            ranking.TWO_WORD_PROXIMITY_BOOST,
            gap=25,
            exact=("hackers", "breached"),
            exact_boost=ranking.TWO_WORD_EXACT_PROXIMITY_BOOST,
        ),
    ]


def test_two_words_in_the_order_typed_count_as_much_as_the_two_in_one_passage(parser):
    # Two words near each other in any order are common; in the order typed, as typed,
    # they are close to a phrase. Three words or more: the typed order counts less.
    two, three = "hackers breached", "hackers breached servers"
    *_, passage, typed_order = ranking_bonuses(parser.parse(two), two)
    assert (typed_order.boost, typed_order.exact_boost) == (passage.boost, passage.exact_boost)
    *_, passage, typed_order = ranking_bonuses(parser.parse(three), three)
    assert typed_order.boost + typed_order.exact_boost < passage.boost


def test_two_scoped_words_as_typed_and_in_that_order_rank_above_the_two_reversed(
    corpus, write_note, index_dir
):
    # Both notes hold "falcon" and "harbour" within one short window; only one as typed.
    # The reversed note says "falcon" once more, so BM25F and the passage put it first.
    write_note(
        "typed.md",
        info_note(
            "Quarterly report", f"{filler(0, 60)}\n\nA falcon flew over the harbour.\n\n{filler(60, 60)}"
        ),
    )
    write_note(
        "reversed.md",
        info_note(
            "Quarterly review",
            f"{filler(200, 60)}\n\nThe harbour had a falcon, a falcon.\n\n{filler(260, 60)}",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "falcon harbour author:cimpanu") == ["reversed.md", "typed.md"]
        assert paths(notes.search("falcon harbour author:cimpanu")) == ["typed.md", "reversed.md"]


def test_a_quoted_phrase_gets_a_bonus_for_its_exact_words_stop_words_included(parser):
    text = '"Flaw to Affect"'
    assert ranking_bonuses(parser.parse(text), text) == [
        Bonus("body", ("flaw", "affect"), 0.0, gap=1, exact=("flaw", "to", "affect"), exact_boost=3.0)
    ]


@pytest.mark.parametrize(
    ("positions", "gap", "chained"),
    [
        ([(3,), (4,), (5,)], 1, True),  # adjacent, in order
        ([(3,), (5,)], 1, False),  # a word between
        ([(3,), (5,)], 2, True),
        ([(5,), (3,)], 25, False),  # wrong order
        ([(1, 20), (30,), (52,)], 25, True),  # 20 -> 30 -> 52: every step within 25
        ([(1,), (30,)], 25, False),
        ([(7,), (7, 9)], 25, True),  # the same word twice needs two places
        ([(7,), (7,)], 25, False),
    ],
)
def test_words_chain_when_each_follows_the_one_before_within_the_gap(positions, gap, chained):
    assert ranking._chained(positions, gap) is chained


def test_only_the_best_matches_are_reranked(corpus, write_note, index_dir, monkeypatch):
    write_note("near.md", info_note("Log", f"{filler(0, 60)} falcon harbour {filler(60, 60)}"))
    write_note("far.md", info_note("Log", f"falcon falcon {filler(200, 60)} harbour {filler(300, 58)}"))
    build_index(corpus, index_dir)
    monkeypatch.setattr(ranking, "RERANK_WINDOW", 1)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "falcon harbour") == ["far.md", "near.md"]
        assert paths(notes.search("falcon harbour")) == ["far.md", "near.md"]
        monkeypatch.setattr(ranking, "RERANK_WINDOW", 2)
        assert paths(notes.search("falcon harbour")) == ["near.md", "far.md"]


def test_a_quoted_phrase_found_exactly_ranks_above_its_stemmed_look_alike(corpus, write_note, index_dir):
    # Stems and stop words aside, both notes say "flaw to affect"; only one says it exactly.
    write_note("exact.md", info_note("Advisory", f"The flaw to affect servers. {filler(0, 30)}"))
    write_note(
        "alike.md", info_note("Advisory", f"Flaws to affect servers, flaws and flaws. {filler(100, 30)}")
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, '"flaw to affect"') == ["alike.md", "exact.md"]
        assert paths(notes.search('"flaw to affect"')) == ["exact.md", "alike.md"]


def test_the_words_as_typed_rank_above_other_forms_of_them(corpus, write_note, index_dir):
    write_note("typed.md", info_note("Bulletin", f"Hackers breached servers overnight. {filler(0, 30)}"))
    write_note(
        "forms.md", info_note("Bulletin", f"A hacker breaches a server, and hacker again. {filler(100, 30)}")
    )
    write_note("title-typed.md", info_note("Hackers breached servers", filler(200, 30)))
    write_note("title-forms.md", info_note("Hacker breaches server", filler(300, 25)))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        plain = plain_order(notes, "hackers breached servers")
        assert plain.index("forms.md") < plain.index("typed.md")
        assert plain.index("title-forms.md") < plain.index("title-typed.md")
        ranked = paths(notes.search("hackers breached servers"))
        assert ranked.index("typed.md") < ranked.index("forms.md")
        assert ranked.index("title-typed.md") < ranked.index("title-forms.md")


def test_notes_edited_or_deleted_since_indexing_are_ranked_without_their_body_as_typed(
    corpus, write_note, index_dir
):
    write_note("typed.md", info_note("Bulletin", f"Hackers breached servers overnight. {filler(0, 30)}"))
    write_note(
        "forms.md", info_note("Bulletin", f"A hacker breaches a server, and hacker again. {filler(100, 30)}")
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert paths(notes.search("hackers breached servers")) == ["typed.md", "forms.md"]
        (corpus / "typed.md").unlink()
        result = notes.search("hackers breached servers")
        assert paths(result) == ["forms.md", "typed.md"]
        assert result.hits[1].passages == ()
        write_note("typed.md", info_note("Bulletin", f"A hacker breaches servers. {filler(0, 30)}"))
        assert paths(notes.search("hackers breached servers")) == ["forms.md", "typed.md"]


def test_exact_forms_are_read_only_from_notes_that_could_reach_the_page(
    corpus, write_note, index_dir, monkeypatch
):
    for number in range(8):
        write_note(
            f"n{number}.md", info_note("Bulletin", f"Hackers breached servers. {filler(0, number * 5)}")
        )
    build_index(corpus, index_dir)
    read = count_note_reads(monkeypatch)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("hackers breached servers", limit=2, passages=0)
    # The best two by BM25 got every bonus; no other note could overtake them.
    assert paths(result) == ["n0.md", "n1.md"]
    assert sorted(set(read)) == ["n0.md", "n1.md"]


@pytest.fixture
def three_notes(corpus, write_note, index_dir):
    write_note("three.md", info_note("Log", f"falcon harbour dawn {filler(0, 40)}", author="Ann Lee"))
    write_note("two.md", info_note("Log", f"falcon harbour {filler(100, 40)}", author="Bo Chan"))
    write_note("one.md", info_note("Log", f"falcon falcon falcon falcon {filler(200, 10)}", author="Ann Lee"))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        yield notes


def test_when_no_note_has_all_the_words_notes_with_most_of_them_come_first(three_notes):
    result = three_notes.search("falcon harbour dawn zyzzyva")
    assert result.relaxed
    assert paths(result) == ["three.md", "two.md", "one.md"]
    assert result.total == 3


def test_a_relaxed_query_keeps_its_field_scopes(three_notes):
    result = three_notes.search("falcon harbour zyzzyva author:lee")
    assert result.relaxed
    assert paths(result) == ["three.md", "one.md"]


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        ("falcon harbour", SortOrder.RELEVANCE),
        ("zyzzyva", SortOrder.RELEVANCE),
        ("falcon zyzzyva", SortOrder.DATE),
    ],
)
def test_queries_with_hits_single_words_and_date_order_are_never_relaxed(three_notes, text, sort):
    result = three_notes.search(text, sort=sort)
    assert not result.relaxed
    assert result.total == three_notes.count(text)


def test_a_bonus_worth_nothing_as_typed_reads_no_note(corpus, write_note, index_dir, monkeypatch):
    # Three words in the order typed, each 20 positions after the one before: only the
    # typed-order bonus holds, and its "as typed" part is worth nothing for three words,
    # so no note body needs reading.
    for number in range(3):
        body = f"Hackers {filler(number * 50, 20)} breached {filler(number * 50 + 20, 20)} servers"
        write_note(f"n{number}.md", info_note("Bulletin", body))
    build_index(corpus, index_dir)
    read = count_note_reads(monkeypatch)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("hackers breached servers", limit=3, passages=0)
    assert len(paths(result)) == 3
    assert read == []


def test_the_words_a_title_lacks_in_one_passage_rank_a_note_above_the_same_words_far_apart(
    corpus, write_note, index_dir
):
    # "falcon" is in both titles; "harbour" and "dawn" in one passage of one body, and far
    # apart (though said twice, so plain BM25 puts that note first) in the other.
    write_note(
        "detail.md",
        info_note(
            "Falcon sightings", f"{filler(0, 60)}\n\nAt dawn the harbour was quiet.\n\n{filler(60, 60)}"
        ),
    )
    write_note(
        "spread.md",
        info_note(
            "Falcon sightings again",
            f"Dawn, dawn. {filler(200, 60)}\n\n{filler(260, 60)}\n\nThe harbour, the harbour.",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "harbour falcon dawn") == ["spread.md", "detail.md"]
        assert paths(notes.search("harbour falcon dawn")) == ["detail.md", "spread.md"]


def test_half_a_title_and_a_detail_rank_above_one_title_word_and_the_rest_in_a_paragraph(
    corpus, write_note, index_dir
):
    # "falcon harbour" is half of one title, "lantern" a word of its story; the other note
    # has "falcon" in its title and all three words in one paragraph, which outscored it.
    write_note(
        "half.md",
        info_note("Falcon harbour report", f"{filler(0, 60)}\n\nA lantern was lit.\n\n{filler(60, 60)}"),
    )
    write_note(
        "passage.md",
        info_note(
            "Falcon notes",
            f"{filler(200, 60)}\n\nThe falcons left the harbours by lantern light.\n\n{filler(300, 60)}",
        ),
    )
    for number in range(6):  # other notes, so that the words are rare
        write_note(f"other{number}.md", info_note(f"Weekly notes {number}", filler(1000 + 50 * number, 50)))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("lantern harbour falcon", explain=True)
        assert paths(result) == ["half.md", "passage.md"]
        assert ("ranking", "all words but one in title") in {
            (part.field, part.term) for part in result.hits[0].explanation
        }


@pytest.mark.parametrize(
    ("positions", "split"),
    [
        ([(1,), (3,), (200,), (204,)], True),  # 1-3 and 200-204
        ([(1,), (200,), (3,), (204,)], True),  # the same, typed in another order
        ([(1,), (100,), (200,), (300,)], False),  # no two words near each other
        ([(1,), (3,), (5,), (300,)], False),  # three together, one alone
        ([(1,), (3,), (200,), (204,), (206,)], True),  # two and three
    ],
)
def test_words_split_into_two_passages_when_each_group_of_two_or_more_is_close(positions, split):
    assert ranking._in_two_passages(positions) is split


def test_two_pairs_of_words_each_in_its_own_paragraph_rank_above_the_words_strewn(
    corpus, write_note, index_dir
):
    # Two details of one story from two of its paragraphs: "falcon harbour" in one,
    # "lantern ferry" in another. The other note has all four, each far from the others
    # (and "falcon" twice, so plain BM25 puts it first).
    write_note(
        "two-details.md",
        info_note(
            "Quarterly report",
            f"{filler(0, 60)}\n\nThe falcon left the harbour.\n\n{filler(60, 60)}\n\n"
            f"A lantern on the ferry.\n\n{filler(120, 60)}",
        ),
    )
    write_note(
        "strewn.md",
        info_note(
            "Quarterly review",
            f"A falcon, a falcon. {filler(200, 40)} The harbour. {filler(240, 40)} A lantern. "
            f"{filler(280, 40)} The ferry. {filler(320, 40)}",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "falcon harbour lantern ferry") == ["strewn.md", "two-details.md"]
        assert paths(notes.search("falcon harbour lantern ferry")) == ["two-details.md", "strewn.md"]


@pytest.mark.parametrize(
    ("text", "stop_words"),
    [
        ("the if you enter", ("the", "if", "you")),
        ("examine time to for", ("to", "for")),
        ('"flaw to affect" the', ("the",)),  # a quoted phrase has its own bonus
        ("author:the to falcon", ("to",)),  # a field's value is not a word
        ("falcon AND harbour OR -the", ()),  # operators and negations
        ("falcon harbour", ()),
    ],
)
def test_the_stop_words_typed_are_the_unquoted_unscoped_ones(text, stop_words):
    assert ranking.typed_stop_words(text) == stop_words


def test_stop_words_typed_count_as_words_of_the_passage(corpus, write_note, index_dir):
    # "enter" is the only word the index keeps of `the if you enter`; one note says all
    # four together, the other says "enter" twice (so plain BM25 puts it first) and the
    # stop words elsewhere.
    write_note(
        "together.md",
        info_note("Bulletin", f"{filler(0, 60)}\n\nIf you enter the code, it opens.\n\n{filler(60, 60)}"),
    )
    write_note(
        "apart.md",
        info_note(
            "Bulletin",
            f"Enter, enter. {filler(200, 40)} If so. {filler(240, 40)} You. {filler(280, 40)} The end.",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert plain_order(notes, "the if you enter") == ["apart.md", "together.md"]
        assert paths(notes.search("the if you enter")) == ["together.md", "apart.md"]
        explained = notes.search("the if you enter", explain=True).hits[0].explanation
    assert "all words in body (as typed, stop words included)" in {part.term for part in explained}


def test_words_as_typed_are_checked_in_the_file_as_written_without_parsing_it(
    corpus, write_note, index_dir, monkeypatch
):
    write_note("typed.md", info_note("Bulletin", f"Hackers breached servers overnight. {filler(0, 30)}"))
    write_note("forms.md", info_note("Bulletin", f"A hacker breaches a server. {filler(100, 30)}"))
    build_index(corpus, index_dir)
    parsed = []
    original = ParsedNotes.get
    monkeypatch.setattr(ParsedNotes, "get", lambda self, path: parsed.append(path) or original(self, path))
    with open_index(corpus, index_dir) as notes:
        assert paths(notes.search("hackers breached servers", passages=0)) == ["typed.md", "forms.md"]
    assert parsed == []


def test_link_targets_and_addresses_are_not_words_of_the_text_checked_as_typed():
    from indexer.search.searching import without_link_targets

    text = 'Hackers [breached](https://a.example/x/y) ![map](img/m.png "t") servers at www.b.example/z.'
    assert without_link_targets(text).split() == ["Hackers", "[breached]", "![map]", "servers", "at"]


# The one expression bare addresses were taken out by; `_without_addresses` is its fast twin.
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")
_ADDRESS_PIECES = ["h", "w", "http://", "https://", "www.", "http:/", "ww.", "x", "_", "1", "é"]
_ADDRESS_PIECES += [".", "/", " ", "\n", "\t", "(", ")", "]"]


@given(st.lists(st.sampled_from(_ADDRESS_PIECES), max_size=30).map("".join))
def test_addresses_are_taken_out_as_the_one_expression_takes_them(text):
    """`_without_addresses` gives what `_ADDRESS` replaced by a space gives:
    addresses after a word character, inside another, at either end, one start only."""
    from indexer.search.searching import _without_addresses

    assert _without_addresses(text) == _ADDRESS.sub(" ", text)


def test_the_bundled_notes_addresses_are_taken_out_as_the_one_expression_takes_them():
    from indexer.search.searching import _LINK_TARGET, _without_addresses
    from tests.conftest import BUNDLED_CORPUS

    changed = 0
    for path in sorted(BUNDLED_CORPUS.rglob("*.md")):
        text = _LINK_TARGET.sub("]", path.read_text(encoding="utf-8"))
        expected = _ADDRESS.sub(" ", text)
        assert _without_addresses(text) == expected, path
        changed += expected != text
    assert changed > 10
    for text in ("xhttp://www.a b", "http:// x", "_www.x", "éhttp://x", "a\thttps://q\nwww.z", "www."):
        assert _without_addresses(text) == _ADDRESS.sub(" ", text), text


def test_a_notes_exact_words_are_checked_in_one_pass_as_one_by_one():
    """The exact checks of one note (the passage's, the typed order's, the stop words')
    share one pass over its text: the same checks pass as when each reads it alone."""
    import random
    import re

    from indexer.errors import QueryError
    from indexer.search.searching import without_link_targets
    from tests.conftest import BUNDLED_CORPUS

    parser = QueryParser(build_schema(), FieldCatalog())
    drawn = random.Random(3)
    texts = [
        without_link_targets(path.read_text(encoding="utf-8"))
        for path in sorted(BUNDLED_CORPUS.rglob("*.md"))
    ]
    passed = compared = 0
    for text in texts:
        words = re.findall(r"[A-Za-z]+", text)
        for _ in range(6):
            start = drawn.randrange(max(1, len(words) - 6))
            typed = words[start : start + drawn.choice((2, 4, 5))]
            if drawn.random() < 0.5:
                drawn.shuffle(typed)
            query = " ".join(typed)
            try:
                parsed = parser.parse(query)
            except QueryError:
                continue  # stop words only
            checks = [
                (bonus, 1.0)
                for bonus in ranking_bonuses(parsed, query)
                if bonus.field == "body" and bonus.exact and bonus.exact_boost
            ]
            one_by_one = [check for check in checks if ranking._has_exact_words(text, check[0])]
            assert ranking._with_exact_words(text, checks) == one_by_one, query
            passed += len(one_by_one)
            compared += len(checks)
    assert passed >= 50 and compared > passed  # checks that pass and checks that fail
