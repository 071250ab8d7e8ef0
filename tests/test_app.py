"""The Overview as a person first meets it: the published figures, or how to build the database."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_overview_shows_the_published_figures_computed_from_the_demo_data(demo_env):
    at = _app().run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown == {
        "Conversation hours": "102", "Staff engaged": "256", "Actions raised": "831",
        "Service areas covered": "92", "Quick wins completed": "213",
        "IT skills rated good": "39%", "Information available": "69%", "IT too unreliable": "65%",
    }
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_a_missing_database_says_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "not-built-yet.duckdb"))
    at = _app().run()
    assert not at.exception
    (message,) = [e.value for e in at.error]
    assert "does not exist yet" in message and "make data" in message and "not-built-yet.duckdb" in message
    assert len(at.metric) == 0
