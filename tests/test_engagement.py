"""Engagement and actions data functions against independent pandas computations.

Expected figures are computed here with pandas straight from the demo extracts
(data/extracts/*.csv), never by calling the code under test; grouped figures
are also checked to add up to engagement_headline (the Overview) for the same
filters. Survey figures (perturbed) come from tests/oracle.py. The engagement
helpers at the top are shared with the other engagement tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

import demo.model as demo_model
from dashboard.core import db, disclosure, measures
from dashboard.core.filters import Filters
from dashboard.features import about_data, beside_action, engagement
from pipeline import contract
from pipeline.build import build
from tests import oracle
from tests.conftest import SMALL, write_csv

# The strategy theme of the actions related to each headline question, restated from the contract.
RELATED_THEMES = {
    "it_skills": "Digital up-skilling and confidence",
    "info_available": "Information, data management and business intelligence",
    "it_unreliable": "Connectivity, performance and security",
}

# Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_database(demo_db):
    database = db.Database(demo_db)
    yield database
    database.close()


@pytest.fixture
def database(demo_database):
    yield demo_database


AMH = "Adult mental health"
CHS = "Community health services"
FILTER_CASES = {
    "none": Filters(),
    "care group": Filters(care_groups=(AMH,)),
    "two care groups, months": Filters(
        care_groups=(CHS, "Corporate services"), date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31)
    ),
    "staff groups": Filters(staff_groups=("Nursing", "Management")),
    "months only": Filters(date_from=dt.date(2021, 4, 1)),
}


def some_areas(count: int = 3) -> tuple[str, ...]:
    return tuple(sorted(oracle.read_engagement()["conversations"]["service_area"].unique())[:count])


# The published figures --------------------------------------------------------------------------


def test_with_no_filters_the_published_engagement_totals_hold(database):
    groups = engagement.by_group(database, Filters(), "service_area")
    actions = engagement.actions_summary(database, Filters())
    assert groups["conversation_hours"].sum() == pytest.approx(102)
    assert int((groups["conversations"] > 0).sum()) == 92  # service areas covered
    assert actions["actions_raised"] == 831
    assert actions["quick_wins_completed"] == 213
    assert measures.engagement_headline(database, Filters())["staff_engaged"] == 256
    # ... and the same from the extracts, so the demo data and the reference agree too.
    expected = oracle.expected_engagement(Filters())
    assert (
        expected["conversation_hours"],
        expected["staff_engaged"],
        expected["actions_raised"],
        expected["service_areas_covered"],
        expected["quick_wins_completed"],
    ) == (102, 256, 831, 92, 213)


# Grouped figures add up to the Overview's headline ------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
@pytest.mark.parametrize("dimension", engagement.BREAKDOWNS)
def test_grouped_totals_equal_the_headline(database, filters, dimension):
    headline = measures.engagement_headline(database, filters)
    groups = engagement.by_group(database, filters, dimension)
    additive = (
        "conversations",
        "conversation_hours",
        "actions_raised",
        "quick_wins_completed",
        "service_areas_covered",
    )
    for key in additive:
        assert groups[key].sum() == pytest.approx(headline[key]), key
    # One person may attend in several groups: each group counts them once, the headline once overall.
    assert groups["staff_engaged"].max() <= headline["staff_engaged"] <= groups["staff_engaged"].sum()
    weekly = engagement.by_week(database, filters)
    assert weekly["conversations"].sum() == headline["conversations"]
    assert weekly["conversation_hours"].sum() == pytest.approx(headline["conversation_hours"])
    formats = engagement.formats(database, filters)
    assert formats["conversations"].sum() == headline["conversations"]
    assert formats["conversation_hours"].sum() == pytest.approx(headline["conversation_hours"])
    assert engagement.actions_summary(database, filters)["actions_raised"] == headline["actions_raised"]
    assert engagement.actions_summary(database, filters)["quick_wins_completed"] == headline["quick_wins_completed"]


# Each breakdown against pandas ---------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_by_care_group_matches_pandas(database, filters):
    data = oracle.read_engagement()
    conversations = oracle.in_scope(data["conversations"], "held_on", filters)
    attendees = oracle.in_scope(data["attendees"], "held_on", filters)
    if filters.staff_groups:
        attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    actions = oracle.in_scope(data["actions"], "raised_on", filters)
    got = engagement.by_group(database, filters, "care_group").set_index("care_group")
    expected_groups = filters.care_groups or tuple(sorted(data["areas"]["care_group"].unique()))
    assert sorted(got.index) == sorted(expected_groups)
    for group in expected_groups:
        row = got.loc[group]
        mine = conversations.loc[conversations["care_group"] == group]
        assert row["conversations"] == len(mine)
        assert row["conversation_hours"] == pytest.approx(mine["hours"].sum())
        assert row["staff_engaged"] == attendees.loc[attendees["care_group"] == group, "staff_id"].nunique()
        group_actions = actions.loc[actions["care_group"] == group]
        assert row["actions_raised"] == len(group_actions)
        assert row["actions_completed"] == (group_actions["status"] == "Completed").sum()
        assert row["share_completed"] == pytest.approx((group_actions["status"] == "Completed").mean())


def test_by_service_area_lists_every_area_in_scope_with_its_figures(database):
    filters = Filters(care_groups=(CHS,), date_to=dt.date(2021, 4, 30))  # to the end of April
    data = oracle.read_engagement()
    got = engagement.by_group(database, filters, "service_area").set_index("service_area")
    areas = data["areas"].loc[data["areas"]["care_group"] == CHS, "service_area"]
    assert sorted(got.index) == sorted(areas)
    conversations = oracle.in_scope(data["conversations"], "held_on", filters)
    expected_hours = conversations.groupby("service_area")["hours"].sum().reindex(areas, fill_value=0)
    assert got["conversation_hours"].reindex(areas).tolist() == pytest.approx(expected_hours.tolist())
    assert (got["care_group"] == CHS).all()


def test_by_week_matches_pandas_with_empty_weeks_as_zero(database):
    filters = Filters(service_areas=some_areas(5))
    conversations = oracle.in_scope(oracle.read_engagement()["conversations"], "held_on", filters)
    monday = conversations["held_on"] - pd.to_timedelta(conversations["held_on"].dt.day_of_week, unit="D")
    expected = conversations.groupby(monday)["hours"].sum()
    got = engagement.by_week(database, filters).set_index("week")
    assert (got.index.day_of_week == 0).all() and got.index.is_monotonic_increasing
    assert got.index.to_series().diff().dropna().eq(pd.Timedelta(days=7)).all()  # no week missing
    assert got["conversation_hours"].reindex(expected.index).tolist() == pytest.approx(expected.tolist())
    assert got.loc[~got.index.isin(expected.index), "conversations"].eq(0).all()
    # The axis is the whole period, whichever areas are picked.
    everything = oracle.read_engagement()["conversations"]["held_on"]
    assert got.index.min() <= everything.min() and got.index.max() > everything.max() - pd.Timedelta(days=7)


def test_formats_and_staff_groups_match_pandas(database):
    filters = Filters(care_groups=(AMH,), staff_groups=("Nursing", "Allied health professional"))
    data = oracle.read_engagement()
    conversations = oracle.in_scope(data["conversations"], "held_on", filters)
    attendees = oracle.in_scope(data["attendees"], "held_on", filters)
    attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    formats = engagement.formats(database, filters).set_index("format")
    expected = conversations.assign(format=conversations["format"].replace("", "Not stated")).groupby("format")
    assert formats["conversations"].to_dict() == expected.size().to_dict()
    by_format = attendees.assign(format=attendees["format"].replace("", "Not stated")).groupby("format")
    staff_by_format = by_format["staff_id"].nunique()
    assert formats["staff_engaged"].to_dict() == staff_by_format.reindex(formats.index, fill_value=0).to_dict()
    reached = engagement.staff_groups(database, filters).set_index("staff_group")
    assert reached["staff_engaged"].to_dict() == attendees.groupby("staff_group")["staff_id"].nunique().to_dict()
    assert set(reached.index) <= set(filters.staff_groups)


def test_staff_groups_with_no_filter_include_not_stated(database):
    attendees = oracle.read_engagement()["attendees"]
    reached = engagement.staff_groups(database, Filters()).set_index("staff_group")
    expected = attendees.assign(staff_group=attendees["staff_group"].replace("", "Not stated")).groupby("staff_group")
    assert reached["staff_engaged"].to_dict() == expected["staff_id"].nunique().to_dict()
    assert reached["attendances"].sum() == len(attendees)


# Actions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_actions_summary_and_themes_match_pandas(database, filters):
    expected = oracle.expected_engagement(filters)
    summary = engagement.actions_summary(database, filters)
    for key in ("actions_raised", "actions_completed", "quick_wins_raised", "quick_wins_completed"):
        assert summary[key] == expected[key], key
    actions = oracle.in_scope(oracle.read_engagement()["actions"], "raised_on", filters)
    got = engagement.actions_by_theme_status(database, filters).set_index(["theme", "status"])["actions"]
    assert got.to_dict() == actions.groupby(["theme", "status"]).size().to_dict()
    table = engagement.theme_status_table(engagement.actions_by_theme_status(database, filters), demo_model.STATUSES)
    assert table["Total"].sum() == expected["actions_raised"]
    assert list(table.columns[1:-1]) == [s for s in demo_model.STATUSES if s in table.columns]


@pytest.mark.parametrize("period, frequency", [("week", "W-MON"), ("month", "MS")])
def test_completed_over_time_counts_by_completed_on(database, period, frequency):
    filters = Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 1))
    actions = oracle.in_scope(oracle.read_engagement()["actions"], "raised_on", filters)
    done = actions.loc[actions["status"] == "Completed", "completed_on"]
    if period == "month":
        starts = done.dt.to_period("M").dt.start_time
    else:
        starts = done - pd.to_timedelta(done.dt.day_of_week, unit="D")
    expected = starts.value_counts().sort_index()
    got = engagement.completed_over_time(database, filters, period).set_index("period_start")["actions_completed"]
    assert got.sum() == len(done)
    assert got.reindex(expected.index).tolist() == expected.tolist()
    assert (got.drop(expected.index) == 0).all()


def test_unknown_choices_are_refused_before_reaching_sql(database):
    with pytest.raises(ValueError):
        engagement.by_group(database, Filters(), "staff_id")
    with pytest.raises(ValueError):
        engagement.completed_over_time(database, Filters(), "day'; drop table actions; --")
    with pytest.raises(ValueError):
        beside_action.results_beside_action(database, Filters(), "comment")


@pytest.mark.parametrize("search", ["wi-fi", "TEAMS", "Connectivity", "", "no action has this title", "%", "_"])
def test_action_search_is_plain_text_matching(database, search):
    filters = Filters(date_from=dt.date(2021, 3, 1))
    actions = oracle.in_scope(oracle.read_engagement()["actions"], "raised_on", filters)
    needle = search.lower()
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains(needle, regex=False))
    expected = actions.loc[contains.any(axis=1)]
    got = engagement.action_list(database, filters, search, dt.date(2021, 7, 9))
    assert sorted(got["action_id"]) == sorted(expected["action_id"])


def test_action_list_days_open_and_completed_flag(database):
    as_of = dt.date(2021, 7, 9)
    got = engagement.action_list(database, Filters(), "", as_of).set_index("action_id")
    actions = oracle.read_engagement()["actions"].set_index("action_id")
    assert len(got) == 831
    completed = actions["status"] == "Completed"
    expected_done = (actions.loc[completed, "completed_on"] - actions.loc[completed, "raised_on"]).dt.days
    assert got.loc[expected_done.index, "days_open"].tolist() == expected_done.tolist()
    still_open = actions["status"].isin(["Not started", "In progress"])
    expected_open = (pd.Timestamp(as_of) - actions.loc[still_open, "raised_on"]).dt.days.clip(lower=0)
    assert got.loc[expected_open.index, "days_open"].tolist() == expected_open.tolist()
    assert got.loc[actions.index[actions["status"] == "Closed"], "days_open"].isna().all()
    assert got["completed"].tolist() == (got["status"] == "Completed").tolist()


# Results beside action --------------------------------------------------------------------------------

THRESHOLD = oracle.THRESHOLD
BESIDE_FILTERS = {
    "none": Filters(),
    # each area's figure sums its two staff groups' released parts; the months narrow the actions only
    "care group, staff groups, months": Filters(
        care_groups=(CHS,),
        staff_groups=("Nursing", "Allied health professional"),
        date_from=dt.date(2021, 3, 1),
        date_to=dt.date(2021, 5, 31),
        wave=oracle.PUBLISHED_WAVE,
    ),
    "care group, staff survey": Filters(care_groups=("Corporate services",), surveys=("Staff",), wave="2023"),
}
SURVEY_FIGURES = ["n", "positive", "share", "percent", "low", "high"]


def survey_side(filters: Filters) -> Filters:
    """What the survey side of results beside action follows per area: the surveys, staff groups and
    wave over the whole wave (the care group and service area filters pick the areas listed; months
    narrow the actions only)."""
    return Filters(surveys=filters.surveys, staff_groups=filters.staff_groups, wave=filters.wave)


def expected_beside(responses: pd.DataFrame, released: oracle.Released, filters: Filters, measure: str) -> pd.DataFrame:
    """Per service area in scope, from the oracle and the extracts: the area's released n and positive
    (summed over its released parts; NA when none is released), hidden and why, related-theme actions
    and needs_attention."""
    areas = oracle.read_engagement()["areas"]
    if filters.care_groups:
        areas = areas.loc[areas["care_group"].isin(filters.care_groups)]
    if filters.service_areas:
        areas = areas.loc[areas["service_area"].isin(filters.service_areas)]
    per_area = oracle.expected_breakdown(responses, measure, "service_area", survey_side(filters), released)
    table = areas[["service_area", "care_group"]].copy()
    figures = [per_area[(g, a)] for g, a in zip(table["care_group"], table["service_area"])]
    table["n"] = [n for n, _ in figures]
    table["positive"] = [p for _, p in figures]
    headline_n, headline_positive, _ = oracle.expected_headline(responses, measure, filters, released)
    actions = oracle.in_scope(oracle.read_engagement()["actions"], "raised_on", filters)
    theme = actions.loc[actions["theme"] == RELATED_THEMES[measure]].groupby("service_area").size()
    table["theme_actions"] = table["service_area"].map(theme).fillna(0).astype(int)
    table["hidden_reason"] = [
        f"the filtered total is hidden ({disclosure.HIDDEN})"
        if headline_n is None
        else disclosure.HIDDEN
        if pd.isna(n)
        else None
        for n in table["n"]
    ]
    table["hidden"] = table["hidden_reason"].notna()
    shown = ~table["hidden"]
    share = table["positive"].astype(float) / table["n"].astype(float)
    total = headline_positive / headline_n if headline_n else float("nan")
    worse = share > total if measure == "it_unreliable" else share < total
    median = table.loc[shown, "theme_actions"].median()
    table["needs_attention"] = shown & worse.fillna(False) & (table["theme_actions"] <= median)
    return table.set_index("service_area")


@pytest.mark.slow
@pytest.mark.parametrize("filters", BESIDE_FILTERS.values(), ids=BESIDE_FILTERS.keys())
@pytest.mark.parametrize("measure", contract.LEGACY_ANSWER_COLUMNS)
def test_results_beside_action_match_the_oracle(database, responses, release, filters, measure):
    result = beside_action.results_beside_action(database, filters, measure)
    table = result.table.set_index("service_area")
    expected = expected_beside(responses, release, filters, measure)
    assert sorted(table.index) == sorted(expected.index)  # every area in scope, answered or not
    table = table.loc[expected.index]
    assert table["hidden"].tolist() == expected["hidden"].tolist()
    assert table["hidden_reason"].fillna("").tolist() == expected["hidden_reason"].fillna("").tolist()
    shown = expected.index[~expected["hidden"]]
    assert len(shown) > 0 and expected["hidden"].any()
    assert table.loc[shown, "n"].tolist() == expected.loc[shown, "n"].astype(int).tolist()
    assert table.loc[shown, "positive"].tolist() == expected.loc[shown, "positive"].astype(int).tolist()
    pairs = zip(expected.loc[shown, "positive"], expected.loc[shown, "n"])
    assert table.loc[shown, "percent"].tolist() == [oracle.percent_half_up(int(p), int(n)) for p, n in pairs]
    # Hidden survey figures are missing values in numeric columns, on screen and in the download.
    assert table.loc[table["hidden"], SURVEY_FIGURES].isna().all().all()
    for column in SURVEY_FIGURES:
        assert pd.api.types.is_numeric_dtype(table[column]), column
    display = result.display_table(measures.survey_measures(database)[measure].title)
    assert pd.api.types.is_numeric_dtype(display["Responses (n)"])
    assert display.loc[display["Survey result hidden"], "Responses (n)"].isna().all()
    # Actions describe meetings: shown in full beside every area, hidden or not.
    assert table["theme_actions"].tolist() == expected["theme_actions"].tolist()
    assert table["actions_raised"].sum() == oracle.expected_engagement(filters)["actions_raised"]
    # Needs attention: shown, worse than the filtered total, no more related actions than the median area shown.
    assert table["needs_attention"].tolist() == expected["needs_attention"].tolist()
    assert result.median_theme_actions == expected.loc[shown, "theme_actions"].median()


def test_results_beside_action_show_each_areas_whole_wave_figure_whatever_the_months(database, responses, release):
    """The survey side is each area's released figure over the whole wave with the page's surveys and
    staff groups: months narrow the actions beside it, never the survey figures, and the care group
    filter only picks the areas listed (an area's figure is the same under the Trust)."""
    wave = oracle.PUBLISHED_WAVE
    whole = Filters(care_groups=(CHS,), staff_groups=("Nursing",), wave=wave)
    spring = dataclasses.replace(whole, date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 4, 30))
    survey_columns = ["service_area", *SURVEY_FIGURES, "hidden", "hidden_reason"]
    got = beside_action.results_beside_action(database, whole, "it_skills").table
    narrowed = beside_action.results_beside_action(database, spring, "it_skills").table
    pd.testing.assert_frame_equal(narrowed[survey_columns], got[survey_columns])
    assert narrowed["actions_raised"].sum() < got["actions_raised"].sum()  # the months were live
    trust = beside_action.results_beside_action(database, Filters(staff_groups=("Nursing",), wave=wave), "it_skills")
    pd.testing.assert_frame_equal(
        trust.table.loc[trust.table["care_group"] == CHS, survey_columns].reset_index(drop=True), got[survey_columns]
    )
    # Each shown area's figure is its released Nursing group over the wave, not one narrowed to the months.
    shown = got.loc[~got["hidden"]]
    assert len(shown)
    for area, n, positive in zip(shown["service_area"], shown["n"], shown["positive"]):
        group = (wave, "answers", CHS, area, None, "Nursing", None)
        assert release.shows(group, "it_skills")
        assert (n, positive) == oracle.group_figures(oracle.members(responses, group), "it_skills")


