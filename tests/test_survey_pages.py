"""The three survey theme pages in AppTest on the demo database.

Expected numbers are the oracle's (tests/oracle.py): released counts worked out with
pandas from the demo extracts, summed over the parts the build released (read from the
file), never by the code under test. Survey figures are whole-wave: the months picked
narrow only the months the trend lists. Comments
are expected straight from the extracts: a unit's comments over its whole wave. Pages open
on the latest wave; a test of the published (2021) figures or months opens the link with
``wave=2021``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import disclosure
from dashboard.core.filters import Filters
from tests.conftest import DEMO_EXTRACTS, ROOT
from tests.oracle import (
    PUBLISHED,
    PUBLISHED_WAVE,
    THRESHOLD,
    Released,
    counted,
    expected_breakdown,
    expected_headline,
    members,
    read_responses,
    released,
    structure,
)

pytestmark = pytest.mark.slow

AMH = "Adult mental health"
CHS = "Community health services"
PAGES = {
    "it_skills": "1_Digital_skills.py",
    "info_available": "2_Information_to_run_services.py",
    "it_unreliable": "3_IT_reliability.py",
}
COMMENTS_SHOWN = 500  # the page lists this many; the download has them all
WAVE_NAMES = dict(pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str)[["wave_id", "name"]].itertuples(index=False))


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    frame = read_responses()
    frame["text"] = frame["comment"].str.strip()
    return frame


@pytest.fixture(scope="module")
def release(demo_db: Path) -> Released:
    return released(demo_db)


def small_area(responses: pd.DataFrame, release: Released, measure: str) -> str:
    """An area some of whose people answered ``measure`` in the latest wave, too few for its
    whole-wave group to be released for it."""
    wave = responses.attrs["latest_wave"]
    for care_group, areas in structure().items():
        for area in areas:
            part = (wave, "answers", care_group, area, None, None, None)
            if not release.shows(part, measure) and 0 < len(counted(members(responses, part), measure)) < THRESHOLD:
                return area
    raise AssertionError("the demo has no small area")


def unit_comments(responses: pd.DataFrame, search: str = "", wave: str | None = None, **unit: str) -> list[str]:
    """A unit's comments over its whole wave (default the latest) and every staff group, from the
    extracts, in order."""
    rows = responses[responses["wave"] == (wave or responses.attrs["latest_wave"])]
    for column, value in unit.items():
        rows = rows[rows[column] == value]
    found = [t for t in rows["text"] if t and search.strip().lower() in t.lower()]
    return sorted(found)


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


def infos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def comment_table(at: AppTest) -> pd.DataFrame | None:
    tables = [d.value for d in at.dataframe if list(d.value.columns) == ["Comment"]]
    assert len(tables) <= 1
    return tables[0] if tables else None


def trend_months(at: AppTest) -> list[str]:
    """The months the trend's table lists, as '2021-03'."""
    (table,) = [d.value for d in at.dataframe if list(d.value.columns[:1]) == ["Month"]]
    return [f"{pd.Timestamp(month):%Y-%m}" for month in table["Month"]]


def wave_months(wave: str) -> list[str]:
    """The calendar months of a wave's dates (waves.csv), as '2021-03'."""
    waves = pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str).set_index("wave_id")
    return [f"{m:%Y-%m}" for m in pd.period_range(waves.loc[wave, "opened"], waves.loc[wave, "closed"], freq="M")]


