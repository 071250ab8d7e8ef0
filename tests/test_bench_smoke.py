"""The benchmark harness runs end to end at a tiny scale (no timing is asserted: tests never do).

2,000 synthetic responses, 3 reruns, the Overview and one survey page (each with
its pandas reference) and the floor; when Chromium is installed, the real-server
parts too: cold start and memory (one filter walk) and two filter changes felt in
Chromium on each page and on the floor. The reference shows the product's
survey figures (both sum the released cells a filter state covers). Plus the pure
parts: page discovery and naming, filter combinations that never repeat, the
report's tables.
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
CHANGES = 2
MEASURED = {"app.py", "pages/1_Digital_skills.py"}
needs_chromium = pytest.mark.skipif(not server.chromium_available(), reason="Chromium not found at /usr/bin/chromium")


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
            "--walks",
            "1",
            "--changes",
            str(CHANGES),
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
    assert set(measured) == MEASURED | {"bench/floor/app.py"}  # the floor always, last
    assert scale["pages"][-1]["title"] == pages.FLOOR_TITLE
    floor = measured.pop("bench/floor/app.py")
    assert floor["reference"] is None and floor["product"]["errors"] == []
    assert len(floor["product"]["runs_ms"]) == 3
    assert floor["product"]["queries"] == [0, 0, 0]  # no data work: not one query or sum on a filter change
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
    for heading in ("## Rerun on a filter change", "## A filter change felt", "## Growth", "## Build", "## Targets"):
        assert heading in text
    assert f"| {SCALE:,} | Digital skills |" in text
    assert f"| {SCALE:,} | {pages.FLOOR_TITLE} |" in text
    assert "| Rerun ms (AppTest): Digital skills |" in text and "| Database MB |" in text
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


@needs_chromium
def test_every_page_and_the_floor_felt_their_filter_changes_in_chromium(bench_run: dict) -> None:
    """Each measured page, then the floor on its own server, took every timed filter change in the
    sidebar to idle with its charts drawn: a time from the press (browser clock) per change, no error."""
    (scale,) = bench_run["results"]["scales"]
    felt = scale["felt"]
    assert felt["errors"] == []
    assert [p["page"] for p in felt["pages"]] == [*sorted(MEASURED), "bench/floor/app.py"]
    for page in felt["pages"]:
        assert page["errors"] == [], (page["page"], page["errors"])
        assert len(page["changes_ms"]) == CHANGES, page
        assert all(0 < ms < 120_000 for ms in page["changes_ms"]), page  # a press, then the last change after it
        # The script run's share, per change the page saw run: after the press, no later than its last change.
        assert len(page["script_ms"]) == CHANGES and any(page["script_ms"]), page
        assert all(run is None or 0 < run <= felt for run, felt in zip(page["script_ms"], page["changes_ms"])), page
        # One more care group first; then another month (To, or From when no later To month is offered).
        assert page["changed"][0] == "Care group" and set(page["changed"][1:]) <= {"To month", "From month"}
    charts = {p["page"]: p["charts"] for p in felt["pages"]}
    assert charts["bench/floor/app.py"] == 3 and charts["pages/1_Digital_skills.py"] > 0, charts
    assert felt["server_peak_mb"] > 0 and felt["floor_server_peak_mb"] > 0
    text = bench_run["markdown"]
    assert f"| {SCALE:,} | {pages.FLOOR_TITLE} |" in text.split("## A filter change felt")[1]
    assert "| Filter change felt ms (Chromium): Digital skills |" in text


def test_report_tables_share_one_shape_and_growth_divides_the_largest_scale_by_the_one_before() -> None:
    assert report.table(["A", "B"], [["x", "1"]], "lr") == ["| A | B |", "| --- | ---: |", "| x | 1 |"]

    def scale(size: int, build_s: float, rerun_ms: list[float], felt_ms: list[float]) -> dict:
        runs = {"runs_ms": rerun_ms, "cpu_ms": [], "sql_ms": [], "queries": [], "first_ms": None, "errors": []}
        felt = {"page": "app.py", "title": "Overview", "changes_ms": felt_ms, "charts": 0, "errors": []}
        return {
            "scale": size,
            "build": {"seconds": build_s, "peak_rss_mb": 500.0, "exit_code": 0},
            "database_mb": 20.0,
            "pages": [{"page": "app.py", "title": "Overview", "product": runs, "reference": None}],
            "felt": {"pages": [felt], "server_peak_mb": 300.0},
        }

    lines = report.growth(
        [
            scale(100_000, 4.0, [9.0], [90.0]),
            scale(1_000_000, 10.0, [10.0], [100.0]),
            scale(10_000_000, 100.0, [12.0, 13.0, 14.0], [150.0]),
        ]
    )
    assert lines[0] == "| Measure | 100k | 1M | 10M | 10M / 1M |"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines[2:]}
    assert rows["Rerun ms (AppTest): Overview"].endswith("| 9 | 10 | 13 | 1.3x |")
    assert rows["Filter change felt ms (Chromium): Overview"].endswith("| 90 | 100 | 150 | 1.5x |")
    assert rows["Build s"].endswith("| 4.0 | 10.0 | 100.0 | 10.0x |")
    assert rows["Database MB"].endswith("| 20 | 20 | 20 | 1.0x |")


@needs_chromium
def test_real_server_cold_start_and_memory(bench_run: dict, tmp_path: Path) -> None:
    database = next(bench_run["cache"].glob("scale-*/engagement.duckdb"))
    result = server.measure(ROOT / "app.py", [""], database, [], tmp_path / "server.log", "product")
    assert result.errors == []
    assert 0 < result.health_s <= result.first_page_s
    assert result.peak_rss_mb > 0
    assert result.page_loads == 1
