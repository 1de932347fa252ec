"""What `search` prints: text, or one of the outputs for scripts (`--output`, `--json`...)."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """An output of `search`; the values are the spellings of `--output`, `NOTES_OUTPUT` and notes.toml."""

    TEXT = "text"  # hits with passages, for people
    PATHS = "paths"  # --files
    JSON = "json"
    JSONL = "jsonl"
    COUNT = "count"  # the number of matching notes
    TAGS = "tags"  # the distinct values of a facet among all hits, with their counts
    AUTHORS = "authors"
    SOURCES = "sources"

    @property
    def facet(self) -> str | None:
        """The facet whose values this output prints (`tags` -> `tag`), if it is one of those."""
        return _VALUE_FACETS.get(self)

    @property
    def has_passages(self) -> bool:
        """Whether hits are printed with their passages (and what else the query matched)."""
        return self not in (OutputFormat.PATHS, OutputFormat.COUNT) and self.facet is None

    @property
    def flag(self) -> str:
        """How a user asks for it: --files, --json, --jsonl, --count or --output NAME."""
        return _FLAGS.get(self, f"--output {self.value}")


_VALUE_FACETS = {OutputFormat.TAGS: "tag", OutputFormat.AUTHORS: "author", OutputFormat.SOURCES: "source"}
_FLAGS = {
    OutputFormat.PATHS: "--files",
    OutputFormat.JSON: "--json",
    OutputFormat.JSONL: "--jsonl",
    OutputFormat.COUNT: "--count",
}