def assert_ran_cleanly(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("measure", list(PAGES))
def test_page_renders_and_a_sidebar_filter_changes_the_numbers(demo_env, responses, release, measure: str) -> None:
    at = page(measure)
    at.query_params["wave"] = [PUBLISHED_WAVE]
    at.run()
    assert_ran_cleanly(at)
    n, _, percent = expected_headline(responses, measure, Filters(wave=PUBLISHED_WAVE), release)
    assert percent == PUBLISHED[measure]
    assert metric(at, "This selection") == metric(at, "Whole Trust") == f"{percent}%"
    assert f"n = {n:,} · 95% CI" in markdown(at)[1]
    assert not at.warning
    assert at.segmented_control(key="breakdown").value == "care_group"
    assert len(at.get("vega_lite_chart")) == 3  # answers, breakdown, trend

    at.sidebar.multiselect(key="care_group").set_value([AMH]).run()
    assert_ran_cleanly(at)
    n_amh, _, percent_amh = expected_headline(
        responses, measure, Filters(care_groups=(AMH,), wave=PUBLISHED_WAVE), release
    )
    assert metric(at, "This selection") == f"{percent_amh}%"
    assert metric(at, "Whole Trust") == f"{percent}%"
    left_out = " (Don't know left out)" if measure == "info_available" else ""
    assert any(f"Of {n_amh:,} people who answered{left_out}, {percent_amh}%" in text for text in markdown(at))

    at.sidebar.multiselect(key="survey").set_value(["Staff"]).run()
    assert_ran_cleanly(at)
    filters = Filters(care_groups=(AMH,), surveys=("Staff",), wave=PUBLISHED_WAVE)
    n_staff, _, percent_staff = expected_headline(responses, measure, filters, release)
    assert metric(at, "This selection") == f"{percent_staff}%"
    assert f"n = {n_staff:,} · 95% CI" in markdown(at)[1]

    assert trend_months(at) == wave_months(PUBLISHED_WAVE)

    # Survey figures are whole-wave: a month picked changes no figure, only the months the trend
    # lists, and the page says so.
    at.sidebar.selectbox(key="from").set_value("2021-04").run()
    assert_ran_cleanly(at)
    assert metric(at, "This selection") == f"{percent_staff}%"
    assert f"n = {n_staff:,} · 95% CI" in markdown(at)[1]
    assert any(text.startswith("Survey figures are for the whole wave") for text in markdown(at))
    assert trend_months(at) == [m for m in wave_months(PUBLISHED_WAVE) if m >= "2021-04"]
    assert any(text.startswith("Each month counts everyone in the units picked") for text in markdown(at))


@pytest.mark.parametrize("measure", list(PAGES))
def test_a_link_opens_with_its_filters_set(demo_env, responses, release, measure: str) -> None:
    at = page(measure)
    at.query_params["wave"] = [PUBLISHED_WAVE]
    at.query_params["care_group"] = [CHS]
    at.query_params["survey"] = ["Staff", "Digital champion"]
    at.query_params["from"] = ["2021-03"]
    at.query_params["to"] = ["2021-05"]
    at.query_params["breakdown"] = ["Staff group"]
    at.run()
    assert_ran_cleanly(at)
    assert at.sidebar.multiselect(key="care_group").value == [CHS]
    assert at.sidebar.multiselect(key="survey").value == ["Staff", "Digital champion"]
    assert (at.sidebar.selectbox(key="from").value, at.sidebar.selectbox(key="to").value) == ("2021-03", "2021-05")
    assert at.segmented_control(key="breakdown").value == "staff_group"
    filters = Filters(
        care_groups=(CHS,),
        surveys=("Staff", "Digital champion"),
        date_from=dt.date(2021, 3, 1),
        date_to=dt.date(2021, 5, 31),
        wave=PUBLISHED_WAVE,
    )
    n, _, percent = expected_headline(responses, measure, filters, release)
    assert metric(at, "This selection") == f"{percent}%"
    assert f"n = {n:,} · 95% CI" in markdown(at)[1]
    assert "Months\\: March 2021 to May 2021" in markdown(at)[0]
    assert trend_months(at) == ["2021-03", "2021-04", "2021-05"]
    assert not at.warning


def test_a_link_with_a_day_opens_on_its_whole_month_with_a_notice(demo_env, responses, release) -> None:
    at = page("it_unreliable")
    at.query_params["wave"] = [PUBLISHED_WAVE]
    at.query_params["care_group"] = [AMH]
    at.query_params["from"] = ["2021-03-14"]
    at.query_params["to"] = ["2021-04-02"]
    at.run()
    assert_ran_cleanly(at)
    assert (at.sidebar.selectbox(key="from").value, at.sidebar.selectbox(key="to").value) == ("2021-03", "2021-04")
    warnings = " ".join(w.value for w in at.warning)
    assert "from='2021-03-14' is a day; dates are picked by whole month, so March 2021 is used" in warnings
    assert "to='2021-04-02' is a day; dates are picked by whole month, so April 2021 is used" in warnings
    filters = Filters(
        care_groups=(AMH,), date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30), wave=PUBLISHED_WAVE
    )
    n, _, percent = expected_headline(responses, "it_unreliable", filters, release)
    assert metric(at, "This selection") == f"{percent}%"
    assert f"n = {n:,} · 95% CI" in markdown(at)[1]
    assert trend_months(at) == ["2021-03", "2021-04"]