def test_needs_attention_depends_on_both_the_result_and_the_related_actions(database, responses, release):
    # The demo data have areas flagged, and areas as bad whose related actions keep them unflagged.
    expected = expected_beside(responses, release, Filters(), "it_unreliable")
    headline_n, headline_positive, _ = oracle.expected_headline(responses, "it_unreliable", Filters(), release)
    shown = expected.loc[~expected["hidden"]]
    worse = shown.loc[shown["positive"] / shown["n"] > headline_positive / headline_n]
    assert worse["needs_attention"].any() and not worse["needs_attention"].all()
    result = beside_action.results_beside_action(database, Filters(), "it_unreliable")
    flagged = result.table.loc[result.table["needs_attention"], "service_area"]
    assert sorted(flagged) == sorted(worse.index[worse["needs_attention"]])
    assert result.theme == "Connectivity, performance and security"


def test_results_beside_action_hide_everything_when_the_filtered_total_is_small(database, responses, release):
    wave = responses.attrs["latest_wave"]
    group, area = next(
        (g, a)
        for g, areas in oracle.structure().items()
        for a in areas
        if len(oracle.members(responses, (wave, "answers", g, a, None, None, None)))
        and not release.shows((wave, "answers", g, a, None, None, None), "it_unreliable")
    )
    filters = Filters(care_groups=(group,), service_areas=(area,))
    assert oracle.expected_headline(responses, "it_unreliable", filters, release)[0] is None
    result = beside_action.results_beside_action(database, filters, "it_unreliable")
    assert result.headline["hidden"] and result.shown.empty
    assert result.table["service_area"].tolist() == [area]
    assert result.table[SURVEY_FIGURES].isna().all().all()
    assert (result.table["hidden_reason"] == f"the filtered total is hidden ({disclosure.HIDDEN})").all()
    assert not result.table["needs_attention"].any()


