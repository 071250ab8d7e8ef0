"""The shared filters as plain values: allowed options, URL parameters, SQL parameters.

Pure functions, tested without Streamlit. ``dashboard.ui`` draws the widgets;
this module decides what a value means and whether it is allowed.

URL parameters (each list one may repeat): ``care_group``, ``service_area``,
``survey``, ``staff_group``, ``from``, ``to`` (ISO dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dashboard.text import escape_markdown
from pipeline import contract

LIST_PARAMETERS = ("care_group", "service_area", "survey", "staff_group")
DATE_PARAMETERS = ("from", "to")
ALL_PARAMETERS = LIST_PARAMETERS + DATE_PARAMETERS
MAX_PARAMETER_CHARS = 200  # longer values are never a real label; shown truncated in notices


@dataclass(frozen=True)
class Options:
    """The values a filter may take, read from the database."""

    areas_by_care_group: Mapping[str, tuple[str, ...]]
    first_day: dt.date
    last_day: dt.date
    care_groups: tuple[str, ...] = contract.CARE_GROUPS
    surveys: tuple[str, ...] = contract.SURVEYS
    staff_groups: tuple[str, ...] = contract.STAFF_GROUPS

    def service_areas(self, care_groups: Iterable[str] = ()) -> tuple[str, ...]:
        """Service areas, narrowed to the care groups picked (all when none picked)."""
        picked = tuple(care_groups) or self.care_groups
        return tuple(sorted(a for g in picked for a in self.areas_by_care_group.get(g, ())))

    def care_group_of(self, service_area: str) -> str | None:
        for group, areas in self.areas_by_care_group.items():
            if service_area in areas:
                return group
        return None


@dataclass(frozen=True)
class Filters:
    care_groups: tuple[str, ...] = ()
    service_areas: tuple[str, ...] = ()
    surveys: tuple[str, ...] = ()
    staff_groups: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def sql_params(self) -> dict[str, object]:
        """Named parameters for the queries in queries/ (bound, never pasted into SQL)."""
        return {
            "care_groups": list(self.care_groups),
            "service_areas": list(self.service_areas),
            "surveys": list(self.surveys),
            "staff_groups": list(self.staff_groups),
            "date_from": self.date_from or dt.date.min,
            "date_to": self.date_to or dt.date.max,
        }

    def engagement_params(self) -> dict[str, object]:
        params = self.sql_params()
        del params["surveys"]
        return params

    @property
    def is_empty(self) -> bool:
        return self == Filters()

    def describe(self) -> str:
        """One line for downloads and summaries, e.g. 'Care group: A, B; Survey: Staff'."""
        parts = []
        for label, values in (
            ("Care group", self.care_groups),
            ("Service area", self.service_areas),
            ("Survey", self.surveys),
            ("Staff group", self.staff_groups),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.date_from or self.date_to:
            start = self.date_from.isoformat() if self.date_from else "start"
            end = self.date_to.isoformat() if self.date_to else "end"
            parts.append(f"Dates: {start} to {end}")
        return "; ".join(parts) or "No filters (whole Trust, all dates)"


def to_query_params(filters: Filters, options: Options) -> dict[str, list[str]]:
    """URL parameters that reopen this view; values equal to the default are left out."""
    params: dict[str, list[str]] = {}
    for name, values in zip(LIST_PARAMETERS, (filters.care_groups, filters.service_areas, filters.surveys, filters.staff_groups)):
        if values:
            params[name] = list(values)
    if filters.date_from and filters.date_from != options.first_day:
        params["from"] = [filters.date_from.isoformat()]
    if filters.date_to and filters.date_to != options.last_day:
        params["to"] = [filters.date_to.isoformat()]
    return params


@dataclass(frozen=True)
class Parsed:
    filters: Filters
    rejected: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (parameter, value)

    def notices(self) -> list[str]:
        """One line per refused value, the value shown as plain text (never as markdown)."""
        return [
            f"Ignored {name}={escape_markdown(repr(_shorten(value)))} from the link: it is not a known value."
            for name, value in self.rejected
        ]


def _shorten(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def _parse_date(value: str) -> dt.date | None:
    """A date as the bound date widget reads it from a link: 2021-03-15 (or 2021/03/15)."""
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def from_query_params(params: Mapping[str, Sequence[str]], options: Options) -> Parsed:
    """Read filters from URL parameters, keeping only allowed values.

    Unknown parameter names are left alone (other parts of the app may use
    them); every value of a known one is checked against ``options``.
    """
    rejected: list[tuple[str, str]] = []

    def allowed(name: str, choices: Sequence[str]) -> tuple[str, ...]:
        kept: list[str] = []
        for value in params.get(name, ()):
            if value in choices:
                if value not in kept:
                    kept.append(value)
            elif value != "":
                rejected.append((name, value))
        return tuple(kept)

    care_groups = allowed("care_group", options.care_groups)
    service_areas = allowed("service_area", options.service_areas(care_groups))
    surveys = allowed("survey", options.surveys)
    staff_groups = allowed("staff_group", options.staff_groups)
    # Dates follow the bound date widget's own rules, so a notice says exactly what
    # the page does: every value must be a date in range, else all are ignored;
    # of several good ones, the first is used. From after To is applied as given
    # (the sidebar then says that nothing can match).
    dates: dict[str, dt.date | None] = {}
    for name in DATE_PARAMETERS:
        values = [v for v in params.get(name, ()) if v != ""]
        days = [_parse_date(v) for v in values]
        if any(d is None or not options.first_day <= d <= options.last_day for d in days):
            rejected.extend((name, v) for v in values)
            days = []
        else:
            rejected.extend((name, v) for v in values[1:])
        dates[name] = days[0] if days else None
    return Parsed(
        Filters(care_groups, service_areas, surveys, staff_groups, dates["from"], dates["to"]),
        tuple(rejected),
    )
