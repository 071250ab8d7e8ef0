"""My area: one service area's scorecard beside its care group and the Trust.

The three scopes share the page's survey, staff group and date filters; the care
group and service area filters only pick the area (its care group is the one it
belongs to, and the Trust is every response).

Survey results come from ``area_survey``: true counts and key sums per care group
and service area over the whole Trust, never shown as they are. Key sums add up,
so the area, its care group, the Trust and the rest of each (the care group or
Trust without the area) are each perturbed as themselves
(``measures.protected``): the area's figure here is the survey pages'
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
from dataclasses import dataclass

import pandas as pd

from dashboard import cube, disclosure, measures, stats
from dashboard.filters import Filters

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


# Survey results per service area, with disclosure control -----------------------------------

RAW_COLUMNS = ["n", "n_key", "positive", "positive_key", "view_key"]


def area_survey(filters: Filters) -> pd.DataFrame:
    """True counts and key sums of each survey measure per care group and service area over the
    whole Trust (survey, staff group and date filters applied). Never shown as they are: see
    ``survey_scorecard``."""
    columns = cube.figures(cube.for_current(), trust_wide(filters))
    rows = columns["breakdown"] == "service_area"
    frame = pd.DataFrame({name: columns[name][rows] for name in ["care_group", "service_area", "measure"]}
                         | {name: disclosure.wholes(columns[name][rows]) for name in RAW_COLUMNS})
    return frame.sort_values(["care_group", "service_area", "measure"], ignore_index=True)


def trust_wide(filters: Filters) -> Filters:
    """The survey, staff group and date filters over the whole Trust (care group and area dropped)."""
    return Filters(surveys=filters.surveys, staff_groups=filters.staff_groups,
                   date_from=filters.date_from, date_to=filters.date_to)


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
    raw: pd.DataFrame, area: str, care_group: str, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's survey measures beside its care group and the Trust, and its comparisons.

    ``raw`` is ``area_survey``'s output. Each scope is summed from it (counts and key
    sums), then perturbed and hidden as itself. Returns (results, comparisons), both
    blanked where hidden:
    results: measure, scope (area / care_group / trust), n, positive, share, percent, low, high, hidden, hidden_reason;
    comparisons: measure, against (rest_of_care_group / rest_of_trust), area_share, n, positive, share,
    p_value, flag, hidden, hidden_reason.
    """
    scopes = []
    withheld = bool(raw["view_key"].isna().any())  # built without a key: every cell's key sum is empty
    for measure in measures.SURVEY_MEASURES:
        rows = raw.loc[raw["measure"] == measure]
        in_group = rows.loc[rows["care_group"] == care_group]
        own = in_group.loc[in_group["service_area"] == area]
        sums = {scope: part[RAW_COLUMNS].sum() for scope, part in
                (("area", own), ("care_group", in_group), ("trust", rows))}
        sums["rest_of_care_group"] = sums["care_group"] - sums["area"]  # key sums subtract like counts
        sums["rest_of_trust"] = sums["trust"] - sums["area"]
        scopes += [{"measure": measure, "scope": scope, "absent": int(own["n"].sum()) == 0 and scope == "area"}
                   | {c: pd.NA if withheld and c.endswith("_key") else int(v) for c, v in figures.items()}
                   for scope, figures in sums.items()]
    frame = measures.protected(pd.DataFrame(scopes), threshold)
    frame.loc[frame["absent"], "hidden_reason"] = NO_RESPONSES
    by_scope = frame.set_index(["measure", "scope"])
    results = frame.loc[frame["scope"].isin(list(SCOPES))].drop(columns="absent")
    comparisons = []
    for measure in measures.SURVEY_MEASURES:
        mine = by_scope.loc[(measure, "area")]
        for against, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
            rest = by_scope.loc[(measure, against)]
            reason = (AREA_HIDDEN if mine["hidden"] else GROUP_HIDDEN if by_scope.loc[(measure, whole), "hidden"]
                      else rest["hidden_reason"] if rest["hidden"] else None)
            result = None if reason else compare(int(mine["positive"]), int(mine["n"]),
                                                 int(rest["positive"]), int(rest["n"]))
            comparisons.append({
                "measure": measure, "against": against, "area_share": mine["share"],
                "n": rest["n"], "positive": rest["positive"], "share": rest["share"],
                "p_value": result.p_value if result else math.nan,
                "flag": result.flag if result else None,
                "hidden": reason is not None, "hidden_reason": reason,
            })
    results_frame = disclosure.blank_hidden(results.reset_index(drop=True), keep=["measure", "scope"])
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
