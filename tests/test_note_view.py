"""The view of each note the index keeps (notes/note_view.py): what a hit shows of a note
without reading or parsing its file, exactly what parsing the file gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.index.opening import open_whoosh_index
from indexer.index.schema import TEXT_ANALYZER
from indexer.index.store import build_index
from indexer.notes.markdown import Block
from indexer.notes.note import parse_note
from indexer.notes.note_view import (
    VIEW_VERSION,
    IndexedNote,
    NoteView,
    NoteViewError,
    decode_note_view,
    encode_note_view,
    indexed_view,
)
from indexer.notes.parsed_notes import ParsedNotes
from indexer.search.results import TermMatcher, best_passages
from indexer.search.searching import open_index
from tests.conftest import SHARED, info_note, parsed_shared_notes


def stored_views(index_dir: Path) -> dict[str, NoteView]:
    """Path -> the view the index keeps of each of its notes."""
    ix = open_whoosh_index(index_dir)
    with ix.searcher() as searcher:
        values = searcher.reader().column_reader("blocks")
        return {
            fields["path_id"]: decode_note_view(
                values[docnum],
                fields["path_id"],
                title=fields.get("title", ""),
                subtitle=fields.get("subtitle", ""),
                tags=fields.get("tags", ()),
            )
            for docnum, fields in searcher.reader().iter_docs()
        }


def test_every_bundled_note_is_kept_in_the_index_as_parsing_it_gives(bundled_index):
    corpus, index = bundled_index
    views = stored_views(index)
    assert len(views) == len(list(corpus.rglob("*.md"))) > 30
    matcher = TermMatcher(TEXT_ANALYZER, {"ransomwar", "attack", "gatewai", "patch", "the"})
    for path, view in views.items():
        note = parse_note(corpus / path, corpus)
        assert view == NoteView.of(note), path
        assert view.text == note.text, path
        for count, context in ((1, 240), (3, 80)):
            shown = best_passages(
                view.blocks, view.body_line, matcher, count=count, context=context, section=view.section
            )
            parsed = best_passages(
                note.body, note.body_line, matcher, count=count, context=context, section=note.section
            )
            assert shown == parsed, path


@pytest.mark.shared_corpus
def test_every_shared_news_note_is_kept_in_the_index_as_parsing_it_gives(shared_news_index):
    _, index, _ = shared_news_index
    views = stored_views(index)
    parsed = parsed_shared_notes("news")
    assert len(views) == len(parsed) > 4000
    differ = [path for path, note in parsed.items() if views[path] != NoteView.of(note)]
    assert not differ, differ[:5]


@pytest.mark.shared_corpus
def test_every_shared_front_matter_note_reads_back_from_its_value_as_parsed():
    if not (SHARED / "corpus" / "frontmatter").is_dir():
        pytest.skip("shared front-matter corpus not found")
    notes = parsed_shared_notes("frontmatter").values()
    assert len(notes) > 700
    for note in notes:
        value = encode_note_view(note)
        view = decode_note_view(value, note.path, title=note.title, subtitle=note.subtitle, tags=note.tags)
        assert view == NoteView.of(note), note.path


# -- at search --------------------------------------------------------------------------------


QUERIES = ("ransomware attack", "GPRS gateway", "PrintNightmare", "cobalt strike beacon", "patch")


def test_a_search_shows_the_same_hits_and_passages_from_the_index_as_from_parsing(bundled_index, monkeypatch):
    import indexer.notes.note
    import indexer.notes.note_view
    import indexer.notes.parsed_notes

    def no_parse(*_args, **_keywords):
        raise AssertionError("a note as indexed was parsed")

    corpus, index = bundled_index
    with monkeypatch.context() as patched:
        patched.setattr(indexer.notes.note, "parse_note_text", no_parse)
        with open_index(corpus, index) as notes:
            shown = [notes.search(query, passages=3) for query in QUERIES]
            similar = notes.similar(shown[0].hits[0].path)
    monkeypatch.setattr(indexer.notes.parsed_notes, "indexed_view", lambda *_: None)  # every note parsed
    with open_index(corpus, index) as notes:
        parsed = [notes.search(query, passages=3) for query in QUERIES]
        assert notes.similar(shown[0].hits[0].path).hits == similar.hits
    assert sum(len(hit.passages) for result in shown for hit in result.hits) > 20
    assert [result.hits for result in shown] == [result.hits for result in parsed]


@pytest.fixture
def gateway_index(corpus, write_note, index_dir):
    """A note indexed an hour after it was written: (its file, the index)."""
    path = write_note("a.md", info_note("Gateway report", "The GPRS gateway was breached."))
    os.utime(path, (path.stat().st_mtime - 3600,) * 2)
    build_index(corpus, index_dir)
    return path


def snippet(corpus: Path, index_dir: Path, query: str = "gateway") -> str:
    with open_index(corpus, index_dir) as notes:
        return notes.search(query).hits[0].snippet


def test_a_note_edited_after_indexing_is_parsed_again_and_shows_its_new_text(
    gateway_index, corpus, index_dir, write_note
):
    assert "GPRS" in snippet(corpus, index_dir)
    write_note("a.md", info_note("Gateway report", "The EDGE gateway was breached."))  # same size
    assert "EDGE" in snippet(corpus, index_dir)


def test_a_note_of_another_size_with_its_old_mtime_is_parsed_again(gateway_index, corpus, index_dir):
    before = gateway_index.stat()
    gateway_index.write_text(info_note("Gateway report", "The UMTS radio gateway was breached."))
    os.utime(gateway_index, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "UMTS" in snippet(corpus, index_dir)


def test_notes_whose_folder_is_gone_show_their_passages_from_the_index(gateway_index, corpus, index_dir):
    """The hits come from the index, and so do their passages (`search --no-update` of an
    unmounted folder; an update would say the folder is gone)."""
    shutil.move(corpus, corpus.with_name("moved"))
    with open_index(corpus, index_dir) as notes:
        result = notes.search("gateway")
    assert result.hits[0].snippet == "The GPRS gateway was breached."
    assert result.hits[0].passages[0].spans and not result.warnings


def test_a_note_deleted_since_indexing_shows_nothing_of_what_it_said(gateway_index, corpus, index_dir):
    gateway_index.unlink()
    with open_index(corpus, index_dir) as notes:
        result = notes.search("gateway")
    assert [hit.passages for hit in result.hits] == [()] and not result.warnings


def test_a_damaged_stored_view_falls_back_to_parsing_the_note(corpus, write_note, index_dir, monkeypatch):
    import indexer.index.schema

    write_note("a.md", info_note("Gateway report", "The GPRS gateway was breached."))
    write_note("b.md", info_note("Another report", "A second gateway, left open."))
    damaged = iter([bytes((VIEW_VERSION,)) + b"x\x9c not deflate", b"\x7fa later layout"])
    monkeypatch.setattr(indexer.index.schema, "encode_note_view", lambda note: next(damaged))
    build_index(corpus, index_dir)
    with open_index(corpus, index_dir) as notes:
        result = notes.search("gateway")
    assert sorted(hit.snippet for hit in result.hits) == [
        "A second gateway, left open.",
        "The GPRS gateway was breached.",
    ]
    assert not result.warnings
    assert notes.note_memo.parsed == 2


@pytest.mark.parametrize(
    "value",
    [b"", b"\x00", bytes((VIEW_VERSION,)), bytes((VIEW_VERSION,)) + b"garbage", b"\x02" + b"x" * 20],
    ids=["empty", "version 0", "version only", "not deflate", "another version"],
)
def test_a_value_that_is_no_view_is_an_error_of_its_own(value):
    with pytest.raises(NoteViewError):
        decode_note_view(value, "a.md")


def test_a_cut_or_mistyped_view_is_an_error_of_its_own():
    import zlib

    note = parse_note_of("# T\n\nOne [link](x) here.\n\n## Part\n\nTwo.\n")
    value = encode_note_view(note)
    assert decode_note_view(value, "n.md", title="T") == NoteView.of(note)
    with pytest.raises(NoteViewError):
        decode_note_view(value[:-4], "n.md")
    heads = {
        "more texts than blocks": ('[1,"",[["t",0]]]', "a", "b"),
        "a line that is no number": ('[1,"",[["t","0"]]]', "a"),
        "an unknown kind": ('[1,"",[["q",0]]]', "a"),
        "a body line that is no number": ('["1","",[["t",0]]]', "a"),
        "link spans cut in half": ('[1,"",[["t",0,0,[1,2,3]]]]', "a"),
        "no JSON head": ("[1,", "a"),
    }
    for reason, parts in heads.items():
        stored = bytes((VIEW_VERSION,)) + zlib.compress("\x00".join(parts).encode())
        with pytest.raises(NoteViewError):
            decode_note_view(stored, "n.md")
            pytest.fail(reason)


def parse_note_of(text: str):
    from indexer.notes.note import parse_note_text

    return parse_note_text(text, "n.md")


def test_a_block_text_holding_a_nul_is_stored_as_no_view():
    view = NoteView("a.md", (Block("text", "a\x00b", 0),))
    assert encode_note_view(view) == b""


def test_a_note_changed_into_something_else_at_its_path_is_not_shown_from_the_index(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    note = root / "a.md"
    note.write_text("# A\n\nText.\n")
    info = note.stat()
    value = encode_note_view(parse_note(note, root))
    indexed = IndexedNote(info.st_mtime_ns, info.st_size, value)
    assert indexed_view(str(root), "a.md", indexed).text == "Text."
    note.unlink()
    note.symlink_to(tmp_path / "elsewhere.md")
    assert indexed_view(str(root), "a.md", indexed) is None  # parsing it says why not
    assert indexed_view(str(root), "a.md", IndexedNote(None, None, None)) is None  # an older index
    assert ParsedNotes(root).shown("a.md", indexed) is None


def test_a_fresh_interpreter_search_shows_passages_without_importing_markdown_it(bundled_index):
    """PrintNightmare's notes need markdown-it's inline rules when they are parsed. Nor
    are our own parsers loaded (markdown, the note formats, dates): ~40 M instructions of
    a one-shot search (`notes/blocks.py`)."""
    corpus, index = bundled_index
    parsers = ("markdown_it", "indexer.notes.markdown", "indexer.notes.formats", "indexer.notes.dates")
    code = (
        "import sys\n"
        "from indexer import open_index\n"
        f"with open_index({str(corpus)!r}, {str(index)!r}) as notes:\n"
        "    result = notes.search('PrintNightmare', passages=3)\n"
        "print(sum(len(hit.passages) for hit in result.hits))\n"
        f"print([name for name in {parsers!r} if name in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    passages, imported = done.stdout.splitlines()
    assert int(passages) >= 3 and imported == "[]"
