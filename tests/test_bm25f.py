"""engine/bm25f.py scores every match of a query of words exactly as Whoosh does: the same
notes, the same floats, in the same order; and a search ranks with it as with Whoosh."""

from __future__ import annotations

import re

import pytest
from whoosh import query as wq
from whoosh.analysis import STOP_WORDS

from indexer.engine import bm25f
from indexer.engine.bm25f import WordPostings, read_words, scored_matches
from indexer.engine.date_column import with_column_dates
from indexer.index.store import build_index, update_index
from indexer.search.searching import _lazy_unions_under_and, open_index
from tests.conftest import info_note

pytestmark = pytest.mark.skipif(not bm25f.fast_path(), reason="the fast path's scorer")


def _queries(corpus) -> list[str]:
    """Queries made from the bundled notes' titles: one, two and three words, scoped,
    OR-ed, with a word no note has, phrases and fuzzy words."""
    titles = []
    for path in sorted(corpus.rglob("*.md")):
        words = [
            word
            for word in re.findall(r"[A-Za-z]{4,}", path.read_text(encoding="utf-8").split("\n", 1)[0])
            if word.lower() not in STOP_WORDS
        ]
        if len(words) >= 3:
            titles.append([word.lower() for word in words])
    queries = ["ransomware", "ransomware attack", "gprs gateway", "security update windows", "zqxjv"]
    for words in titles:
        queries += [
            words[0],
            " ".join(words[:2]),
            " ".join(words[:3]),
            f"{words[1]} {words[-1]}",
            f"title:{words[0]} {words[1]}",
            f"{words[0]} OR {words[2]}",
            f"{words[0]} zqxjv",
            f'"{words[0]} {words[1]}"',
            f'"{words[0]} {words[1]} {words[2]}" {words[-1]}',
            f"{words[0][:-1]}~",
            f"{words[1]}~2 {words[0]}",
        ]
    return list(dict.fromkeys(queries))


def _whooshs(notes, text: str):
    return list(notes._whoosh_search(notes.parser.parse(text)).top_n)


def _whoosh_collects(searcher, query):
    """Whoosh's own scoring of `query` as it is (`NoteIndex._whoosh_search` rewrites it)."""
    from whoosh.collectors import UnlimitedCollector

    collector = UnlimitedCollector()
    collector.replace = 0
    searcher.search_with_collector(query, collector)
    return list(collector.results().top_n)


def _ours(notes, text: str, postings: WordPostings | None = None):
    query = _lazy_unions_under_and(with_column_dates(notes.parser.parse(text)), notes.searcher.reader())
    return scored_matches(notes.searcher, query, postings=postings)


def test_every_match_and_score_is_whooshs_on_the_bundled_corpus(bundled_index):
    corpus, index = bundled_index
    compared = 0
    with open_index(corpus, index) as notes:
        for text in _queries(corpus):
            ours = _ours(notes, text)
            assert ours is not None, text
            assert ours == _whooshs(notes, text), text  # exact floats, same order
            compared += bool(ours)
    assert compared > 50


def _two_segments(corpus, write_note, index_dir, *, gang="Ransomware gang", late="A late ransomware note"):
    """14 notes built as one segment, then one of them changed and one added by an update:
    a second segment, and a deleted note in the first."""
    for number in range(14):
        write_note(f"n{number}.md", info_note(f"{gang} {number}", "attack gateway word " * (number + 1)))
    build_index(corpus, index_dir)
    write_note("n3.md", info_note("Title three changed", "other words attack " * 40))
    write_note("late.md", info_note(late, "ransomware gateway attack"))
    update_index(corpus, index_dir)


