"""Notes that rank equal come in an order of their own, the same however the index was built."""

from __future__ import annotations

from indexer.index.store import IndexOptions, build_index, update_index
from indexer.search.searching import SortOrder, open_index
from indexer.search.ties import in_tie_order
from tests.conftest import info_note


def test_runs_of_equal_keys_are_sorted_by_each_order_in_turn():
    ranked = [(9, 1), (5, 2), (5, 3), (5, 4), (5, 5), (2, 6), (2, 7)]
    dates = {2: 1, 3: 2, 4: 1, 5: 1, 6: 0, 7: 0}
    paths = {2: "c", 3: "a", 4: "b", 5: "a", 6: "z", 7: "y"}
    ordered = in_tie_order(ranked, [dates.__getitem__, paths.__getitem__])
    assert ordered == [(9, 1), (5, 5), (5, 4), (5, 2), (5, 3), (2, 7), (2, 6)]


def test_only_runs_that_start_before_the_window_are_sorted_and_only_their_notes_looked_up():
    looked_up = []

    def order_of(docnum):
        looked_up.append(docnum)
        return -docnum

    ranked = [(3, 1), (3, 2), (2, 3), (2, 4), (1, 5), (1, 6)]
    assert in_tie_order(ranked, [order_of], upto=3) == [(3, 2), (3, 1), (2, 4), (2, 3), (1, 5), (1, 6)]
    assert sorted(looked_up) == [1, 2, 3, 4]  # the run at position 4 is past the window


