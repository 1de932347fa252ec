"""Measurements of notes-indexer that are not unit tests: run with `python -m benchmarks.<name>`."""
