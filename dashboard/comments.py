"""Comments, listed only for fixed reporting units (docs/DISCLOSURE.md, "Comments").

A unit is the Trust, one care group or one service area, for one survey or all,
in one survey wave, always over the whole wave and every staff group. Dates and staff
groups never narrow a list, so no two lists differ by a handful of people.

A unit lists its comments only when it has at least ``min_comments`` comments
and ``threshold`` responses, and when listing it beside every other listed unit
leaves no comment that can be pinned to fewer than ``threshold`` people. Each
comment belongs to a region: the responses that are in exactly the same listed
units (someone comparing lists can tell that much, and no more). Every region
holding a comment must have at least ``threshold`` responses; while one does
not, the smallest listed unit around it stops being listed. The decision is
made once per database and wave, from ``comment_atoms`` (responses and comments per care
group, service area and survey), so it never depends on anyone's filters.

No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.db import Database
from dashboard.filters import Filters, Options
from dashboard.scopes import TRUST, Scope
from pipeline import contract

MAX_SEARCH_CHARS = 200  # a search box entry longer than this is cut; no comment needs more
COMMENTS_SHOWN = 500  # comments listed on the page; the download has them all


@dataclass(frozen=True)
class Unit:
    care_group: str | None = None
    service_area: str | None = None
    survey: str | None = None
    wave: str | None = None  # set on the unit a listing names (decisions are made per wave)

    def describe(self) -> str:
        """E.g. 'the whole Trust, all surveys' or 'Community nursing (Community health services), Staff survey'."""
        place = (
            "the whole Trust"
            if self.care_group is None
            else self.care_group
            if self.service_area is None
            else f"{self.service_area} ({self.care_group})"
        )
        return f"{place}, {f'{self.survey} survey' if self.survey else 'all surveys'}"

    def params(self) -> dict[str, str | None]:
        return {
            "wave": self.wave,
            "care_group": self.care_group,
            "service_area": self.service_area,
            "survey": self.survey,
        }

    def wider(self) -> list[Unit]:
        """The units around this one, nearest first: all surveys, then the care group, then the Trust."""
        places = [(self.care_group, self.service_area)]
        if self.service_area is not None:
            places.append((self.care_group, None))
        if self.care_group is not None:
            places.append((None, None))
        surveys = [self.survey, None] if self.survey else [None]
        here = (self.care_group, self.service_area, self.survey)
        return [Unit(g, a, s, self.wave) for g, a in places for s in surveys if (g, a, s) != here]


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


def _units(atoms: pd.DataFrame) -> list[Unit]:
    places = [(None, None)] + [(g, None) for g in sorted(set(atoms["care_group"]) - {contract.NOT_STATED})]
    places += sorted(
        {
            (g, a)
            for g, a in zip(atoms["care_group"], atoms["service_area"])
            if g != contract.NOT_STATED and a != contract.NOT_STATED
        }
    )
    surveys = [None, *sorted(set(atoms["survey"]))]
    return [Unit(g, a, s) for g, a in places for s in surveys]


def decide(atoms: pd.DataFrame, threshold: int, min_comments: int) -> dict[Unit, str | None]:
    """Every unit with None (listed) or why it is not listed. Pure: tested on constructed atoms."""
    units = _units(atoms)
    care_group, area, survey = (atoms[c].to_numpy(dtype=object) for c in ("care_group", "service_area", "survey"))
    member = (
        np.column_stack(
            [
                (np.ones(len(atoms), bool) if u.care_group is None else care_group == u.care_group)
                & (np.ones(len(atoms), bool) if u.service_area is None else area == u.service_area)
                & (np.ones(len(atoms), bool) if u.survey is None else survey == u.survey)
                for u in units
            ]
        )
        if units and len(atoms)
        else np.zeros((len(atoms), len(units)), bool)
    )
    respondents = atoms["respondents"].to_numpy(dtype=np.int64)
    comments = atoms["comments"].to_numpy(dtype=np.int64)
    unit_respondents, unit_comments = respondents @ member, comments @ member
    reasons: dict[Unit, str | None] = {}
    listed = np.zeros(len(units), bool)
    for i, unit in enumerate(units):
        if unit_comments[i] < min_comments:
            reasons[unit] = f"it has fewer than {min_comments} comments"
        elif unit_respondents[i] < threshold:
            reasons[unit] = f"it has fewer than {threshold} responses"
        else:
            reasons[unit] = None
            listed[i] = True
    while True:
        signatures = np.packbits(member[:, listed], axis=1) if listed.any() else np.zeros((len(atoms), 1), np.uint8)
        _, region = np.unique(signatures, axis=0, return_inverse=True)
        region = region.ravel()
        region_respondents = np.bincount(region, weights=respondents)
        region_comments = np.bincount(region, weights=comments)
        small = [
            r for r in range(len(region_respondents)) if region_comments[r] > 0 and region_respondents[r] < threshold
        ]
        around = [
            (unit_respondents[i], i) for r in small for i in np.flatnonzero(listed) if member[region == r, i].all()
        ]
        if not around:
            return reasons
        _, victim = min(around)
        listed[victim] = False
        reasons[units[victim]] = (
            f"listing it beside the other units would let some comments be pinned to fewer than {threshold} people"
        )


def _decided(database: Database, wave: str | None, threshold: int, min_comments: int) -> dict[Unit, str | None]:
    """``decide`` once per database, wave and settings."""
    return database.memo(
        "comment decisions",
        lambda _: decide(
            database.query("comment_atoms", wave=wave, not_stated=contract.NOT_STATED), threshold, min_comments
        ),
        key=(wave, threshold, min_comments),
        keep=8,
    )


def listing(
    database: Database, filters: Filters, options: Options, threshold: int, min_comments: int, scope: Scope = TRUST
) -> Listing:
    """The unit the filters name in their wave, whether it lists its comments, and why not. Only units
    in the person's ``scope`` are listed or offered as the nearest (totals are figures, not comments)."""
    wave = options.wave_of(filters)
    decided = _decided(database, wave, threshold, min_comments)
    unit, why = unit_of(filters, options)

    def in_wave(found: Unit | None) -> Unit | None:
        return None if found is None else replace(found, wave=wave)

    def listed(found: Unit) -> bool:
        return decided.get(found, "") is None and scope.allows_unit(found.care_group, found.service_area)

    if unit is None:
        nearest = next((u for u in Unit().wider() + [Unit()] if listed(u)), None)
        return Listing(None, False, why, in_wave(nearest))
    if not scope.allows_unit(unit.care_group, unit.service_area):
        return Listing(None, False, "they reach outside what your account may see", None)
    reason = decided.get(unit, f"it has fewer than {min_comments} comments")
    nearest = None if reason is None else next((u for u in unit.wider() if listed(u)), None)
    return Listing(in_wave(unit), reason is None, reason, in_wave(nearest))


def _params(unit: Unit, search: str) -> dict[str, object]:
    return {**unit.params(), "search": (search or "").strip()[:MAX_SEARCH_CHARS]}


def comments(database: Database, unit: Unit, search: str = "", limit: int | None = None) -> pd.DataFrame:
    """The unit's comments containing ``search`` (plain text, any case; bound, never pasted into SQL),
    in alphabetical order so that the order says nothing about who wrote them; the first ``limit``
    (all when None). Only call for a listed unit (``listing``)."""
    return database.query("unit_comments", max_rows=limit, **_params(unit, search))


def comment_count(database: Database, unit: Unit, search: str = "") -> int:
    return int(database.query("unit_comment_count", **_params(unit, search)).iloc[0]["comments"])


def comments_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Comment": list(frame["comment"])})
