"""Searching notes on a cluster: the same query language, options and `SearchResult` as
`indexer.search.searching.NoteIndex`, answered by OpenSearch.

Hits, facets and the timeline come from one request; passages are our own, found in the
note file when it is readable here (the cluster's highlighter would mark its own stems).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import query as wq

from indexer.errors import NoteParseError, QueryError
from indexer.index.fields import FieldCatalog, catalog_from_field_names
from indexer.index.schema import STRUCTURED_PREFIX, TEXT_ANALYZER, build_schema
from indexer.notes.markdown import strip_markdown
from indexer.notes.note import Note, parse_note
from indexer.notes.parsed_notes import ParsedNotes
from indexer.opensearch.connection import ClusterSettings, cluster_error, connect
from indexer.opensearch.ranking import bonus_clauses, with_bonuses
from indexer.opensearch.translate import _MATCH_ALL, to_dsl
from indexer.search.explain import explain_hits
from indexer.search.facets import _most_frequent_first, facet_names, resolve_facet
from indexer.search.flow import SearchFlow
from indexer.search.matched_fields import QueryTerms, date_range_days, matched_fields
from indexer.search.near_miss import NearMissQuery
from indexer.search.options import SearchOptions, SortOrder
from indexer.search.query import QueryParser, wanted_leaves
from indexer.search.ranking import Bonus
from indexer.search.results import Contribution, Hit, Passage, SearchResult, TermMatcher, best_passages
from indexer.search.spelling import FEW_HITS, Suggestion

# OpenSearch's default `index.max_result_window`: the most hits one request may page to.
MAX_HITS = 10_000
# Facet values counted per facet: all of them, as Whoosh counts them (the news corpus's
# 4,490 notes hold ~3,000 distinct tags); a facet with more shows the most frequent.
FACET_VALUES = 20_000
_SOURCE_FIELDS = ["path_id", "shown", "source", "author", "authors", "date", "tags", "structured"]
# Scores from the whole index's word counts, as Whoosh's (each shard's own counts would
# order near-equal notes by which shard holds them): one more short round trip.
SEARCH_TYPE = "dfs_query_then_fetch"
# The Whoosh fields of whole values, by the facet the cluster counts them in.
_VALUE_FACETS = {"tag_name": "tag", "author_name": "author", "source_name": "source"}


class ClusterNotes(SearchFlow):
    """Notes indexed on an OpenSearch cluster; the search API of `NoteIndex`."""

    engine = "opensearch"  # `NoteIndex` has none: the shell asks which engine it drives

    def __init__(
        self,
        corpus: Path,
        cluster: ClusterSettings,
        *,
        weights: dict[str, float] | None = None,
        aliases: dict[str, str] | None = None,
        saved_dir: Path | str = "index_data",
    ) -> None:
        """`saved_dir` holds the saved searches (`@name`), as the Whoosh index folder does."""
        self.corpus = Path(corpus)
        self.saved_dir = Path(saved_dir)
        self.cluster = cluster
        self.weights = dict(weights or {})
        self.aliases = dict(aliases or {})
        self._client = connect(cluster)
        self._parser: QueryParser | None = None

    def __enter__(self) -> ClusterNotes:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def refresh(self) -> None:
        """Read the field list again (after an update added structured fields)."""
        self._parser = None

    def refresh_if_changed(self) -> bool:
        return False

    # -- queries -----------------------------------------------------------------------

    @property
    def parser(self) -> QueryParser:
        if self._parser is None:
            names = self._request(lambda: self._client.indices.get_mapping(index=self.cluster.index_name))
            properties = next(iter(names.values()))["mappings"].get("properties", {})
            catalog = catalog_from_field_names(list(properties), user_aliases=self.aliases)
            self._parser = QueryParser(build_schema(), catalog, weights=self.weights)
        return self._parser

    @property
    def catalog(self) -> FieldCatalog:
        return self.parser.catalog

    @property
    def saved_searches(self):
        """The named queries `@name` stands for, kept in `saved_dir`."""
        from indexer.search.saved import SavedSearches

        return SavedSearches(self.saved_dir)

    def facet_names(self) -> list[str]:
        return facet_names(self.catalog)

    def field_values(self, fieldname: str) -> list[tuple[str, int]]:
        """Every value of a whole-value field (`tag_name`, `author_name`, `source_name`,
        `sx_country`, ...) as the notes write it, with its number of notes, most frequent
        first: what `NoteIndex.field_values` gives the shell's completion."""
        name = _VALUE_FACETS.get(fieldname, fieldname.removeprefix(STRUCTURED_PREFIX))
        body = {"size": 0, "aggs": {"values": {"terms": {"field": f"spelling.{name}", "size": FACET_VALUES}}}}
        response = self._request(lambda: self._client.search(index=self.cluster.index_name, body=body))
        buckets = response.get("aggregations", {}).get("values", {}).get("buckets", ())
        return sorted(
            ((bucket["key"], bucket["doc_count"]) for bucket in buckets), key=lambda pair: (-pair[1], pair[0])
        )

    def note_count(self) -> int:
        return self._request(lambda: self._client.count(index=self.cluster.index_name))["count"]

    def count(self, text: str) -> int:
        """Number of notes matching a query."""
        body = {"query": to_dsl(self.parser.parse(text))}
        return self._request(lambda: self._client.count(index=self.cluster.index_name, body=body))["count"]

    def did_you_mean(self, text: str, total: int | None = None) -> Suggestion | None:
        """A corrected query with clearly more hits, when `text` has few (`total`, if known)."""
        from indexer.opensearch.spelling import suggest_query
        from indexer.search.lowercase_or import or_suggestion

        total = self.count(text) if total is None else total
        if (written := or_suggestion(self.count, text, total)) is not None:
            return written
        return suggest_query(self, text, total) if total < FEW_HITS else None

    def suggest(self, suggesters: dict) -> dict:
        """The cluster's answer to term `suggesters` (name -> suggester): name -> entries."""
        body = {"size": 0, "suggest": suggesters}
        response = self._request(lambda: self._client.search(index=self.cluster.index_name, body=body))
        return response.get("suggest", {})

    def search(self, text: str, options: SearchOptions | None = None, /, **keywords: Any) -> SearchResult:
        """Run a query, as `NoteIndex.search` does: a query without hits runs with its
        misspelled words corrected (unless not `correct`), then relaxed; `suggest` looks for
        a corrected query when there are few hits; `explain` fills each hit's explanation
        (each leaf's score, then each ranking bonus's). Near-duplicate folding is
        Whoosh-only (`all_copies` changes nothing here)."""
        return self._search(text, SearchOptions.of(options, **keywords))

    def _terms(self, parsed: wq.Query, options: SearchOptions) -> QueryTerms | None:
        return query_terms(parsed)

    def _correction(self, text: str) -> str | None:
        from indexer.opensearch.spelling import corrected_in_context

        return corrected_in_context(self, text)

    def similar(self, path: str, options: SearchOptions | None = None, /, **keywords: Any) -> SearchResult:
        """Notes like the note at `path`: OpenSearch's more_like_this over its body, title,
        subtitle and tags (the note itself is left out)."""
        options = SearchOptions.of(options, **keywords)
        started = time.perf_counter()
        index = self.cluster.index_name
        found = self._request(lambda: self._client.exists(index=index, id=path))
        if not found:
            raise QueryError(
                f"{path} is not in the index", hint="update it: indexer update --engine opensearch"
            )
        like = {
            "more_like_this": {
                "fields": ["title", "subtitle", "body", "tag_words"],
                "like": [{"_index": index, "_id": path}],
                "max_query_terms": options.terms,
                "min_term_freq": 1,
                "min_doc_freq": 2,
            }
        }
        words = frozenset(self._key_terms(path, options.terms))
        return self._result(
            f"like {path}", None, started, options, dsl=like, terms=QueryTerms({"body": words})
        )

    def note_path(self, typed: str | Path) -> str:
        """The corpus-relative path of a note typed as search shows it or as a file path."""
        text = str(typed)
        given = Path(text)
        if not given.is_absolute() and (self.corpus / given).is_file():
            return given.as_posix()
        if given.is_file():
            try:
                return given.resolve().relative_to(self.corpus.resolve()).as_posix()
            except ValueError:
                raise QueryError(f"{text} is not a note of the corpus {self.corpus}") from None
        return given.as_posix()  # perhaps indexed from another machine's copy of the corpus

    # -- the request ---------------------------------------------------------------------

    def _result(
        self,
        label: str,
        parsed: wq.Query | None,
        started: float,
        options: SearchOptions,
        *,
        terms: QueryTerms,
        dsl: dict | None = None,
        bonuses: Sequence[Bonus] = (),
        near: NearMissQuery | None = None,
        relaxed: bool = False,
    ) -> SearchResult:
        """One request for the hits, facets and timeline; `bonuses` (see `ranking`) are
        optional clauses of the query, which reorder the notes it matches. Near misses
        (`near`, `relaxed`) are Whoosh's only: the cluster ranks the notes `parsed` matches."""
        limit, page, sort, passages = options.limit, options.page, options.sort, options.passages
        context, timeline = options.context, options.timeline
        facet_fields = list(dict.fromkeys(resolve_facet(name, self.catalog) for name in options.facets))
        first = 0 if limit == 0 else limit * (page - 1)
        size = MAX_HITS - first if limit == 0 else limit
        if first + size > MAX_HITS:
            raise QueryError(f"the OpenSearch engine pages through the first {MAX_HITS} hits only")
        body: dict = {
            "query": with_bonuses(dsl if dsl is not None else to_dsl(parsed), bonuses),
            "from": first,
            "size": max(size, 0),
            "track_total_hits": True,
            "sort": _sort(sort),
            "_source": _SOURCE_FIELDS,
        }
        aggregations = _aggregations(facet_fields, timeline)
        if aggregations:
            body["aggs"] = aggregations
        response = self._request(
            lambda: self._client.search(index=self.cluster.index_name, body=body, search_type=SEARCH_TYPE)
        )
        notes = ParsedNotes(self.corpus)
        highlighted = terms.get("body") | terms.get("title") | terms.get("subtitle")
        matcher = TermMatcher(TEXT_ANALYZER, highlighted) if passages > 0 else None
        found_hits = response["hits"]["hits"]
        explained: dict[str, tuple[Contribution, ...]] = {}
        if options.explain and found_hits:
            explained = self._explain(parsed, dsl, bonuses, [raw["_id"] for raw in found_hits])
        hits = tuple(
            replace(
                self._hit(first + number, raw, terms, matcher, passages, context, notes, sort),
                explanation=explained.get(raw["_id"], ()),
            )
            for number, raw in enumerate(found_hits, 1)
        )
        found = response.get("aggregations", {})
        return SearchResult(
            query=label,
            parsed=repr(parsed) if parsed is not None else repr(dsl),
            total=response["hits"]["total"]["value"],
            page=page,
            limit=limit,
            hits=hits,
            seconds=time.perf_counter() - started,
            facets={name: _facet_values(name, found) for name in facet_fields},
            timeline=_months(found["timeline"]) if timeline else None,
        )

    def _hit(
        self,
        rank: int,
        raw: dict,
        terms: QueryTerms,
        matcher: TermMatcher | None,
        passages: int,
        context: int,
        notes: ParsedNotes,
        sort: SortOrder,
    ) -> Hit:
        stored = raw["_source"]
        path = stored.get("path_id", raw["_id"])
        shown = stored.get("shown", {})
        title, subtitle, link = shown.get("title", ""), shown.get("subtitle", ""), shown.get("link", "")
        note_date = date.fromisoformat(stored["date"][:10]) if stored.get("date") else None
        structured = tuple(tuple(pair) for pair in stored.get("structured", {}).get("pairs", ()))
        found: tuple[Passage, ...] = ()
        title_spans: tuple = ()
        matched: tuple[str, ...] = ()
        if matcher is not None:
            title_spans = matcher.spans(title)
            subtitle_spans = matcher.spans(subtitle)
            found = _passages(notes.get(path), matcher, passages, context)
            if not found and subtitle:
                found = (Passage(subtitle, subtitle_spans),)
            matched = matched_fields(
                terms,
                title_matched=bool(title_spans),
                subtitle_matched=bool(subtitle_spans),
                body_matched=any(passage.spans for passage in found),
                tags=tuple(stored.get("tags", ())),
                author=stored.get("author", ""),
                source=stored.get("source", ""),
                note_date=note_date,
                link=link,
                path=path,
                structured=structured,
            )
        return Hit(
            rank=rank,
            path=path,
            title=title,
            score=float(raw.get("_score") or 0.0) if sort is SortOrder.RELEVANCE else None,
            subtitle=subtitle,
            source=stored.get("source", ""),
            author=stored.get("author", ""),
            authors=tuple(stored.get("authors", ())),
            date=note_date,
            tags=tuple(stored.get("tags", ())),
            structured=structured,
            link=link,
            title_spans=title_spans,
            passages=found,
            matched_fields=matched,
        )

    def _explain(
        self, parsed: wq.Query | None, dsl: dict | None, bonuses: Sequence[Bonus], ids: list[str]
    ) -> dict[str, tuple[Contribution, ...]]:
        """Note id -> what each leaf of the query, then each ranking bonus, added to its
        score: each asked of the cluster for these notes alone, so they add up to it."""
        if parsed is not None:
            found = explain_hits(lambda leaf, only: self._scores(to_dsl(leaf), only), parsed, ids)
        else:
            found = {note_id: () for note_id in ids}
            for hit in self._scores(dsl or _MATCH_ALL, ids):
                found[hit.docnum] = (Contribution("similar", "more like this", hit.score),)
        for label, clause in bonus_clauses(bonuses):
            for hit in self._scores(clause, ids):
                if hit.score:
                    found[hit.docnum] = (*found[hit.docnum], Contribution("ranking", label, hit.score))
        return found

    def _scores(self, query: dict, ids: Collection[str]) -> list[_Scored]:
        """The score of `query` for each of the notes `ids` that it matches."""
        body = {
            "query": {"bool": {"must": [query], "filter": [{"ids": {"values": sorted(ids)}}]}},
            "size": len(ids),
            "_source": False,
        }
        response = self._request(
            lambda: self._client.search(index=self.cluster.index_name, body=body, search_type=SEARCH_TYPE)
        )
        return [_Scored(raw["_id"], float(raw.get("_score") or 0.0)) for raw in response["hits"]["hits"]]

    def _key_terms(self, path: str, count: int) -> list[str]:
        """The words --similar highlights: the note's most frequent body stems."""
        try:
            note = parse_note(self.corpus / path, self.corpus)
        except NoteParseError:
            return []
        text = "\n".join((note.title, note.subtitle, strip_markdown(note.body)))
        counts: dict[str, int] = {}
        for token in TEXT_ANALYZER(text):
            counts[token.text] = counts.get(token.text, 0) + 1
        return sorted(counts, key=lambda word: (-counts[word], word))[:count]

    def _request(self, call):
        from opensearchpy.exceptions import NotFoundError, OpenSearchException

        try:
            return call()
        except NotFoundError:
            from indexer.errors import IndexMissingError

            raise IndexMissingError(
                f"no index {self.cluster.index_name!r} on the OpenSearch cluster at {self.cluster.url}",
                hint="build it: indexer build --engine opensearch",
            ) from None
        except OpenSearchException as exc:
            raise cluster_error(self.cluster, exc) from None


