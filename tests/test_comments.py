"""Comments listed only for fixed reporting units (pipeline/comment_units.py, dashboard/features/comments.py,
docs/DISCLOSURE.md "Comments").

Two halves. ``decide`` (made at build time) on small atoms built here by hand, where the right
answer can be worked out on paper (and on random atoms, against the rule it
promises: no comment can be pinned to fewer than the threshold of people by
comparing lists). Then the demo database against pandas over the demo extracts: the
build's stored decisions are ``decide`` on the atoms worked out from the extracts, and
``listing``, ``comments``, ``comment_count`` and ``comments_table`` show what a listed unit
lists, what the search finds, and that no two listed units' lists differ by the comments of
fewer than the threshold of people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import demo.model as demo_model
from dashboard.core import db
from dashboard.core.filters import Filters, Options
from dashboard.features import comments
from pipeline import comment_units, contract
from pipeline.build import build
from pipeline.comment_units import Unit
from tests.conftest import DEMO_EXTRACTS, copy_extracts, opened_database
from tests.oracle import THRESHOLD, read_responses

MIN_COMMENTS = 10
NS = "Not stated"
ATOM_COLUMNS = ["care_group", "service_area", "survey", "respondents", "comments"]


def atoms(*rows: tuple[str, str, str, int, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ATOM_COLUMNS)


def kind(reason: str | None, threshold: int = THRESHOLD, min_comments: int = MIN_COMMENTS) -> str:
    """The decision in one word, from the reason the page shows."""
    if reason is None:
        return "listed"
    if reason == f"it has fewer than {min_comments} comments":
        return "few comments"
    if reason == f"it has fewer than {threshold} responses":
        return "few responses"
    assert f"pinned to fewer than {threshold} people" in reason, reason
    return "small region"


def kinds(decided: dict[Unit, str | None], **limits: int) -> dict[Unit, str]:
    return {unit: kind(reason, **limits) for unit, reason in decided.items()}


def both(care_group: str | None = None, service_area: str | None = None, survey: str = "Staff") -> list[Unit]:
    """The unit for all surveys and for one survey."""
    return [Unit(care_group, service_area, None), Unit(care_group, service_area, survey)]


def expect(**groups: list[Unit]) -> dict[Unit, str]:
    return {unit: name.replace("_", " ") for name, units in groups.items() for unit in units}


# --- decide, on atoms worked out by hand ----------------------------------------------------------------


def test_a_unit_with_too_few_comments_is_not_listed_and_says_why() -> None:
    decided = comment_units.decide(
        atoms(("G1", "A1", "Staff", 30, 5), ("G1", "A2", "Staff", 30, 20)), THRESHOLD, MIN_COMMENTS
    )
    assert kinds(decided) == expect(listed=[*both(), *both("G1"), *both("G1", "A2")], few_comments=both("G1", "A1"))
    assert decided[Unit("G1", "A1")] == "it has fewer than 10 comments"


def test_a_unit_under_the_threshold_is_not_listed() -> None:
    # A1 has enough comments (3) but only 8 people. A1 and A3 are in the same units, so
    # what the wider units hold beyond A2 is 28 people: nothing small is left.
    decided = comment_units.decide(
        atoms(("G1", "A1", "Staff", 8, 3), ("G1", "A2", "Staff", 40, 20), ("G1", "A3", "Staff", 20, 2)),
        THRESHOLD,
        min_comments=3,
    )
    assert kinds(decided, min_comments=3) == expect(
        listed=[*both(), *both("G1"), *both("G1", "A2")], few_responses=both("G1", "A1"), few_comments=both("G1", "A3")
    )
    assert decided[Unit("G1", "A1", "Staff")] == "it has fewer than 10 responses"


def test_each_survey_is_a_unit_of_its_own() -> None:
    decided = comment_units.decide(
        atoms(
            ("G1", "A1", "Staff", 40, 12),
            ("G1", "A1", "Carer", 30, 4),
            ("G1", "A2", "Staff", 20, 10),
            ("G1", "A2", "Carer", 5, 1),
        ),
        THRESHOLD,
        MIN_COMMENTS,
    )
    # No Carer unit has 10 comments. The Trust (all surveys) minus the Trust's Staff survey
    # minus A1 (all surveys) is A2's 5 carers, one with a comment: A2 (25 people) comes off
    # first, then the Trust and G1 (95 each), until those 5 are in no listed unit.
    assert kinds(decided) == expect(
        listed=[Unit(survey="Staff"), Unit("G1", survey="Staff"), *both("G1", "A1"), Unit("G1", "A2", "Staff")],
        small_region=[Unit(), Unit("G1"), Unit("G1", "A2")],
        few_comments=[
            Unit(survey="Carer"),
            Unit("G1", survey="Carer"),
            Unit("G1", "A1", "Carer"),
            Unit("G1", "A2", "Carer"),
        ],
    )


SMALL_REGION = [
    ("G1", "A1", "Staff", 30, 12),
    ("G1", "A2", "Staff", 30, 12),
    ("G1", "A3", "Staff", 5, 3),  # too few comments to be listed: G1 minus A1 and A2 is these 5 people
    ("G2", "B1", "Staff", 40, 15),
    ("G2", "B2", "Staff", 15, 5),  # not listed either, but 15 people
]


def test_a_small_region_takes_the_smallest_listed_unit_around_it_off() -> None:
    # 20 people with no care group: once G1 is off, the Trust minus G2, A1 and A2 is A3 and
    # these 20 together (25 people), which is not small, so the Trust stays listed.
    decided = comment_units.decide(atoms(*SMALL_REGION, (NS, NS, "Staff", 20, 4)), THRESHOLD, MIN_COMMENTS)
    assert kinds(decided) == expect(
        listed=[*both(), *both("G2"), *both("G1", "A1"), *both("G1", "A2"), *both("G2", "B1")],
        small_region=both("G1"),
        few_comments=[*both("G1", "A3"), *both("G2", "B2")],
    )


def test_units_keep_coming_off_while_a_small_region_is_left() -> None:
    # Without the people with no care group, the Trust minus G2, A1 and A2 is A3 alone.
    decided = comment_units.decide(atoms(*SMALL_REGION), THRESHOLD, MIN_COMMENTS)
    assert kinds(decided) == expect(
        listed=[*both("G2"), *both("G1", "A1"), *both("G1", "A2"), *both("G2", "B1")],
        small_region=[*both(), *both("G1")],
        few_comments=[*both("G1", "A3"), *both("G2", "B2")],
    )


def test_no_atoms_no_units_listed() -> None:
    decided = comment_units.decide(atoms(), THRESHOLD, MIN_COMMENTS)
    assert kinds(decided) == {Unit(): "few comments"}


# --- decide, on random atoms: the promise itself --------------------------------------------------------

PLACES = [("G1", "A1"), ("G1", "A2"), ("G1", "A3"), ("G1", NS), ("G2", "B1"), ("G2", "B2"), (NS, NS)]


@st.composite
def random_atoms(draw: st.DrawFn) -> pd.DataFrame:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(PLACES), st.sampled_from(["Staff", "Carer"])),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    rows = []
    for (care_group, area), survey in keys:
        respondents = draw(st.integers(1, 40))
        rows.append((care_group, area, survey, respondents, draw(st.integers(0, respondents))))
    return atoms(*rows)


def members(frame: pd.DataFrame, unit: Unit) -> np.ndarray:
    """Which rows of ``frame`` (atoms or responses) are in the unit."""
    keep = np.ones(len(frame), bool)
    for column, value in (
        ("care_group", unit.care_group),
        ("service_area", unit.service_area),
        ("survey", unit.survey),
    ):
        if value is not None:
            keep &= frame[column].to_numpy(dtype=object) == value
    return keep


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(random_atoms(), st.sampled_from([3, 10]), st.sampled_from([1, 5, 10]))
def test_no_comment_is_pinned_to_fewer_than_the_threshold(
    frame: pd.DataFrame, threshold: int, min_comments: int
) -> None:
    decided = comment_units.decide(frame, threshold, min_comments)
    listed = [unit for unit, reason in decided.items() if reason is None]
    people, said = frame["respondents"].to_numpy(), frame["comments"].to_numpy()
    inside_of = {unit: members(frame, unit) for unit in decided}
    for unit in decided:
        inside = inside_of[unit]
        if unit in listed:
            assert said[inside].sum() >= min_comments and people[inside].sum() >= threshold
        elif decided[unit].endswith("comments"):
            assert said[inside].sum() < min_comments
        elif decided[unit].endswith("responses"):
            assert people[inside].sum() < threshold
    # Whoever compares every list can tell which listed units each comment is in, no more.
    signature = [tuple(inside_of[unit][i] for unit in listed) for i in range(len(frame))]
    for region in set(signature):
        inside = np.array([s == region for s in signature])
        if any(region) and said[inside].sum():
            assert people[inside].sum() >= threshold, region
    # So the comments one list has and another has not come from at least the threshold of people.
    for first, second in itertools.permutations(listed, 2):
        only = inside_of[first] & ~inside_of[second]
        if said[only].sum():
            assert people[only].sum() >= threshold, (first, second)
    # The order of the atoms does not matter.
    assert comment_units.decide(frame.iloc[::-1].reset_index(drop=True), threshold, min_comments) == decided


# --- unit_of: the one unit the filters name --------------------------------------------------------------

OPTIONS = Options(
    {"G1": ("A1", "A2"), "G2": ("B1",)}, dt.date(2021, 2, 1), dt.date(2021, 6, 30), care_groups=("G1", "G2")
)
MONTHS = {"date_from": dt.date(2021, 3, 1), "date_to": dt.date(2021, 4, 30)}


@pytest.mark.parametrize(
    ("filters", "unit"),
    [
        (Filters(), Unit()),
        (Filters(surveys=("Staff",)), Unit(survey="Staff")),
        (Filters(care_groups=("G1",)), Unit("G1")),
        (Filters(care_groups=("G1",), surveys=("Carer",)), Unit("G1", survey="Carer")),
        (Filters(service_areas=("A2",)), Unit("G1", "A2")),
        (Filters(care_groups=("G1",), service_areas=("A2",)), Unit("G1", "A2")),
        (Filters(care_groups=("G1", "G2"), service_areas=("B1",)), Unit("G2", "B1")),
        (Filters(service_areas=("B1",), surveys=("Staff",)), Unit("G2", "B1", "Staff")),
        # Dates and staff groups never narrow a unit.
        (Filters(staff_groups=("Nursing", "Medical"), **MONTHS), Unit()),
        (Filters(care_groups=("G2",), staff_groups=("Nursing",), **MONTHS), Unit("G2")),
        (Filters(service_areas=("A1",), surveys=("Staff",), date_from=dt.date(2021, 6, 1)), Unit("G1", "A1", "Staff")),
    ],
)
def test_unit_of_names_one_unit(filters: Filters, unit: Unit) -> None:
    assert comments.unit_of(filters, OPTIONS) == (unit, None)


@pytest.mark.parametrize(
    ("filters", "reason"),
    [
        (Filters(service_areas=("A1", "A2")), "several service areas are picked"),
        (Filters(care_groups=("G1",), service_areas=("A1", "A2"), **MONTHS), "several service areas are picked"),
        (Filters(care_groups=("G1", "G2")), "several care groups are picked"),
        (Filters(care_groups=("G1", "G2"), staff_groups=("Nursing",)), "several care groups are picked"),
        (Filters(surveys=("Staff", "Carer")), "several surveys are picked"),
        (Filters(care_groups=("G1",), surveys=("Staff", "Carer")), "several surveys are picked"),
        (Filters(service_areas=("B1",), surveys=("Staff", "Carer")), "several surveys are picked"),
    ],
)
def test_unit_of_names_none_for_several(filters: Filters, reason: str) -> None:
    assert comments.unit_of(filters, OPTIONS) == (None, reason)


def test_the_app_and_the_build_share_one_unit() -> None:
    assert comments.Unit is comment_units.Unit


def test_units_describe_themselves(database) -> None:
    assert Unit().describe() == "the whole Trust, all surveys"
    assert Unit("G1", survey="Carer").describe() == "G1, Carer survey"
    assert Unit("G1", "A1").describe() == "A1 (G1), all surveys"


# --- The demo database against the extracts --------------------------------------------------------------


@pytest.fixture(scope="module")
def database(demo_db: Path) -> Iterator[db.Database]:
    yield from opened_database(demo_db)


# The demo's survey waves, oldest first. Units are decided and listed within one wave: every
# test below runs once per wave, on that wave's responses.
DEMO_WAVES = tuple(pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str).sort_values(["opened", "wave_id"])["wave_id"])


@pytest.fixture(scope="module", params=DEMO_WAVES)
def wave(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def responses(wave: str) -> pd.DataFrame:
    frame = read_responses()
    frame = frame[frame["wave"] == wave].copy()  # the wave's responses only
    assert len(frame)
    frame["text"] = frame["comment"].str.strip()  # a comment is its stripped text, when there is any
    return frame


@pytest.fixture(scope="module")
def options(responses: pd.DataFrame) -> Options:
    areas = pd.read_csv(DEMO_EXTRACTS / "service_areas.csv", dtype=str, keep_default_na=False)
    by_group = {g: tuple(sorted(rows["service_area"])) for g, rows in areas.groupby("care_group")}
    everyone = read_responses()
    return Options(
        by_group,
        min(everyone["submitted_on"]),
        max(everyone["submitted_on"]),
        care_groups=demo_model.CARE_GROUPS,
        surveys=demo_model.SURVEYS,
        staff_groups=demo_model.STAFF_GROUPS,
        waves=DEMO_WAVES,
    )


def unit_filters(unit: Unit) -> Filters:
    """How someone picks the unit (in its wave) in the sidebar."""
    surveys = (unit.survey,) if unit.survey else ()
    if unit.service_area:
        return Filters(service_areas=(unit.service_area,), surveys=surveys, wave=unit.wave)
    return Filters(care_groups=(unit.care_group,) if unit.care_group else (), surveys=surveys, wave=unit.wave)


@pytest.fixture(scope="module")
def listings(database, wave: str, responses: pd.DataFrame, options: Options) -> dict[Unit, comments.Listing]:
    """The listing of every unit someone can pick, from the extracts' care groups, areas and surveys."""
    places = [(None, None)] + [(g, None) for g in sorted(set(responses["care_group"]) - {NS})]
    places += sorted(
        {(g, a) for g, a in zip(responses["care_group"], responses["service_area"]) if g != NS and a != NS}
    )
    units = [Unit(g, a, s, wave) for g, a in places for s in [None, *sorted(set(responses["survey"]))]]
    found = {unit: comments.listing(database, unit_filters(unit), options) for unit in units}
    assert all(listing.unit == unit for unit, listing in found.items())
    return found