@pytest.mark.parametrize("measure", list(PAGES))
def test_bad_link_values_give_a_notice_not_an_error(demo_env, responses, release, measure: str) -> None:
    at = page(measure)
    at.query_params["care_group"] = ["Nope"]
    at.query_params["survey"] = ["' or 1=1 --"]
    at.query_params["staff_group"] = ["Nursing", "x" * 5000]
    at.query_params["from"] = ["2021-02-30"]
    at.query_params["to"] = ["2019-01"]  # a month before the data
    at.query_params["breakdown"] = ["response_id"]
    at.run()
    assert_ran_cleanly(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "care_group='Nope'" in warnings
    assert 'survey="\' or 1=1 --"' in warnings
    assert "from='2021-02-30'" in warnings
    assert "to='2019-01'" in warnings
    assert "staff_group='xxxx" in warnings
    assert at.segmented_control(key="breakdown").value == "care_group"
    _, _, percent = expected_headline(responses, measure, Filters(staff_groups=("Nursing",)), release)
    assert metric(at, "This selection") == f"{percent}%"


def test_small_selection_is_hidden_with_its_reason(demo_env, responses, release) -> None:
    area = small_area(responses, release, "it_skills")
    (care_group,) = set(responses.loc[responses["service_area"] == area, "care_group"])
    assert len(unit_comments(responses, service_area=area)) < 10
    at = page("it_skills")
    at.query_params["service_area"] = [area]
    at.run()
    assert_ran_cleanly(at)
    assert metric(at, "This selection") == "Hidden"
    trust = expected_headline(responses, "it_skills", Filters(), release)  # the latest wave
    assert metric(at, "Whole Trust") == f"{trust[2]}%"
    assert any(f"Hidden: {disclosure.HIDDEN}" in text for text in markdown(at))
    assert (
        f"This selection's result is hidden: {disclosure.HIDDEN} (fewer than {THRESHOLD} responses, or it would let "
        "a smaller group be worked out from other figures)"
    ) in infos(at)
    assert not at.get("vega_lite_chart")
    assert not at.dataframe
    # The area's comments are not listed either (too few), and the page says which unit lists them.
    assert f"The comments of {area} ({care_group}), all surveys are not listed: it has fewer than 10 comments" in (
        infos(at).replace("\\", "")
    )
    assert "lists its comments: pick it in the sidebar" in infos(at)
    assert not [t for t in at.text_input if t.key == "comment_search"]


def test_breakdown_by_service_area_lists_the_hidden_areas(demo_env, responses, release) -> None:
    at = page("info_available")
    at.run()
    at.segmented_control(key="breakdown").set_value("service_area").run()
    assert_ran_cleanly(at)
    expected = expected_breakdown(responses, "info_available", "service_area", Filters(), release)
    hidden = [area for (_, area), (n, _) in expected.items() if n is None]
    assert hidden and "Not stated" not in hidden  # a 'Not stated' row is listed only when shown
    (hidden_text,) = [text for text in markdown(at) if text.startswith("**Hidden")]
    assert hidden_text.startswith(f"**Hidden, {disclosure.HIDDEN}:** ")
    assert all(area in hidden_text for area in hidden)
    assert hidden_text.count("; ") == len(hidden) - 1  # nothing hidden beyond them
    (sentence,) = [text for text in markdown(at) if "service areas shown" in text]
    shown, hidden_count = re.search(
        r"Of the (\d+) service areas shown.*; (\d+) service areas are hidden", sentence
    ).groups()
    assert (int(shown), int(hidden_count)) == (len(expected) - len(hidden), len(hidden))


def test_the_whole_trust_lists_the_first_comments_and_counts_them_all(demo_env, responses) -> None:
    at = page("it_skills")
    at.run()
    assert_ran_cleanly(at)
    expected = unit_comments(responses)
    assert len(expected) > COMMENTS_SHOWN
    (text,) = [t for t in markdown(at) if " comments from " in t]
    assert text.startswith(
        f"{len(expected):,} comments from the whole Trust, all surveys, over the whole of "
        f"{WAVE_NAMES[responses.attrs['latest_wave']]} and every staff group"
    )
    assert f"The first {COMMENTS_SHOWN:,} are listed here" in text
    assert list(comment_table(at)["Comment"]) == expected[:COMMENTS_SHOWN]


def test_comment_search_lists_the_units_comments_whatever_the_months_and_staff_groups(demo_env, responses) -> None:
    at = page("it_unreliable")
    at.query_params["wave"] = [PUBLISHED_WAVE]
    at.query_params["care_group"] = [AMH]
    at.query_params["staff_group"] = ["Nursing"]
    at.query_params["from"] = ["2021-04"]
    at.query_params["to"] = ["2021-04"]
    at.run()
    at.text_input(key="comment_search").input("WI-FI").run()
    assert_ran_cleanly(at)
    expected = unit_comments(responses, "WI-FI", PUBLISHED_WAVE, care_group=AMH)  # every survey, month and staff group
    narrowed = responses[
        (responses["care_group"] == AMH)
        & (responses["staff_group"] == "Nursing")
        & (pd.to_datetime(responses["submitted_on"]).dt.month == 4)
    ]
    assert (
        0 < len(unit_comments(narrowed, "WI-FI", PUBLISHED_WAVE)) < len(expected)
    )  # the filters would have narrowed it
    assert any(
        text.startswith(
            f"{len(expected):,} comments containing “WI-FI” from Adult mental health, all "
            f"surveys, over the whole of {WAVE_NAMES[PUBLISHED_WAVE]} and every staff group"
        )
        for text in markdown(at)
    )
    assert list(comment_table(at)["Comment"]) == expected

    at.text_input(key="comment_search").input("%").run()  # literal, not a wildcard
    assert_ran_cleanly(at)
    assert any(text.startswith("0 comments containing “%” from Adult mental health") for text in markdown(at))
    assert comment_table(at) is None


def test_several_service_areas_list_no_comments_and_say_why(demo_env, responses) -> None:
    areas = sorted(set(responses.loc[responses["care_group"] == CHS, "service_area"]) - {"Not stated"})[:2]
    at = page("info_available")
    at.query_params["service_area"] = areas
    at.run()
    assert_ran_cleanly(at)
    assert "They are not listed for these filters: several service areas are picked." in infos(at)
    assert "lists its comments: pick it in the sidebar" in infos(at)
    assert comment_table(at) is None
    assert not [t for t in at.text_input if t.key == "comment_search"]


@pytest.mark.parametrize(
    "text",
    [
        "[click](https://example.org)",
        "**bold** _it_ `code`",
        ":red[alert] :material/home:",
        "$x^2$",
        "<b>hi</b> &amp;",
        "a | b ~~c~~",
        "# heading\n- list",
        "back\\slash",
    ],
)
def test_escape_markdown_leaves_no_markup(text: str) -> None:
    from dashboard.render.ui import escape_markdown

    escaped = escape_markdown(text)
    assert "\n" not in escaped
    unescaped = re.sub(r"\\.", "", escaped)  # drop every escaped character
    assert not set(unescaped) & set("[]*_`:$<>&|~#\\")
    assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.split())
