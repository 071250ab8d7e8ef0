"""The headline measures: names, questions, and the functions that compute them.

The arithmetic of each measure lives in one place: the survey measures' answer
groupings in the question bank (``pipeline.contract.SEED_QUESTIONS`` or the questions
extract, written by the build to ``answer_scale``; the build releases each answer's
perturbed count per group, ``pipeline/release.py``, and ``dashboard.core.figures`` adds up
the released cells a filter state covers), the engagement measures in
``dashboard.core.engagement_cube``. This module names them for people and adds percentages
and intervals to the released counts before anything is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.core import db, disclosure, engagement_cube, engagement_sums, figures, release, stats
from dashboard.core.filters import Filters
from pipeline import contract


@dataclass(frozen=True)
class EngagementMeasure:
    key: str
    title: str
    definition: str


@dataclass(frozen=True)
class SurveyMeasure:
    """One question of the bank (the build's ``questions`` and ``answer_scale``) as people read it."""

    key: str  # question_id
    title: str  # the short label of its measure
    question: str  # the question as asked
    definition: str
    scale: tuple[str, ...]
    negative: tuple[str, ...]  # left of zero in a diverging bar
    neutral: tuple[str, ...]  # shown in the middle
    positive_answers: tuple[str, ...]  # right of zero: count towards the measure
    page: str  # its theme: one of the theme pages, or another shown on All questions
    excluded: tuple[str, ...] = ()  # left out of the base, shown apart
    waves: tuple[str, ...] = ()  # the waves that ask it
    higher_is_better: bool = True
    summary: str = ""  # what a positive answer means, for sentences


ENGAGEMENT_MEASURES: tuple[EngagementMeasure, ...] = (
    EngagementMeasure("conversations", "Conversations", "Count of engagement conversations held."),
    EngagementMeasure("conversation_hours", "Conversation hours", "Sum of the hours of every engagement conversation."),
    EngagementMeasure("staff_engaged", "Staff engaged", "Distinct staff codes among conversation attendees."),
    EngagementMeasure("actions_raised", "Actions raised", "Count of actions raised."),
    EngagementMeasure(
        "actions_completed",
        "Actions completed",
        "Actions whose status is the completed one (marked completed in the Trust's lists).",
    ),
    EngagementMeasure(
        "service_areas_covered", "Service areas covered", "Distinct service areas that held a conversation."
    ),
    EngagementMeasure("quick_wins_raised", "Quick wins raised", "Actions marked quick win."),
    EngagementMeasure(
        "quick_wins_completed", "Quick wins completed", "Actions marked quick win whose status is the completed one."
    ),
)
ENGAGEMENT: dict[str, EngagementMeasure] = {m.key: m for m in ENGAGEMENT_MEASURES}
# The published headline figures, on the Overview (102 hours, 256 staff, 831 actions, 92 areas, 213 quick wins).
OVERVIEW_ENGAGEMENT: tuple[EngagementMeasure, ...] = tuple(
    ENGAGEMENT[key]
    for key in (
        "conversation_hours",
        "staff_engaged",
        "actions_raised",
        "service_areas_covered",
        "quick_wins_completed",
    )
)


def _definition(positive: tuple[str, ...], excluded: tuple[str, ...]) -> str:
    top = positive[0] if len(positive) == 1 else "(" + " + ".join(positive) + ")"
    left_out = f", {' and '.join(excluded)} excluded" if excluded else ""
    return f"{top} / everyone who answered{left_out}."


def load_bank(connection) -> dict[str, SurveyMeasure]:
    """The question bank of one database file, in the questions file's order."""
    cursor = connection.cursor()
    bank = cursor.sql(
        "select question_id, text, label, theme, higher_is_better, summary, neutral from questions order by position"
    ).fetchall()
    scale = cursor.sql(
        "select measure, answer, counted, positive from answer_scale order by measure, position"
    ).fetchall()
    waves = dict(
        cursor.sql(
            "select question_id, list(wave_id order by opened) from question_waves "
            "join waves using (wave_id) group by all"
        ).fetchall()
    )
    cursor.close()
    out = {}
    for key, text, label, theme, higher_is_better, summary, neutral in bank:
        answers = [(a, c, p) for m, a, c, p in scale if m == key]
        positive = tuple(a for a, _, p in answers if p)
        excluded = tuple(a for a, c, _ in answers if not c)
        middle = {item.strip().lower() for item in (neutral or "").split(contract.LIST_SEPARATOR)}
        middle_answers = tuple(a for a, _, p in answers if a.lower() in middle and not p)
        out[key] = SurveyMeasure(
            key,
            label,
            text,
            _definition(positive, excluded),
            tuple(a for a, _, _ in answers),
            negative=tuple(a for a, _, p in answers if not p and a not in middle_answers),
            neutral=middle_answers,
            positive_answers=positive,
            page=theme,
            excluded=excluded,
            waves=tuple(waves.get(key) or ()),
            higher_is_better=higher_is_better is not False,
            summary=summary or f"answered {' or '.join(positive)}",
        )
    return out


def survey_measures(database: db.Database) -> dict[str, SurveyMeasure]:
    """Every question of the bank of ``database`` (read once per file)."""
    return database.memo("question bank", load_bank)


def headline_measures(database: db.Database) -> dict[str, SurveyMeasure]:
    """The first question of each theme page: the measures of the Overview, My area and the
    results beside action (the three seed questions, in the demo)."""
    bank = survey_measures(database)
    firsts = {}
    for theme in contract.THEME_PAGES:
        found = next((m for m in bank.values() if m.page == theme), None)
        if found:
            firsts[found.key] = found
    return firsts


def theme_measures(database: db.Database, theme: str) -> dict[str, SurveyMeasure]:
    return {key: m for key, m in survey_measures(database).items() if m.page == theme}


def engagement_headline(database: db.Database, filters: Filters) -> dict[str, float]:
    return engagement_sums.headline(engagement_cube.of(database), filters)


def intervals(n: np.ndarray, positive: np.ndarray) -> dict[str, np.ndarray]:
    """share, percent (whole, as published: half up), and 95% Wilson bounds low and high, from
    counts as float64 arrays; a missing (nan) or zero n gives nan."""
    missing = np.isnan(n) | np.isnan(positive) | (n == 0)
    n, positive = np.where(missing, 0.0, n), np.where(missing, 0.0, positive)
    low, high = stats.wilson_intervals(positive, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(missing, np.nan, positive / n)
    percent = stats.whole_percents(np.where(missing, np.nan, positive), n)
    return {"share": share, "percent": percent, "low": low, "high": high}


def survey_headline(database: db.Database, filters: Filters) -> pd.DataFrame:
    """One row per survey measure, indexed by measure: n and positive (sums of released cells),
    percent and interval from them, hidden (figures blank) when no part is released, and the
    parts left out. The 'selection' rows of ``survey_figures``."""
    return survey_figures(database, filters).headline


HEADLINE_COLUMNS = ["n", "positive", "share", "percent", "low", "high", "hidden", "hidden_reason", "left_out"]


@dataclass(frozen=True)
class SurveyFigures:
    """Every survey figure of one filter state: sums of the release (``dashboard.core.figures``)."""

    columns: dict[str, np.ndarray]  # ``dashboard.core.figures.figures`` plus share, percent and interval
    positions: dict[tuple[str, str], np.ndarray]  # (measure, breakdown) -> row positions
    headline: pd.DataFrame  # the selection rows, indexed by measure

    def arrays(self, measure: str, breakdown: str) -> dict[str, np.ndarray]:
        """The rows of one breakdown ('answer', 'care_group', 'month', ...) of one measure, as arrays."""
        rows = self.positions.get((measure, breakdown), np.array([], dtype=np.int64))
        return {name: values[rows] for name, values in self.columns.items()}

    def of(self, measure: str, breakdown: str, columns: Sequence[str]) -> pd.DataFrame:
        """``arrays`` as a frame of ``columns``: counts and percent as whole numbers (blank when
        hidden), labels, ``hidden``, its reason and the parts left out."""
        rows = self.positions.get((measure, breakdown), np.array([], dtype=np.int64))
        return pd.DataFrame({name: _column(name, self.columns[name][rows]) for name in columns})


WHOLE = ("n", "positive", "responses", "percent")


def _column(name: str, values: np.ndarray) -> object:
    if name in WHOLE:
        return disclosure.wholes(values)
    return pd.array(values, dtype=object) if values.dtype == object else values  # labels stay plain objects


def survey_figures(database: db.Database, filters: Filters) -> SurveyFigures:
    """Every survey figure of one filter state (``dashboard.core.figures``: per measure, the selection,
    each answer and each row of every breakdown, summed from the release), with percent and
    interval; figures of hidden rows blank.

    Worked out once per database and filters: a survey page reads its headline, answers,
    breakdown and months from it, the Overview its headlines."""
    # The comparison changes no figure of this wave: one memo entry for any comparison.
    filters = replace(filters, compare=None)
    return database.memo("survey figures", lambda _: _survey_figures(database, filters), key=filters, keep=64)


def _survey_figures(database: db.Database, filters: Filters) -> SurveyFigures:
    columns = figures.figures(release.of(database), filters)
    columns |= intervals(columns["n"], columns["positive"])
    rows: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(zip(columns["measure"], columns["breakdown"])):
        rows.setdefault(key, []).append(row)
    positions = {key: np.array(found) for key, found in rows.items()}
    bank = list(survey_measures(database))
    selections = np.concatenate([positions[(m, "selection")] for m in bank]) if bank else np.array([], dtype=int)
    headline = pd.DataFrame(
        {name: _column(name, columns[name][selections]) for name in HEADLINE_COLUMNS},
        index=pd.Index(bank, name="measure"),
    )
    return SurveyFigures(columns, positions, headline)


# --- Change since an earlier wave ---------------------------------------------------

CHANGE_COLUMNS = ["compared_percent", "change", "p_value", "significant"]


def compared_filters(filters: Filters) -> Filters | None:
    """The view a figure is compared with: the same units over the whole earlier wave. None when
    there is no comparison, or months are chosen (months belong to one wave: change is shown
    for whole waves)."""
    if not filters.compare or filters.months_chosen:
        return None
    return filters.in_wave(filters.compare)


def changes(now: dict[str, np.ndarray], then: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per row: the earlier wave's percent, the change in whole percentage points (the difference
    of the two percentages shown), and the two-sided p-value of a two-proportion z-test of the
    perturbed counts (positive of n, in each wave), significant under ``stats.ALPHA``. Blank where
    either row is hidden or missing. ``now`` and ``then`` hold matching rows of ``n``,
    ``positive``, ``percent`` (blank when hidden)."""
    p_value = stats.two_proportion_z_tests(now["positive"], now["n"], then["positive"], then["n"])
    change = np.asarray(now["percent"], dtype=float) - np.asarray(then["percent"], dtype=float)
    missing = np.isnan(change) | np.isnan(p_value)
    return {
        "compared_percent": np.where(missing, np.nan, np.asarray(then["percent"], dtype=float)),
        "change": np.where(missing, np.nan, change),
        "p_value": np.where(missing, np.nan, p_value),
        "significant": np.where(missing, None, p_value < stats.ALPHA).astype(object),
    }
