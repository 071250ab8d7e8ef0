"""The benchmark harness runs end to end at a tiny scale (no timing is asserted: tests never do).

2,000 synthetic responses, 3 reruns, the Overview and one survey page (each with
its pandas reference), without the browser part; then, when Chromium is
installed, one cold start of the real server. The reference shows the product's
survey figures (both sum the released cells a filter state covers). Plus the pure
parts: page discovery and naming, and filter combinations that never repeat.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import demo.model as demo_model
from bench import combos, pages, report, server
from bench.__main__ import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SCALE = 2_000


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "latest.md"
    code = main(
        [
            "--scales",
            str(SCALE),
            "--reruns",
            "3",
            "--out",
            str(out),
            "--cache",
            str(folder / "cache"),
            "--no-browser",
            "--page",
            "app.py",
            "--page",
            "pages/1_Digital_skills.py",
        ]
    )
    assert code == 0
    return {
        "markdown": out.read_text(encoding="utf-8"),
        "results": json.loads(out.with_suffix(".json").read_text()),
        "cache": folder / "cache",
    }


def test_every_measured_page_ran_its_reruns_without_errors(bench_run: dict) -> None:
    (scale,) = bench_run["results"]["scales"]
    assert scale["scale"] == SCALE
    assert scale["build"]["exit_code"] == 0
    measured = {page["page"]: page for page in scale["pages"]}
    assert set(measured) == {"app.py", "pages/1_Digital_skills.py"}
    for page in measured.values():
        for side in ("product", "reference"):
            timing = page[side]
            assert timing["errors"] == [], (page["page"], side, timing["errors"])
            assert len(timing["runs_ms"]) == 3
            assert timing["first_ms"] is not None
        # Every rerun used a new filter combination, so the product ran queries each time.
        assert all(count > 0 for count in page["product"]["queries"]), page["product"]["queries"]
    assert measured["pages/1_Digital_skills.py"]["reference_page"] == "bench/reference/pages/1_Digital_skills.py"


def test_report_has_the_tables_the_machine_and_the_targets(bench_run: dict) -> None:
    text = bench_run["markdown"]
    for heading in ("## Rerun on a filter change", "## Build", "## Cold start", "## Targets"):
        assert heading in text
    assert f"| {SCALE:,} | Digital skills |" in text
    assert "Streamlit 1." in text and "DuckDB " in text and "CPUs (" in text
    assert "1M not measured" in text


def test_extracts_are_reused_for_the_same_scale_and_seed(bench_run: dict) -> None:
    from bench import data

    folder, generated = data.extracts(bench_run["cache"], SCALE, 2021)
    assert generated is None
    assert (folder / "survey_responses.csv").is_file()


def _tiles(script: Path, page: str | None, filters: dict[str, list[str]]) -> dict[str, str]:
    """The metric tiles of one page (``page``: switched to from ``script``) with the sidebar's filters set."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=120)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    for key, values in filters.items():
        at.sidebar.multiselect(key=key).set_value(values)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return {m.label: m.value for m in at.metric}


