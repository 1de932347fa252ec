"""Soft AND: a note holding all but one word of a plain query of three or more words in
one paragraph ranks among the notes holding every word, marked, and is never counted."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from indexer.cli import search_main
from indexer.index.store import build_index
from indexer.search.near_miss import near_miss_query
from indexer.search.query import QueryParser
from indexer.search.searching import open_index
from tests.conftest import info_note

QUERY = "lantern falcon harbour dawn"


def filler(start: int, count: int) -> str:
    return " ".join(f"filler{number}" for number in range(start, start + count))


@pytest.fixture
def soft_corpus(corpus, write_note, index_dir):
    # One paragraph holds three of the four words; "lantern" is the word remembered wrong.
    write_note(
        "paragraph.md",
        info_note(
            "Quarterly report",
            f"{filler(0, 60)}\n\nThe falcon crossed the harbour at dawn; at dawn the falcon left"
            f" the harbour.\n\n{filler(60, 60)}",
        ),
    )
    # Every word, "lantern" in a tag and the others far apart in the body: what a strict
    # AND returns alone.
    for number in range(2):
        write_note(
            f"scattered{number}.md",
            info_note(
                f"Quarterly review {number}",
                f"A falcon. {filler(2000 * number, 70)}\n\nThe harbour.\n\n{filler(2000 * number + 100, 70)}"
                f"\n\nAt dawn.\n\n{filler(2000 * number + 200, 70)}",
                tags="[[Lantern]]",
            ),
        )
    for number in range(6):  # other notes, so that the words are rare
        write_note(f"other{number}.md", info_note(f"Weekly notes {number}", filler(1000 + 50 * number, 50)))
    build_index(corpus, index_dir)
    return corpus, index_dir


def paths(result):
    return [hit.path for hit in result.hits]


def run_search(corpus, index_dir, *args):
    return CliRunner().invoke(search_main, ["--corpus", str(corpus), "--index", str(index_dir), *args])


def test_three_words_in_one_paragraph_outrank_all_four_scattered(soft_corpus):
    with open_index(*soft_corpus) as notes:
        result = notes.search(QUERY)
        strict = notes.search(QUERY, correct=False)
    assert paths(result)[0] == "paragraph.md"
    assert sorted(paths(result)[1:]) == ["scattered0.md", "scattered1.md"]
    assert result.hits[0].missing == ("lantern",)
    assert [hit.missing for hit in result.hits[1:]] == [(), ()]
    # `correct=False` (`--exact`) runs the query as typed: a strict AND.
    assert sorted(paths(strict)) == ["scattered0.md", "scattered1.md"]


def test_a_note_with_every_word_in_one_paragraph_still_ranks_first(soft_corpus, write_note):
    corpus, index_dir = soft_corpus
    write_note(
        "all.md",
        info_note("Quarterly notes", f"{filler(0, 60)}\n\nAt dawn a lantern lit the harbour for the falcon."),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search(QUERY)
    assert paths(result)[:2] == ["all.md", "paragraph.md"]
    assert result.total == 3  # all.md and the two scattered notes


def test_the_count_total_and_exit_code_are_the_strict_querys(soft_corpus):
    with open_index(*soft_corpus) as notes:
        result = notes.search(QUERY, facets=("source",), timeline=True)
        assert result.total == notes.count(QUERY) == 2
    assert len(result.hits) == 3
    assert dict(result.facets["source"]) == {"The Record": 2}
    assert sum(count for _, count in result.timeline) == 2
    counted = run_search(*soft_corpus, QUERY, "--count")
    assert (counted.exit_code, counted.stdout) == (0, "2\n")


def test_json_and_text_mark_the_near_misses(soft_corpus):
    document = json.loads(run_search(*soft_corpus, QUERY, "--json").stdout)
    assert document["total"] == 2 and not document["relaxed"]
    assert [hit.get("missing") for hit in document["hits"]] == [["lantern"], None, None]
    text = run_search(*soft_corpus, QUERY)
    assert text.exit_code == 0
    assert "most words: lacks lantern" in text.stdout


def test_exact_turns_soft_and_off(soft_corpus):
    result = run_search(*soft_corpus, QUERY, "--files", "--exact")
    assert result.exit_code == 0
    assert sorted(result.stdout.splitlines()) == ["scattered0.md", "scattered1.md"]


def test_a_near_miss_with_its_words_close_passes_a_note_with_every_word_strewn_over_its_body(
    soft_corpus, write_note
):
    corpus, index_dir = soft_corpus
    write_note(
        "body.md",
        info_note(
            "Quarterly summary",
            f"A lantern. {filler(5000, 70)}\n\nA falcon.\n\n{filler(5100, 70)}\n\nThe harbour at dawn.",
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search(QUERY)
    ranked = paths(result)
    # Three words in one sentence say more than four strewn over the body (the paragraph
    # baseline's view): the near miss passes it, and is still marked and not counted.
    assert ranked.index("paragraph.md") < ranked.index("body.md")
    assert result.hits[ranked.index("paragraph.md")].missing == ("lantern",)
    assert result.total == 3


def test_of_two_near_misses_with_the_same_words_the_one_with_them_closer_ranks_first(
    corpus, write_note, index_dir
):
    # The same three words, once each, in bodies of the same length: one sentence holds
    # them in the first note, a passage of 25 words in the second.
    close = f"The falcon left the harbour at dawn. {filler(0, 26)}"
    spread = f"The falcon {filler(100, 12)} left the harbour {filler(200, 12)} at dawn."
    write_note("a-spread.md", info_note("Weekly log", spread))
    write_note("b-close.md", info_note("Weekly log", close))
    write_note(
        "all.md",
        info_note(
            "Lantern list", f"A lantern. {filler(300, 60)} The falcon. {filler(400, 60)} Harbour at dawn."
        ),
    )
    for number in range(6):
        write_note(f"other{number}.md", info_note(f"Weekly notes {number}", filler(1000 + 50 * number, 50)))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search(QUERY)
    ranked = paths(result)
    assert ranked.index("b-close.md") < ranked.index("a-spread.md"), ranked
    assert [result.hits[ranked.index(path)].missing for path in ("a-spread.md", "b-close.md")] == [
        ("lantern",)
    ] * 2


def test_a_near_miss_never_passes_a_note_with_every_word_in_one_passage_or_in_its_title(
    soft_corpus, write_note
):
    corpus, index_dir = soft_corpus
    write_note("titled.md", info_note("Lantern falcon harbour dawn", filler(7000, 120)))
    write_note(
        "passage.md",
        info_note(
            "Yearly notes", f"{filler(8000, 200)} A lantern, a falcon, a harbour, a dawn. {filler(8300, 200)}"
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        ranked = paths(notes.search(QUERY))
    assert ranked.index("titled.md") < ranked.index("paragraph.md")
    assert ranked.index("passage.md") < ranked.index("paragraph.md")


def test_a_near_miss_never_passes_a_note_with_every_word_but_one_in_its_title(soft_corpus, write_note):
    # Three of the words in a long title, "lantern" once in a long body: the near miss
    # (three words twice in one sentence of a short body) scores more, and stays below.
    corpus, index_dir = soft_corpus
    write_note(
        "half.md",
        info_note(
            f"Falcon harbour dawn {filler(9000, 12)}", f"{filler(7000, 300)} A lantern. {filler(7400, 300)}"
        ),
    )
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        ranked = paths(notes.search(QUERY))
    assert ranked.index("half.md") < ranked.index("paragraph.md")


@pytest.mark.parametrize(
    "text",
    [
        "falcon harbour",  # two words
        '"falcon harbour" dawn lantern',  # a quoted phrase
        '"falcon" harbour dawn lantern',  # a quoted word
        "falcon harbour dawn author:cimpanu",  # a field scope
        "falcon harbour dawn NOT lantern",  # a negation
        "falcon OR harbour OR dawn",  # operators
        "title:falcon harbour dawn lantern",
    ],
)
def test_only_plain_queries_of_three_words_or_more_are_soft(text):
    from indexer.index.fields import FieldCatalog
    from indexer.index.schema import build_schema

    parser = QueryParser(build_schema(), FieldCatalog())
    assert near_miss_query(parser.parse(text), text) is None
    assert near_miss_query(parser.parse(QUERY), QUERY).typed == ("lantern", "falcon", "harbour", "dawn")


def test_near_misses_are_not_read_when_the_page_holds_only_notes_they_cannot_pass(
    soft_corpus, write_note, monkeypatch
):
    from indexer.search import searching

    corpus, index_dir = soft_corpus
    write_note(
        "all.md",
        info_note("Quarterly notes", f"{filler(0, 60)}\n\nAt dawn a lantern lit the harbour for the falcon."),
    )
    build_index(corpus, index_dir)
    calls = []
    looked = searching.near_misses
    monkeypatch.setattr(searching, "near_misses", lambda *a, **k: calls.append(1) or looked(*a, **k))
    with open_index(corpus, index_dir) as notes:
        first = notes.search(QUERY, limit=1)  # all.md: every word in one passage
        assert (paths(first), calls) == (["all.md"], [])
        two = notes.search(QUERY, limit=2)  # the second place is open to a near miss
        assert (paths(two), calls) == (["all.md", "paragraph.md"], [1])
        second_page = notes.search(QUERY, limit=1, page=2)
        assert (paths(second_page), second_page.hits[0].missing) == (["paragraph.md"], ("lantern",))


def _paragraph_queries(corpus) -> list[str]:
    """Four words of a body paragraph of each bundled note, in order, shuffled, and with
    one of them replaced by a word of another note (one wrong)."""
    import random
    import re

    from indexer.index.schema import TEXT_ANALYZER

    stop = TEXT_ANALYZER.stoplist
    drawn = random.Random(5)
    paragraphs = []
    for path in sorted(corpus.rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n\n")
        for paragraph in body[2:6]:
            words = list(dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]{5,}", paragraph)))
            words = [word for word in words if word not in stop]
            if len(words) >= 6:
                paragraphs.append(words)
    queries = []
    for words in paragraphs:
        four = drawn.sample(words, 4)
        other = drawn.choice(drawn.choice(paragraphs))
        queries += [" ".join(sorted(four, key=words.index)), " ".join(four), " ".join([*four[:3], other])]
    return list(dict.fromkeys(queries))


@pytest.mark.parametrize(("limit", "all_copies"), [(10, False), (2, True)])
def test_skipping_near_misses_that_cannot_reach_the_page_changes_no_page(
    bundled_index, monkeypatch, limit, all_copies
):
    """The pages with near misses looked for only where they could reach the page are
    the pages with them looked for on every query: the same notes, marks and order."""
    from indexer.search import searching

    corpus, index = bundled_index
    queries = _paragraph_queries(corpus)[:90]
    assert len(queries) == 90

    def pages(notes):
        return [
            [
                (hit.path, hit.missing, hit.duplicates)
                for hit in notes.search(text, limit=limit, all_copies=all_copies, passages=0).hits
            ]
            for text in queries
        ]

    with open_index(corpus, index) as notes:
        skipped = pages(notes)
    monkeypatch.setattr(searching, "could_reach", lambda *args: True)
    with open_index(corpus, index) as notes:
        every = pages(notes)
    assert skipped == every
    assert sum(any(missing for _, missing, _ in page) for page in every) >= 3  # near misses did join


def test_a_lone_note_with_every_word_in_its_title_keeps_its_place_above_near_misses(
    corpus, write_note, index_dir
):
    # The only note with all four words has them in its title; the near miss has three
    # side by side. Without its bonuses (a lone match was not reranked) it was passed.
    write_note("titled.md", info_note("Lantern falcon harbour dawn", filler(7000, 300)))
    write_note("close.md", info_note("Weekly log", f"The falcon left the harbour at dawn. {filler(0, 20)}"))
    for number in range(6):
        write_note(f"other{number}.md", info_note(f"Weekly notes {number}", filler(1000 + 50 * number, 50)))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search(QUERY)
    assert paths(result) == ["titled.md", "close.md"]
    assert result.total == 1 and result.hits[1].missing == ("lantern",)


def _pages(corpus, index, queries):
    with open_index(corpus, index) as notes:
        return [
            [(hit.path, hit.missing, hit.score) for hit in notes.search(text, limit=10, passages=0).hits]
            for text in queries
        ]


def test_near_misses_read_best_bound_first_give_the_page_of_reading_every_one(
    corpus, write_note, index_dir, monkeypatch
):
    """The positions of notes lacking one word are read best bound first (their words side
    by side), and no longer once none left can reach the ten best near misses: the same
    page and scores as reading every one, fewer positions read (short notes with three
    words side by side, long ones that cannot reach them)."""
    from indexer.search import near_miss

    write_note("all.md", info_note("Full", f"Lantern, falcon, harbour and dawn. {filler(0, 30)}"))
    three = "The falcon harbour dawn."
    for number in range(12):
        write_note(f"short{number}.md", info_note(f"Short {number}", f"{three} {filler(0, 5)}"))
        write_note(f"long{number}.md", info_note(f"Long {number}", f"{three} {filler(0, 400)}"))
    build_index(corpus, index_dir)
    read = []
    positions = near_miss._positions
    monkeypatch.setattr(near_miss, "_positions", lambda *args: read.append(1) or positions(*args))
    bounded = _pages(corpus, index_dir, [QUERY])
    bounded_reads = len(read)
    monkeypatch.setattr(near_miss, "_bound", lambda held: math.inf)
    read.clear()
    assert _pages(corpus, index_dir, [QUERY]) == bounded
    assert bounded[0][0][0] == "all.md" and all(path.startswith("short") for path, _, _ in bounded[0][1:])
    assert bounded_reads < len(read)


def test_near_misses_read_best_bound_first_give_the_pages_of_reading_every_one_on_paragraph_queries(
    bundled_index, monkeypatch
):
    """The same over 90 paragraph queries of the bundled notes (one word wrong in a third)."""
    from indexer.search import near_miss

    queries = _paragraph_queries(bundled_index[0])[:90]
    bounded = _pages(*bundled_index, queries)
    monkeypatch.setattr(near_miss, "_bound", lambda held: math.inf)
    assert _pages(*bundled_index, queries) == bounded
    assert sum(any(missing for _, missing, _ in page) for page in bounded) >= 3  # near misses did join


def test_when_no_note_has_every_word_the_one_with_the_others_closest_ranks_first(
    corpus, write_note, index_dir
):
    # "quixotic" is in no note (and close to none, so nothing corrects it): the notes with
    # the other three words in one passage come first, those with them in one sentence
    # before those that say them twice each over a passage (which BM25F puts first).
    spread = f"The falcon, the falcon {filler(100, 8)} the harbour, the harbour {filler(200, 8)} dawn, dawn."
    write_note("a-spread.md", info_note("Weekly log", f"{spread} {filler(300, 20)}"))
    write_note(
        "b-close.md", info_note("Weekly log", f"The falcon left the harbour at dawn. {filler(400, 38)}")
    )
    for number in range(6):
        write_note(f"other{number}.md", info_note(f"Weekly notes {number}", filler(1000 + 50 * number, 50)))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("quixotic falcon harbour dawn")
        plain = notes.search("falcon harbour dawn")
    assert result.relaxed
    assert paths(result)[:2] == ["b-close.md", "a-spread.md"]
    assert paths(plain)[:2] == ["a-spread.md", "b-close.md"]  # BM25F alone, every word in both
