"""Comments, released only for fixed reporting units (docs/DISCLOSURE.md, "Comments").

A unit is the Trust, one care group or one service area, for one survey or all, in one
survey wave, always over the whole wave and every staff group. Dates and staff groups never
narrow a list, so no two lists differ by a handful of people.

A unit lists its comments only when it has at least ``min_comments`` comments and
``threshold`` responses, and when listing it beside every other listed unit leaves no comment
that can be pinned to fewer than ``threshold`` people. Each comment belongs to a region: the
responses that are in exactly the same listed units (someone comparing lists can tell that
much, and no more). Every region holding a comment must have at least ``threshold``
responses; while one does not, the smallest listed unit around it stops being listed.

The build decides once per wave (``decide``, on the wave's atoms: responses and comments per
care group, service area and survey) and writes what the app reads:

- ``comment_units``: every unit, listed or not, with the reason;
- ``comment_regions``: for each listed unit, the regions it holds;
- ``release_comments``: the comments of regions inside a listed unit, by region, with no
  date, group, answer or area beside them.

Comments of units that are not listed are not written to the app's database at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from pipeline import contract


@dataclass(frozen=True)
class Unit:
    care_group: str | None = None
    service_area: str | None = None
    survey: str | None = None
    wave: str | None = None  # set on the unit a listing names (decisions are made per wave)

    def describe(self) -> str:
        """E.g. 'the whole Trust, all surveys' or 'Community nursing (Community health services), Staff survey'."""
        place = contract.unit_name(self.care_group, self.service_area, "the whole Trust")
        return f"{place}, {f'{self.survey} survey' if self.survey else 'all surveys'}"

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


Atoms = Mapping[str, Sequence]  # care_group, service_area, survey, respondents, comments: one value per atom


def _units(atoms: Atoms) -> list[Unit]:
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


def _membership(atoms: Atoms, units: list[Unit]) -> np.ndarray:
    """member[atom, unit]: whether the atom lies in the unit."""
    size = len(atoms["respondents"])
    if not units or not size:
        return np.zeros((size, len(units)), bool)
    care_group, area, survey = (
        np.array(list(atoms[c]), dtype=object) for c in ("care_group", "service_area", "survey")
    )
    everyone = np.ones(size, bool)
    return np.column_stack(
        [
            (everyone if u.care_group is None else care_group == u.care_group)
            & (everyone if u.service_area is None else area == u.service_area)
            & (everyone if u.survey is None else survey == u.survey)
            for u in units
        ]
    )


def _regions(member: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """Each atom's region: atoms in exactly the same listed units share one."""
    signatures = np.packbits(member[:, listed], axis=1) if listed.any() else np.zeros((len(member), 1), np.uint8)
    _, region = np.unique(signatures, axis=0, return_inverse=True)
    return region.ravel()


def decide(atoms: Atoms, threshold: int, min_comments: int) -> dict[Unit, str | None]:
    """Every unit with None (listed) or why it is not listed. Pure: tested on constructed atoms."""
    return _decide(atoms, threshold, min_comments)[0]


def _decide(atoms: Atoms, threshold: int, min_comments: int):
    """(reasons by unit, the units, membership, which are listed)."""
    units = _units(atoms)
    member = _membership(atoms, units)
    respondents = np.array(list(atoms["respondents"]), dtype=np.int64)
    comments = np.array(list(atoms["comments"]), dtype=np.int64)
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
        region = _regions(member, listed)
        region_respondents = np.bincount(region, weights=respondents)
        region_comments = np.bincount(region, weights=comments)
        small = [
            r for r in range(len(region_respondents)) if region_comments[r] > 0 and region_respondents[r] < threshold
        ]
        around = [
            (unit_respondents[i], i) for r in small for i in np.flatnonzero(listed) if member[region == r, i].all()
        ]
        if not around:
            return reasons, units, member, listed
        _, victim = min(around)
        listed[victim] = False
        reasons[units[victim]] = (
            f"listing it beside the other units would let some comments be pinned to fewer than {threshold} people"
        )


def build_comment_units(con: duckdb.DuckDBPyConnection, threshold: int, min_comments: int) -> None:
    """Write ``comment_units``, ``comment_regions`` and ``release_comments`` from ``survey_responses``."""
    con.execute(
        "create table comment_units (wave varchar, care_group varchar, service_area varchar, survey varchar, "
        "listed boolean, reason varchar)"
    )
    con.execute(
        "create table comment_regions (wave varchar, care_group varchar, service_area varchar, survey varchar, "
        "region integer)"
    )
    con.execute(
        "create temp table comment_atom_regions (wave varchar, care_group varchar, service_area varchar, "
        "survey varchar, region integer)"
    )
    names = ("care_group", "service_area", "survey", "respondents", "comments")
    by_wave: dict[str, dict[str, list]] = {}
    for wave, *values in con.execute(
        """
        select wave, coalesce(care_group, $not_stated) as care_group, coalesce(service_area, $not_stated) as service_area,
               survey, count(*) as respondents, count(*) filter (where {said}) as comments
        from survey_responses where wave is not null
        group by all order by all
        """.format(said=contract.comment_said("comment")),
        {"not_stated": contract.NOT_STATED},
    ).fetchall():
        columns = by_wave.setdefault(wave, {name: [] for name in names})
        for name, value in zip(names, values):
            columns[name].append(value)
    units_rows, region_rows, atom_rows = [], [], []
    for wave, rows in by_wave.items():
        reasons, units, member, listed = _decide(rows, threshold, min_comments)
        units_rows += [(wave, u.care_group, u.service_area, u.survey, r is None, r) for u, r in reasons.items()]
        region = _regions(member, listed)
        for i in np.flatnonzero(listed):
            for r in sorted(set(region[member[:, i]])):
                region_rows.append((wave, units[i].care_group, units[i].service_area, units[i].survey, int(r)))
        atom_rows += [
            (wave, g, a, s, int(r))
            for g, a, s, r in zip(rows["care_group"], rows["service_area"], rows["survey"], region)
        ]
    for table, rows in (
        ("comment_units", units_rows),
        ("comment_regions", region_rows),
        ("comment_atom_regions", atom_rows),
    ):
        if rows:  # one insert per table (a row at a time takes seconds at a million responses)
            columns = [name for (name, *_) in con.execute(f"describe {table}").fetchall()]
            con.register("comment_rows", pa.table({c: [row[i] for row in rows] for i, c in enumerate(columns)}))
            con.execute(f"insert into {table} select * from comment_rows")
            con.unregister("comment_rows")
    # Only comments of a region some listed unit holds; each once, by region.
    con.execute(
        """
        create table release_comments as
        select r.wave, a.region, r.comment
        from survey_responses r
        join comment_atom_regions a
            on a.wave = r.wave and a.care_group = coalesce(r.care_group, $not_stated)
            and a.service_area = coalesce(r.service_area, $not_stated) and a.survey = r.survey
        where {said}
          and exists (select 1 from comment_regions c where c.wave = a.wave and c.region = a.region)
        order by r.wave, a.region, r.comment
        """.format(said=contract.comment_said("r.comment")),
        {"not_stated": contract.NOT_STATED},
    )
    con.execute("drop table comment_atom_regions")
