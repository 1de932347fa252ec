"""The engine's two paths give the same results: the fast path (Whoosh's internals, on the
version it was written for) and stock Whoosh (its public API only, on any other version).

The core of the suite, on each path: a parallel build, an update, a representative set
of queries (seeded from the notes as the benchmark makes them, and the query syntax:
fuzzy words, wildcards, ranges, dates, phrases, negation), near-duplicates and stats.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.queries import sample_queries
from indexer.engine import version
from indexer.index.duplicates import read_duplicate_groups
from indexer.index.stats import index_stats
from indexer.index.store import IndexOptions, build_index, update_index
from indexer.search.searching import open_index
from tests.conftest import BUNDLED_CORPUS, info_note
from tests.engine_paths import use_stock_whoosh

SYNTAX_QUERIES = (
    "ransomware",
    "ransomware attack",
    "gprs gateway",
    '"supply chain"',
    "title:ransomware OR body:conti",
    "ransomwear~",
    "gatway~2",
    "ransom*",
    "author:cimpanu",
    "tag:ransomware date:2021",
    "date:2021-10",
    "date:[2021-08-01 to 2021-08-31]",
    "date:>2021-10-15",
    "NOT tag:ransomware",
    "country:ukraine",
    "*",
    "zzzznothing",
)

# Figures that depend on where and when the index was written, or how many processes wrote it.
_WRITING_FIGURES = ("index", "corpus", "updated_at", "size_bytes", "size", "segments")


def _core(corpus: Path, index: Path, queries: list[str]) -> dict[str, object]:
    """What the suite's core sees of an index: build, search, update, search, duplicates, stats."""
    seen: dict[str, object] = {}
    report = build_index(corpus, index, options=IndexOptions(procs=2))
    seen["build"] = (report.notes, report.added, sorted(report.skipped), sorted(report.warnings))
    seen["built"] = _searched(corpus, index, queries)
    notes = sorted(corpus.rglob("*.md"))
    notes[0].write_text(info_note("Changed gateway note", "GPRS gateway " * 5))
    notes[3].unlink()
    (corpus / "notes" / "added.md").write_text(info_note("A ransomware copy", "ransomware attack gateway"))
    report = update_index(corpus, index)
    seen["update"] = (report.notes, report.added, report.changed, report.removed)
    seen["updated"] = _searched(corpus, index, queries)
    seen["duplicates"] = sorted(map(sorted, read_duplicate_groups(index)))
    stats = index_stats(corpus, index)
    seen["stats"] = {key: value for key, value in stats.items() if key not in _WRITING_FIGURES}
    return seen


def _searched(corpus: Path, index: Path, queries: list[str]) -> list[tuple]:
    answers = []
    with open_index(corpus, index) as notes:
        for text in queries:
            result = notes.search(text, limit=20)
            hits = [
                (hit.path, None if hit.score is None else round(hit.score, 6), hit.snippet, hit.duplicates)
                for hit in result.hits
            ]
            answers.append((text, result.total, hits, result.corrected_query))
    return answers


@pytest.fixture
def two_corpora(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the bundled corpus, with near-duplicates added to both."""
    copies = []
    for name in ("fast", "stock"):
        corpus = tmp_path / name / "corpus"
        shutil.copytree(BUNDLED_CORPUS, corpus)
        for number in range(3):
            (corpus / "notes" / f"copy{number}.md").write_text(
                info_note(f"Copy {number} of a ransomware report", "The gateway was hit by ransomware. " * 8)
            )
        copies.append(corpus)
    return copies[0], copies[1]


def test_the_fast_path_and_stock_whoosh_give_the_same_results(two_corpora, monkeypatch):
    fast_corpus, stock_corpus = two_corpora
    seeded = sample_queries(fast_corpus, sorted(fast_corpus.rglob("*.md")), 60, seed=5)
    queries = [*SYNTAX_QUERIES, *(query.text for query in seeded)]
    assert len(queries) > 50

    assert version.fast_path()  # the pinned Whoosh: the fast path is the one tested everywhere else
    fast = _core(fast_corpus, fast_corpus.parent / "index", queries)
    use_stock_whoosh(monkeypatch)
    stock = _core(stock_corpus, stock_corpus.parent / "index", queries)

    assert fast == stock
    found = [answer for answer in fast["built"] if answer[1]]
    assert len(found) > 40  # most queries find notes: the comparison compares something
    assert fast["duplicates"]  # the copies are grouped on both paths
    assert fast["update"] == (43, 1, 1, 1)
    # The fast build wrote a segment per process; stock Whoosh wrote one in one process.
    assert len(list((fast_corpus.parent / "index").glob("*.pst"))) > 1


def test_stock_whoosh_writes_with_whooshs_own_writer(corpus, write_note, index_dir, monkeypatch):
    from whoosh.writing import SegmentWriter

    from indexer.engine.writer import NoteSegmentWriter

    written = []
    for writer_class in (SegmentWriter, NoteSegmentWriter):
        monkeypatch.setattr(writer_class, "add_document", _recording(writer_class.add_document, written))
    write_note("a.md", info_note("Alpha", "gateway"))
    build_index(corpus, index_dir)
    assert written == [NoteSegmentWriter]
    written.clear()
    use_stock_whoosh(monkeypatch)
    write_note("b.md", info_note("Beta", "gateway"))
    update_index(corpus, index_dir)
    assert written == [SegmentWriter]


def _recording(add_document, written: list):
    def add(self, **fields):
        written.append(type(self))
        return add_document(self, **fields)

    return add
