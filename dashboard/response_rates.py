"""Response rates: staff-survey responses per service area, care group and Trust over its headcount.

``service_areas`` may give a ``headcount`` (staff in post for the survey; empty = not
known; docs/DATA_CONTRACT.md). One headcount per area, used for every wave. The
responses counted are those of the wave from the area whose survey is one of
``contract.STAFF_SURVEYS`` (Staff, Digital champion: the people a headcount counts),
from every staff group and month: a headcount is of all staff, so the survey, staff
group and month filters do not apply; the wave does, and the care group and service
area filters (and the caller's ``areas``) pick the area rows.

Counts come from ``survey_groups`` (``queries/response_counts.sql``), not a table of
their own: the cells of one question cover every response of a wave that asks it (a
blank answer is a cell too, ``pipeline/cells.py``), so each wave's first question
counts every response once, with the sum of their record keys. Every count shown is
perturbed as every other survey count is (``disclosure.protect_arrays``): a count of
everyone in its view, so its cell key is its key sum plus twice the same (3 x the
view's key sum). A care group's and the Trust's count is perturbed as itself from the
summed key sums of their areas, not added up from the areas' perturbed counts. A count
under the threshold is hidden, and its rate with it.

A care group's and the Trust's rate count only their areas with a known headcount, in
responses and in headcount alike (the note says how many: "areas with a headcount: 12
of 14"). Rate = perturbed responses / headcount as a whole percent (half up); above
100% is shown as it is and flagged (the headcount is out of date).

While the wave is open (today on or before its ``closed`` date), a row under the
threshold says "not yet reportable: about N more responses needed", N being the
threshold less its perturbed count rounded UP to the next multiple of 5
(``more_needed``): the perturbed count is already noisy, and the band keeps N from
pinning down a small count. After the wave it is hidden as elsewhere.

``rates`` and ``table`` are plain data functions; ``render`` draws the section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import db, disclosure
from dashboard.filters import Filters, Options
from pipeline import contract

BAND = 5  # "about N more": N rounded up to a multiple of this
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
    "more_needed",
    "areas_known",
    "areas",
    "note",
]
ABOVE_100 = "above 100%: the headcount may be out of date"
NO_HEADCOUNT = "headcount not known: no rate"
NOT_YET = "not yet reportable: about {more} more responses needed"


def explanation(threshold: int) -> str:
    """The one sentence the section shows about the not-yet-reportable rows."""
    return (
        f"While a survey wave is open, an area with fewer than {threshold} responses is not yet reportable and "
        f"says about how many more it needs: {threshold} less its perturbed count, rounded up to the next "
        f"multiple of {BAND}, so the figure never tells how few have answered."
    )


def definition(threshold: int) -> str:
    """What the table counts, for the page and the download."""
    surveys = " and ".join(contract.STAFF_SURVEYS)
    return (
        f"Response rate = responses to the {surveys} surveys in the wave / headcount (staff in post, one per "
        "service area for every wave), as a whole percent. A headcount is of all staff, so the survey, staff "
        "group and month filters do not apply here; the wave, care group and service area filters do. Care "
        "group and Trust rows count only their areas with a known headcount, in responses and headcount alike. "
        f"Responses are perturbed like every survey count and hidden under {threshold}, with their rate; a rate "
        "above 100% means the headcount is out of date."
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


def more_needed(perturbed: np.ndarray, threshold: int) -> np.ndarray:
    """The threshold less each perturbed count, rounded up to the next multiple of ``BAND``
    (float64; nan when the count is missing)."""
    need = threshold - np.asarray(perturbed, dtype=float)
    return np.ceil(need / BAND) * BAND


def rates(
    database: db.Database,
    options: Options,
    wave: str | None,
    threshold: int,
    areas: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Response rates in ``wave`` (None: the latest): a row per service area in ``areas`` (None: every
    area), in care group then area order; a row per care group of those areas (over all its areas
    with a headcount); a Trust row (over every area with a headcount). Columns ``COLUMNS``: level
    (one of ``LEVELS``), labels, headcount, perturbed responses and rate (whole percent) as Int64,
    blank when hidden; hidden and its reason; ``more_needed`` (the banded N) for a hidden row of an
    open wave; areas_known and areas (how many areas have a headcount, of how many); note."""
    wave = wave or options.latest_wave
    open_wave = is_open(options, wave, today)
    # Every row is worked out once per database, wave, threshold and open or closed: a care group's
    # or the Trust's row covers the whole unit whatever is listed, so listing only picks rows.
    every = database.memo(
        f"response rates {wave!r} {threshold} {open_wave}", lambda _: _every_rate(database, wave, threshold, open_wave)
    )
    if areas is None:
        return every.copy()
    level, labels = every["level"].to_numpy(), every["service_area"].to_numpy()
    listed = (level == "service_area") & np.isin(labels, list(areas))
    groups = set(every.loc[listed, "care_group"])
    keep = listed | ((level == "care_group") & every["care_group"].isin(groups).to_numpy()) | (level == "trust")
    return every.loc[keep].reset_index(drop=True)


