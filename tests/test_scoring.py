"""Field lengths read once per segment give exactly Whoosh's own BM25F scores."""

from __future__ import annotations

from whoosh import scoring
from whoosh.index import open_dir

from indexer.engine.field_lengths import field_lengths
from indexer.engine.scoring import CachedLengthBM25F
from indexer.index.schema_version import INDEX_NAME
from indexer.index.store import IndexOptions, build_index, update_index
from indexer.search.searching import open_index
from tests.conftest import info_note


def test_cached_lengths_equal_whooshs_for_every_note_field_and_segment(corpus, write_note, index_dir):
    for number in range(12):
        write_note(f"n{number}.md", info_note(f"Title {number} ransomware", "word " * (number * 7 + 1)))
    build_index(corpus, index_dir)
    write_note("n3.md", info_note("Title three changed", "other words " * 40))
    write_note("late.md", info_note("A late note", "ransomware gateway"))
    update_index(corpus, index_dir)  # a second segment, and a deleted note in the first
    with open_index(corpus, index_dir) as notes:
        leaves = notes.searcher.reader().leaf_readers()
        assert len(leaves) == 2
        for segment, _ in leaves:
            for field in ("title", "body", "author"):
                lengths = field_lengths(segment._perdoc, field)
                assert lengths is not None
                for docnum in range(segment.doc_count_all()):
                    assert lengths[docnum] == segment.doc_field_length(docnum, field, 1)


def test_search_scores_are_whooshs_bm25f_scores(bundled_index):
    corpus, index = bundled_index
    with open_index(corpus, index) as notes:
        assert isinstance(notes.searcher.weighting, CachedLengthBM25F)
        with open_dir(str(index), indexname=INDEX_NAME).searcher(weighting=scoring.BM25F()) as whooshs:
            for text in (
                "ransomware attack",
                "gprs gateway",
                "title:ransomware OR body:conti",
                '"supply chain"',
            ):
                parsed = notes.parser.parse(text)
                ours = [
                    (hit.docnum, round(hit.score, 9)) for hit in notes.searcher.search(parsed, limit=None)
                ]
                theirs = [(hit.docnum, round(hit.score, 9)) for hit in whooshs.search(parsed, limit=None)]
                assert ours == theirs and ours


def test_a_segment_written_with_lengths_read_whole_is_byte_for_byte_whooshs(
    corpus, write_note, tmp_path, monkeypatch
):
    from whoosh.writing import SegmentWriter

    from indexer.engine.writer import NoteSegmentWriter

    for number in range(30):
        write_note(
            f"n{number}.md", info_note(f"Title {number} ransomware", "word gateway " * (number * 13 + 1))
        )
    build_index(corpus, tmp_path / "whole", options=IndexOptions(procs=1))
    # Our writer in every way but the lengths: Whoosh's per-document reader looks them up.
    monkeypatch.setattr(NoteSegmentWriter, "per_document_reader", SegmentWriter.per_document_reader)
    build_index(corpus, tmp_path / "whoosh", options=IndexOptions(procs=1))

    def segment_files(folder):
        return sorted(
            (path.suffix, path.read_bytes()) for path in folder.iterdir() if path.suffix in (".trm", ".pst")
        )

    assert segment_files(tmp_path / "whole") == segment_files(tmp_path / "whoosh")


def test_length_norms_are_the_note_by_note_floats_for_every_note_field_and_segment(
    bundled_index, corpus, write_note, index_dir
):
    """Each note's norm, computed once a length, is the float computed note by note."""

    def norms_checked(notes) -> int:
        weighting, checked = notes.searcher.weighting, 0
        for segment_searcher, _ in notes.searcher.leaf_searchers():
            for field in ("title", "body", "author"):
                average, B, length_of = weighting._field_parameters(segment_searcher, field)
                lengths = weighting._segment_lengths(segment_searcher.reader(), field)
                assert [length_of(docnum) for docnum in range(len(lengths))] == lengths
                expected = [None if n is None else weighting.K1 * (1 - B + B * n / average) for n in lengths]
                norms = weighting.length_norms(segment_searcher, field)
                assert [repr(norm) for norm in norms] == [repr(norm) for norm in expected]
                checked += sum(norm is not None for norm in norms)
        return checked

    with open_index(*bundled_index) as notes:
        assert norms_checked(notes) > 100
    for number in range(12):  # a second segment and notes without a length (None)
        write_note(f"n{number}.md", info_note(f"Title {number} ransomware", "word " * (number * 7 + 1)))
    build_index(corpus, index_dir)
    write_note("late.md", info_note("A late note", "ransomware gateway"))
    update_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        assert norms_checked(notes) > 12


def test_a_query_scored_a_block_at_a_time_reads_norms_not_lengths(bundled_index):
    """Each note's length is read into a list only where a note's length is asked for
    (Whoosh's own scorer, or postings not in blocks); scoring blocks uses the norms."""
    with open_index(*bundled_index) as notes:
        weighting = notes.searcher.weighting
        assert notes.search("ransomware attack", passages=0).hits
        assert weighting._norms and not weighting._lengths
        segment_searcher = notes.searcher.leaf_searchers()[0][0]
        length_of = weighting.bm25_parameters(segment_searcher, "body", b"ransomware")[4]
        segment = segment_searcher.reader()
        assert [length_of(docnum) for docnum in range(segment.doc_count_all())] == [
            segment.doc_field_length(docnum, "body", 1) for docnum in range(segment.doc_count_all())
        ]
        assert list(weighting._lengths) == [(segment, "body")]
