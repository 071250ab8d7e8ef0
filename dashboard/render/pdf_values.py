"""Values as the PDF writes them: table cells as text, chart data as JSON, the build time."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re

import pandas as pd

BUILT_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")


def built_time(value: object) -> dt.datetime | None:
    """The stamp's "Data built" text (``2024-05-01 12:00 UTC``) as a UTC datetime, else None."""
    match = BUILT_RE.search(str(value or ""))
    if not match:
        return None
    try:
        return dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
    except ValueError:
        return None


def column_name(column: object) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


def missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell
        return False


def cell_text(value: object) -> str:
    """A table cell as text: missing values empty, whole numbers with thousands separators,
    other numbers with up to four decimals, dates as 31 Jan 2024."""
    if missing(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a NumPy scalar
        try:
            value = value.item()
        except (AttributeError, ValueError, TypeError):
            pass
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, decimal.Decimal)):
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime):
        return f"{value:%d %b %Y}" if value.time() == dt.time() else f"{value:%d %b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    return str(value)


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as Vega-Lite inline values: missing values null, dates ISO 8601 text."""
    columns = [str(column) for column in frame.columns]
    values = [[json_value(value) for value in frame[column].tolist()] for column in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def json_value(value: object) -> object:
    if missing(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    return json_default(value) if not isinstance(value, (str, int, float, bool)) else value


def json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):  # midnight local time, as a datetime: a bare date reads as UTC
        return dt.datetime.combine(value, dt.time()).isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):  # NumPy scalar
        return json_value(value.item())
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
