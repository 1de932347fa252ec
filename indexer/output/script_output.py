"""What scripts read: the versioned JSON/JSONL shapes of results, paths, and value counts.

The contract: every JSON document and every JSONL line carries `format_version`. A version
changes only when a key is renamed, removed or changes meaning; new keys may appear within
a version, so scripts should ignore keys they do not know. `search --format-version N`
keeps shape N for as long as it is listed in `FORMAT_VERSIONS`. Text that comes from notes
is kept exactly (JSON-escaped), never shortened or sanitised.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from indexer.errors import NotesError
from indexer.output.safe_text import json_safe, terminal_safe
from indexer.search.facets import FacetValues
from indexer.search.results import Contribution, Hit, Passage, SearchResult

if TYPE_CHECKING:  # a one-shot search loads no batch code
    from indexer.search.batch import BatchOutcome

FORMAT_VERSION = 1
FORMAT_VERSIONS = (1,)


class FormatVersionError(NotesError):
    """A format version this program cannot write."""


def check_format_version(version: int) -> int:
    """`version` if it can be written, else a one-line error listing the ones that can."""
    if version not in FORMAT_VERSIONS:
        known = ", ".join(map(str, FORMAT_VERSIONS))
        raise FormatVersionError(f"unknown --format-version {version}", hint=f"this version writes {known}")
    return version


def result_to_dict(result: SearchResult, *, version: int = FORMAT_VERSION, facet_limit: int = 0) -> dict:
    """The whole result as one object; facets, timeline and suggestion only when present."""
    document: dict[str, object] = {
        "format_version": version,
        "query": result.query,
        "total": result.total,
        "relaxed": result.relaxed,
        "page": result.page,
        "limit": result.limit,
        "hits": [hit_to_dict(hit, version=version) for hit in result.hits],
    }
    document.update(_extras(result, facet_limit))
    return document


def render_json(result: SearchResult, *, version: int = FORMAT_VERSION, facet_limit: int = 0) -> str:
    """`result_to_dict` as indented JSON."""
    return _dumps(result_to_dict(result, version=version, facet_limit=facet_limit), indent=2) + "\n"


def render_jsonl(result: SearchResult, *, version: int = FORMAT_VERSION) -> Iterator[str]:
    """One object a line for each hit, each with `format_version`."""
    # A corrected query's hits say so on every line: a script reads lines one at a time.
    corrected = {"corrected_query": result.corrected_query} if result.corrected_query else {}
    for hit in result.hits:
        yield _dumps({"format_version": version} | hit_to_dict(hit, version=version) | corrected) + "\n"


def render_batch_outcome(
    outcome: BatchOutcome, *, version: int = FORMAT_VERSION, facet_limit: int = 0
) -> Iterator[str]:
    """JSONL for one query of a batch, each object with the query as written: its hits, then
    a summary (`total`, `hits` on the page, and facets, timeline or suggestion) when it has
    no hit on the page or extras were asked for; with counting only, `{"query", "total"}`."""
    head = {"format_version": version, "query": outcome.query.text}
    if outcome.total is not None:
        yield _dumps(head | {"total": outcome.total}) + "\n"
        return
    result = outcome.result
    if result is None:  # an error: reported on stderr
        return
    corrected = {"corrected_query": result.corrected_query} if result.corrected_query else {}
    for hit in result.hits:
        yield _dumps(head | hit_to_dict(hit, version=version) | corrected) + "\n"
    extras = _extras(result, facet_limit)
    if extras or not result.hits:
        yield _dumps(head | {"total": result.total, "hits": len(result.hits)} | extras) + "\n"


def hit_to_dict(hit: Hit, *, version: int = FORMAT_VERSION) -> dict[str, object]:
    """The JSON shape of a hit; "explain" only when it was asked for; "missing" (the query
    words it lacks) only for a near miss of a query of three words or more."""
    document: dict[str, object] = {
        "rank": hit.rank,
        "path": hit.path,
        "title": hit.title,
        "subtitle": hit.subtitle,
        "source": hit.source,
        "author": hit.author,
        "authors": list(hit.authors),
        "date": hit.date.isoformat() if hit.date else None,
        "tags": list(hit.tags),
        "link": hit.link,
        "score": None if hit.score is None else round(hit.score, 4),
        "snippet": hit.snippet,
        "matched_fields": list(hit.matched_fields),
        "passages": [passage_to_dict(passage) for passage in hit.passages],
        "duplicates": list(hit.duplicates),
    }
    if hit.missing:  # a near miss: the query words it lacks (not counted in "total")
        document["missing"] = list(hit.missing)
    if hit.explanation:
        document["explain"] = explanation_to_list(hit.explanation)
    if hit.collection is not None:
        document["collection"] = hit.collection
    return document


def passage_to_dict(passage: Passage) -> dict[str, object]:
    """{"text", "line", "heading", "highlights": [[start, end], ...] (offsets into text),
    "code": true for a line of a code block}."""
    return {
        "text": passage.text,
        "line": passage.line,
        "heading": passage.heading,
        "highlights": [list(span) for span in passage.spans],
        "code": passage.code,
    }


def facets_to_dict(facets: Mapping[str, FacetValues], *, limit: int = 0) -> dict[str, dict[str, int]]:
    """The JSON shape of facets: {field: {value: count}}, most frequent first (at most `limit`)."""
    return {name: dict(values[:limit] if limit else values) for name, values in facets.items()}


def explanation_to_list(explanation: tuple[Contribution, ...]) -> list[dict[str, object]]:
    """The JSON shape of an explanation: [{"field", "term", "score"}], largest first."""
    return [{"field": part.field, "term": part.term, "score": round(part.score, 4)} for part in explanation]


def render_paths(
    result: SearchResult,
    *,
    null: bool = False,
    escape: bool = False,
    place: Callable[[Hit], str] | None = None,
) -> str:
    """Hit paths, one a line (or NUL-separated for `xargs -0`): exactly as stored, or with
    control characters escaped when `escape` (for a terminal). `place` turns a hit into
    the path to print (an absolute one, for --absolute); else the path in its corpus."""
    end = "\0" if null else "\n"
    paths = (place(hit) if place else hit.path for hit in result.hits)
    return "".join((terminal_safe(path) if escape else path) + end for path in paths)


def render_value_counts(values: FacetValues) -> str:
    """`count<TAB>value` a line, most frequent first (for --output tags/authors/sources).

    Values are note text: control, bidi and invisible characters are always escaped
    (a tab or newline inside one would also break the line format); --json has them exact.
    """
    return "".join(f"{count}\t{terminal_safe(value)}\n" for value, count in values)


def _extras(result: SearchResult, facet_limit: int) -> dict[str, object]:
    extras: dict[str, object] = {}
    if result.facets:
        extras["facets"] = facets_to_dict(result.facets, limit=facet_limit)
    if result.timeline is not None:
        extras["timeline"] = dict(result.timeline)
    if result.suggestion is not None:
        extras["suggestion"] = result.suggestion.query
    if result.corrected_query is not None:
        extras["corrected_query"] = result.corrected_query
    return extras


def _dumps(document: object, indent: int | None = None) -> str:
    # Bidi overrides and C1 controls become \\uXXXX escapes: the same value for a JSON
    # reader, and harmless for a terminal that shows the JSON.
    return json_safe(json.dumps(document, ensure_ascii=False, indent=indent))
