"""The three rankings the relevance evaluation compares, behind one `search(item) -> paths` call.

- `OurIndex`: notes-indexer itself, in process (`open_index(...).search`).
- `Fts5Baseline`: SQLite FTS5 in memory, bm25 with the title weighted, porter tokenizer.
- `WhooshCliBaseline`: whoosh3's own `whoosh search` command with its default options.
- `Fts5ParagraphBaseline`: SQLite FTS5 over paragraphs, a note ranked by its best
  paragraph, words ORed (passage retrieval, the standard answer to order-free queries).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.known_items import KnownItem, paragraphs
from indexer.errors import QueryError
from indexer.notes.note import Note

LIMIT = 10
# Paragraphs read to find the best ten notes (a note has ~15 paragraphs at most that match).
PARAGRAPH_ROWS = 400


class OurIndex:
    """notes-indexer's ranking; the index is built (or brought up to date) in `index_dir`."""

    name = "ours"

    def __init__(self, corpus: Path, index_dir: Path, *, rebuild: bool = False) -> None:
        from indexer.index.store import build_index, ensure_fresh_index
        from indexer.search.searching import open_index

        if rebuild:
            build_index(corpus, index_dir)
        else:
            ensure_fresh_index(corpus, index_dir)
        self._notes = open_index(corpus, index_dir)
        self.seconds: list[float] = []  # time of each search call, passages included
        self.relaxed = 0  # queries answered by the fallback for a strict query without hits

    def search(self, item: KnownItem) -> list[str]:
        started = time.perf_counter()
        try:
            # Every copy listed, as the baselines list them: folding near-duplicates is how
            # hits are shown, not how they are ranked (folded, a target re-titled copy ranked
            # second would count as missing, though its story is shown first).
            result = self._notes.search(item.query, limit=LIMIT, all_copies=True)
        except QueryError:
            return []
        self.seconds.append(time.perf_counter() - started)
        self.relaxed += result.relaxed
        return [hit.path for hit in result.hits]

    def close(self) -> None:
        self._notes.close()


class Fts5Baseline:
    """SQLite FTS5: `bm25(t, 10, 5, 1, 1)` over title, subtitle, body, author; terms ANDed.

    The body is the text notes-indexer indexes (markdown link targets dropped). Each word
    is quoted, a phrase stays one quoted phrase, `author:` becomes FTS5's column filter and
    `date:` a WHERE clause on an unindexed date column.
    """

    name = "fts5"

    def __init__(self, notes: Sequence[Note]) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, subtitle, body, author, path UNINDEXED, "
            "date UNINDEXED, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    note.title,
                    note.subtitle,
                    note.text,
                    note.author,
                    note.path,
                    note.date.isoformat() if note.date else "",
                )
                for note in notes
            ),
        )

    def search(self, item: KnownItem) -> list[str]:
        words = [" ".join(item.words)] if item.phrase else item.words
        match = " ".join(f'"{word}"' for word in words)
        where, parameters = "t MATCH ?", [match]
        if item.scope is not None:
            field, value = item.scope
            if field == "author":
                parameters[0] = f'{match} author:"{value}"'
            else:
                where += " AND date LIKE ?"
                parameters.append(f"{value}%")
        sql = f"SELECT path FROM t WHERE {where} ORDER BY bm25(t, 10.0, 5.0, 1.0, 1.0), rowid LIMIT {LIMIT}"
        try:
            return [row[0] for row in self._db.execute(sql, parameters)]
        except sqlite3.OperationalError:
            return []

    def close(self) -> None:
        self._db.close()


class Fts5ParagraphBaseline:
    """SQLite FTS5 over paragraphs: the title, the subtitle and each body paragraph
    (`known_items.paragraphs`) are rows of their own; a note scores by its best row's
    bm25 (MaxP), the words ORed, so a paragraph with more of them ranks higher.

    A phrase stays one quoted phrase; `author:` and `date:` filter on the note's columns.
    """

    name = "fts5-paragraphs"

    def __init__(self, notes: Sequence[Note]) -> None:
        self._db = sqlite3.connect(":memory:")
        self._db.execute(
            "CREATE VIRTUAL TABLE p USING fts5(text, author, path UNINDEXED, "
            "date UNINDEXED, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO p VALUES (?, ?, ?, ?)",
            (
                (text, note.author, note.path, note.date.isoformat() if note.date else "")
                for note in notes
                for text in (note.title, note.subtitle, *paragraphs(note.body))
                if text.strip()
            ),
        )

    def search(self, item: KnownItem) -> list[str]:
        words = [" ".join(item.words)] if item.phrase else item.words
        match = "text : (" + " OR ".join(f'"{word}"' for word in words) + ")"
        where, parameters = "p MATCH ?", [match]
        if item.scope is not None:
            field, value = item.scope
            if field == "author":
                parameters[0] = f'{match} AND author : "{value}"'
            else:
                where += " AND date LIKE ?"
                parameters.append(f"{value}%")
        # Paragraphs best first; a note takes the place of its best one (bm25() cannot be
        # aggregated by SQLite, so the first ten distinct notes are picked here).
        sql = f"SELECT path FROM p WHERE {where} ORDER BY bm25(p), rowid LIMIT {PARAGRAPH_ROWS}"
        try:
            rows = self._db.execute(sql, parameters)
        except sqlite3.OperationalError:
            return []
        return list(dict.fromkeys(row[0] for row in rows))[:LIMIT]

    def close(self) -> None:
        self._db.close()


class WhooshCliBaseline:
    """whoosh3's `whoosh search QUERY DIR -l --limit 10` (title and body, AND), run in process.

    `whoosh index` indexes a copy of the corpus (it writes inside the folder it indexes);
    the copy and its index are kept in `workdir` and reused while the corpus is unchanged.
    The command has no fields, so a scoped query is given its words only.
    """

    name = "whoosh"

    def __init__(self, corpus: Path, workdir: Path, *, rebuild: bool = False) -> None:
        self.root = Path(workdir) / "whoosh-corpus"
        stamp = Path(workdir) / "whoosh-corpus.stamp"
        signature = _corpus_signature(Path(corpus))
        if rebuild or not stamp.is_file() or stamp.read_text() != signature:
            stamp.unlink(missing_ok=True)
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.copytree(corpus, self.root)
            code, _ = _run_whoosh(["index", str(self.root), "--ext", ".md"])
            if code != 0:
                raise RuntimeError(f"whoosh index {self.root} failed with status {code}")
            stamp.write_text(signature)

    def search(self, item: KnownItem) -> list[str]:
        _, output = _run_whoosh(["search", item.text, str(self.root), "--limit", str(LIMIT), "-l"])
        return output.splitlines()

    def close(self) -> None:
        pass


def _run_whoosh(arguments: list[str]) -> tuple[int, str]:
    """Run the `whoosh` command's own entry point; its status and standard output."""
    from whoosh.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(arguments)
    return code, stdout.getvalue()


def _corpus_signature(corpus: Path) -> str:
    files = sorted(corpus.rglob("*.md"))
    stats = [path.stat() for path in files]
    newest = max((stat.st_mtime_ns for stat in stats), default=0)
    return f"{corpus.resolve()} {len(files)} {sum(stat.st_size for stat in stats)} {newest}\n"
