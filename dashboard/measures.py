"""The headline measures: names, questions, and the functions that compute them.

The arithmetic of each measure lives in SQL, once: engagement measures in
``queries/engagement_headline.sql``, survey measures in
``queries/macros/survey_answers.sql``. This module names them for people,
perturbs survey counts and hides small groups (``dashboard.disclosure``), then adds
intervals, before anything is shown.
"""

from __future__ import annotations

import functools
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


def with_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add percent (whole, as published), share and 95% Wilson bounds from n and positive.

    Called on perturbed counts (``disclosure.protect``): every percentage and
    interval on screen is worked out from counts that have already been perturbed.
    A missing or zero n gives missing figures.
    """
    out = frame.copy()
    pairs = [(None, None) if pd.isna(n) or pd.isna(p) or int(n) == 0 else (int(p), int(n))
             for p, n in zip(out["positive"], out["n"])]
    bounds = [stats.wilson_interval(p, n) if n else (float("nan"), float("nan")) for p, n in pairs]
    out["share"] = [p / n if n else float("nan") for p, n in pairs]
    out["percent"] = pd.array([stats.whole_percent(p, n) if n else None for p, n in pairs], dtype="Int64")
    out["low"] = [b[0] for b in bounds]
    out["high"] = [b[1] for b in bounds]
    return out


def protected(frame: pd.DataFrame, threshold: int,
              counts: tuple[tuple[str, str], ...] = disclosure.COUNTS) -> pd.DataFrame:
    """The one disclosure step every survey figure passes through: counts perturbed, groups
    under the threshold marked hidden (``disclosure.protect``), then percent and interval
    worked out from the perturbed counts. Not yet blanked: see ``disclosure.blank_hidden``."""
    return with_intervals(disclosure.protect(frame, threshold, counts))


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

    rows: pd.DataFrame  # ``dashboard.cube.figures`` protected, not yet blanked, plus ``answered``
    headline: pd.DataFrame  # the selection rows, blanked, indexed by measure
    positions: dict[tuple[str, str], np.ndarray]  # (measure, breakdown) -> row positions

    def of(self, measure: str, breakdown: str) -> pd.DataFrame:
        """The rows of one breakdown ('answer', 'care_group', 'month', ...) of one measure."""
        return self.rows.iloc[self.positions.get((measure, breakdown), [])]


def survey_figures(filters: Filters, threshold: int) -> SurveyFigures:
    """Every survey figure of one filter state (``dashboard.cube``: per measure, the selection,
    each answer and each group of every breakdown) through the one disclosure step
    (``protected``). Every measure has a selection, n = 0 when nobody answered it; ``answered``
    says whether anyone in a row answered its measure (a group nobody answered has no figure).

    Worked out once per database, filters and threshold: a survey page reads its headline,
    answers, breakdown and months from it, the Overview its headlines. Callers get slices
    (pandas copy-on-write keeps the memo unchanged)."""
    database = db.current()
    return _survey_figures((str(database.path), database.identity), filters, threshold)


@functools.lru_cache(maxsize=64)
def _survey_figures(file: tuple[str, object], filters: Filters, threshold: int) -> SurveyFigures:
    # ``file`` (the pinned database's path and identity) keys the memo: a rebuilt file is a new key.
    rows = cube.figures(cube.for_current(), filters)
    missing = sorted(set(SURVEY_MEASURES) - set(rows.loc[rows["breakdown"] == "selection", "measure"]))
    if missing:  # nobody in the selection: a zero, hidden like any small count
        empty = pd.DataFrame({"measure": missing, "breakdown": "selection", "n": 0, "positive": 0})
        rows = pd.concat([rows, empty.astype({"n": "Int64", "positive": "Int64"})], ignore_index=True)
    rows["answered"] = rows["n"].fillna(0).to_numpy() > 0  # the true n, before perturbation
    rows = protected(rows, threshold, counts=SURVEY_COUNTS)
    positions = rows.groupby(["measure", "breakdown"], sort=False).indices
    headline = rows.iloc[np.concatenate([positions[(m, "selection")] for m in SURVEY_MEASURES])]
    headline = disclosure.blank_hidden(headline[["measure", *HEADLINE_COLUMNS]], keep=["measure"])
    return SurveyFigures(rows, headline.set_index("measure"), positions)
