"""The filter dimensions, declared once: what each is called in a link, a widget, a sentence and a
query, where its choices come from, and whether a person's grant of units narrows it.

The sidebar draws a box per dimension, links are read and written through it, ``Filters.sql_params``
binds its values, ``Filters.describe`` (downloads' stamps, the PDFs) names it, and the notices for a
link's unit outside a person's grant use it. A new pick-many dimension is one entry here, a field
of ``Filters`` and its SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: filters imports this module
    from dashboard.core.filters import Options


@dataclass(frozen=True)
class Dimension:
    field: str  # the Filters field holding the values picked, and the bound query parameter's name
    parameter: str  # its name in links and its widget's key
    label: str  # the box's label and the name in sentences ("Care group: A, B")
    plural: str  # "care groups": the box's placeholder says "All care groups"
    choices: Callable[[Options, Mapping[str, tuple[str, ...]]], tuple[str, ...]]  # (options, picked so far)
    granted: bool = False  # a person's grant of units narrows it (dashboard.features.grants)
    engagement: bool = True  # narrows engagement figures too (a survey does not: conversations are not responses)


# Pick-many dimensions, in the sidebar's order; a dimension's choices may follow those before it.
LIST_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("care_groups", "care_group", "Care group", "care groups", lambda o, _: o.care_groups, granted=True),
    Dimension(
        "service_areas",
        "service_area",
        "Service area",
        "service areas",
        lambda o, picked: o.service_areas(picked.get("care_group", ())),
        granted=True,
    ),
    Dimension("surveys", "survey", "Survey", "surveys", lambda o, _: o.surveys, engagement=False),
    Dimension("staff_groups", "staff_group", "Staff group", "staff groups", lambda o, _: o.staff_groups),
)
# The other dimensions: whole months (from, to) and the survey wave with the one it is compared with.
# Each is one value read as its bound box reads it (dashboard.core.filters.from_query_params).
MONTH_PARAMETERS = ("from", "to")
WAVE_PARAMETERS = ("wave", "compare")
ALL_PARAMETERS = tuple(d.parameter for d in LIST_DIMENSIONS) + MONTH_PARAMETERS + WAVE_PARAMETERS
BY_PARAMETER: dict[str, Dimension] = {d.parameter: d for d in LIST_DIMENSIONS}
