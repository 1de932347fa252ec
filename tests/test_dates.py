from datetime import date, datetime, timedelta, timezone

import pytest

from indexer.notes.dates import DateError, is_missing_date, normalize_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The shapes of the shared news corpus.
        ("September 30, 2021", date(2021, 9, 30)),
        ("August 6, 2021", date(2021, 8, 6)),
        ("2021-12-28T11:38:39-05:00", date(2021, 12, 28)),
        ("2021-12-28T11:38:39+05:30", date(2021, 12, 28)),
        ("2021-12-28T11:38-05:00", date(2021, 12, 28)),
        ("2022-01-21 09:03:34", date(2022, 1, 21)),
        ("2022-01-21 09:03:34+00:00", date(2022, 1, 21)),
        ("July 20, 2021 -- 13:00 GMT (14:00 BST)", date(2021, 7, 20)),
        ("July 2, 2021 -- 9:05 GMT (10:05 BST)", date(2021, 7, 2)),
        ("September 22, 2021  1:22 pm", date(2021, 9, 22)),
        ("September 2, 2021  11:22 am", date(2021, 9, 2)),
        ("2022-02-04T11:34:55.000Z", date(2022, 2, 4)),
        ("2021-11-24", date(2021, 11, 24)),
        # Other common shapes.
        ("Sept 3, 2021", date(2021, 9, 3)),
        ("Aug. 16, 2021", date(2021, 8, 16)),
        ("30 September 2021", date(2021, 9, 30)),
        ("Mon, 16 Aug 2021 10:00:00 +0000", date(2021, 8, 16)),
        ("August 2021", date(2021, 8, 1)),
        ("2021/08/16", date(2021, 8, 16)),
        ("20210816", date(2021, 8, 16)),
        ("  August   16,  2021 ", date(2021, 8, 16)),
    ],
)
def test_every_date_shape_gives_the_calendar_date(text, expected):
    assert normalize_date(text) == expected


def test_a_late_evening_time_with_offset_keeps_the_written_day_not_the_utc_day():
    # 23:30 at -05:00 is the next day in UTC; the note's own calendar date is kept.
    assert normalize_date("2021-10-05T23:30:00-05:00") == date(2021, 10, 5)


def test_yaml_dates_and_datetimes_are_accepted():
    assert normalize_date(date(2017, 1, 5)) == date(2017, 1, 5)
    aware = datetime(2017, 7, 13, 22, 0, 37, tzinfo=timezone(timedelta(hours=-7)))
    assert normalize_date(aware) == date(2017, 7, 13)


@pytest.mark.parametrize("text", ["Unknown", "None", "unknown", "", "  ", "N/A"])
def test_words_for_no_date_give_none(text):
    assert is_missing_date(text)
    assert normalize_date(text) is None


def test_none_gives_none():
    assert normalize_date(None) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday-ish", "unrecognised date"),
        ("Foo 3, 2021", "unrecognised month 'Foo'"),
        ("2021-02-30", "impossible date"),
        ("0000-01-01", "year 0 out of range"),
        ("99999-01-01", "unrecognised date"),
        ("2021-13-01", "impossible date"),
    ],
)
def test_unreadable_dates_raise_a_date_error_with_a_reason(text, reason):
    with pytest.raises(DateError, match=reason):
        normalize_date(text)


def test_numbers_are_not_dates():
    with pytest.raises(DateError):
        normalize_date(20210816)
