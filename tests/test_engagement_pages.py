"""AppTest for the Engagement, Actions, My area and Data and definitions pages.

Each page renders without an exception; a filter change gives the numbers pandas
computes here from the demo extracts (survey figures from tests/oracle.py: released counts);
``service_area=`` in the URL opens My area on that area; an area under the disclosure
threshold shows no survey figure; a database of real (non-synthetic) extracts built
without a perturbation key shows engagement figures but no survey figure.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import wording
from dashboard.core.filters import Filters
from dashboard.core.text import escape_markdown
from dashboard.features import about_data
from dashboard.render import ui
from pipeline import contract
from pipeline.build import build
from tests import oracle
from tests.conftest import ROOT, SMALL, opened_database, write_csv

pytestmark = pytest.mark.slow

THRESHOLD = oracle.THRESHOLD
RESPONSES = oracle.read_responses()


def page(name: str) -> AppTest:
    # Opened as a page of the app (entry app.py), as a browser would: the shared sidebar
    # links to every page by its path, which only resolves from the entry script.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{name}")
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def value(text: str) -> float:
    """A count or hours as the page shows it ('1,234', '25.25'), read back as a number."""
    return float(text.replace(",", ""))


def assert_shows(shown: dict[str, str], expected: dict[str, float]) -> None:
    """Each figure on the page is the expected number (hours to the quarter, never rounded)."""
    for label, figure in expected.items():
        assert value(shown[label]) == pytest.approx(figure, abs=1e-9), label


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The one st.dataframe on the page having all these columns (read-only tables carry no key)."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, f"{len(found)} tables with columns {columns}"
    return found[0]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def whole_wave(released: oracle.Released, measure: str, wave: str, unit: tuple) -> tuple[int, int] | None:
    """A unit's (care group, service area) released whole-wave (n, positive) for the measure, every
    survey, staff group and month (oracle); None when the build did not release it."""
    group = (wave, "answers", *unit, None, None, None)
    if not released.shows(group, measure):
        return None
    return oracle.group_figures(oracle.members(RESPONSES, group), measure)


def real_units(wave: str) -> list[tuple[str, str]]:
    """(care group, service area) of every real area of the structure, with its responses in the wave."""
    return [
        (group, area)
        for group, areas in oracle.structure().items()
        for area in areas
        if len(oracle.members(RESPONSES, (wave, "answers", group, area, None, None, None)))
    ]


def area_under_threshold(released: oracle.Released, wave: str = RESPONSES.attrs["latest_wave"]) -> tuple[str, str]:
    """A real area with responses in the wave none of whose headline figures is released."""
    for group, area in real_units(wave):
        if all(whole_wave(released, m, wave, (group, area)) is None for m in oracle.MEASURES):
            return area, group
    raise AssertionError("no small area in the demo")


def area_over_threshold(wave: str = RESPONSES.attrs["latest_wave"]) -> tuple[str, str]:
    """The real area with the most answers to 'IT too unreliable' in the wave."""
    base = oracle.counted(RESPONSES.loc[RESPONSES["wave"] == wave], "it_unreliable")
    sizes = base.loc[base["service_area"] != oracle.NS].groupby(["service_area", "care_group"]).size()
    return sizes.sort_values(kind="stable").index[-1]


def result_cell(n: int, positive: int) -> re.Pattern:
    """A scorecard cell for these released counts: 'P% (L–H%, n = N)'."""
    return re.compile(rf"^{oracle.percent_half_up(positive, n)}% \(\d+–\d+%, n = {n:,}\)$")


# Engagement -----------------------------------------------------------------------------------------


def test_engagement_page_reads_the_published_totals_and_follows_a_care_group(demo_env):
    at = page("5_Engagement.py")
    at.run()
    no_exception(at)
    assert metrics(at) == {
        "Conversations": "120",
        "Conversation hours": "102",
        "Staff engaged": "256",
        "Service areas covered": "92",
    }
    assert any("does not apply" in m.value and "survey" in m.value for m in at.info)

    group = "Learning disabilities and forensic"
    at.sidebar.multiselect(key="care_group").set_value([group])
    at.run()
    no_exception(at)
    expected = oracle.expected_engagement(Filters(care_groups=(group,)))
    shown = metrics(at)
    assert set(shown) == {"Conversations", "Conversation hours", "Staff engaged", "Service areas covered"}
    assert_shows(
        shown,
        {
            label: expected[key]
            for label, key in (
                ("Conversations", "conversations"),
                ("Conversation hours", "conversation_hours"),
                ("Staff engaged", "staff_engaged"),
                ("Service areas covered", "service_areas_covered"),
            )
        },
    )
    # The breakdown table (care group by default) has that one group, with pandas' figures.
    table = table_with(at, "Care group", "Hours", "Staff engaged")
    assert table["Care group"].tolist() == [group]
    assert table["Hours"].iloc[0] == pytest.approx(expected["conversation_hours"])

    at.radio(key="engagement_dimension").set_value("service_area")
    at.run()
    no_exception(at)
    table = table_with(at, "Service area", "Hours", "Staff engaged")
    areas = oracle.read_engagement()["areas"]
    assert sorted(table["Service area"]) == sorted(areas.loc[areas["care_group"] == group, "service_area"])
    assert table["Hours"].sum() == pytest.approx(expected["conversation_hours"])


def test_engagement_page_staff_group_narrows_staff_engaged_only_from_a_whole_month(demo_env):
    at = page("5_Engagement.py")
    at.query_params["staff_group"] = ["Nursing"]
    at.query_params["from"] = ["2021-04-14"]  # a day in an old link: widened to the whole of April
    at.run()
    no_exception(at)
    assert at.sidebar.selectbox(key="from").value == "2021-04"
    assert any("2021-04-14" in w.value and "April 2021" in w.value for w in at.warning)
    expected = oracle.expected_engagement(Filters(staff_groups=("Nursing",), date_from=dt.date(2021, 4, 1)))
    everyone = oracle.expected_engagement(Filters(date_from=dt.date(2021, 4, 1)))
    assert expected["staff_engaged"] < everyone["staff_engaged"]
    assert_shows(
        metrics(at),
        {
            "Staff engaged": expected["staff_engaged"],
            "Conversations": everyone["conversations"],
            "Conversation hours": everyone["conversation_hours"],
        },
    )


# Actions --------------------------------------------------------------------------------------------


@pytest.fixture
def pinned_here(demo_env):
    """The demo database pinned in the test's own thread too. The Actions page's survey measure box
    names its choices from the pinned database's question bank, and AppTest formats the box's value
    with that function in this thread when it sends the widgets back for the next run."""
    yield from opened_database(demo_env)


def test_actions_page_totals_filters_and_search(demo_env, pinned_here):
    at = page("6_Actions_and_quick_wins.py")
    at.run()
    no_exception(at)
    everything = oracle.expected_engagement(Filters())
    shown = metrics(at)
    assert shown["Actions raised"] == "831" and shown["Quick wins completed"] == "213"  # the published totals
    assert_shows(
        shown,
        {"Actions completed": everything["actions_completed"], "Quick wins raised": everything["quick_wins_raised"]},
    )
    assert len(table_with(at, "title", "days_open")) == 831

    group = "Corporate services"
    at.sidebar.multiselect(key="care_group").set_value([group])
    at.text_input(key="actions_search").set_value("wi-fi")
    at.run()
    no_exception(at)
    expected = oracle.expected_engagement(Filters(care_groups=(group,)))
    assert_shows(
        metrics(at),
        {"Actions raised": expected["actions_raised"], "Quick wins completed": expected["quick_wins_completed"]},
    )
    actions = oracle.read_engagement()["actions"]
    fields = ["title", "service_area", "care_group", "theme", "status"]
    contains = actions[fields].apply(lambda column: column.str.lower().str.contains("wi-fi", regex=False))
    matching = actions.loc[(actions["care_group"] == group) & contains.any(axis=1)]
    table = table_with(at, "title", "days_open")
    assert len(table) == len(matching) > 0
    assert sorted(table["title"]) == sorted(matching["title"])


def test_actions_page_results_beside_action_leave_small_areas_out(demo_env, release):
    at = page("6_Actions_and_quick_wins.py")
    at.run()
    no_exception(at)
    assert at.selectbox(key="actions_results_measure").value == "it_unreliable"
    tables = [d.value for d in at.dataframe if "Survey result hidden" in d.value.columns]
    assert len(tables) == 2  # beside the chart (areas shown) and in full
    chart_table, table = sorted(tables, key=len)
    table = table.set_index("Service area")
    # Each area's released figure over the whole latest wave (oracle), None when not released.
    per_area = oracle.expected_breakdown(RESPONSES, "it_unreliable", "service_area", Filters(), release)
    groups = oracle.read_engagement()["areas"].set_index("service_area")["care_group"]
    assert sorted(table.index) == sorted(groups.index)
    expected = {area: per_area[(groups[area], area)] for area in table.index}
    expected_hidden = [expected[area][0] is None for area in table.index]
    assert table["Survey result hidden"].tolist() == expected_hidden
    assert any(expected_hidden) and not all(expected_hidden)
    # Hidden figures are missing values in numeric columns (shown as empty cells, sorted as numbers).
    for column in ("Responses (n)", "Positive", "IT too unreliable (%)"):
        assert pd.api.types.is_numeric_dtype(table[column]), (column, table[column].dtype)
        assert table.loc[expected_hidden, column].isna().all()
    shown = table.loc[[not h for h in expected_hidden]]
    assert shown["Responses (n)"].astype(int).to_dict() == {a: expected[a][0] for a in shown.index}
    assert shown["Positive"].astype(int).to_dict() == {a: expected[a][1] for a in shown.index}
    assert sorted(chart_table["Service area"]) == sorted(shown.index)
    assert not chart_table["Survey result hidden"].any()
    headline = oracle.expected_headline(RESPONSES, "it_unreliable", Filters(), release)
    assert any(f"filtered total ({headline[2]}%)" in m.value for m in at.markdown)


# My area -------------------------------------------------------------------------------------------


def assert_whole_wave_survey_table(survey_table: pd.DataFrame, wave: str, area: str, group: str, released) -> None:
    """Every cell of the scorecard's survey table is its unit's released whole-wave total (oracle)."""
    units = {"This area": (group, area), "Its care group": (group, None), "Trust": (None, None)}
    titles = {
        "it_unreliable": "IT too unreliable",
        "it_skills": "IT skills rated good",
        "info_available": "Information available",
    }
    for measure, title in titles.items():
        for scope, unit in units.items():
            figures = whole_wave(released, measure, wave, unit)
            cell = survey_table.loc[title, scope]
            if figures is None:
                assert cell == "Hidden: too few responses to show safely", (measure, scope)
            else:
                assert result_cell(*figures).match(cell), (measure, scope, cell)


def test_my_area_opens_on_the_area_in_the_url_with_independent_figures(demo_env, release):
    wave = oracle.PUBLISHED_WAVE  # the published figures and their months
    area, group = area_over_threshold(wave)
    at = page("7_My_area.py")
    at.query_params["wave"] = [wave]
    at.query_params["service_area"] = [area]
    at.run()
    no_exception(at)
    assert at.main.header[0].value == escape_markdown(area)
    assert at.sidebar.multiselect(key="service_area").value == [area]
    engagement_table = at.table[0].value
    expected = oracle.expected_engagement(Filters(service_areas=(area,)))
    group_expected = oracle.expected_engagement(Filters(care_groups=(group,)))
    hours = value(engagement_table.loc["This area", "Conversation hours"])
    assert hours == pytest.approx(expected["conversation_hours"], abs=1e-9)
    assert value(engagement_table.loc["This area", "Actions raised"]) == expected["actions_raised"]
    assert engagement_table.loc["Trust", "Actions raised"] == "831"
    assert value(engagement_table.loc["Its care group", "Staff engaged"]) == group_expected["staff_engaged"]
    survey_table = at.table[1].value
    assert_whole_wave_survey_table(survey_table, wave, area, group, release)
    assert not survey_table.stack().str.startswith("Hidden").any()  # the largest area: everything released
    assert survey_table.loc["IT too unreliable", "Trust"].startswith(f"{oracle.PUBLISHED['it_unreliable']}% (")
    comparisons = at.table[2].value
    comparison = re.compile(r"^(▲ Higher than|▼ Lower than|Could be chance:) \d+% \(n = [\d,]+\)$")
    assert comparisons.map(lambda text: bool(comparison.match(text))).all().all()
    assert any(wording.CHANCE_SENTENCE in m.value and "two-proportion z-test" in m.value for m in at.markdown)
    assert any("do not change them" in m.value for m in at.markdown)

    # The page's survey and month filters narrow engagement, not the survey results: those are each
    # unit's released whole-wave totals, the same as before.
    at.sidebar.multiselect(key="survey").set_value(["Staff"])
    at.sidebar.selectbox(key="from").set_value("2021-03")
    at.sidebar.selectbox(key="to").set_value("2021-05")
    at.run()
    no_exception(at)
    narrowed = oracle.expected_engagement(Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31)))
    assert narrowed["actions_raised"] < 831  # the months were live
    assert value(at.table[0].value.loc["Trust", "Actions raised"]) == narrowed["actions_raised"]
    pd.testing.assert_frame_equal(at.table[1].value, survey_table)
    pd.testing.assert_frame_equal(at.table[2].value, comparisons)
    # Followed, the survey filter would have given other figures.
    staff_only = oracle.expected_headline(
        RESPONSES, "it_unreliable", Filters(service_areas=(area,), surveys=("Staff",), wave=wave), release
    )
    assert staff_only[:2] != whole_wave(release, "it_unreliable", wave, (group, area))


def test_my_area_under_the_threshold_shows_no_survey_figure(demo_env, release):
    wave = RESPONSES.attrs["latest_wave"]
    area, group = area_under_threshold(release, wave)
    at = page("7_My_area.py")
    at.query_params["service_area"] = [area]
    at.run()
    no_exception(at)
    assert at.main.header[0].value == escape_markdown(area)
    survey_table = at.table[1].value
    # One reason, whatever the cause: a hidden area looks the same whether it holds nobody or a few.
    assert (survey_table["This area"] == "Hidden: too few responses to show safely").all()
    comparisons = at.table[2].value
    assert (comparisons == "Not shown: this area's figure is hidden").all().all()
    # The care group and Trust are still there, their released whole-wave totals.
    assert_whole_wave_survey_table(survey_table, wave, area, group, release)
    assert survey_table["Trust"].str.contains("%").all()


def test_my_area_without_one_area_asks_for_one_and_puts_it_in_the_url(demo_env):
    area, group = area_over_threshold()
    at = page("7_My_area.py")
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
    assert at.main.header[0].value == escape_markdown(area)
    # Engagement, survey results, comparisons, and (the latest wave is compared with the one before) change.
    assert len(at.table) == 4


# Real extracts built without a perturbation key ---------------------------------------------------------

WARD = "Ward A"  # of the small extracts (tests/conftest.py), in Adult mental health
EXTRA_RESPONSES = 24  # enough that, built with a key, the ward's survey figures would be shown
# Carers of no stated area, in April: without them the Trust less the ward would leave the small
# extracts' one carer (R2), and the build's audit would rightly keep the ward's figures back.
OTHER_RESPONSES = 12


def real_database(extracts_folder: Path, target: Path, monkeypatch: pytest.MonkeyPatch, key: str | None) -> Path:
    """The small extracts (no synthetic manifest: real-looking) with more answers from the ward,
    built through the real pipeline with or without a perturbation key; the app pointed at it."""
    responses = SMALL["survey_responses"] + [
        {
            "response_id": f"R{100 + i}",
            "survey": "Staff",
            "submitted_on": f"2021-03-{1 + i % 28:02d}",
            "care_group": "Adult mental health",
            "service_area": WARD,
            "staff_group": "Nursing",
            "it_skills": ("Good", "Poor", "Very good")[i % 3],
            "info_available": ("Yes", "No")[i % 2],
            "it_unreliable": ("Agree", "Disagree", "Strongly agree", "Neither agree nor disagree")[i % 4],
            "comment": "",
        }
        for i in range(EXTRA_RESPONSES)
    ]
    responses += [
        {
            "response_id": f"R{200 + i}",
            "survey": "Carer",
            "submitted_on": f"2021-04-{1 + i:02d}",
            "care_group": "",
            "service_area": "",
            "staff_group": "",
            "it_skills": ("Good", "Fair")[i % 2],
            "info_available": "",
            "it_unreliable": "",
            "comment": "",
        }
        for i in range(OTHER_RESPONSES)
    ]
    write_csv(extracts_folder / "survey_responses.csv", responses)
    with monkeypatch.context() as during_build:
        during_build.chdir(target.parent)  # no .streamlit/secrets.toml key from the working folder either
        if key is None:
            during_build.delenv("DASHBOARD_PERTURBATION_KEY", raising=False)
        else:
            during_build.setenv("DASHBOARD_PERTURBATION_KEY", key)
        report = build(extracts_folder, target)
    assert not report.synthetic and report.perturbation == ("none" if key is None else "setting")
    monkeypatch.setenv("DASHBOARD_DB", str(target))
    for setting in ("DASHBOARD_MIN_GROUP_SIZE", "DASHBOARD_MIN_COMMENTS", "DASHBOARD_REQUIRE_AUTH"):
        monkeypatch.delenv(setting, raising=False)
    return target


def small_engagement(service_area: str | None = None) -> dict[str, float]:
    """The small extracts' engagement figures, from their rows."""

    def mine(rows):
        return [r for r in rows if service_area is None or r["service_area"] == service_area]

    actions = mine(SMALL["actions"])
    return {
        "conversation_hours": sum(float(c["hours"]) for c in mine(SMALL["conversations"])),
        "actions_raised": len(actions),
        "quick_wins_completed": sum(a["quick_win"] == "Yes" and a["status"] == "Completed" for a in actions),
    }


