"""The survey release in memory: every survey figure is a released cell or a sum of them.

The build writes the release once (``pipeline/release.py``, docs/DISCLOSURE.md): per wave,
the released groups (a unit x survey x staff group over the wave, a unit x month, a service
area's staff surveys for response rates), each with its perturbed number of responses, and for
every group and question the perturbed count of each answer (blank answers too). A group, or a
group's question, that is not in the release is suppressed. This module reads the release once
per database file into arrays and adds up the cells a figure covers (``total``): nothing here
knows a true count, and nothing is perturbed here.

A figure covers *parts*: released groups named by ``Part`` (a unit: the Trust, a care group,
or a service area with its care group; a survey or all; a staff group or all; or a month). A
part that is not released for a question is left out of that question's sums, and named, so a
page can say which of the chosen units are left out; a figure none of whose parts is released
is hidden.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import arrays, db
from pipeline import audit

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

    def reason(self) -> str:
        return HIDDEN if self.keyed else WITHHELD


@dataclass(frozen=True)
class Total:
    """The sums of one figure's parts, per measure (index: ``Release.measures``)."""

    answers: np.ndarray  # [measure, answer]: perturbed counts summed over the parts shown
    n: np.ndarray  # [measure]: the base (answers counted in the measure)
    positive: np.ndarray  # [measure]
    shown: np.ndarray  # [measure, part]: whether each part is released for the measure
    parts: tuple[Part, ...]

    @property
    def hidden(self) -> np.ndarray:
        """[measure]: no part released."""
        return ~self.shown.any(axis=1)

    def left_out(self, measure: int) -> tuple[Part, ...]:
        """The parts left out of ``measure``'s figure (none when it is hidden altogether)."""
        if self.hidden[measure]:
            return ()
        return tuple(p for p, shown in zip(self.parts, self.shown[measure]) if not shown)


def _months(opened: dt.date, closed: dt.date) -> tuple[dt.date, ...]:
    months, month = [], opened.replace(day=1)
    while month <= closed:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return tuple(months)


def load(connection) -> Release:
    """Read the release into arrays (once per file: ``of``)."""
    info = arrays.read(connection, "select threshold, min_comments, perturbation from release_info").to_pylist()[0]
    bank = arrays.read(connection, "select question_id from questions order by position")["question_id"].to_pylist()
    scale = arrays.read(
        connection, "select measure, answer, counted, positive from answer_scale order by measure, position"
    )
    answers: list[str | None] = [None]
    for answer in scale["answer"].to_pylist():
        if answer not in answers:
            answers.append(answer)
    at_answer = {a: i for i, a in enumerate(answers)}
    at_measure = {m: i for i, m in enumerate(bank)}
    on_scale = np.zeros((len(bank), len(answers)), dtype=bool)
    counted, positive = np.zeros_like(on_scale), np.zeros_like(on_scale)
    for measure, answer, is_counted, is_positive in zip(*(scale[c].to_pylist() for c in scale.column_names)):
        if measure in at_measure:
            on_scale[at_measure[measure], at_answer[answer]] = True
            counted[at_measure[measure], at_answer[answer]] = bool(is_counted)
            positive[at_measure[measure], at_answer[answer]] = bool(is_positive)
    key_columns = "kind, care_group, service_area, survey, staff_group, month"
    groups = connection.cursor().sql(f"select wave, {key_columns}, responses from release_groups").df()
    cells = connection.cursor().sql(f"select wave, {key_columns}, measure, answer, responses from release_cells").df()
    wave_dates = connection.cursor().sql("select wave_id, opened, closed from waves").fetchall()
    labels = ["kind", "care_group", "service_area", "survey", "staff_group", "month"]
    waves = {}
    for wave, opened, closed in wave_dates:
        mine = groups.loc[groups["wave"] == wave, [*labels, "responses"]].reset_index(drop=True)
        rows = {_part(row): i for i, row in enumerate(mine.itertuples(index=False))}
        values = np.full((len(rows), len(bank), len(answers)), np.nan)
        theirs = cells.loc[cells["wave"] == wave].merge(
            mine[labels].assign(row=np.arange(len(mine))), on=labels, how="inner"
        )
        if len(theirs):
            measure_rows = theirs["measure"].map(at_measure).to_numpy(dtype=np.int64)
            answer_rows = theirs["answer"].map(lambda a: at_answer[None if pd.isna(a) else a]).to_numpy(dtype=np.int64)
            values[theirs["row"].to_numpy(dtype=np.int64), measure_rows, answer_rows] = theirs["responses"].to_numpy(
                dtype=float
            )
        # An answer not on a question's scale has no cell: it stays nan and is never summed.
        waves[wave] = Wave(rows, mine["responses"].to_numpy(dtype=float), values, _months(opened, closed))
    structure = connection.cursor().sql("select service_area, care_group from service_areas").fetchall()
    return Release(
        tuple(bank),
        tuple(answers),
        on_scale,
        counted,
        positive,
        waves,
        dict(structure),
        int(info["threshold"]),
        int(info["min_comments"]),
        info["perturbation"] != "none",
    )


def _part(row) -> Part:
    def label(value):
        return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT else value

    month = label(row.month)
    return Part(
        row.kind,
        label(row.care_group),
        label(row.service_area),
        label(row.survey),
        label(row.staff_group),
        pd.Timestamp(month).date() if month is not None else None,
    )


def of(database: db.Database) -> Release:
    """The release of ``database`` (read once per file)."""
    return database.memo("survey release", load)


def total(release: Release, wave: str | None, parts: tuple[Part, ...]) -> Total:
    """The sums of ``parts`` in ``wave``, per measure, from the cells released (others left out)."""
    measures, answers = len(release.measures), len(release.answers)
    found = release.waves.get(wave)
    rows = [found.rows.get(p, -1) for p in parts] if found else [-1] * len(parts)
    cells = np.full((len(parts), measures, answers), np.nan)
    for i, row in enumerate(rows):
        if row >= 0:
            cells[i] = found.cells[row]
    shown = ~np.isnan(cells).all(axis=2)  # [part, measure]
    summed = np.nansum(cells, axis=0)  # [measure, answer]
    n = (summed * release.counted).sum(axis=1)
    positive = (summed * release.positive).sum(axis=1)
    return Total(summed, n, positive, shown.T, tuple(parts))


def responses(release: Release, wave: str | None, part: Part) -> float:
    """A released group's perturbed responses; nan when it is not released."""
    found = release.waves.get(wave)
    row = found.rows.get(part, -1) if found else -1
    return float(found.responses[row]) if row >= 0 else np.nan
