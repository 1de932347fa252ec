"""Run queries against an open index and turn Whoosh results into `Hit`s with passages."""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from indexer.collector import paused_collection
from indexer.engine.bm25f import WordPostings, can_score, scored_matches
from indexer.engine.date_column import with_column_dates
from indexer.errors import QueryError
from indexer.index.damage import reads_index
from indexer.index.duplicates import Copies
from indexer.index.fields import FieldCatalog, catalog_from_field_names
from indexer.index.opening import open_whoosh_index
from indexer.index.schema import TEXT_ANALYZER
from indexer.notes.note_view import IndexedNote, NoteView
from indexer.notes.parsed_notes import NoteMemo, ParsedNotes
from indexer.search.facets import FacetCounter, FacetValues, facet_names, resolve_facet, term_counts
from indexer.search.flow import SearchFlow
from indexer.search.matched_fields import QueryTerms, matched_fields
from indexer.search.near_miss import NearMissQuery, could_reach, near_misses
from indexer.search.options import FEW_HITS, SearchOptions, SortOrder
from indexer.search.query import QueryParser
from indexer.search.ranking import RERANK_WINDOW, Bonus, ranking_bonuses, rerank, word_groups
from indexer.search.results import (  # SearchResult and SortOrder are imported from here too
    Contribution,
    Hit,
    Passage,
    SearchResult,
    TermMatcher,
    best_passages,
)
from indexer.search.saved import SavedSearches
from indexer.search.ties import OrderOf, in_tie_order, newest_first
from indexer.search.timeline import MonthCounts, month_counts

if TYPE_CHECKING:
    from indexer.search.spelling import Suggestion

# Fields whose terms are highlighted in passages and titles.
_PASSAGE_FIELDS = frozenset({"body", "title", "subtitle"})
# In a note's file as written: a markdown link's or image's target, and a bare address.
_LINK_TARGET = re.compile(r'\]\([^)\s]*(?:\s+"[^"\n]*")?\)')
# A bare address (what `\b(?:https?://|www\.)\S+` matches), looked for by its two literal
# starts (`_without_addresses`).
_WEB_ADDRESS = re.compile(r"https?://\S+")
_WWW_ADDRESS = re.compile(r"www\.\S+")
_WORD_CHAR = re.compile(r"\w")
# Stored fields kept per searcher (about 2 KB each): past this many, the memo starts over.
_STORED_FIELDS_KEPT = 5000


