"""An order for notes that rank equal, the same however the index was built.

Whoosh lists notes of equal score (or of equal date, when sorted by date) by document
number, which depends on which process indexed a note and on when it was last updated:
two builds of the same notes gave the 783 notes of `tag:ransomware` (all of one score)
in different orders, and a different first page. Runs of equal keys are put in an order
of the notes' own instead: newest first then by path for equal scores, by path for equal
dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from operator import neg
from typing import TYPE_CHECKING, Any

from indexer.engine.field_lengths import segment_stored_values

if TYPE_CHECKING:
    from whoosh.reading import IndexReader

Ranked = Sequence[tuple[Any, int]]  # (score or sort key, docnum), in rank order
OrderOf = Callable[[int], Any]  # docnum -> what notes that rank equal are sorted by


def in_tie_order(ranked: Ranked, orders: Sequence[OrderOf], upto: int | None = None) -> list[tuple[Any, int]]:
    """`ranked` with each run of equal keys that starts before position `upto` (None: all)
    sorted by the first of `orders`, runs equal under that by the next, and so on.

    Only the notes of such runs are looked up, and a later order only for the notes the
    earlier ones left equal: a date range's 500 notes of one score need 500 dates but only
    the paths of the notes sharing a date near the top."""
    items = list(ranked)
    end = len(items) if upto is None else min(upto, len(items))
    _sort_runs(items, lambda item: item[0], orders, 0, len(items), end)
    return items


def _sort_runs(
    items: list, value_of: Callable, orders: Sequence[OrderOf], start: int, stop: int, end: int
) -> None:
    """Sort the runs of equal `value_of` in items[start:stop] that begin before `end`."""
    position = start
    while position < min(stop, end):
        value = value_of(items[position])
        run_end = position + 1
        while run_end < stop and value_of(items[run_end]) == value:
            run_end += 1
        if run_end - position > 1 and orders:
            keys = {docnum: orders[0](docnum) for _, docnum in items[position:run_end]}
            key_of = partial(_key_in, keys)
            items[position:run_end] = sorted(items[position:run_end], key=key_of)
            _sort_runs(items, key_of, orders[1:], position, run_end, end)
        position = run_end


def _key_in(keys: dict[int, Any], item: tuple[Any, int]) -> Any:
    return keys[item[1]]


def newest_first(reader: IndexReader) -> OrderOf:
    """Docnum -> a key that puts newer notes first (undated ones last), from the `date`
    column of a Whoosh `reader`, read whole the first time a key is asked for."""
    keys: list[int] = []

    def order_of(docnum: int) -> int:
        if not keys:
            keys.extend(_newest_first_keys(reader))
        return keys[docnum]

    return order_of


def _newest_first_keys(reader: IndexReader) -> list[int]:
    """Each note's date negated, 0 for an undated note: negated in one C pass, then the
    few undated notes found by C scans (`list.index`) and set to 0. (44,902 notes, 30 of
    them undated: 6.7 -> 2.5 ms against mapping every key through a dict; 5-8 ms note by
    note in Python.)"""
    keys: list[int] = []
    for _segment, _offset, dates, missing in segment_stored_values(reader, "date"):
        undated = dates.count(missing)
        if undated == len(dates):  # a segment of undated notes (no column at all, maybe)
            keys.extend([0] * undated)
            continue
        negated = list(map(neg, dates))
        at = -1
        for _ in range(undated):
            at = dates.index(missing, at + 1)
            negated[at] = 0
        keys.extend(negated)
    return keys
