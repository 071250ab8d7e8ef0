"""Engagement and actions: the work behind the results, as plain data for the pages.

Every figure comes from ``dashboard.core.engagement_cube``, which keeps the headline's
definitions (conversations and attendees by held_on, actions by raised_on, staff
groups narrowing staff engaged only), so grouped figures add up to the Overview;
the action list alone is a query (``queries/actions_list.sql``).
The survey filter never applies here: conversations and actions are not
survey responses. Survey results beside the actions are ``dashboard.features.beside_action``.

No Streamlit here; tested against independent pandas computations.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.core import engagement_cube, engagement_sums, lists
from dashboard.core.db import Database
from dashboard.core.filters import Filters, month_span
from dashboard.core.measures import ENGAGEMENT

# Breakdowns a user may pick: value -> label. Checked before reaching SQL.
BREAKDOWNS: dict[str, str] = {"care_group": "Care group", "service_area": "Service area"}
PERIODS: dict[str, str] = {"week": "Week", "month": "Month"}
# What a breakdown's chart may show: column -> label.
GROUP_MEASURES: dict[str, str] = {
    key: ENGAGEMENT[key].title for key in ("conversation_hours", "conversations", "staff_engaged")
}


def area_params(filters: Filters) -> dict[str, object]:
    """Care groups, service areas and dates: what conversations and actions filter on."""
    params = filters.engagement_params()
    del params["staff_groups"]
    return params


def _check(value: str, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return value


def conversation_months(database: Database) -> str:
    """When the conversations were held, as months ('February to June 2021'); '' when none were."""
    span = database.query("conversation_span").iloc[0]
    days = [pd.Timestamp(span[c]).date() if pd.notna(span[c]) else None for c in ("first_day", "last_day")]
    return month_span(*days)


def by_week(database: Database, filters: Filters) -> pd.DataFrame:
    """Conversations and hours per week (Monday), zero for weeks without any."""
    return engagement_sums.by_week(engagement_cube.of(database), filters)


def by_group(database: Database, filters: Filters, dimension: str) -> pd.DataFrame:
    """Engagement and actions per care group or service area; every group the filters pick listed."""
    _check(dimension, BREAKDOWNS, "Breakdown")
    frame = engagement_sums.by_group(engagement_cube.of(database), filters, dimension)
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
        "conversations": "Conversations",
        "conversation_hours": "Hours",
        "staff_engaged": "Staff engaged",
        "actions_raised": "Actions raised",
        "quick_wins_completed": "Quick wins completed",
    }
    return groups.loc[:, list(columns)].rename(columns=columns)


def formats(database: Database, filters: Filters) -> pd.DataFrame:
    """Conversations, hours and staff engaged per conversation format."""
    return engagement_sums.formats(engagement_cube.of(database), filters)


def staff_groups(database: Database, filters: Filters) -> pd.DataFrame:
    """Distinct staff engaged per staff group (one person may appear in more than one)."""
    return engagement_sums.staff_groups(engagement_cube.of(database), filters)


def actions_by_theme_status(database: Database, filters: Filters) -> pd.DataFrame:
    return engagement_sums.theme_status(engagement_cube.of(database), filters)


def actions_summary(database: Database, filters: Filters) -> dict[str, int]:
    """Actions raised and completed, quick wins raised and completed."""
    return engagement_sums.actions_summary(engagement_cube.of(database), filters)


def theme_status_table(by_theme: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Themes down, statuses across (the Trust's order), with a total; most actions first."""
    statuses = [s for s in statuses if s in set(by_theme["status"])]
    counts: dict[str, dict[str, int]] = {}
    for theme, status, actions in zip(by_theme["theme"], by_theme["status"], by_theme["actions"]):
        row = counts.setdefault(theme, dict.fromkeys(statuses, 0))
        if status in row:
            row[status] += int(actions)
    table = pd.DataFrame(
        [{"Strategy theme": theme, **row, "Total": sum(row.values())} for theme, row in counts.items()],
        columns=["Strategy theme", *statuses, "Total"],
    )
    return table.sort_values(["Total", "Strategy theme"], ascending=[False, True], ignore_index=True)


def completed_over_time(database: Database, filters: Filters, period: str) -> pd.DataFrame:
    """Of the actions raised that the filters pick, those completed per week or month of completed_on."""
    _check(period, PERIODS, "Period")
    return engagement_sums.completed_over_time(engagement_cube.of(database), filters, period)


def completion_by_care_group(database: Database, filters: Filters) -> pd.DataFrame:
    """Share of the actions raised in each care group that are completed."""
    frame = engagement_sums.actions_by_group(engagement_cube.of(database), filters, "care_group")
    return pd.DataFrame(
        {
            "care_group": frame["group_name"],
            "actions_raised": frame["actions_raised"],
            "actions_completed": frame["actions_completed"],
            "share_completed": _shares(frame),
        }
    )


def completion_table(completion: pd.DataFrame) -> pd.DataFrame:
    """``completion_by_care_group`` for people: the share as a whole percent."""
    return completion.assign(share_completed=(completion["share_completed"] * 100).round(0)).rename(
        columns={
            "care_group": "Care group",
            "actions_raised": "Actions raised",
            "actions_completed": "Actions completed",
            "share_completed": "Completed (%)",
        }
    )


# How the action list may be sorted: value -> label. Checked before reaching SQL.
ACTION_SORTS: dict[str, str] = {
    "newest": "Newest raised first",
    "oldest": "Oldest raised first",
    "days_open": "Longest open first",
    "title": "Action title, A to Z",
}
ACTIONS_SHOWN = 1_000  # actions listed on the page; the download has them all


def _action_search(filters: Filters, search: str) -> dict[str, object]:
    return {"search": search.strip()[:200], **area_params(filters)}


def action_list(
    database: Database, filters: Filters, search: str, as_of: dt.date, sort: str = "newest", limit: int | None = None
) -> pd.DataFrame:
    """Actions the filters pick matching ``search`` (bound, matched as plain text), sorted by
    ``sort`` (one of ACTION_SORTS; newest first within it): the first ``limit`` (None: all)."""
    _check(sort, ACTION_SORTS, "Sort")
    completed = lists.of(database).completed
    frame = database.query(
        "actions_list", as_of=as_of, sort=sort, max_rows=limit, completed=completed, **_action_search(filters, search)
    )
    frame["completed"] = frame["status"] == completed
    frame["days_open"] = frame["days_open"].astype("Int64")
    return frame


def action_count(database: Database, filters: Filters, search: str) -> int:
    """How many actions ``action_list`` gives with no limit."""
    return int(database.query("actions_list_count", **_action_search(filters, search)).iloc[0]["actions"])
