"""Sidebar filter combinations for the rerun benchmarks, each one new.

``dashboard.db`` keeps query results per open database, keyed by query and
parameters, so a benchmark that repeats a filter combination measures the cache,
not the page. Every combination handed out here has a date range (From, To) that
no earlier one had: every query that takes dates (all of them but the fixed
whole-Trust figures) misses the cache. The other filters vary too, so results
differ in size as they would for real users: one or two care groups or none,
a survey or two or none, a staff group now and then.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline import contract

MAX_DAYS_TRIMMED = 28  # From moves up to four weeks later, To up to four weeks earlier

CARE_GROUP_CHOICES: tuple[tuple[str, ...], ...] = (
    (), (), *((group,) for group in contract.CARE_GROUPS),
    (contract.CARE_GROUPS[0], contract.CARE_GROUPS[1]),
    (contract.CARE_GROUPS[2], contract.CARE_GROUPS[3]),
    (contract.CARE_GROUPS[1], contract.CARE_GROUPS[4]),
)
SURVEY_CHOICES: tuple[tuple[str, ...], ...] = (
    (), (), ("Staff",), ("Staff", "Digital champion"), ("Digital champion",), ("Service user",),
    ("Service user", "Carer"), ("Carer",),
)
STAFF_GROUP_CHOICES: tuple[tuple[str, ...], ...] = (
    (), (), (), ("Nursing",), ("Nursing", "Medical and dental"), ("Administrative and clerical",),
    ("Allied health professional", "Psychology and therapies"),
)


@dataclass(frozen=True)
class Combination:
    """One setting of the shared sidebar filters (widget key -> value)."""

    care_group: tuple[str, ...]
    service_area: tuple[str, ...]
    survey: tuple[str, ...]
    staff_group: tuple[str, ...]
    date_from: dt.date
    date_to: dt.date

    def query_params(self, first_day: dt.date, last_day: dt.date) -> list[tuple[str, str]]:
        """The same filters as URL parameters (the product binds its filters to the address)."""
        params = [(name, value) for name in ("care_group", "service_area", "survey", "staff_group")
                  for value in getattr(self, name)]
        if self.date_from != first_day:
            params.append(("from", self.date_from.isoformat()))
        if self.date_to != last_day:
            params.append(("to", self.date_to.isoformat()))
        return params


def combinations(
    first_day: dt.date,
    last_day: dt.date,
    service_areas: Sequence[str],
    seed: int = 2021,
    one_service_area: bool = False,
) -> Iterator[Combination]:
    """Combinations never seen before in this iterator: one per date range (840 over five months).

    ``one_service_area`` gives every combination a single service area (and no care
    group, so the area is always among the options offered), for a page such as
    My area that shows nothing until one area is picked.
    """
    rng = random.Random(f"bench:{seed}")
    span = (last_day - first_day).days
    trim = max(0, min(MAX_DAYS_TRIMMED, span // 3))
    pairs = [(a, b) for a, b in itertools.product(range(trim + 1), repeat=2) if (a, b) != (0, 0)]
    rng.shuffle(pairs)
    areas = sorted(service_areas)
    for start, end in pairs:
        survey = rng.choice(SURVEY_CHOICES)
        staff_surveys = not survey or set(survey) & set(contract.STAFF_SURVEYS)
        staff_group = rng.choice(STAFF_GROUP_CHOICES) if staff_surveys else ()
        if one_service_area:
            care_group, service_area = (), (rng.choice(areas),)
        else:
            care_group, service_area = rng.choice(CARE_GROUP_CHOICES), ()
        yield Combination(
            care_group, service_area, survey, staff_group,
            first_day + dt.timedelta(days=start), last_day - dt.timedelta(days=end),
        )
