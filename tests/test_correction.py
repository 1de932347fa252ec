"""A query without hits runs with its misspelled words corrected, and says so; fuzzy words
are listed once per query."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.cli import search_main
from indexer.index.store import build_index
from indexer.search import fuzzy
from indexer.search.searching import open_index
from tests.conftest import info_note


def filler(start: int, count: int) -> str:
    return " ".join(f"filler{number}" for number in range(start, start + count))


@pytest.fixture
def corpus_with_typo_target(corpus, write_note, index_dir):
    """A note with every word of `million dollar ransom`; others with some of them. Words
    the corrector may pick need to be in clearly more notes than the typo (here: none).
    Paths are titles, as saved articles' are: their words are the corrector's surface forms."""
    write_note("target.md", info_note("Gang asks a million dollar ransom", f"{filler(0, 30)}"))
    for number in range(12):
        write_note(
            f"dollar-report-{number}.md", info_note(f"Dollar report {number}", f"dollar {filler(100, 20)}")
        )
    for number in range(12):
        write_note(
            f"million-users-{number}.md", info_note(f"Million users {number}", f"million {filler(200, 20)}")
        )
    write_note("ransom.md", info_note("Ransom note", f"ransom ransom dollar {filler(300, 20)}"))
    build_index(corpus, index_dir)
    return corpus, index_dir


def paths(result):
    return [hit.path for hit in result.hits]


def test_a_query_without_hits_shows_the_hits_of_its_correction(corpus_with_typo_target):
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search("milloin dollar ransom")
    assert result.corrected_query == "million dollar ransom"
    assert result.query == "milloin dollar ransom"
    assert not result.relaxed
    assert paths(result) == ["target.md"]


def test_the_note_with_every_word_one_misspelled_ranks_above_notes_with_some(corpus_with_typo_target):
    with open_index(*corpus_with_typo_target) as notes:
        assert paths(notes.search("milloin dollar ransom", limit=3))[0] == "target.md"
        relaxed = notes.search("milloin dollar ransom", correct=False)
    assert relaxed.relaxed and relaxed.corrected_query is None
    assert paths(relaxed)[0] != "target.md"  # as typed, no note has `milloin`


def test_a_query_with_hits_is_never_corrected(corpus_with_typo_target):
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search("million dollar")
    assert result.corrected_query is None and result.total == 1


def test_a_quoted_word_is_never_corrected(corpus_with_typo_target):
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search('"milloin" dollar ransom')
    assert result.corrected_query is None
    assert result.relaxed


def test_a_field_scoped_value_is_never_corrected(corpus_with_typo_target):
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search("title:milloin dollar")
    assert result.corrected_query is None


def run_search(corpus, index_dir, *args):
    return CliRunner().invoke(search_main, ["--corpus", str(corpus), "--index", str(index_dir), *args])


def test_the_cli_says_which_query_it_ran_and_how_to_run_the_one_typed(corpus_with_typo_target):
    result = run_search(*corpus_with_typo_target, "milloin dollar ransom", "--files")
    assert result.exit_code == 0
    assert result.stdout == "target.md\n"
    assert result.stderr == (
        "showing results for 'million dollar ransom'\n"
        "search instead for 'milloin dollar ransom' with search --exact\n"
    )


def test_exact_runs_the_query_as_typed(corpus_with_typo_target):
    result = run_search(*corpus_with_typo_target, "milloin dollar ransom", "--files", "--exact")
    assert result.exit_code == 0
    assert "showing results for" not in result.stderr
    assert "no note has all the words" in result.stderr
    assert result.stdout.splitlines()[0] != "target.md"


def test_json_and_jsonl_name_the_corrected_query(corpus_with_typo_target):
    document = json.loads(run_search(*corpus_with_typo_target, "milloin dollar ransom", "--json").stdout)
    assert document["query"] == "milloin dollar ransom"
    assert document["corrected_query"] == "million dollar ransom"
    lines = run_search(*corpus_with_typo_target, "milloin dollar ransom", "--jsonl").stdout.splitlines()
    assert [json.loads(line)["corrected_query"] for line in lines] == ["million dollar ransom"]
    typed = json.loads(run_search(*corpus_with_typo_target, "million dollar", "--json").stdout)
    assert "corrected_query" not in typed


def test_a_fuzzy_word_is_listed_once_per_query(corpus, write_note, index_dir, monkeypatch):
    write_note("a.md", info_note("Ransomware gang", f"The ransomware spread. {filler(0, 20)}"))
    write_note("b.md", info_note("Other", f"ransomed files {filler(50, 20)}"))
    build_index(corpus, index_dir)
    calls = []
    original = fuzzy.Lexicon.close_words

    def counting(self, field, word, maxdist, **options):
        calls.append((field, word))
        return original(self, field, word, maxdist, **options)

    monkeypatch.setattr(fuzzy.Lexicon, "close_words", counting)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("ransomwear~2")
    assert paths(result) and result.hits[0].title_spans  # the fuzzy word is highlighted
    fields = [field for field, _ in calls]
    assert len(fields) == len(set(fields))  # each field's words listed once, not again to highlight


def test_fuzzy_words_are_capped_per_query(corpus, write_note, index_dir, monkeypatch):
    write_note("a.md", info_note("Words", "cat cot cut car cap can cab cam"))
    build_index(corpus, index_dir)
    monkeypatch.setattr(fuzzy, "MAX_WORDS_PER_QUERY", 2)
    with open_index(corpus, index_dir) as notes:
        parsed = notes.parser.parse("body:cat~")
        assert sorted(parsed._btexts(notes.searcher.reader())) == ["cab", "cat"]  # closest, then alphabetical


def test_close_words_are_within_the_edits_asked_closest_first(corpus, write_note, index_dir):
    write_note("a.md", info_note("Words", "gateway gateways getaway gatekeeper"))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        lexicon = fuzzy.Lexicon(notes.searcher.reader())
        assert lexicon.close_words("body", "gatwai", 1) == ["gatewai"]  # the stem of gateway
        assert lexicon.close_words("body", "gatwai", 2) == ["gatewai", "getawai"]
        assert lexicon.close_words("body", "atewai", 1) == []  # the first letter is kept


@pytest.fixture
def corpus_with_real_word_typo(corpus, write_note, index_dir):
    """`funs` is a word (one note has it), but no note has `drain crypto funs`; the note
    with `drain crypto funds` is what was meant."""
    write_note("thieves-drain-crypto-funds.md", info_note("Thieves drain crypto funds", f"{filler(0, 30)}"))
    write_note("summer-funs.md", info_note("Summer", f"the funs of summer {filler(100, 20)}"))
    for number in range(4):
        write_note(f"crypto-{number}.md", info_note(f"Crypto market {number}", f"crypto {filler(200, 20)}"))
    build_index(corpus, index_dir)
    return corpus, index_dir


def test_a_typo_that_makes_another_word_is_corrected_when_no_note_has_every_word(corpus_with_real_word_typo):
    with open_index(*corpus_with_real_word_typo) as notes:
        result = notes.search("drain crypto funs")
        assert result.corrected_query == "drain crypto funds"
        assert paths(result) == ["thieves-drain-crypto-funds.md"]
        assert notes.search('drain crypto "funs"').corrected_query is None  # quoted: as typed
        assert notes.search("summer funs").corrected_query is None  # a note has both words
    result = run_search(*corpus_with_real_word_typo, "drain crypto funs", "--files")
    assert result.stdout == "thieves-drain-crypto-funds.md\n"
    assert result.stderr.startswith("showing results for 'drain crypto funds'\n")
    assert json.loads(run_search(*corpus_with_real_word_typo, "drain crypto funs", "--json").stdout)[
        "corrected_query"
    ] == ("drain crypto funds")
    exact = run_search(*corpus_with_real_word_typo, "drain crypto funs", "--files", "--exact")
    assert "showing results for" not in exact.stderr


def test_of_close_words_equally_near_the_one_whose_note_holds_the_query_best_is_chosen(
    corpus, write_note, index_dir
):
    # `carming` is one edit from `carding` (three notes) and from `charming` (one): the
    # note titled with both `charming` and `harbour` holds the query better than any
    # carding note, which has `harbour` only in its body.
    for number in range(3):
        write_note(
            f"carding-ring-{number}.md",
            info_note(f"Carding ring {number} busted", f"carding {filler(number * 40, 30)} harbour"),
        )
    write_note("charming-harbour.md", info_note("Charming harbour views", f"charming {filler(200, 30)}"))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("carming harbour")
    assert result.corrected_query == "charming harbour"
    assert paths(result) == ["charming-harbour.md"]


def test_the_chosen_correction_is_scored_once_though_searched_twice(corpus_with_typo_target, monkeypatch):
    """Choosing a correction scores its query; the hits shown come from that same scoring."""
    from indexer.search.searching import NoteIndex

    scored: list[str] = []
    original = NoteIndex._in_tie_order

    def counting(self, query, *args, **kwargs):
        scored.append(repr(query))
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(NoteIndex, "_in_tie_order", counting)
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search("milloin dollar ransom")
        assert result.corrected_query == "million dollar ransom"
        assert paths(result) == ["target.md"]
        chosen = repr(notes.parser.parse("million dollar ransom"))
        assert scored.count(chosen) == 1
        scored.clear()
        notes.search("milloin dollar ransom")  # a new search scores it again
        assert scored.count(chosen) == 1


def test_a_search_parses_each_query_once(corpus_with_typo_target, monkeypatch):
    """A correction parses each candidate query to score it; the one chosen is not parsed
    again to be searched (and a new search parses anew)."""
    from indexer.search.query import QueryParser

    parsed: list[str] = []
    original = QueryParser.parse

    def counting(self, text):
        parsed.append(text)
        return original(self, text)

    monkeypatch.setattr(QueryParser, "parse", counting)
    with open_index(*corpus_with_typo_target) as notes:
        result = notes.search("milloin dollar ransom")
        assert (result.corrected_query, paths(result)) == ("million dollar ransom", ["target.md"])
        assert parsed.count("million dollar ransom") == 1
        assert parsed.count("milloin dollar ransom") == 1
        assert len(parsed) == len(set(parsed))
        parsed.clear()
        notes.search("milloin dollar ransom")
        assert parsed.count("million dollar ransom") == 1


def test_one_word_is_stemmed_as_the_field_analyzes_it():
    """The words one edit from a typed word are stemmed without a token each: the same
    indexed forms (none for a stop word or an overlong string) as the field's analysis."""
    from indexer.index.schema import build_schema
    from indexer.search.spelling import _word_stems, one_edit_away

    schema = build_schema()
    words = {*one_edit_away("senntenced"), *one_edit_away("cafe"), "the", "and", "café", "straße", "x" * 150}
    for name in ("body", "title"):
        field = schema[name]
        stems = _word_stems(field)
        for word in sorted(words):
            assert stems(word) == list(field.process_text(word, mode="query")), (name, word)
    assert _word_stems(schema["body"])("the") == []
    assert _word_stems(schema["body"])("sentenced") == ["sentenc"]


