"""The engagement and actions figures of one filter state: sums over the engagement cube.

Every figure is a sum or a distinct count (``numpy.bincount``) over the rows a filter state
selects from ``dashboard.core.engagement_cube``: the definitions of ``measures.ENGAGEMENT_MEASURES``,
written once here. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.core import db, engagement_cube
from dashboard.core.filters import Filters


@db.timed
def headline(cube: engagement_cube.Cube, filters: Filters) -> dict[str, float]:
    """The engagement measures (``measures.ENGAGEMENT_MEASURES``) and the number of conversations."""
    conversations, attendees, actions = engagement_cube.masks(cube, filters)
    return {
        "conversation_hours": float(cube.conversation_hours[conversations].sum()),
        "staff_engaged": int(np.count_nonzero(np.bincount(cube.attendee_staff[attendees], minlength=cube.staff))),
        "actions_raised": len(actions),
        "service_areas_covered": int(
            np.count_nonzero(np.bincount(cube.conversation_area[conversations], minlength=len(cube.area)))
        ),
        "quick_wins_completed": int(
            np.count_nonzero(cube.action_kind[actions] == engagement_cube.QUICK_WIN | engagement_cube.DONE)
        ),
        "conversations": len(conversations),
    }


@db.timed
def actions_summary(cube: engagement_cube.Cube, filters: Filters) -> dict[str, int]:
    """Actions raised and completed, quick wins raised and completed, of the actions the filters pick."""
    actions = engagement_cube.filtered(cube, filters).actions
    totals = engagement_cube.action_figures(cube, actions, np.zeros(len(cube.area), dtype=np.int64), 1)
    return {name: int(values[0]) for name, values in totals.items()}


@db.timed
def actions_by_group(cube: engagement_cube.Cube, filters: Filters, dimension: str) -> pd.DataFrame:
    """Per care group or service area the filters pick: group_name, care_group and the action figures."""
    group_of_area, names, care_names = engagement_cube.groups(cube, dimension)
    size = len(names)
    picked = np.bincount(group_of_area[engagement_cube.areas_picked(cube, filters)], minlength=size)
    frame = pd.DataFrame(
        {"group_name": names, "care_group": care_names}
        | engagement_cube.action_figures(cube, engagement_cube.filtered(cube, filters).actions, group_of_area, size)
    )
    return engagement_cube.listed(frame, picked, dimension)


@db.timed
def by_group(cube: engagement_cube.Cube, filters: Filters, dimension: str) -> pd.DataFrame:
    """Per care group or service area the filters pick (every one listed, with zeros): group_name,
    care_group, service_areas, conversations, conversation_hours, staff_engaged,
    service_areas_covered, actions_raised, actions_completed, quick_wins_raised,
    quick_wins_completed; ordered by care group, then group."""
    group_of_area, names, care_names = engagement_cube.groups(cube, dimension)
    size = len(names)
    conversations, attendees, actions = engagement_cube.masks(cube, filters)
    conversation_group = group_of_area[cube.conversation_area[conversations]]
    covered = np.zeros(len(cube.area), dtype=bool)
    covered[cube.conversation_area[conversations]] = True
    attendee_group = group_of_area[cube.conversation_area[cube.attendee_conversation[attendees]]]
    service_areas = np.bincount(group_of_area[engagement_cube.areas_picked(cube, filters)], minlength=size)
    frame = pd.DataFrame(
        {
            "group_name": names,
            "care_group": care_names,
            "service_areas": service_areas,
            "conversations": np.bincount(conversation_group, minlength=size),
            "conversation_hours": np.bincount(
                conversation_group, weights=cube.conversation_hours[conversations], minlength=size
            ),
            "staff_engaged": engagement_cube.distinct_per_group(
                attendee_group, cube.attendee_staff[attendees], size, cube.staff
            ),
            "service_areas_covered": np.bincount(group_of_area[covered], minlength=size),
        }
        | engagement_cube.action_figures(cube, actions, group_of_area, size)
    )
    return engagement_cube.listed(frame, service_areas, dimension)


@db.timed
def formats(cube: engagement_cube.Cube, filters: Filters) -> pd.DataFrame:
    """Per conversation format held that the filters pick: conversations, conversation_hours, staff_engaged;
    most conversations first."""
    conversations, attendees, _ = engagement_cube.masks(cube, filters)
    labels = cube.conversation_format
    size = len(labels.values)
    codes = labels.codes[conversations]
    frame = pd.DataFrame(
        {
            "format": labels.values,
            "conversations": np.bincount(codes, minlength=size),
            "conversation_hours": np.bincount(codes, weights=cube.conversation_hours[conversations], minlength=size),
            "staff_engaged": engagement_cube.distinct_per_group(
                labels.codes[cube.attendee_conversation[attendees]], cube.attendee_staff[attendees], size, cube.staff
            ),
        }
    )
    frame = frame.loc[frame["conversations"] > 0]
    return frame.sort_values(["conversations", "format"], ascending=[False, True], ignore_index=True)


@db.timed
def staff_groups(cube: engagement_cube.Cube, filters: Filters) -> pd.DataFrame:
    """Per staff group ('Not stated' when empty) with attendees that the filters pick: staff_engaged
    (distinct) and attendances (rows); most staff first."""
    _, attendees, _ = engagement_cube.masks(cube, filters)
    labels = cube.attendee_staff_group
    codes, size = labels.codes[attendees], len(labels.values)
    frame = pd.DataFrame(
        {
            "staff_group": labels.values,
            "staff_engaged": engagement_cube.distinct_per_group(
                codes, cube.attendee_staff[attendees], size, cube.staff
            ),
            "attendances": np.bincount(codes, minlength=size),
        }
    )
    frame = frame.loc[frame["attendances"] > 0]
    return frame.sort_values(["staff_engaged", "staff_group"], ascending=[False, True], ignore_index=True)


@db.timed
def by_week(cube: engagement_cube.Cube, filters: Filters) -> pd.DataFrame:
    """Conversations and hours per week (Monday) that the filters pick; every week from the first to the last
    week in which any conversation in the date filter was held (whichever areas), zero when none."""
    in_dates = engagement_cube.in_dates(cube.conversation_day, filters)
    if not in_dates.any():
        return pd.DataFrame(
            {
                "week": pd.Series(dtype="datetime64[ns]"),
                "conversations": pd.Series(dtype=np.int64),
                "conversation_hours": pd.Series(dtype=np.float64),
            }
        )
    weeks = engagement_cube.periods(cube.conversation_day[in_dates], "week")
    axis = np.arange(weeks.min(), weeks.max() + np.timedelta64(1, "D"), np.timedelta64(7, "D"))
    conversations = engagement_cube.filtered(cube, filters).conversations
    index = (engagement_cube.periods(cube.conversation_day[conversations], "week") - axis[0]) // np.timedelta64(7, "D")
    return pd.DataFrame(
        {
            "week": axis.astype("datetime64[ns]"),
            "conversations": np.bincount(index.astype(np.int64), minlength=len(axis)),
            "conversation_hours": np.bincount(
                index.astype(np.int64), weights=cube.conversation_hours[conversations], minlength=len(axis)
            ),
        }
    )


@db.timed
def theme_status(cube: engagement_cube.Cube, filters: Filters) -> pd.DataFrame:
    """Actions raised that the filters pick per strategy theme and status: actions and quick_wins."""
    actions = engagement_cube.filtered(cube, filters).actions
    themes, statuses = cube.action_theme, cube.action_status
    size = (len(themes.values), len(statuses.values))
    index = themes.codes[actions] * size[1] + statuses.codes[actions]
    total = size[0] * size[1]
    counts = np.bincount(index, minlength=total)
    quick = np.bincount(index, weights=cube.action_quick_win[actions], minlength=total).astype(np.int64)
    present = np.flatnonzero(counts)
    theme, status = np.unravel_index(present, size)
    return pd.DataFrame(
        {
            "theme": themes.values[theme],
            "status": statuses.values[status],
            "actions": counts[present],
            "quick_wins": quick[present],
        }
    )


@db.timed
def completed_over_time(cube: engagement_cube.Cube, filters: Filters, period: str) -> pd.DataFrame:
    """Of the actions raised that the filters pick, those completed per week or month of completed_on, every
    period from the first to the last with any, zero when none."""
    actions = engagement_cube.filtered(cube, filters).actions
    done = actions[cube.action_completed[actions] & (cube.action_completed_day[actions] >= 0)]
    if not len(done):
        return pd.DataFrame(
            {
                "period_start": pd.Series(dtype="datetime64[ns]"),
                "actions_completed": pd.Series(dtype=np.int64),
                "quick_wins_completed": pd.Series(dtype=np.int64),
            }
        )
    starts = engagement_cube.periods(cube.action_completed_day[done], period)
    axis = np.unique(starts)
    if period == "month":
        axis = np.arange(axis[0].astype("datetime64[M]"), axis[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")
    else:
        axis = np.arange(axis[0], axis[-1] + np.timedelta64(1, "D"), np.timedelta64(7, "D"))
    index = np.searchsorted(axis, starts)
    return pd.DataFrame(
        {
            "period_start": axis.astype("datetime64[ns]"),
            "actions_completed": np.bincount(index, minlength=len(axis)),
            "quick_wins_completed": np.bincount(index, weights=cube.action_quick_win[done], minlength=len(axis)).astype(
                np.int64
            ),
        }
    )


@db.timed
def actions_by_area(cube: engagement_cube.Cube, filters: Filters, theme: str) -> pd.DataFrame:
    """Per service area the filters pick (every one, with zeros): actions raised and completed, and those of
    ``theme``; ordered by care group, then area."""
    picked = engagement_cube.areas_picked(cube, filters)
    actions = engagement_cube.filtered(cube, filters).actions
    area = cube.action_area[actions]
    completed = cube.action_completed[actions]
    themes = cube.action_theme
    of_theme = themes.codes[actions] == (np.flatnonzero(themes.values == theme)[:1].tolist() or [-2])[0]
    size = len(cube.area)

    def count(where: np.ndarray) -> np.ndarray:
        return np.bincount(area[where], minlength=size)

    frame = pd.DataFrame(
        {
            "service_area": cube.area,
            "care_group": cube.area_care_group.values[cube.area_care_group.codes],
            "actions_raised": np.bincount(area, minlength=size),
            "actions_completed": count(completed),
            "theme_actions": count(of_theme),
            "theme_actions_completed": count(of_theme & completed),
        }
    )
    return frame.loc[picked].sort_values(["care_group", "service_area"], ignore_index=True)


@db.timed
def completed_between(cube: engagement_cube.Cube, filters: Filters, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Per service area the care group and area filters cover (every one, with zeros): actions and
    quick wins completed from ``first`` to ``last`` (by completed_on, whenever raised); ordered by
    care group, then area."""
    picked = engagement_cube.areas_picked(cube, filters)
    day = cube.action_completed_day
    done = (
        cube.action_completed
        & (day >= engagement_cube.day_number(first, 0))
        & (day <= engagement_cube.day_number(last, 0))
    )
    size = len(cube.area)
    frame = pd.DataFrame(
        {
            "service_area": cube.area,
            "care_group": cube.area_care_group.values[cube.area_care_group.codes],
            "actions_completed": np.bincount(cube.action_area[done], minlength=size),
            "quick_wins_completed": np.bincount(
                cube.action_area[done & cube.action_quick_win.astype(bool)], minlength=size
            ),
        }
    )
    return frame.loc[picked].sort_values(["care_group", "service_area"], ignore_index=True)