@pytest.fixture(scope="module")
def listed(listings: dict[Unit, comments.Listing]) -> list[Unit]:
    return [unit for unit, listing in listings.items() if listing.listed]


def texts(responses: pd.DataFrame, unit: Unit) -> list[str]:
    """The unit's comments over the whole period, from the extracts, in order."""
    found = responses.loc[members(responses, unit), "text"]
    return sorted(found[found != ""])


def test_demo_lists_some_units_and_not_others(wave, listings, listed) -> None:
    assert Unit(wave=wave) in listed
    assert any(unit.service_area for unit in listed)  # some service areas list their comments
    assert any(unit.care_group and not unit.service_area for unit in listed)
    reasons = {kind(listing.reason) for listing in listings.values() if not listing.listed}
    assert {"few comments", "small region"} <= reasons  # the demo exercises the region rule


def extract_atoms(responses: pd.DataFrame) -> pd.DataFrame:
    """The wave's atoms worked out from the extracts with pandas: per care group, service area
    ('Not stated' when empty) and survey, the responses and how many of them left a comment."""
    grouped = responses.assign(said=responses["text"] != "").groupby(
        ["care_group", "service_area", "survey"], sort=True
    )
    return grouped.agg(respondents=("response_id", "size"), comments=("said", "sum")).reset_index()[ATOM_COLUMNS]


