"""The survey release in memory: every survey figure is a released cell or a sum of them.

The build writes the release once (``pipeline/release.py``, docs/DISCLOSURE.md): per wave,
the released groups (a unit x survey x staff group over the wave, a unit x month, a service
area's staff surveys for response rates), each with its perturbed number of responses, and for
every group and question the perturbed count of each answer (blank answers too). A group, or a
group's question, that is not in the release is suppressed. This module reads the release once
per database file into arrays (``dashboard.core.figures`` adds up the cells a figure covers): nothing
here knows a true count, and nothing is perturbed here.

A figure covers *parts*: released groups named by ``Part`` (a unit: the Trust, a care group,
or a service area with its care group; a survey or all; a staff group or all; or a month). A
part that is not released for a question is left out of that question's sums, and named, so a
page can say which of the chosen units are left out; a figure none of whose parts is released
is hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow.compute as pc

from dashboard.core import arrays, db, lists
from dashboard.core.filters import month_end, month_start
from pipeline import audit
from pipeline.lists import TrustLists

ANSWERS, MONTH, RATE = audit.ANSWERS, audit.MONTH, audit.RATE
HIDDEN = "too few responses to show safely"
WITHHELD = (
    "survey figures are withheld: this database holds real survey answers but was built without a "
    "perturbation key (see Data and definitions)"
)


@dataclass(frozen=True)
class Part:
    """One group of the release (as ``pipeline.audit.Group``): None means 'all' (the Trust, when
    care_group and service_area are both None)."""

    kind: str = ANSWERS
    care_group: str | None = None
    service_area: str | None = None
    survey: str | None = None
    staff_group: str | None = None
    month: dt.date | None = None


@dataclass(frozen=True)
class Wave:
    """One wave's release: a row per released group."""

    rows: dict[Part, int]  # part -> its row in the arrays below
    responses: np.ndarray  # per group: perturbed responses
    cells: np.ndarray  # [group, measure, answer]: perturbed counts; nan where the question is not released
    months: tuple[dt.date, ...]  # the calendar months the wave's dates span (its trend's rows)


@dataclass(frozen=True)
class Release:
    measures: tuple[str, ...]  # question ids, in the bank's order
    answers: tuple[str | None, ...]  # every answer of every scale; None (blank) first
    scale: np.ndarray  # [measure, answer]: on the measure's scale
    counted: np.ndarray  # [measure, answer]: counted in the measure's base
    positive: np.ndarray  # [measure, answer]: counts towards the measure
    waves: dict[str, Wave]
    care_group_of: dict[str, str]  # service area -> its care group (the Trust's structure)
    threshold: int  # the audit's: no group of fewer responses, nor one singling out fewer, is released
    min_comments: int  # a comment unit lists its comments only with at least this many
    keyed: bool  # built with a key: False means nothing was released (figures withheld)
    lists: TrustLists  # the Trust's care groups, surveys, staff groups, ... in order

    def reason(self) -> str:
        return HIDDEN if self.keyed else WITHHELD

    @cached_property
    def areas_by_care_group(self) -> dict[str, tuple[str, ...]]:
        """Every care group (the Trust's list, and any of service_areas) with its areas, sorted."""
        areas: dict[str, list[str]] = {group: [] for group in self.lists["care_group"]}
        for area, group in sorted(self.care_group_of.items()):
            areas.setdefault(group, []).append(area)
        return {group: tuple(found) for group, found in sorted(areas.items())}


def _months(opened: dt.date, closed: dt.date) -> tuple[dt.date, ...]:
    """The first day of every calendar month from ``opened``'s to ``closed``'s."""
    months, month = [], month_start(opened)
    while month <= closed:
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return tuple(months)


def load(connection) -> Release:
    """Read the release into arrays (once per file: ``of``)."""
    info = arrays.read(connection, "select threshold, min_comments, perturbation from release_info").to_pylist()[0]
    bank = arrays.read(connection, "select question_id from questions order by position")["question_id"].to_pylist()
    scale = arrays.read(
        connection, "select measure, answer, counted, positive from answer_scale order by measure, position"
    ).to_pylist()
    answers = list(dict.fromkeys([None, *(row["answer"] for row in scale)]))  # blank first, then every answer
    at_answer = {a: i for i, a in enumerate(answers)}
    at_measure = {m: i for i, m in enumerate(bank)}
    on_scale = np.zeros((len(bank), len(answers)), dtype=bool)
    counted, positive = np.zeros_like(on_scale), np.zeros_like(on_scale)
    for row in scale:
        if row["measure"] in at_measure:
            at = (at_measure[row["measure"]], at_answer[row["answer"]])
            on_scale[at], counted[at], positive[at] = True, bool(row["counted"]), bool(row["positive"])
    labels = ("kind", "care_group", "service_area", "survey", "staff_group", "month")
    groups = arrays.read(connection, f"select wave, {', '.join(labels)}, responses from release_groups")
    cells = arrays.read(connection, f"select wave, {', '.join(labels)}, measure, answer, responses from release_cells")
    waves = {}
    for wave, opened, closed in arrays.rows(connection, "select wave_id, opened, closed from waves"):
        mine = groups.filter(pc.equal(groups["wave"], wave))
        keys = list(zip(*(mine[label].to_pylist() for label in labels)))
        rows = {Part(*key): i for i, key in enumerate(keys)}
        at_group = {key: i for i, key in enumerate(keys)}
        values = np.full((len(rows), len(bank), len(answers)), np.nan)
        theirs = cells.filter(pc.equal(cells["wave"], wave))
        if theirs.num_rows:  # an answer not on a question's scale has no cell: it stays nan, never summed
            group_rows = [at_group[key] for key in zip(*(theirs[label].to_pylist() for label in labels))]
            measure_rows = [at_measure[m] for m in theirs["measure"].to_pylist()]
            answer_rows = [at_answer[a] for a in theirs["answer"].to_pylist()]
            values[group_rows, measure_rows, answer_rows] = arrays.numbers(theirs["responses"])
        waves[wave] = Wave(rows, arrays.numbers(mine["responses"]), values, _months(opened, closed))
    return Release(
        tuple(bank),
        tuple(answers),
        on_scale,
        counted,
        positive,
        waves,
        dict(arrays.rows(connection, "select service_area, care_group from service_areas")),
        int(info["threshold"]),
        int(info["min_comments"]),
        info["perturbation"] != "none",
        lists.read(connection),
    )


def of(database: db.Database) -> Release:
    """The release of ``database`` (read once per file)."""
    return database.memo("survey release", load)


def responses(release: Release, wave: str | None, part: Part) -> float:
    """A released group's perturbed responses; nan when it is not released."""
    found = release.waves.get(wave)
    row = found.rows.get(part, -1) if found else -1
    return float(found.responses[row]) if row >= 0 else np.nan
