"""My area: one service area's scorecard beside its care group and the Trust.

The three scopes share the page's survey, staff group and date filters; the care
group and service area filters only pick the area (its care group is the one it
belongs to, and the Trust is every response).

Survey results come from ``area_survey``: true counts and key sums per care group
and service area over the whole Trust, never shown as they are. Key sums add up,
so the area, its care group, the Trust and the rest of each (the care group or
Trust without the area) are each perturbed as themselves
(``disclosure.protect_arrays``): the area's figure here is the survey pages'
figure for the same filters, and a scope whose perturbed n is under the
threshold is hidden.

The area is compared with the REST of its care group and with the REST of the
Trust (independent samples: the area's responses are taken out of the
comparison group) by the two-sided pooled two-proportion z-test at the 5%
level, on perturbed counts. A comparison is shown only when the area, the
whole it is compared within and the rest are all shown.

No Streamlit here; tested on constructed cases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import cube, disclosure, measures, stats
from dashboard.db import Database
from dashboard.filters import Filters

ALPHA = 0.05
TEST_NAME = "two-sided pooled two-proportion z-test at the 5% level"
SCOPES: dict[str, str] = {"area": "This area", "care_group": "Its care group", "trust": "Trust"}
COMPARISONS: dict[str, str] = {"rest_of_care_group": "Rest of its care group", "rest_of_trust": "Rest of the Trust"}
ENGAGEMENT_ROWS: tuple[measures.EngagementMeasure, ...] = tuple(
    measures.ENGAGEMENT[key]
    for key in ("conversations", "conversation_hours", "staff_engaged", "actions_raised", "quick_wins_completed")
)
NO_RESPONSES = "no responses"
AREA_HIDDEN = "this area's figure is hidden"
GROUP_HIDDEN = "the comparison group's figure is hidden"


def scope_filters(filters: Filters, area: str, care_group: str) -> dict[str, Filters]:
    """The area, its care group and the Trust, each with the page's survey, staff group, dates and wave."""
    shared = {
        "surveys": filters.surveys,
        "staff_groups": filters.staff_groups,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "wave": filters.wave,
    }
    return {
        "area": Filters(service_areas=(area,), **shared),
        "care_group": Filters(care_groups=(care_group,), **shared),
        "trust": Filters(**shared),
    }


# Survey results per service area, with disclosure control -----------------------------------

RAW_COLUMNS = ["n", "n_key", "positive", "positive_key", "view_key"]


def area_survey(database: Database, filters: Filters) -> pd.DataFrame:
    """True counts and key sums of each survey measure per care group and service area over the
    whole Trust (survey, staff group and date filters applied). Never shown as they are: see
    ``survey_scorecard``."""
    columns = cube.figures(cube.of(database), trust_wide(filters))
    rows = np.flatnonzero(columns["breakdown"] == "service_area")
    rows = rows[np.lexsort([columns[name][rows] for name in ("measure", "service_area", "care_group")])]
    return pd.DataFrame(
        {name: pd.array(columns[name][rows], dtype=object) for name in ["care_group", "service_area", "measure"]}
        | {name: disclosure.wholes(columns[name][rows]) for name in RAW_COLUMNS}
    )


def trust_wide(filters: Filters) -> Filters:
    """The survey, staff group, date and wave filters over the whole Trust (care group and area dropped)."""
    return Filters(
        surveys=filters.surveys,
        staff_groups=filters.staff_groups,
        date_from=filters.date_from,
        date_to=filters.date_to,
        wave=filters.wave,
    )


# The scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    p_value: float
    flag: str  # "higher", "lower" or "no significant difference"


def compare(x1: int, n1: int, x2: int, n2: int, alpha: float = ALPHA) -> Comparison:
    """x1/n1 against x2/n2: flagged higher or lower only when p < alpha."""
    p_value = stats.two_proportion_z_test(x1, n1, x2, n2)
    if math.isnan(p_value) or p_value >= alpha:
        return Comparison(p_value, "no significant difference")
    return Comparison(p_value, "higher" if x1 / n1 > x2 / n2 else "lower")


