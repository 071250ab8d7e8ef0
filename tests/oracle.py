"""Independent pandas figures for the tests: the contract's definitions written out again.

The engagement figures (``read_engagement``, ``expected_engagement``) are plain counts and sums
over the extracts' rows.

Every survey figure the app shows is a released cell or a sum of released cells
(docs/DISCLOSURE.md). This module works the expected figures out from the extracts' rows,
never by calling the code under test: each cell's noise from ``hmac`` (a member hash per
response: the first 8 bytes of HMAC-SHA-256 of the key and 'response:' + id; the cell's
fingerprint: their sum modulo 2**64; its cell key: the first byte of HMAC-SHA-256 of the key
and 'cell:' + the fingerprint in decimal) looked up in the published perturbation table
(``pipeline.perturbation.NOISE``, whose own properties ``tests/test_perturbation.py``
checks), and each figure as the sum over the parts its filters name. Which groups the build
released is the audit's decision: it is read from the database (``Released``), and the
audit itself is checked by ``tests/test_audit.py`` and the attack tests. A wrong definition,
a lost filter, a cell over the wrong rows or a count left unperturbed shows up.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

import demo.model as demo_model
from dashboard.core.filters import Filters
from pipeline.keys import DEMO_KEY
from pipeline.perturbation import MAX_NOISE, NOISE
from tests.conftest import DEMO_EXTRACTS

THRESHOLD = 10
MEASURES = ("it_skills", "info_available", "it_unreliable")
# The contract's definitions ("Headline measures"), restated independently of the SQL and answer_scale.
SCALES = {
    "it_skills": ("Very poor", "Poor", "Fair", "Good", "Very good"),
    "info_available": ("Yes", "Partly", "No", "Don't know"),
    "it_unreliable": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
}
POSITIVE = {"it_skills": {"Good", "Very good"}, "info_available": {"Yes"}, "it_unreliable": {"Agree", "Strongly agree"}}
NOT_COUNTED = {"info_available": {"Don't know"}}
PUBLISHED = {"it_skills": 39, "info_available": 69, "it_unreliable": 65}
PUBLISHED_WAVE = "2021"  # the demo's wave that reproduces the published figures (the latest is shown by default)
NS = "Not stated"


def member_hash(response_id: str, key: str = DEMO_KEY) -> int:
    return int.from_bytes(hmac.new(key.encode(), f"response:{response_id}".encode(), hashlib.sha256).digest()[:8])


def cell_key(response_ids, key: str = DEMO_KEY) -> int:
    """The cell key of the cell holding exactly ``response_ids``."""
    fingerprint = sum(member_hash(r, key) for r in response_ids) % 2**64
    return hmac.new(key.encode(), f"cell:{fingerprint}".encode(), hashlib.sha256).digest()[0]


def released_count(response_ids, key: str = DEMO_KEY) -> int:
    """A cell's count as the release holds it: true count plus the table's noise for its cell key."""
    ids = list(response_ids)
    count = len(ids)
    return count + int(NOISE[min(count, MAX_NOISE), cell_key(ids, key) if count else 0])


def read_responses(folder: Path = DEMO_EXTRACTS, key: str = DEMO_KEY) -> pd.DataFrame:
    """One row per response, one column per question (its answer, '' when blank) and its wave:
    read from survey_answers.csv when the folder has one, else from the legacy answer columns;
    the wave from the response's wave column, else the waves file's dates, else one wave named
    by the first response's year. ``frame.attrs['latest_wave']`` is the wave shown by default;
    ``frame.attrs['key']`` the perturbation key the cells of these rows are worked out with."""
    frame = pd.read_csv(folder / "survey_responses.csv", dtype=str, keep_default_na=False)
    frame["submitted_on"] = pd.to_datetime(frame["submitted_on"], format="%Y-%m-%d").dt.date
    if (folder / "survey_answers.csv").is_file():
        answers = pd.read_csv(folder / "survey_answers.csv", dtype=str, keep_default_na=False)
        wide = answers.pivot(index="response_id", columns="question_id", values="answer")
        frame = frame.join(wide, on="response_id").fillna({q: "" for q in wide.columns})
    if "wave" not in frame:
        frame["wave"] = ""
    if (folder / "waves.csv").is_file():
        waves = pd.read_csv(folder / "waves.csv", dtype=str, keep_default_na=False)
        waves = waves.assign(
            opened=pd.to_datetime(waves["opened"]).dt.date, closed=pd.to_datetime(waves["closed"]).dt.date
        )
        for wave, opened, closed in zip(waves["wave_id"], waves["opened"], waves["closed"]):
            dated = (frame["wave"] == "") & (frame["submitted_on"] >= opened) & (frame["submitted_on"] <= closed)
            frame.loc[dated, "wave"] = wave
        latest = waves.sort_values(["opened", "wave_id"])["wave_id"].iloc[-1]
    else:
        latest = str(min(frame["submitted_on"]).year)
        frame["wave"] = latest
    frame.attrs["latest_wave"] = latest
    frame.attrs["key"] = key
    # Questions beyond the three written out above: their definitions as the questions file gives them.
    if (folder / "questions.csv").is_file():
        bank = pd.read_csv(folder / "questions.csv", dtype=str, keep_default_na=False)
        for question, scale, positive, excluded in zip(
            bank["question_id"], bank["scale"], bank["positive"], bank.get("excluded", "")
        ):
            if question not in SCALES:
                SCALES[question] = tuple(a.strip() for a in scale.split(";") if a.strip())
                POSITIVE[question] = {a.strip() for a in positive.split(";") if a.strip()}
                NOT_COUNTED[question] = {a.strip() for a in excluded.split(";") if a.strip()}
    for column in ("care_group", "service_area", "staff_group"):
        frame[column] = frame[column].replace("", NS)
    frame["month"] = [d.replace(day=1) for d in frame["submitted_on"]]
    return frame


@dataclass(frozen=True)
class Released:
    """What the build released, read from a database: the groups (kind, care group, service area,
    survey, staff group, month; None = all) and, for each, the questions released."""

    groups: frozenset
    questions: frozenset  # (group key, question)

    def shows(self, group: tuple, measure: str) -> bool:
        return (group, measure) in self.questions


def _key(row) -> tuple:
    def label(value):
        return None if value is None or pd.isna(value) else value

    month = label(row["month"])
    return (
        row["wave"],
        row["kind"],
        label(row["care_group"]),
        label(row["service_area"]),
        label(row["survey"]),
        label(row["staff_group"]),
        pd.Timestamp(month).date() if month is not None else None,
    )


def released(database: Path) -> Released:
    con = duckdb.connect(str(database), read_only=True)
    try:
        groups = con.sql("select * from release_groups").df()
        cells = con.sql("select distinct * exclude (answer, responses) from release_cells").df()
    finally:
        con.close()
    return Released(
        frozenset(_key(row) for _, row in groups.iterrows()),
        frozenset((_key(row), row["measure"]) for _, row in cells.iterrows()),
    )


def wave_of(frame: pd.DataFrame, filters: Filters) -> str:
    return filters.wave or frame.attrs["latest_wave"]


def care_group_of(area: str, folder: Path = DEMO_EXTRACTS) -> str:
    return _care_groups(folder)[area]


@cache
def _care_groups(folder: Path) -> dict[str, str]:
    areas = pd.read_csv(folder / "service_areas.csv", dtype=str, keep_default_na=False)
    return dict(zip(areas["service_area"], areas["care_group"]))


def units_of(filters: Filters, folder: Path = DEMO_EXTRACTS) -> list[tuple[str | None, str | None]]:
    """The units the filters name: their service areas (within the care groups picked, if any), else their
    care groups, else the Trust."""
    if filters.service_areas:
        units = [(care_group_of(a, folder), a) for a in filters.service_areas]
        return [u for u in units if not filters.care_groups or u[0] in filters.care_groups]
    if filters.care_groups:
        return [(g, None) for g in filters.care_groups]
    return [(None, None)]


def parts(frame: pd.DataFrame, filters: Filters, folder: Path = DEMO_EXTRACTS) -> list[tuple]:
    """The release's groups a filter state's figure covers: the units (areas, else care groups, else
    the Trust) x the surveys (or all) x the staff groups (or all), in the filters' wave."""
    wave = wave_of(frame, filters)
    units = units_of(filters, folder)
    return [
        (wave, "answers", g, a, s, sg, None)
        for g, a in units
        for s in (filters.surveys or (None,))
        for sg in (filters.staff_groups or (None,))
    ]


