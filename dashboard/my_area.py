"""My area: one service area's scorecard beside its care group and the Trust.

The three scopes share the page's survey, staff group and date filters; the care
group and service area filters only pick the area (its care group is the one it
belongs to, and the Trust is every response).

Survey results per service area come from ``area_survey``: the whole Trust's
breakdown by care group and service area, with disclosure control decided on
that complete breakdown by the survey pages' rule for service areas
(``dashboard.survey``: ``disclosure.suppress`` within each care group and
overall, and an area hidden wherever its care group is hidden in the care-group
breakdown), so an area is shown or hidden the same way whichever filters
narrowed the page. A care group or the Trust is hidden when its own n is below the
threshold, as on the Overview.

The area is compared with the REST of its care group and with the REST of the
Trust (independent samples: the area's responses are taken out of the
comparison group) by the two-sided pooled two-proportion z-test at the 5%
level. A rest-of-group figure is shown only when the area itself is shown (it
is then derivable from two shown figures anyway) and has at least ``threshold``
responses; when the area is hidden, neither the rest nor any difference is shown.

No Streamlit here; tested on constructed cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dashboard import disclosure, measures, stats
from dashboard.db import run_query
from dashboard.filters import Filters
from dashboard.survey import suppress_service_areas

ALPHA = 0.05
TEST_NAME = "two-sided pooled two-proportion z-test at the 5% level"
SCOPES: dict[str, str] = {"area": "This area", "care_group": "Its care group", "trust": "Trust"}
COMPARISONS: dict[str, str] = {"rest_of_care_group": "Rest of its care group", "rest_of_trust": "Rest of the Trust"}
ENGAGEMENT_ROWS: tuple[tuple[str, str], ...] = (
    ("conversations", "Conversations"),
    ("conversation_hours", "Conversation hours"),
    ("staff_engaged", "Staff engaged"),
    ("actions_raised", "Actions raised"),
    ("quick_wins_completed", "Quick wins completed"),
)
NO_RESPONSES = "no responses"
AREA_HIDDEN = "this area's figure is hidden"
GROUP_HIDDEN = "the comparison group's figure is hidden"


def scope_filters(filters: Filters, area: str, care_group: str) -> dict[str, Filters]:
    """The area, its care group and the Trust, each with the page's survey, staff group and dates."""
    shared = {"surveys": filters.surveys, "staff_groups": filters.staff_groups,
              "date_from": filters.date_from, "date_to": filters.date_to}
    return {
        "area": Filters(service_areas=(area,), **shared),
        "care_group": Filters(care_groups=(care_group,), **shared),
        "trust": Filters(**shared),
    }


# Survey breakdown by service area, with disclosure control -----------------------------------


