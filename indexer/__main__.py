"""`python -m indexer ...` runs the `indexer` command; `python -m indexer search ...` works too."""

from __future__ import annotations

from indexer.cli import indexer_main

if __name__ == "__main__":
    indexer_main()