# Data and definitions ------------------------------------------------------------------------------


def test_rejects_summary_gives_reasons_and_lines_never_values(small_extracts, tmp_path):
    secret = "jane.doe@example.nhs.uk"
    attendees = SMALL["conversation_attendees"] + [
        {"conversation_id": "C1", "staff_id": secret, "staff_group": "Nursing"},
        {"conversation_id": "C9", "staff_id": "STF-9", "staff_group": "Nursing"},
    ]
    write_csv(small_extracts / "conversation_attendees.csv", attendees)
    path = tmp_path / "with_rejects.duckdb"
    build(small_extracts, path, accept_rejects=True)
    database = db.Database(path)
    try:
        summary = about_data.rejects_summary(database)
    finally:
        database.close()
    assert list(summary.columns) == ["file", "column", "reason", "rows_rejected", "first_lines"]
    assert secret not in summary.to_csv()
    staff = summary.loc[summary["column"] == "staff_id"].iloc[0]
    assert staff["file"] == "conversation_attendees.csv" and staff["first_lines"] == "4" and staff["rows_rejected"] == 1
    assert "5" in summary.loc[summary["column"] == "conversation_id", "first_lines"].tolist()


def test_definitions_name_the_published_measures(database):
    definitions = about_data.measure_definitions(database).set_index("Measure")
    # The Overview's eight published measures (the contract's "Headline measures"), by name, the
    # engagement figures the Engagement, Actions and My area pages show beside them, and every other
    # question of the demo's bank (the 2023 wave's patient record question).
    published = {
        "Conversation hours",
        "Staff engaged",
        "Actions raised",
        "Service areas covered",
        "Quick wins completed",
    }
    assert {m.title for m in measures.OVERVIEW_ENGAGEMENT} == published
    engagement_titles = published | {"Conversations", "Actions completed", "Quick wins raised"}
    survey_titles = {"IT skills rated good", "Information available", "IT too unreliable"}
    bank_titles = survey_titles | {"Confident with the patient record"}
    assert set(definitions.index) == engagement_titles | bank_titles
    assert set(definitions.index[definitions["Kind"] == "Survey"]) == bank_titles
    assert definitions["Definition"].str.len().gt(0).all()
    assert definitions.loc[sorted(survey_titles), "Question"].str.len().gt(0).all()
    assert "Don't know" in definitions.loc["Information available", "Definition"]  # not counted in the base