def survey_text(at: AppTest) -> list[str]:
    """Every piece of text and every table cell on the page (for looking for survey figures)."""
    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "subheader", "title")
        for e in getattr(at, kind)
    ]
    texts += [str(cell) for t in at.table for cell in t.value.to_numpy().ravel()]
    texts += [str(column) for d in at.dataframe for column in d.value.columns]
    return texts


@pytest.mark.parametrize("key", [None, "a-key-set-where-the-database-is-built"], ids=["no key", "key"])
def test_my_area_on_real_extracts_withholds_survey_figures_without_a_key(small_extracts, tmp_path, monkeypatch, key):
    real_database(small_extracts, tmp_path / "real.duckdb", monkeypatch, key)
    at = page("7_My_area.py")
    at.query_params["service_area"] = [WARD]
    at.run()
    no_exception(at)
    assert not any("Synthetic" in i.value for i in at.info)
    engagement_table = at.table[0].value  # engagement figures describe meetings: always shown
    expected = small_engagement(WARD)
    assert value(engagement_table.loc["This area", "Conversation hours"]) == expected["conversation_hours"]
    assert value(engagement_table.loc["This area", "Actions raised"]) == expected["actions_raised"]
    assert value(engagement_table.loc["Trust", "Actions raised"]) == small_engagement()["actions_raised"]
    withheld = [e.value for e in at.error if e.value == ui.WITHHELD_MESSAGE]
    if key is None:
        assert len(withheld) == 1 and len(at.table) == 1  # no survey table, no comparisons
        assert not any("%" in text for text in survey_text(at))
    else:  # the same data built with a key: the ward's survey figures are shown (perturbed)
        assert not withheld and len(at.table) == 3
        assert at.table[1].value["This area"].str.match(r"^\d+% \(").all()


