"""The shared filters as plain values: allowed options, URL parameters, SQL parameters.

Pure functions, tested without Streamlit. ``dashboard.render.ui`` draws the widgets;
this module decides what a value means and whether it is allowed.

URL parameters (``dashboard.core.dimensions``; each pick-many one may repeat): ``care_group``,
``service_area``, ``survey``, ``staff_group``, ``from``, ``to`` (months, ``2021-03``), ``wave`` (a
survey wave's id; default the latest) and ``compare`` (an earlier wave's id, or
``none``; default the wave before ``wave``). Dates are
picked by whole month (docs/DISCLOSURE.md): ``date_from`` is the first day of
the From month and ``date_to`` the last day of the To month. A link with a day
(``2021-03-15``) still opens, widened to its month, with a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dashboard.core.dimensions import BY_PARAMETER, LIST_DIMENSIONS, MONTH_PARAMETERS
from dashboard.core.text import escape_markdown

NO_COMPARISON = "none"  # compare=none: no change figures
MAX_PARAMETER_CHARS = 200  # longer values are never a real label; shown truncated in notices


@dataclass(frozen=True)
class Options:
    """The values a filter may take, read from the database."""

    areas_by_care_group: Mapping[str, tuple[str, ...]]
    first_day: dt.date
    last_day: dt.date
    care_groups: tuple[str, ...] = ()  # the Trust's lists (``lists``), in order
    surveys: tuple[str, ...] = ()
    staff_groups: tuple[str, ...] = ()
    waves: tuple[str, ...] = ()  # survey waves' ids, oldest first
    wave_names: Mapping[str, str] = field(default_factory=dict)
    wave_dates: Mapping[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # opened, closed

    @property
    def latest_wave(self) -> str | None:
        return self.waves[-1] if self.waves else None

    def wave_of(self, filters: Filters) -> str | None:
        """The wave the filters show: the one chosen, else the latest."""
        return filters.wave or self.latest_wave

    def earlier_waves(self, wave: str | None) -> tuple[str, ...]:
        """The waves before ``wave``, the nearest first: what it can be compared with."""
        return tuple(reversed(self.waves[: self.waves.index(wave)])) if wave in self.waves else ()

    def wave_name(self, wave: str | None) -> str:
        return self.wave_names.get(wave, wave or "")

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
    wave: str | None = None  # a survey wave's id; None: the latest
    compare: str | None = None  # the earlier wave its survey figures are compared with; None: none

    def sql_params(self) -> dict[str, object]:
        """Named parameters for the queries in queries/ (bound, never pasted into SQL)."""
        return {d.field: list(self.picked(d.parameter)) for d in LIST_DIMENSIONS} | {
            "date_from": self.date_from or dt.date.min,
            "date_to": self.date_to or dt.date.max,
        }

    def engagement_params(self) -> dict[str, object]:
        """``sql_params`` without the dimensions that do not narrow engagement figures (surveys)."""
        params = self.sql_params()
        for dimension in LIST_DIMENSIONS:
            if not dimension.engagement:
                del params[dimension.field]
        return params

    def picked(self, parameter: str) -> tuple[str, ...]:
        """The values picked in a pick-many dimension, by its link name (``care_group``, ...)."""
        return getattr(self, BY_PARAMETER[parameter].field)

    @property
    def is_empty(self) -> bool:
        """No unit or month chosen (the wave and comparison aside): the whole Trust."""
        return replace(self, wave=None, compare=None) == Filters()

    @property
    def months_chosen(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def in_wave(self, wave: str | None) -> Filters:
        """The same units in another wave, over the whole of it (months belong to one wave)."""
        return replace(self, wave=wave, compare=None, date_from=None, date_to=None)

    def describe(self, options: Options | None = None) -> str:
        """One line for downloads and summaries, e.g. 'Care group: A, B; Survey: Staff'; with ``options``,
        the wave and comparison by name (without, by id)."""
        parts = [
            f"{d.label}: {', '.join(self.picked(d.parameter))}" for d in LIST_DIMENSIONS if self.picked(d.parameter)
        ]
        if self.date_from or self.date_to:
            start = f"{self.date_from:%B %Y}" if self.date_from else "start"
            end = f"{self.date_to:%B %Y}" if self.date_to else "end"
            parts.append(f"Months: {start} to {end}")
        described = "; ".join(parts) or "No filters (whole Trust, all dates)"
        name = options.wave_name if options is not None else str
        if self.wave:
            described += f"; Wave: {name(self.wave)}"
        if self.compare:
            described += f"; Compared with: {name(self.compare)}"
        return described


def to_query_params(filters: Filters, options: Options) -> dict[str, list[str]]:
    """URL parameters that reopen this view; values equal to the default are left out."""
    params: dict[str, list[str]] = {}
    for dimension in LIST_DIMENSIONS:
        if filters.picked(dimension.parameter):
            params[dimension.parameter] = list(filters.picked(dimension.parameter))
    if filters.date_from and month_start(filters.date_from) != month_start(options.first_day):
        params["from"] = [month_value(filters.date_from)]
    if filters.date_to and month_start(filters.date_to) != month_start(options.last_day):
        params["to"] = [month_value(filters.date_to)]
    wave = options.wave_of(filters)
    implied = wave_of_months(options, filters.date_from, filters.date_to) if filters.months_chosen else None
    if wave != (implied or options.latest_wave):
        params["wave"] = [wave]
    if filters.compare != default_comparison(options, wave):
        params["compare"] = [filters.compare or NO_COMPARISON]
    return params


def whole_waves_note(filters: Filters, options: Options) -> str:
    """Why no change is shown when a comparison is asked for with months chosen; '' otherwise."""
    if not (filters.compare and filters.months_chosen):
        return ""
    return (
        f"Change since {options.wave_name(filters.compare)} is shown for whole waves: set the months back to "
        "the whole period to see it."
    )


def wave_of_months(options: Options, date_from: dt.date | None, date_to: dt.date | None) -> str | None:
    """The one wave the months fall in (a link made before there were waves names months but no
    wave, and opens on the wave of its months); None when they touch no wave or several."""
    first, last = date_from or options.first_day, date_to or options.last_day
    touched = [
        w
        for w in options.waves
        if w in options.wave_dates and options.wave_dates[w][0] <= last and options.wave_dates[w][1] >= first
    ]
    return touched[0] if len(touched) == 1 else None


def default_comparison(options: Options, wave: str | None) -> str | None:
    """The wave a wave is compared with unless the link says otherwise: the one before it."""
    earlier = options.earlier_waves(wave)
    return earlier[0] if earlier else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def month_value(day: dt.date) -> str:
    """The month as it is written in a link: 2021-03."""
    return f"{day:%Y-%m}"


def month_label(value: str) -> str:
    """'2021-03' as people read it: March 2021."""
    return f"{dt.datetime.strptime(value, '%Y-%m'):%B %Y}"


def month_span(first: dt.date | None, last: dt.date | None) -> str:
    """Two days as the months they fall in: 'February to June 2021', 'November 2020 to March 2021',
    'March 2021'; '' without dates."""
    if first is None or last is None:
        return ""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def months(options: Options) -> tuple[str, ...]:
    """Every month from the first to the last in the data, as link values."""
    listed, month = [], month_start(options.first_day)
    while month <= options.last_day:
        listed.append(month_value(month))
        month = month_end(month) + dt.timedelta(days=1)
    return tuple(listed)


@dataclass(frozen=True)
class Parsed:
    filters: Filters
    rejected: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (parameter, value)
    widened: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (parameter, day given, month used)

    def notices(self, outside: Collection[tuple[str, str]] = ()) -> list[str]:
        """One line per refused or widened value, the value shown as plain text (never as markdown).
        ``outside``: refused (parameter, value) pairs that are known but outside the person's access."""
        return [
            f"Ignored {name}={escape_markdown(repr(_shorten(value)))} from the link: "
            + ("it is outside what your account may see." if (name, value) in outside else "it is not a known value.")
            for name, value in self.rejected
        ] + [
            f"The link's {name}={escape_markdown(repr(day))} is a day; dates are picked by whole month, so "
            f"{month_label(month)} is used."
            for name, day, month in self.widened
        ]


