"""AppTest for the Engagement, Actions, My area and Data and definitions pages.

Each page renders without an exception; a filter change gives the numbers pandas
computes here from the demo extracts; ``service_area=`` in the URL opens My area on
that area; an area under the disclosure threshold shows no survey figure.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_engagement import extracts, reference_engagement, reference_survey_by_area
from dashboard.filters import Filters

PAGES = ROOT / "pages"
THRESHOLD = 10


def page(name: str) -> AppTest:
    # Opened as a page of the app (entry app.py), as a browser would: the shared sidebar
    # links to every page by its path, which only resolves from the entry script.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{name}")
    assert (PAGES / name).is_file()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def number(value: float) -> str:
    """How the page writes a count or hours (ui.format_number), written out here independently."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one st.dataframe on the page having all these columns (read-only tables carry no key)."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables with columns {columns}"
    return found[0]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def area_under_threshold() -> tuple[str, str]:
    reference = reference_survey_by_area("it_skills").set_index(["care_group", "service_area"])
    everything = pd.concat([reference_survey_by_area(m).set_index(["care_group", "service_area"])["n"]
                            for m in ("it_skills", "info_available", "it_unreliable")], axis=1).fillna(0)
    small = everything.loc[(everything.max(axis=1) > 0) & (everything.max(axis=1) < THRESHOLD)]
    small = small.loc[small.index.get_level_values("service_area") != "Not stated"]
    assert len(small) and len(reference)
    group, area = small.index[0]
    return area, group


def area_over_threshold() -> tuple[str, str, pd.Series]:
    reference = reference_survey_by_area("it_unreliable")
    row = reference.loc[(reference["service_area"] != "Not stated") & (reference["n"] >= 40)].iloc[0]
    return row["service_area"], row["care_group"], row


def escaped(text: str) -> str:
    """How a page shows data text in markdown: markup characters escaped (see ui.escape_markdown)."""
    return "".join("\\" + ch if ch in set("\\`*_{}[]<>$:~|&#") else ch for ch in " ".join(text.split()))


# Engagement -----------------------------------------------------------------------------------------


def test_engagement_page_reads_the_published_totals_and_follows_a_care_group(demo_env):
    at = page("4_Engagement.py")
    at.run()
    no_exception(at)
    assert metrics(at) == {"Conversations": "120", "Conversation hours": "102", "Staff engaged": "256",
                           "Service areas covered": "92"}
    assert any("does not apply" in m.value and "survey" in m.value for m in at.info)

    group = "Learning disabilities and forensic"
    at.sidebar.multiselect(key="care_group").set_value([group])
    at.run()
    no_exception(at)
    expected = reference_engagement(Filters(care_groups=(group,)))
    assert metrics(at) == {
        "Conversations": number(expected["conversations"]),
        "Conversation hours": number(expected["conversation_hours"]),
        "Staff engaged": number(expected["staff_engaged"]),
        "Service areas covered": number(expected["service_areas_covered"]),
    }
    # The breakdown table (care group by default) has that one group, with pandas' figures.
    table = table_with(at, "Care group", "Hours", "Staff engaged")
    assert table["Care group"].tolist() == [group]
    assert table["Hours"].iloc[0] == pytest.approx(expected["conversation_hours"])

    at.radio(key="engagement_dimension").set_value("service_area")
    at.run()
    no_exception(at)
    table = table_with(at, "Service area", "Hours", "Staff engaged")
    areas = extracts()["areas"]
    assert sorted(table["Service area"]) == sorted(areas.loc[areas["care_group"] == group, "service_area"])
    assert table["Hours"].sum() == pytest.approx(expected["conversation_hours"])


def test_engagement_page_staff_group_narrows_staff_engaged_only(demo_env):
    at = page("4_Engagement.py")
    at.query_params["staff_group"] = ["Nursing"]
    at.query_params["from"] = ["2021-04-01"]
    at.run()
    no_exception(at)
    expected = reference_engagement(Filters(staff_groups=("Nursing",), date_from=dt.date(2021, 4, 1)))
    shown = metrics(at)
    assert shown["Staff engaged"] == number(expected["staff_engaged"])
    assert shown["Conversations"] == number(expected["conversations"])
    assert shown["Conversation hours"] == number(expected["conversation_hours"])


# Actions --------------------------------------------------------------------------------------------


def test_actions_page_totals_filters_and_search(demo_env):
    at = page("5_Actions_and_quick_wins.py")
    at.run()
    no_exception(at)
    everything = reference_engagement(Filters())
    assert metrics(at) == {
        "Actions raised": "831", "Actions completed": number(everything["actions_completed"]),
        "Quick wins raised": number(everything["quick_wins_raised"]), "Quick wins completed": "213",
    }
    assert len(table_with(at, "title", "days_open")) == 831

    group = "Corporate services"
    at.sidebar.multiselect(key="care_group").set_value([group])
    at.text_input(key="actions_search").set_value("wi-fi")
    at.run()
    no_exception(at)
    expected = reference_engagement(Filters(care_groups=(group,)))
    assert metrics(at)["Actions raised"] == number(expected["actions_raised"])
    assert metrics(at)["Quick wins completed"] == number(expected["quick_wins_completed"])
    actions = extracts()["actions"]
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains("wi-fi", regex=False))
    matching = actions.loc[(actions["care_group"] == group) & contains.any(axis=1)]
    table = table_with(at, "title", "days_open")
    assert len(table) == len(matching) > 0
    assert sorted(table["title"]) == sorted(matching["title"])