def test_settings_table_shows_values_in_use_but_no_path_and_no_key(small_extracts, tmp_path, monkeypatch):
    """The disclosure thresholds are the build's: the table shows the value the database was built with,
    whatever the app's environment says; the database by file name only; never the key."""
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "25")
    monkeypatch.setenv("DASHBOARD_PERTURBATION_KEY", "a-secret-perturbation-key-of-enough-length")
    monkeypatch.delenv("DASHBOARD_MIN_COMMENTS", raising=False)
    path = tmp_path / "built_with_25.duckdb"
    build(small_extracts, path)
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "7")  # set for the app: changes nothing
    monkeypatch.setenv("DASHBOARD_DB", "/srv/private/folder/engagement-live.duckdb")
    database = db.Database(path)
    try:
        settings = about_data.settings_table(database).set_index("Setting")
    finally:
        database.close()
    assert settings.loc["DASHBOARD_DB", "In use"] == "engagement-live.duckdb"  # by file name only
    assert settings.loc["DASHBOARD_MIN_GROUP_SIZE", "In use"] == "25 (when the database was built)"
    assert settings.loc["DASHBOARD_MIN_COMMENTS", "In use"] == (
        f"{settings.loc['DASHBOARD_MIN_COMMENTS', 'Default']} (when the database was built)"
    )
    # The build's memory is not recorded in the database: the app's environment would be a guess.
    assert settings.loc["DASHBOARD_BUILD_MEMORY", "In use"] == "wherever the build runs"
    text = settings.to_csv()
    assert "/srv/private" not in text and "a-secret-perturbation-key" not in text


