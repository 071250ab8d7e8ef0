"""The engagement and actions figures of one filter state, from arrays held in memory.

Conversations, their attendees and actions are read once per database file
(``of``) into arrays sorted by service area, then day: each label as a
code into its sorted values, each date as a day number. A filter state selects
runs of rows (care groups and service areas through the service areas' table,
dates on held_on for conversations and attendees and on raised_on for actions,
staff groups on attendees only: ``scope``), and every figure is a sum or a
distinct count over them (``numpy.bincount``): the definitions of
``measures.ENGAGEMENT_MEASURES``, written once here.

Why not SQL: DuckDB took 8 to 25 ms per engagement query on a million-response
database, most of it planning the query, and a page asked for five to seven of
them on every filter change. Here a page's figures take a few milliseconds,
and the arrays (a few bytes per conversation, attendee and action) are read
once per file.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import arrays, db
from dashboard.arrays import Labels
from dashboard.filters import Filters
from pipeline import contract

EPOCH = dt.date(1970, 1, 1)
QUICK_WIN, DONE = 1, 2  # an action's kind: flags


@dataclass(frozen=True, eq=False)  # hashed by identity: one cube per file, a key of the memos below
class Cube:
    area: np.ndarray  # service areas, sorted
    area_care_group: Labels  # per service area: its care group
    conversation_area: np.ndarray  # per conversation: its area's position in ``area``
    conversation_day: np.ndarray  # days since 1970-01-01 (held_on)
    conversation_starts: np.ndarray  # rows are sorted by area, then day: area i's rows start here
    conversation_format: Labels  # 'Not stated' when empty
    conversation_hours: np.ndarray
    attendee_conversation: np.ndarray  # per attendee row: its conversation's position (rows in its order)
    attendee_day: np.ndarray  # its conversation's day
    attendee_starts: np.ndarray
    attendee_staff: np.ndarray  # staff code (distinct staff are distinct codes)
    staff: int  # how many distinct staff codes
    attendee_staff_group: Labels  # 'Not stated' when empty
    attendee_no_staff_group: np.ndarray  # empty: never matches a staff group filter
    action_area: np.ndarray
    action_day: np.ndarray  # raised_on
    action_starts: np.ndarray  # sorted by area, then day raised
    action_completed_day: np.ndarray  # completed_on; -1 when not completed
    action_completed: np.ndarray  # status is Completed
    action_quick_win: np.ndarray
    action_kind: np.ndarray  # QUICK_WIN | DONE flags, 0..3
    action_status: Labels
    action_theme: Labels


def _order(table: pa.Table, area: np.ndarray, day_column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, area codes, days): the order that sorts the rows by service area, then day (so that a
    filter's rows are a few runs of positions: ``_select``), and the sorted codes and days. Sorted
    here rather than in SQL (DuckDB kept its sort's memory, 60 MB at a million responses), and as
    small arrays: each column is coded first, then put in order, never the whole table."""
    codes = arrays.Labels.encode(table["service_area"], area).codes.astype(np.int32)
    days = arrays.days(table[day_column]).astype(np.int32)
    order = np.lexsort((days, codes))
    return order, codes[order], days[order]


def _labels(column: pa.ChunkedArray, order: np.ndarray) -> Labels:
    labels = arrays.Labels.encode(column)
    return Labels(labels.values, labels.codes[order].astype(np.int32))


