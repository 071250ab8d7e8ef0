"""My area: one service area's scorecard beside its care group and the Trust.

Engagement follows the page's filters for all three levels (the care group and service area
filters only pick the area; its care group is the one it belongs to).

Survey results are each unit's **released whole-wave total** (``dashboard.core.release``): the
area's, its care group's and the Trust's group over every survey, staff group and month of
the wave. They are fixed totals, not views: the survey, staff group and month filters do not
change them, so a champion cannot narrow a care group's figure, which covers areas outside
their own, to a few people. A unit whose total is not released is hidden.

The area is compared with the REST of its care group and with the REST of the Trust
(independent samples: the whole less the area, a difference of two released totals) by
the two-sided pooled two-proportion z-test at the 5% level. A comparison is shown only when
the area and the whole are both shown and the rest has at least the threshold of answers.

No Streamlit here; tested on the demo release.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.core import disclosure, figures, measures, release, stats
from dashboard.core.db import Database
from dashboard.core.filters import Filters
from dashboard.features import beside_action

TEST_NAME = "two-sided pooled two-proportion z-test at the 5% level"
LEVELS: dict[str, str] = {"area": "This area", "care_group": "Its care group", "trust": "Trust"}
COMPARISONS: dict[str, str] = {"rest_of_care_group": "Rest of its care group", "rest_of_trust": "Rest of the Trust"}
ENGAGEMENT_ROWS: tuple[measures.EngagementMeasure, ...] = tuple(
    measures.ENGAGEMENT[key]
    for key in ("conversations", "conversation_hours", "staff_engaged", "actions_raised", "quick_wins_completed")
)
AREA_HIDDEN = "this area's figure is hidden"
GROUP_HIDDEN = "the comparison group's figure is hidden"
NOBODY_ELSE = "no one else answered: the area is the whole group"
FIXED_TOTALS = (
    "Survey results are each unit's released total for the whole wave (every survey, staff group and month): "
    "the sidebar's survey, staff group and month filters do not change them."
)


def level_filters(filters: Filters, area: str, care_group: str) -> dict[str, Filters]:
    """The area, its care group and the Trust, each with the page's survey, staff group, dates and wave
    (for engagement: survey figures are fixed totals)."""
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


# The scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    p_value: float
    flag: str  # "higher", "lower" or "no significant difference"


def compare(x1: int, n1: int, x2: int, n2: int, alpha: float = stats.ALPHA) -> Comparison:
    """x1/n1 against x2/n2: flagged higher or lower only when p < alpha."""
    p_value = float(stats.two_proportion_z_tests(x1, n1, x2, n2)[0])
    if math.isnan(p_value) or p_value >= alpha:
        return Comparison(p_value, "no significant difference")
    return Comparison(p_value, "higher" if x1 / n1 > x2 / n2 else "lower")


def survey_scorecard(
    database: Database, filters: Filters, headline: Iterable[str], area: str, care_group: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's survey measures beside its care group and the Trust, and its comparisons, from
    the released whole-wave totals of the filters' wave (``headline``: the measures' keys,
    ``measures.headline_measures``). Returns (results, comparisons), both blanked where hidden:
    results: measure, level (area / care_group / trust), n, positive, share, percent, low, high, hidden, hidden_reason;
    comparisons: measure, against (rest_of_care_group / rest_of_trust), area_share, n, positive, share,
    p_value, flag, hidden, hidden_reason.
    """
    built = release.of(database)
    units = {  # each unit's released whole-wave group
        "area": release.Part(release.ANSWERS, care_group, area),
        "care_group": release.Part(release.ANSWERS, care_group),
        "trust": release.Part(),
    }
    summed = figures.sums(built, figures.latest(built, filters), [(part,) for part in units.values()])
    headline = list(headline)
    results, comparisons = [], []
    for measure in headline:
        m = built.measures.index(measure)
        by_level = {}
        for row, level in enumerate(units):
            hidden = bool(summed.hidden[row, m])
            by_level[level] = _figure(
                summed.n[row, m], summed.positive[row, m], hidden, built.reason() if hidden else None
            )
            results.append({"measure": measure, "level": level} | by_level[level])
        mine = by_level["area"]
        for against, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
            rest_n = by_level[whole]["n"] - mine["n"] if not (mine["hidden"] or by_level[whole]["hidden"]) else np.nan
            rest_positive = by_level[whole]["positive"] - mine["positive"]
            reason = (
                AREA_HIDDEN
                if mine["hidden"]
                else GROUP_HIDDEN
                if by_level[whole]["hidden"]
                else NOBODY_ELSE
                if rest_n == 0
                else disclosure.HIDDEN
                if rest_n < built.threshold
                else None
            )
            rest = _figure(rest_n, rest_positive, reason is not None, reason)
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
        _blanked(results, ["measure", "level"], ["n", "positive", "share", "percent", "low", "high"]),
        _blanked(comparisons, ["measure", "against"], ["area_share", "n", "positive", "share", "p_value", "flag"]),
    )


def _figure(n: float, positive: float, hidden: bool, reason: str | None) -> dict[str, object]:
    """One level's figures from its released counts (percent and interval: ``measures.intervals``)."""
    counts = {"n": np.array([n], dtype=float), "positive": np.array([positive], dtype=float)}
    worked = measures.intervals(counts["n"], counts["positive"])
    return {
        "n": n,
        "positive": positive,
        **{name: float(values[0]) for name, values in worked.items()},
        "hidden": hidden,
        "hidden_reason": reason,
    }


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
    levels = level_filters(filters, area, care_group)
    figures = {level: measures.engagement_headline(database, level_filter) for level, level_filter in levels.items()}
    rows = [
        {"measure": m.key, "title": m.title} | {level: figures[level][m.key] for level in levels}
        for m in ENGAGEMENT_ROWS
    ]
    return pd.DataFrame(rows)


def since_table(database: Database, filters: Filters, options, then: str, now: str) -> pd.DataFrame:
    """The area (the filters' one service area) in both waves, per headline measure: each wave's
    whole released total (every survey and staff group) and n, the change and whether it is real,
    and the actions completed between the waves (``beside_action.across_waves``: hidden figures
    blank with the reason)."""
    whole = Filters(
        care_groups=filters.care_groups, service_areas=filters.service_areas, wave=filters.wave, compare=then
    )
    rows = []
    for key, measure in measures.headline_measures(database).items():
        frame = beside_action.across_waves(database, whole, options, key)
        table = beside_action.across_waves_table(frame, "Result", then, now).drop(
            columns=["Service area", "Care group"]
        )
        rows.append(table.assign(Measure=measure.title))
    frame = pd.concat(rows, ignore_index=True)
    return frame[["Measure", *[c for c in frame.columns if c != "Measure"]]]
