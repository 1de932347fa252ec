"""Date ranges matched from the date column find the notes, and give the scores, of Whoosh's own."""

from __future__ import annotations

from datetime import datetime

from whoosh import query as wq

from indexer.engine.date_column import ColumnDateRange, with_column_dates
from indexer.index.store import IndexOptions, build_index, update_index
from indexer.search.searching import open_index
from tests.conftest import info_note

QUERIES = [
    "date:2021-10",
    "date:2021",
    "date:[2021-08-01 to 2021-08-31]",
    "date:[2021-08-01 to]",
    "date:[to 2021-06-30]",
    "date:{2021-08-01 to 2021-08-16}",
    "ransomware date:2021-10",
    "date:2021-10 OR date:2022-01",
    "gateway NOT date:2021-08",
    "title:ransomware date:[2021-01-01 to 2021-12-31]",
]


def scored(searcher, query):
    return sorted((hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None))


def assert_same_as_whoosh(notes, texts):
    searcher = notes.searcher
    for text in texts:
        parsed = notes.parser.parse(text)
        rewritten = with_column_dates(parsed)
        assert rewritten != parsed or "date:" not in text, text
        assert scored(searcher, rewritten) == scored(searcher, parsed), text
        unscored = searcher.search(rewritten, limit=None, scored=False)
        assert sorted(unscored.docs()) == sorted(searcher.docs_for_query(parsed)), text


def test_ranges_find_the_notes_and_scores_of_whooshs_date_ranges(bundled_index):
    with open_index(*bundled_index) as notes:
        assert_same_as_whoosh(notes, QUERIES)
        assert len(notes.searcher.search(with_column_dates(notes.parser.parse("date:2021")), limit=None)) > 10


def test_segments_with_deleted_and_undated_notes_are_matched_alike(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    dates = ["October 3, 2021", "October 30, 2021", "November 1, 2021", "Unknown", "August 16, 2021"]
    for number in range(10):
        (corpus / f"n{number}.md").write_text(
            info_note(f"Note {number}", "ransomware gateway", date=dates[number % 5]), encoding="utf-8"
        )
    build_index(corpus, tmp_path / "index", options=IndexOptions(procs=2))
    (corpus / "n0.md").write_text(info_note("Moved", "ransomware gateway", date="Unknown"), encoding="utf-8")
    (corpus / "n2.md").unlink()
    (corpus / "late.md").write_text(info_note("Late", "gateway", date="Unknown"), encoding="utf-8")
    update_index(corpus, tmp_path / "index")  # a segment with deletions, and one with no dated note
    with open_index(corpus, tmp_path / "index") as notes:
        assert notes.searcher.reader().has_deletions()
        assert_same_as_whoosh(notes, QUERIES)
        # Bounds on the notes' own dates, excluded or not (the query language includes them).
        for startexcl in (False, True):
            for endexcl in (False, True):
                dated = wq.DateRange(
                    "date", datetime(2021, 10, 3), datetime(2021, 10, 30), startexcl, endexcl
                )
                assert scored(notes.searcher, with_column_dates(dated)) == scored(notes.searcher, dated)
                on_3rd, on_30th = 1, 2
                assert len(scored(notes.searcher, dated)) == 3 - on_3rd * startexcl - on_30th * endexcl
        found = {hit.path for hit in notes.search("date:2021-10", limit=0, passages=0).hits}
        assert found == {"n1.md", "n5.md", "n6.md"}


def test_a_rewritten_query_keeps_everything_but_its_date_ranges():
    parsed = wq.And([wq.Term("body", "ransomwar"), wq.Not(wq.DateRange("date", datetime(2021, 1, 1), None))])
    rewritten = with_column_dates(parsed)
    assert isinstance(rewritten, wq.And) and rewritten.subqueries[0] == wq.Term("body", "ransomwar")
    (inner,) = [node for node in rewritten.leaves() if isinstance(node, ColumnDateRange)]
    assert inner.field() == "date" and inner.end is None
    assert with_column_dates(wq.Term("body", "gateway")) == wq.Term("body", "gateway")


def test_ranges_on_the_news_corpus_match_whooshs(shared_news_index):
    corpus, index, _ = shared_news_index
    with open_index(corpus, index) as notes:
        assert_same_as_whoosh(notes, [*QUERIES, "date:2022-02", "date:[2021-12-24 to 2022-01-02]"])
        assert notes.count("date:2021-10") > 100
