"""The grouped posting pool hands Whoosh's segment writer exactly what Whoosh's own pool would."""

from __future__ import annotations

import random

import pytest
from whoosh.filedb.filestore import RamStorage
from whoosh.index import open_dir
from whoosh.writing import PostingPool

from indexer.engine.posting_pool import GroupedPostingPool
from indexer.index.schema_version import INDEX_NAME
from indexer.index.store import IndexOptions, build_index, update_index
from tests.conftest import info_note
from tests.engine_paths import use_stock_whoosh


def random_postings(seed: int, notes: int = 60) -> list[tuple]:
    """Postings as Whoosh's writer adds them: note by note, fields in name order."""
    rng = random.Random(seed)
    words = [f"w{number}".encode() for number in range(40)] + ["café".encode(), b"\xf0\x9f\x94\x91"]
    postings = []
    for docnum in range(notes):
        for field in ("author", "body", "title"):
            for word in rng.sample(words, rng.randint(0, 12)):
                positions = bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))
                postings.append((field, word, docnum, float(rng.randint(1, 5)), positions or None))
    return postings


def with_our_deflate(monkeypatch) -> None:
    """Make Whoosh's codec compress its blocks with the deflate our writer uses (ISA-L's
    where installed: the same zlib streams, other bytes than zlib's own deflate)."""
    import types
    import zlib

    import whoosh.codec.whoosh3

    from indexer.deflate import deflate

    monkeypatch.setattr(
        whoosh.codec.whoosh3, "zlib", types.SimpleNamespace(compress=deflate, decompress=zlib.decompress)
    )


def with_our_pickle_protocol(monkeypatch) -> None:
    """Make Whoosh's codec pickle its blocks and their infos with our writer's protocol
    (`posting_writer.BLOCK_PROTOCOL`, not Whoosh's 2: the same tuples unpickled)."""
    import pickle

    import whoosh.codec.whoosh3

    from indexer.engine.posting_writer import BLOCK_PROTOCOL

    monkeypatch.setattr(
        whoosh.codec.whoosh3, "dumps", lambda value, _protocol: pickle.dumps(value, BLOCK_PROTOCOL)
    )


def pooled(pool, postings: list[tuple]) -> list[tuple]:
    for posting in postings:
        pool.add(posting)
    return list(pool.iter_postings())


@pytest.mark.parametrize("limitmb", [256, 0.002, 0.0001], ids=["in memory", "a few runs", "a run a posting"])
def test_postings_come_out_as_from_whooshs_pool(limitmb):
    postings = random_postings(seed=1)
    storage = RamStorage()
    grouped = GroupedPostingPool(storage, limitmb)
    ours = pooled(grouped, postings)
    assert ours == pooled(PostingPool(RamStorage(), None, limitmb=256), postings)
    assert ours == sorted(postings) and len(ours) > 1000
    if limitmb < 1:
        assert len(storage.files) == 0  # every run read back was deleted


def test_postings_added_out_of_note_order_come_out_sorted():
    postings = random_postings(seed=2)
    shuffled = postings[:]
    random.Random(3).shuffle(shuffled)
    for limitmb in (256, 0.002):
        assert pooled(GroupedPostingPool(RamStorage(), limitmb), shuffled) == sorted(postings)


def test_cleanup_deletes_runs_not_read():
    storage = RamStorage()
    pool = GroupedPostingPool(storage, 0.001)
    for posting in random_postings(seed=4):
        pool.add(posting)
    assert pool.runs and len(storage.files) == len(pool.runs)
    pool.cleanup()
    assert not pool.runs and len(storage.files) == 0


@pytest.mark.parametrize(
    ("limitmb", "notes"), [(256, 40), (1, 40), (256, 300)], ids=["in memory", "runs on disk", "many blocks"]
)
def test_an_index_built_and_updated_with_it_is_byte_for_byte_whooshs(tmp_path, monkeypatch, limitmb, notes):
    """Pool and block writer (`posting_writer`) together against Whoosh's own: 300 notes fill
    the codec's 128-posting blocks of common words three times over, at lengths that vary."""

    def build_and_update(folder):
        corpus, index = folder / "corpus", folder / "index"

        def write(name, text):
            (corpus / name).parent.mkdir(parents=True, exist_ok=True)
            (corpus / name).write_text(text, encoding="utf-8")

        for number in range(notes):
            body = f"gateway w{number} " * (900 if notes == 40 else 20 + number % 97)
            write(f"n{number}.md", info_note(f"Title {number} ransomware", body))
        options = IndexOptions(procs=1, limitmb=limitmb)
        build_index(corpus, index, options=options)
        for number in range(6):  # a small segment each; Whoosh merges them (and the first) at the fifth
            write(f"n{number}.md", info_note(f"Changed {number}", "other words " * (number + 1)))
            write(f"new{number}.md", info_note(f"New {number}", "gateway GPRS"))
            update_index(corpus, index, options=options)
        assert len(open_dir(str(index), indexname=INDEX_NAME)._segments()) < 7  # segments were merged
        return sorted(
            (path.suffix, path.read_bytes()) for path in index.iterdir() if path.suffix in (".trm", ".pst")
        )

    ours = build_and_update(tmp_path / "grouped")
    use_stock_whoosh(monkeypatch)  # Whoosh's own writer, pool and codec calls
    with_our_deflate(monkeypatch)
    with_our_pickle_protocol(monkeypatch)
    assert ours == build_and_update(tmp_path / "whoosh")
    assert len(ours) > 1