@pytest.mark.parametrize("search", ["", "wi-fi", "no action has this title"])
def test_action_count_counts_what_the_full_list_holds(database, search):
    filters = Filters(date_from=dt.date(2021, 3, 1))
    actions = oracle.in_scope(oracle.read_engagement()["actions"], "raised_on", filters)
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains(search, regex=False))
    assert engagement.action_count(database, filters, search) == int(contains.any(axis=1).sum())


@pytest.mark.parametrize("sort", list(engagement.ACTION_SORTS))
def test_action_list_is_capped_after_sorting_as_asked(database, sort):
    as_of = dt.date(2021, 7, 9)
    full = engagement.action_list(database, Filters(), "", as_of, sort)
    first = engagement.action_list(database, Filters(), "", as_of, sort, limit=25)
    assert len(full) == 831
    assert first["action_id"].tolist() == full["action_id"].tolist()[:25]
    actions = oracle.read_engagement()["actions"]
    key = {"newest": ("raised_on", False), "oldest": ("raised_on", True), "title": ("title", True)}.get(sort)
    if key:  # independently: the first rows hold the extreme values of the sort column
        column, ascending = key
        values = actions[column].sort_values(ascending=ascending).tolist()[:25]
        got = first[column].tolist() if column == "title" else pd.to_datetime(first[column]).tolist()
        assert got == values
    else:
        done = actions["status"] == "Completed"
        open_ = actions["status"].isin(["Not started", "In progress"])
        days = pd.concat(
            [
                (actions.loc[done, "completed_on"] - actions.loc[done, "raised_on"]).dt.days,
                (pd.Timestamp(as_of) - actions.loc[open_, "raised_on"]).dt.days.clip(lower=0),
            ]
        )
        assert first["days_open"].tolist() == days.sort_values(ascending=False).tolist()[:25]


