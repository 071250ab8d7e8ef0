"""Sidebar filter combinations for the rerun benchmarks, each one new.

``dashboard.core.db`` keeps query results per open database, keyed by query and
parameters, so a benchmark that repeats a filter combination measures the cache,
not the page. Dates are picked by whole month (From and To months, as the
sidebar's month boxes and the links ``from=2021-03&to=2021-05`` do). On the
first pass every combination handed out has a month range and a place (care
group, or service area for My area) that no earlier one had: every query that
takes dates and a place (all of them but the fixed whole-Trust figures) misses
the cache. Survey and staff group vary too, so results differ in size as they
would for real users. Later passes (only for long runs) give combinations that
differ from every earlier one in some filter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import demo.model as demo_model

MAX_PASSES = 10  # over every (month range, place); the first pass alone is usually enough

CARE_GROUP_CHOICES: tuple[tuple[str, ...], ...] = (
    (),
    (),
    *((group,) for group in demo_model.CARE_GROUPS),
    (demo_model.CARE_GROUPS[0], demo_model.CARE_GROUPS[1]),
    (demo_model.CARE_GROUPS[2], demo_model.CARE_GROUPS[3]),
    (demo_model.CARE_GROUPS[1], demo_model.CARE_GROUPS[4]),
)
SURVEY_CHOICES: tuple[tuple[str, ...], ...] = (
    (),
    (),
    ("Staff",),
    ("Staff", "Digital champion"),
    ("Digital champion",),
    ("Service user",),
    ("Service user", "Carer"),
    ("Carer",),
)
STAFF_GROUP_CHOICES: tuple[tuple[str, ...], ...] = (
    (),
    (),
    (),
    ("Nursing",),
    ("Nursing", "Medical and dental"),
    ("Administrative and clerical",),
    ("Allied health professional", "Psychology and therapies"),
)


def month_starts(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """The first day of every month from ``first_day``'s to ``last_day``'s."""
    months, month = [], first_day.replace(day=1)
    while month <= last_day:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Combination:
    """One setting of the shared sidebar filters (widget key -> value)."""

    care_group: tuple[str, ...]
    service_area: tuple[str, ...]
    survey: tuple[str, ...]
    staff_group: tuple[str, ...]
    date_from: dt.date  # the first day of the From month
    date_to: dt.date  # the last day of the To month

    @property
    def month_from(self) -> str:
        """The From month as the month box and links write it: 2021-03."""
        return f"{self.date_from:%Y-%m}"

    @property
    def month_to(self) -> str:
        return f"{self.date_to:%Y-%m}"

    def query_params(self, first_day: dt.date, last_day: dt.date) -> list[tuple[str, str]]:
        """The same filters as URL parameters (the product binds its filters to the address);
        a month equal to the data's first (From) or last (To) is the default and left out."""
        params = [
            (name, value)
            for name in ("care_group", "service_area", "survey", "staff_group")
            for value in getattr(self, name)
        ]
        if self.month_from != f"{first_day:%Y-%m}":
            params.append(("from", self.month_from))
        if self.month_to != f"{last_day:%Y-%m}":
            params.append(("to", self.month_to))
        return params


def combinations(
    first_day: dt.date,
    last_day: dt.date,
    service_areas: Sequence[str],
    seed: int = 2021,
    one_service_area: bool = False,
) -> Iterator[Combination]:
    """Combinations never seen before in this iterator; on the first pass one per month range and
    place (over five months: 15 ranges x 9 care group choices, less the no-filter view).

    ``one_service_area`` gives every combination a single service area (and no care
    group, so the area is always among the options offered), for a page such as
    My area that shows nothing until one area is picked.
    """
    rng = random.Random(f"bench:{seed}")
    starts = month_starts(first_day, last_day)
    ranges = list(itertools.combinations_with_replacement(starts, 2))  # From <= To
    if one_service_area:
        places = [((), (area,)) for area in sorted(service_areas)]
    else:
        places = [(group, ()) for group in dict.fromkeys(CARE_GROUP_CHOICES)]
    everything = ((starts[0], starts[-1]), ((), ()))  # the warm run's view: no filter at all
    keys = [(r, p) for r in ranges for p in places if (r, p) != everything]
    seen: set[Combination] = set()
    for _ in range(MAX_PASSES):
        rng.shuffle(keys)
        fresh = 0
        for (start, end), (care_group, service_area) in keys:
            survey = rng.choice(SURVEY_CHOICES)
            staff_surveys = not survey or set(survey) & set(demo_model.STAFF_SURVEYS)
            staff_group = rng.choice(STAFF_GROUP_CHOICES) if staff_surveys else ()
            combination = Combination(care_group, service_area, survey, staff_group, start, month_end(end))
            if combination in seen:
                continue
            seen.add(combination)
            fresh += 1
            yield combination
        if not fresh:
            return
