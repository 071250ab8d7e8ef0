"""Survey results beside the actions: what was said, what was done (Actions and My area).

"Results beside action" joins actions per service area to a survey measure per service area
over the whole Trust; the survey side is the survey pages' own figure for each area
(``measures.survey_figures``: released cells, hidden when not released). "Across waves" lines a measure up in
two waves per area beside the actions completed between them.

No Streamlit here; tested against independent pandas computations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.core import disclosure, engagement_cube, engagement_sums, lists, measures, wording
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options
from dashboard.features import survey_text


def action_theme(database: Database, measure: str) -> str | None:
    """The strategy theme of the actions related to a question: the one the Trust's lists give its
    question theme (a theme's meaning in lists.csv); None when none is given."""
    return lists.of(database).action_theme(measures.survey_measures(database)[measure].page)


def no_action_theme(database: Database, measure: str) -> str:
    """What the page says when a question has no related strategy theme."""
    page = measures.survey_measures(database)[measure].page
    return (
        f"No strategy theme is linked to the {page} questions, so their related actions cannot be shown: "
        f"in lists.csv, give the strategy theme whose actions answer them the meaning {page}."
    )


def higher_is_worse(database: Database, measure: str) -> bool:
    return not measures.survey_measures(database)[measure].higher_is_better


def _check(value: str, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class ResultsBesideAction:
    measure: str
    theme: str
    table: pd.DataFrame  # one row per service area the filters pick; survey figures of hidden rows blanked
    headline: pd.Series  # the filtered total for the measure (survey_headline)
    median_theme_actions: float  # over the areas shown

    @property
    def shown(self) -> pd.DataFrame:
        return self.table.loc[~self.table["hidden"]]

    @property
    def hidden_count(self) -> int:
        return int(self.table["hidden"].sum())

    def median(self, column: str) -> float:
        """Median of an actions column over the areas shown (a reference line on the chart)."""
        shown = self.shown
        return float(shown[column].median()) if len(shown) else 0.0

    def display_table(self, measure_title: str, shown_only: bool = False) -> pd.DataFrame:
        """Areas the filters pick (or only those shown) for a table or download: percentages whole, hidden
        rows with their reason."""
        table = self.shown.copy() if shown_only else self.table.copy()
        for column in ("low", "high"):
            table[column] = [None if v is None or pd.isna(v) else round(float(v) * 100) for v in table[column]]
        return (
            table.drop(columns=["share"])
            .rename(
                columns={
                    "service_area": "Service area",
                    "care_group": "Care group",
                    "n": "Responses (n)",
                    "positive": "Positive",
                    "percent": f"{measure_title} (%)",
                    "low": "95% CI low (%)",
                    "high": "95% CI high (%)",
                    "actions_raised": "Actions raised",
                    "actions_completed": "Actions completed",
                    "theme_actions": f"Actions on {self.theme}",
                    "theme_actions_completed": f"Completed on {self.theme}",
                    "needs_attention": "Needs attention",
                    "hidden": "Survey result hidden",
                    "hidden_reason": "Hidden because",
                }
            )
            .pipe(reason_first)
        )


AREA_FIGURES = ("n", "positive", "share", "percent", "low", "high")


def trust_wide(filters: Filters) -> Filters:
    """The survey, staff group and wave filters over the whole Trust (units and months dropped:
    survey figures are whole-wave)."""
    return Filters(surveys=filters.surveys, staff_groups=filters.staff_groups, wave=filters.wave)


def _by_area(database: Database, filters: Filters, measure: str, areas: pd.Series) -> dict[str, np.ndarray]:
    """The measure per service area (``measures.survey_figures``: released cells, hidden figures
    blank) lined up with ``areas``: hidden, hidden_reason and ``AREA_FIGURES``."""
    found = measures.survey_figures(database, filters).arrays(measure, "service_area")
    at = {area: i for i, area in enumerate(found["service_area"])}
    rows = np.array([at.get(area, -1) for area in areas], dtype=np.int64)
    has = rows >= 0
    out = {}
    for name, missing in (("hidden", True), ("hidden_reason", disclosure.HIDDEN), *((f, np.nan) for f in AREA_FIGURES)):
        values = np.full(len(rows), missing, dtype=found[name].dtype)
        values[has] = found[name][rows[has]]
        out[name] = values
    return out


def results_beside_action(database: Database, filters: Filters, measure: str) -> ResultsBesideAction:
    """Per service area the filters pick: the survey measure (disclosure applied) beside its actions.

    Areas are flagged ``needs_attention`` when shown, worse than the filtered
    total (higher for "IT too unreliable", lower otherwise) and with no more
    related-theme actions than the median of the areas shown. When the filtered
    total itself is hidden, every area's survey figure is hidden too.
    """
    _check(measure, tuple(measures.survey_measures(database)), "Measure")
    headline = measures.survey_headline(database, filters).loc[measure]
    theme = action_theme(database, measure)
    if theme is None:
        raise ValueError(no_action_theme(database, measure))
    actions = engagement_sums.actions_by_area(engagement_cube.of(database), filters, theme)
    by_area = _by_area(database, trust_wide(filters), measure, actions["service_area"])
    hidden, reasons = by_area["hidden"], by_area["hidden_reason"]
    if headline["hidden"]:
        hidden[:] = True
        reasons[:] = f"the filtered total is hidden ({headline['hidden_reason']})"
    reasons[~hidden] = None
    figures = {name: np.where(hidden, np.nan, by_area[name]) for name in AREA_FIGURES}
    shown = ~hidden
    theme_actions = actions["theme_actions"].to_numpy()
    median_theme = float(np.median(theme_actions[shown])) if shown.any() else 0.0
    table = pd.DataFrame(
        {
            "service_area": actions["service_area"],
            "care_group": actions["care_group"],
            **{
                name: disclosure.wholes(values) if name in ("n", "positive", "percent") else values
                for name, values in figures.items()
            },
            "actions_raised": actions["actions_raised"],
            "actions_completed": actions["actions_completed"],
            "theme_actions": theme_actions,
            "theme_actions_completed": actions["theme_actions_completed"],
            # Actions describe meetings, not respondents: they stay; the survey figures of hidden rows go.
            "needs_attention": shown
            & _worse_than(figures["share"], headline["share"], higher_is_worse(database, measure))
            & (theme_actions <= median_theme),
            "hidden": hidden,
            "hidden_reason": pd.array(reasons, dtype=object),
        }
    )
    return ResultsBesideAction(measure, theme, table, headline, median_theme)


def _worse_than(shares: np.ndarray, reference: float | None, worse_is_higher: bool) -> np.ndarray:
    """Per share: worse than the reference (a blank share or reference is never worse)."""
    if reference is None or pd.isna(reference):
        return np.zeros(len(shares), dtype=bool)
    return (shares > reference) if worse_is_higher else (shares < reference)


# You said, we did, across waves ------------------------------------------------------------

ACROSS_COLUMNS = [
    "service_area",
    "care_group",
    "then_percent",
    "then_n",
    "now_percent",
    "now_n",
    *measures.CHANGE_COLUMNS,
    "actions_completed",
    "quick_wins_completed",
    "hidden_reason",
]


def between_waves(options: Options, filters: Filters) -> tuple[dt.date, dt.date] | None:
    """The days after the compared wave closed and before the filters' wave opened (None when
    there is no comparison, or the waves overlap)."""
    now, then = options.wave_of(filters), filters.compare
    if not then or now not in options.wave_dates or then not in options.wave_dates:
        return None
    first, last = options.wave_dates[then][1] + dt.timedelta(days=1), options.wave_dates[now][0] - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _completed_between(database: Database, areas: Filters, span: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """``engagement_cube.completed_between`` once per database, areas and span (My area asks for it
    once per measure)."""
    return database.memo(
        "completed between",
        lambda _: engagement_sums.completed_between(engagement_cube.of(database), areas, *span),
        key=(areas, span),
        keep=16,
    ).copy()


def across_waves(database: Database, filters: Filters, options: Options, measure: str) -> pd.DataFrame:
    """Per service area the care group and area filters cover: the measure in the compared wave and
    in the filters' wave (each over the whole wave, with the page's surveys and staff groups;
    disclosure applied, hidden areas blank with the reason), its change and whether it is real
    (``measures.changes``), beside the actions and quick wins completed there between the waves
    (engagement activity: exact). No rows without a comparison."""
    _check(measure, tuple(measures.survey_measures(database)), "Measure")
    span = between_waves(options, filters)
    if span is None:
        return pd.DataFrame(columns=ACROSS_COLUMNS)
    actions = _completed_between(
        database, Filters(care_groups=filters.care_groups, service_areas=filters.service_areas), span
    )
    now, then = (
        _by_area(database, trust_wide(filters.in_wave(wave)), measure, actions["service_area"])
        for wave in (options.wave_of(filters), filters.compare)
    )
    reason = [
        f"{filters.compare}: {b}"
        if t and not n
        else f"{options.wave_of(filters)}: {a}"
        if n and not t
        else f"both waves: {a}"
        if n and t
        else None
        for a, b, n, t in zip(now["hidden_reason"], then["hidden_reason"], now["hidden"], then["hidden"])
    ]
    return pd.DataFrame(
        {
            "service_area": actions["service_area"],
            "care_group": actions["care_group"],
            "then_percent": disclosure.wholes(then["percent"]),
            "then_n": disclosure.wholes(then["n"]),
            "now_percent": disclosure.wholes(now["percent"]),
            "now_n": disclosure.wholes(now["n"]),
            **{
                name: disclosure.wholes(values) if name in ("compared_percent", "change") else values
                for name, values in measures.changes(now, then).items()
            },
            "actions_completed": actions["actions_completed"],
            "quick_wins_completed": actions["quick_wins_completed"],
            "hidden_reason": pd.array(reason, dtype=object),
        }
    )[ACROSS_COLUMNS]


def reason_first(table: pd.DataFrame) -> pd.DataFrame:
    """The table with "Hidden because" next to the unit's name: a hidden row's blank figures are
    explained where the eye starts, not in the last column off the screen's edge."""
    names = [c for c in ("Service area", "Care group") if c in table.columns]
    rest = [c for c in table.columns if c not in names and c != "Hidden because"]
    return table[[*names, "Hidden because", *rest]]


def across_waves_table(frame: pd.DataFrame, measure_title: str, then: str, now: str) -> pd.DataFrame:
    """``across_waves`` for people and downloads."""
    return reason_first(
        pd.DataFrame(
            {
                "Service area": frame["service_area"],
                "Care group": frame["care_group"],
                f"{measure_title}, {then} (%)": frame["then_percent"],
                f"n, {then}": frame["then_n"],
                f"{measure_title}, {now} (%)": frame["now_percent"],
                f"n, {now}": frame["now_n"],
                **survey_text.change_table(frame, compared=False),
                "Actions completed between the waves": frame["actions_completed"],
                "Quick wins completed between the waves": frame["quick_wins_completed"],
                "Hidden because": frame["hidden_reason"].fillna(""),
            }
        )
    )


def across_waves_sentence(frame: pd.DataFrame, measure: measures.SurveyMeasure, then: str, now: str) -> str:
    """E.g. 'Of 40 service areas shown in both waves, the 25 that completed at least one action between
    them moved +4.0 points on average (better) and ...'. The waves (``then``, ``now``: ids) are named
    by the page above the sentence, by their names."""
    shown = frame.dropna(subset=["change"])
    if shown.empty:
        return "No service area here can be shown in both waves."
    acted = shown["actions_completed"] > 0
    parts = []
    for label, rows in (
        ("that completed at least one action between them", shown.loc[acted]),
        ("that completed none", shown.loc[~acted]),
    ):
        if len(rows):
            mean = float(pd.to_numeric(rows["change"]).mean())
            parts.append(
                f"the {len(rows)} {label} moved {mean:+.1f} points on average "
                f"({wording.better_or_worse(round(mean, 1), measure.higher_is_better)})"
            )
    better = "higher" if measure.higher_is_better else "lower"
    return (
        f"Of {wording.count_of(len(shown), 'service area')} shown in both waves ({better} is better for "
        f"{measure.title}), " + " and ".join(parts) + ". An association only: areas differ in more than their actions."
    )


def shown_sentence(shown: int, left_out: int) -> str:
    """'1 service area shown, 27 left out.' (Results beside action: the areas on the chart and those too
    small to show safely.)"""
    return wording.shown_and_left_out(shown, left_out, "service area") + "."


def attention_words(count: int) -> str:
    """'1 area needs attention', '33 areas need attention'."""
    return f"{wording.count_of(count, 'area')} {wording.plural(count, 'needs')} attention"
