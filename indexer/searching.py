"""Run queries against an open index and turn Whoosh results into `Hit`s with passages."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from whoosh import query as wq

from indexer.damage import reads_index
from indexer.errors import NoteParseError, QueryError
from indexer.markdown import strip_markdown
from indexer.notes import parse_note
from indexer.query import FieldCatalog, QueryParser, catalog_from_field_names
from indexer.results import DEFAULT_CONTEXT_CHARS, Hit, Passage, TermMatcher, best_passages
from indexer.schema import TEXT_ANALYZER
from indexer.store import open_whoosh_index

# Fields whose terms are highlighted in passages and titles.
_PASSAGE_FIELDS = frozenset({"body", "title", "subtitle"})


class SortOrder(Enum):
    """Order of hits."""

    RELEVANCE = "relevance"
    DATE = "date"  # oldest first
    NEWEST = "-date"  # newest first

    @classmethod
    def parse(cls, text: str) -> SortOrder:
        for order in cls:
            if order.value == text:
                return order
        raise QueryError(f"unknown sort order {text!r}", hint="use relevance, date or -date")


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of one page of a query, and what was asked."""

    query: str
    parsed: str  # the Whoosh query, for --debug-query
    total: int  # matching notes in all, not just this page
    page: int
    limit: int  # 0 = no limit
    hits: tuple[Hit, ...]
    seconds: float


