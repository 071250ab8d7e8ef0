"""Comments, listed only for fixed reporting units (docs/DISCLOSURE.md, "Comments").

A unit is the Trust, one care group or one service area, for one survey or all,
in one survey wave, always over the whole wave and every staff group. Dates and staff
groups never narrow a list, so no two lists differ by a handful of people.

Which units list their comments was decided when the database was built
(``pipeline.comment_units``: at least ``min_comments`` comments and ``threshold``
responses, and no comment that comparing lists could pin to fewer than ``threshold``
people); only the comments of listed units are in the database. This module reads the
decisions (``comment_units``), never anyone's filters, and lists a unit's comments.

No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dashboard.core import release
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options
from dashboard.features.grants import TRUST, Grant
from pipeline.comment_units import Unit

__all__ = ["Listing", "Unit", "comment_count", "comments", "comments_table", "listing", "unit_of"]

MAX_SEARCH_CHARS = 200  # a search box entry longer than this is cut; no comment needs more
COMMENTS_SHOWN = 500  # comments listed on the page; the download has them all


def _params(unit: Unit, search: str = "") -> dict[str, object]:
    return {
        "wave": unit.wave,
        "care_group": unit.care_group,
        "service_area": unit.service_area,
        "survey": unit.survey,
        "search": (search or "").strip()[:MAX_SEARCH_CHARS],
    }


@dataclass(frozen=True)
class Listing:
    """What the comments section shows for the page's filters."""

    unit: Unit | None  # the unit the filters name; None when they name several
    listed: bool
    reason: str | None  # why the unit's comments are not listed
    nearest: Unit | None  # the nearest unit around it that is listed


def unit_of(filters: Filters, options: Options) -> tuple[Unit | None, str | None]:
    """The one unit the filters name (dates and staff groups ignored), or why they name none."""
    if len(filters.service_areas) > 1:
        return None, "several service areas are picked"
    if len(filters.care_groups) > 1 and not filters.service_areas:
        return None, "several care groups are picked"
    if len(filters.surveys) > 1:
        return None, "several surveys are picked"
    survey = filters.surveys[0] if filters.surveys else None
    if filters.service_areas:
        area = filters.service_areas[0]
        return Unit(options.care_group_of(area), area, survey), None
    return Unit(filters.care_groups[0] if filters.care_groups else None, None, survey), None


def _decided(database: Database, wave: str | None) -> dict[Unit, str | None]:
    """The build's decisions for one wave: every unit with None (listed) or why it is not (read once
    per database and wave)."""
    return database.memo("comment decisions", lambda _: _read_decisions(database, wave), key=wave, keep=8)


def _read_decisions(database: Database, wave: str | None) -> dict[Unit, str | None]:
    frame = database.query("comment_units", wave=wave)

    def label(value: object) -> str | None:
        return None if value is None or pd.isna(value) else str(value)

    return {
        Unit(label(g), label(a), label(s)): (None if listed else str(reason))
        for g, a, s, listed, reason in zip(
            frame["care_group"], frame["service_area"], frame["survey"], frame["listed"], frame["reason"]
        )
    }


def listing(database: Database, filters: Filters, options: Options, grant: Grant = TRUST) -> Listing:
    """The unit the filters name in their wave, whether it lists its comments, and why not. Only units
    in the person's ``grant`` are listed or offered as the nearest (totals are figures, not comments)."""
    wave = options.wave_of(filters)
    decided = _decided(database, wave)
    unit, why = unit_of(filters, options)

    def in_wave(found: Unit | None) -> Unit | None:
        return None if found is None else replace(found, wave=wave)

    def listed(found: Unit) -> bool:
        return decided.get(found, "") is None and grant.allows_unit(found.care_group, found.service_area)

    if unit is None:
        nearest = next((u for u in Unit().wider() + [Unit()] if listed(u)), None)
        return Listing(None, False, why, in_wave(nearest))
    if not grant.allows_unit(unit.care_group, unit.service_area):
        return Listing(None, False, "they reach outside what your account may see", None)
    reason = decided.get(unit, f"it has fewer than {release.of(database).min_comments} comments")
    nearest = None if reason is None else next((u for u in unit.wider() if listed(u)), None)
    return Listing(in_wave(unit), reason is None, reason, in_wave(nearest))


def comments(database: Database, unit: Unit, search: str = "", limit: int | None = None) -> pd.DataFrame:
    """The unit's comments containing ``search`` (plain text, any case; bound, never pasted into SQL),
    in alphabetical order so that the order says nothing about who wrote them; the first ``limit``
    (all when None). A text that says nothing ('n/a', 'None', '-') was never released
    (``pipeline.contract.NO_COMMENT``). Only call for a listed unit (``listing``)."""
    return database.query("unit_comments", max_rows=limit, **_params(unit, search))


def comment_count(database: Database, unit: Unit, search: str = "") -> int:
    """How many comments ``comments`` lists with no limit."""
    return int(database.query("unit_comment_count", **_params(unit, search)).iloc[0]["comments"])


def comments_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Comment": list(frame["comment"])})
