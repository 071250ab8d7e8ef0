"""The Overview as a person first meets it: the published figures, or how to build the database,
or (real extracts built without a perturbation key) engagement figures and no survey figure."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import db
from dashboard.core.filters import Filters
from dashboard.render import ui
from tests import oracle
from tests.conftest import ROOT
from tests.test_engagement_pages import real_database, small_engagement, value

pytestmark = pytest.mark.slow

SURVEY_TITLES = {
    "it_skills": "IT skills rated good",
    "info_available": "Information available",
    "it_unreliable": "IT too unreliable",
}


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_overview_shows_the_published_figures_computed_from_the_demo_data(demo_env):
    at = _app()
    at.query_params["wave"] = oracle.PUBLISHED_WAVE  # the latest (synthetic) wave is shown by default
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        "Conversation hours": "102",
        "Staff engaged": "256",
        "Actions raised": "831",
        "Service areas covered": "92",
        "Quick wins completed": "213",
        "IT skills rated good": "39%",
        "Information available": "69%",
        "IT too unreliable": "65%",
    }
    # The survey tiles are the oracle's perturbed figures, which round to the published percentages.
    responses, release = oracle.read_responses(), oracle.released(demo_env)
    for measure, title in SURVEY_TITLES.items():
        n, positive, percent = oracle.expected_headline(
            responses, measure, Filters(wave=oracle.PUBLISHED_WAVE), release
        )
        assert shown[title] == f"{percent}%" == f"{oracle.PUBLISHED[measure]}%"
        assert any(m.value.startswith(f"n = {n:,} · 95% CI ") for m in at.markdown), measure
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_a_missing_database_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "not-built-yet.duckdb"))
    at = _app().run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert "does not exist yet" in message and "make data" in message and "not-built-yet.duckdb" in message
    assert len(at.metric) == 0


@pytest.mark.parametrize("table", sorted(db.REQUIRED_TABLES))
def test_a_database_from_an_older_version_asks_for_a_rebuild(small_extracts, tmp_path, monkeypatch, table):
    import duckdb

    from pipeline.build import build

    path = tmp_path / "old.duckdb"
    build(small_extracts, path)
    with duckdb.connect(str(path)) as con:
        con.execute(f"drop table {table}")
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = _app().run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert "older version" in message and "make data" in message
    assert len(at.metric) == 0


@pytest.mark.parametrize("key", [None, "a-key-set-where-the-database-is-built"], ids=["no key", "key"])
def test_overview_of_real_extracts_without_a_key_shows_engagement_but_no_survey_figure(
    small_extracts, tmp_path, monkeypatch, key
):
    real_database(small_extracts, tmp_path / "real.duckdb", monkeypatch, key)
    at = _app().run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    expected = small_engagement()
    assert value(shown["Conversation hours"]) == expected["conversation_hours"]
    assert value(shown["Actions raised"]) == expected["actions_raised"]
    assert not any("Synthetic demo data" in i.value for i in at.info)
    withheld = [e.value for e in at.error if e.value == ui.WITHHELD_MESSAGE]
    if key is None:
        assert len(withheld) == 1
        assert not set(SURVEY_TITLES.values()) & set(shown)
        assert not any("%" in m.value for m in at.markdown)
    else:  # the same data built with a key: survey tiles are there (perturbed, or hidden when small)
        assert not withheld and set(SURVEY_TITLES.values()) <= set(shown)