def _every_rate(database: db.Database, wave: str | None, threshold: int, open_wave: bool) -> pd.DataFrame:
    """Every area's row, each care group's and the Trust's (in the contract's care group order, the same
    for every person whatever their scope: the result is shared)."""
    # Read once per database file: every wave's counts are a few thousand rows at most.
    every, counts = database.memo(
        "response counts",
        lambda _: (headcounts(database), database.query("response_counts", surveys=list(contract.STAFF_SURVEYS))),
    )
    counts = counts.loc[counts["wave"] == wave, ["care_group", "service_area", "responses", "key_sum"]]
    every = every.merge(counts, on=["care_group", "service_area"], how="left")
    every["responses"] = every["responses"].fillna(0)
    order = {group: i for i, group in enumerate(contract.CARE_GROUPS)}
    every = every.assign(_group=every["care_group"].map(order).fillna(len(order))).sort_values(
        ["_group", "care_group", "service_area"], kind="stable"
    )
    listed = every
    groups = list(dict.fromkeys(listed["care_group"]))

    rows = []  # (level, service_area, care_group, headcount, responses, key_sum, areas_known, areas)
    for area in listed.itertuples(index=False):
        rows.append(
            (
                "service_area",
                area.service_area,
                area.care_group,
                area.headcount,
                area.responses,
                area.key_sum,
                int(pd.notna(area.headcount)),
                1,
            )
        )
    for group in groups + [None]:
        members = every if group is None else every.loc[every["care_group"] == group]
        with_headcount = members.loc[members["headcount"].notna()]
        total = with_headcount["headcount"].sum() if len(with_headcount) else pd.NA
        # Key sums add up: the total is perturbed as itself. Built without a key: none, so withheld.
        keyless = (with_headcount["key_sum"].isna() & with_headcount["responses"].gt(0)).any()
        key_sum = np.nan if keyless else with_headcount["key_sum"].fillna(0).sum()
        rows.append(
            (
                "trust" if group is None else "care_group",
                ALL_AREAS,
                TRUST if group is None else group,
                total,
                with_headcount["responses"].sum(),
                key_sum,
                len(with_headcount),
                len(members),
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=["level", "service_area", "care_group", "headcount", "responses", "key_sum", "areas_known", "areas"],
    )
    return _protect(frame, threshold, open_wave)


def _protect(frame: pd.DataFrame, threshold: int, open_wave: bool) -> pd.DataFrame:
    """Perturb each row's count (a count of everyone in its view: own key sum = view's), hide it under
    the threshold, work out the rate and the note."""
    key_sum = pd.to_numeric(frame["key_sum"]).to_numpy(dtype=float, na_value=np.nan)
    shown = disclosure.protect_arrays(
        {
            "responses": pd.to_numeric(frame["responses"]).to_numpy(dtype=float),
            "responses_key": key_sum,
            disclosure.VIEW_KEY: key_sum,
        },
        threshold,
        (("responses", "responses_key"),),
    )
    responses, hidden = shown["responses"], shown["hidden"]
    headcount = pd.to_numeric(frame["headcount"]).to_numpy(dtype=float, na_value=np.nan)
    no_areas = (frame["level"].to_numpy() != "service_area") & (frame["areas_known"].to_numpy() == 0)
    # A care group with no headcount has no count to show either (its count is of areas with one).
    hidden = hidden & ~no_areas
    rate = np.full(len(frame), np.nan)
    has_rate = ~hidden & ~np.isnan(headcount) & ~np.isnan(responses)
    r, h = responses[has_rate].astype(np.int64), headcount[has_rate].astype(np.int64)
    rate[has_rate] = (200 * r + h) // (2 * h)  # whole percent, half up (as every survey percent)
    withheld = np.isnan(responses)
    needed = np.where(hidden & ~withheld & open_wave, more_needed(responses, threshold), np.nan)
    notes = []
    for i, row in enumerate(frame.itertuples(index=False)):
        parts = []
        if hidden[i] and withheld[i]:
            parts.append(shown["hidden_reason"][i])
        elif hidden[i] and open_wave:
            parts.append(NOT_YET.format(more=int(needed[i])))
        elif hidden[i]:
            parts.append(f"hidden: {shown['hidden_reason'][i]}")
        if row.level != "service_area":
            parts.append(f"areas with a headcount: {row.areas_known} of {row.areas}")
        elif np.isnan(headcount[i]):
            parts.append(NO_HEADCOUNT)
        if rate[i] > 100:
            parts.append(ABOVE_100)
        notes.append("; ".join(parts))
    if (needed[~np.isnan(needed)] < 0).any():  # a hidden count is under the threshold: never expected
        raise AssertionError("a hidden count needs a negative number of responses")
    blank = hidden | no_areas

    def text(values) -> pd.Series:  # labels and notes as plain objects, whatever pandas would infer
        return pd.Series(list(values), dtype=object)

    return pd.DataFrame(
        {
            "level": text(frame["level"]),
            "service_area": text(frame["service_area"]),
            "care_group": text(frame["care_group"]),
            "headcount": disclosure.wholes(np.where(no_areas, np.nan, headcount)),
            "responses": disclosure.wholes(np.where(blank, np.nan, responses)),
            "rate": disclosure.wholes(np.where(blank, np.nan, rate)),
            "hidden": hidden,
            "hidden_reason": text(np.where(hidden, shown["hidden_reason"], None)),
            "more_needed": disclosure.wholes(needed),
            "areas_known": frame["areas_known"].astype(int).to_numpy(),
            "areas": frame["areas"].astype(int).to_numpy(),
            "note": text(notes),
        },
        columns=COLUMNS,
    )
