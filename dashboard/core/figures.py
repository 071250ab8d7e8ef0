"""Every survey figure of one filter state, as sums of released cells (``dashboard.core.release``).

A filter state names units (service areas, else care groups, else the Trust), surveys (or
all) and staff groups (or all) in one wave. Its figure covers the released groups
unit x survey x staff group for every combination chosen; each breakdown row covers those of
one care group, service area, survey or staff group; each month covers the units' month
groups (every survey and staff group: only whole units are released by month). Months do
not narrow a survey figure: survey figures are whole-wave.

Which rows a breakdown lists never depends on a count: every care group (the contract's, and any
in ``service_areas``), every service area of ``service_areas``, every survey and staff group of
the contract and every month of the wave is listed, shown or hidden; a 'Not stated' row (a label that is not
part of the structure) is listed only when it is shown, so a hidden one looks the same
whether it holds nobody or a few. A row whose parts are all suppressed is hidden; a row with
some parts suppressed sums the others and names the ones left out (``left_out``).

``figures(release, filters)`` returns the columns ``measures.SurveyFigures`` holds. No
Streamlit, no database reads: tested on the demo release against independent sums.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.core import db
from dashboard.core.filters import Filters
from dashboard.core.release import ANSWERS, MONTH, Part, Release
from pipeline import contract

LABELS = ("wave", "care_group", "service_area", "survey", "staff_group", "month")
COLUMNS = [
    "measure",
    "breakdown",
    *LABELS,
    "answer",
    "n",
    "positive",
    "responses",
    "hidden",
    "hidden_reason",
    "left_out",
    "answer_counted",
    "answer_positive",
]

Unit = tuple[str | None, str | None]  # (care group, service area); (None, None) is the Trust


def units(release: Release, filters: Filters) -> list[Unit]:
    """The units the filters name: their service areas (those in the care groups picked, if any), else
    their care groups, else the Trust."""
    if filters.service_areas:  # within the care groups picked, when any are (as the sidebar offers them)
        areas = [(release.care_group_of.get(area), area) for area in filters.service_areas]
        return [unit for unit in areas if not filters.care_groups or unit[0] in filters.care_groups]
    if filters.care_groups:
        return [(group, None) for group in filters.care_groups]
    return [(None, None)]


def describe_unit(unit: Unit) -> str:
    """A unit in words: 'the whole Trust', a care group, or a service area (an area not stated
    within a stated care group names it, so that such areas of different care groups differ)."""
    care_group, area = unit
    if care_group is None:
        return "the whole Trust"
    if area is None:
        return care_group
    if area == contract.NOT_STATED and care_group != contract.NOT_STATED:
        return f"{contract.NOT_STATED} ({care_group})"
    return area


def _crossed(
    chosen_units: Sequence[Unit], surveys: Sequence[str | None], staff_groups: Sequence[str | None]
) -> tuple[Part, ...]:
    return tuple(Part(ANSWERS, g, a, s, sg) for g, a in chosen_units for s in surveys for sg in staff_groups)


def _name(part: Part, varying: set[str]) -> str:
    """A part in words, naming only what varies among its row's parts."""
    words = []
    if "unit" in varying:
        words.append(describe_unit((part.care_group, part.service_area)))
    if "survey" in varying and part.survey:
        words.append(f"{part.survey} survey")
    if "staff_group" in varying and part.staff_group:
        words.append(part.staff_group)
    return ", ".join(words)


