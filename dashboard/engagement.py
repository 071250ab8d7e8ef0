"""Engagement and actions: the work behind the results, as plain data for the pages.

Every figure comes from ``dashboard.engagement_cube``, which keeps the headline's
definitions (conversations and attendees by held_on, actions by raised_on, staff
groups narrowing staff engaged only), so grouped figures add up to the Overview;
the action list alone is a query (``queries/actions_list.sql``).
The survey filter never applies here: conversations and actions are not
survey responses.

"Results beside action" joins actions per service area to a survey measure per
service area over the whole Trust; the survey side is the survey pages' own
figure for each area (``measures.survey_figures``: perturbed, hidden when small).

No Streamlit here; tested against independent pandas computations.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import db, disclosure, engagement_cube, measures, settings, survey
from dashboard.db import run_query
from dashboard.filters import Filters, Options
from dashboard.my_area import NO_RESPONSES, trust_wide
from pipeline import contract

# Breakdowns a user may pick: value -> label. Checked before reaching SQL.
BREAKDOWNS: dict[str, str] = {"care_group": "Care group", "service_area": "Service area"}
PERIODS: dict[str, str] = {"week": "Week", "month": "Month"}
# What a breakdown's chart may show: column -> label.
GROUP_MEASURES: dict[str, str] = {
    "conversation_hours": "Conversation hours", "conversations": "Conversations", "staff_engaged": "Staff engaged",
}
NOT_STATED = "Not stated"

# The strategy theme whose actions answer each survey measure.
# The strategy theme of the actions that bear on each theme page's questions.
PAGE_ACTION_THEMES: dict[str, str] = {
    "Digital skills": "Digital up-skilling and confidence",
    "Information to run services": "Information, data management and business intelligence",
    "IT reliability": "Connectivity, performance and security",
}


def action_theme(measure: str) -> str:
    """The strategy theme of the actions related to a question: its theme page's."""
    return PAGE_ACTION_THEMES[measures.survey_measures()[measure].page]


def higher_is_worse(measure: str) -> bool:
    return not measures.survey_measures()[measure].higher_is_better


def area_params(filters: Filters) -> dict[str, object]:
    """Care groups, service areas and dates: what conversations and actions filter on."""
    params = filters.engagement_params()
    del params["staff_groups"]
    return params


