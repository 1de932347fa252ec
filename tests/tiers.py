"""The `slow` tier: tests whose subject is a process or a whole corpus, left out of the
README's test command and run by `.ci/run` in a step of its own (`pytest -m slow`).

Each entry is a test file, or a test of one (`file::name`, every parametrization of it),
with the reason it is here; `tests/conftest.py` marks what matches, and
`tests/test_docs.py` checks that every entry still names a test and that docs/testing.md
lists it. A test joins the tier only if the README's command would run something that
checks the same behaviour in process (or nothing else could check it without a process),
never to hide a failure: the tier runs in CI on every change.
"""

from __future__ import annotations

SLOW: dict[str, str] = {
    "tests/test_daemon.py": (
        "the resident query process: a server process per test, its socket, its signals and its"
        " fallbacks, compared with fresh and forked one-shot searches"
    ),
    "tests/test_crash.py": "real `indexer` processes killed (SIGKILL, SIGINT) at measured points of a run",
    "tests/test_concurrency.py": (
        "real `indexer` processes racing one index (locks, waits, readers beside writers)"
    ),
    "tests/test_shell_e2e.py": "the shell in a pseudo-terminal (pexpect): a `search` process typed into",
    "tests/test_benchmark_smoke.py": (
        "the benchmark scripts end to end: their own processes and builds over a copy of the bundled corpus"
    ),
    "tests/test_build_vs_preparser.py": "a benchmark that builds the corpus with two checkouts of the code",
    "tests/test_engine_paths.py": (
        "the whole bundled corpus built, updated and searched on both engine paths (59 queries each)"
    ),
    "tests/test_relevance_smoke.py::test_a_full_run_prints_every_kind_for_all_four_systems_and_writes_json": (
        "a whole relevance run over the bundled corpus, every query kind on four systems"
    ),
    "tests/test_relevance_smoke.py::test_several_seeds_pool_their_query_sets_into_one_run": (
        "a whole relevance run over the bundled corpus, two seeds pooled"
    ),
    "tests/test_near_miss.py::test_skipping_near_misses_that_cannot_reach_the_page_changes_no_page": (
        "90 queries drawn from the whole bundled corpus, each searched with and without the short cut"
    ),
    "tests/test_near_miss.py::test_near_misses_read_best_bound_first_give_the_pages_of_reading_every_one"
    "_on_paragraph_queries": (
        "90 queries drawn from the whole bundled corpus, each searched with and without the bound"
    ),
    "tests/test_hostile_corpus.py::test_indexer_build_on_the_hostile_corpus_exits_0"
    "_with_one_line_a_file_and_counts_the_skips": (
        "every hostile case in one corpus through `indexer build` (each case is also tested alone)"
    ),
    "tests/test_startup.py::test_the_quick_exit_keeps_every_byte_and_the_status_of_a_normal_exit": (
        "two fresh `search` interpreters a case, compared byte for byte: the subject is the process's exit"
    ),
}


def slow_reason(nodeid: str) -> str | None:
    """Why the test `nodeid` is in the slow tier, or None."""
    path, _, rest = nodeid.partition("::")
    name = rest.partition("[")[0]
    return SLOW.get(path) or SLOW.get(f"{path}::{name}")