class _Scored(NamedTuple):
    """A note's score for one clause, as `explain.explain_hits` reads a hit."""

    docnum: str  # the note's id on the cluster
    score: float


def query_terms(parsed: wq.Query) -> QueryTerms:
    """The terms of a parsed query by field (words and phrases; wildcards and fuzzy terms,
    which only the cluster expands, are not highlighted; nor are the words it excludes),
    and its date ranges."""
    found: dict[str, set[str]] = {}
    ranges = []
    for leaf in wanted_leaves(parsed):
        if isinstance(leaf, wq.DateRange):
            ranges.append(date_range_days(leaf))
        elif isinstance(leaf, wq.Phrase):
            found.setdefault(leaf.fieldname, set()).update(leaf.words)
        elif type(leaf) is wq.Term:
            found.setdefault(leaf.fieldname, set()).add(str(leaf.text))
    return QueryTerms({name: frozenset(words) for name, words in found.items()}, tuple(ranges))


def _sort(sort: SortOrder) -> list:
    # Equal notes in the order Whoosh gives them (see `ties`): newest first, then by path.
    if sort is SortOrder.RELEVANCE:
        return ["_score", {"date": {"order": "desc", "missing": "_last"}}, {"path_id": "asc"}]
    # Whoosh's newest-first is its oldest-first reversed: undated notes last, then first.
    if sort is SortOrder.DATE:
        return [{"date": {"order": "asc", "missing": "_last"}}, {"path_id": "asc"}]
    return [{"date": {"order": "desc", "missing": "_first"}}, {"path_id": "asc"}]