@pytest.mark.parametrize("key", [None, "a-key-set-where-the-database-is-built"], ids=["no key", "key"])
def test_actions_on_real_extracts_withhold_survey_figures_without_a_key(small_extracts, tmp_path, monkeypatch, key):
    real_database(small_extracts, tmp_path / "real.duckdb", monkeypatch, key)
    at = page("6_Actions_and_quick_wins.py")
    at.run()
    no_exception(at)
    expected = small_engagement()
    assert_shows(
        metrics(at),
        {"Actions raised": expected["actions_raised"], "Quick wins completed": expected["quick_wins_completed"]},
    )
    assert len(table_with(at, "title", "days_open")) == expected["actions_raised"]
    withheld = [e.value for e in at.error if e.value == ui.WITHHELD_MESSAGE]
    survey_tables = [d.value for d in at.dataframe if "Responses (n)" in d.value.columns]
    if key is None:
        assert len(withheld) == 1 and not survey_tables
        assert not any("IT too unreliable" in text and "%" in text for text in survey_text(at))
    else:
        assert not withheld and survey_tables
        ward = survey_tables[-1].set_index("Service area").loc[WARD]
        assert not ward["Survey result hidden"] and ward["Responses (n)"] >= THRESHOLD


# Data and definitions -------------------------------------------------------------------------------