def test_the_reference_sums_the_same_released_cells_as_the_product(
    bench_run: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference reads the release tables its own way (whole tables in pandas, masks and groupby),
    yet its survey tiles are the product's, shown or hidden alike, for the whole Trust, one care group
    and survey, two care groups and a staff group, and one service area: it does the product's work
    (summing the released cells a filter state covers), so the timings compare like with like."""
    import duckdb

    database = next(bench_run["cache"].glob("scale-*/engagement.duckdb"))
    monkeypatch.setenv("DASHBOARD_DB", str(database))
    monkeypatch.delenv("DASHBOARD_MIN_GROUP_SIZE", raising=False)
    with duckdb.connect(str(database), read_only=True) as con:
        (area,) = con.execute("select service_area from service_areas order by service_area limit 1").fetchone()
    states = [
        {},
        {"care_group": [demo_model.CARE_GROUPS[0]], "survey": ["Staff"]},
        {"care_group": list(demo_model.CARE_GROUPS[1:3]), "staff_group": ["Nursing"]},
        {"service_area": [area]},
    ]
    overview_tiles = ("IT skills rated good", "Information available", "IT too unreliable")
    seen = set()
    for filters in states:
        product = _tiles(ROOT / "app.py", None, filters)
        reference = _tiles(pages.REFERENCE / "app.py", None, filters)
        assert {t: product[t] for t in overview_tiles} == {t: reference[t] for t in overview_tiles}, filters
        product = _tiles(ROOT / "app.py", "pages/1_Digital_skills.py", filters)
        reference = _tiles(pages.REFERENCE / "pages" / "1_Digital_skills.py", None, filters)
        for tile in ("This selection", "Whole Trust"):
            assert product[tile] == reference[tile], (filters, tile, product, reference)
        seen |= {t for t in product.values() if t.endswith("%")}
    assert len(seen) > 1, seen  # the filters change the figures: the comparison is not of one number


def test_pages_are_discovered_and_named_as_streamlit_names_them() -> None:
    found = pages.discover_pages(ROOT)
    assert found[0] == ROOT / "app.py"
    assert all(p.parent == ROOT / "pages" for p in found[1:])
    assert pages.page_name(ROOT / "pages" / "3_IT_reliability.py") == "IT_reliability"
    assert pages.page_name(ROOT / "app.py") == ""
    assert pages.reference_for(ROOT / "app.py") == pages.REFERENCE / "app.py"
    assert pages.reference_for(ROOT / "pages" / "99_Not_a_page.py") is None


def test_filter_combinations_never_repeat_and_stay_in_range() -> None:
    first, last = dt.date(2021, 2, 3), dt.date(2021, 6, 20)  # the data's first and last days: February to June
    areas = ["Ward A", "Ward B", "Clinic C"]
    every = list(combos.combinations(first, last, areas))
    assert len(every) == len(set(every))
    month_starts = {dt.date(2021, m, 1) for m in range(2, 7)}
    month_ends = {dt.date(2021, m + 1, 1) - dt.timedelta(days=1) for m in range(2, 7)}
    assert all(c.date_from in month_starts and c.date_to in month_ends for c in every)  # whole months
    assert all(c.date_from <= c.date_to for c in every)
    assert all(not c.service_area for c in every)
    # First pass: a new month range or care group every time (15 ranges x 9 choices, less no filter at all).
    places = [(c.date_from, c.date_to, c.care_group) for c in every[: 15 * 9 - 1]]
    assert len(set(places)) == len(places) == 15 * 9 - 1
    one_area = list(combos.combinations(first, last, areas, one_service_area=True))
    assert all(len(c.service_area) == 1 and not c.care_group for c in one_area)
    assert len({(c.date_from, c.date_to, c.service_area) for c in one_area[: 15 * 3]}) == 15 * 3


def test_filter_combinations_as_links_use_months() -> None:
    first, last = dt.date(2021, 2, 3), dt.date(2021, 6, 20)
    every = list(combos.combinations(first, last, ["Ward A"]))
    moved = next(c for c in every if c.date_from == dt.date(2021, 3, 1) and c.date_to == dt.date(2021, 6, 30))
    params = moved.query_params(first, last)
    assert ("from", "2021-03") in params
    assert not [value for name, value in params if name == "to"]  # the last month is the default
    inner = next(c for c in every if c.date_from == dt.date(2021, 2, 1) and c.date_to == dt.date(2021, 4, 30))
    assert [(n, v) for n, v in inner.query_params(first, last) if n in ("from", "to")] == [("to", "2021-04")]


def test_spread_and_ratio() -> None:
    assert report.spread([5.0]) == (5.0, 5.0)
    low, high = report.spread([float(x) for x in range(1, 12)])
    assert (low, high) == (2.0, 10.0)
    page = {"product": {"runs_ms": [10.0, 20.0, 30.0]}, "reference": {"runs_ms": [60.0, 60.0, 90.0]}}
    assert report.ratio(page) == 3.0
    assert report.ratio({"product": {"runs_ms": [10.0]}, "reference": None}) is None


@pytest.mark.skipif(not server.chromium_available(), reason="Chromium not found at /usr/bin/chromium")
def test_real_server_cold_start_and_memory(bench_run: dict, tmp_path: Path) -> None:
    database = next(bench_run["cache"].glob("scale-*/engagement.duckdb"))
    result = server.measure(ROOT / "app.py", [""], database, [], tmp_path / "server.log", "product")
    assert result.errors == []
    assert 0 < result.health_s <= result.first_page_s
    assert result.peak_rss_mb > 0
    assert result.page_loads == 1
