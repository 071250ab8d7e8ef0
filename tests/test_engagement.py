"""Engagement and actions data functions against independent pandas computations.

Expected figures are computed here with pandas straight from the demo extracts
(data/extracts/*.csv), never by calling the code under test; grouped figures
are also checked to add up to engagement_headline (the Overview) for the same
filters. The helpers at the top are shared with the other engagement tests.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
import pytest

from dashboard import db, engagement, measures, my_area
from dashboard.filters import Filters
from pipeline import contract
from pipeline.build import build
from tests.conftest import DEMO_EXTRACTS, SMALL, write_csv

# Independent reference: pandas over the demo extracts ---------------------------------------

POSITIVE = {
    "it_skills": ({"Good", "Very good"}, set()),
    "info_available": ({"Yes"}, {"Don't know"}),
    "it_unreliable": ({"Agree", "Strongly agree"}, set()),
}


@cache
def extracts() -> dict[str, pd.DataFrame]:
    frames = {
        name: pd.read_csv(DEMO_EXTRACTS / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        for name in contract.EXTRACTS
    }
    areas = frames["service_areas"]
    conversations = frames["conversations"].merge(areas, on="service_area")
    conversations["hours"] = conversations["hours"].astype(float)
    conversations["held_on"] = pd.to_datetime(conversations["held_on"])
    attendees = frames["conversation_attendees"].merge(
        conversations[["conversation_id", "held_on", "service_area", "care_group", "format"]], on="conversation_id"
    )
    actions = frames["actions"].merge(areas, on="service_area")
    actions["raised_on"] = pd.to_datetime(actions["raised_on"])
    actions["completed_on"] = pd.to_datetime(actions["completed_on"].replace("", None))
    actions["quick_win"] = actions["quick_win"].str.lower().isin({"yes", "y", "true", "1"})
    return {"areas": areas, "conversations": conversations, "attendees": attendees, "actions": actions,
            "survey": frames["survey_responses"]}


def in_scope(frame: pd.DataFrame, date_column: str, filters: Filters) -> pd.DataFrame:
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


def reference_engagement(filters: Filters) -> dict[str, float]:
    data = extracts()
    conversations = in_scope(data["conversations"], "held_on", filters)
    attendees = in_scope(data["attendees"], "held_on", filters)
    if filters.staff_groups:
        attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    actions = in_scope(data["actions"], "raised_on", filters)
    return {
        "conversations": len(conversations),
        "conversation_hours": conversations["hours"].sum(),
        "staff_engaged": attendees["staff_id"].nunique(),
        "service_areas_covered": conversations["service_area"].nunique(),
        "actions_raised": len(actions),
        "actions_completed": int((actions["status"] == "Completed").sum()),
        "quick_wins_raised": int(actions["quick_win"].sum()),
        "quick_wins_completed": int((actions["quick_win"] & (actions["status"] == "Completed")).sum()),
    }


def reference_survey_by_area(measure: str, surveys=(), staff_groups=()) -> pd.DataFrame:
    """n and positive per (care_group, service_area) over the whole Trust, 'Not stated' for empty."""
    survey = extracts()["survey"]
    if surveys:
        survey = survey.loc[survey["survey"].isin(surveys)]
    if staff_groups:
        survey = survey.loc[survey["staff_group"].isin(staff_groups)]
    positive, excluded = POSITIVE[measure]
    answers = survey.loc[(survey[measure] != "") & ~survey[measure].isin(excluded)]
    answers = answers.assign(
        care_group=answers["care_group"].replace("", "Not stated"),
        service_area=answers["service_area"].replace("", "Not stated"),
        is_positive=answers[measure].isin(positive),
    )
    return answers.groupby(["care_group", "service_area"], as_index=False).agg(
        n=("is_positive", "size"), positive=("is_positive", "sum")
    )


# Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_database(demo_db):
    database = db.Database(demo_db)
    yield database
    database.close()


@pytest.fixture
def demo(demo_database):
    db.pin(demo_database)
    yield demo_database
    db.pin(None)


AMH = "Adult mental health"
CHS = "Community health services"
FILTER_CASES = {
    "none": Filters(),
    "care group": Filters(care_groups=(AMH,)),
    "two care groups, dates": Filters(care_groups=(CHS, "Corporate services"), date_from=dt.date(2021, 3, 1),
                                      date_to=dt.date(2021, 5, 15)),
    "staff groups": Filters(staff_groups=("Nursing", "Management")),
    "dates only": Filters(date_from=dt.date(2021, 4, 1)),
}


def some_areas(count: int = 3) -> tuple[str, ...]:
    return tuple(sorted(extracts()["conversations"]["service_area"].unique())[:count])


# The published figures --------------------------------------------------------------------------


def test_with_no_filters_the_published_engagement_totals_hold(demo):
    groups = engagement.by_group(Filters(), "service_area")
    actions = engagement.actions_summary(Filters())
    assert groups["conversation_hours"].sum() == pytest.approx(102)
    assert int((groups["conversations"] > 0).sum()) == 92  # service areas covered
    assert actions["actions_raised"] == 831
    assert actions["quick_wins_completed"] == 213
    assert measures.engagement_headline(Filters())["staff_engaged"] == 256
    # ... and the same from the extracts, so the demo data and the reference agree too.
    expected = reference_engagement(Filters())
    assert (expected["conversation_hours"], expected["staff_engaged"], expected["actions_raised"],
            expected["service_areas_covered"], expected["quick_wins_completed"]) == (102, 256, 831, 92, 213)


# Grouped figures add up to the Overview's headline ------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
@pytest.mark.parametrize("dimension", engagement.BREAKDOWNS)
def test_grouped_totals_equal_the_headline(demo, filters, dimension):
    headline = measures.engagement_headline(filters)
    groups = engagement.by_group(filters, dimension)
    additive = ("conversations", "conversation_hours", "actions_raised", "quick_wins_completed",
                "service_areas_covered")
    for key in additive:
        assert groups[key].sum() == pytest.approx(headline[key]), key
    # One person may attend in several groups: each group counts them once, the headline once overall.
    assert groups["staff_engaged"].max() <= headline["staff_engaged"] <= groups["staff_engaged"].sum()
    weekly = engagement.by_week(filters)
    assert weekly["conversations"].sum() == headline["conversations"]
    assert weekly["conversation_hours"].sum() == pytest.approx(headline["conversation_hours"])
    formats = engagement.formats(filters)
    assert formats["conversations"].sum() == headline["conversations"]
    assert formats["conversation_hours"].sum() == pytest.approx(headline["conversation_hours"])
    assert engagement.actions_summary(filters)["actions_raised"] == headline["actions_raised"]
    assert engagement.actions_summary(filters)["quick_wins_completed"] == headline["quick_wins_completed"]


# Each breakdown against pandas ---------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_by_care_group_matches_pandas(demo, filters):
    data = extracts()
    conversations = in_scope(data["conversations"], "held_on", filters)
    attendees = in_scope(data["attendees"], "held_on", filters)
    if filters.staff_groups:
        attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    actions = in_scope(data["actions"], "raised_on", filters)
    got = engagement.by_group(filters, "care_group").set_index("care_group")
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


def test_by_service_area_lists_every_area_in_scope_with_its_figures(demo):
    filters = Filters(care_groups=(CHS,), date_to=dt.date(2021, 4, 30))
    data = extracts()
    got = engagement.by_group(filters, "service_area").set_index("service_area")
    areas = data["areas"].loc[data["areas"]["care_group"] == CHS, "service_area"]
    assert sorted(got.index) == sorted(areas)
    conversations = in_scope(data["conversations"], "held_on", filters)
    expected_hours = conversations.groupby("service_area")["hours"].sum().reindex(areas, fill_value=0)
    assert got["conversation_hours"].reindex(areas).tolist() == pytest.approx(expected_hours.tolist())
    assert (got["care_group"] == CHS).all()


def test_by_week_matches_pandas_with_empty_weeks_as_zero(demo):
    filters = Filters(service_areas=some_areas(5))
    conversations = in_scope(extracts()["conversations"], "held_on", filters)
    monday = conversations["held_on"] - pd.to_timedelta(conversations["held_on"].dt.day_of_week, unit="D")
    expected = conversations.groupby(monday)["hours"].sum()
    got = engagement.by_week(filters).set_index("week")
    assert (got.index.day_of_week == 0).all() and got.index.is_monotonic_increasing
    assert got.index.to_series().diff().dropna().eq(pd.Timedelta(days=7)).all()  # no week missing
    assert got["conversation_hours"].reindex(expected.index).tolist() == pytest.approx(expected.tolist())
    assert got.loc[~got.index.isin(expected.index), "conversations"].eq(0).all()
    # The axis is the whole period, whichever areas are picked.
    everything = extracts()["conversations"]["held_on"]
    assert got.index.min() <= everything.min() and got.index.max() > everything.max() - pd.Timedelta(days=7)


def test_formats_and_staff_groups_match_pandas(demo):
    filters = Filters(care_groups=(AMH,), staff_groups=("Nursing", "Allied health professional"))
    data = extracts()
    conversations = in_scope(data["conversations"], "held_on", filters)
    attendees = in_scope(data["attendees"], "held_on", filters)
    attendees = attendees.loc[attendees["staff_group"].isin(filters.staff_groups)]
    formats = engagement.formats(filters).set_index("format")
    expected = conversations.assign(format=conversations["format"].replace("", "Not stated")).groupby("format")
    assert formats["conversations"].to_dict() == expected.size().to_dict()
    by_format = attendees.assign(format=attendees["format"].replace("", "Not stated")).groupby("format")
    staff_by_format = by_format["staff_id"].nunique()
    assert formats["staff_engaged"].to_dict() == staff_by_format.reindex(formats.index, fill_value=0).to_dict()
    reached = engagement.staff_groups(filters).set_index("staff_group")
    assert reached["staff_engaged"].to_dict() == attendees.groupby("staff_group")["staff_id"].nunique().to_dict()
    assert set(reached.index) <= set(filters.staff_groups)


def test_staff_groups_with_no_filter_include_not_stated(demo):
    attendees = extracts()["attendees"]
    reached = engagement.staff_groups(Filters()).set_index("staff_group")
    expected = attendees.assign(staff_group=attendees["staff_group"].replace("", "Not stated")).groupby("staff_group")
    assert reached["staff_engaged"].to_dict() == expected["staff_id"].nunique().to_dict()
    assert reached["attendances"].sum() == len(attendees)


# Actions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("filters", FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_actions_summary_and_themes_match_pandas(demo, filters):
    expected = reference_engagement(filters)
    summary = engagement.actions_summary(filters)
    for key in ("actions_raised", "actions_completed", "quick_wins_raised", "quick_wins_completed"):
        assert summary[key] == expected[key], key
    actions = in_scope(extracts()["actions"], "raised_on", filters)
    got = engagement.actions_by_theme_status(filters).set_index(["theme", "status"])["actions"]
    assert got.to_dict() == actions.groupby(["theme", "status"]).size().to_dict()
    table = engagement.theme_status_table(engagement.actions_by_theme_status(filters))
    assert table["Total"].sum() == expected["actions_raised"]
    assert list(table.columns[1:-1]) == [s for s in contract.STATUSES if s in table.columns]


@pytest.mark.parametrize("period, frequency", [("week", "W-MON"), ("month", "MS")])
def test_completed_over_time_counts_by_completed_on(demo, period, frequency):
    filters = Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 1))
    actions = in_scope(extracts()["actions"], "raised_on", filters)
    done = actions.loc[actions["status"] == "Completed", "completed_on"]
    if period == "month":
        starts = done.dt.to_period("M").dt.start_time
    else:
        starts = done - pd.to_timedelta(done.dt.day_of_week, unit="D")
    expected = starts.value_counts().sort_index()
    got = engagement.completed_over_time(filters, period).set_index("period_start")["actions_completed"]
    assert got.sum() == len(done)
    assert got.reindex(expected.index).tolist() == expected.tolist()
    assert (got.drop(expected.index) == 0).all()


def test_unknown_choices_are_refused_before_reaching_sql(demo):
    with pytest.raises(ValueError):
        engagement.by_group(Filters(), "staff_id")
    with pytest.raises(ValueError):
        engagement.completed_over_time(Filters(), "day'; drop table actions; --")
    with pytest.raises(ValueError):
        engagement.results_beside_action(Filters(), 10, "comment")


@pytest.mark.parametrize("search", ["wi-fi", "TEAMS", "Connectivity", "", "no action has this title", "%", "_"])
def test_action_search_is_plain_text_matching(demo, search):
    filters = Filters(date_from=dt.date(2021, 3, 1))
    actions = in_scope(extracts()["actions"], "raised_on", filters)
    needle = search.lower()
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains(needle, regex=False))
    expected = actions.loc[contains.any(axis=1)]
    got = engagement.action_list(filters, search, dt.date(2021, 7, 9))
    assert sorted(got["action_id"]) == sorted(expected["action_id"])


def test_action_list_days_open_and_completed_flag(demo):
    as_of = dt.date(2021, 7, 9)
    got = engagement.action_list(Filters(), "", as_of).set_index("action_id")
    actions = extracts()["actions"].set_index("action_id")
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


@pytest.mark.parametrize("measure", list(measures.SURVEY_MEASURES))
def test_results_beside_action_show_only_areas_at_or_above_the_threshold(demo, measure):
    threshold = 10
    result = engagement.results_beside_action(Filters(), threshold, measure)
    table = result.table.set_index("service_area")
    reference = reference_survey_by_area(measure).set_index("service_area")
    real = reference.loc[reference.index != "Not stated"]
    shown = table.loc[~table["hidden"]]
    assert len(shown) > 0 and len(table) == len(extracts()["areas"])
    for area, row in shown.iterrows():
        assert row["n"] == real.loc[area, "n"] >= threshold
        assert row["positive"] == real.loc[area, "positive"]
    small = real.index[real["n"] < threshold]
    assert len(small) > 0  # the demo data has small areas
    assert table.loc[small, "hidden"].all()
    assert table.loc[table["hidden"], ["n", "positive", "percent", "share", "low", "high"]].isna().all().all()
    # Complementary suppression: no care group has exactly one area hidden among those with answers.
    answered = table.loc[table.index.isin(real.index)]
    hidden_per_group = answered.groupby("care_group")["hidden"].sum()
    assert (hidden_per_group != 1).all()
    # Actions are shown in full, hidden or not, and the related theme is counted per area.
    actions = extracts()["actions"]
    theme = engagement.MEASURE_THEMES[measure]
    expected_theme = actions.loc[actions["theme"] == theme].groupby("service_area").size()
    assert table["theme_actions"].to_dict() == expected_theme.reindex(table.index, fill_value=0).to_dict()
    assert table["actions_raised"].sum() == 831


def test_results_beside_action_flags_areas_worse_than_the_total_with_few_related_actions(demo):
    result = engagement.results_beside_action(Filters(), 10, "it_unreliable")
    assert result.theme == "Connectivity, performance and security"
    shown = result.shown
    total = result.headline["share"]
    median = shown["theme_actions"].median()
    expected = (shown["share"].astype(float) > total) & (shown["theme_actions"] <= median)
    assert shown["needs_attention"].tolist() == expected.tolist()
    assert expected.any()
    assert not result.table.loc[result.table["hidden"], "needs_attention"].any()


def test_results_beside_action_hide_everything_when_the_filtered_total_is_small(demo):
    small = reference_survey_by_area("it_unreliable")
    area = small.loc[(small["n"] < 10) & (small["service_area"] != "Not stated")].iloc[0]
    filters = Filters(care_groups=(area["care_group"],), service_areas=(area["service_area"],))
    result = engagement.results_beside_action(filters, 10, "it_unreliable")
    assert result.headline["hidden"] and result.shown.empty
    assert result.table["n"].isna().all()


# Data and definitions ------------------------------------------------------------------------------


def test_rejects_summary_gives_reasons_and_lines_never_values(small_extracts, tmp_path):
    secret = "jane.doe@example.nhs.uk"
    attendees = SMALL["conversation_attendees"] + [
        {"conversation_id": "C1", "staff_id": secret, "staff_group": "Nursing"},
        {"conversation_id": "C9", "staff_id": "STF-9", "staff_group": "Nursing"},
    ]
    write_csv(small_extracts / "conversation_attendees.csv", attendees)
    path = tmp_path / "with_rejects.duckdb"
    build(small_extracts, path)
    database = db.Database(path)
    db.pin(database)
    try:
        summary = engagement.rejects_summary()
    finally:
        db.pin(None)
        database.close()
    assert list(summary.columns) == ["file", "column", "reason", "rows_rejected", "first_lines"]
    assert secret not in summary.to_csv()
    staff = summary.loc[summary["column"] == "staff_id"].iloc[0]
    assert staff["file"] == "conversation_attendees.csv" and staff["first_lines"] == "4" and staff["rows_rejected"] == 1
    assert "5" in summary.loc[summary["column"] == "conversation_id", "first_lines"].tolist()


def test_definitions_cover_every_measure_and_setting():
    definitions = engagement.measure_definitions()
    assert len(definitions) == len(measures.ENGAGEMENT_MEASURES) + len(measures.SURVEY_MEASURES)
    assert definitions["Definition"].str.len().gt(0).all()
    settings = engagement.settings_table()
    assert {"DASHBOARD_DB", "DASHBOARD_MIN_GROUP_SIZE"} <= set(settings["Setting"])
    assert "/" not in "".join(settings["In use"])  # the database by file name, not its path on the server


def test_area_survey_matches_pandas_for_surveys_and_staff_groups(demo):
    filters = Filters(surveys=("Staff",), staff_groups=("Nursing",))
    got = my_area.area_survey(filters, 10)
    got = got.loc[got["measure"] == "it_skills"].set_index(["care_group", "service_area"])
    expected = reference_survey_by_area("it_skills", surveys=("Staff",), staff_groups=("Nursing",))
    expected = expected.set_index(["care_group", "service_area"])
    assert got["n"].to_dict() == expected["n"].to_dict()
    assert got["positive"].to_dict() == expected["positive"].to_dict()


@pytest.mark.parametrize("search", ["", "wi-fi", "no action has this title"])
def test_action_count_counts_what_the_full_list_holds(demo, search):
    filters = Filters(date_from=dt.date(2021, 3, 1))
    actions = in_scope(extracts()["actions"], "raised_on", filters)
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains(search, regex=False))
    assert engagement.action_count(filters, search) == int(contains.any(axis=1).sum())


@pytest.mark.parametrize("sort", list(engagement.ACTION_SORTS))
def test_action_list_is_capped_after_sorting_as_asked(demo, sort):
    as_of = dt.date(2021, 7, 9)
    full = engagement.action_list(Filters(), "", as_of, sort)
    first = engagement.action_list(Filters(), "", as_of, sort, limit=25)
    assert len(full) == 831
    assert first["action_id"].tolist() == full["action_id"].tolist()[:25]
    actions = extracts()["actions"]
    key = {"newest": ("raised_on", False), "oldest": ("raised_on", True), "title": ("title", True)}.get(sort)
    if key:  # independently: the first rows hold the extreme values of the sort column
        column, ascending = key
        values = actions[column].sort_values(ascending=ascending).tolist()[:25]
        got = first[column].tolist() if column == "title" else pd.to_datetime(first[column]).tolist()
        assert got == values
    else:
        done = actions["status"] == "Completed"
        open_ = actions["status"].isin(["Not started", "In progress"])
        days = pd.concat([(actions.loc[done, "completed_on"] - actions.loc[done, "raised_on"]).dt.days,
                          (pd.Timestamp(as_of) - actions.loc[open_, "raised_on"]).dt.days.clip(lower=0)])
        assert first["days_open"].tolist() == days.sort_values(ascending=False).tolist()[:25]


def test_action_list_sort_is_checked(demo):
    with pytest.raises(ValueError):
        engagement.action_list(Filters(), "", dt.date(2021, 7, 9), "title; drop table actions")