def test_the_build_made_its_thresholds_known(database) -> None:
    """The decisions below were made with the build's settings, which the app reads from the file."""
    info = database.connection.execute("select threshold, min_comments from release_info").fetchall()
    assert info == [(THRESHOLD, MIN_COMMENTS)]


def test_the_builds_decisions_are_decide_on_the_extracts_atoms(database, wave, responses, listings) -> None:
    """The decisions stored by the build (``comment_units``) for the wave are exactly ``decide`` on the
    atoms worked out from the extracts: every unit, listed or not, with the same reason; and the
    listing of every unit someone can pick says the same."""
    expected = comment_units.decide(extract_atoms(responses), THRESHOLD, MIN_COMMENTS)
    stored = database.query("comment_units", wave=wave)

    def label(value: object) -> str | None:
        return None if value is None or pd.isna(value) else value

    found = {
        Unit(label(g), label(a), label(s)): (None if listed else reason)
        for g, a, s, listed, reason in zip(
            stored["care_group"], stored["service_area"], stored["survey"], stored["listed"], stored["reason"]
        )
    }
    assert found == expected
    assert any(reason is None for reason in expected.values())  # some listed, some not: not a vacuous match
    assert any(reason is not None for reason in expected.values())
    for unit, listing in listings.items():
        assert listing.reason == expected[dataclasses.replace(unit, wave=None)], unit
        assert listing.listed == (listing.reason is None), unit


