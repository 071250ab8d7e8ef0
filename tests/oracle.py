"""Independent pandas figures for the tests: the contract's definitions written out again.

The engagement figures (``read_engagement``, ``expected_engagement``) are plain counts and sums
over the extracts' rows.

Every survey figure the app shows is a perturbed count (docs/DISCLOSURE.md). This
module works the expected figures out from the demo extracts' rows, never by
calling the code under test: the record keys from ``hashlib`` (SHA-256 of the
key, a unit separator and the response id; first byte), a count's cell key as
the sum of its rows' record keys plus twice the sum over its view (every
response the figure's filters select, answered or not), modulo 256, and the
noise looked up in the published
perturbation table (``dashboard.perturbation.NOISE``, whose own properties
``tests/test_perturbation.py`` checks). A wrong definition in SQL, a lost
filter, a key sum over the wrong rows or a count left unperturbed shows up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path

import pandas as pd

from dashboard.filters import Filters
from dashboard.perturbation import MAX_NOISE, NOISE
from pipeline import contract
from pipeline.cells import DEMO_KEY
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


def record_key(response_id: str, key: str = DEMO_KEY) -> int:
    return hashlib.sha256(f"{key}\x1f{response_id}".encode()).digest()[0]


def read_responses(folder: Path = DEMO_EXTRACTS, key: str = DEMO_KEY) -> pd.DataFrame:
    """One row per response, one column per question (its answer, '' when blank) and its wave:
    read from survey_answers.csv when the folder has one, else from the legacy answer columns;
    the wave from the response's wave column, else the waves file's dates, else one wave named
    by the first response's year. ``frame.attrs['latest_wave']`` is the wave shown by default."""
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
        frame[column] = frame[column].replace("", "Not stated")
    frame["record_key"] = [record_key(r, key) for r in frame["response_id"]]
    return frame


