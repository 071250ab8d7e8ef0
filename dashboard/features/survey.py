"""Survey results by theme: the data behind the three survey pages.

Plain Python (no Streamlit). Every function reads ``measures.survey_figures`` (the sums of
released cells a filter state covers: ``dashboard.core.figures``) and returns a DataFrame of
figures derived from the release only: a row none of whose parts is released is hidden,
its figures blank, with the reason; a row some of whose parts are not released names them
(``left_out``). When the filtered group itself is hidden, nothing about it is returned (no
breakdown rows, no months). Survey figures are whole-wave: months pick the rows of the
trend only. Comments are not here: they are listed per fixed reporting unit
(``dashboard.features.comments``).

The measures are defined once, in the build's ``answer_scale`` table (from the question
bank: ``pipeline.contract.SEED_QUESTIONS`` or the questions extract); this module only groups
and adds intervals. ``dashboard.features.survey_text`` describes the frames: a sentence and a table each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.core import disclosure, figures, measures
from dashboard.core.db import Database
from dashboard.core.filters import Filters

DIMENSIONS: tuple[str, ...] = ("care_group", "service_area", "survey", "staff_group")
DIMENSION_TITLES: dict[str, str] = {
    "care_group": "Care group",
    "service_area": "Service area",
    "survey": "Survey",
    "staff_group": "Staff group",
}
DIMENSION_PLURALS: dict[str, str] = {
    "care_group": "care groups",
    "service_area": "service areas",
    "survey": "surveys",
    "staff_group": "staff groups",
}

FIGURES = ["n", "positive", "share", "percent", "low", "high"]
LEVEL_SELECTED = "This selection"
LEVEL_TRUST = "Whole Trust"


def _measure(database: Database, measure: str) -> measures.SurveyMeasure:
    bank = measures.survey_measures(database)
    if measure not in bank:
        raise ValueError(f"unknown survey measure {measure!r}; expected one of {', '.join(bank)}")
    return bank[measure]


def selection_hidden_reason(database: Database, measure: str, filters: Filters) -> str | None:
    """Why the filtered group is hidden for ``measure`` (None when it is shown).

    One decision, ``measures.survey_headline``'s, for everything about the
    selection: its headline, answers, breakdowns and months.
    """
    row = measures.survey_headline(database, filters).loc[measure]
    return str(row["hidden_reason"]) if bool(row["hidden"]) else None


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


# --- Headline ------------------------------------------------------------------


def headline(database: Database, measure: str, filters: Filters, care_group: str | None = None) -> pd.DataFrame:
    """The rows ``level`` 'This selection' (the filters), the care group's total when ``care_group`` is
    given (the care group of the areas picked, with the other filters), and 'Whole Trust' (no
    filters), in the filters' wave: n, positive, share, percent, low, high, hidden, hidden_reason,
    left_out (the parts of the row not released); with a comparison
    (``measures.compared_filters``), each row's change since the compared wave
    (``measures.CHANGE_COLUMNS``)."""
    _measure(database, measure)

    def rows(chosen: Filters) -> pd.DataFrame:  # the selection, its care group and the whole Trust, in one wave
        levels = [chosen]
        if care_group is not None:
            levels.append(replace(chosen, care_groups=(care_group,), service_areas=()))
        levels.append(Filters(wave=chosen.wave))
        return pd.concat([measures.survey_headline(database, f).loc[[measure]] for f in levels], ignore_index=True)

    frame = rows(filters)
    frame.insert(0, "level", [LEVEL_SELECTED, *([f"Care group: {care_group}"] if care_group else []), LEVEL_TRUST])
    frame["hidden"] = frame["hidden"].astype(bool)
    then = measures.compared_filters(filters)
    if then is not None:
        frame = _add_change(frame, rows(then))
    return frame[["level", *FIGURES, "hidden", "hidden_reason", "left_out", *_change_columns(frame)]]


def care_group_of_selection(filters: Filters, care_group_of) -> str | None:
    """The one care group the picked service areas lie in (``care_group_of``: area -> care group),
    shown as a total beside them; None when no area is picked or they span care groups."""
    groups = {care_group_of(area) for area in filters.service_areas}
    return groups.pop() if len(groups) == 1 and None not in groups else None


def changes(now: pd.DataFrame, then: pd.DataFrame) -> dict[str, np.ndarray]:
    """``measures.changes`` of two frames of matching rows (n, positive, percent; blank when hidden
    or missing)."""

    def numbers(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in ("n", "positive", "percent")}

    return measures.changes(numbers(now), numbers(then))


def _add_change(frame: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``measures.CHANGE_COLUMNS`` against the matching rows of ``earlier``
    (the compared wave's rows, in the same order; missing rows blank)."""
    changed = changes(frame, earlier)
    frame = frame.copy()
    for name, values in changed.items():
        frame[name] = disclosure.wholes(values) if name in ("compared_percent", "change") else values
    return frame


def _change_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in measures.CHANGE_COLUMNS if c in frame.columns]