def _aggregations(facet_fields: list[str], timeline: bool) -> dict:
    aggs: dict = {}
    for name in facet_fields:
        if name in ("year", "month"):
            interval = "year" if name == "year" else "month"
            aggs[name] = {
                "date_histogram": {"field": "date", "calendar_interval": interval, "min_doc_count": 1}
            }
        else:
            aggs[name] = {"terms": {"field": f"facet.{name}", "size": FACET_VALUES}}
            aggs[f"{name}.spellings"] = {"terms": {"field": f"spelling.{name}", "size": FACET_VALUES}}
    if timeline:
        aggs["timeline"] = {
            "date_histogram": {"field": "date", "calendar_interval": "month", "min_doc_count": 1}
        }
    return aggs


def _facet_values(name: str, found: dict) -> tuple[tuple[str, int], ...]:
    if name in ("year", "month"):
        width = 4 if name == "year" else 7
        buckets = found[name]["buckets"]
        return _most_frequent_first(
            (bucket["key_as_string"][:width], bucket["doc_count"]) for bucket in buckets
        )
    from indexer.search.facets import fold

    best: dict[str, tuple[int, str]] = {}
    for bucket in found[f"{name}.spellings"]["buckets"]:
        key = fold(bucket["key"])
        candidate = (bucket["doc_count"], bucket["key"])
        if key not in best or candidate > best[key]:
            best[key] = candidate
    return _most_frequent_first(
        (best.get(bucket["key"], (0, bucket["key"]))[1], bucket["doc_count"])
        for bucket in found[name]["buckets"]
    )


def _months(found: dict) -> tuple[tuple[str, int], ...]:
    return tuple((bucket["key_as_string"][:7], bucket["doc_count"]) for bucket in found["buckets"])


def _passages(note: Note | None, matcher: TermMatcher, count: int, context: int) -> tuple[Passage, ...]:
    if note is None:
        return ()  # not readable here: the cluster may index a corpus on another machine
    return best_passages(
        note.body, note.body_line, matcher, count=count, context=context, section=note.section
    )


def structured_field(name: str) -> str:
    return STRUCTURED_PREFIX + name
