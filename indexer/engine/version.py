"""Which Whoosh the fast path was written and tested for, checked once per process.

The fast path (`writer.NoteSegmentWriter`, whole-column reads, cached BM25F lengths,
column date ranges, words listed once, BM25F over the postings a block at a time)
reaches into Whoosh's private internals, which any release may change: whoosh3 releases
often. It is used only when the installed Whoosh is exactly `TESTED_WHOOSH_VERSION`;
otherwise the index is written and read with Whoosh's public API (slower, the same
results: tests/test_engine_paths.py). Raise the pin in pyproject.toml and this constant
together, with the tests green.

The check reads `whoosh.__version__` (Whoosh's package is imported anyway where this is
asked, a fraction of a millisecond), not the distribution's metadata: `whoosh`,
`whoosh3` and `whoosh-reloaded` all install into the same `whoosh/` folder, and the code
in that folder is what the fast path depends on. `importlib.metadata` alone costs 38 ms
to import.

`PRIVATE_NAMES` lists every private name of Whoosh that `indexer` uses, all of them in
this package (and none of the standard library's); tests/test_engine_door.py checks that each
exists on the tested version and that no other module uses one.
"""

from __future__ import annotations

TESTED_WHOOSH_VERSION: tuple[int, ...] = (3, 54, 0)

_fast: bool | None = None  # the answer, once asked (tests reset it with the constant)


def fast_path() -> bool:
    """Whether the installed Whoosh is the version the fast path was written for."""
    global _fast
    if _fast is None:
        import whoosh

        _fast = tuple(getattr(whoosh, "__version__", ())) == TESTED_WHOOSH_VERSION
    return _fast


# Where each private name `indexer.engine` uses is defined ("module:Class" or "module"),
# and the names: tests/test_engine_door.py checks each on the tested Whoosh (a class
# attribute, or set on `self` in the class or a base) and that engine/ uses no other.
PRIVATE_NAMES: dict[str, tuple[str, ...]] = {
    # writer.NoteSegmentWriter: Whoosh's segment writer, whose segments our processes
    # write apart and commit together
    "whoosh.writing:SegmentWriter": (
        "_flush_segment",  # overridden: the grouped pool's postings, a word at a time
        "_finalize_segment",
        "_close_segment",
        "_merge_segments",
        "_commit_toc",
        "_cleanup_on_error",
        "_finish",
        "_check_state",
        "_check_fields",
        "_doc_boost",
        "_field_boost",
        "_added",
        "_tempstorage",
        "_lk",  # an argument: not Whoosh's lock (ours excludes other writers)
    ),
    # posting_writer: the codec's block buffers, filled a block at a time
    # (and a word written at once: the field writer's files, and the term info's row
    # layout, packed without a term info object)
    "whoosh.codec.whoosh3:W3FieldWriter": ("_postwriter", "_postfile", "_tindex", "_fieldid", "_format"),
    "whoosh.codec.whoosh3:W3PostingsWriter": (
        "_write_block",
        "_blocklimit",
        "_ids",
        "_weights",
        "_values",
        "_minlength",
        "_maxlength",
        "_maxweight",
        "_compression",
        "_byteids",
    ),
    "whoosh.codec.whoosh3:W3TermInfo": ("_struct",),
    # field_lengths: columns read whole
    "whoosh.codec.whoosh3": ("_lenfield",),
    "whoosh.codec.whoosh3:W3PerDocReader": ("_cached_reader",),
    # term_stats: a segment's terms reader, whose term infos a searcher remembers
    "whoosh.reading:SegmentReader": ("_perdoc", "_terms"),
    # term_list: a field's words by prefix, read from the term file's records
    # (and posting_blocks: a word's postings read whole from the postings file)
    "whoosh.codec.whoosh3:W3TermsReader": ("_tindex", "_keycoder", "_postfile"),
    "whoosh.columns:FixedBytesColumn.Reader": ("_dbfile", "_basepos", "_count", "_fixedlen", "_doccount"),
    "whoosh.columns:NumericColumn.Reader": ("_typecode",),
    # expansions: the words a fuzzy term, wildcard or range stands for
    "whoosh.query:MultiTerm": ("_btexts",),
    # bm25f: postings read a block at a time (ids and weights) and scored there
    # (and values, which hold the positions a rerank reads)
    "whoosh.codec.whoosh3:W3LeafMatcher": (
        "_read_data",
        "_data",
        "_byteids",
        "_read_weights",
        "_read_values",
        "_weights",
        "_values",
        "_next_block",
    ),
    # scoring: a field's own B, as `BM25F.scorer` chooses it for the numbers it scores with
    "whoosh.scoring:BM25F": ("_field_B",),
    # parse_errors: where Whoosh's query parser reads a date
    "whoosh.fields:DATETIME": ("_parse_datestring",),
}
