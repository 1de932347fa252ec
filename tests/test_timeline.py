"""The timeline: hits per month, as bars on the command line and a sparkline in the shell."""

from __future__ import annotations

import json

import pytest

from indexer.output.render import render_sparkline, render_timeline_text
from indexer.output.timeline_chart import Row, bar, chart_rows, months_between, sparkline
from indexer.search.searching import SortOrder, open_index
from tests.test_shell_commands import make_harness

RANSOMWARE_MONTHS = (
    ("2021-05", 2),
    ("2021-06", 1),
    ("2021-07", 2),
    ("2021-08", 1),
    ("2021-09", 1),
    ("2021-10", 5),
    ("2021-12", 1),
    ("2022-02", 1),
)


@pytest.fixture(scope="module")
def notes(bundled_index):
    with open_index(*bundled_index) as opened:
        yield opened


def test_months_between_crosses_year_ends_and_excludes_both_ends():
    assert months_between("2021-11", "2022-02") == ["2021-12", "2022-01"]
    assert months_between("2021-11", "2021-12") == []


def test_chart_rows_fill_short_gaps_with_empty_months_and_fold_long_ones():
    rows = chart_rows((("2020-01", 1), ("2020-03", 2), ("2021-01", 4)))
    assert rows == [
        Row("2020-01", 1),
        Row("2020-02", 0),
        Row("2020-03", 2),
        Row("2020-04", 0, gap=9),
        Row("2021-01", 4),
    ]


def test_bars_are_drawn_in_eighths_of_a_cell_and_never_vanish_for_a_hit():
    assert bar(4, 4, 3) == "███"
    assert bar(1, 2, 3) == "█▌"
    assert bar(1, 1000, 10) == "▏"
    assert bar(0, 10, 10) == ""


def test_sparkline_scales_counts_to_eight_levels_with_blanks_and_gap_marks():
    assert sparkline([1, 8, 0, 4, None, 2]) == "▁█ ▄…▂"


def test_search_timeline_counts_all_hits_per_month_oldest_first(notes):
    result = notes.search("tag:ransomware", limit=1, timeline=True)
    assert result.timeline == RANSOMWARE_MONTHS
    assert sum(count for _, count in result.timeline) == result.total == 14


def test_timeline_leaves_out_undated_notes(notes):
    result = notes.search("NOT zyzzyva", timeline=True)
    assert sum(count for _, count in result.timeline) == result.total - 1 == 39


def test_timeline_is_the_same_whatever_the_sort_and_page(notes):
    later = notes.search("tag:ransomware", limit=2, page=2, sort=SortOrder.DATE, timeline=True)
    assert later.timeline == RANSOMWARE_MONTHS
    assert [hit.rank for hit in later.hits] == [3, 4]


def test_timeline_is_none_unless_asked_for(notes):
    assert notes.search("tag:ransomware").timeline is None


def test_text_timeline_is_a_bar_chart_with_empty_months_and_a_heading(notes):
    assert render_timeline_text(RANSOMWARE_MONTHS, total=14) == (
        "timeline (14 notes, 2021-05 to 2022-02)\n"
        "  2021-05  ████████████████████                                2\n"
        "  2021-06  ██████████                                          1\n"
        "  2021-07  ████████████████████                                2\n"
        "  2021-08  ██████████                                          1\n"
        "  2021-09  ██████████                                          1\n"
        "  2021-10  ██████████████████████████████████████████████████  5\n"
        "  2021-11                                                      0\n"
        "  2021-12  ██████████                                          1\n"
        "  2022-01                                                      0\n"
        "  2022-02  ██████████                                          1\n"
    )


def test_text_timeline_says_how_many_hits_are_undated_and_folds_long_gaps():
    text = render_timeline_text((("1969-12", 1), ("2021-07", 4)), total=6)
    assert text.splitlines() == [
        "timeline (5 notes, 1 undated, 1969-12 to 2021-07)",
        "  1969-12  ████████████▌                                       1",
        "  ⋮        618 months without notes",
        "  2021-07  ██████████████████████████████████████████████████  4",
    ]


def test_sparkline_row_names_the_first_last_and_busiest_months():
    assert render_sparkline(RANSOMWARE_MONTHS) == "2021-05 ▄▂▄▂▂█ ▂ ▂ 2022-02  busiest 2021-10: 5 notes\n"


def test_cli_timeline_follows_the_hits(search_bundled):
    result = search_bundled("tag:ransomware", "--timeline", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.endswith("\n\n" + render_timeline_text(RANSOMWARE_MONTHS, total=14))


def test_cli_json_timeline_is_an_object_of_month_counts(search_bundled):
    document = json.loads(search_bundled("tag:ransomware", "--timeline", "--json").stdout)
    assert document["timeline"] == dict(RANSOMWARE_MONTHS)
    assert list(document["timeline"]) == sorted(document["timeline"])


def test_cli_timeline_with_count_is_a_usage_error(search_bundled):
    result = search_bundled("ransomware", "--timeline", "--count")
    assert result.exit_code == 2
    assert "--timeline cannot be combined with --count" in result.stderr


def test_shell_timeline_prints_a_sparkline_of_the_last_query(bundled_index):
    harness = make_harness(*bundled_index)
    try:
        harness.run("tag:ransomware")
        harness.take()
        harness.run(":timeline")
        assert harness.take() == ("2021-05 ▄▂▄▂▂█ ▂ ▂ 2022-02  busiest 2021-10: 5 notes\n", "")
    finally:
        harness.shell.close()