def survey_scorecard(
    raw: pd.DataFrame, headline: Iterable[str], area: str, care_group: str, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's survey measures beside its care group and the Trust, and its comparisons.

    ``raw`` is ``area_survey``'s output; ``headline`` the measures' keys
    (``measures.headline_measures``). Each scope is summed from it (counts and key
    sums), then perturbed and hidden as itself. Returns (results, comparisons), both
    blanked where hidden:
    results: measure, scope (area / care_group / trust), n, positive, share, percent, low, high, hidden, hidden_reason;
    comparisons: measure, against (rest_of_care_group / rest_of_trust), area_share, n, positive, share,
    p_value, flag, hidden, hidden_reason.
    """
    labels = {c: raw[c].to_numpy(dtype=object) for c in ("measure", "care_group", "service_area")}
    counts = {c: raw[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in RAW_COLUMNS}
    keys: list[tuple[str, str]] = []
    sums: dict[str, list[float]] = {c: [] for c in RAW_COLUMNS}
    absent = []
    headline = list(headline)
    for measure in headline:
        rows = labels["measure"] == measure
        in_group = rows & (labels["care_group"] == care_group)
        own = in_group & (labels["service_area"] == area)
        for scope, selected, less in (
            ("area", own, None),
            ("care_group", in_group, None),
            ("trust", rows, None),
            ("rest_of_care_group", in_group, own),
            ("rest_of_trust", rows, own),
        ):
            keys.append((measure, scope))
            absent.append(scope == "area" and not counts["n"][own].sum())
            for c in RAW_COLUMNS:  # key sums subtract like counts: the rest is the whole less the area
                sums[c].append(counts[c][selected].sum() - (counts[c][less].sum() if less is not None else 0.0))
    columns = {c: np.array(values) for c, values in sums.items()}
    figures = disclosure.protect_arrays(columns, threshold)
    figures |= measures.intervals(figures["n"], figures["positive"])
    figures["hidden_reason"][np.array(absent)] = NO_RESPONSES
    by_scope = {key: {name: values[i] for name, values in figures.items()} for i, key in enumerate(keys)}
    results = [
        {"measure": measure, "scope": scope} | by_scope[(measure, scope)] for measure in headline for scope in SCOPES
    ]
    comparisons = []
    for measure in headline:
        mine = by_scope[(measure, "area")]
        for against, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
            rest = by_scope[(measure, against)]
            reason = (
                AREA_HIDDEN
                if mine["hidden"]
                else GROUP_HIDDEN
                if by_scope[(measure, whole)]["hidden"]
                else rest["hidden_reason"]
                if rest["hidden"]
                else None
            )
            result = (
                None
                if reason
                else compare(int(mine["positive"]), int(mine["n"]), int(rest["positive"]), int(rest["n"]))
            )
            comparisons.append(
                {
                    "measure": measure,
                    "against": against,
                    "area_share": mine["share"],
                    "n": rest["n"],
                    "positive": rest["positive"],
                    "share": rest["share"],
                    "p_value": result.p_value if result else math.nan,
                    "flag": result.flag if result else None,
                    "hidden": reason is not None,
                    "hidden_reason": reason,
                }
            )
    return (
        _blanked(results, ["measure", "scope"], ["n", "positive", "share", "percent", "low", "high"]),
        _blanked(comparisons, ["measure", "against"], ["area_share", "n", "positive", "share", "p_value", "flag"]),
    )


def _blanked(rows: list[dict], labels: list[str], figures: list[str]) -> pd.DataFrame:
    """Rows as a frame: figures blank where hidden (counts and percents whole numbers)."""
    hidden = np.array([bool(row["hidden"]) for row in rows], dtype=bool)
    frame = {name: pd.array([row[name] for row in rows], dtype=object) for name in labels}
    for name in figures:
        values = [row[name] for row in rows]
        if name == "flag":
            frame[name] = pd.array([None if h else v for v, h in zip(values, hidden)], dtype=object)
        elif name in ("n", "positive", "percent"):
            frame[name] = disclosure.wholes(np.where(hidden, np.nan, np.array(values, dtype=np.float64)))
        else:
            frame[name] = np.where(hidden, np.nan, np.array(values, dtype=np.float64))
    frame["hidden"] = hidden
    frame["hidden_reason"] = pd.array(
        [row["hidden_reason"] if h else None for row, h in zip(rows, hidden)], dtype=object
    )
    return pd.DataFrame(frame)


def engagement_scorecard(database: Database, filters: Filters, area: str, care_group: str) -> pd.DataFrame:
    """Conversations, hours, staff engaged, actions and quick wins completed: area, care group, Trust."""
    scopes = scope_filters(filters, area, care_group)
    figures = {scope: measures.engagement_headline(database, scope_filter) for scope, scope_filter in scopes.items()}
    rows = [
        {"measure": m.key, "title": m.title} | {scope: figures[scope][m.key] for scope in scopes}
        for m in ENGAGEMENT_ROWS
    ]
    return pd.DataFrame(rows)


def since_table(database: Database, filters: Filters, options, threshold: int, then: str, now: str) -> pd.DataFrame:
    """The area (the filters' one service area) in both waves, per headline measure: each wave's
    percent and n, the change and whether it is real, and the actions completed between the waves
    (``beside_action.across_waves``: disclosure applied, hidden figures blank with the reason)."""
    from dashboard import beside_action

    rows = []
    for key, measure in measures.headline_measures(database).items():
        frame = beside_action.across_waves(database, filters, options, threshold, key)
        table = beside_action.across_waves_table(frame, "Result", then, now).drop(
            columns=["Service area", "Care group"]
        )
        rows.append(table.assign(Measure=measure.title))
    frame = pd.concat(rows, ignore_index=True)
    return frame[["Measure", *[c for c in frame.columns if c != "Measure"]]]