def filtered(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows the filters keep: one wave (the filters' or the latest), dates by whole month (the From
    month's first day to the To month's last)."""
    keep = frame["wave"] == (filters.wave or frame.attrs["latest_wave"])
    for column, values in (
        ("care_group", filters.care_groups),
        ("service_area", filters.service_areas),
        ("survey", filters.surveys),
        ("staff_group", filters.staff_groups),
    ):
        if values:
            keep &= frame[column].isin(values)  # 'Not stated' is never a filter value, so empties drop out
    if filters.date_from:
        keep &= frame["submitted_on"] >= filters.date_from.replace(day=1)
    if filters.date_to:
        following = (filters.date_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        keep &= frame["submitted_on"] < following
    return frame[keep]


def counted(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The responses in the measure's base, with a 'positive' column."""
    answers = frame[measure]
    base = frame[(answers != "") & ~answers.isin(NOT_COUNTED.get(measure, set()))].copy()
    base["positive"] = base[measure].isin(POSITIVE[measure])
    return base


def perturbed(rows: pd.DataFrame, view: pd.DataFrame) -> int:
    """The published count of ``rows`` shown within ``view`` (the responses its filters select):
    true count plus the table's noise for the cell key (rows' keys + 2 x view's keys) mod 256."""
    count = len(rows)
    key = int(rows["record_key"].sum()) + 2 * int(view["record_key"].sum())
    return count + int(NOISE[min(count, MAX_NOISE), key % 256])


def percent_half_up(positive: int, n: int) -> int:
    # Exact integer arithmetic: round half up, as published.
    return (200 * positive + n) // (2 * n)


def figures(view: pd.DataFrame, measure: str) -> tuple[int, int]:
    """(n, positive) as published for a measure within a view: both perturbed, positive never above n."""
    base = counted(view, measure)
    n = perturbed(base, view)
    return n, min(perturbed(base[base["positive"]], view), n)


def expected_headline(frame: pd.DataFrame, measure: str, filters: Filters = Filters()) -> tuple[int, int, int | None]:
    n, positive = figures(filtered(frame, filters), measure)
    return n, positive, percent_half_up(positive, n) if n else None


def true_headline(frame: pd.DataFrame, measure: str, filters: Filters = Filters()) -> tuple[int, int]:
    """The exact (n, positive): never shown, used to check that what is shown is not it by accident."""
    base = counted(filtered(frame, filters), measure)
    return len(base), int(base["positive"].sum())


def expected_groups(frame: pd.DataFrame, measure: str, by: list[str], filters: Filters = Filters()) -> pd.DataFrame:
    """One row per group with anyone counted: published n and positive, the true n beside them (true_n).
    Each group is its own view (everyone in the filters and the group)."""
    rows = []
    for labels, view in filtered(frame, filters).groupby(by):
        true_n = len(counted(view, measure))
        if true_n:
            n, positive = figures(view, measure)
            rows.append({**dict(zip(by, labels)), "n": n, "positive": positive, "true_n": true_n})
    return pd.DataFrame(rows, columns=[*by, "n", "positive", "true_n"])


def expected_answers(frame: pd.DataFrame, measure: str, filters: Filters = Filters()) -> dict[str, int]:
    """Published responses per answer on the measure's scale (0 where nobody gave it)."""
    view = filtered(frame, filters)
    return {answer: perturbed(view[view[measure] == answer], view) for answer in SCALES[measure]}


def small_area(frame: pd.DataFrame, measure: str) -> str:
    """A real service area whose published n for ``measure`` is under THRESHOLD (but not zero)."""
    sizes = expected_groups(frame, measure, ["service_area"])
    sizes = sizes[(sizes["service_area"] != "Not stated") & (sizes["n"] < THRESHOLD) & (sizes["true_n"] > 0)]
    return str(sizes.sort_values(["n", "service_area"]).iloc[0]["service_area"])


def perturbed_count(count: int, own_key_sum: int | None, view_key_sum: int | None) -> int | None:
    """A count as published from the sums a survey query returns beside it (tests of dashboard.disclosure):
    the true count plus the table's noise for (own key sum + 2 x view key sum) mod 256. An empty count has
    no key sum of its own (0) and stays 0; with no view key sum (a database built without a key) any other
    count is withheld (None)."""
    if count == 0:
        return 0
    if view_key_sum is None or pd.isna(view_key_sum):
        return None
    own = 0 if own_key_sum is None or pd.isna(own_key_sum) else int(own_key_sum)
    return count + int(NOISE[min(count, MAX_NOISE), (own + 2 * int(view_key_sum)) % 256])


# --- Response rates (dashboard/response_rates.py) ------------------------------------------------------

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
    frame: pd.DataFrame, wave: str, threshold: int = THRESHOLD, folder: Path = DEMO_EXTRACTS
) -> pd.DataFrame:
    """Per service area, then per care group and the Trust (over their areas with a headcount): the
    headcount, the published count of the wave's Staff and Digital champion responses (everyone in the
    view is the count, so its cell key is 3 x their record keys' sum; ``perturbed``), whether it is
    hidden (under the threshold), the rate as a whole percent half up (None when hidden or with no
    headcount) and the true count (``true_responses``, never shown)."""
    staff = frame[(frame["wave"] == wave) & frame["survey"].isin(STAFF_SURVEYS)]
    areas = read_headcounts(folder)
    rows = []

    def row(level: str, area: str, group: str, headcount: int | None, responses: pd.DataFrame) -> dict:
        shown = perturbed(responses, responses)
        hidden = shown < threshold
        rate = percent_half_up(shown, headcount) if headcount is not None and not hidden else None
        return {
            "level": level,
            "service_area": area,
            "care_group": group,
            "headcount": headcount,
            "responses": None if hidden else shown,
            "perturbed": shown,
            "hidden": hidden,
            "rate": rate,
            "true_responses": len(responses),
        }

    for area, group, headcount in zip(areas["service_area"], areas["care_group"], areas["headcount"]):
        rows.append(row("service_area", area, group, headcount, staff[staff["service_area"] == area]))
    known = areas[areas["headcount"].notna()]
    for group, members in [*known.groupby("care_group"), (None, known)]:
        responses = staff[staff["service_area"].isin(set(members["service_area"]))]
        rows.append(
            row("trust" if group is None else "care_group", None, group, int(members["headcount"].sum()), responses)
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
    completed = actions["status"] == contract.COMPLETED
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