def test_data_and_definitions_page_shows_build_measures_rules_and_settings(demo_env, release):
    at = page("8_Data_and_definitions.py")
    at.run()
    no_exception(at)
    build_table = table_with(at, "File", "Rows read")
    files = {f"{name}.csv" for name in contract.EXTRACTS}
    assert set(build_table["File"]) == files
    assert (build_table["Rows read"] == build_table["Rows loaded"] + build_table["Rows rejected"]).all()
    assert build_table.set_index("File").loc["actions.csv", "Rows loaded"] == 831
    measures_table = at.table[0].value
    assert {"Conversation hours", "IT too unreliable"} <= set(measures_table.index)
    assert measures_table["Definition"].str.len().gt(0).all()
    assert any(f"A group of fewer than **{THRESHOLD}** responses is not released" in m.value for m in at.markdown)
    assert any("Each count is perturbed once" in m.value and "at most **3**" in m.value for m in at.markdown)
    assert any("synthetic" in m.value.lower() for m in at.markdown)
    settings = at.table[1].value
    assert settings.loc["DASHBOARD_MIN_GROUP_SIZE", "In use"] == f"{THRESHOLD} (when the database was built)"
    # The audit's summary: per wave and kind of group, how many were released or suppressed and why.
    audit = table_with(at, "Wave", "Groups", "Status", "Count")
    for wave in ("2021", "2023"):
        shown = audit.loc[(audit["Wave"] == wave) & (audit["Status"] == "Released")].set_index("Groups")["Count"]
        for kind, label in about_data.AUDIT_KINDS.items():
            assert shown[label] == sum(g[0] == wave and g[1] == kind for g in release.groups), (wave, kind)


def test_data_page_shows_the_threshold_the_database_was_built_with(small_extracts, tmp_path, monkeypatch):
    """The threshold is a build setting: the Data page shows the value the database was built with,
    not the one the app is started with."""
    database = tmp_path / "built_with_12.duckdb"
    with monkeypatch.context() as during_build:
        during_build.setenv("DASHBOARD_MIN_GROUP_SIZE", "12")
        build(small_extracts, database)
    monkeypatch.setenv("DASHBOARD_DB", str(database))
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "7")  # set for the app: changes nothing
    monkeypatch.delenv("DASHBOARD_REQUIRE_AUTH", raising=False)
    at = page("8_Data_and_definitions.py")
    at.run()
    no_exception(at)
    settings = at.table[1].value
    assert settings.loc["DASHBOARD_MIN_GROUP_SIZE", "In use"] == "12 (when the database was built)"
    assert any("A group of fewer than **12** responses is not released" in m.value for m in at.markdown)
    assert not any("fewer than **7**" in m.value or "fewer than 7 " in m.value for m in at.markdown)
