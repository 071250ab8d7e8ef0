"""The three survey theme pages in AppTest on the demo database.

Expected numbers are computed in the test from the demo extracts with pandas
(tests.test_survey's independent helpers), never by the code under test.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.filters import Filters
from tests.conftest import ROOT
from tests.test_survey import (
    AMH,
    CHS,
    PUBLISHED,
    THRESHOLD,
    expected_groups,
    expected_headline,
    filtered,
    read_responses,
    small_area,
)

PAGES = {
    "it_skills": "1_Digital_skills.py",
    "info_available": "2_Information_to_run_services.py",
    "it_unreliable": "3_IT_reliability.py",
}


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_responses()


def page(measure: str) -> AppTest:
    # Opened as a page of the app (entry app.py), as a browser would: the shared sidebar
    # links to every page by its path, which only resolves from the entry script.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{PAGES[measure]}")
    return at


def metric(at: AppTest, label: str) -> str:
    (value,) = [m.value for m in at.metric if m.label == label]
    return value


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def assert_ran_cleanly(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("measure", list(PAGES))
def test_page_renders_and_a_sidebar_filter_changes_the_numbers(demo_env, responses, measure: str) -> None:
    at = page(measure)
    at.run()
    assert_ran_cleanly(at)
    n, _, percent = expected_headline(responses, measure)
    assert percent == PUBLISHED[measure]
    assert metric(at, "This selection") == metric(at, "Whole Trust") == f"{percent}%"
    assert f"n = {n:,} · 95% CI" in markdown(at)[1]
    assert not at.warning
    assert at.segmented_control(key="breakdown").value == "care_group"
    assert len(at.get("vega_lite_chart")) == 3  # answers, breakdown, trend

    at.sidebar.multiselect(key="care_group").set_value([AMH]).run()
    assert_ran_cleanly(at)
    n_amh, _, percent_amh = expected_headline(responses, measure, Filters(care_groups=(AMH,)))
    assert metric(at, "This selection") == f"{percent_amh}%"
    assert metric(at, "Whole Trust") == f"{percent}%"
    assert any(f"Of {n_amh:,} people who answered, {percent_amh}%" in text for text in markdown(at))

    at.sidebar.multiselect(key="survey").set_value(["Staff"]).run()
    assert_ran_cleanly(at)
    _, _, percent_staff = expected_headline(responses, measure, Filters(care_groups=(AMH,), surveys=("Staff",)))
    assert metric(at, "This selection") == f"{percent_staff}%"


@pytest.mark.parametrize("measure", list(PAGES))
def test_a_link_opens_with_its_filters_set(demo_env, responses, measure: str) -> None:
    at = page(measure)
    at.query_params["care_group"] = [CHS]
    at.query_params["survey"] = ["Staff", "Digital champion"]
    at.query_params["from"] = ["2021-03-01"]
    at.query_params["breakdown"] = ["Staff group"]
    at.run()
    assert_ran_cleanly(at)
    assert at.sidebar.multiselect(key="care_group").value == [CHS]
    assert at.sidebar.multiselect(key="survey").value == ["Staff", "Digital champion"]
    assert str(at.sidebar.date_input(key="from").value) == "2021-03-01"
    assert at.segmented_control(key="breakdown").value == "staff_group"
    filters = Filters(care_groups=(CHS,), surveys=("Staff", "Digital champion"),
                      date_from=pd.Timestamp("2021-03-01").date())
    _, _, percent = expected_headline(responses, measure, filters)
    assert metric(at, "This selection") == f"{percent}%"
    assert not at.warning


@pytest.mark.parametrize("measure", list(PAGES))
def test_bad_link_values_give_a_notice_not_an_error(demo_env, responses, measure: str) -> None:
    at = page(measure)
    at.query_params["care_group"] = ["Nope"]
    at.query_params["survey"] = ["' or 1=1 --"]
    at.query_params["staff_group"] = ["Nursing", "x" * 5000]
    at.query_params["from"] = ["2021-02-30"]
    at.query_params["breakdown"] = ["response_id"]
    at.run()
    assert_ran_cleanly(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "care_group='Nope'" in warnings
    assert "survey=\"' or 1=1 --\"" in warnings
    assert "from='2021-02-30'" in warnings
    assert "staff_group='xxxx" in warnings
    assert at.segmented_control(key="breakdown").value == "care_group"
    _, _, percent = expected_headline(responses, measure, Filters(staff_groups=("Nursing",)))
    assert metric(at, "This selection") == f"{percent}%"


def test_small_selection_is_hidden_with_its_reason(demo_env, responses) -> None:
    area = small_area(responses, "it_skills")
    at = page("it_skills")
    at.query_params["service_area"] = [area]
    at.run()
    assert_ran_cleanly(at)
    assert metric(at, "This selection") == "Hidden"
    assert metric(at, "Whole Trust") == "39%"
    assert any("Hidden: fewer than 10 responses" in text for text in markdown(at))
    assert any(f"Fewer than {THRESHOLD} people in this selection" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")
    assert not at.dataframe
    assert not [t for t in at.text_input if t.key == "comment_search"]


def test_breakdown_by_service_area_lists_the_hidden_areas(demo_env, responses) -> None:
    at = page("info_available")
    at.run()
    at.segmented_control(key="breakdown").set_value("service_area").run()
    assert_ran_cleanly(at)
    sizes = expected_groups(responses, "info_available", ["care_group", "service_area"])
    small = sizes.loc[(sizes["n"] < THRESHOLD) & (sizes["service_area"] != "Not stated"), "service_area"]
    hidden_text = " ".join(text for text in markdown(at) if text.startswith("**Hidden"))
    assert len(small) and all(area in hidden_text for area in small)
    assert "**Hidden, fewer than 10 responses:**" in hidden_text
    (sentence,) = [text for text in markdown(at) if "service areas shown" in text]
    shown, hidden = re.search(r"in the (\d+) service areas shown.*; (\d+) service areas are hidden", sentence).groups()
    assert int(shown) + int(hidden) == len(sizes)
    assert int(hidden) >= len(small)


def test_comment_search(demo_env, responses) -> None:
    at = page("it_unreliable")
    at.query_params["care_group"] = [AMH]
    at.run()
    at.text_input(key="comment_search").input("WI-FI").run()
    assert_ran_cleanly(at)
    rows = filtered(responses, Filters(care_groups=(AMH,)))
    rows = rows[(rows["it_unreliable"] != "") & rows["comment"].str.lower().str.contains("wi-fi", regex=False)]
    assert len(rows) > 0
    assert any(text.startswith(f"{len(rows):,} comments containing “WI-FI”") for text in markdown(at))
    (table,) = [d for d in at.dataframe if list(d.value.columns) == ["Comment"]]
    assert sorted(table.value["Comment"]) == sorted(rows["comment"].str.strip())


@pytest.mark.parametrize(
    "text",
    ["[click](https://example.org)", "**bold** _it_ `code`", ":red[alert] :material/home:", "$x^2$", "<b>hi</b> &amp;",
     "a | b ~~c~~", "# heading\n- list", "back\\slash"],
)
def test_escape_markdown_leaves_no_markup(text: str) -> None:
    from dashboard.ui import escape_markdown

    escaped = escape_markdown(text)
    assert "\n" not in escaped
    unescaped = re.sub(r"\\.", "", escaped)  # drop every escaped character
    assert not set(unescaped) & set("[]*_`:$<>&|~#\\")
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.split())