class NoteIndex(SearchFlow):
    """An open index over a corpus folder: the small public search API.

    >>> with open_index("corpus", "index_data") as notes:   # doctest: +SKIP
    ...     for hit in notes.search("GPRS gateway").hits:
    ...         print(hit.title, hit.date)
    """

    def __init__(
        self,
        corpus: Path,
        index_dir: Path,
        *,
        weights: dict[str, float] | None = None,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.corpus = Path(corpus)
        self.index_dir = Path(index_dir)
        self.weights = dict(weights or {})  # field weights from notes.toml, if any
        self.aliases = dict(aliases or {})  # the user's field aliases from notes.toml
        self._ix = open_whoosh_index(self.index_dir)
        self._searcher = None
        self._parser: QueryParser | None = None
        self._facet_counter: FacetCounter | None = None
        self._copies: Copies | None = None
        self._newest_first: OrderOf | None = None
        self._stored: dict[int, dict] = {}  # docnum -> stored fields, for this searcher
        self._views = None  # the column of the notes' views (`note_view`), for this searcher
        # The ranked matches of each query scored during one search (see `_matches`).
        self._matched: dict[tuple, tuple[list[tuple[Any, int]], int, WordPostings | None]] = {}
        self._parsed: dict[str, wq.Query] = {}  # the queries parsed during one search
        # Parsed notes kept between searches (each checked against its file's stat first).
        self.note_memo: NoteMemo | None = NoteMemo()

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> NoteIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the searcher (and its open files)."""
        # The parser lists words from the searcher's reader (spelling corrections): a
        # new searcher gets a new one, else a correction after `close` read a closed reader.
        self._parser = None
        self._facet_counter = None
        self._copies = None
        self._newest_first = None
        self._stored = {}
        self._views = None
        self._matched = {}
        self._parsed = {}
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
            from indexer.engine.scoring import CachedLengthBM25F
            from indexer.engine.term_stats import remember_term_stats

            self._searcher = self._ix.searcher(weighting=CachedLengthBM25F())
            remember_term_stats(self._searcher)
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
            catalog = catalog_from_field_names(names, user_aliases=self.aliases)
            self._parser = QueryParser(self._ix.schema, catalog, weights=self.weights, reader=reader)
        return self._parser

    @reads_index
    def note_count(self) -> int:
        """Notes in the index."""
        return self.searcher.doc_count()

    @reads_index
    def search(self, text: str, options: SearchOptions | None = None, /, **keywords: Any) -> SearchResult:
        """Run a query with `options` (`SearchOptions`; its fields may be given as keyword
        arguments instead, `limit=0` returns every hit). Raises `QueryError` for bad queries.

        When no note has every word and a spelling correction of the unscoped, unquoted
        words finds notes that do, those are the hits (`SearchResult.corrected_query`
        says which query ran), as web search does; `correct=False` runs the query as typed.

        `facets` are counted among all hits into `SearchResult.facets`; `timeline` counts
        all hits per month into `SearchResult.timeline`; `explain` fills each hit's
        `explanation` (what each field and term added to its score); `suggest` looks for
        a corrected query when there are few hits (`SearchResult.suggestion`).
        """
        with paused_collection():  # see `indexer.collector`: ~7% of a search
            try:
                return self._search(text, SearchOptions.of(options, **keywords))
            finally:
                # The matches remembered for this search only, dropped before the collector
                # is back: it would walk each of their tuples once more (a third of its
                # work after a search).
                self._matched = {}
                self._parsed = {}

    def _parse(self, text: str) -> wq.Query:
        """`text` parsed, remembered for the rest of this search: a correction parses each
        candidate query to score it, then the chosen one again to search it (Whoosh's
        parser takes about a millisecond). Scoring never changes a parsed query: what it
        adjusts is a copy (`with_column_dates`)."""
        parsed = self._parsed.get(text)
        if parsed is None:
            parsed = self._parsed[text] = self.parser.parse(text)
        return parsed

    def _terms(self, parsed: wq.Query, options: SearchOptions) -> QueryTerms | None:
        return self._query_terms(parsed) if options.passages > 0 else None

    def _correction(self, text: str) -> str | None:
        from indexer.search.spelling import corrected_in_context  # only when a query needs it

        return corrected_in_context(self, text, self._best_score, self._others_found, self._finds_notes)

    def _others_found(self, text: str, without: str) -> bool:
        """Whether a note has the words of `without` (`text` less one of its words): False
        only when `text` is a plain AND of words (what the parser makes of unquoted words,
        each an `Or` of its fields) and `without` is the same less that word's `Or`, so
        that `text` with the word replaced by any other matches only notes `without`
        matches. A correction then spares scoring each replacement (a parse, a search and
        a rerank each). The notes are found as a search scores them, rarest words first
        (Whoosh's matchers would read every field of every word first)."""
        full, rest = self._parse(text), self._parse(without)
        if '"' in text or not isinstance(full, wq.And) or len(word_groups(full)) != len(full.subqueries):
            return True  # not only words: a replacement may change more than its word
        parts = rest.subqueries if isinstance(rest, wq.And) else [rest]
        if len(parts) != len(full.subqueries) - 1 or any(part not in full.subqueries for part in parts):
            return True
        found = self._scored_matches(rest, ())
        return found is None or bool(found)

    def _best_score(self, text: str) -> float:
        """The ranked score of the best note `text` finds (0 if none): what a correction
        is chosen by."""
        parsed = self._parse(text)
        result = self._result(
            text, parsed, time.perf_counter(), _BEST_ONLY, terms=None, bonuses=ranking_bonuses(parsed, text)
        )
        return result.hits[0].score if result.hits else 0.0

    def _finds_notes(self, text: str) -> bool:
        """Whether `_best_score(text)` is above 0, without the rerank: a correction alone
        in its tier is chosen if it finds notes, whatever its score. The bonuses only add
        to a note's score (each a boost of its words' scores, none below 0), so the best
        note scores above 0 once reranked if and only if it did before. What is scored
        is remembered as `_best_score` remembers it (the chosen query is searched next)."""
        parsed = self._parse(text)
        bonuses = ranking_bonuses(parsed, text)
        window = _tie_window(_BEST_ONLY.wanted, bonuses)
        ranked, _, _ = self._matches(parsed, window, _BEST_ONLY.sort, (), keep=bool(bonuses))
        return bool(ranked) and float(ranked[0][0] or 0.0) > 0

    def did_you_mean(self, text: str, total: int | None = None) -> Suggestion | None:
        """A corrected query with clearly more hits, when `text` has few (`total`, if known)."""
        total = self.count(text) if total is None else total
        if total >= FEW_HITS:
            return None
        from indexer.search.lowercase_or import or_suggestion
        from indexer.search.spelling import suggest_query  # only when a query needs it

        if (written := or_suggestion(self.count, text, total)) is not None:
            return written

        return suggest_query(self, text, total)

    @reads_index
    def similar(self, path: str, options: SearchOptions | None = None, /, **keywords: Any) -> SearchResult:
        """Notes like the note at `path` (relative to the corpus): its `options.terms` key
        terms of its title, subtitle, body and tags, searched in the body.

        The note itself is left out. Passages highlight the key terms, which say why a
        note was found. `suggest` and `correct` do not apply.
        """
        options = SearchOptions.of(options, **keywords)
        started = time.perf_counter()
        searcher = self.searcher
        docnum = searcher.document_number(path_id=path)
        if docnum is None:
            raise QueryError(f"{path} is not in the index", hint="update it: indexer update")
        notes = ParsedNotes(self.corpus, self.note_memo)
        note = notes.shown(path, self._indexed_note(docnum, searcher.stored_fields(docnum)))
        if note is None:
            reason = notes.problems.get(path, "file disappeared since it was indexed")
            raise QueryError(f"cannot read {path}: {reason}")
        text = "\n".join((note.title, note.subtitle, note.text, " ".join(note.tags)))
        key_terms = searcher.key_terms_from_text("body", text, numterms=options.terms)
        if not key_terms:
            raise QueryError(f"{path} has no words to compare with other notes")
        parsed = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
        terms = QueryTerms({"body": frozenset(word for word, _ in key_terms)})
        return self._result(
            f"like {path}",
            parsed,
            started,
            options,
            exclude={docnum},
            terms=terms if options.passages > 0 else None,
        )

    def stored_title(self, path: str) -> str:
        """The indexed title of the note at `path` ("" when it is not in the index)."""
        fields = self.searcher.document(path_id=path)
        return fields.get("title", "") if fields else ""

    def note_path(self, typed: str | Path) -> str:
        """The corpus-relative path of a note given relative to the corpus root (as hits show
        it), or as a file path from the current folder (`corpus/news/x.md`, `/abs/x.md`)."""
        text = str(typed)
        given = Path(text)
        root = self.corpus.resolve()
        outside = QueryError(
            f"{text} is outside the notes folder {self.corpus}",
            hint="give a note's path as search prints it, or a file path inside that folder",
        )
        if not given.is_absolute() and (self.corpus / given).is_file():
            if ".." not in given.parts:
                return given.as_posix()
            try:  # `../secret.txt` beside the corpus folder is not a note of it
                return (self.corpus / given).resolve().relative_to(root).as_posix()
            except ValueError:
                raise outside from None
        if given.is_file():
            try:
                return given.resolve().relative_to(root).as_posix()
            except ValueError:
                raise outside from None
        raise QueryError(f"no note at {text}", hint="give its path as search prints it, or a file path")

    def _result(
        self,
        label: str,
        parsed: wq.Query,
        started: float,
        options: SearchOptions,
        *,
        terms: QueryTerms | None,
        exclude: Collection[int] = (),
        bonuses: Sequence[Bonus] = (),
        near: NearMissQuery | None = None,
        relaxed: bool = False,
    ) -> SearchResult:
        """Run a parsed query: one page of hits, and whatever is counted over all of them.

        `bonuses` (see `ranking`) reorder the best `RERANK_WINDOW` matches; they never add
        or drop one. With `near`, notes lacking one of its words may join the ranked ones
        (`near_miss`; their hits say which word); `total` counts the strict matches.
        Unless `all_copies`, near-duplicate copies of a note ranked higher are
        folded into it (listed in its `duplicates`)."""
        facet_fields = [resolve_facet(name, self.catalog) for name in options.facets]
        matcher = None
        if terms is not None:
            highlighted = terms.get("body") | terms.get("title") | terms.get("subtitle")
            matcher = TermMatcher(TEXT_ANALYZER, highlighted)
        wanted = options.wanted
        window = _tie_window(wanted, bonuses)
        copies = None if options.all_copies else self.copies
        # Our own ranked list of (score, docnum), every match: tie order -> rerank -> fold
        # -> page -> hits. Whoosh's `Results` is read once and never edited.
        ranked, total, postings = self._matches(parsed, window, options.sort, exclude, keep=bool(bonuses))
        notes = ParsedNotes(self.corpus, self.note_memo)  # ranking and passages read each note once
        bonuses_given: dict[int, list[tuple[str, float]]] = {}
        if bonuses:
            # Exact forms are checked for the notes that could reach the page, counting
            # the places that folding copies may free.
            needed = wanted
            if copies and needed is not None:
                needed += copies.among(docnum for _, docnum in ranked[:RERANK_WINDOW])
            ranked, bonuses_given = rerank(
                self.searcher,
                ranked,
                bonuses,
                partial(self._field_text, notes),
                needed,
                postings,
                alone=near is not None,
            )
        lacking: dict[int, str] = {}
        if (
            near is not None
            and total
            and (relaxed or self._near_misses_matter(ranked, bonuses_given, wanted, copies))
        ):
            ranked, lacking = near_misses(
                self.searcher, near, ranked, bonuses_given, RERANK_WINDOW, relaxed=relaxed, postings=postings
            )
        if copies:
            ranked = copies.fold(ranked, keep=wanted)
        first = options.first
        page_ranked = options.page_of(ranked)
        explained = {}
        if options.explain:
            from indexer.search.explain import explain_hits  # only with --explain

            explained = explain_hits(self._whoosh_search, parsed, [docnum for _, docnum in page_ranked])
            for docnum, given in bonuses_given.items():
                if docnum in explained:
                    parts = (Contribution("ranking", label, value) for label, value in given)
                    explained[docnum] = (*explained[docnum], *parts)
        hits = tuple(
            self._hit(
                first + number,
                docnum,
                # Sorted by date, Whoosh's score is the sort key, not a relevance score.
                float(score or 0.0) if options.relevance else None,
                terms,
                matcher,
                options.passages,
                options.context,
                explained.get(docnum, ()),
                copies=copies,
                notes=notes,
                missing=(lacking[docnum],) if docnum in lacking else (),
            )
            for number, (score, docnum) in enumerate(page_ranked, 1)
        )
        counted: dict[str, FacetValues] = {}
        months: MonthCounts | None = None
        if facet_fields or options.timeline:
            docnums = self._all_docnums(parsed, exclude)
            counter = self.facet_counter
            counted = {name: counter.count(name, docnums) for name in dict.fromkeys(facet_fields)}
            months = month_counts(counter, docnums) if options.timeline else None
        return SearchResult(
            query=label,
            parsed=repr(parsed),
            total=total,
            page=options.page,
            limit=options.limit,
            hits=hits,
            seconds=time.perf_counter() - started,
            facets=counted,
            timeline=months,
            warnings=tuple(f"{path}: no passages: {reason}" for path, reason in notes.problems.items()),
        )

    @staticmethod
    def _near_misses_matter(
        ranked: Sequence[tuple[float, int]],
        given: dict[int, list[tuple[str, float]]],
        wanted: int | None,
        copies: Copies | None,
    ) -> bool:
        """Whether near misses could change the first `wanted` hits of the strict `ranked`
        (see `near_miss.could_reach`); when not, their postings are not read at all."""
        shown = (lambda prefix: len(copies.fold(list(prefix)))) if copies else len
        return could_reach(ranked, given, wanted, shown)

    def _whoosh_search(
        self,
        query: wq.Query,
        *,
        sort: SortOrder = SortOrder.RELEVANCE,
        exclude: Collection[int] = (),
        only: Collection[int] | None = None,
    ):
        """Whoosh results for `query`: every match in `sort` order, without the `exclude`d
        notes, among the `only` ones if given (docnums). Every scored search goes through
        here, explanations included, so that all are scored alike."""
        searcher = self.searcher
        query = with_column_dates(query)
        mask = set(exclude) if exclude else None
        allow = set(only) if only is not None else None
        if sort is not SortOrder.RELEVANCE:
            by_date = {"sortedby": "date", "reverse": sort is SortOrder.NEWEST}
            return searcher.search(query, limit=None, filter=allow, mask=mask, **by_date)
        from whoosh.collectors import FilterCollector, UnlimitedCollector

        # Whoosh's default top-N search skips blocks and swaps matchers by score
        # estimates; with BM25F over several fields on a multi-segment index those
        # estimates are not upper bounds, and it returned the wrong top hits (measured:
        # "ransomware attack" ranked a 41.4 note first while one scoring 48.7 existed).
        # Every match is scored, and kept: the total is exact, and the page is cut after
        # the order of equal notes is settled (see `_in_tie_order`).
        collector = UnlimitedCollector()
        collector.replace = 0  # no matcher swapping either
        if mask is not None or allow is not None:
            collector = FilterCollector(collector, allow, mask)
        searcher.search_with_collector(_lazy_unions_under_and(query, searcher.reader()), collector)
        return collector.results()

    def _matches(
        self, query: wq.Query, window: int | None, sort: SortOrder, exclude: Collection[int], *, keep: bool
    ) -> tuple[list[tuple[Any, int]], int, WordPostings | None]:
        """`_in_tie_order`, and what it read of the words' postings if `keep` (for the
        rerank), remembered for the rest of this search: a correction scores each candidate
        query to choose one (`_best_score`), then searches the chosen one again."""
        key = (repr(query), window, sort, tuple(sorted(exclude)), keep)
        found = self._matched.get(key)
        if found is None:
            postings = WordPostings() if keep else None  # what the search reads, for the rerank
            ranked, total = self._in_tie_order(query, window, sort, exclude, postings)
            found = self._matched[key] = (ranked, total, postings)
        ranked, total, postings = found
        return list(ranked), total, postings

    def _in_tie_order(
        self,
        query: wq.Query,
        window: int | None,
        sort: SortOrder,
        exclude: Collection[int],
        postings: WordPostings | None = None,
    ) -> tuple[list[tuple[Any, int]], int]:
        """Every match of `_whoosh_search` as our own ranked list of (score or sort key,
        docnum), and the number of matches; notes that rank equal among the first `window`
        (None: all) are in an order of their own rather than by Whoosh's document numbers
        (see `ties`): equal scores newest first, then by path; equal dates by path.
        Every match is scored anyway (see `_whoosh_search`); keeping them all tells where
        a run of equal ones ends."""
        matches = self._scored_matches(query, exclude, postings) if sort is SortOrder.RELEVANCE else None
        if matches is None:
            results = self._whoosh_search(query, sort=sort, exclude=exclude)
            matches = results.top_n
        orders: list[OrderOf] = [self._path_of]
        if sort is SortOrder.RELEVANCE:
            if self._newest_first is None:  # the dates are read once per searcher
                self._newest_first = newest_first(self.searcher.reader())
            orders.insert(0, self._newest_first)
        return in_tie_order(matches, orders, upto=window), len(matches)

    def _scored_matches(
        self, query: wq.Query, exclude: Collection[int], postings: WordPostings | None = None
    ) -> list[tuple[float, int]] | None:
        """Every match of a query of words with its score, as `_whoosh_search` would list
        them, from `engine/bm25f.py`'s scorer (the same scores, in a fraction of Whoosh's
        time); None for any other query (phrases, fuzzy words, ranges, negations):
        Whoosh scores those. `postings` keeps what was read of the words' postings."""
        query = with_column_dates(query)
        if not can_score(query):
            return None  # before the union choice below, which looks every word up
        searcher = self.searcher
        query = _lazy_unions_under_and(query, searcher.reader())
        return scored_matches(searcher, query, mask=set(exclude) if exclude else None, postings=postings)

    def _path_of(self, docnum: int) -> str:
        """The path of note `docnum`: for ordering equal notes and for folding copies."""
        return self._stored_fields(docnum).get("path_id", "")

    def _stored_fields(self, docnum: int) -> dict:
        """The stored fields of note `docnum`, remembered for this searcher: reading them
        costs about 40 microseconds, and a query asks for the best hundred notes' paths
        (copies, ties), titles (exact-form bonuses) and the page's hits. Not to be changed."""
        stored = self._stored.get(docnum)
        if stored is None:
            if len(self._stored) >= _STORED_FIELDS_KEPT:
                self._stored.clear()
            stored = self._stored[docnum] = self.searcher.stored_fields(docnum)
        return stored

    def _all_docnums(self, parsed: wq.Query, exclude: Collection[int] = ()) -> set[int]:
        """Every note matching `parsed` (not just the page shown)."""
        docnums = set(self.searcher.docs_for_query(with_column_dates(parsed)))
        return docnums.difference(exclude) if exclude else docnums

    @property
    def copies(self) -> Copies:
        """The near-duplicate groups of the last commit, as this searcher numbers notes."""
        if self._copies is None:
            self._copies = Copies.load(self.index_dir, self._path_of)
        return self._copies

    @property
    def facet_counter(self) -> FacetCounter:
        """Counts facet values; made once per searcher, so what it reads is reused."""
        if self._facet_counter is None:
            self._facet_counter = FacetCounter(self.searcher)
        return self._facet_counter

    @property
    def saved_searches(self) -> SavedSearches:
        """The named queries saved beside this index (`@name` runs one)."""
        return SavedSearches(self.index_dir)

    def facet_names(self) -> list[str]:
        """The facets of this index: source, author, tag, year, month and its structured fields."""
        return facet_names(self.catalog)

    @reads_index
    def field_values(self, fieldname: str) -> list[tuple[str, int]]:
        """Every term of a whole-value field (`tag_name`, `author_name`, `source_name`,
        `sx_country`, ...) with the number of notes holding it, most frequent first.

        Read from the index's term list, not from the notes; notes deleted since the
        last merge are not counted.
        """
        return term_counts(self.searcher.reader(), fieldname)

    @reads_index
    def count(self, text: str) -> int:
        """Number of notes matching a query."""
        parsed = self.parser.parse(text)
        return len(self.searcher.search(with_column_dates(parsed), limit=None, scored=False))

    # -- building hits -------------------------------------------------------------------

    def _query_terms(self, parsed) -> QueryTerms:
        return QueryTerms.of(parsed, self.searcher.reader())

    def _field_text(self, notes: ParsedNotes, docnum: int, field: str) -> str | None:
        """The text of a field of a note, for ranking: the title as stored in the index;
        for the body, the note's file as written (None if it cannot be read now): its
        words as typed are what ranking looks for, and reading is cheaper than parsing."""
        stored = self._stored_fields(docnum)
        if field != "body":
            return stored.get(field)
        text = notes.text(stored.get("path_id", ""))
        return without_link_targets(text) if text else text

    def _hit(
        self,
        rank: int,
        docnum: int,
        score: float | None,
        terms: QueryTerms | None,
        matcher: TermMatcher | None,
        passages: int,
        context: int,
        explanation: tuple[Contribution, ...] = (),
        *,
        copies: Copies | None = None,
        notes: ParsedNotes,
        missing: tuple[str, ...] = (),
    ) -> Hit:
        stored = self._stored_fields(docnum)
        path = stored.get("path_id", "")
        title = stored.get("title", "")
        found: tuple[Passage, ...] = ()
        title_spans: tuple = ()
        when = stored.get("date")
        note_date = when.date() if when is not None else None
        matched: tuple[str, ...] = ()
        if matcher is not None and terms is not None:
            title_spans = matcher.spans(title)
            subtitle_spans = matcher.spans(stored.get("subtitle", ""))
            shown = notes.shown(path, self._indexed_note(docnum, stored))
            found = self._passages(notes, shown, matcher, passages, context)
            body_matched = any(passage.spans for passage in found)
            if not found and stored.get("subtitle"):
                found = (Passage(stored["subtitle"], subtitle_spans),)
            matched = matched_fields(
                terms,
                title_matched=bool(title_spans),
                subtitle_matched=bool(subtitle_spans),
                body_matched=body_matched,
                tags=tuple(stored.get("tags", ())),
                author=stored.get("author", ""),
                source=stored.get("source", ""),
                note_date=note_date,
                link=stored.get("link", ""),
                path=path,
                structured=tuple(tuple(pair) for pair in stored.get("structured", ())),
            )
        return Hit(
            rank=rank,
            path=path,
            title=title,
            score=score,
            subtitle=stored.get("subtitle", ""),
            source=stored.get("source", ""),
            author=stored.get("author", ""),
            authors=tuple(stored.get("authors", ())),
            date=note_date,
            tags=tuple(stored.get("tags", ())),
            structured=tuple(tuple(pair) for pair in stored.get("structured", ())),
            link=stored.get("link", ""),
            title_spans=title_spans,
            passages=found,
            matched_fields=matched,
            duplicates=copies.others(path) if copies else (),
            explanation=explanation,
            missing=missing,
        )

    def _indexed_note(self, docnum: int, stored: dict) -> IndexedNote:
        """What the index keeps of note `docnum` for showing it: its view and stored fields."""
        if self._views is None:
            reader = self.searcher.reader()
            self._views = reader.column_reader("blocks") if reader.has_column("blocks") else False
        return IndexedNote(
            stored.get("mtime_ns"),
            stored.get("size"),
            self._views[docnum] if self._views is not False else None,
            stored.get("title", ""),
            stored.get("subtitle", ""),
            tuple(stored.get("tags", ())),
        )

    def _passages(
        self, notes: ParsedNotes, note: NoteView | None, matcher: TermMatcher, count: int, context: int
    ) -> tuple[Passage, ...]:
        if note is None:
            return ()  # the file changed or vanished since it was indexed
        from indexer.notes.parse_budget import ParseBudgetExceeded, parse_budget

        try:
            with parse_budget():
                return best_passages(
                    note.blocks, note.body_line, matcher, count=count, context=context, section=note.section
                )
        except ParseBudgetExceeded as exc:
            notes.problems[note.path] = exc.reason
            return ()


# What `_best_score` asks for: the best note, no passages, copies not folded.
_BEST_ONLY = SearchOptions(limit=1, passages=0, all_copies=True)


def _tie_window(wanted: int | None, bonuses: Sequence[Bonus]) -> int | None:
    """How far a search orders equal notes (None: all): as far as the page (`wanted`
    hits), or as far as bonuses may reorder."""
    return max(wanted, RERANK_WINDOW) if bonuses and wanted is not None else wanted


def without_link_targets(text: str) -> str:
    """A note's file as written without its links' and images' targets and bare addresses:
    they are not words of the note (its parsed body has none), and their many parts would
    push the words around them apart."""
    return _without_addresses(_LINK_TARGET.sub("]", text))


def _without_addresses(text: str) -> str:
    """`text` with each bare address replaced by a space, as the one expression in the
    comment above `_WEB_ADDRESS` replaced them (tests/test_ranking.py keeps it), 9x faster
    (7 against 68 us a news note; the rerank reads up to `EXACT_WINDOW` notes a query):
    the two literal starts are searched for apart, each a fast scan, where the one
    expression tried a word boundary at every character. An address is taken at the
    first start left to right that follows no word character, up to the next space, and
    the search goes on after it; a start after a word character (`xhttp://`) is passed
    over by one character."""
    kept: list[str] = []
    end = 0
    web, www = _WEB_ADDRESS.search(text), _WWW_ADDRESS.search(text)
    while web is not None or www is not None:
        found = web if www is None or (web is not None and web.start() < www.start()) else www
        start = found.start()
        if not (start and _WORD_CHAR.match(text, start - 1)):
            kept += (text[end:start], " ")
            end = found.end()
        after = max(start + 1, end)
        if web is not None and web.start() < after:
            web = _WEB_ADDRESS.search(text, after)
        if www is not None and www.start() < after:
            www = _WWW_ADDRESS.search(text, after)
    if not kept:
        return text
    kept.append(text[end:])
    return "".join(kept)


def _lazy_unions_under_and(query, reader):
    """Score the field alternatives of an AND-ed word lazily when a sibling is rare.

    On small indexes Whoosh pre-scores every posting of an OR (all six fields of a
    word) even when a rarer word of the same AND rules most of those notes out; a
    lazy union then scores only the notes that survive the intersection ("GPRS
    gateway": 7 ms -> 1.2 ms). When all the words are common, pre-scoring is faster
    ("ransomware attack": 69 ms against 76 ms), so it is kept.
    """
    from whoosh import query as wq

    if isinstance(query, wq.And):
        sizes = [child.estimate_size(reader) for child in query.subqueries]
        if sizes and min(sizes) * 4 < max(sizes):
            for child in query.subqueries:
                if isinstance(child, wq.Or):
                    child.matcher_type = wq.Or.DEFAULT_MATCHER
    for child in query.children():
        _lazy_unions_under_and(child, reader)
    return query


def open_index(
    corpus: Path | str = "corpus",
    index_dir: Path | str = "index_data",
    *,
    weights: dict[str, float] | None = None,
    aliases: dict[str, str] | None = None,
) -> NoteIndex:
    """Open the index of `corpus` stored in `index_dir` for searching.

    `weights` change field weights ({"title": 4.0}); `aliases` add field names ({"a": "author"}).
    """
    return NoteIndex(Path(corpus), Path(index_dir), weights=weights, aliases=aliases)