def _rows(release: Release, filters: Filters, wave: str | None) -> list[tuple[str, dict, tuple[Part, ...]]]:
    """Every row of the filter state: (breakdown, its labels, the parts it covers)."""
    chosen = units(release, filters)
    surveys: Sequence[str | None] = filters.surveys or (None,)
    staff_groups: Sequence[str | None] = filters.staff_groups or (None,)
    rows = [("selection", {}, _crossed(chosen, surveys, staff_groups))]
    structure = release.areas_by_care_group
    # Care groups and service areas: the units' own, or the structure under the Trust.
    if chosen == [(None, None)]:
        by_group = {g: [(g, None)] for g in structure} | {contract.NOT_STATED: [(contract.NOT_STATED, None)]}
        areas = [(g, a) for g in structure for a in structure[g]]
        areas += [(g, contract.NOT_STATED) for g in [*structure, contract.NOT_STATED]]
    elif filters.service_areas:
        by_group = {}
        for unit in chosen:
            by_group.setdefault(unit[0], []).append(unit)
        areas = list(chosen)
    else:
        by_group = {unit[0]: [unit] for unit in chosen}
        areas = [(g, a) for g, _ in chosen for a in structure.get(g, [])]
        areas += [(g, contract.NOT_STATED) for g, _ in chosen]
    for group, its_units in by_group.items():
        rows.append(("care_group", {"care_group": group}, _crossed(its_units, surveys, staff_groups)))
    for group, area in areas:
        rows.append(
            (
                "service_area",
                {"care_group": group, "service_area": area},
                _crossed([(group, area)], surveys, staff_groups),
            )
        )
    for survey in filters.surveys or release.lists["survey"]:
        rows.append(("survey", {"survey": survey}, _crossed(chosen, [survey], staff_groups)))
    for staff_group in filters.staff_groups or (*release.lists["staff_group"], contract.NOT_STATED):
        rows.append(("staff_group", {"staff_group": staff_group}, _crossed(chosen, surveys, [staff_group])))
    found = release.waves.get(wave)
    for month in found.months if found else ():
        if _in_months(month, filters):
            rows.append(("month", {"month": month}, tuple(Part(MONTH, g, a, month=month) for g, a in chosen)))
    return rows


def _in_months(month: dt.date, filters: Filters) -> bool:
    return (filters.date_from is None or month >= filters.date_from.replace(day=1)) and (
        filters.date_to is None or month <= filters.date_to
    )


def _varying(parts: Sequence[Part]) -> set[str]:
    varying = set()
    if len({(p.care_group, p.service_area) for p in parts}) > 1:
        varying.add("unit")
    if len({p.survey for p in parts}) > 1:
        varying.add("survey")
    if len({p.staff_group for p in parts}) > 1:
        varying.add("staff_group")
    return varying


def _not_stated(labels: dict) -> bool:
    return any(labels.get(c) == contract.NOT_STATED for c in ("care_group", "service_area", "staff_group"))


def latest(release: Release, filters: Filters) -> str | None:
    """The wave the filters show: the one picked, else the latest."""
    return filters.wave or (list(release.waves)[-1] if release.waves else None)


@dataclass(frozen=True)
class Sums:
    """Rows of parts added up from the release, every measure at once."""

    answers: np.ndarray  # [row, measure, answer]: released counts summed over the parts released
    shown: np.ndarray  # [row, measure]: how many of the row's parts are released for the measure
    released: np.ndarray  # [entry, measure]: each released (row, part) entry, released for the measure
    entries: list[list[int]]  # per row, per part: its entry, or -1 when its group is not released
    counted: np.ndarray  # [measure, answer] (the release's)
    positive_answers: np.ndarray

    @property
    def n(self) -> np.ndarray:
        """[row, measure]: the base, the answers counted in the measure."""
        return (self.answers * self.counted).sum(axis=2)

    @property
    def positive(self) -> np.ndarray:
        return (self.answers * self.positive_answers).sum(axis=2)

    @property
    def hidden(self) -> np.ndarray:
        """[row, measure]: none of the row's parts is released for the measure."""
        return self.shown == 0


def sums(release: Release, wave: str | None, rows: Sequence[Sequence[Part]]) -> Sums:
    """Each row's parts added up, per measure and answer, from the cells released (others left out):
    every part looked up once and added into its row with ``np.add.at``."""
    found = release.waves.get(wave)
    measures, answers = len(release.measures), len(release.answers)
    owner, group = [], []  # one entry per (row, part) whose group is released
    entries: list[list[int]] = []
    for index, parts in enumerate(rows):
        entries.append([])
        for part in parts:
            at = found.rows.get(part, -1) if found else -1
            entries[-1].append(len(group) if at >= 0 else -1)
            if at >= 0:
                owner.append(index)
                group.append(at)
    cells = found.cells[np.array(group, dtype=np.int64)] if group else np.zeros((0, measures, answers))
    released = ~np.isnan(cells).all(axis=2)
    summed = np.zeros((len(rows), measures, answers))
    shown = np.zeros((len(rows), measures), dtype=np.int64)
    np.add.at(summed, np.array(owner, dtype=np.int64), np.nan_to_num(cells))
    np.add.at(shown, np.array(owner, dtype=np.int64), released)
    return Sums(summed, shown, released, entries, release.counted, release.positive)