def test_segments_and_deleted_notes_are_scored_as_whoosh_does(corpus, write_note, index_dir):
    _two_segments(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert len(notes.searcher.reader().leaf_readers()) == 2
        assert any(segment.has_deletions() for segment, _ in notes.searcher.reader().leaf_readers())
        for text in (
            "ransomware",
            "ransomware attack",
            "gateway attack ransomware",
            "changed OR late",
            '"attack gateway"',
            "ransomwar~ attack",
        ):
            ours = _ours(notes, text)
            assert ours and ours == _whooshs(notes, text), text


@pytest.mark.parametrize("boost", [1.0, 2.5])
@pytest.mark.parametrize("matcher_type", [wq.Or.ARRAY_MATCHER, wq.Or.DEFAULT_MATCHER])
def test_both_kinds_of_union_add_as_whoosh_adds(bundled_index, matcher_type, boost):
    """The array union of a small index (words added in order) and the tree of unions of
    a large one (lightest first) give different last bits: each is matched, with the
    word's fields boosted together too (`(a OR b)^2.5`)."""
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        for text in ("ransomware attack", "gprs gateway network", "security update windows"):
            query = with_column_dates(notes.parser.parse(text))
            for group in query.subqueries:
                group.matcher_type = matcher_type
                group.boost = boost
            ours = scored_matches(notes.searcher, query)
            assert ours and ours == _whoosh_collects(notes.searcher, query), text


def test_phrases_and_fuzzy_words_are_scored_as_whoosh_does(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        for text in (
            '"supply chain"',
            '"supply chain" attack',
            "ransomwear~",
            "gatway~2 network",
            '"gprs gateway"',
        ):
            ours = _ours(notes, text)
            assert ours and ours == _whooshs(notes, text), text


def _relaxed(notes, text: str):
    from indexer.search.ranking import relaxed_query

    return relaxed_query(with_column_dates(notes.parser.parse(text)))


@pytest.mark.parametrize("matcher_type", [None, wq.Or.ARRAY_MATCHER, wq.Or.DEFAULT_MATCHER])
def test_the_relaxed_query_is_scored_as_whoosh_does(bundled_index, matcher_type):
    """Notes with any of the words, each word found worth a constant (`ConstantScoreQuery`)
    beside its own score: the same notes and floats as Whoosh's, in either kind of union."""
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        compared = 0
        for text in (
            "ransomware zqxjv attack",
            "gprs gateway zqxjv",
            "security update windows qqqq author:x",
        ):
            query = _relaxed(notes, text)
            assert query is not None, text
            if matcher_type is not None:
                for part in [query, *query.children()]:
                    if isinstance(part, wq.Or):
                        part.matcher_type = matcher_type
            ours = scored_matches(notes.searcher, query)
            assert ours is not None, text
            assert ours == _whoosh_collects(notes.searcher, query), text
            compared += bool(ours)
        assert compared >= 2


def test_the_relaxed_query_is_scored_as_whoosh_does_over_segments_and_deletions(
    corpus, write_note, index_dir
):
    _two_segments(corpus, write_note, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert len(notes.searcher.reader().leaf_readers()) == 2
        for text in ("ransomware zqxjv", "gateway attack zqxjv", "changed late gang"):
            query = _relaxed(notes, text)
            ours = scored_matches(notes.searcher, query)
            assert ours and ours == _whoosh_collects(notes.searcher, query), text


def test_other_queries_are_left_to_whoosh(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        for text in ("date:2021-08", "ransomware NOT gateway", "ransom*", "ransomware date:2021-08"):
            assert _ours(notes, text) is None, text


def _assert_postings_are_whooshs(searcher, postings: WordPostings, field: str, word: str, docnums) -> int:
    """Each of `docnums` that has `word` in `field`: its score and positions as Whoosh's
    own matcher of the word gives them. Returns how many had it."""
    docnums = set(docnums)
    assert postings.knows(field, word, docnums, positions=True)
    matcher = wq.Term(field, word).matcher(searcher, searcher.context())
    seen = 0
    while matcher.is_active():
        docnum = matcher.id()
        if docnum in docnums:
            assert postings.score(field, word, docnum) == matcher.score()
            assert postings.positions(field, word, docnum) == list(matcher.value_as("positions"))
            seen += 1
        matcher.next()
    assert seen == sum(postings.score(field, word, docnum) is not None for docnum in docnums)
    return seen


def test_kept_postings_are_the_words_own_scores_and_positions(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        searcher = notes.searcher
        everyone = range(searcher.doc_count_all())
        postings = WordPostings()
        assert _ours(notes, "ransomware", postings)
        assert _assert_postings_are_whooshs(searcher, postings, "body", "ransomwar", everyone) > 0
        assert not postings.knows("body", "gateway", [0], positions=False)  # not a word of the query


def test_a_common_word_beside_a_rare_one_is_read_for_the_matches_only(bundled_index):
    """Under an intersection, the common word is read only for the rare word's notes:
    what is kept covers every match, not every note."""
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        searcher = notes.searcher
        postings = WordPostings()
        matches = _ours(notes, "gprs gateway", postings)
        assert matches and matches == _whooshs(notes, "gprs gateway")
        found = [docnum for _, docnum in matches]
        for field, word in (("body", "gpr"), ("body", "gatewai"), ("title", "gatewai")):
            _assert_postings_are_whooshs(searcher, postings, field, word, found)
        everyone = range(searcher.doc_count_all())
        assert not postings.knows("body", "gatewai", everyone, positions=False)


def test_searches_rank_alike_with_and_without_our_scorer(bundled_index, monkeypatch):
    corpus, index = bundled_index
    queries = _queries(corpus)[:80]
    with open_index(corpus, index) as notes:
        fast = [notes.search(text, limit=10) for text in queries]
    monkeypatch.setattr("indexer.search.searching.scored_matches", lambda *args, **kwargs: None)
    with open_index(corpus, index) as notes:
        slow = [notes.search(text, limit=10) for text in queries]
    for text, ours, whooshs in zip(queries, fast, slow, strict=True):
        assert ours.total == whooshs.total, text
        assert [(hit.path, hit.score) for hit in ours.hits] == [
            (hit.path, hit.score) for hit in whooshs.hits
        ], text
    assert sum(result.total for result in fast) > 100


def test_words_read_by_earlier_queries_of_a_searcher_score_alike(bundled_index, monkeypatch):
    """A searcher keeps what its queries read (a rare word's few notes of a common word,
    then all of it): later queries score as Whoosh does, and none of it outlives the
    searcher or the cap."""
    corpus, index = bundled_index
    sequence = ["gprs gateway", "gateway", "gateway network", '"gprs gateway"', "network", "gprs gateway"]
    with open_index(corpus, index) as notes:
        kept = notes.searcher.weighting.kept_reads
        for text in sequence:
            ours = _ours(notes, text)
            assert ours and ours == _whooshs(notes, text), text
        assert kept.get(notes.searcher.reader().leaf_readers()[0][0], ("body", b"gatewai")) is not None
        notes.close()
        assert notes.searcher.weighting.kept_reads is not kept
    monkeypatch.setattr(bm25f, "KEPT_POSTINGS", 3)
    with open_index(corpus, index) as notes:
        for text in sequence:
            assert _ours(notes, text) == _whooshs(notes, text), text
        assert notes.searcher.weighting.kept_reads._postings <= 3


def test_words_read_for_a_rerank_are_whooshs_and_read_once(bundled_index, monkeypatch):
    from indexer.engine import bm25f

    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        searcher = notes.searcher
        everyone = range(searcher.doc_count_all())
        holding = list(searcher.docs_for_query(wq.Term("body", "gatewai")))
        some = sorted({*holding[::2], *everyone[::5]})  # half the notes with the word, and others
        postings = WordPostings()
        read_words(searcher, "body", ["gatewai"], postings, some)  # these notes only
        assert _assert_postings_are_whooshs(searcher, postings, "body", "gatewai", some) > 0
        assert not postings.knows("body", "gatewai", everyone, positions=False)
        read_words(searcher, "body", ["ransomwar", "gatewai"], postings)  # every note
        assert _assert_postings_are_whooshs(searcher, postings, "body", "ransomwar", everyone) > 0
        assert _assert_postings_are_whooshs(searcher, postings, "body", "gatewai", everyone) > 0
        assert postings.scores("body", "gatewai") == {
            docnum: postings.score("body", "gatewai", docnum)
            for docnum in everyone
            if postings.score("body", "gatewai", docnum) is not None
        }
        reads = []
        leaf_scores = bm25f._leaf_scores
        monkeypatch.setattr(bm25f, "_leaf_scores", lambda *args: reads.append(args[2]) or leaf_scores(*args))
        read_words(searcher, "body", ["ransomwar"], postings, some)  # known already
        assert reads == []
        searched = WordPostings()  # a search's reads are reused too
        assert _ours(notes, "gprs gateway", searched)
        assert b"gpr" in reads
        reads.clear()
        read_words(searcher, "body", ["gpr"], searched)
        assert reads == []


def test_words_are_read_over_segments_and_deletions(corpus, write_note, index_dir):
    _two_segments(corpus, write_note, index_dir, gang="Gang", late="A late note")
    with open_index(corpus, index_dir) as notes:
        searcher = notes.searcher
        assert len(searcher.reader().leaf_readers()) == 2
        everyone = range(searcher.doc_count_all())
        for docnums in (everyone, list(everyone)[1::2]):
            postings = WordPostings()
            read_words(
                searcher, "body", ["gatewai", "attack"], postings, None if docnums is everyone else docnums
            )
            assert _assert_postings_are_whooshs(searcher, postings, "body", "gatewai", docnums) > 0
            assert _assert_postings_are_whooshs(searcher, postings, "body", "attack", docnums) > 0


def test_words_are_scored_without_making_whooshs_scorer(bundled_index, monkeypatch):
    """A word's postings read a block at a time are scored with the numbers its scorer
    would hold (`CachedLengthBM25F.bm25_parameters`), not through a scorer made for each
    word and segment: the same floats (the tests above), and no scorer made."""
    from whoosh import scoring

    corpus, index = bundled_index
    made = []
    init = scoring.BM25FScorer.__init__
    monkeypatch.setattr(
        scoring.BM25FScorer, "__init__", lambda self, *a, **k: made.append(a) or init(self, *a, **k)
    )
    with open_index(corpus, index) as notes:
        for text in ("ransomware attack", "gprs gateway", "title:gateway OR body:hackers"):
            assert _ours(notes, text)
        assert made == []
        assert _whooshs(notes, "gprs gateway") and made  # Whoosh's own search makes them