def selected_is_hidden(frame: pd.DataFrame) -> bool:
    """Whether the filtered group (first row of ``headline``) is hidden."""
    return bool(frame.iloc[0]["hidden"])


# --- Answer distribution -----------------------------------------------------------


def distribution(database: Database, measure: str, filters: Filters) -> pd.DataFrame:
    """One row per answer on the measure's full scale, in scale order.

    ``responses`` gave that answer (the released counts, summed); ``share`` is of those
    counted in the measure (blank for an answer outside its base, such as Don't know,
    which is shown apart); ``share_of_answered`` is of everyone who answered.
    ``counted`` and ``positive`` say where the answer sits in the measure (from the
    question bank, whatever the counts). Every row is hidden when the selection is.
    """
    spec = _measure(database, measure)
    rows = measures.survey_figures(database, filters).arrays(measure, "answer")
    at = {answer: i for i, answer in enumerate(rows["answer"])}
    responses = np.array([rows["responses"][at[a]] if a in at else 0.0 for a in spec.scale])
    responses = np.nan_to_num(responses)  # hidden: blanked below
    counted = [a not in spec.excluded for a in spec.scale]
    positive = [a in spec.positive_answers for a in spec.scale]
    in_base = np.array(counted)
    base, answered = responses[in_base].sum(), responses.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_base & (base > 0), responses / base, np.nan)
        share_of_answered = responses / answered if answered else np.full(len(responses), np.nan)
    reason = selection_hidden_reason(database, measure, filters)
    hidden = reason is not None
    blank = np.full(len(responses), np.nan)
    return pd.DataFrame(
        {
            "answer": pd.array(list(spec.scale), dtype=object),
            "counted": pd.array(counted, dtype=object),
            "positive": pd.array(positive, dtype=object),
            "responses": disclosure.wholes(blank if hidden else responses),
            "share": blank if hidden else share,
            "share_of_answered": blank if hidden else share_of_answered,
            "hidden": np.full(len(responses), hidden),
            "hidden_reason": pd.array([reason] * len(responses), dtype=object),
        }
    )


def _rows(database: Database, measure: str, breakdown: str, filters: Filters, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of one set of ``measures.survey_figures`` for one measure (every row the structure
    lists, shown or hidden)."""
    return measures.survey_figures(database, filters).of(measure, breakdown, list(columns))


# --- Breakdown by a dimension ---------------------------------------------------------


def breakdown_columns(dimension: str) -> list[str]:
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    return ["group", *labels, *FIGURES, "hidden", "hidden_reason", "left_out"]


def breakdown(database: Database, measure: str, dimension: str, filters: Filters) -> pd.DataFrame:
    """One row per group of ``dimension`` (care_group, service_area, survey, staff_group) that
    the structure lists ('Not stated' only when shown): group (a unique label), the
    dimension's column(s), n, positive, share, percent, low, high, hidden, hidden_reason,
    left_out.

    Shown rows first, highest share first; then hidden rows by label, their figures
    blank. No rows at all when the filtered group is hidden.
    """
    _measure(database, measure)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown breakdown {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    columns = breakdown_columns(dimension)
    if selection_hidden_reason(database, measure, filters):
        return _empty(columns)
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    frame = _rows(database, measure, dimension, filters, [*labels, *FIGURES, "hidden", "hidden_reason", "left_out"])
    if dimension == "service_area":
        frame["group"] = [figures.describe_unit(unit) for unit in zip(frame["care_group"], frame["service_area"])]
    else:
        frame["group"] = frame[dimension]
    # Shown rows by value; hidden rows by label only, so their order gives nothing away.
    frame["sort_share"] = frame["share"].fillna(0.0)  # hidden rows: blank, sorted by label only
    frame = frame.sort_values(["hidden", "sort_share", "group"], ascending=[True, False, True], kind="stable")
    frame = frame[columns].reset_index(drop=True)
    then = measures.compared_filters(filters)
    if then is not None:
        earlier = _rows(database, measure, dimension, then, [*labels, "n", "positive", "percent"])
        matched = frame[labels].merge(earlier, on=labels, how="left")
        frame = _add_change(frame, matched)
    return frame


# --- Trend by month -----------------------------------------------------------------------

TREND_COLUMNS = ["month", *FIGURES, "hidden", "hidden_reason", "left_out"]


def trend(database: Database, measure: str, filters: Filters) -> pd.DataFrame:
    """One row per calendar month of the wave within the months picked, in date order: month
    (first day), n, positive, share, percent, low, high, hidden, hidden_reason, left_out. A
    month covers everyone in the units picked that month (every survey and staff group: only
    whole units are released by month). No rows when the filtered group is hidden."""
    _measure(database, measure)
    if selection_hidden_reason(database, measure, filters):
        return _empty(TREND_COLUMNS)
    frame = _rows(database, measure, "month", filters, TREND_COLUMNS)
    return frame.sort_values("month", ignore_index=True)