def test_a_later_order_is_asked_only_for_notes_the_earlier_left_equal():
    paths_asked = []

    def path_of(docnum):
        paths_asked.append(docnum)
        return str(docnum)

    ranked = [(1, docnum) for docnum in range(10)]
    dates = {docnum: docnum // 4 for docnum in range(10)}  # dates 0,0,0,0,1,1,1,1,2,2
    ordered = in_tie_order(ranked, [dates.__getitem__, path_of], upto=2)
    assert [docnum for _, docnum in ordered] == list(range(10))
    assert sorted(paths_asked) == [0, 1, 2, 3]  # the notes of the first date only


def write_equal_notes(corpus):
    """Twelve notes that score alike for `tag:ransomware` and `gateway`, on four dates."""
    dates = ["March 1, 2022", "March 3, 2022", "March 2, 2022", "March 3, 2022"]
    for number in range(12):
        name = f"{'zyxwvutsrqpo'[number]}{number}.md"
        (corpus / name).write_text(
            info_note("Same title", "The gateway was open.", date=dates[number % 4], tags="[[Ransomware]]"),
            encoding="utf-8",
        )


def answers(corpus, index):
    with open_index(corpus, index) as notes:
        return {
            (text, sort, limit): [
                hit.path for hit in notes.search(text, limit=limit, sort=sort, passages=0).hits
            ]
            for text in ("tag:ransomware", "gateway")
            for sort in (SortOrder.RELEVANCE, SortOrder.NEWEST, SortOrder.DATE)
            for limit in (5, 0)
        }, [
            notes.searcher.stored_fields(docnum)["path_id"]
            for _, docnum in notes.searcher.search(notes.parser.parse("tag:ransomware"), limit=None).top_n
        ]


def test_equal_notes_come_newest_first_then_by_path_whatever_the_build(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_equal_notes(corpus)
    build_index(corpus, tmp_path / "one", options=IndexOptions(procs=1))
    build_index(corpus, tmp_path / "two", options=IndexOptions(procs=2))
    one, whoosh_one = answers(corpus, tmp_path / "one")
    two, whoosh_two = answers(corpus, tmp_path / "two")
    assert whoosh_one != whoosh_two  # Whoosh's own order differs between the two builds
    assert one == two
    newest_first = sorted(
        (f"{'zyxwvutsrqpo'[n]}{n}.md" for n in range(12)),
        key=lambda path: (-[1, 3, 2, 3][int(path[1:-3]) % 4], path),
    )
    assert one[("tag:ransomware", SortOrder.RELEVANCE, 0)] == newest_first
    assert one[("gateway", SortOrder.RELEVANCE, 5)] == newest_first[:5]
    by_date_then_path = sorted(newest_first, key=lambda path: ([1, 3, 2, 3][int(path[1:-3]) % 4], path))
    assert one[("tag:ransomware", SortOrder.DATE, 0)] == by_date_then_path
    newest = [path for path in by_date_then_path if path in newest_first[:6]]  # the March 3 notes
    assert one[("tag:ransomware", SortOrder.NEWEST, 5)] == sorted(newest)[:5]


def test_an_updated_note_keeps_its_place_among_equal_ones(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_equal_notes(corpus)
    build_index(corpus, tmp_path / "index", options=IndexOptions(procs=1))
    before, _ = answers(corpus, tmp_path / "index")
    touched = corpus / "o11.md"  # the first document number, the last after the update
    touched.write_text(touched.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same words
    assert update_index(corpus, tmp_path / "index").changed == 1
    after, _ = answers(corpus, tmp_path / "index")
    assert after == before


def test_undated_notes_come_after_dated_ones_even_alone_in_a_segment(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, date in (("a.md", "Unknown"), ("b.md", "March 1, 2022"), ("c.md", "Unknown")):
        (corpus / name).write_text(info_note("Same", "The gateway was open.", date=date), encoding="utf-8")
    # Two processes: a.md and c.md share a segment with no dated note, so no `date` column.
    build_index(corpus, tmp_path / "index", options=IndexOptions(procs=2))
    with open_index(corpus, tmp_path / "index") as notes:
        assert [hit.path for hit in notes.search("gateway", passages=0).hits] == ["b.md", "a.md", "c.md"]


def test_dates_read_in_one_piece_are_the_columns_own_values(bundled_index):
    from indexer.engine.field_lengths import column_values

    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        for segment, _ in notes.searcher.reader().leaf_readers():
            column = segment.column_reader("date", translate=False)
            assert column_values(column) == list(column) and len(list(column)) > 1
            # What the one-piece read uses (else it falls back to one read a value).
            assert all(hasattr(column, name) for name in ("_dbfile", "_basepos", "_count", "_typecode"))


def test_newest_first_keys_are_each_notes_date_negated_and_0_when_undated(bundled_index, tmp_path):
    """The keys read by C-level passes are, note by note, what Whoosh's own column reading
    gives: -date, or 0 for a note without one (a segment without the column included)."""
    from indexer.search.ties import _newest_first_keys

    def keys_checked(corpus, index) -> list[int]:
        with open_index(corpus, index) as notes:
            reader = notes.searcher.reader()
            expected = []
            for segment, _ in reader.leaf_readers():
                count = segment.doc_count_all()
                if not segment.has_column("date"):
                    expected += [0] * count
                    continue
                stored = list(segment.column_reader("date", translate=False))[:count]
                missing = segment.schema["date"].column_type.default_value()
                expected += [0 if date == missing else -date for date in stored]
                expected += [0] * (count - len(stored))
            keys = _newest_first_keys(reader)
            assert keys == expected and len(keys) == reader.doc_count_all()
            return keys

    keys = keys_checked(*bundled_index)
    assert 0 in keys and min(keys) < 0  # dated and undated notes
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, date in (("a.md", "Unknown"), ("b.md", "March 1, 2022"), ("c.md", "Unknown")):
        (corpus / name).write_text(info_note("Same", "The gateway was open.", date=date), encoding="utf-8")
    build_index(corpus, tmp_path / "index", options=IndexOptions(procs=2))  # one segment undated
    dated, *undated = sorted(keys_checked(corpus, tmp_path / "index"))
    assert dated < 0 and undated == [0, 0]