@pytest.mark.slow
def test_each_decision_agrees_with_the_extracts(responses, listings) -> None:
    for unit, listing in listings.items():
        inside = members(responses, unit)
        said = int((responses.loc[inside, "text"] != "").sum())
        if listing.listed:
            assert listing.reason is None and listing.nearest is None
            assert said >= MIN_COMMENTS and inside.sum() >= THRESHOLD, unit
            continue
        if said < MIN_COMMENTS:
            assert kind(listing.reason) == "few comments", unit
        elif inside.sum() < THRESHOLD:
            assert kind(listing.reason) == "few responses", unit
        else:
            assert kind(listing.reason) == "small region", unit
        # The unit it points to instead is listed, and holds all of this unit's responses.
        assert listing.nearest is not None and listings[listing.nearest].listed, unit
        assert not (inside & ~members(responses, listing.nearest)).any(), unit


def test_a_listed_unit_lists_exactly_its_comments(database, responses, listed) -> None:
    for unit in listed:
        expected = texts(responses, unit)
        frame = comments.comments(database, unit)
        assert list(frame.columns) == ["comment"], unit  # no date, group or answer beside the text
        assert list(frame["comment"]) == expected, unit  # alphabetical, over the whole period
        assert comments.comment_count(database, unit) == len(expected), unit


