"""Response rates: staff-survey responses per service area, care group and Trust over its headcount.

``service_areas`` may give a ``headcount`` (staff in post for the survey; empty = not
known; docs/DATA_CONTRACT.md). One headcount per area, used for every wave. The
responses counted are those of the wave from the area whose survey is one of
the staff surveys (marked ``staff`` in the Trust's lists: the people a headcount counts),
from every staff group and month: a headcount is of all staff, so the survey, staff
group and month filters do not apply; the wave does, and the care group and service
area filters (and the caller's ``areas``) pick the area rows.

An area's count is its released group of the staff surveys (``dashboard.core.release``, kind
``rate``): perturbed once and audited by the build like every survey group, and hidden when
not released. A care group's and the Trust's count is the sum of their areas' released
counts, over the areas that have a headcount and whose count is released, in responses and
headcount alike (the note says how many: "areas counted: 12 of 14"). Rate = responses /
headcount as a whole percent (half up); above 100% is shown as it is and flagged (the
headcount is out of date).

While the wave is open (today on or before its ``closed`` date), a hidden area says it is not
yet reportable, and nothing about how many have answered: a hidden group looks the same
whether it holds nobody or a few. After the wave it is hidden as elsewhere.

``rates`` and ``table`` are plain data functions; ``section`` describes the section (``dashboard.features.view``),
which ``dashboard.render.response_rates_view`` draws and My area's PDF prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.core import db, lists, release
from dashboard.core.filters import Filters, Options
from dashboard.features.view import Code, Downloads, Heading, Item, Notice, Table, paragraph

TRUST = "Whole Trust"
ALL_AREAS = "All service areas"
LEVELS = ("service_area", "care_group", "trust")
COLUMNS = [
    "level",
    "service_area",
    "care_group",
    "headcount",
    "responses",
    "rate",
    "hidden",
    "hidden_reason",
    "areas_known",
    "areas",
    "note",
]
TABLE_COLUMNS = {
    "service_area": "Service area",
    "care_group": "Care group",
    "headcount": "Headcount",
    "responses": "Responses",
    "rate": "Response rate (%)",
    "note": "Note",
}
ABOVE_100 = "above 100%: the headcount may be out of date"
NO_HEADCOUNT = "headcount not known: no rate"
NOT_YET = "not yet reportable"


def explanation(threshold: int) -> str:
    """The one sentence the section shows about hidden rows."""
    return (
        f"An area whose count is hidden (fewer than {threshold} responses, or too few to show safely beside other "
        "figures) says so and nothing more: while a survey wave is open it is not yet reportable. Care group and "
        "Trust rows add up the areas that are shown."
    )


def definition(threshold: int, staff_surveys: tuple[str, ...]) -> str:
    """What the table counts, for the page and the download."""
    surveys = " and ".join(staff_surveys) or "staff (none marked in lists)"
    return (
        f"Response rate = responses to the {surveys} survey{'s' if len(staff_surveys) != 1 else ''} in the wave / headcount (staff in post, one per "
        "service area for every wave), as a whole percent. A headcount is of all staff, so the survey, staff "
        "group and month filters do not apply here; the wave, care group and service area filters do. An area's "
        "responses are its released count (perturbed once, like every survey count); care group and Trust rows "
        "count only their areas with a known headcount and a released count, in responses and headcount alike. "
        f"Counts under {threshold} are hidden, with their rate; a rate above 100% means the headcount is out of date."
    )


def listed_areas(filters: Filters, options: Options, areas: Sequence[str] | None = None) -> tuple[str, ...]:
    """The service areas the filters select (the care groups' areas, narrowed to the service areas
    picked), limited to ``areas`` when given (None: no limit)."""
    chosen = options.service_areas(filters.care_groups)
    if filters.service_areas:
        chosen = tuple(a for a in chosen if a in set(filters.service_areas))
    if areas is not None:
        chosen = tuple(a for a in chosen if a in set(areas))
    return chosen


def headcounts(database: db.Database) -> pd.DataFrame:
    """Every service area with its care group and headcount (Int64; missing when not known, or
    when the database was built before the column existed)."""
    areas = database.query("service_area_headcounts")
    known = areas["headcount"] if "headcount" in areas else pd.Series(np.nan, index=areas.index)
    return pd.DataFrame(
        {
            "service_area": areas["service_area"].astype(object),
            "care_group": areas["care_group"].astype(object),
            "headcount": pd.array(pd.to_numeric(known).round(), dtype="Int64"),
        }
    )


def is_open(options: Options, wave: str | None, today: dt.date | None = None) -> bool:
    """Whether ``wave`` is still open: ``today`` (default: today) on or before its closed date."""
    dates = options.wave_dates.get(wave) if wave else None
    return dates is not None and (today or dt.date.today()) <= pd.Timestamp(dates[1]).date()


def rates(
    database: db.Database,
    options: Options,
    wave: str | None,
    areas: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Response rates in ``wave`` (None: the latest): a row per service area in ``areas`` (None: every
    area), in care group then area order; a row per care group of those areas (over all its areas
    counted); a Trust row (over every area counted). Columns ``COLUMNS``: level (one of ``LEVELS``),
    labels, headcount, responses and rate (whole percent) as Int64, blank when hidden; hidden and its
    reason; areas_known and areas (how many areas are counted, of how many); note."""
    wave = wave or options.latest_wave
    open_wave = is_open(options, wave, today)
    # Every row is worked out once per database, wave and open or closed: a care group's or the
    # Trust's row covers the whole unit whatever is listed, so listing only picks rows.
    every = database.memo(f"response rates {wave!r} {open_wave}", lambda _: _every_rate(database, wave, open_wave))
    if areas is None:
        return every.copy()
    level, labels = every["level"].to_numpy(), every["service_area"].to_numpy()
    listed = (level == "service_area") & np.isin(labels, list(areas))
    groups = set(every.loc[listed, "care_group"])
    keep = listed | ((level == "care_group") & every["care_group"].isin(groups).to_numpy()) | (level == "trust")
    return every.loc[keep].reset_index(drop=True)