@db.timed
def figures(release: Release, filters: Filters) -> dict[str, np.ndarray]:
    """Per measure: the selection, each row of every breakdown and each answer of the selection
    (``COLUMNS``): perturbed counts summed from the release, hidden when no part is released.

    One pass over arrays (``sums``), then the columns built measure by measure (row order: measure,
    then the breakdowns in ``_rows``' order, the selection's answers after its row)."""
    wave = latest(release, filters)
    rows = _rows(release, filters, wave)
    summed = sums(release, wave, [parts for _, _, parts in rows])
    shown, released, entries = summed.shown, summed.released, summed.entries
    n, positive, hidden = summed.n, summed.positive, summed.hidden
    sizes = np.array([len(parts) for _, _, parts in rows])
    listed = ~(hidden & np.array([_not_stated(labels) for _, labels, _ in rows])[:, None])  # 'Not stated': shown only
    reason = release.reason()
    # Per row: its breakdown and labels, as object arrays indexed by row.
    row_columns = {"breakdown": _objects([b for b, _, _ in rows])}
    row_columns |= {label: _objects([labels.get(label) for _, labels, _ in rows]) for label in LABELS[1:]}
    pieces: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}

    def piece(**values: np.ndarray) -> None:
        size = len(next(iter(values.values())))
        for name in COLUMNS:
            pieces[name].append(values[name] if name in values else _objects([None] * size))

    for m, measure in enumerate(release.measures):
        kept = np.flatnonzero(listed[:, m])
        left = _objects(
            [_left_out(rows[r][2], entries[r], released[:, m]) if 0 < shown[r, m] < sizes[r] else () for r in kept]
        )
        at = {name: values[kept] for name, values in row_columns.items()}
        rows_of = {
            "n": n[kept, m],
            "positive": positive[kept, m],
            "responses": np.full(len(kept), np.nan),
            "hidden": hidden[kept, m],
            "left_out": left,
            "answer_counted": np.zeros(len(kept), dtype=bool),
            "answer_positive": np.zeros(len(kept), dtype=bool),
        }
        # The selection (row 0), then its answers, then every other row.
        for span in (slice(0, 1), None, slice(1, None)):
            if span is None:
                on_scale = np.flatnonzero(release.scale[m])
                count = len(on_scale)
                piece(
                    measure=_objects([measure] * count),
                    breakdown=_objects(["answer"] * count),
                    answer=_objects([release.answers[a] for a in on_scale]),
                    n=np.full(count, np.nan),
                    positive=np.full(count, np.nan),
                    responses=summed.answers[0, m, on_scale],
                    hidden=np.full(count, hidden[0, m]),
                    left_out=_objects([left[0]] * count),
                    answer_counted=release.counted[m, on_scale],
                    answer_positive=release.positive[m, on_scale],
                )
                continue
            piece(
                measure=_objects([measure] * len(kept[span])),
                answer=_objects([None] * len(kept[span])),
                **{name: values[span] for name, values in at.items()},
                **{name: values[span] for name, values in rows_of.items()},
            )
    out = {name: np.concatenate(parts) if parts else _objects([]) for name, parts in pieces.items()}
    out["wave"] = _objects([wave] * len(out["measure"]))
    out["hidden"] = out["hidden"].astype(bool)
    for name in ("n", "positive", "responses"):
        out[name] = out[name].astype(float)
        out[name][out["hidden"]] = np.nan
    out["hidden_reason"] = np.where(out["hidden"], reason, None).astype(object)
    out["answer_counted"] = out["answer_counted"].astype(bool)
    out["answer_positive"] = out["answer_positive"].astype(bool)
    out["month"] = np.array(
        [np.datetime64(m, "ns") if m is not None else np.datetime64("NaT", "ns") for m in out["month"]]
    )
    return out


def _left_out(parts: tuple[Part, ...], entries: list[int], released: np.ndarray) -> tuple[str, ...]:
    """The names of a row's parts not released for the measure (``released``: per entry)."""
    varying = _varying(parts)
    return tuple(_name(p, varying) for p, e in zip(parts, entries) if e < 0 or not released[e])


def _objects(values: list) -> np.ndarray:
    """A 1-d object array, whatever the values (tuples stay single values)."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out
