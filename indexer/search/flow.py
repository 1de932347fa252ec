"""The steps of a search that do not depend on the engine: the query as typed, then its
spelling correction when nothing has every word, then the notes with most of the words,
then a did-you-mean suggestion. `NoteIndex` (Whoosh) and `ClusterNotes` (OpenSearch) both
take them from `SearchFlow` and supply the engine's own ranked result."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from indexer.errors import QueryError
from indexer.search.near_miss import near_miss_query
from indexer.search.query import straight_quotes
from indexer.search.ranking import ranking_bonuses, relaxed_query

if TYPE_CHECKING:
    from whoosh import query as wq

    from indexer.search.matched_fields import QueryTerms
    from indexer.search.near_miss import NearMissQuery
    from indexer.search.options import SearchOptions
    from indexer.search.query import QueryParser
    from indexer.search.ranking import Bonus
    from indexer.search.results import SearchResult
    from indexer.search.spelling import Suggestion


class SearchFlow:
    """What an engine supplies: `parser`, `_result` (one ranked query), `_terms` (what
    passages are chosen by), `_correction` (the query with its misspellings fixed) and
    `did_you_mean`."""

    parser: QueryParser

    def _result(
        self,
        text: str,
        parsed: wq.Query,
        started: float,
        options: SearchOptions,
        *,
        terms: QueryTerms | None = None,
        bonuses: tuple[Bonus, ...] = (),
        near: NearMissQuery | None = None,
        relaxed: bool = False,
    ) -> SearchResult:
        """`parsed` ranked: one page of hits, and what is counted over all of them. With
        `near`, notes lacking one of its words may join (`near_miss`; an engine without
        near misses ranks the strict matches only); `relaxed`: `parsed` is the relaxed query."""
        raise NotImplementedError

    def _terms(self, parsed: wq.Query, options: SearchOptions) -> QueryTerms | None:
        raise NotImplementedError

    def _parse(self, text: str) -> wq.Query:
        """`text` parsed (an engine may remember it for the rest of a search)."""
        return self.parser.parse(text)

    def _correction(self, text: str) -> str | None:
        raise NotImplementedError

    def did_you_mean(self, text: str, total: int | None = None) -> Suggestion | None:
        raise NotImplementedError

    def _search(self, typed: str, options: SearchOptions) -> SearchResult:
        result = self._search_straight(straight_quotes(typed), options)
        # “Typographic” quotes are read as `"` throughout (parse, correction, ranking);
        # the result still names the query as typed.
        return result if result.query == typed else replace(result, query=typed)

    def _search_straight(self, text: str, options: SearchOptions) -> SearchResult:
        started = time.perf_counter()
        parsed = self._parse(text)
        result = self._ranked(text, parsed, started, options)
        strict_total = result.total
        if result.total == 0 and options.correct:
            fixed = self._corrected(text, parsed, options)
            if fixed is not None:
                return replace(fixed, seconds=time.perf_counter() - started)
        if result.total == 0 and options.relevance and (fallback := relaxed_query(parsed)) is not None:
            # Rather than nothing, the notes with most of the words (the result says so).
            terms = self._terms(parsed, options)
            # Those with the words but one in one passage first.
            words = near_miss_query(parsed, text) if options.correct else None
            relaxed = self._result(text, fallback, started, options, terms=terms, near=words, relaxed=True)
            if relaxed.total:
                result = replace(relaxed, relaxed=True)
        if options.suggest:
            # A spelling fix is judged by the notes with all the words, not the relaxed ones.
            suggestion = self.did_you_mean(text, strict_total)
            result = replace(result, suggestion=suggestion, seconds=time.perf_counter() - started)
        return result

    def _ranked(
        self,
        text: str,
        parsed: wq.Query,
        started: float,
        options: SearchOptions,
        typed: tuple[wq.Query, str] | None = None,
    ) -> SearchResult:
        """`parsed` (from `text`) ranked, with the notes that lack one of its words (of the
        query as `typed`, parsed and as text, when `text` is its correction)."""
        terms = self._terms(parsed, options)
        bonuses = ranking_bonuses(parsed, text) if options.relevance else ()
        # Soft AND (see `near_miss`): notes lacking one word join, unless `--exact`.
        soft = options.relevance and options.correct
        words = near_miss_query(*(typed or (parsed, text))) if soft else None
        if words is not None and typed is not None:
            words = replace(words, corrected=True)
        return self._result(text, parsed, started, options, terms=terms, bonuses=bonuses, near=words)

    def _corrected(self, text: str, parsed_text: wq.Query, options: SearchOptions) -> SearchResult | None:
        """The hits of `text` with its misspelled words corrected, if that finds any: only
        unscoped words outside quotes are corrected (a quoted word or a field's exact
        value is meant as typed)."""
        corrected = self._correction(text)
        if corrected is None:
            return None
        try:
            parsed = self._parse(corrected)
        except QueryError:
            return None
        # A correction of a word that is in the index may be a guess: the notes holding
        # the other words as typed in one passage may rank among its hits.
        result = self._ranked(corrected, parsed, time.perf_counter(), options, (parsed_text, text))
        if not result.total:
            return None
        return replace(result, query=text, corrected_query=corrected)