def _check(value: str, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


def by_week(filters: Filters) -> pd.DataFrame:
    """Conversations and hours per week (Monday), zero for weeks without any."""
    return engagement_cube.by_week(engagement_cube.for_current(), filters)


def by_group(filters: Filters, dimension: str) -> pd.DataFrame:
    """Engagement and actions per care group or service area; every group in scope listed."""
    _check(dimension, BREAKDOWNS, "Breakdown")
    frame = engagement_cube.by_group(engagement_cube.for_current(), filters, dimension)
    if dimension == "care_group":
        frame = frame.drop(columns=["care_group"])
    frame = frame.rename(columns={"group_name": dimension})
    frame["share_completed"] = _shares(frame)
    return frame


def _shares(frame: pd.DataFrame) -> np.ndarray:
    """Actions completed / raised per group (nan where none were raised)."""
    raised = frame["actions_raised"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(raised > 0, frame["actions_completed"].to_numpy(dtype=np.float64) / raised, np.nan)


def group_table(groups: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """``by_group`` for the page's table and download, in people's words."""
    columns = {dimension: BREAKDOWNS[dimension]}
    if dimension == "service_area":
        columns["care_group"] = "Care group"
    columns |= {
        "conversations": "Conversations", "conversation_hours": "Hours", "staff_engaged": "Staff engaged",
        "actions_raised": "Actions raised", "quick_wins_completed": "Quick wins completed",
    }
    return groups.loc[:, list(columns)].rename(columns=columns)


def formats(filters: Filters) -> pd.DataFrame:
    """Conversations, hours and staff engaged per conversation format."""
    return engagement_cube.formats(engagement_cube.for_current(), filters)


def staff_groups(filters: Filters) -> pd.DataFrame:
    """Distinct staff engaged per staff group (one person may appear in more than one)."""
    return engagement_cube.staff_groups(engagement_cube.for_current(), filters)


def actions_by_theme_status(filters: Filters) -> pd.DataFrame:
    return engagement_cube.theme_status(engagement_cube.for_current(), filters)


def actions_summary(filters: Filters) -> dict[str, int]:
    """Actions raised and completed, quick wins raised and completed."""
    return engagement_cube.actions_summary(engagement_cube.for_current(), filters)


def theme_status_table(by_theme: pd.DataFrame) -> pd.DataFrame:
    """Themes down, statuses across (contract order), with a total; most actions first."""
    statuses = [s for s in contract.STATUSES if s in set(by_theme["status"])]
    counts: dict[str, dict[str, int]] = {}
    for theme, status, actions in zip(by_theme["theme"], by_theme["status"], by_theme["actions"]):
        row = counts.setdefault(theme, dict.fromkeys(statuses, 0))
        if status in row:
            row[status] += int(actions)
    table = pd.DataFrame([{"Strategy theme": theme, **row, "Total": sum(row.values())} for theme, row in counts.items()],
                         columns=["Strategy theme", *statuses, "Total"])
    return table.sort_values(["Total", "Strategy theme"], ascending=[False, True], ignore_index=True)


def completed_over_time(filters: Filters, period: str) -> pd.DataFrame:
    """Of the actions raised in scope, those completed per week or month of completed_on."""
    _check(period, PERIODS, "Period")
    return engagement_cube.completed_over_time(engagement_cube.for_current(), filters, period)


def completion_by_care_group(filters: Filters) -> pd.DataFrame:
    """Share of the actions raised in each care group that are completed."""
    frame = engagement_cube.actions_by_group(engagement_cube.for_current(), filters, "care_group")
    return pd.DataFrame({
        "care_group": frame["group_name"], "actions_raised": frame["actions_raised"],
        "actions_completed": frame["actions_completed"], "share_completed": _shares(frame),
    })


def completion_table(completion: pd.DataFrame) -> pd.DataFrame:
    """``completion_by_care_group`` for people: the share as a whole percent."""
    return completion.assign(share_completed=(completion["share_completed"] * 100).round(0)).rename(columns={
        "care_group": "Care group", "actions_raised": "Actions raised", "actions_completed": "Actions completed",
        "share_completed": "Completed (%)",
    })


# How the action list may be sorted: value -> label. Checked before reaching SQL.
ACTION_SORTS: dict[str, str] = {
    "newest": "Newest raised first", "oldest": "Oldest raised first", "days_open": "Longest open first",
    "title": "Action title, A to Z",
}
ACTIONS_SHOWN = 1_000  # actions listed on the page; the download has them all


def _action_search(filters: Filters, search: str) -> dict[str, object]:
    return {"search": search.strip()[:200], **area_params(filters)}


def action_list(filters: Filters, search: str, as_of: dt.date, sort: str = "newest",
                limit: int | None = None) -> pd.DataFrame:
    """Actions in scope matching ``search`` (bound, matched as plain text), sorted by
    ``sort`` (one of ACTION_SORTS; newest first within it): the first ``limit`` (None: all)."""
    _check(sort, ACTION_SORTS, "Sort")
    frame = run_query("actions_list", as_of=as_of, sort=sort, max_rows=limit, **_action_search(filters, search))
    frame["completed"] = frame["status"] == "Completed"
    frame["days_open"] = frame["days_open"].astype("Int64")
    return frame


def action_count(filters: Filters, search: str) -> int:
    """How many actions ``action_list`` gives with no limit."""
    return int(run_query("actions_list_count", **_action_search(filters, search)).iloc[0]["actions"])


@dataclass(frozen=True)
class ResultsBesideAction:
    measure: str
    theme: str
    table: pd.DataFrame  # one row per service area in scope; survey figures of hidden rows blanked
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
        """Areas in scope (or only those shown) for a table or download: percentages whole, hidden
        rows with their reason."""
        table = self.shown.copy() if shown_only else self.table.copy()
        for column in ("low", "high"):
            table[column] = [None if v is None or pd.isna(v) else round(float(v) * 100) for v in table[column]]
        return table.drop(columns=["share"]).rename(columns={
            "service_area": "Service area", "care_group": "Care group", "n": "Responses (n)", "positive": "Positive",
            "percent": f"{measure_title} (%)", "low": "95% CI low (%)", "high": "95% CI high (%)",
            "actions_raised": "Actions raised", "actions_completed": "Actions completed",
            "theme_actions": f"Actions on {self.theme}", "theme_actions_completed": f"Completed on {self.theme}",
            "needs_attention": "Needs attention", "hidden": "Survey result hidden", "hidden_reason": "Why hidden",
        })


AREA_FIGURES = ("n", "positive", "share", "percent", "low", "high")


def _by_area(filters: Filters, threshold: int, measure: str, areas: pd.Series) -> dict[str, np.ndarray]:
    """The measure per service area (``measures.survey_figures``: disclosure applied, hidden figures
    blank) lined up with ``areas``: hidden, hidden_reason and ``AREA_FIGURES``; an area where
    nobody answered is hidden, with NO_RESPONSES."""
    found = measures.survey_figures(filters, threshold).arrays(measure, "service_area")
    at = {area: i for i, (area, answered) in enumerate(zip(found["service_area"], found["answered"])) if answered}
    rows = np.array([at.get(area, -1) for area in areas], dtype=np.int64)
    has = rows >= 0
    out = {}
    for name, missing in (("hidden", True), ("hidden_reason", NO_RESPONSES), *((f, np.nan) for f in AREA_FIGURES)):
        values = np.full(len(rows), missing, dtype=found[name].dtype)
        values[has] = found[name][rows[has]]
        out[name] = values
    return out


def results_beside_action(filters: Filters, threshold: int, measure: str) -> ResultsBesideAction:
    """Per service area in scope: the survey measure (disclosure applied) beside its actions.

    Areas are flagged ``needs_attention`` when shown, worse than the filtered
    total (higher for "IT too unreliable", lower otherwise) and with no more
    related-theme actions than the median of the areas shown. When the filtered
    total itself is hidden, every area's survey figure is hidden too.
    """
    _check(measure, tuple(measures.survey_measures()), "Measure")
    headline = measures.survey_headline(filters, threshold).loc[measure]
    actions = engagement_cube.actions_by_area(engagement_cube.for_current(), filters, action_theme(measure))
    by_area = _by_area(trust_wide(filters), threshold, measure, actions["service_area"])
    hidden, reasons = by_area["hidden"], by_area["hidden_reason"]
    if headline["hidden"]:
        hidden[:] = True
        reasons[:] = f"the filtered total is hidden ({headline['hidden_reason']})"
    reasons[~hidden] = None
    figures = {name: np.where(hidden, np.nan, by_area[name]) for name in AREA_FIGURES}
    shown = ~hidden
    theme_actions = actions["theme_actions"].to_numpy()
    median_theme = float(np.median(theme_actions[shown])) if shown.any() else 0.0
    table = pd.DataFrame({
        "service_area": actions["service_area"], "care_group": actions["care_group"],
        **{name: disclosure.wholes(values) if name in ("n", "positive", "percent") else values
           for name, values in figures.items()},
        "actions_raised": actions["actions_raised"], "actions_completed": actions["actions_completed"],
        "theme_actions": theme_actions, "theme_actions_completed": actions["theme_actions_completed"],
        # Actions describe meetings, not respondents: they stay; the survey figures of hidden rows go.
        "needs_attention": shown & _worse_than(figures["share"], headline["share"], measure)
        & (theme_actions <= median_theme),
        "hidden": hidden, "hidden_reason": pd.array(reasons, dtype=object),
    })
    return ResultsBesideAction(measure, action_theme(measure), table, headline, median_theme)


def _worse_than(shares: np.ndarray, reference: float | None, measure: str) -> np.ndarray:
    """Per share: worse than the reference (a blank share or reference is never worse)."""
    if reference is None or pd.isna(reference):
        return np.zeros(len(shares), dtype=bool)
    return (shares > reference) if higher_is_worse(measure) else (shares < reference)


# You said, we did, across waves ------------------------------------------------------------

ACROSS_COLUMNS = ["service_area", "care_group", "then_percent", "then_n", "now_percent", "now_n",
                  *measures.CHANGE_COLUMNS, "actions_completed", "quick_wins_completed", "hidden_reason"]


def between_waves(options: Options, filters: Filters) -> tuple[dt.date, dt.date] | None:
    """The days after the compared wave closed and before the filters' wave opened (None when
    there is no comparison, or the waves overlap)."""
    now, then = options.wave_of(filters), filters.compare
    if not then or now not in options.wave_dates or then not in options.wave_dates:
        return None
    first, last = options.wave_dates[then][1] + dt.timedelta(days=1), options.wave_dates[now][0] - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _completed_between(areas: Filters, span: tuple[dt.date, dt.date]) -> pd.DataFrame:
    """``engagement_cube.completed_between`` once per database, areas and span (My area asks for it
    once per measure)."""
    database = db.current()
    return _completed_memo((str(database.path), database.identity), areas, span).copy()


@functools.lru_cache(maxsize=16)
def _completed_memo(file: tuple[str, object], areas: Filters, span: tuple[dt.date, dt.date]) -> pd.DataFrame:
    # ``file`` (the pinned database's path and identity) keys the memo: a rebuilt file is a new key.
    return engagement_cube.completed_between(engagement_cube.for_current(), areas, *span)


def across_waves(filters: Filters, options: Options, threshold: int, measure: str) -> pd.DataFrame:
    """Per service area the care group and area filters cover: the measure in the compared wave and
    in the filters' wave (each over the whole wave, with the page's surveys and staff groups;
    disclosure applied, hidden areas blank with the reason), its change and whether it is real
    (``measures.changes``), beside the actions and quick wins completed there between the waves
    (engagement activity: exact). No rows without a comparison."""
    _check(measure, tuple(measures.survey_measures()), "Measure")
    span = between_waves(options, filters)
    if span is None:
        return pd.DataFrame(columns=ACROSS_COLUMNS)
    actions = _completed_between(Filters(care_groups=filters.care_groups, service_areas=filters.service_areas), span)
    now, then = (_by_area(trust_wide(filters.in_wave(wave)), threshold, measure, actions["service_area"])
                 for wave in (options.wave_of(filters), filters.compare))
    reason = [f"{filters.compare}: {b}" if t and not n else f"{options.wave_of(filters)}: {a}" if n and not t
              else f"both waves: {a}" if n and t else None
              for a, b, n, t in zip(now["hidden_reason"], then["hidden_reason"], now["hidden"], then["hidden"])]
    return pd.DataFrame({
        "service_area": actions["service_area"], "care_group": actions["care_group"],
        "then_percent": disclosure.wholes(then["percent"]), "then_n": disclosure.wholes(then["n"]),
        "now_percent": disclosure.wholes(now["percent"]), "now_n": disclosure.wholes(now["n"]),
        **{name: disclosure.wholes(values) if name in ("compared_percent", "change") else values
           for name, values in measures.changes(now, then).items()},
        "actions_completed": actions["actions_completed"], "quick_wins_completed": actions["quick_wins_completed"],
        "hidden_reason": pd.array(reason, dtype=object),
    })[ACROSS_COLUMNS]


def across_waves_table(frame: pd.DataFrame, measure_title: str, then: str, now: str) -> pd.DataFrame:
    """``across_waves`` for people and downloads."""
    return pd.DataFrame({
        "Service area": frame["service_area"], "Care group": frame["care_group"],
        f"{measure_title}, {then} (%)": frame["then_percent"], f"n, {then}": frame["then_n"],
        f"{measure_title}, {now} (%)": frame["now_percent"], f"n, {now}": frame["now_n"],
        **survey.change_table(frame, compared=False),
        "Actions completed between the waves": frame["actions_completed"],
        "Quick wins completed between the waves": frame["quick_wins_completed"],
        "Hidden because": frame["hidden_reason"].fillna(""),
    })


def across_waves_sentence(frame: pd.DataFrame, measure: measures.SurveyMeasure, then: str, now: str) -> str:
    """E.g. 'Of 40 areas shown in both waves, the 25 that completed an action between them moved
    +4 points on average, the 15 that completed none +1.'"""
    shown = frame.dropna(subset=["change"])
    if shown.empty:
        return f"No service area here can be shown in both {then} and {now}."
    acted = shown["actions_completed"] > 0
    parts = []
    for label, rows in (("that completed at least one action between them", shown.loc[acted]),
                        ("that completed none", shown.loc[~acted])):
        if len(rows):
            mean = float(pd.to_numeric(rows["change"]).mean())
            parts.append(f"the {len(rows)} {label} moved {mean:+.1f} points on average")
    better = "higher" if measure.higher_is_better else "lower"
    return (f"Of {len(shown)} service areas shown in both {then} and {now}, " + " and ".join(parts)
            + f" ({better} is better for {measure.title}). An association only: areas differ in more than their actions.")


# About the data (the Data and definitions page) ------------------------------------------------


def rejects_summary() -> pd.DataFrame:
    """Per file: column, reason, rows rejected and the first line numbers; never the rejected values."""
    return run_query("rejects_summary")


def build_table(build: pd.DataFrame) -> pd.DataFrame:
    """build_info for people: one row per file, in the contract's words."""
    columns = {
        "file": "File", "format": "Format", "encoding": "Encoding", "size_bytes": "Size (bytes)", "sha256": "SHA-256",
        "rows_read": "Rows read", "rows_loaded": "Rows loaded", "rows_rejected": "Rows rejected",
        "ignored_columns": "Ignored columns", "warnings": "Warnings",
    }
    return build.loc[:, [c for c in columns if c in build.columns]].rename(columns=columns)


def measure_definitions() -> pd.DataFrame:
    """Every headline measure with its definition, from dashboard.measures."""
    rows = [
        {"Measure": m.title, "Kind": "Engagement", "Question": "", "Definition": m.definition}
        for m in measures.ENGAGEMENT_MEASURES
    ] + [
        {"Measure": m.title, "Kind": "Survey", "Question": m.question, "Definition": m.definition}
        for m in measures.survey_measures().values()
    ]
    return pd.DataFrame(rows)


def waves_table() -> pd.DataFrame:
    """The survey waves, oldest first, as the build stored them."""
    frame = run_query("waves")
    return pd.DataFrame({"Wave": frame["wave_id"], "Name": frame["name"],
                         "Opened": [f"{pd.Timestamp(d):%d %B %Y}" for d in frame["opened"]],
                         "Closed": [f"{pd.Timestamp(d):%d %B %Y}" for d in frame["closed"]]})


def questions_table() -> pd.DataFrame:
    """The question bank in use, in its order: what each measure counts."""
    bank = measures.survey_measures().values()
    return pd.DataFrame({
        "Question": [m.key for m in bank], "Asked": [m.question for m in bank], "Measure": [m.title for m in bank],
        "Theme": [m.page for m in bank], "Waves": [", ".join(m.waves) for m in bank],
        "Answers, in order": ["; ".join(m.scale) for m in bank],
        "Positive": ["; ".join(m.positive_answers) for m in bank],
        "Left out of the base": ["; ".join(m.excluded) for m in bank],
        "Higher is better": ["Yes" if m.higher_is_better else "No" for m in bank],
    })


def settings_table() -> pd.DataFrame:
    """Every setting: environment variable, default, the value in use (the database by file name only), help."""

    def in_use(setting: settings.Setting) -> str:
        return settings.database_path().name if setting is settings.DB else setting.value()

    return pd.DataFrame(
        [{"Setting": s.env, "Default": s.default, "In use": in_use(s), "Help": s.help} for s in settings.ALL_SETTINGS]
    )
