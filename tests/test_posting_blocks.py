"""A word's posting blocks as `engine.posting_blocks` reads them: exactly what Whoosh's own
matcher reads, for every word of every field of the bundled corpus's index."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher

from indexer.engine.posting_blocks import posting_blocks, word_postings
from indexer.index.store import open_whoosh_index


def _whoosh_blocks(reader, field: str, btext: bytes) -> list[tuple]:
    """Each block as Whoosh's matcher reads it: (ids, weights, values)."""
    matcher = reader.postings(field, btext)
    matcher = getattr(matcher, "child", matcher)  # deleted notes are filtered elsewhere
    assert type(matcher) is W3LeafMatcher
    blocks = []
    while matcher.is_active():
        matcher._read_data()
        matcher._read_ids()
        matcher._read_weights()
        matcher._read_values()
        blocks.append((tuple(matcher._ids), tuple(matcher._weights), tuple(matcher._values)))
        matcher._next_block()
    return blocks


@pytest.fixture(scope="module")
def segments(bundled_index, tmp_path_factory):
    """The segments of the bundled corpus's index, and of 600 notes whose commonest words
    fill several blocks (128 postings each), some notes repeating a word."""
    import random

    from indexer.index.store import build_index

    chosen = random.Random(5)
    vocabulary = [f"word{number}" for number in range(120)]
    corpus = tmp_path_factory.mktemp("blocks") / "corpus"
    corpus.mkdir()
    for number in range(600):
        words = chosen.choices(vocabulary, weights=range(120, 0, -1), k=chosen.randint(3, 60))
        (corpus / f"note{number}.md").write_text(f"# Note {number}\n\n{' '.join(words)}\n")
    build_index(corpus, corpus.parent / "index")
    with ExitStack() as stack:
        searchers = [
            stack.enter_context(open_whoosh_index(index).searcher())
            for index in (bundled_index[1], corpus.parent / "index")
        ]
        yield [sub.reader() for searcher in searchers for sub, _ in searcher.leaf_searchers()]


def test_every_word_reads_as_whoosh_reads_it(segments):
    words = blocks_seen = 0
    for reader in segments:
        for field, btext in reader.all_terms():
            data = word_postings(reader, field, btext)
            assert data is not None
            fixed_size = reader.schema[field].format.fixed_value_size()
            ours = [
                (ids, tuple(weights), tuple(values))
                for ids, weights, values in posting_blocks(data, fixed_size)
            ]
            assert ours == _whoosh_blocks(reader, field, btext), (field, btext)
            words += 1
            blocks_seen += len(ours)
    assert words > 4000 and blocks_seen > words


def test_blocks_without_a_wanted_note_are_skipped(segments):
    """With `ahead`, exactly the blocks whose ids reach over a wanted note are decoded,
    the wanted notes the word has among them; none after the last wanted note."""
    checked = 0
    for reader in segments:
        for field, btext in reader.all_terms():
            if reader.doc_frequency(field, btext) <= 128:  # one block: nothing to skip
                continue
            whole = _whoosh_blocks(reader, field, btext)
            data = word_postings(reader, field, btext)
            fixed_size = reader.schema[field].format.fixed_value_size()
            notes = [docnum for ids, _, _ in whole for docnum in ids]
            for ahead in ([notes[0]], [notes[-1]], notes[len(notes) // 2 :: 97], [notes[-1] + 1]):
                decoded = [ids for ids, _, _ in posting_blocks(data, fixed_size, ahead)]
                expected, start = [], -1
                for ids, _, _ in whole:
                    if any(start < docnum <= ids[-1] for docnum in ahead):
                        expected.append(ids)
                    start = ids[-1]
                assert decoded == expected
            checked += 1
    assert checked >= 5


def test_blocks_are_pickled_with_a_protocol_that_has_bytes():
    """A block's positions are `bytes`: pickled with Whoosh's protocol 2 each came back
    through a call of `_codecs.encode` (no opcode for bytes), 6x the time to unpickle."""
    import pickle
    import pickletools

    from indexer.engine.posting_writer import BLOCK_PROTOCOL

    values = tuple(bytes([1, position]) for position in range(128))
    data = pickle.dumps(((1,) * 128, None, values), BLOCK_PROTOCOL)
    opcodes = {opcode.name for opcode, _, _ in pickletools.genops(data)}
    assert BLOCK_PROTOCOL >= 4 and "SHORT_BINBYTES" in opcodes and "GLOBAL" not in opcodes


def test_a_built_index_has_its_blocks_in_that_protocol(segments):
    import io
    import pickle

    from indexer.deflate import inflate
    from indexer.engine.posting_writer import BLOCK_PROTOCOL

    reader = segments[1]  # the 600 notes': words of several blocks
    checked = 0
    for field, btext in list(reader.all_terms())[:200]:
        data = word_postings(reader, field, btext)
        stream = io.BytesIO(data)
        stream.seek(8)  # past the header and the first block's length
        info_at = stream.tell()
        _, _, _, compression, _, _ = pickle.load(stream)  # the first block's info
        length = abs(int.from_bytes(data[4:8], "big", signed=True))
        block = data[stream.tell() : 8 + length]
        block = inflate(block) if compression else block
        assert data[info_at : info_at + 2] == block[:2] == bytes([pickle.PROTO[0], BLOCK_PROTOCOL])
        checked += 1
    assert checked == 200
