"""The headline measures: names, questions, and the functions that compute them.

The arithmetic of each measure lives in one place: the survey measures' answer
groupings in ``pipeline.contract.MEASURE_ANSWERS`` (the build's ``answer_scale``,
summed into ``survey_cells`` and ``survey_groups``; added up per filter state by
``dashboard.cube``), the engagement measures in ``dashboard.engagement_cube``. This
module names them for people, perturbs survey counts and hides small groups
(``dashboard.disclosure``), then adds intervals, before anything is shown.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import cube, db, disclosure, engagement_cube, stats
from dashboard.filters import Filters
from pipeline import contract


@dataclass(frozen=True)
class EngagementMeasure:
    key: str
    title: str
    definition: str
    unit: str = ""


@dataclass(frozen=True)
class SurveyMeasure:
    key: str
    title: str
    question: str
    definition: str
    scale: tuple[str, ...]
    negative: tuple[str, ...]  # left of zero in a diverging bar
    neutral: tuple[str, ...]  # shown apart
    positive_answers: tuple[str, ...]  # right of zero
    page: str


ENGAGEMENT_MEASURES: tuple[EngagementMeasure, ...] = (
    EngagementMeasure("conversation_hours", "Conversation hours", "Sum of the hours of every engagement conversation."),
    EngagementMeasure("staff_engaged", "Staff engaged", "Distinct staff codes among conversation attendees."),
    EngagementMeasure("actions_raised", "Actions raised", "Count of actions raised."),
    EngagementMeasure("service_areas_covered", "Service areas covered", "Distinct service areas that held a conversation."),
    EngagementMeasure("quick_wins_completed", "Quick wins completed", "Actions marked quick win with status Completed."),
)

SURVEY_MEASURES: dict[str, SurveyMeasure] = {
    "it_skills": SurveyMeasure(
        "it_skills",
        "IT skills rated good",
        "How would you rate your IT skills?",
        "(Good + Very good) / everyone who answered.",
        contract.IT_SKILLS,
        negative=("Very poor", "Poor"),
        neutral=("Fair",),
        positive_answers=("Good", "Very good"),
        page="Digital skills",
    ),
    "info_available": SurveyMeasure(
        "info_available",
        "Information available",
        "Do you have the information you need to run your service?",
        "Yes / everyone who answered, Don't know excluded (Staff and Digital champion surveys).",
        contract.INFO_AVAILABLE,
        negative=("No",),
        neutral=("Partly", "Don't know"),
        positive_answers=("Yes",),
        page="Information to run services",
    ),
    "it_unreliable": SurveyMeasure(
        "it_unreliable",
        "IT too unreliable",
        "IT is too unreliable.",
        "(Agree + Strongly agree) / everyone who answered.",
        contract.IT_UNRELIABLE,
        negative=("Strongly disagree", "Disagree"),
        neutral=("Neither agree nor disagree",),
        positive_answers=("Agree", "Strongly agree"),
        page="IT reliability",
    ),
}


def engagement_headline(filters: Filters) -> dict[str, float]:
    return engagement_cube.headline(engagement_cube.for_current(), filters)


def intervals(n: np.ndarray, positive: np.ndarray) -> dict[str, np.ndarray]:
    """share, percent (whole, as published: half up), and 95% Wilson bounds low and high, from
    counts as float64 arrays; a missing (nan) or zero n gives nan."""
    missing = np.isnan(n) | np.isnan(positive) | (n == 0)
    n, positive = np.where(missing, 0.0, n), np.where(missing, 0.0, positive)
    low, high = stats.wilson_intervals(positive, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(missing, np.nan, positive / n)
        # Round half up in integers, as stats.whole_percent.
        percent = (200 * positive.astype(np.int64) + n.astype(np.int64)) // np.where(missing, 1, 2 * n.astype(np.int64))
    return {"share": share, "percent": np.where(missing, np.nan, percent), "low": low, "high": high}


def survey_headline(filters: Filters, threshold: int) -> pd.DataFrame:
    """One row per survey measure, indexed by measure: perturbed n and positive, percent and
    interval from them; hidden (figures blank) when the perturbed n is under the threshold.
    The 'selection' rows of ``survey_figures``: one decision for everything about the selection."""
    return survey_figures(filters, threshold).headline


HEADLINE_COLUMNS = ["n", "positive", "share", "percent", "low", "high", "hidden", "hidden_reason"]
SURVEY_COUNTS = (*disclosure.COUNTS, ("responses", "responses_key"))


@dataclass(frozen=True)
class SurveyFigures:
    """Every survey figure of one filter state, through the one disclosure step."""

    columns: dict[str, np.ndarray]  # ``dashboard.cube.figures`` protected, hidden rows blanked, plus ``answered``
    positions: dict[tuple[str, str], np.ndarray]  # (measure, breakdown) -> row positions
    headline: pd.DataFrame  # the selection rows, indexed by measure

    def arrays(self, measure: str, breakdown: str) -> dict[str, np.ndarray]:
        """The rows of one breakdown ('answer', 'care_group', 'month', ...) of one measure, as arrays."""
        rows = self.positions.get((measure, breakdown), np.array([], dtype=np.int64))
        return {name: values[rows] for name, values in self.columns.items()}

    def of(self, measure: str, breakdown: str, columns: Sequence[str]) -> pd.DataFrame:
        """``arrays`` as a frame of ``columns``: counts and percent as whole numbers (blank when
        hidden), labels, ``hidden`` and its reason."""
        rows = self.positions.get((measure, breakdown), np.array([], dtype=np.int64))
        return pd.DataFrame({name: _column(name, self.columns[name][rows]) for name in columns})


WHOLE = ("n", "positive", "responses", "percent")


def _column(name: str, values: np.ndarray) -> object:
    if name in WHOLE:
        return disclosure.wholes(values)
    return pd.array(values, dtype=object) if values.dtype == object else values  # labels stay plain objects


def survey_figures(filters: Filters, threshold: int) -> SurveyFigures:
    """Every survey figure of one filter state (``dashboard.cube``: per measure, the selection,
    each answer and each group of every breakdown) through the one disclosure step: counts
    perturbed, groups hidden under the threshold, percent and interval from the perturbed
    counts, figures of hidden groups blank (answers are hidden with their selection, by the
    caller). Every measure has a selection (``dashboard.cube``); ``answered`` says
    whether anyone in a row answered its measure (a group nobody answered has no figure).

    Worked out once per database, filters and threshold, on arrays: a survey page reads its
    headline, answers, breakdown and months from it, the Overview its headlines."""
    database = db.current()
    return _survey_figures((str(database.path), database.identity), filters, threshold)


@functools.lru_cache(maxsize=64)
def _survey_figures(file: tuple[str, object], filters: Filters, threshold: int) -> SurveyFigures:
    # ``file`` (the pinned database's path and identity) keys the memo: a rebuilt file is a new key.
    columns = cube.figures(cube.for_current(), filters)
    columns["answered"] = np.nan_to_num(columns["n"]) > 0  # the true n, before perturbation
    shown = disclosure.protect_arrays(columns, threshold, SURVEY_COUNTS)
    columns = {name: values for name, values in columns.items() if not name.endswith("_key")} | shown
    columns |= intervals(columns["n"], columns["positive"])
    # Answers are hidden with their selection (the caller's decision); a group's own figures when it is.
    blank = columns["hidden"] & (columns["breakdown"] != "answer")
    for name in HEADLINE_COLUMNS[:6]:
        columns[name] = np.where(blank, np.nan, columns[name])
    rows: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(zip(columns["measure"], columns["breakdown"])):
        rows.setdefault(key, []).append(row)
    positions = {key: np.array(found) for key, found in rows.items()}
    selections = np.concatenate([positions[(m, "selection")] for m in SURVEY_MEASURES])
    headline = pd.DataFrame({name: _column(name, columns[name][selections]) for name in HEADLINE_COLUMNS},
                            index=pd.Index(list(SURVEY_MEASURES), name="measure"))
    return SurveyFigures(columns, positions, headline)