SEARCHES = ["wi-fi", "WI-FI", "  Wi-Fi  ", "teams", "'", '"', "%", "_", "\\", "' or 1=1 --", "%teams%", "zzzz-nothing"]


@pytest.mark.parametrize("search", SEARCHES)
def test_search_is_literal_and_ignores_case(database, wave, responses, listed, search: str) -> None:
    needle = search.strip().lower()
    for unit in [Unit(wave=wave), Unit("Adult mental health", wave=wave), next(u for u in listed if u.service_area)]:
        assert unit in listed
        expected = [t for t in texts(responses, unit) if needle in t.lower()]
        assert list(comments.comments(database, unit, search)["comment"]) == expected, unit
        assert comments.comment_count(database, unit, search) == len(expected), unit
        # Where the text has it, the Trust's list finds it: a search that matched nothing would show.
        if unit == Unit(wave=wave) and needle in ("wi-fi", "teams", "'", '"'):
            assert expected


def test_search_is_cut_to_a_sensible_length(database, wave, responses) -> None:
    trust = Unit(wave=wave)
    assert comments.comments(database, trust, "a" * 10_000).empty
    assert comments.comment_count(database, trust, "a" * 10_000) == 0
    assert comments.comment_count(database, trust, "wi-fi" + " " * 500) == len(
        [t for t in texts(responses, trust) if "wi-fi" in t.lower()]
    )


def test_the_first_comments_of_the_sorted_list_and_the_count_in_full(database, wave, responses) -> None:
    trust = Unit(wave=wave)
    expected = texts(responses, trust)
    assert len(expected) > comments.COMMENTS_SHOWN  # the page's cap is exercised on the demo
    assert list(comments.comments(database, trust, limit=7)["comment"]) == expected[:7]
    wifi = [t for t in expected if "wi-fi" in t.lower()]
    assert list(comments.comments(database, trust, "wi-fi", limit=3)["comment"]) == wifi[:3]
    assert comments.comment_count(database, trust) == len(expected)


def test_comments_table_has_the_text_and_nothing_else(database, wave, responses) -> None:
    unit = Unit("Adult mental health", wave=wave)
    table = comments.comments_table(comments.comments(database, unit, "teams"))
    assert list(table.columns) == ["Comment"]
    assert list(table["Comment"]) == [t for t in texts(responses, unit) if "teams" in t.lower()]


