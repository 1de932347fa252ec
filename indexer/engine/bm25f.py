"""BM25F over the postings: every match of a query of words with Whoosh's scores, faster.

Whoosh scores a match through a tree of matchers, each posting several Python calls deep
(`ArrayUnionMatcher._read_part` -> `WrappingMatcher.score` -> `LeafMatcher.score` ->
`BM25FScorer.score` -> `bm25`, and `id`, `next`, `is_active` around them): for
`ransomware attack` on the news corpus, three quarters of the search's time. Queries of
plain words (`Term`s, combined by `Or` and `And`, what the parser makes of unquoted
words, alone or field-scoped) are scored here instead, a posting block at a time:

- each word's postings are read a block at a time (ids and weights), and each posting
  scored with the same BM25F expression, the same statistics (the scorer Whoosh would
  use: idf and average length from the whole index, field lengths from our cached
  column) and the word's boost, as Whoosh multiplies them;
- the scores of a note are added up in the order Whoosh adds them: the same tree of
  unions and intersections that Whoosh's query would build (`make_binary_tree`,
  `make_weighted_tree`, the array union of a small index adding its words in order), so
  each score is the same float, not just about the same;
- the matches are returned as Whoosh's `UnlimitedCollector` lists them: score
  descending, then document number.

Phrases, fuzzy words and constant-score words (the relaxed query's) are scored here too.
Anything else in the query (a range, a negation, a date) makes
`scored_matches` return None, and the caller asks Whoosh. Fast path only
(`version.fast_path`). tests/test_bm25f.py checks every match's score and place against
Whoosh's own search on many queries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import Any

from indexer.engine.posting_blocks import posting_blocks, word_postings
from indexer.engine.version import fast_path

# Scores of one query node in one segment: segment docnum -> score.
Scores = dict[int, float]


class _Unsupported(Exception):
    """A query node this scorer does not handle: Whoosh scores the query."""


# The plan's nodes are plain classes with `__slots__`, not dataclasses: nothing compares,
# hashes or copies them, and building a dataclass costs a one-shot search ~4.5 M
# instructions each (issue 19). Their fields are set once, in `__init__`.


class _Leaf:
    __slots__ = ("boost", "field", "size", "text")

    def __init__(self, field: str, text: Any, boost: float, size: int) -> None:
        self.field = field
        self.text = text  # as the field's bytes
        self.boost = boost
        self.size = size  # the notes of the segment that have it (deleted ones included)


class _Sum:
    """Notes of either side (`both`: only of both), their scores added left + right."""

    __slots__ = ("both", "left", "right")

    def __init__(self, left: Any, right: Any, both: bool) -> None:
        self.left = left
        self.right = right
        self.both = both


class _ArrayUnion:
    """Whoosh's `ArrayUnionMatcher`: each part's scores times `boost`, added in order
    (`scored` False: 1 for every note, as under a fuzzy word's constant score)."""

    __slots__ = ("boost", "parts", "scored")

    def __init__(self, parts: tuple, boost: float, scored: bool = True) -> None:
        self.parts = parts
        self.boost = boost
        self.scored = scored


class _Phrase:
    """Whoosh's `Phrase` (a `SpanNear2` of its words, in order): the notes with each word
    1 to `slop` positions after the one before, scored as the intersection of the
    words (`words`, a binary tree of `_Sum`s over the leaves)."""

    __slots__ = ("leaves", "slop", "words")

    def __init__(self, leaves: tuple[_Leaf, ...], words: Any, slop: int) -> None:
        self.leaves = leaves
        self.words = words
        self.slop = slop


class _Constant:
    """Whoosh's `ConstantScoreQuery` where no current match is needed (a search): a
    `ListMatcher` of the child's notes, each scoring `score` (the relaxed query counts
    each word found this way, `ranking.relaxed_query`)."""

    __slots__ = ("child", "score")

    def __init__(self, child: Any, score: float) -> None:
        self.child = child
        self.score = score


class _Boosted:
    __slots__ = ("boost", "child")

    def __init__(self, child: Any, boost: float) -> None:
        self.child = child
        self.boost = boost


_EMPTY: tuple = ()  # a word a segment does not hold (Whoosh's `NullMatcher`)


def scored_matches(
    searcher,
    query,
    *,
    allow: Collection[int] | None = None,
    mask: Collection[int] | None = None,
    postings: WordPostings | None = None,
) -> list[tuple[float, int]] | None:
    """Every note matching `query` as (score, docnum), best first then by docnum, as
    Whoosh's `UnlimitedCollector` gives them with `searcher`'s BM25F weighting; only the
    notes in `allow` (if given) and not in `mask`. None when the query holds anything
    but words, phrases, fuzzy and constant-score words (`Term`, `Phrase`, `FuzzyTerm`,
    `ConstantScoreQuery`, combined by `Or`
    and `And`): then ask Whoosh.

    `postings`, if given, keeps what was read of each word's postings: its score in each
    note before its boost, and its positions there (what a rerank reads again).
    """
    if not fast_path() or not can_score(query):
        return None
    from whoosh.scoring import BM25FScorer

    found: list[tuple[float, int]] = []
    kept = getattr(searcher.weighting, "kept_reads", None)
    try:
        for subsearcher, offset in searcher.leaf_searchers():
            segment = _Segment(subsearcher, offset, searcher.weighting, BM25FScorer, postings, kept)
            plan = _plan(query, subsearcher, _LookupOnce(subsearcher.reader()))
            found.extend([(score, docnum + offset) for docnum, score in segment.evaluate(plan).items()])
    except _Unsupported:
        return None
    if allow is not None or mask is not None:
        found = [
            item
            for item in found
            if (allow is None or item[1] in allow) and (mask is None or item[1] not in mask)
        ]
    # Best first, then by docnum (Whoosh's key: (0 - score, docnum)), in two stable sorts.
    found.sort(key=itemgetter(1))
    found.sort(key=itemgetter(0), reverse=True)
    return found


# Postings of words kept by a searcher between queries (`KeptReads`), at most: about
# 40 MB (a common word of 45,000 notes has 15,000 in its body).
KEPT_POSTINGS = 200_000


class KeptReads:
    """What a searcher's queries read of each word's postings, kept for its later queries
    (a resident process answers `ransomware`, then `ransomware attack`, on one searcher):
    a segment never changes, and a searcher lives no longer than its segments. Forgets
    everything past `KEPT_POSTINGS` postings."""

    def __init__(self) -> None:
        self._reads: dict[tuple[object, str, Any], _Read] = {}
        self._postings = 0

    def get(self, reader, key: tuple[str, Any]) -> _Read | None:
        return self._reads.get((reader, *key))

    def keep(self, reader, key: tuple[str, Any], read: _Read) -> None:
        size = len(read.scores)
        if self._postings + size > KEPT_POSTINGS:
            self._reads.clear()
            self._postings = 0
        if size <= KEPT_POSTINGS:
            self._reads[reader, *key] = read
            self._postings += size


class _Read:
    """What was read of a word's postings in one segment."""

    __slots__ = ("blocks", "covered", "firsts", "scores")

    def __init__(
        self,
        scores: Scores,  # docnum -> the word's score (before its boost)
        blocks: list | None,  # each block read: (ids, values); None if read a posting at a time
        firsts: list[int],  # each block's first docnum
        covered: frozenset[int] | None,  # the notes whose postings were read (None: all)
    ) -> None:
        self.scores = scores
        self.blocks = blocks
        self.firsts = firsts
        self.covered = covered

    def covers(self, wanted: frozenset[int] | None) -> bool:
        return self.covered is None or (wanted is not None and wanted <= self.covered)


class _Segment:
    """One segment's scores of a plan's nodes, each word's postings read once.

    Under an intersection, the side with fewer notes is scored first and the other side
    only for the notes it found (`wanted`): a rare word's few notes are looked up in a
    common word's postings, block by block, skipping the blocks that cannot hold them
    (as Whoosh's `skip_to` does), and only they are scored."""

    def __init__(
        self,
        searcher,
        offset: int,
        weighting,
        scorer_type,
        postings: WordPostings | None,
        kept: KeptReads | None,
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.weighting = weighting
        self.scorer_type = scorer_type
        self.postings = postings
        self.kept = kept
        self.deleted = self.reader.deleted_docs_set
        self.read: dict[tuple[str, Any], _Read] = {}

    def word(self, node: _Leaf, wanted: frozenset[int] | None = None) -> _Read:
        key = (node.field, node.text)
        found = self.read.get(key)
        if found is None and self.kept is not None:
            found = self.kept.get(self.reader, key)  # read by an earlier query of this searcher
            if found is not None and found.covers(wanted):
                self._use(node, found)
        if found is None or not found.covers(wanted):
            scores, blocks = _leaf_scores(
                self.searcher, node.field, node.text, self.weighting, self.deleted, self.scorer_type, wanted
            )
            firsts = [ids[0] for ids, _ in blocks] if blocks is not None else []
            found = _Read(scores, blocks, firsts, wanted)
            self._use(node, found)
            if self.kept is not None:
                self.kept.keep(self.reader, key, found)
        return found

    def _use(self, node: _Leaf, read: _Read) -> None:
        self.read[node.field, node.text] = read
        if self.postings is not None:
            field_type = self.searcher.schema[node.field]
            count = self.searcher.doc_count_all()
            self.postings.add(field_type, node.field, node.text, self.offset, count, read)

    def _positions_reader(self, node: _Leaf) -> Callable[[int], Sequence[int]]:
        """Note docnum -> the word's positions there (the note has it), from the blocks
        read; its read, blocks and decoder looked up once (a phrase checks thousands of
        notes at 45,000)."""
        read = self.read[node.field, node.text]
        blocks, firsts = read.blocks, read.firsts
        decode = self.searcher.schema[node.field].format.decoder("positions")

        def positions(docnum: int) -> Sequence[int]:
            if blocks is None:
                raise _Unsupported("positions not read a block at a time")
            ids, values = blocks[bisect_right(firsts, docnum) - 1]
            return decode(values[bisect_left(ids, docnum)])

        return positions

    def evaluate(self, node, wanted: frozenset[int] | None = None) -> Scores:
        """Segment docnum -> score for a plan node, adding as Whoosh's matchers add: every
        match, or (`wanted`) at least those among `wanted`."""
        if node is _EMPTY:
            return {}
        kind = type(node)
        if kind is _Leaf:
            scores = self.word(node, wanted).scores
            boost = node.boost
            if boost != 1.0:  # Whoosh's `WrappingMatcher` around a boosted word
                return {docnum: score * boost for docnum, score in scores.items()}
            return scores
        if kind is _Boosted:
            boost = node.boost
            return {docnum: score * boost for docnum, score in self.evaluate(node.child, wanted).items()}
        if kind is _Constant:
            return dict.fromkeys(self.evaluate(node.child, wanted), node.score)
        if kind is _ArrayUnion:
            boost = node.boost
            total: Scores = {}
            get = total.get
            for part in node.parts:
                if node.scored:
                    for docnum, score in self.evaluate(part, wanted).items():
                        total[docnum] = get(docnum, 0) + score * boost
                else:
                    total.update(dict.fromkeys(self.evaluate(part, wanted), 1.0))
            # The array union skips a note whose sum is not above zero.
            return {docnum: score for docnum, score in total.items() if score > 0}
        if kind is _Phrase:
            scores = self.evaluate(node.words, wanted)
            slop = node.slop
            readers = [self._positions_reader(leaf) for leaf in node.leaves]
            return {
                docnum: score
                for docnum, score in scores.items()
                if (wanted is None or docnum in wanted) and _chained_in(readers, docnum, slop)
            }
        if node.both:
            # Scored as left + right, the side with fewer notes read first.
            if _size(node.right) < _size(node.left):
                right = self.evaluate(node.right, wanted)
                left = self.evaluate(node.left, _narrowed(right, wanted))
            else:
                left = self.evaluate(node.left, wanted)
                right = self.evaluate(node.right, _narrowed(left, wanted))
            if len(right) < len(left):
                return {docnum: left[docnum] + score for docnum, score in right.items() if docnum in left}
            return {docnum: score + right[docnum] for docnum, score in left.items() if docnum in right}
        left = self.evaluate(node.left, wanted)
        right = self.evaluate(node.right, wanted)
        # A union, left + right where both have a note. A word's own scores are kept for
        # other nodes (`_borrowed`); any other side is this node's to add into.
        if not _borrowed(node.right) and (_borrowed(node.left) or len(left) < len(right)):
            for docnum, score in left.items():
                theirs = right.get(docnum)
                right[docnum] = score if theirs is None else score + theirs
            return right
        merged = dict(left) if _borrowed(node.left) else left
        for docnum, score in right.items():
            mine = merged.get(docnum)
            merged[docnum] = score if mine is None else mine + score
        return merged


def _borrowed(node) -> bool:
    """Whether `_Segment.evaluate` gives a node's scores as a dict kept for others: a
    word's own (unboosted) scores; every other node's are made for its parent."""
    return type(node) is _Leaf and node.boost == 1.0


def _narrowed(found: Scores, wanted: frozenset[int] | None) -> frozenset[int]:
    return frozenset(found) if wanted is None else wanted.intersection(found)


def _size(node) -> int:
    """At most how many notes of the segment a plan node matches (as Whoosh estimates)."""
    if node is _EMPTY:
        return 0
    kind = type(node)
    if kind is _Leaf:
        return node.size
    if kind is _Boosted or kind is _Constant:
        return _size(node.child)
    if kind is _Phrase:
        return _size(node.words)
    if kind is _ArrayUnion:
        return sum(_size(part) for part in node.parts)
    if node.both:
        return min(_size(node.left), _size(node.right))
    return _size(node.left) + _size(node.right)


def _chained_in(readers: Sequence[Callable[[int], Sequence[int]]], docnum: int, slop: int) -> bool:
    """True if in note `docnum` each word is 1 to `slop` positions after the one before
    (Whoosh's `SpanNear2` with `ordered` and `mindist=1`, over single-position spans), each
    word's positions decoded only while the chain before it holds."""
    reachable = readers[0](docnum)
    for positions_of in readers[1:]:
        reachable = [
            position
            for position in positions_of(docnum)
            if (at := bisect_left(reachable, position - slop)) < len(reachable) and reachable[at] < position
        ]
        if not reachable:
            return False
    return True


def can_score(query) -> bool:
    """Whether `scored_matches` scores `query` (else it returns None: ask Whoosh)."""
    from whoosh import query as wq

    kind = type(query)
    if kind is wq.Term:
        return not query.minquality
    if kind is wq.Phrase or kind is wq.FuzzyTerm:
        return True
    if kind is wq.ConstantScoreQuery:
        return can_score(query.child)
    if kind is wq.And or kind is wq.Or:
        if kind is wq.Or and (query.scale or query.minmatch or query.matcher_type == wq.Or.SPLIT_MATCHER):
            return False
        return all(can_score(sub) for sub in query.subqueries)
    return False


def _plan(query, searcher, reader: _LookupOnce, *, scored: bool = True):
    """The tree of sums Whoosh's `query.matcher(searcher)` builds for one segment (as
    `whoosh.query.compound`, `positional`, `terms` and `whoosh.util.make_*_tree` build
    it), with words as leaves; `scored` False where Whoosh's context has no weighting."""
    from whoosh import query as wq

    kind = type(query)
    schema = searcher.schema
    if kind is wq.Term:
        field = query.fieldname
        if field not in schema:
            return _EMPTY
        try:
            btext = schema[field].to_bytes(query.text)
        except ValueError:
            return _EMPTY
        size = reader.doc_frequency(field, btext)  # 0: not in the segment (`NullMatcher`)
        return _Leaf(field, btext, query.boost, size) if size else _EMPTY
    if kind is wq.Phrase:
        return _plan_phrase(query, searcher, reader)
    if kind is wq.ConstantScoreQuery:
        child = _plan(query.child, searcher, reader, scored=scored)
        return _EMPTY if child is _EMPTY else _Constant(child, query.score)
    if kind is wq.FuzzyTerm:
        # `MultiTerm.matcher`: each listed word a `Term` with the fuzzy term's boost, OR-ed,
        # and without weighting if the term scores constantly (the words still score).
        from indexer.engine.expansions import expansion_words

        words = [word for word in expansion_words(query, reader.reader) if word]
        terms = [wq.Term(query.fieldname, word, boost=query.boost) for word in words]
        if not terms:
            return _EMPTY
        if len(terms) == 1:
            return _plan(terms[0], searcher, reader, scored=scored)
        return _plan(wq.Or(terms), searcher, reader, scored=scored and not query.constantscore)
    subs = query.subqueries
    if not subs:
        return _EMPTY
    if len(subs) == 1:
        return _plan(subs[0], searcher, reader, scored=scored)
    if kind is wq.And:
        weighted = [
            (0 - sub.estimate_size(reader), _plan(sub, searcher, reader, scored=scored)) for sub in subs
        ]
        tree = _weighted_tree(weighted, both=True)
    else:
        matcher_type = query.matcher_type
        if matcher_type == query.AUTO_MATCHER:
            # Whoosh's choice for a search that does not need the current match.
            dc = searcher.doc_count_all()
            if len(subs) < query.TOO_MANY_CLAUSES and (len(subs) == 2 or dc > 5000):
                matcher_type = query.DEFAULT_MATCHER
            else:
                matcher_type = query.ARRAY_MATCHER
        if matcher_type == query.ARRAY_MATCHER:
            parts = tuple(_plan(sub, searcher, reader, scored=scored) for sub in subs)
            return _ArrayUnion(parts, query.boost, scored)
        if matcher_type != query.DEFAULT_MATCHER:
            raise _Unsupported(matcher_type)
        weighted = [(sub.estimate_size(reader), _plan(sub, searcher, reader, scored=scored)) for sub in subs]
        tree = _weighted_tree(weighted, both=False)
    return _Boosted(tree, query.boost) if query.boost != 1.0 else tree


class _LookupOnce:
    """A segment's reader for planning: each word's document frequency looked up once,
    though the plan and Whoosh's size estimates (which the tree's shape follows) ask
    for it several times."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.schema = reader.schema
        self._frequencies: dict[tuple[str, Any], int] = {}
        self._count: int | None = None

    def doc_frequency(self, field: str, text) -> int:
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies[key] = self.reader.doc_frequency(field, text)
        return found

    def doc_count(self) -> int:
        if self._count is None:
            self._count = self.reader.doc_count()
        return self._count

    def __getattr__(self, name: str):
        return getattr(self.reader, name)


def _plan_phrase(query, searcher, reader: _LookupOnce):
    """`Phrase.matcher`: nothing if a word is missing, else its words' intersection
    (`make_binary_tree`) kept where they follow each other."""
    field = query.fieldname
    if field not in searcher.schema:
        return _EMPTY
    field_type = searcher.schema[field]
    if not field_type.format or not field_type.format.supports("positions"):
        raise _Unsupported("a phrase in a field without positions")
    leaves = []
    for word in query.words:
        try:
            btext = field_type.to_bytes(word)
        except ValueError:
            return _EMPTY
        size = reader.doc_frequency(field, btext)
        if not size:
            return _EMPTY
        leaves.append(_Leaf(field, btext, 1.0, size))
    node = _Phrase(tuple(leaves), _binary_tree(leaves), query.slop)
    return _Boosted(node, query.boost) if query.boost != 1.0 else node


def _binary_tree(leaves: Sequence[_Leaf]):
    """`whoosh.util.make_binary_tree` of intersections: halves, the first one left."""
    if len(leaves) == 1:
        return leaves[0]
    half = len(leaves) // 2
    return _Sum(_binary_tree(leaves[:half]), _binary_tree(leaves[half:]), True)


def _weighted_tree(weighted: list[tuple[int, Any]], *, both: bool):
    """`whoosh.util.make_weighted_tree`: the two lightest joined first, the join put back
    after every item of equal or lower weight (Whoosh's matchers never compare less
    than one another, so equal weights keep their order)."""
    items = sorted(weighted, key=lambda item: item[0])
    while len(items) > 1:
        (weight_a, a), (weight_b, b) = items[0], items[1]
        del items[:2]
        weight = weight_a + weight_b
        at = bisect_right([item[0] for item in items], weight)
        items.insert(at, (weight, _Sum(a, b, both)))
    return items[0][1]


def _leaf_scores(
    searcher, field: str, btext, weighting, deleted, scorer_type, wanted: frozenset[int] | None
) -> tuple[Scores, list | None]:
    """Segment docnum -> the word's BM25F score in `field` (before its boost), for every
    note that has it or (`wanted`) at least for those among `wanted`, read a block at a
    time; and each block read as (ids, values) (None when the postings could not be
    read a block at a time)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    # The scorer's numbers without the scorer (`CachedLengthBM25F.bm25_parameters`), for
    # postings read a block at a time; else Whoosh's matcher and scorer, as `postings` makes them.
    parameters = getattr(weighting, "bm25_parameters", None)
    parameters = parameters(searcher, field, btext) if parameters and searcher.is_atomic() else None
    data = word_postings(searcher.reader(), field, btext) if parameters is not None else None
    norms = weighting.length_norms(searcher, field) if data is not None else None  # `CachedLengthBM25F`'s
    if norms is not None:
        fixed_size = searcher.schema[field].format.fixed_value_size()
        return _block_scores(data, fixed_size, parameters[0], parameters[3], norms, deleted, wanted)
    matcher = searcher.reader().postings(field, btext) if parameters is not None else None
    if type(matcher) is FilterMatcher and deleted:
        matcher = matcher.child  # the deleted notes are left out below
    if type(matcher) is not W3LeafMatcher:
        parameters = None
        matcher = searcher.postings(field, btext, weighting=weighting)
        if type(matcher) is FilterMatcher and deleted:
            matcher = matcher.child
        scorer = getattr(matcher, "scorer", None)
        if type(scorer) is scorer_type and type(matcher) is W3LeafMatcher:
            parameters = (scorer.idf, scorer.avgfl, scorer.B, scorer.K1, scorer.dfl)
    scores: Scores = {}
    if parameters is None:
        # Not the codec or scorer written for: one posting at a time, as Whoosh would.
        while matcher.is_active():
            docnum = matcher.id()
            if docnum not in deleted:
                scores[docnum] = matcher.score()
            matcher.next()
        return scores, None
    blocks: list = []
    idf, avgfl, B, K1, dfl = parameters
    k1_plus_1 = K1 + 1
    one_minus_b = 1 - B
    ahead = sorted(wanted) if wanted is not None else None  # the wanted notes, in order
    next_wanted = 0
    while matcher.is_active():
        if ahead is not None:
            last = matcher.block_max_id()
            if next_wanted == len(ahead):
                break
            if ahead[next_wanted] > last:
                matcher._next_block()  # no wanted note in this block: not read
                continue
            next_wanted = bisect_right(ahead, last, next_wanted)
        if matcher._data is None:
            matcher._read_data()
        ids = matcher._data[0]
        if not matcher._byteids:  # `_read_ids`, its gaps added up in C
            ids = tuple(accumulate(ids))
        matcher._read_weights()
        matcher._read_values()
        blocks.append((ids, matcher._values))
        postings = zip(ids, matcher._weights, strict=True)
        if wanted is not None:
            postings = [(docnum, tf) for docnum, tf in postings if docnum in wanted]
        for docnum, tf in postings:
            # whoosh.scoring.bm25, term for term (the same float).
            length = dfl(docnum)
            scores[docnum] = idf * ((tf * k1_plus_1) / (tf + K1 * (one_minus_b + B * length / avgfl)))
        matcher._next_block()
    if deleted:
        for docnum in deleted:
            scores.pop(docnum, None)
    return scores, blocks


def _block_scores(
    data: bytes,
    fixed_size: int | None,
    idf: float,
    K1: float,
    norms: Sequence[float | None],
    deleted,
    wanted: frozenset[int] | None,
) -> tuple[Scores, list]:
    """`_leaf_scores` of a word's postings read whole (`posting_blocks.word_postings`),
    each note's part of the score that depends on its length alone (`norms`,
    `CachedLengthBM25F.length_norms`) computed once a searcher."""
    blocks: list = []
    scores: Scores = {}
    k1_plus_1 = K1 + 1
    ahead = sorted(wanted) if wanted is not None else None  # the wanted notes, in order
    for ids, weights, values in posting_blocks(data, fixed_size, ahead):
        blocks.append((ids, values))
        postings = zip(ids, weights, strict=True)
        if wanted is not None:
            postings = [(docnum, tf) for docnum, tf in postings if docnum in wanted]
        # whoosh.scoring.bm25, term for term (the same float).
        scores.update({docnum: idf * ((tf * k1_plus_1) / (tf + norms[docnum])) for docnum, tf in postings})
    if deleted:
        for docnum in deleted:
            scores.pop(docnum, None)
    return scores, blocks


class WordPostings:
    """What a search read of its words' postings, for a rerank to read again: each word's
    score in each note (as Whoosh's `Term(field, word)` alone scores it, before a boost)
    and, from the same blocks, its positions there."""

    def __init__(self) -> None:
        # (field, word) -> each read: (first docnum of its segment, the segment's notes, the read)
        self._reads: dict[tuple[str, str], list[tuple[int, int, _Read, Any]]] = {}

    def add(self, field_type, field: str, btext, offset: int, count: int, read: _Read) -> None:
        key = (field, field_type.from_bytes(btext))
        kept = field_type.format
        decoder = kept.decoder("positions") if kept.supports("positions") else None
        self._reads.setdefault(key, []).append((offset, count, read, decoder))

    def knows(self, field: str, word: str, docnums: Iterable[int], *, positions: bool) -> bool:
        """Whether the search read the postings of `word` in `field` for each of `docnums`
        (with their positions, if `positions`). A segment the search read nothing of the
        word in has none of it (its plan left the word out)."""
        reads = self._reads.get((field, word))
        if not reads:
            return False
        for docnum in docnums:
            here = [entry for entry in reads if entry[0] <= docnum < entry[0] + entry[1]]
            if here and _covering(here, docnum, positions) is None:
                return False
        return True

    def scores(self, field: str, word: str) -> dict[int, float]:
        """Docnum -> the word's score in `field`, for every note whose postings of it were
        read (all of its notes after `read_words` without `docnums`)."""
        found: dict[int, float] = {}
        for offset, _, read, _ in self._reads.get((field, word), ()):
            if offset:
                found.update({docnum + offset: score for docnum, score in read.scores.items()})
            else:
                found.update(read.scores)
        return found

    def score(self, field: str, word: str, docnum: int) -> float | None:
        """The word's score in `field` of note `docnum`; None if the note lacks it (or its
        postings were not read for it: ask `knows` first)."""
        for offset, count, read, _ in self._reads.get((field, word), ()):
            if offset <= docnum < offset + count:
                found = read.scores.get(docnum - offset)
                if found is not None:
                    return found
        return None

    def positions(self, field: str, word: str, docnum: int) -> list[int]:
        """The word's positions in `field` of note `docnum` (which has it, `knows` says)."""
        found = self.read_positions(field, word, docnum)
        if found is None:
            raise KeyError(docnum)
        return found

    def read_positions(self, field: str, word: str, docnum: int) -> list[int] | None:
        """The word's positions in `field` of note `docnum`, which has it, if the search
        read them (`knows` and `positions` in one look); else None."""
        reads = self._reads.get((field, word))
        found = _covering(reads, docnum, True) if reads else None
        if found is None:
            return None
        offset, _, read, decoder = found
        local = docnum - offset
        ids, values = read.blocks[bisect_right(read.firsts, local) - 1]
        return decoder(values[bisect_left(ids, local)])


def read_words(
    searcher, field: str, words: Iterable[str], postings: WordPostings, docnums: Collection[int] | None = None
) -> None:
    """Read each of `words`' postings in `field` into `postings`, with their scores and
    positions: in every note that has the word, or (`docnums`) at least in those. What
    `postings` (a search's reads) or the searcher's kept reads already cover is not read
    again; the rest is read a block at a time, skipping the blocks that hold none of
    `docnums`, and kept for the searcher's later queries."""
    from whoosh.scoring import BM25FScorer

    field_type = searcher.schema[field]
    kept = getattr(searcher.weighting, "kept_reads", None)
    segments = searcher.leaf_searchers()
    ordered = sorted(docnums) if docnums is not None else None
    for word in words:
        try:
            btext = field_type.to_bytes(word)
        except ValueError:
            continue
        reads = postings._reads.get((field, word), ())
        for subsearcher, offset in segments:
            size = subsearcher.reader().doc_frequency(field, btext)
            if not size:
                continue  # `knows`: a segment without a read of the word has none of it
            wanted = None
            if ordered is not None:
                count = subsearcher.doc_count_all()
                wanted = frozenset(
                    docnum - offset
                    for docnum in ordered[bisect_left(ordered, offset) : bisect_left(ordered, offset + count)]
                )
            if any(entry[0] == offset and entry[2].covers(wanted) for entry in reads):
                continue
            segment = _Segment(subsearcher, offset, searcher.weighting, BM25FScorer, postings, kept)
            segment.word(_Leaf(field, btext, 1.0, size), wanted)


def _covering(reads, docnum: int, positions: bool):
    """The first read (offset, count, read, decoder) of `docnum`'s segment that covers it
    (with its positions, if `positions`); None if none does."""
    for entry in reads:
        offset, count, read, decoder = entry
        if not offset <= docnum < offset + count:
            continue
        if (read.covered is None or docnum - offset in read.covered) and (
            not positions or (read.blocks is not None and decoder is not None)
        ):
            return entry
    return None