def test_actions_page_results_beside_action_leave_small_areas_out(demo_env):
    at = page("5_Actions_and_quick_wins.py")
    at.run()
    no_exception(at)
    assert at.selectbox(key="actions_results_measure").value == "it_unreliable"
    tables = [d.value for d in at.dataframe if "Survey result hidden" in d.value.columns]
    assert len(tables) == 2  # beside the chart (areas shown) and in full
    table = max(tables, key=len).set_index("Service area")
    reference = reference_survey_by_area("it_unreliable").set_index("service_area")
    small = reference.index[(reference["n"] < THRESHOLD) & (reference.index != "Not stated")]
    assert table.loc[small, "Survey result hidden"].all()
    hidden_figures = table.loc[small, ["Responses (n)", "IT too unreliable (%)"]]
    assert ((hidden_figures == "") | hidden_figures.isna()).all().all()  # shown as empty cells
    shown = table.loc[~table["Survey result hidden"].astype(bool)]
    assert (shown["Responses (n)"].astype(int) >= THRESHOLD).all()
    assert shown["Responses (n)"].astype(int).to_dict() == reference.loc[shown.index, "n"].to_dict()
    chart_table = [d.value for d in at.dataframe if "Survey result hidden" in d.value.columns][0]
    assert sorted(chart_table["Service area"]) == sorted(shown.index)
    assert not chart_table["Survey result hidden"].any()


# My area -------------------------------------------------------------------------------------------


def test_my_area_opens_on_the_area_in_the_url_with_independent_figures(demo_env):
    area, group, survey = area_over_threshold()
    at = page("6_My_area.py")
    at.query_params["service_area"] = [area]
    at.run()
    no_exception(at)
    assert at.subheader[0].value == escaped(area)
    assert at.sidebar.multiselect(key="service_area").value == [area]
    engagement_table = at.table[0].value
    expected = reference_engagement(Filters(service_areas=(area,)))
    assert engagement_table.loc["This area", "Conversation hours"] == number(expected["conversation_hours"])
    assert engagement_table.loc["This area", "Actions raised"] == number(expected["actions_raised"])
    assert engagement_table.loc["Trust", "Actions raised"] == "831"
    group_expected = reference_engagement(Filters(care_groups=(group,)))
    assert engagement_table.loc["Its care group", "Staff engaged"] == number(group_expected["staff_engaged"])
    survey_table = at.table[1].value
    percent = (200 * int(survey["positive"]) + int(survey["n"])) // (2 * int(survey["n"]))
    cell = survey_table.loc["IT too unreliable", "This area"]
    assert cell.startswith(f"{percent}% (") and cell.endswith(f", n = {int(survey['n']):,})")
    assert survey_table.loc["IT too unreliable", "Trust"].startswith("65%")
    comparisons = at.table[2].value
    comparison = re.compile(
        r"^(▲ Higher than|▼ Lower than|Not significant:) \d+% \(n = [\d,]+\), p [=<] 0\.\d{2,3}$"
    )
    assert comparisons.map(lambda text: bool(comparison.match(text))).all().all()
    assert any("two-proportion z-test" in m.value for m in at.markdown)


def test_my_area_under_the_threshold_shows_no_survey_figure(demo_env):
    area, group = area_under_threshold()
    at = page("6_My_area.py")
    at.query_params["service_area"] = [area]
    at.run()
    no_exception(at)
    assert at.subheader[0].value == escaped(area)
    survey_table = at.table[1].value
    assert survey_table["This area"].str.startswith("Hidden").all()
    assert not survey_table["This area"].str.contains("%").any()
    comparisons = at.table[2].value
    assert comparisons.map(lambda text: text.startswith("Not shown") and "%" not in text).all().all()
    assert survey_table["This area"].str.contains(f"fewer than {THRESHOLD} responses").any()
    # The care group and Trust are still there.
    assert survey_table["Trust"].str.contains("%").all()


def test_my_area_without_one_area_asks_for_one_and_puts_it_in_the_url(demo_env):
    area, group, _ = area_over_threshold()
    at = page("6_My_area.py")
    at.run()
    no_exception(at)
    assert not at.table
    choose = at.selectbox(key="my_area_choice")
    assert area in choose.options
    choose.set_value(area)
    at.run()
    no_exception(at)
    assert at.sidebar.multiselect(key="service_area").value == [area]
    assert at.query_params.get("service_area") in ([area], area)
    assert at.subheader[0].value == escaped(area)
    assert len(at.table) == 3


# Data and definitions -------------------------------------------------------------------------------


def test_data_and_definitions_page_shows_build_measures_rules_and_settings(demo_env):
    at = page("7_Data_and_definitions.py")
    at.run()
    no_exception(at)
    build = table_with(at, "File", "Rows read")
    files = {f"{name}.csv" for name in ("service_areas", "conversations", "conversation_attendees", "actions",
                                         "survey_responses")}
    assert set(build["File"]) == files
    assert (build["Rows read"] == build["Rows loaded"] + build["Rows rejected"]).all()
    assert build.set_index("File").loc["actions.csv", "Rows loaded"] == 831
    measures_table = at.table[0].value
    assert {"Conversation hours", "IT too unreliable"} <= set(measures_table.index)
    assert measures_table["Definition"].str.len().gt(0).all()
    assert any(f"fewer than **{THRESHOLD}**" in m.value for m in at.markdown)
    assert any("synthetic" in m.value.lower() for m in at.markdown)
    settings = at.table[1].value
    assert settings.loc["DASHBOARD_MIN_GROUP_SIZE", "In use"] == str(THRESHOLD)