class NoteIndex:
    """An open index over a corpus folder: the small public search API.

    >>> with open_index("corpus", "index_data") as notes:   # doctest: +SKIP
    ...     for hit in notes.search("GPRS gateway").hits:
    ...         print(hit.title, hit.date)
    """

    def __init__(self, corpus: Path, index_dir: Path) -> None:
        self.corpus = Path(corpus)
        self.index_dir = Path(index_dir)
        self._ix = open_whoosh_index(self.index_dir)
        self._searcher = None
        self._parser: QueryParser | None = None

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> NoteIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the searcher (and its open files)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def refresh(self) -> None:
        """See the latest commit (after an update by this or another process)."""
        self.close()
        self._ix = open_whoosh_index(self.index_dir)
        self._parser = None

    def refresh_if_changed(self) -> bool:
        """See a newer commit if one landed since the searcher opened; True when it did."""
        if self._searcher is None or self._searcher.up_to_date():
            return False
        self.refresh()
        return True

    @property
    @reads_index
    def searcher(self):
        """The Whoosh searcher, opened once and reused across queries."""
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        return self._searcher

    # -- queries -----------------------------------------------------------------------

    @property
    def catalog(self) -> FieldCatalog:
        """Field names users may type for this index."""
        return self.parser.catalog

    @property
    def parser(self) -> QueryParser:
        if self._parser is None:
            reader = self.searcher.reader()
            names = list(reader.indexed_field_names())
            self._parser = QueryParser(self._ix.schema, catalog_from_field_names(names), reader)
        return self._parser

    @reads_index
    def note_count(self) -> int:
        """Notes in the index."""
        return self.searcher.doc_count()

    @reads_index
    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: SortOrder = SortOrder.RELEVANCE,
        passages: int = 1,
        context: int = DEFAULT_CONTEXT_CHARS,
    ) -> SearchResult:
        """Run a query; `limit=0` returns every hit. Raises `QueryError` for bad queries."""
        if limit < 0:
            raise QueryError("limit must be 0 (all) or more")
        if page < 1:
            raise QueryError("page numbers start at 1")
        started = time.perf_counter()
        parsed = self.parser.parse(text)
        searcher = self.searcher
        wanted = None if limit == 0 else limit * page
        kwargs: dict[str, object] = {"limit": wanted}
        if sort is not SortOrder.RELEVANCE:
            kwargs.update(sortedby="date", reverse=sort is SortOrder.NEWEST)
        results = searcher.search(parsed, **kwargs)
        first = 0 if limit == 0 else limit * (page - 1)
        page_hits = list(results)[first:]
        matcher = self._matcher(parsed) if passages > 0 else None
        hits = tuple(
            self._hit(first + number, whoosh_hit, matcher, passages, context)
            for number, whoosh_hit in enumerate(page_hits, 1)
        )
        return SearchResult(
            query=text,
            parsed=repr(parsed),
            total=len(results),
            page=page,
            limit=limit,
            hits=hits,
            seconds=time.perf_counter() - started,
        )

    @reads_index
    def similar(self, path: str, *, limit: int = 10, page: int = 1, terms: int = 12) -> SearchResult:
        """Notes like the note at `path`: the key terms of its text, searched in the body.

        The note itself is left out. Passages highlight the key terms, which say why a
        note was found.
        """
        if limit < 0 or page < 1:
            raise QueryError("limit must be 0 (all) or more, and pages start at 1")
        started = time.perf_counter()
        searcher = self.searcher
        docnum = searcher.document_number(path_id=path)
        if docnum is None:
            raise QueryError(f"{path} is not in the index", hint="update it: indexer update")
        try:
            note = parse_note(self.corpus / path, self.corpus)
        except NoteParseError as exc:
            raise QueryError(f"cannot read {path}: {exc.reason}") from None
        text = "\n".join((note.title, note.subtitle, strip_markdown(note.body)))
        key_terms = searcher.key_terms_from_text("body", text, numterms=terms)
        if not key_terms:
            raise QueryError(f"{path} has no words to compare with other notes")
        parsed = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
        results = searcher.search(parsed, limit=None if limit == 0 else limit * page, mask={docnum})
        first = 0 if limit == 0 else limit * (page - 1)
        matcher = TermMatcher(TEXT_ANALYZER, [word for word, _ in key_terms])
        hits = tuple(
            self._hit(first + number, whoosh_hit, matcher, 1, DEFAULT_CONTEXT_CHARS)
            for number, whoosh_hit in enumerate(list(results)[first:], 1)
        )
        return SearchResult(
            query=f"like {path}",
            parsed=repr(parsed),
            total=len(results),
            page=page,
            limit=limit,
            hits=hits,
            seconds=time.perf_counter() - started,
        )

    @reads_index
    def field_values(self, fieldname: str) -> list[tuple[str, int]]:
        """Every term of a whole-value field (`tag_name`, `author_name`, `source_name`,
        `sx_country`, ...) with the number of notes holding it, most frequent first.

        Read from the index's term list, not from the notes; notes deleted since the
        last merge are not counted.
        """
        reader = self.searcher.reader()
        if fieldname not in self._ix.schema or fieldname not in set(reader.indexed_field_names()):
            return []
        counts: dict[bytes, int] = {}
        # Segment by segment: the multi-segment reader looks every term up in every segment.
        for segment, _ in reader.leaf_readers():
            exact = segment.has_deletions()  # a term's doc frequency still counts deleted notes
            if fieldname not in set(segment.indexed_field_names()):
                continue
            for term, info in segment.iter_field(fieldname):
                if exact:
                    count = sum(1 for _ in segment.postings(fieldname, term).all_ids())
                else:
                    count = info.doc_frequency()
                counts[term] = counts.get(term, 0) + count
        values = [(term.decode("utf-8"), count) for term, count in counts.items() if count]
        values.sort(key=lambda item: (-item[1], item[0].casefold(), item[0]))
        return values

    @reads_index
    def count(self, text: str) -> int:
        """Number of notes matching a query."""
        parsed = self.parser.parse(text)
        return len(self.searcher.search(parsed, limit=None, scored=False))

    # -- building hits -------------------------------------------------------------------

    def _matcher(self, parsed) -> TermMatcher:
        # Not Query.existing_terms(): in whoosh3 3.54 its loop variable shadows its
        # `fieldname` argument, so it stops after the first field and misses terms.
        reader = self.searcher.reader()
        terms = set()
        for leaf in parsed.leaves():
            for fieldname, term in leaf.expanded_terms(reader, phrases=True):
                if fieldname in _PASSAGE_FIELDS:
                    terms.add(term.decode("utf-8") if isinstance(term, bytes) else str(term))
        return TermMatcher(TEXT_ANALYZER, terms)

    def _hit(self, rank: int, whoosh_hit, matcher: TermMatcher | None, passages: int, context: int) -> Hit:
        stored = whoosh_hit.fields()
        path = stored.get("path_id", "")
        title = stored.get("title", "")
        found: tuple[Passage, ...] = ()
        title_spans: tuple = ()
        if matcher is not None:
            title_spans = matcher.spans(title)
            found = self._passages(path, matcher, passages, context)
            if not found and stored.get("subtitle"):
                found = (Passage(stored["subtitle"], matcher.spans(stored["subtitle"])),)
        when = stored.get("date")
        return Hit(
            rank=rank,
            path=path,
            title=title,
            score=float(whoosh_hit.score or 0.0),
            subtitle=stored.get("subtitle", ""),
            source=stored.get("source", ""),
            author=stored.get("author", ""),
            authors=tuple(stored.get("authors", ())),
            date=when.date() if when is not None else None,
            tags=tuple(stored.get("tags", ())),
            structured=tuple(tuple(pair) for pair in stored.get("structured", ())),
            link=stored.get("link", ""),
            title_spans=title_spans,
            passages=found,
        )

    def _passages(self, path: str, matcher: TermMatcher, count: int, context: int) -> tuple[Passage, ...]:
        try:
            note = parse_note(self.corpus / path, self.corpus)
        except NoteParseError:
            return ()  # the file changed or vanished since it was indexed
        return best_passages(note.body, note.body_line, matcher, count=count, context=context)


def open_index(corpus: Path | str = "corpus", index_dir: Path | str = "index_data") -> NoteIndex:
    """Open the index of `corpus` stored in `index_dir` for searching."""
    return NoteIndex(Path(corpus), Path(index_dir))