def load(connection) -> Cube:
    """Read the service areas, conversations, attendees and actions (once per file: ``of``)."""
    areas = arrays.read(connection, "select service_area, care_group from service_areas order by service_area")
    area = np.array(areas["service_area"].to_pylist(), dtype=object)
    conversations = arrays.read(connection, f"""
        select conversation_id, service_area, held_on, coalesce(format, '{contract.NOT_STATED}') as format, hours
        from conversations
        where service_area in (select service_area from service_areas)
    """)
    held_order, conversation_area, conversation_day = _order(conversations, area, "held_on")
    rank = np.empty(len(held_order), dtype=np.int64)
    rank[held_order] = np.arange(len(held_order))  # a conversation's position once sorted
    attendees = arrays.read(connection, "select conversation_id, staff_id, staff_group from conversation_attendees")
    # Each attendee's conversation, by position; attendees of a conversation outside every area go with it.
    held = pc.fill_null(pc.index_in(attendees["conversation_id"], value_set=conversations["conversation_id"]), -1)
    held = held.to_numpy(zero_copy_only=False).astype(np.int64)
    kept = np.flatnonzero(held >= 0)
    attendee_order = kept[np.argsort(rank[held[kept]], kind="stable")]  # in their conversations' order
    attendee_conversation = rank[held[attendee_order]].astype(np.int32)
    staff = pc.dictionary_encode(attendees["staff_id"].combine_chunks()).indices.to_numpy(zero_copy_only=False)
    staff_group = attendees["staff_group"]
    actions = arrays.read(connection, "select service_area, raised_on, completed_on, status, quick_win, theme "
                                      "from action_list")
    action_order, action_area, action_day = _order(actions, area, "raised_on")
    completed = pc.equal(actions["status"], contract.COMPLETED).to_numpy(zero_copy_only=False)[action_order]
    quick_win = (arrays.numbers(actions["quick_win"], 0.0) > 0)[action_order]

    def starts(codes: np.ndarray) -> np.ndarray:  # rows are sorted by area: where each area's run starts
        return np.searchsorted(codes, np.arange(len(area) + 1))

    return Cube(
        area=area,
        area_care_group=arrays.Labels.encode(areas["care_group"]),
        conversation_area=conversation_area,
        conversation_day=conversation_day,
        conversation_starts=starts(conversation_area),
        conversation_format=_labels(conversations["format"], held_order),
        conversation_hours=arrays.numbers(conversations["hours"], 0.0)[held_order],
        attendee_conversation=attendee_conversation,
        attendee_day=conversation_day[attendee_conversation],
        attendee_starts=starts(conversation_area[attendee_conversation]),
        attendee_staff=staff[attendee_order].astype(np.int32),
        staff=int(staff.max()) + 1 if len(staff) else 0,
        attendee_staff_group=_labels(pc.fill_null(staff_group, contract.NOT_STATED), attendee_order),
        attendee_no_staff_group=pc.is_null(staff_group).to_numpy(zero_copy_only=False)[attendee_order],
        action_area=action_area,
        action_day=action_day,
        action_starts=starts(action_area),
        action_completed_day=arrays.days(actions["completed_on"])[action_order].astype(np.int32),
        action_completed=completed,
        action_quick_win=quick_win,
        action_kind=(quick_win * QUICK_WIN + completed * DONE).astype(np.int8),
        action_status=_labels(actions["status"], action_order),
        action_theme=_labels(actions["theme"], action_order),
    )


def of(database: db.Database) -> Cube:
    """The cube of ``database`` (read once per file)."""
    return database.memo("engagement cube", load)


# Masks --------------------------------------------------------------------------------------------


def _day(value: dt.date | None, default: int) -> int:
    return (value - EPOCH).days if value else default


def areas_in_scope(cube: Cube, filters: Filters) -> np.ndarray:
    """Per service area: whether the care group and service area filters cover it."""
    groups = cube.area_care_group.allowed(filters.care_groups)[cube.area_care_group.codes]
    return groups & arrays.allowed(cube.area, filters.service_areas)


def _in_dates(days: np.ndarray, filters: Filters) -> np.ndarray:
    return (days >= _day(filters.date_from, -(2**62))) & (days <= _day(filters.date_to, 2**62))


def _select(starts: np.ndarray, days: np.ndarray, areas: np.ndarray, filters: Filters) -> np.ndarray:
    """Positions of the rows in the areas flagged and the date filter. Rows are sorted by area and
    then day, so each area is a run of rows and its days a run within it: the work grows with the
    rows selected, not with the table."""
    first, last = _day(filters.date_from, -(2**62)), _day(filters.date_to, 2**62)
    pieces = []
    for area in np.flatnonzero(areas):
        start, end = starts[area], starts[area + 1]
        run = days[start:end]
        pieces.append(np.arange(start + np.searchsorted(run, first), start + np.searchsorted(run, last, "right"),
                                dtype=np.int32))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)


