"""The engagement and actions held in memory as arrays, and the rows a filter state selects.

Conversations, their attendees and actions are read once per database file
(``of``) into arrays sorted by service area, then day: each label as a
code into its sorted values, each date as a day number. A filter state selects
runs of rows (care groups and service areas through the service areas' table,
dates on held_on for conversations and attendees and on raised_on for actions,
staff groups on attendees only: ``filtered``), and every figure is a sum or a
distinct count over them (``dashboard.core.engagement_sums``).

Why not SQL: DuckDB took 8 to 25 ms per engagement query on a million-response
database, most of it planning the query, and a page asked for five to seven of
them on every filter change. Here a page's figures take a few milliseconds,
and the arrays (a few bytes per conversation, attendee and action) are read
once per file.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.core import arrays, db
from dashboard.core.arrays import Labels
from dashboard.core.filters import Filters
from pipeline import contract

EPOCH = dt.date(1970, 1, 1)
QUICK_WIN, DONE = 1, 2  # an action's kind: flags


@dataclass(frozen=True, eq=False)  # compared by identity: one cube per file (``of``: Database.memo)
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
    action_completed: np.ndarray  # status is the completed one (lists)
    action_quick_win: np.ndarray
    action_kind: np.ndarray  # QUICK_WIN | DONE flags, 0..3
    action_status: Labels
    action_theme: Labels
    # The last few filter states' rows (``filtered``): kept with the cube, so they go when its file does.
    states: db.Recent = field(default_factory=db.Recent, repr=False)
    states_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


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
    conversations = arrays.read(
        connection,
        f"""
        select conversation_id, service_area, held_on, coalesce(format, '{contract.NOT_STATED}') as format, hours
        from conversations
        where service_area in (select service_area from service_areas)
    """,
    )
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
    actions = arrays.read(
        connection,
        "select service_area, raised_on, completed_on, status, quick_win, theme, "
        f"status in (select value from lists where list = 'status' and meaning = '{contract.COMPLETED}') "
        "as completed from action_list",
    )
    action_order, action_area, action_day = _order(actions, area, "raised_on")
    completed = actions["completed"].to_numpy(zero_copy_only=False)[action_order]
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


def day_number(value: dt.date | None, default: int) -> int:
    return (value - EPOCH).days if value else default


def areas_picked(cube: Cube, filters: Filters) -> np.ndarray:
    """Per service area: whether the care group and service area filters cover it."""
    groups = cube.area_care_group.allowed(filters.care_groups)[cube.area_care_group.codes]
    return groups & arrays.allowed(cube.area, filters.service_areas)


def in_dates(days: np.ndarray, filters: Filters) -> np.ndarray:
    return (days >= day_number(filters.date_from, -(2**62))) & (days <= day_number(filters.date_to, 2**62))


def _select(starts: np.ndarray, days: np.ndarray, areas: np.ndarray, filters: Filters) -> np.ndarray:
    """Positions of the rows in the areas flagged and the date filter. Rows are sorted by area and
    then day, so each area is a run of rows and its days a run within it: the work grows with the
    rows selected, not with the table."""
    first, last = day_number(filters.date_from, -(2**62)), day_number(filters.date_to, 2**62)
    pieces = []
    for area in np.flatnonzero(areas):
        start, end = starts[area], starts[area + 1]
        run = days[start:end]
        pieces.append(
            np.arange(start + np.searchsorted(run, first), start + np.searchsorted(run, last, "right"), dtype=np.int32)
        )
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
class Grant:
    """Positions (not flags: most filters select a small part) of what the filters select."""

    conversations: np.ndarray  # conversations the filters pick
    attendees: np.ndarray  # attendee rows at a conversation picked, in the staff groups picked
    actions: np.ndarray  # actions the filters pick


STATES_KEPT = 4  # a page asks several times per run, My area for four states at once; positions take 4 B a row


def filtered(cube: Cube, filters: Filters) -> Grant:
    """The conversations, attendees and actions the filters select: worked out once per filter
    state and kept with the cube for the few runs that ask again (the last ``STATES_KEPT``)."""
    with cube.states_lock:
        return cube.states.get_or_make(filters, lambda: filtered_rows(cube, filters), STATES_KEPT)


@db.timed
def filtered_rows(cube: Cube, filters: Filters) -> Grant:
    """The positions of the conversations, attendees (in the staff groups picked) and actions the filters select."""
    areas = areas_picked(cube, filters)
    attendees = _select(cube.attendee_starts, cube.attendee_day, areas, filters)
    if filters.staff_groups:
        staff_group = cube.attendee_staff_group
        allowed = staff_group.allowed(filters.staff_groups)[staff_group.codes[attendees]]
        attendees = attendees[allowed & ~cube.attendee_no_staff_group[attendees]]
    return Grant(
        _select(cube.conversation_starts, cube.conversation_day, areas, filters),
        attendees,
        _select(cube.action_starts, cube.action_day, areas, filters),
    )


def masks(cube: Cube, filters: Filters) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    found = filtered(cube, filters)
    return found.conversations, found.attendees, found.actions


def groups(cube: Cube, dimension: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(each area's group, the groups' names, each group's care group) for a breakdown."""
    care_group = cube.area_care_group
    if dimension == "care_group":
        return care_group.codes, care_group.values, care_group.values
    return np.arange(len(cube.area)), cube.area, care_group.values[care_group.codes]


def action_figures(cube: Cube, actions: np.ndarray, group_of_area: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Actions raised and completed, quick wins raised and completed, per group, in one count."""
    kinds = np.bincount(
        group_of_area[cube.action_area[actions]] * 4 + cube.action_kind[actions], minlength=size * 4
    ).reshape(size, 4)
    return {
        "actions_raised": kinds.sum(axis=1),
        "actions_completed": kinds[:, DONE] + kinds[:, DONE | QUICK_WIN],
        "quick_wins_raised": kinds[:, QUICK_WIN] + kinds[:, DONE | QUICK_WIN],
        "quick_wins_completed": kinds[:, DONE | QUICK_WIN],
    }


def listed(frame: pd.DataFrame, picked_areas: np.ndarray, dimension: str) -> pd.DataFrame:
    """The groups with an area the filters pick, ordered by care group, then group."""
    if dimension == "service_area":
        frame = frame.iloc[np.lexsort((frame["group_name"].to_numpy(), frame["care_group"].to_numpy()))]
    return frame.loc[picked_areas[frame.index.to_numpy()] > 0].reset_index(drop=True)


def periods(days: np.ndarray, period: str) -> np.ndarray:
    """The first day of each day's week (Monday) or month, as datetime64[D]."""
    dates = days.astype("datetime64[D]")
    if period == "month":
        return dates.astype("datetime64[M]").astype("datetime64[D]")
    return dates - ((days + 3) % 7).astype("timedelta64[D]")  # 1970-01-01 was a Thursday