def _shorten(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def parse_month(value: str) -> tuple[str, bool] | None:
    """(month as a link value, whether a day was given) for 2021-03, 2021-03-15 or 2021/03/15; else None.

    A month must be written as the month box writes it (2021-03, not 2021-3): the box
    takes nothing else from a link, and a value it drops must not be applied here either.
    """
    for pattern, is_day in (("%Y-%m", False), ("%Y-%m-%d", True), ("%Y/%m/%d", True)):
        try:
            month = month_value(dt.datetime.strptime(value, pattern).date())
        except ValueError:
            continue
        return (month, is_day) if is_day or month == value else None
    return None


def from_query_params(params: Mapping[str, Sequence[str]], options: Options) -> Parsed:
    """Read filters from URL parameters, keeping only allowed values.

    Unknown parameter names are left alone (other parts of the app may use
    them); every value of a known one is checked against ``options``.
    """
    rejected: list[tuple[str, str]] = []
    widened: list[tuple[str, str, str]] = []

    def allowed(name: str, choices: Sequence[str]) -> tuple[str, ...]:
        kept: list[str] = []
        for value in params.get(name, ()):
            if value in choices:
                if value not in kept:
                    kept.append(value)
            elif value != "":
                rejected.append((name, value))
        return tuple(kept)

    picked: dict[str, tuple[str, ...]] = {}
    for dimension in LIST_DIMENSIONS:  # in order: a dimension's choices may follow those before it
        picked[dimension.parameter] = allowed(dimension.parameter, dimension.choices(options, picked))
    # A month in the data's range; a day is widened to its month. Of several values
    # only the last is read, as the bound month box reads it (the others are refused;
    # a last value that is empty or refused leaves the month unset). From after To is
    # applied as given (the sidebar then says that nothing can match).
    allowed_months = months(options)
    chosen: dict[str, str | None] = {}
    for name in MONTH_PARAMETERS:
        chosen[name] = None
        values = list(params.get(name, ()))
        for position, value in enumerate(values):
            if value == "":
                continue
            parsed = parse_month(value)
            if parsed is None or parsed[0] not in allowed_months or position != len(values) - 1:
                rejected.append((name, value))
                continue
            chosen[name] = parsed[0]
            if parsed[1]:
                widened.append((name, value, parsed[0]))
    date_from = month_start(dt.date.fromisoformat(chosen["from"] + "-01")) if chosen["from"] else None
    date_to = month_end(dt.date.fromisoformat(chosen["to"] + "-01")) if chosen["to"] else None
    # One wave and one comparison, read as the bound boxes read them: the last value.
    wave = _last(params.get("wave", ()), options.waves, "wave", rejected)
    if not params.get("wave") and (date_from or date_to):
        wave = wave_of_months(options, date_from, date_to)
    compare_choices = (*options.earlier_waves(options.wave_of(Filters(wave=wave))), NO_COMPARISON)
    compare = _last(params.get("compare", ()), compare_choices, "compare", rejected)
    if compare is None:
        compare = default_comparison(options, options.wave_of(Filters(wave=wave)))
    return Parsed(
        Filters(
            **{d.field: picked[d.parameter] for d in LIST_DIMENSIONS},
            date_from=date_from,
            date_to=date_to,
            wave=None if wave == options.latest_wave else wave,
            compare=None if compare == NO_COMPARISON else compare,
        ),
        tuple(rejected),
        tuple(widened),
    )


def _last(values: Sequence[str], choices: Sequence[str], name: str, rejected: list[tuple[str, str]]) -> str | None:
    """The last value when it is one of ``choices`` (the others refused), else None."""
    kept = None
    for position, value in enumerate(values):
        if value == "":
            continue
        if value in choices and position == len(values) - 1:
            kept = value
        else:
            rejected.append((name, value))
    return kept
