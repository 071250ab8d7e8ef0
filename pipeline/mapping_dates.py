"""Dates of an export without guessing (``python -m pipeline map``).

ISO dates (``2024-03-15``, ``2024-03-15 10:02:11``; what an .xlsx date cell reads as) always
parse. Other dates are numbers: ``15/03/2024``, ``3/15/24 10:02``, ``15.03.2024 10:02 AM``.
With ``date_format`` in the mapping every such value is read with it. Without it, the column
must prove its reading: a first number above 12 somewhere means day-first, a second number
above 12 means month-first; a column whose every day and month is 12 or less (``03/04/2021``)
could be either and is refused, as is a column that proves both. A value that cannot be read
names its line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.ingest import BuildError

NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})"
    r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
)
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"


@dataclass(frozen=True)
class DateReading:
    order: str  # DAY_FIRST, MONTH_FIRST, "ISO" or "date_format"
    format: str  # a strptime format for the mapping file ("" for ISO)
    evidence: str  # why, for the preview


def _iso(text: str) -> dt.date | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def format_of(match: re.Match[str], order: str) -> str:
    """The strptime format of one numeric date in the given order, e.g. %m/%d/%Y %H:%M:%S."""
    sep = match["sep"]
    day_month = f"%d{sep}%m" if order == DAY_FIRST else f"%m{sep}%d"
    text = f"{day_month}{sep}{'%Y' if len(match['year']) == 4 else '%y'}"
    if match["hour"] is not None:
        text += (" %I" if match["ampm"] else " %H") + ":%M" + (":%S" if match["second"] else "")
        text += " %p" if match["ampm"] else ""
    return text


def detect(values: list[tuple[int, str]]) -> tuple[DateReading | None, str | None]:
    """(reading, None) when the values prove one; (None, why) when they do not."""
    day_first = month_first = None
    first = None
    for line, text in values:
        found = NUMERIC.fullmatch(text)
        if found is None:
            continue
        first = first or (line, found)
        if day_first is None and int(found["a"]) > 12:
            day_first = (line, text, found)
        if month_first is None and int(found["b"]) > 12:
            month_first = (line, text, found)
    if first is None:
        return DateReading("ISO", "", "every value is an ISO date"), None
    if day_first and month_first:
        return None, (
            f'it mixes readings: line {day_first[0]} "{day_first[1]}" can only be day-first and line '
            f'{month_first[0]} "{month_first[1]}" only month-first'
        )
    if day_first or month_first:
        order, (line, text, found) = (DAY_FIRST, day_first) if day_first else (MONTH_FIRST, month_first)
        big = found["a"] if day_first else found["b"]
        return DateReading(
            order, format_of(found, order), f'detected: line {line} "{text}" has {int(big)} where only a day fits'
        ), None
    line, found = first
    return None, (
        f"every day and month in it is 12 or less, so it could be read day-first or month-first "
        f'(line {line} "{found.group(0)}"): set date_format = "{format_of(found, DAY_FIRST)}" (day-first) '
        f'or "{format_of(found, MONTH_FIRST)}" (month-first) in the mapping'
    )


def _numeric(found: re.Match[str], order: str) -> dt.date:
    a, b, year = int(found["a"]), int(found["b"]), int(found["year"])
    day, month = (a, b) if order == DAY_FIRST else (b, a)
    return dt.date(year + 2000 if year < 100 else year, month, day)


def read_dates(
    values: list[tuple[int, str]], date_format: str | None, file: str, column: str
) -> tuple[dict[int, dt.date], DateReading]:
    """line -> date for every value; ``file`` and ``column`` (the export's) are for messages."""
    if date_format:
        reading = DateReading("date_format", date_format, f'as date_format "{date_format}", or ISO')
    else:
        reading, why = detect(values)
        if reading is None:
            raise BuildError(
                f'{file}: column "{column}" (submitted_on): the dates cannot be read without guessing: {why}.'
            )
    dates: dict[int, dt.date] = {}
    for line, text in values:
        date = _iso(text)
        if date is None:
            try:
                if date_format:
                    date = dt.datetime.strptime(text, date_format).date()
                else:
                    found = NUMERIC.fullmatch(text)
                    if found is None:
                        raise ValueError
                    date = _numeric(found, reading.order)
            except ValueError:
                expected = f'date_format "{date_format}"' if date_format else f"a {reading.order} date"
                raise BuildError(
                    f'{file}: line {line}: column "{column}" (submitted_on): "{text}" is not {expected} '
                    f"(nor ISO, e.g. 2024-03-15); fix the value or set date_format in the mapping."
                ) from None
        dates[line] = date
    return dates, reading