def members(frame: pd.DataFrame, group: tuple) -> pd.DataFrame:
    """The responses of one group of the release."""
    wave, kind, care_group, area, survey, staff_group, month = group
    keep = frame["wave"] == wave
    for column, value in (("care_group", care_group), ("service_area", area), ("survey", survey)):
        if value is not None:
            keep &= frame[column] == value
    if staff_group is not None:
        keep &= frame["staff_group"] == staff_group
    if month is not None:
        keep &= frame["month"] == month
    if kind == "rate":
        keep &= frame["survey"].isin(STAFF_SURVEYS)
    return frame[keep]


def counted(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The responses in the measure's base, with a 'positive' column."""
    answers = frame[measure]
    base = frame[(answers != "") & ~answers.isin(NOT_COUNTED.get(measure, set()))].copy()
    base["positive"] = base[measure].isin(POSITIVE[measure])
    return base


def answer_counts(rows: pd.DataFrame, measure: str) -> dict[str, int]:
    """Released count of each answer on the measure's scale within one group's rows."""
    key = rows.attrs.get("key", DEMO_KEY)
    return {answer: released_count(rows.loc[rows[measure] == answer, "response_id"], key) for answer in SCALES[measure]}


def group_figures(rows: pd.DataFrame, measure: str) -> tuple[int, int]:
    """(n, positive) of one released group: sums of its answers' released counts."""
    counts = answer_counts(rows, measure)
    n = sum(c for a, c in counts.items() if a not in NOT_COUNTED.get(measure, set()))
    return n, sum(c for a, c in counts.items() if a in POSITIVE[measure])


def percent_half_up(positive: int, n: int) -> int:
    # Exact integer arithmetic: round half up, as published.
    return (200 * positive + n) // (2 * n)


def expected_headline(
    frame: pd.DataFrame, measure: str, filters: Filters, release: Released, folder: Path = DEMO_EXTRACTS
) -> tuple[int | None, int | None, int | None]:
    """(n, positive, percent) as shown: summed over the parts released for the measure; all None
    when no part is."""
    n = positive = 0
    shown = False
    for part in parts(frame, filters, folder):
        if release.shows(part, measure):
            shown = True
            part_n, part_positive = group_figures(members(frame, part), measure)
            n, positive = n + part_n, positive + part_positive
    if not shown:
        return None, None, None
    return n, positive, percent_half_up(positive, n) if n else None


def true_headline(frame: pd.DataFrame, measure: str, filters: Filters = Filters()) -> tuple[int, int]:
    """The exact (n, positive) over the whole wave: never shown, used to check that what is shown is
    not it by accident."""
    view = frame[frame["wave"] == wave_of(frame, filters)]
    for column, values in (
        ("care_group", filters.care_groups),
        ("service_area", filters.service_areas),
        ("survey", filters.surveys),
        ("staff_group", filters.staff_groups),
    ):
        if values:
            view = view[view[column].isin(values)]
    base = counted(view, measure)
    return len(base), int(base["positive"].sum())


def expected_answers(frame: pd.DataFrame, measure: str, filters: Filters, release: Released) -> dict[str, int]:
    """Released responses per answer on the measure's scale, summed over the parts shown."""
    totals = dict.fromkeys(SCALES[measure], 0)
    for part in parts(frame, filters):
        if release.shows(part, measure):
            for answer, count in answer_counts(members(frame, part), measure).items():
                totals[answer] += count
    return totals


def structure(folder: Path = DEMO_EXTRACTS) -> dict[str, list[str]]:
    """Care group -> its service areas, from service_areas.csv."""
    areas = pd.read_csv(folder / "service_areas.csv", dtype=str, keep_default_na=False)
    out: dict[str, list[str]] = {group: [] for group in demo_model.CARE_GROUPS}  # every care group, areas or not
    for area, group in zip(areas["service_area"], areas["care_group"]):
        out.setdefault(group, []).append(area)
    return out


def expected_breakdown(
    frame: pd.DataFrame, measure: str, dimension: str, filters: Filters, release: Released, folder: Path = DEMO_EXTRACTS
) -> dict[tuple, tuple[int | None, int | None]]:
    """Per row of a breakdown (keyed by its label: the care group, (care group, area), survey or staff group):
    (n, positive) summed over the row's released parts; (None, None) when none is released. Rows are the
    structure's (every care group and area of service_areas.csv, every survey and staff group of the
    contract) plus 'Not stated' ones when shown, restated here from docs/DISCLOSURE.md."""
    wave = wave_of(frame, filters)
    tree = structure(folder)
    units = units_of(filters, folder)
    surveys = filters.surveys or (None,)
    staff_groups = filters.staff_groups or (None,)
    rows: dict[tuple, list[tuple]] = {}
    if dimension == "care_group":
        if units == [(None, None)]:
            for group in [*tree, NS]:
                rows[(group,)] = [(group, None)]
        else:
            for g, a in units:
                rows.setdefault((g,), []).append((g, a))
    elif dimension == "service_area":
        if units == [(None, None)]:
            chosen = [(g, a) for g in tree for a in tree[g]] + [(g, NS) for g in [*tree, NS]]
        elif filters.service_areas:
            chosen = units
        else:
            chosen = [(g, a) for g, _ in units for a in tree.get(g, [])] + [(g, NS) for g, _ in units]
        rows = {(g, a): [(g, a)] for g, a in chosen}
    out = {}
    if dimension in ("care_group", "service_area"):
        keyed = {
            label: [(wave, "answers", g, a, s, sg, None) for g, a in us for s in surveys for sg in staff_groups]
            for label, us in rows.items()
        }
    elif dimension == "survey":
        keyed = {
            (s,): [(wave, "answers", g, a, s, sg, None) for g, a in units for sg in staff_groups]
            for s in (filters.surveys or demo_model.SURVEYS)
        }
    else:
        keyed = {
            (sg,): [(wave, "answers", g, a, s, sg, None) for g, a in units for s in surveys]
            for sg in (filters.staff_groups or (*demo_model.STAFF_GROUPS, NS))
        }
    for label, group_keys in keyed.items():
        shown = [k for k in group_keys if release.shows(k, measure)]
        if not shown:
            if NS not in label:
                out[label] = (None, None)
            continue
        sums = [group_figures(members(frame, k), measure) for k in shown]
        out[label] = (sum(n for n, _ in sums), sum(p for _, p in sums))
    return out


# --- Response rates (dashboard/features/response_rates.py) ------------------------------------------------------

# The surveys a headcount counts (the contract's staff surveys), restated.
STAFF_SURVEYS = ("Staff", "Digital champion")


def read_headcounts(folder: Path = DEMO_EXTRACTS) -> pd.DataFrame:
    """service_areas.csv: service_area, care_group and headcount (an int, or None when empty or when the
    file has no headcount column)."""
    areas = pd.read_csv(folder / "service_areas.csv", dtype=str, keep_default_na=False)
    given = areas["headcount"] if "headcount" in areas else pd.Series("", index=areas.index)
    return pd.DataFrame(
        {
            "service_area": areas["service_area"],
            "care_group": areas["care_group"],
            "headcount": pd.Series([int(h) if h.strip() else None for h in given], dtype=object),
        }
    )


def expected_response_rates(
    frame: pd.DataFrame, wave: str, release: Released, folder: Path = DEMO_EXTRACTS
) -> pd.DataFrame:
    """Per service area, then per care group and the Trust: the headcount, the released count of the
    wave's Staff and Digital champion responses (the area's rate group; care groups and the Trust:
    the sum over their areas with a headcount and a released count), whether it is hidden, the rate
    as a whole percent half up (None when hidden or with no headcount)."""
    areas = read_headcounts(folder)
    rows = []
    counts = {}
    for area, group, headcount in zip(areas["service_area"], areas["care_group"], areas["headcount"]):
        key = (wave, "rate", group, area, None, None, None)
        its_rows = members(frame, key)
        shown = (
            released_count(its_rows["response_id"], its_rows.attrs.get("key", DEMO_KEY))
            if key in release.groups
            else None
        )
        counts[area] = shown
        rate = percent_half_up(shown, headcount) if headcount is not None and shown is not None else None
        rows.append(
            {
                "level": "service_area",
                "service_area": area,
                "care_group": group,
                "headcount": headcount,
                "responses": shown,
                "hidden": shown is None,
                "rate": rate,
            }
        )
    for group, members_ in [*areas.groupby("care_group"), (None, areas)]:
        known = [
            (a, h)
            for a, h in zip(members_["service_area"], members_["headcount"])
            if h is not None and counts[a] is not None
        ]
        responses = sum(counts[a] for a, _ in known) if known else None
        headcount = sum(h for _, h in known) if known else None
        rows.append(
            {
                "level": "trust" if group is None else "care_group",
                "service_area": None,
                "care_group": group,
                "headcount": headcount,
                "responses": responses,
                "hidden": not known,
                "rate": percent_half_up(responses, headcount) if known else None,
            }
        )
    return pd.DataFrame(rows)


# --- Engagement and actions ----------------------------------------------------------------------


@cache
def read_engagement(folder: Path = DEMO_EXTRACTS) -> dict[str, pd.DataFrame]:
    """The engagement extracts of ``folder``: areas; conversations and actions with their care group;
    attendees with their conversation's day, area, care group and format."""

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")

    areas = read("service_areas")
    conversations = read("conversations").merge(areas, on="service_area")
    conversations["hours"] = conversations["hours"].astype(float)
    conversations["held_on"] = pd.to_datetime(conversations["held_on"])
    attendees = read("conversation_attendees").merge(
        conversations[["conversation_id", "held_on", "service_area", "care_group", "format"]], on="conversation_id"
    )
    actions = read("actions").merge(areas, on="service_area")
    actions["raised_on"] = pd.to_datetime(actions["raised_on"])
    actions["completed_on"] = pd.to_datetime(actions["completed_on"].replace("", None))
    actions["quick_win"] = actions["quick_win"].str.lower().isin({"yes", "y", "true", "1"})
    return {"areas": areas, "conversations": conversations, "attendees": attendees, "actions": actions}


def in_scope(frame: pd.DataFrame, date_column: str, filters: Filters) -> pd.DataFrame:
    """The rows of the filters' care groups and service areas, dated within their days."""
    keep = pd.Series(True, index=frame.index)
    if filters.care_groups:
        keep &= frame["care_group"].isin(filters.care_groups)
    if filters.service_areas:
        keep &= frame["service_area"].isin(filters.service_areas)
    if filters.date_from:
        keep &= frame[date_column] >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        keep &= frame[date_column] <= pd.Timestamp(filters.date_to)
    return frame.loc[keep]


def expected_engagement(filters: Filters, folder: Path = DEMO_EXTRACTS) -> dict[str, float]:
    """Every engagement figure for the filters: conversations by held_on, attendees by their
    conversation's day (narrowed by staff group), actions by raised_on; surveys never apply."""
    data = read_engagement(folder)
    conversations = in_scope(data["conversations"], "held_on", filters)
    attendees = in_scope(data["attendees"], "held_on", filters)
    if filters.staff_groups:
        attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    actions = in_scope(data["actions"], "raised_on", filters)
    completed = actions["status"] == demo_model.COMPLETED
    return {
        "conversations": len(conversations),
        "conversation_hours": float(conversations["hours"].sum()),
        "staff_engaged": attendees["staff_id"].nunique(),
        "service_areas_covered": conversations["service_area"].nunique(),
        "actions_raised": len(actions),
        "actions_completed": int(completed.sum()),
        "quick_wins_raised": int(actions["quick_win"].sum()),
        "quick_wins_completed": int((actions["quick_win"] & completed).sum()),
    }
