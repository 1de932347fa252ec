"""Hits per month, so a user sees when a story broke and how long it ran: counted from the
index's `date` column. Drawn by `indexer.output.timeline_chart`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from indexer.search.facets import FacetCounter

MonthCounts = tuple[tuple[str, int], ...]  # ("2021-08", notes), oldest first, months with hits only


def month_counts(counter: FacetCounter, docnums: Collection[int]) -> MonthCounts:
    """Notes among `docnums` per month, oldest first; undated notes are left out."""
    months = counter.months()
    counts = Counter(months[doc] for doc in docnums if doc in months)
    return tuple(sorted(counts.items()))
