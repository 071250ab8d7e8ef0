"""One view, one figure: the same released cells give the same figure on every page, in the
breakdown that holds them, in the download and after a rebuild of the same data (docs/DISCLOSURE.md).
Survey figures are whole-wave: the months in the filters change none of them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import db
from dashboard.core.filters import Filters
from dashboard.features import export, my_area, survey, survey_text
from pipeline.build import build
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, ROOT

pytestmark = pytest.mark.slow

CARE_GROUP = "Community health services"
MONTHS = {"wave": oracle.PUBLISHED_WAVE, "from": "2021-03", "to": "2021-05"}  # months of the 2021 wave
FILTERS = Filters(
    care_groups=(CARE_GROUP,),
    surveys=("Staff",),
    date_from=dt.date(2021, 3, 1),
    date_to=dt.date(2021, 5, 31),
    wave=oracle.PUBLISHED_WAVE,
)
TITLES = {
    "it_skills": "IT skills rated good",
    "info_available": "Information available",
    "it_unreliable": "IT too unreliable",
}
SOME_AREAS = ("Podiatry", "Tissue viability", "Continence service")  # one of them too small: left out
PAGES = {
    "it_skills": "1_Digital_skills.py",
    "info_available": "2_Information_to_run_services.py",
    "it_unreliable": "3_IT_reliability.py",
}


def _run(script: Path) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=60)
    at.query_params.update({"care_group": [CARE_GROUP], "survey": ["Staff"], **MONTHS})
    return at.run()


def _n_values(at: AppTest) -> list[int]:
    return [int(m.group(1).replace(",", "")) for md in at.markdown if (m := re.match(r"n = ([\d,]+) ·", md.value))]


@pytest.fixture(scope="module")
def expected(responses, release) -> dict[str, tuple[int, int, int | None]]:
    figures = {m: oracle.expected_headline(responses, m, FILTERS, release) for m in oracle.MEASURES}
    assert all(n is not None for n, _, _ in figures.values())  # the view is shown: there is a figure to compare
    return figures


def test_the_overview_and_each_theme_page_show_the_same_figure(demo_env, expected) -> None:
    overview = _run(ROOT / "app.py")
    assert not overview.exception
    tiles = {m.label: m.value for m in overview.metric}
    overview_n = _n_values(overview)
    for measure, (n, _, percent) in expected.items():
        assert tiles[TITLES[measure]] == f"{percent}%"
        assert n in overview_n
        page = _run(ROOT / "pages" / PAGES[measure])
        assert not page.exception
        assert page.metric[0].value == f"{percent}%"  # "This selection"
        assert _n_values(page)[0] == n


def test_a_breakdown_row_its_download_and_the_view_it_names_agree(demo_db: Path, expected) -> None:
    """The care group's row in a breakdown by care group (same surveys and months) is the view itself."""
    database = db.Database(demo_db)
    try:
        wider = Filters(
            surveys=FILTERS.surveys, date_from=FILTERS.date_from, date_to=FILTERS.date_to, wave=FILTERS.wave
        )
        for measure, (n, positive, percent) in expected.items():
            frame = survey.breakdown(database, measure, "care_group", wider)
            row = frame.set_index("care_group").loc[CARE_GROUP]
            assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent)
            data = export.to_csv(survey_text.breakdown_table(frame, "care_group"), {"View": "test"}).decode("utf-8-sig")
            table = pd.read_csv(io.StringIO("\n".join(x for x in data.splitlines() if not x.startswith("#"))))
            line = table.set_index("Care group").loc[CARE_GROUP]
            assert (line["Answered (n)"], line["Positive"], line["Percent"]) == (n, positive, percent)
    finally:
        database.close()


def test_my_area_shows_each_units_whole_wave_total_as_every_page_does(demo_db: Path, responses, release) -> None:
    """My area's scopes are each unit's released whole-wave total, whatever the survey, staff group and
    month filters: its care-group scope for any of its areas is the care group's view over every survey
    and staff group, the care group's row in the Trust's breakdown, and the oracle's figure; its Trust
    scope is the Trust's."""
    database = db.Database(demo_db)
    try:
        whole_wave = Filters(care_groups=(CARE_GROUP,), wave=FILTERS.wave)
        trust = Filters(wave=FILTERS.wave)
        area = sorted(set(responses.loc[responses["care_group"] == CARE_GROUP, "service_area"]) - {"Not stated"})[0]
        results, _ = my_area.survey_scorecard(database, FILTERS, oracle.MEASURES, area, CARE_GROUP)
        scopes = results.set_index(["measure", "level"])
        narrowed = 0
        for measure in oracle.MEASURES:
            n, positive, percent = oracle.expected_headline(responses, measure, whole_wave, release)
            scope = scopes.loc[(measure, "care_group")]
            assert (scope["n"], scope["positive"], scope["percent"]) == (n, positive, percent)
            view = survey.headline(database, measure, whole_wave).iloc[0]
            assert (view["n"], view["positive"], view["percent"]) == (n, positive, percent)
            row = survey.breakdown(database, measure, "care_group", trust).set_index("care_group").loc[CARE_GROUP]
            assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent)
            trust_n, trust_positive, trust_percent = oracle.expected_headline(responses, measure, trust, release)
            scope = scopes.loc[(measure, "trust")]
            assert (scope["n"], scope["positive"], scope["percent"]) == (trust_n, trust_positive, trust_percent)
            narrowed += oracle.expected_headline(responses, measure, FILTERS, release)[0] != n
        assert narrowed  # the page's filters would have given another figure: they are not followed
    finally:
        database.close()


def test_a_rebuild_of_the_same_data_gives_the_same_figures(demo_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build(DEMO_EXTRACTS, again)
    figures = []
    for path in (demo_db, again):
        database = db.Database(path)
        try:
            figures.append(
                [survey.breakdown(database, m, "service_area", FILTERS) for m in oracle.MEASURES]
                + [survey.trend(database, m, Filters()) for m in oracle.MEASURES]
                + [survey.distribution(database, m, FILTERS) for m in oracle.MEASURES]
                + [survey.headline(database, m, Filters(service_areas=SOME_AREAS)) for m in oracle.MEASURES]
            )
        finally:
            database.close()
    for first, second in zip(*figures):
        pd.testing.assert_frame_equal(first, second)