def test_words_one_edit_away_are_found_with_or_without_the_listed_prefix(corpus_with_typo_target):
    """The words one edit from a typed word that keep its first two letters are checked
    against the listed body words; those that change them are looked up: either way the
    same words as looking each up."""
    from indexer.index.schema import DEFAULT_SEARCH_FIELDS
    from indexer.search.spelling import _Corrector, one_edit_away

    with open_index(*corpus_with_typo_target) as notes:
        corrector = _Corrector(notes)
        reader = notes.searcher.reader()
        analyze = notes.searcher.schema["body"].process_text

        def looked_up(typed: str) -> set[str]:
            found = set()
            for word in one_edit_away(typed):
                stems = list(analyze(word, mode="query"))
                if len(stems) == 1 and reader.doc_frequency("body", stems[0]):
                    found.add(word)
            return found

        for typed in ("milloin", "imllion", "dolar", "odllar", "ransoms", "fillerr"):
            assert corrector._known_one_edit_away(typed, DEFAULT_SEARCH_FIELDS, own_stems=True) == looked_up(
                typed
            )
        assert "million" in corrector._known_one_edit_away("imllion", DEFAULT_SEARCH_FIELDS, own_stems=True)
        assert "million" in corrector._known_one_edit_away("milloin", DEFAULT_SEARCH_FIELDS, own_stems=True)