def _every_rate(database: db.Database, wave: str | None, open_wave: bool) -> pd.DataFrame:
    """Every area's row, each care group's and the Trust's (in the contract's care group order, the same
    for every person whatever their grant: the result is shared)."""
    built = release.of(database)
    every = headcounts(database)
    every["responses"] = [
        release.responses(built, wave, release.Part(release.RATE, group, area))
        for group, area in zip(every["care_group"], every["service_area"])
    ]
    order = {group: i for i, group in enumerate(built.lists["care_group"])}
    every = every.assign(_group=every["care_group"].map(order).fillna(len(order))).sort_values(
        ["_group", "care_group", "service_area"], kind="stable"
    )
    reason = NOT_YET if open_wave else built.reason()
    rows = []
    for area in every.itertuples(index=False):
        hidden = bool(np.isnan(area.responses))
        notes = [reason] if hidden else []
        if pd.isna(area.headcount):
            notes.append(NO_HEADCOUNT)
        rows.append(
            _row(
                "service_area",
                area.service_area,
                area.care_group,
                area.headcount,
                area.responses,
                hidden,
                reason,
                int(not hidden and pd.notna(area.headcount)),
                1,
                notes,
            )
        )
    for group in [*dict.fromkeys(every["care_group"]), None]:
        members = every if group is None else every.loc[every["care_group"] == group]
        counted = members.loc[members["headcount"].notna() & members["responses"].notna()]
        hidden = counted.empty
        notes = [f"areas counted (a headcount and a released count): {len(counted)} of {len(members)}"]
        rows.append(
            _row(
                "trust" if group is None else "care_group",
                ALL_AREAS,
                TRUST if group is None else group,
                counted["headcount"].sum() if not hidden else np.nan,
                counted["responses"].sum() if not hidden else np.nan,
                hidden,
                reason,
                len(counted),
                len(members),
                notes,
            )
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("headcount", "responses", "rate"):
        frame[column] = frame[column].astype("Int64")
    for column in ("level", "service_area", "care_group", "hidden_reason", "note"):
        frame[column] = frame[column].astype(object)
    return frame


def _row(level, area, group, headcount, responses, hidden, reason, known, count, notes) -> dict[str, object]:
    headcount = np.nan if pd.isna(headcount) else float(headcount)
    rate = np.nan
    if not hidden and not np.isnan(headcount) and headcount > 0:
        rate = float((200 * int(responses) + int(headcount)) // (2 * int(headcount)))  # whole percent, half up
        if rate > 100:
            notes = [*notes, ABOVE_100]
    return {
        "level": level,
        "service_area": area,
        "care_group": group,
        "headcount": None if np.isnan(headcount) else int(headcount),
        "responses": None if hidden else int(responses),
        "rate": None if np.isnan(rate) else int(rate),
        "hidden": hidden,
        "hidden_reason": reason if hidden else None,
        "areas_known": known,
        "areas": count,
        "note": "; ".join(notes),
    }


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """For people and downloads: Service area, Care group, Headcount, Responses, Response rate (%), Note."""
    return frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)


def section(
    database: db.Database,
    options: Options,
    filters: Filters,
    threshold: int,
    areas: Sequence[str] | None = None,
    today: dt.date | None = None,
    withheld: str | None = None,
) -> tuple[Item, ...]:
    """The Response rates section, described: its heading and sentence, the table for the filters' wave
    and the areas they select (limited to ``areas`` when given), what is not yet reportable while the
    wave is open, the definition and the downloads. ``withheld``: the notice shown instead of any
    figure (a database of real answers built without a perturbation key). ``today``: for tests."""
    items: list[Item] = [Heading("Response rates"), paragraph(explanation(threshold))]
    if withheld:
        return (*items, Notice(withheld))
    wave = options.wave_of(filters)
    listed = listed_areas(filters, options, areas)
    frame = rates(database, options, wave, listed, today)
    shown = table(frame)
    items.append(Table(shown, key="table_response_rates"))
    waiting = frame.loc[frame["hidden"] & (frame["level"] == "service_area")]
    if is_open(options, wave, today):
        closed = options.wave_dates[wave][1]
        items.append(
            paragraph(
                f"The survey wave {options.wave_name(wave)} is open until {closed.day} {closed:%B %Y}: figures will "
                "change as responses come in. "
                + (
                    f"Not yet reportable: {len(waiting)} of the {len(frame)} rows (see Note)."
                    if len(waiting)
                    else "Every row is reportable."
                )
            )
        )
    if not listed:
        items.append(paragraph("No service area is selected by the filters: only the Trust is shown."))
    if not frame["areas_known"].any():
        items.append(
            paragraph(
                "No service area has a headcount, so there is no rate: the Trust adds a ",
                Code("headcount"),
                " column to its service areas extract (see Data and definitions).",
            )
        )
    defined = definition(threshold, lists.of(database).staff_surveys)
    items.append(paragraph(defined))
    items.append(Downloads(shown, "response_rates", note=f"{defined} {explanation(threshold)}", key="response_rates"))
    return tuple(items)