def suppress_areas(raw: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Disclosure control on a complete breakdown (care_group, service_area, measure, n, positive).

    Rows with n = 0 are dropped first: they hold nothing to protect, and counting
    them as hidden would let a lone small group escape complementary suppression.
    Returns every row with percent and interval, ``hidden`` and ``hidden_reason``;
    NOT blanked: callers blank hidden rows (``disclosure.blank_hidden``) before showing.
    """
    columns = ["care_group", "service_area", "measure", "n", "positive"]
    present = raw.loc[raw["n"] > 0, columns]
    # The survey pages' own rule for a service-area breakdown (within each care group, overall,
    # and against the care-group breakdown), so an area is hidden here exactly as it is there.
    parts = [
        suppress_service_areas(part.drop(columns="measure"), threshold).assign(measure=measure)
        for measure, part in present.groupby("measure", sort=False)
    ]
    if not parts:
        empty = present.assign(hidden=pd.Series(dtype=bool), hidden_reason=pd.Series(dtype=object))
        return measures.with_intervals(empty)
    return measures.with_intervals(pd.concat(parts, ignore_index=True))


def area_survey(filters: Filters, threshold: int) -> pd.DataFrame:
    """Each survey measure per care group and service area over the whole Trust (survey,
    staff group and date filters applied), with disclosure flags; see ``suppress_areas``."""
    params = filters.sql_params()
    del params["care_groups"], params["service_areas"]
    return suppress_areas(run_query("area_survey", **params), threshold)


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


def _figures(n: int, positive: int, threshold: int, reason: str | None = None) -> dict[str, object]:
    low, high = stats.wilson_interval(positive, n) if n else (math.nan, math.nan)
    if reason is None and n < threshold:
        reason = NO_RESPONSES if n == 0 else disclosure.HIDDEN_SMALL.format(threshold=threshold)
    hidden = reason is not None
    return {
        "n": n, "positive": positive,
        "share": positive / n if n else math.nan, "percent": stats.whole_percent(positive, n),
        "low": low, "high": high, "hidden": hidden, "hidden_reason": reason,
    }


def survey_scorecard(
    breakdown: pd.DataFrame, area: str, care_group: str, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's survey measures beside its care group and the Trust, and its comparisons.

    ``breakdown`` is ``area_survey``'s output (the whole Trust, flags decided).
    Returns (results, comparisons), both blanked where hidden:
    results: measure, scope (area / care_group / trust), n, positive, share, percent, low, high, hidden, hidden_reason;
    comparisons: measure, against (rest_of_care_group / rest_of_trust), area_share, n, positive, share,
    p_value, flag, hidden, hidden_reason.
    """
    results, comparisons = [], []
    for measure in measures.SURVEY_MEASURES:
        rows = breakdown.loc[breakdown["measure"] == measure]
        in_group = rows.loc[rows["care_group"] == care_group]
        own = rows.loc[(rows["care_group"] == care_group) & (rows["service_area"] == area)]
        trust = _figures(int(rows["n"].sum()), int(rows["positive"].sum()), threshold)
        group = _figures(int(in_group["n"].sum()), int(in_group["positive"].sum()), threshold)
        if own.empty:
            mine = _figures(0, 0, threshold)
        else:
            row = own.iloc[0]
            reason = row["hidden_reason"] if row["hidden"] else None
            mine = _figures(int(row["n"]), int(row["positive"]), threshold, reason)
        for scope, figures in (("area", mine), ("care_group", group), ("trust", trust)):
            results.append({"measure": measure, "scope": scope} | figures)
        for against, whole in (("rest_of_care_group", group), ("rest_of_trust", trust)):
            rest_n, rest_positive = whole["n"] - mine["n"], whole["positive"] - mine["positive"]
            if mine["hidden"]:
                reason = AREA_HIDDEN
            elif whole["hidden"]:
                reason = GROUP_HIDDEN
            else:
                reason = None
            rest = _figures(rest_n, rest_positive, threshold, reason)
            result = compare(mine["positive"], mine["n"], rest_positive, rest_n) if not rest["hidden"] else None
            comparisons.append({
                "measure": measure, "against": against, "area_share": mine["share"],
                "n": rest["n"], "positive": rest["positive"], "share": rest["share"],
                "p_value": result.p_value if result else math.nan,
                "flag": result.flag if result else None,
                "hidden": rest["hidden"], "hidden_reason": rest["hidden_reason"],
            })
    results_frame = disclosure.blank_hidden(pd.DataFrame(results), keep=["measure", "scope"])
    comparisons_frame = disclosure.blank_hidden(pd.DataFrame(comparisons), keep=["measure", "against"])
    return results_frame, comparisons_frame


def engagement_scorecard(filters: Filters, area: str, care_group: str) -> pd.DataFrame:
    """Conversations, hours, staff engaged, actions and quick wins completed: area, care group, Trust."""
    scopes = scope_filters(filters, area, care_group)
    figures = {scope: measures.engagement_headline(scope_filter) for scope, scope_filter in scopes.items()}
    rows = [{"measure": key, "title": title} | {scope: figures[scope][key] for scope in scopes}
            for key, title in ENGAGEMENT_ROWS]
    return pd.DataFrame(rows)


# Words for the page and the download -----------------------------------------------------------


def result_text(row: pd.Series | dict) -> str:
    """'39% (31–47%, n = 45)': percent, 95% Wilson interval, n; or 'Hidden: <reason>'."""
    if row["hidden"]:
        return f"Hidden: {row['hidden_reason']}"
    return f"{row['percent']}% ({row['low'] * 100:.0f}–{row['high'] * 100:.0f}%, n = {int(row['n']):,})"


def comparison_text(row: pd.Series | dict) -> str:
    """'▲ Higher than 38% (n = 120), p = 0.012', 'Not significant: 39% (n = 593), p = 0.81'
    (the rest's percent and n), or why it is not shown."""
    if row["hidden"]:
        return f"Not shown: {row['hidden_reason']}"
    p_value = row["p_value"]
    p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"
    other = f"{row['share'] * 100:.0f}% (n = {int(row['n']):,}), {p_text}"
    if row["flag"] == "higher":
        return f"▲ Higher than {other}"
    if row["flag"] == "lower":
        return f"▼ Lower than {other}"
    return f"Not significant: {other}"


def survey_tables(results: pd.DataFrame, comparisons: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two narrow tables of text for the page: results by scope, and the comparisons."""
    titles = {key: m.title for key, m in measures.SURVEY_MEASURES.items()}
    survey_table = (
        results.assign(text=[result_text(r) for _, r in results.iterrows()], Measure=results["measure"].map(titles))
        .pivot(index="Measure", columns="scope", values="text")
        .reindex(columns=list(SCOPES), index=list(titles.values()))
        .rename(columns=SCOPES)
    )
    survey_table.columns.name = None
    comparison_table = (
        comparisons.assign(text=[comparison_text(r) for _, r in comparisons.iterrows()],
                           Measure=comparisons["measure"].map(titles))
        .pivot(index="Measure", columns="against", values="text")
        .reindex(columns=list(COMPARISONS), index=list(titles.values()))
        .rename(columns={k: f"Against the {v[0].lower()}{v[1:]}" for k, v in COMPARISONS.items()})
    )
    comparison_table.columns.name = None
    return survey_table, comparison_table


def summary_frame(area: str, care_group: str, engagement: pd.DataFrame, results: pd.DataFrame,
                  comparisons: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as one long table for download: what is on screen, hidden figures blank."""
    scope_names = {"area": area, "care_group": care_group, "trust": "Trust"}
    rows = []
    for _, row in engagement.iterrows():
        for scope in SCOPES:
            rows.append({"section": "Engagement", "measure": row["title"], "scope": scope_names[scope],
                         "value": row[scope]})
    titles = {key: m.title for key, m in measures.SURVEY_MEASURES.items()}
    for _, row in results.iterrows():
        rows.append({
            "section": "Survey", "measure": titles[row["measure"]], "scope": scope_names[row["scope"]],
            "value": row["percent"], "n": row["n"],
            "ci_low_percent": None if row["hidden"] else round(row["low"] * 100),
            "ci_high_percent": None if row["hidden"] else round(row["high"] * 100),
            "hidden_reason": row["hidden_reason"],
        })
    for _, row in comparisons.iterrows():
        rows.append({
            "section": f"Comparison ({TEST_NAME})", "measure": titles[row["measure"]],
            "scope": f"{area} against the {COMPARISONS[row['against']].lower()}",
            "value": None if row["hidden"] else round(row["share"] * 100), "n": row["n"],
            "p_value": None if row["hidden"] else round(float(row["p_value"]), 4),
            "flag": row["flag"], "hidden_reason": row["hidden_reason"],
        })
    columns = ["section", "measure", "scope", "value", "n", "ci_low_percent", "ci_high_percent", "p_value", "flag",
               "hidden_reason"]
    return pd.DataFrame(rows).reindex(columns=columns)