def distinct_per_group(groups: np.ndarray, staff: np.ndarray, size: int, staff_count: int) -> np.ndarray:
    """How many distinct ``staff`` codes (0..staff_count-1) each group (0..size-1) holds."""
    pairs = groups * staff_count + staff
    if size * staff_count <= 4 * len(pairs) + 1_000_000:  # a table of flags, one per possible pair: no hashing
        seen = np.zeros(size * staff_count, dtype=bool)
        seen[pairs] = True
        return np.count_nonzero(seen.reshape(size, staff_count), axis=1)
    return np.bincount(pd.unique(pairs) // staff_count, minlength=size)


@dataclass(frozen=True)
class Scope:
    """Positions (not flags: most filters select a small part) of what the filters select."""

    conversations: np.ndarray  # conversations in scope
    attendees: np.ndarray  # attendee rows at a conversation in scope, in the staff groups picked
    actions: np.ndarray  # actions in scope


@functools.lru_cache(maxsize=4)  # a page asks several times per run; positions take memory (4 B a row)
@db.timed
def scope(cube: Cube, filters: Filters) -> Scope:
    """The conversations, attendees and actions the filters select (worked out once per filter state
    and kept for the few runs that ask again: My area asks for four at once)."""
    areas = areas_in_scope(cube, filters)
    attendees = _select(cube.attendee_starts, cube.attendee_day, areas, filters)
    if filters.staff_groups:
        staff_group = cube.attendee_staff_group
        allowed = staff_group.allowed(filters.staff_groups)[staff_group.codes[attendees]]
        attendees = attendees[allowed & ~cube.attendee_no_staff_group[attendees]]
    return Scope(_select(cube.conversation_starts, cube.conversation_day, areas, filters), attendees,
                 _select(cube.action_starts, cube.action_day, areas, filters))


# Figures ----------------------------------------------------------------------------------------


def _masks(cube: Cube, filters: Filters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    found = scope(cube, filters)
    return found.conversations, found.attendees, found.actions


@db.timed
def headline(cube: Cube, filters: Filters) -> dict[str, float]:
    """The engagement measures (``measures.ENGAGEMENT_MEASURES``) and the number of conversations."""
    conversations, attendees, actions = _masks(cube, filters)
    return {
        "conversation_hours": float(cube.conversation_hours[conversations].sum()),
        "staff_engaged": int(np.count_nonzero(np.bincount(cube.attendee_staff[attendees], minlength=cube.staff))),
        "actions_raised": len(actions),
        "service_areas_covered": int(np.count_nonzero(np.bincount(cube.conversation_area[conversations],
                                                                  minlength=len(cube.area)))),
        "quick_wins_completed": int(np.count_nonzero(cube.action_kind[actions] == QUICK_WIN | DONE)),
        "conversations": len(conversations),
    }


def _groups(cube: Cube, dimension: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(each area's group, the groups' names, each group's care group) for a breakdown."""
    care_group = cube.area_care_group
    if dimension == "care_group":
        return care_group.codes, care_group.values, care_group.values
    return np.arange(len(cube.area)), cube.area, care_group.values[care_group.codes]


def _action_figures(cube: Cube, actions: np.ndarray, group_of_area: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Actions raised and completed, quick wins raised and completed, per group, in one count."""
    kinds = np.bincount(group_of_area[cube.action_area[actions]] * 4 + cube.action_kind[actions],
                        minlength=size * 4).reshape(size, 4)
    return {
        "actions_raised": kinds.sum(axis=1),
        "actions_completed": kinds[:, DONE] + kinds[:, DONE | QUICK_WIN],
        "quick_wins_raised": kinds[:, QUICK_WIN] + kinds[:, DONE | QUICK_WIN],
        "quick_wins_completed": kinds[:, DONE | QUICK_WIN],
    }


def _listed(frame: pd.DataFrame, in_scope_areas: np.ndarray, dimension: str) -> pd.DataFrame:
    """The groups with an area in scope, ordered by care group, then group."""
    if dimension == "service_area":
        frame = frame.iloc[np.lexsort((frame["group_name"].to_numpy(), frame["care_group"].to_numpy()))]
    return frame.loc[in_scope_areas[frame.index.to_numpy()] > 0].reset_index(drop=True)


@db.timed
def actions_summary(cube: Cube, filters: Filters) -> dict[str, int]:
    """Actions raised and completed, quick wins raised and completed, in scope."""
    actions = scope(cube, filters).actions
    totals = _action_figures(cube, actions, np.zeros(len(cube.area), dtype=np.int64), 1)
    return {name: int(values[0]) for name, values in totals.items()}


@db.timed
def actions_by_group(cube: Cube, filters: Filters, dimension: str) -> pd.DataFrame:
    """Per care group or service area in scope: group_name, care_group and the action figures."""
    group_of_area, names, care_names = _groups(cube, dimension)
    size = len(names)
    in_scope = np.bincount(group_of_area[areas_in_scope(cube, filters)], minlength=size)
    frame = pd.DataFrame({"group_name": names, "care_group": care_names}
                         | _action_figures(cube, scope(cube, filters).actions, group_of_area, size))
    return _listed(frame, in_scope, dimension)


@db.timed
def by_group(cube: Cube, filters: Filters, dimension: str) -> pd.DataFrame:
    """Per care group or service area in scope (every one listed, with zeros): group_name,
    care_group, service_areas, conversations, conversation_hours, staff_engaged,
    service_areas_covered, actions_raised, actions_completed, quick_wins_raised,
    quick_wins_completed; ordered by care group, then group."""
    group_of_area, names, care_names = _groups(cube, dimension)
    size = len(names)
    conversations, attendees, actions = _masks(cube, filters)
    conversation_group = group_of_area[cube.conversation_area[conversations]]
    covered = np.zeros(len(cube.area), dtype=bool)
    covered[cube.conversation_area[conversations]] = True
    attendee_group = group_of_area[cube.conversation_area[cube.attendee_conversation[attendees]]]
    service_areas = np.bincount(group_of_area[areas_in_scope(cube, filters)], minlength=size)
    frame = pd.DataFrame({
        "group_name": names,
        "care_group": care_names,
        "service_areas": service_areas,
        "conversations": np.bincount(conversation_group, minlength=size),
        "conversation_hours": np.bincount(conversation_group, weights=cube.conversation_hours[conversations],
                                          minlength=size),
        "staff_engaged": distinct_per_group(attendee_group, cube.attendee_staff[attendees], size, cube.staff),
        "service_areas_covered": np.bincount(group_of_area[covered], minlength=size),
    } | _action_figures(cube, actions, group_of_area, size))
    return _listed(frame, service_areas, dimension)


@db.timed
def formats(cube: Cube, filters: Filters) -> pd.DataFrame:
    """Per conversation format held in scope: conversations, conversation_hours, staff_engaged;
    most conversations first."""
    conversations, attendees, _ = _masks(cube, filters)
    labels = cube.conversation_format
    size = len(labels.values)
    codes = labels.codes[conversations]
    frame = pd.DataFrame({
        "format": labels.values,
        "conversations": np.bincount(codes, minlength=size),
        "conversation_hours": np.bincount(codes, weights=cube.conversation_hours[conversations], minlength=size),
        "staff_engaged": distinct_per_group(labels.codes[cube.attendee_conversation[attendees]],
                                            cube.attendee_staff[attendees], size, cube.staff),
    })
    frame = frame.loc[frame["conversations"] > 0]
    return frame.sort_values(["conversations", "format"], ascending=[False, True], ignore_index=True)


@db.timed
def staff_groups(cube: Cube, filters: Filters) -> pd.DataFrame:
    """Per staff group ('Not stated' when empty) with attendees in scope: staff_engaged
    (distinct) and attendances (rows); most staff first."""
    _, attendees, _ = _masks(cube, filters)
    labels = cube.attendee_staff_group
    codes, size = labels.codes[attendees], len(labels.values)
    frame = pd.DataFrame({
        "staff_group": labels.values,
        "staff_engaged": distinct_per_group(codes, cube.attendee_staff[attendees], size, cube.staff),
        "attendances": np.bincount(codes, minlength=size),
    })
    frame = frame.loc[frame["attendances"] > 0]
    return frame.sort_values(["staff_engaged", "staff_group"], ascending=[False, True], ignore_index=True)


def _periods(days: np.ndarray, period: str) -> np.ndarray:
    """The first day of each day's week (Monday) or month, as datetime64[D]."""
    dates = days.astype("datetime64[D]")
    if period == "month":
        return dates.astype("datetime64[M]").astype("datetime64[D]")
    return dates - ((days + 3) % 7).astype("timedelta64[D]")  # 1970-01-01 was a Thursday


@db.timed
def by_week(cube: Cube, filters: Filters) -> pd.DataFrame:
    """Conversations and hours per week (Monday) in scope; every week from the first to the last
    week in which any conversation in the date filter was held (whichever areas), zero when none."""
    in_dates = _in_dates(cube.conversation_day, filters)
    if not in_dates.any():
        return pd.DataFrame({"week": pd.Series(dtype="datetime64[ns]"), "conversations": pd.Series(dtype=np.int64),
                             "conversation_hours": pd.Series(dtype=np.float64)})
    weeks = _periods(cube.conversation_day[in_dates], "week")
    axis = np.arange(weeks.min(), weeks.max() + np.timedelta64(1, "D"), np.timedelta64(7, "D"))
    conversations = scope(cube, filters).conversations
    index = ((_periods(cube.conversation_day[conversations], "week") - axis[0]) // np.timedelta64(7, "D"))
    return pd.DataFrame({
        "week": axis.astype("datetime64[ns]"),
        "conversations": np.bincount(index.astype(np.int64), minlength=len(axis)),
        "conversation_hours": np.bincount(index.astype(np.int64), weights=cube.conversation_hours[conversations],
                                          minlength=len(axis)),
    })


@db.timed
def theme_status(cube: Cube, filters: Filters) -> pd.DataFrame:
    """Actions raised in scope per strategy theme and status: actions and quick_wins."""
    actions = scope(cube, filters).actions
    themes, statuses = cube.action_theme, cube.action_status
    size = (len(themes.values), len(statuses.values))
    index = themes.codes[actions] * size[1] + statuses.codes[actions]
    total = size[0] * size[1]
    counts = np.bincount(index, minlength=total)
    quick = np.bincount(index, weights=cube.action_quick_win[actions], minlength=total).astype(np.int64)
    present = np.flatnonzero(counts)
    theme, status = np.unravel_index(present, size)
    return pd.DataFrame({"theme": themes.values[theme], "status": statuses.values[status],
                         "actions": counts[present], "quick_wins": quick[present]})


@db.timed
def completed_over_time(cube: Cube, filters: Filters, period: str) -> pd.DataFrame:
    """Of the actions raised in scope, those completed per week or month of completed_on, every
    period from the first to the last with any, zero when none."""
    actions = scope(cube, filters).actions
    done = actions[cube.action_completed[actions] & (cube.action_completed_day[actions] >= 0)]
    if not len(done):
        return pd.DataFrame({"period_start": pd.Series(dtype="datetime64[ns]"),
                             "actions_completed": pd.Series(dtype=np.int64),
                             "quick_wins_completed": pd.Series(dtype=np.int64)})
    starts = _periods(cube.action_completed_day[done], period)
    axis = np.unique(starts)
    if period == "month":
        axis = np.arange(axis[0].astype("datetime64[M]"), axis[-1].astype("datetime64[M]") + 1).astype("datetime64[D]")
    else:
        axis = np.arange(axis[0], axis[-1] + np.timedelta64(1, "D"), np.timedelta64(7, "D"))
    index = np.searchsorted(axis, starts)
    return pd.DataFrame({
        "period_start": axis.astype("datetime64[ns]"),
        "actions_completed": np.bincount(index, minlength=len(axis)),
        "quick_wins_completed": np.bincount(index, weights=cube.action_quick_win[done], minlength=len(axis))
        .astype(np.int64),
    })


@db.timed
def actions_by_area(cube: Cube, filters: Filters, theme: str) -> pd.DataFrame:
    """Per service area in scope (every one, with zeros): actions raised and completed, and those of
    ``theme``; ordered by care group, then area."""
    in_scope = areas_in_scope(cube, filters)
    actions = scope(cube, filters).actions
    area = cube.action_area[actions]
    completed = cube.action_completed[actions]
    themes = cube.action_theme
    of_theme = (themes.codes[actions] == (np.flatnonzero(themes.values == theme)[:1].tolist() or [-2])[0])
    size = len(cube.area)

    def count(where: np.ndarray) -> np.ndarray:
        return np.bincount(area[where], minlength=size)

    frame = pd.DataFrame({
        "service_area": cube.area,
        "care_group": cube.area_care_group.values[cube.area_care_group.codes],
        "actions_raised": np.bincount(area, minlength=size),
        "actions_completed": count(completed),
        "theme_actions": count(of_theme),
        "theme_actions_completed": count(of_theme & completed),
    })
    return frame.loc[in_scope].sort_values(["care_group", "service_area"], ignore_index=True)


@db.timed
def completed_between(cube: Cube, filters: Filters, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Per service area the care group and area filters cover (every one, with zeros): actions and
    quick wins completed from ``first`` to ``last`` (by completed_on, whenever raised); ordered by
    care group, then area."""
    in_scope = areas_in_scope(cube, filters)
    day = cube.action_completed_day
    done = cube.action_completed & (day >= _day(first, 0)) & (day <= _day(last, 0))
    size = len(cube.area)
    frame = pd.DataFrame({
        "service_area": cube.area,
        "care_group": cube.area_care_group.values[cube.area_care_group.codes],
        "actions_completed": np.bincount(cube.action_area[done], minlength=size),
        "quick_wins_completed": np.bincount(cube.action_area[done & cube.action_quick_win.astype(bool)],
                                            minlength=size),
    })
    return frame.loc[in_scope].sort_values(["care_group", "service_area"], ignore_index=True)