@pytest.mark.parametrize(
    "narrowing",
    [
        {"date_from": dt.date(2021, 3, 1), "date_to": dt.date(2021, 3, 31)},
        {"date_from": dt.date(2021, 5, 1)},
        {"staff_groups": ("Nursing",)},
        {"staff_groups": ("Nursing", "Medical"), "date_to": dt.date(2021, 4, 30)},
    ],
)
def test_dates_and_staff_groups_never_change_the_list(
    database, wave, responses, options, listings, listed, narrowing: dict
) -> None:
    year = min(responses["submitted_on"]).year  # the months, in the wave's year
    narrowing = {k: v.replace(year=year) if isinstance(v, dt.date) else v for k, v in narrowing.items()}
    for unit in [
        Unit(wave=wave),
        Unit("Adult mental health", wave=wave),
        Unit(survey="Staff", wave=wave),
        next(u for u in listed if u.service_area),
        next(u for u, found in listings.items() if not found.listed),
    ]:
        narrowed = dataclasses.replace(unit_filters(unit), **narrowing)
        assert comments.listing(database, narrowed, options) == listings[unit]
        assert comments.unit_of(narrowed, options) == (dataclasses.replace(unit, wave=None), None)


def test_several_areas_list_nothing_and_point_to_a_listed_unit(database, wave, options, listings) -> None:
    areas = options.service_areas(["Adult mental health"])[:2]
    found = comments.listing(database, Filters(service_areas=areas, wave=wave), options)
    assert (found.unit, found.listed, found.reason) == (None, False, "several service areas are picked")
    assert found.nearest is not None and listings[found.nearest].listed


def test_no_two_listed_units_differ_by_fewer_than_the_threshold(database, responses, listed) -> None:
    """Differencing: the comments one listed unit lists and another does not come from at least
    the threshold of responses (counted in the extracts), so no comment is tied to a few people."""
    lists = {unit: Counter(comments.comments(database, unit)["comment"]) for unit in listed}
    inside = {unit: members(responses, unit) for unit in listed}
    differing = 0
    for first, second in itertools.permutations(listed, 2):
        if lists[first] - lists[second]:
            differing += 1
            assert (inside[first] & ~inside[second]).sum() >= THRESHOLD, (first, second)
    assert differing > len(listed)
    # The same, region by region: responses in exactly the same listed units, with a comment among them.
    signature = pd.Series(list(zip(*(inside[unit] for unit in listed))), index=responses.index)
    for region, rows in responses.groupby(signature):
        if any(region) and (rows["text"] != "").any():
            assert len(rows) >= THRESHOLD, [u for u, on in zip(listed, region) if on]


NO_COMMENTS = ("n/a", "N/A", "None", " - ", "No comment.", "nothing to add", "NIL", "?")


@pytest.mark.slow
def test_a_comment_that_says_nothing_is_neither_counted_nor_released(demo_db: Path, tmp_path: Path) -> None:
    """Every response without a comment given one that says nothing ('n/a', 'None', '-', ...:
    contract.NO_COMMENT): the units listed and the comments released are the demo's, unchanged. Were
    such texts counted, units short of comments would be listed; were they released, they would be
    listed as comments."""
    extracts = copy_extracts(DEMO_EXTRACTS, tmp_path / "extracts")
    path = extracts / "survey_responses.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    empty = frame["comment"].str.strip() == ""
    frame.loc[empty, "comment"] = [NO_COMMENTS[i % len(NO_COMMENTS)] for i in range(int(empty.sum()))]
    assert empty.sum() > 1000
    frame.to_csv(path, index=False)
    build(extracts, tmp_path / "said.duckdb")
    tables = ("comment_units", "release_comments")
    with duckdb.connect(str(demo_db), read_only=True) as before, duckdb.connect(str(tmp_path / "said.duckdb")) as after:
        for table in tables:
            assert (
                after.sql(f"select * from {table} order by all").fetchall()
                == before.sql(f"select * from {table} order by all").fetchall()
            ), table
        assert after.execute(f"select count(*) from release_comments where comment in {NO_COMMENTS}").fetchone() == (0,)


def said(text: str) -> bool:
    """contract.comment_said on one text, in DuckDB."""
    return duckdb.execute(
        f"select {contract.comment_said('c')} from (select $t::varchar as c)", {"t": text}
    ).fetchone()[0]


@pytest.mark.parametrize(
    "text", ["n/a", "N/A", "  None ", "-", "--", "No comment", "No comments.", "Nothing to add", "x", "?"]
)
def test_a_text_that_says_nothing_is_no_comment(text: str) -> None:
    assert not said(text)


@pytest.mark.parametrize("text", ["No wifi on the ward", "None of the printers work", "N/A forms are slow", "Nope"])
def test_a_text_that_says_something_is_a_comment(text: str) -> None:
    assert said(text)