def test_words_whose_others_no_note_has_are_not_replaced_and_the_corrections_stay_the_same(
    bundled_index, monkeypatch
):
    """When no note has every word, a correction tries close words for the words notes
    have; where no note has the query's other words, no replacement can find one, and its
    candidates are not scored: the same corrections and hits as scoring every one."""
    import random
    import re

    from indexer.search.searching import NoteIndex

    corpus, index = bundled_index
    drawn = random.Random(3)
    notes_words = [
        list(
            dict.fromkeys(
                word.lower() for word in re.findall(r"[A-Za-z]{5,}", path.read_text(encoding="utf-8"))
            )
        )
        for path in sorted(corpus.rglob("*.md"))
    ]
    queries = []
    for words in notes_words:
        if len(words) >= 8:
            other = drawn.choice(drawn.choice(notes_words))
            queries.append(" ".join([*drawn.sample(words, 3), other]))
    queries = queries[:24]
    assert len(queries) == 24
    answers = []
    skipped = []
    others_found = NoteIndex._others_found

    def counting(self, text, without):
        found = others_found(self, text, without)
        skipped.append(not found)
        return found

    monkeypatch.setattr(NoteIndex, "_others_found", counting)
    for gate in (True, False):
        if not gate:
            monkeypatch.setattr(NoteIndex, "_others_found", lambda self, text, without: True)
        with open_index(corpus, index) as notes:
            answers.append(
                [
                    (result.corrected_query, paths(result), result.relaxed)
                    for result in (notes.search(text, limit=10, passages=0) for text in queries)
                ]
            )
    assert answers[0] == answers[1]
    assert sum(skipped) >= 8
    assert sum(corrected is not None for corrected, _, _ in answers[0]) >= 1


