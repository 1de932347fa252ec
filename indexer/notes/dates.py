"""Turn the many date shapes found in notes into a calendar `date`; pure functions.

The date kept is the calendar date as written in the note: a time or a UTC offset
after it is ignored, never used to shift the day.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MIN_YEAR = 1
MAX_YEAR = 9999

# Words that mean "no date" in real notes; they are missing, not malformed.
MISSING_DATE_WORDS = frozenset({"", "unknown", "none", "null", "n/a", "na", "-", "tbd"})

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# Full names, three-letter abbreviations and the common "Sept".
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS |= {name[:3]: number for name, number in list(_MONTHS.items())}
_MONTHS["sept"] = 9
_MONTH_NAME = r"(?P<month>[A-Za-z]{3,9})\.?"

# ISO 8601 and its relatives: 2021-12-28, 2021-12-28T11:38:39-05:00,
# 2022-01-21 09:03:34, 2022-02-04T11:34:55.000Z, 2021/08/16, 20210816.
_ISO = re.compile(
    r"^(?P<year>\d{4})(?P<sep>[-/.]?)(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?:(?:[T ]|\s+)\S.*)?$"
)
# "September 30, 2021", "Sept 3 2021", "July 20, 2021 -- 13:00 GMT (14:00 BST)",
# "September 22, 2021  1:22 pm", "Mon, Aug 16, 2021".
_MONTH_DAY_YEAR = re.compile(
    r"^(?:[A-Za-z]{3,9},?\s+)??" + _MONTH_NAME + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>\d{4})\b(?:.*)?$"
)
# "30 September 2021", "Mon, 16 Aug 2021 10:00:00 +0000" (RFC 2822).
_DAY_MONTH_YEAR = re.compile(
    r"^(?:[A-Za-z]{3,9},?\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r",?\s+"
    r"(?P<year>\d{4})\b(?:.*)?$"
)
# "August 2021": a month without a day is taken as its first day.
_MONTH_YEAR = re.compile(r"^" + _MONTH_NAME + r",?\s+(?P<year>\d{4})$")


class DateError(ValueError):
    """The text looks like a date but is not one we can read."""


def is_missing_date(text: str) -> bool:
    """True for the words notes use to say that there is no date (`Unknown`, `None`)."""
    return text.strip().lower() in MISSING_DATE_WORDS


def normalize_date(value: object) -> date | None:
    """Return the calendar date of a note's date value, or None if it says "no date".

    Accepts strings in every shape of the shared corpus, ISO 8601, and the
    `date`/`datetime` objects YAML front matter produces. Raises `DateError`
    for text that is not a date we can read (the caller warns and goes on).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value.year, value.month, value.day, str(value))
    if isinstance(value, date):
        return _checked(value.year, value.month, value.day, str(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise DateError(f"not a date: {value!r}")
    if not isinstance(value, str):
        raise DateError(f"not a date: {type(value).__name__}")
    text = " ".join(value.split())
    if is_missing_date(text):
        return None
    if match := _ISO.match(text):
        return _from_match(match, text)
    for pattern in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR):
        if match := pattern.match(text):
            return _from_match(match, text)
    if match := _MONTH_YEAR.match(text):
        month = _month_number(match["month"], text)
        return _checked(int(match["year"]), month, 1, text)
    raise DateError(f"unrecognised date {_shorten(text)!r}")


def _from_match(match: re.Match[str], text: str) -> date:
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _month_number(month_text, text)
    return _checked(int(match["year"]), month, int(match["day"]), text)


def _month_number(name: str, text: str) -> int:
    number = _MONTHS.get(name.lower())
    if number is None:
        raise DateError(f"unrecognised month {name!r} in date {_shorten(text)!r}")
    return number


def _checked(year: int, month: int, day: int, text: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"year {year} out of range in date {_shorten(text)!r}")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date {_shorten(text)!r} ({exc})") from None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