def test_runs_already_deleted_by_a_cancelled_writer_raise_nothing_later(monkeypatch, tmp_path):
    import gc
    import sys

    from whoosh.filedb.filestore import FileStorage

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    storage = FileStorage(str(tmp_path))
    pool = GroupedPostingPool(storage, 0.001)
    for posting in random_postings(seed=5):
        pool.add(posting)
    postings = pool.iter_postings()
    next(postings)  # every run is open now
    for name in storage.list():  # what cancelling Whoosh's writer does to its temporary files
        storage.delete_file(name)
    del postings
    gc.collect()
    assert unraisable == []


class _Lengths:
    """A per-document reader's lengths, as `write_posting_lists` and Whoosh's `add_postings` ask."""

    def __init__(self, lengths: dict[str, list[int]]) -> None:
        self.lengths = lengths

    def doc_count_all(self) -> int:
        return len(next(iter(self.lengths.values())))

    def doc_field_length_reader(self, fieldname):
        return self.lengths[fieldname].__getitem__


@pytest.mark.parametrize("with_lengths", [True, False], ids=["lengths", "no lengths"])
def test_words_written_at_once_are_byte_for_byte_whooshs(with_lengths, monkeypatch):
    """Words of one posting (weight 1.0, 2.5 or a third), of a block's worth (128) and of
    more; weights all 1.0, all the same, or different; with and without positions and
    field lengths: the postings and term files `write_posting_lists` writes are the bytes
    Whoosh's `add_postings` writes (with the same deflate and pickle protocol)."""
    from whoosh.codec import default_codec
    from whoosh.filedb.filestore import RamStorage

    from indexer.engine.posting_writer import write_posting_lists
    from indexer.index.schema import build_schema

    rng = random.Random(7)
    schema = build_schema()
    notes = 400
    # Body lengths growing with the note (each block's shortest and longest differ from the
    # others'); none in the other field (as in a field that is not scored).
    lengths = {"body": [1 + docnum * 37 for docnum in range(notes)], "tag": [0] * notes}
    lists = []
    for fieldname in ("body", "tag"):  # positions, and KEYWORD's frequencies only
        for number, size in enumerate([1, 1, 2, 5, 127, 128, 129, 256, 300, 1, 3, 1]):
            word = f"w{number:02}".encode()
            docnums = sorted(rng.sample(range(notes), size))
            kind = number % 3  # weights: all 1.0, all the same, or different
            postings = []
            for docnum in docnums:
                weight = 1.0 if kind == 0 else 2.5 if kind == 1 else float(rng.randint(1, 9)) / 3
                value = (
                    bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
                    if fieldname == "body"
                    else b""
                )
                postings.append((fieldname, word, docnum, weight, value or None))
            lists.append((fieldname, word, postings))

    def written(write) -> dict[str, bytes]:
        storage = RamStorage()
        codec = default_codec()
        segment = codec.new_segment(storage, "s")
        fieldwriter = codec.field_writer(storage, segment)
        write(fieldwriter, _Lengths(lengths) if with_lengths else None)
        fieldwriter.close()
        return {name.rsplit(".", 1)[1]: storage.open_file(name).read() for name in storage.list()}

    ours = written(lambda fieldwriter, known: write_posting_lists(fieldwriter, schema, known, iter(lists)))
    with_our_deflate(monkeypatch)
    with_our_pickle_protocol(monkeypatch)
    whooshs = written(
        lambda fieldwriter, known: fieldwriter.add_postings(
            schema, known, (posting for _, _, postings in lists for posting in postings)
        )
    )
    assert set(ours) == {"trm", "pst"}
    assert ours == whooshs, "not the bytes Whoosh writes"  # (a short message: the files are large)


@pytest.mark.parametrize("isal_installed", [True, False], ids=["isal", "without isal"])
def test_blocks_are_zlib_streams_with_or_without_isal(isal_installed, monkeypatch):
    import sys
    import zlib

    from indexer import deflate

    deflate.compressor.cache_clear()
    if not isal_installed:
        monkeypatch.setitem(sys.modules, "isal", None)  # `import isal` raises ImportError
    try:
        data = bytes(random.Random(1).randrange(20) for _ in range(5000))
        compressed = deflate.deflate(data, 3)
        assert zlib.decompress(compressed) == data and len(compressed) < len(data)
        assert (compressed == zlib.compress(data, 3)) is not isal_installed
    finally:
        deflate.compressor.cache_clear()