def _typo_queries(corpus, count: int) -> list[str]:
    """Queries of three words of a bundled note, one of them with a letter dropped or
    doubled: the corrector's candidates come in tiers of one and of several."""
    import random
    import re

    drawn = random.Random(5)
    queries = []
    for path in sorted(corpus.rglob("*.md")):
        words = list(
            dict.fromkeys(
                word.lower() for word in re.findall(r"[A-Za-z]{5,}", path.read_text(encoding="utf-8"))
            )
        )
        if len(words) >= 6:
            chosen = drawn.sample(words, 3)
            typo = chosen[0]
            at = drawn.randrange(1, len(typo))
            chosen[0] = (
                typo[:at] + typo[at + 1 :] if drawn.random() < 0.5 else typo[:at] + typo[at] + typo[at:]
            )
            queries.append(" ".join(chosen))
    return queries[:count]


def test_a_correction_alone_in_its_tier_is_not_scored_and_the_corrections_stay_the_same(
    bundled_index, monkeypatch
):
    """A candidate alone in its tier is chosen if it finds notes, whatever its score: it is
    not reranked to be scored (`_finds_notes`), and the corrections and hits are those of
    scoring every candidate."""
    from indexer.search.searching import NoteIndex

    corpus, index = bundled_index
    queries = _typo_queries(corpus, 40)
    assert len(queries) == 40
    scored: list[str] = []
    best_score = NoteIndex._best_score
    monkeypatch.setattr(
        NoteIndex, "_best_score", lambda self, text: scored.append(text) or best_score(self, text)
    )
    answers = []
    counts = []
    for lone in (True, False):
        if not lone:  # every candidate scored, as before
            monkeypatch.setattr(NoteIndex, "_finds_notes", lambda self, text: self._best_score(text) > 0)
        scored.clear()
        with open_index(corpus, index) as notes:
            answers.append(
                [
                    (
                        result.corrected_query,
                        paths(result),
                        [hit.score for hit in result.hits],
                        result.relaxed,
                    )
                    for result in (notes.search(text, limit=10, passages=0) for text in queries)
                ]
            )
        counts.append(len(scored))
    assert answers[0] == answers[1]
    assert sum(corrected is not None for corrected, *_ in answers[0]) >= 10
    assert counts[0] < counts[1]  # the candidates alone in their tier were not scored


def test_finding_notes_is_what_the_best_score_above_0_says(bundled_index):
    """`_finds_notes` (the strict matches, no rerank) says what `_best_score(text) > 0` says."""
    from indexer.search.spelling import _closest_first, _Corrector, _tokens

    corpus, index = bundled_index
    compared = found = 0
    with open_index(corpus, index) as notes:
        corrector = _Corrector(notes)
        for text in _typo_queries(corpus, 30):
            first = next(match for match in _tokens(text) if match["word"])
            for _, candidate in _closest_first(corrector, first["word"]):
                corrected = text[: first.start("word")] + candidate + text[first.end("word") :]
                finds = notes._finds_notes(corrected)
                assert finds == (notes._best_score(corrected) > 0), corrected
                compared += 1
                found += finds
            assert notes._finds_notes(text) == (notes._best_score(text) > 0), text
    assert compared > 20 and 0 < found < compared
