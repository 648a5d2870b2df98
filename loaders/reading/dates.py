"""Dates, times and durations as people write them in post-mortems.

`2018-08-22`, `May 12 2025`, `Sept. 18th, 2017`, `12 May 2025`; `1 hour 5 minutes`, `1h05`,
`90 min`. A date that has the shape of one but cannot exist (`2023-02-30`) raises
`ImpossibleDate`, so the loader can say so instead of silently dropping it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ISO = re.compile(
    r"(?<![\d-])(?P<year>(?:19|20)\d\d)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d])"
)
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)
_TIME = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})[:.](?P<m>\d\d)(?::(?P<s>\d\d))?\s*(?P<ampm>[ap]\.?m\.?)?(?![\d])",
    re.IGNORECASE,
)


_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ROW_START = re.compile(rf"^[\s#*_>|`\[(—–-]*{_WEEKDAY}", re.IGNORECASE)
_NO_YEAR = r"(?!\d|,?\s*(?:19|20)\d\d)"
_MONTH_DAY = re.compile(rf"{_MONTH}\s+{_DAY}\b{_NO_YEAR}", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z]){_NO_YEAR}", re.IGNORECASE)


class ImpossibleDate(ValueError):
    """Text shaped like a date that does not exist on the calendar."""


def find_date(text: str, *, strict: bool = False) -> date | None:
    """The first date written anywhere in `text`, or None.

    With `strict`, a date-shaped text that cannot exist raises ImpossibleDate; otherwise it
    is passed over, since prose like "version 2023.13.45" is not a date at all.
    """
    candidates = []
    for pattern in (_ISO, _MONTH_FIRST, _DAY_FIRST):
        for match in pattern.finditer(text):
            candidates.append(match)
    for match in sorted(candidates, key=lambda m: m.start()):
        try:
            return _date_of(match)
        except ValueError as e:
            if strict:
                raise ImpossibleDate(f"{match.group(0)!r} is not a real date") from e
    return None


def row_day(text: str) -> date | tuple[int, int] | None:
    """The day a timeline row or heading starts with: a date, or (month, day) when it is
    written without a year ("## July 22", "15 May: failover"); None when it starts otherwise.
    """
    rest = text[_ROW_START.match(text).end() :]  # type: ignore[union-attr]  # always matches
    for pattern in (_ISO, _MONTH_FIRST, _DAY_FIRST):
        match = pattern.match(rest)
        if match:
            try:
                return _date_of(match)
            except ValueError:
                return None  # not on the calendar: no day to offer
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.match(rest)
        if match:
            month, day = MONTHS[match["mon"][:3].lower()], int(match["day"])
            try:
                date(2000, month, day)  # a leap year: 29 February is a day
            except ValueError:
                return None
            return month, day
    return None


def _date_of(match: re.Match[str]) -> date:
    """The date a match of _ISO, _MONTH_FIRST or _DAY_FIRST names; ValueError if none."""
    groups = match.groupdict()
    month = int(groups["month"]) if groups.get("month") else MONTHS[groups["mon"][:3].lower()]
    return date(int(groups["year"]), month, int(groups["day"]))


def parse_date(value: object) -> date | None:
    """A date from a front-matter or property value: a date, a datetime or a string."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_naive_utc(value).date()
    if isinstance(value, date):
        return value
    return find_date(str(value), strict=True)


def parse_datetime(value: object) -> datetime | None:
    """A point in time, when the value states a time of day; a bare date gives None.

    Times with an offset are converted to UTC; times without one are kept as written.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_naive_utc(value)
    if isinstance(value, date):
        return None
    text = str(value).strip()
    time = _TIME.search(text)
    if time is None:
        return None
    try:
        return to_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    day = find_date(text, strict=True)
    if day is None:
        return None
    hour, minute = int(time["h"]), int(time["m"])
    ampm = (time["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(day.year, day.month, day.day, hour, minute, int(time["s"] or 0))
    except ValueError as e:
        raise ImpossibleDate(f"{time.group(0)!r} is not a real time of day") from e


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


_DURATION_PART = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>d(?:ays?)?|h(?:ours?|rs?)?|m(?:in(?:ute)?s?)?|s(?:ec(?:ond)?s?)?)(?![a-z])",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\s*~?\s*(?P<h>\d{1,3}):(?P<m>\d\d)\s*$")
_UNIT_MINUTES = {"d": 1440.0, "h": 60.0, "m": 1.0, "s": 1 / 60}


def parse_duration_minutes(value: object) -> float | None:
    """Minutes from `8 minutes`, `1 hour 5 minutes`, `1h5m`, `1:05`, `2.5 hours`, or a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    clock = _CLOCK.match(text)
    if clock:
        return int(clock["h"]) * 60.0 + int(clock["m"])
    # "1h05" has minutes without a unit after the hours.
    compact = re.fullmatch(r"\s*(\d+)\s*h\s*(\d{1,2})\s*", text, re.IGNORECASE)
    if compact:
        return int(compact[1]) * 60.0 + int(compact[2])
    total, found = 0.0, False
    for part in _DURATION_PART.finditer(text):
        unit = part["unit"][0].lower()
        total += float(part["n"].replace(",", ".")) * _UNIT_MINUTES[unit]
        found = True
    return round(total, 2) if found else None