def test_action_list_sort_is_checked(database):
    with pytest.raises(ValueError):
        engagement.action_list(database, Filters(), "", dt.date(2021, 7, 9), "title; drop table actions")


def test_a_filter_states_rows_are_kept_with_the_cube_of_its_file(database, demo_db) -> None:
    """The last few filter states' rows live in the cube (so they go when its file's Database
    does): asked again, the same rows come back; a fifth state drops the oldest; another open
    Database of the same file has its own."""
    from dashboard.core import engagement_cube

    cube = engagement_cube.of(database)
    first = engagement_cube.filtered(cube, Filters(care_groups=(AMH,)))
    assert engagement_cube.filtered(cube, Filters(care_groups=(AMH,))) is first
    for group in demo_model.CARE_GROUPS[1 : 1 + engagement_cube.STATES_KEPT]:
        engagement_cube.filtered(cube, Filters(care_groups=(group,)))
    assert len(cube.states) == engagement_cube.STATES_KEPT
    assert Filters(care_groups=(AMH,)) not in cube.states
    again = engagement_cube.filtered(cube, Filters(care_groups=(AMH,)))
    assert again is not first and (again.actions == first.actions).all()
    other = db.Database(demo_db)
    try:
        assert not engagement_cube.of(other).states
    finally:
        other.close()
