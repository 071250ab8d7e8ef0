"""Every page, in a real browser: loads clean, draws its charts, downloads, follows the filters, shares by link.
Dates by whole month (the sidebar's month boxes, links with from=2021-03): the months narrow the engagement
figures, never a survey figure (survey figures are whole-wave: the build's release, summed as tests/oracle.py
works it out, and the page says so when months are picked); comments listed per reporting unit, never narrowed
by month. Pages open on the latest survey wave; the published (2021) figures and months are opened with
``wave=2021``."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from functools import cache

import pandas as pd
import pytest

import demo.model as demo_model
from dashboard.core.filters import Filters
from dashboard.core.measures import OVERVIEW_ENGAGEMENT
from tests import oracle

from .conftest import AXE
from .helpers import (
    ROOT,
    SCREENSHOTS,
    AppPage,
    alert_texts,
    csv_numbers,
    discover_pages,
    error_elements,
    main_text,
    metric_values,
    metrics_by_label,
    numbers_in,
    numbers_shown,
    open_page,
    pick_in_selectbox,
    pick_option,
    screenshot_full,
    selectbox_value,
    selected_values,
    wait_idle,
)
from .test_accessibility import assert_axe_passes

pytestmark = pytest.mark.browser

PAGES = discover_pages(ROOT)
CARE_GROUP = demo_model.CARE_GROUPS[0]
# Pages that show no figure the sidebar filters change (checked: picking a filter leaves every number).
WITHOUT_FILTERED_FIGURES = {"Data_and_definitions"}
ENGAGEMENT_TILES = tuple(m.title for m in OVERVIEW_ENGAGEMENT)
OVERVIEW_SURVEY_TILES = {
    "IT skills rated good": "it_skills",
    "Information available": "info_available",
    "IT too unreliable": "it_unreliable",
}
CHARTS = '[data-testid="stMain"] [data-testid="stVegaLiteChart"]'

CHART_DRAWN = """
chart => {
  const drawing = chart.querySelector('svg, canvas');
  if (!drawing) return false;
  const box = drawing.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}
"""

# Vega's SVG renderer puts data marks in groups classed "role-mark"; axes and
# legends have other roles. A canvas chart cannot be looked into, so it passes.
# Text of a chart (bar-end labels, point labels) drawn past the edge of its SVG is cut off.
# A text's box includes the font's side bearings and line height: up to ~2.5 px past the
# edge is still fully visible (rotated axis titles, the top tick label); a clipped
# bar-end number ("53" shown as "5") overflows by 4-5 px.
CHART_CLIPPED_TEXT = """
chart => {
  const svg = chart.querySelector('svg');
  if (!svg) return [];
  const edge = svg.getBoundingClientRect();
  const slack = 3;
  return Array.from(svg.querySelectorAll('text')).filter(t => {
    const box = t.getBoundingClientRect();
    return box.width > 0 && (box.right > edge.right + slack || box.left < edge.left - slack
                             || box.bottom > edge.bottom + slack || box.top < edge.top - slack);
  }).map(t => t.textContent);
}
"""

CHART_HAS_MARKS = """
chart => {
  const svg = chart.querySelector('svg');
  if (!svg) return true;
  return svg.querySelectorAll('.role-mark > *').length > 0;
}
"""


@pytest.fixture(params=PAGES, ids=[p.name for p in PAGES])
def app_page(request: pytest.FixtureRequest) -> AppPage:
    return request.param


def _check_visible_charts(page, checked: set[int], where: str = "") -> None:
    charts = page.locator(CHARTS)
    for index in range(charts.count()):
        chart = charts.nth(index)
        if index in checked or not chart.is_visible():
            continue
        chart.scroll_into_view_if_needed()
        handle = chart.element_handle()
        page.wait_for_function(CHART_DRAWN, arg=handle, timeout=15_000)
        box = chart.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"chart {index + 1} has no size: {box}"
        assert page.evaluate(CHART_HAS_MARKS, handle), f"chart {index + 1} draws no data marks (empty chart)"
        clipped = page.evaluate(CHART_CLIPPED_TEXT, handle)
        assert not clipped, f"{where} chart {index + 1}: text cut off at the chart's edge: {clipped}"
        checked.add(index)


def _reveal_hidden_charts(page, checked: set[int], total: int, where: str) -> None:
    """Charts in closed expanders or other tabs: open each expander, visit each tab."""
    closed = page.locator('[data-testid="stMain"] [data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(closed.count()):
        closed.first.click()
    wait_idle(page)
    _check_visible_charts(page, checked, where)
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for index in range(tabs.count()):
        if len(checked) == total:
            return
        tabs.nth(index).click()
        wait_idle(page)
        _check_visible_charts(page, checked, where)


def _check_downloads(page, app_page: AppPage) -> None:
    """Each (CSV) download button gives a file: a CSV with a header and rows (or, for a button
    not labelled CSV, an Excel workbook); and the page's CSVs include at least one number
    shown on the page (not every CSV need: a table of comments may hold no number)."""
    buttons = page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"]')
    if buttons.count() == 0:
        return
    if buttons.filter(has_text="CSV").count():
        buttons = buttons.filter(has_text="CSV")  # the CSV ones, when labelled: Excel twins cost time and add little
    frames = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    for index in range(frames.count()):  # a table's accessible copy is filled once it has been in view
        frames.nth(index).scroll_into_view_if_needed()
    wait_idle(page)
    shown = numbers_in(main_text(page, dataframes=True)) - {0.0, 1.0}  # 0 and 1 are too common to prove anything
    csv_files: dict[str, set[float]] = {}
    for index in range(buttons.count()):
        button = buttons.nth(index)
        label = button.inner_text().strip()
        with page.expect_download(timeout=30_000) as info:
            button.locator("button, a").first.click()
        download = info.value
        assert download.failure() is None, f"download {label!r} failed: {download.failure()}"
        name = download.suggested_filename
        raw = download.path().read_bytes()
        assert raw.strip(), f"download {label!r} ({name}) is empty"
        if name.lower().endswith(".xlsx"):
            assert raw[:2] == b"PK", f"{name} is not an Excel workbook"
            continue
        assert name.lower().endswith(".csv"), f"download {label!r} is {name}: expected .csv or .xlsx"
        rows, csv_files[name] = csv_numbers(raw.decode("utf-8-sig"))
        assert len(rows) >= 2, f"{name} has no table (header and at least one row): {rows[:3]}"
        wait_idle(page)
    assert csv_files, f"{app_page.path} offers downloads but no CSV"
    assert any(shown & numbers for numbers in csv_files.values()), (
        f"no CSV on {app_page.path} includes a number shown on the page: "
        + "; ".join(f"{name}: {sorted(numbers)[:12]}" for name, numbers in csv_files.items())
    )


def test_page_renders_cleanly(page, app_page: AppPage) -> None:
    """No exception, no st.error, a title; every Vega-Lite chart visible, sized and drawing data;
    every download (if the page offers any) a CSV that carries a number shown on the page.

    Saves the full-page screenshot first, so a failing page still leaves one to look at; then axe
    (test_accessibility's check, when axe-core is installed).
    One test, one page load: page loads are most of the run time.
    """
    open_page(page, app_page.path)
    screenshot_full(page, SCREENSHOTS / f"{app_page.name}.png")
    if AXE.exists():  # axe on this load, on a desktop (test_accessibility runs it on the filtered page)
        assert_axe_passes(page, AXE, f"{app_page.name}-desktop", "desktop")
    errors = error_elements(page)
    assert not errors, f"{app_page.path} shows errors: {errors}"
    assert page.locator('[data-testid="stMain"] h1').count() >= 1, f"{app_page.path} has no title"

    total = page.locator(CHARTS).count()
    checked: set[int] = set()
    _check_visible_charts(page, checked, app_page.path)
    if len(checked) < total:
        _reveal_hidden_charts(page, checked, total, app_page.path)
    assert len(checked) == total, f"only {len(checked)} of {total} charts on {app_page.path} could be seen"
    _check_downloads(page, app_page)


def test_filter_changes_numbers_and_goes_in_the_address(page, app_page: AppPage) -> None:
    """Picking one care group changes what the page shows, and goes in the page's address (that the address
    reopens the view in another browser, on every page, is tests/browser/test_links.py's walk).

    "What the page shows" is its numbers: metric values and every number in the main
    area. A page without metrics or charts that the care group leaves unchanged (My
    area waits for one service area) also gets the first service area of that care group.
    """
    open_page(page, app_page.path)
    before = numbers_shown(page)
    pick_option(page, "Care group", CARE_GROUP)
    assert selected_values(page, "Care group") == [CARE_GROUP]
    picked = {"Care group": [CARE_GROUP]}
    has_figures = bool(metric_values(page)) or page.locator(CHARTS).count() > 0
    if not has_figures and numbers_shown(page) == before:
        pick_option(page, "Service area")
        picked["Service area"] = selected_values(page, "Service area")  # what the page shows is what the link must give
    after = numbers_shown(page)
    if app_page.name in WITHOUT_FILTERED_FIGURES:
        assert after == before, f"{app_page.path} is listed as showing no filtered figure, yet its numbers changed"
    else:
        assert after != before, f"choosing {picked} changed no number on {app_page.path}: {after}"
    assert not error_elements(page), f"{app_page.path} shows errors after filtering: {error_elements(page)}"
    assert "care_group=" in page.url, f"the filter is not in the address: {page.url}"


# --------------------------------------------------------------------------- months, perturbed figures, comments


@cache
def responses() -> pd.DataFrame:
    return oracle.read_responses()


@pytest.fixture(scope="module")
def release(demo_db) -> oracle.Released:
    """What the build released (the server runs on ``demo_db``): the audit's decision, read from the file."""
    return oracle.released(demo_db)


def expected_tile(measure: str, filters: Filters, release: oracle.Released) -> str:
    """A survey tile as the oracle works it out: the percentage of the released counts summed over the
    filters' parts, whole-wave (the filters' months change nothing), or Hidden when no part is released."""
    n, _positive, percent = oracle.expected_headline(responses(), measure, filters, release)
    return "Hidden" if n is None else f"{percent}%"


def engagement_tiles(page, filters: Filters) -> tuple[dict[str, float], dict[str, float]]:
    """The Overview's engagement tiles as shown (hours to one decimal) and as the oracle works them out for
    ``filters`` (its months included), by tile title."""
    shown = metrics_by_label(page)
    expected = oracle.expected_engagement(filters)
    return (
        {m.title: float(shown[m.title].replace(",", "")) for m in OVERVIEW_ENGAGEMENT},
        {m.title: float(expected[m.key]) for m in OVERVIEW_ENGAGEMENT},
    )


PUBLISHED = oracle.PUBLISHED_WAVE  # the wave of the published figures and of the months below
MARCH_TO_MAY = Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31), wave=PUBLISHED)
WHOLE_WAVE = "Survey figures are for the whole wave:"  # what a page with months picked says of its survey figures


def test_a_month_link_opens_whole_months_with_whole_wave_survey_figures(page, release) -> None:
    """from=2021-03&to=2021-05 is March 1 to May 31: the month boxes show it, the engagement tiles are the
    oracle's for those months (not the whole period's), and the survey tiles the oracle's whole-wave figures
    (the published ones), with the page saying that survey figures are for the whole wave."""
    open_page(page, f"/?wave={PUBLISHED}&from=2021-03&to=2021-05")
    assert (selectbox_value(page, "From month"), selectbox_value(page, "To month")) == ("2021-03", "2021-05")
    shown, expected = engagement_tiles(page, MARCH_TO_MAY)
    assert shown == pytest.approx(expected, abs=0.051)
    assert expected != engagement_tiles(page, Filters())[1], "March to May is the whole period: this proves nothing"
    tiles = metrics_by_label(page)
    whole = {
        tile: expected_tile(measure, Filters(wave=PUBLISHED), release)
        for tile, measure in OVERVIEW_SURVEY_TILES.items()
    }
    assert whole == {t: f"{oracle.PUBLISHED[m]}%" for t, m in OVERVIEW_SURVEY_TILES.items()}
    assert {tile: tiles[tile] for tile in OVERVIEW_SURVEY_TILES} == whole
    assert WHOLE_WAVE in main_text(page), main_text(page)[-1500:]
    assert not [a for a in alert_texts(page) if "link" in a], alert_texts(page)  # a month link needs no notice


def test_with_no_month_picked_the_page_does_not_say_survey_figures_are_whole_wave(page) -> None:
    """The whole-wave note belongs to months picked: the same view without months has none."""
    open_page(page, f"/?wave={PUBLISHED}")
    assert metrics_by_label(page), "the Overview shows no tile"
    assert WHOLE_WAVE not in main_text(page)


def test_a_day_link_opens_its_months_with_a_notice_and_the_address_becomes_the_month_link(
    page, colleague, release
) -> None:
    """A day in a link opens its whole month, with a notice naming both; the address becomes the month link;
    the survey figure is the whole wave's for the staff group (the months change no survey figure), and the
    page says so."""
    open_page(page, f"/Digital_skills?wave={PUBLISHED}&from=2021-03-14&to=2021-05-02&staff_group=Nursing")
    screenshot_full(page, SCREENSHOTS / "Digital_skills-day-link.png")
    notices = alert_texts(page)
    assert any("from='2021-03-14'" in n and "March 2021" in n for n in notices), notices
    assert any("to='2021-05-02'" in n and "May 2021" in n for n in notices), notices
    assert (selectbox_value(page, "From month"), selectbox_value(page, "To month")) == ("2021-03", "2021-05")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    # The link's wave stays in the address beside the months it was given.
    assert query == {"wave": [PUBLISHED], "from": ["2021-03"], "to": ["2021-05"], "staff_group": ["Nursing"]}, page.url
    whole_wave = Filters(staff_groups=("Nursing",), wave=PUBLISHED)  # the months change no survey figure
    assert metrics_by_label(page)["This selection"] == expected_tile("it_skills", whole_wave, release)
    assert WHOLE_WAVE in main_text(page), main_text(page)[:1500]

    other = colleague()
    open_page(other, page.url)
    assert metrics_by_label(other) == metrics_by_label(page), f"{page.url} opened fresh shows other figures"
    assert not [a for a in alert_texts(other) if "link" in a], alert_texts(other)  # a month link: no notice


def test_picking_a_month_filters_the_engagement_figures_not_the_survey_ones_and_goes_in_the_address(
    page, colleague, release
) -> None:
    """Picking a From month narrows the engagement tiles to the oracle's figures from that month on; the survey
    tiles stay the wave's whole figures (the published ones), with the whole-wave note; the address reopens it."""
    open_page(page, f"/?wave={PUBLISHED}")
    before = metrics_by_label(page)
    assert WHOLE_WAVE not in main_text(page)
    pick_in_selectbox(page, "From month", "2021-04")
    assert selectbox_value(page, "From month") == "2021-04"
    # From April 2021 on meets both waves: the address must name the wave, or it reopens on the latest.
    assert "from=2021-04" in page.url and f"wave={PUBLISHED}" in page.url, page.url
    april_on = Filters(date_from=dt.date(2021, 4, 1), wave=PUBLISHED)
    shown, expected = engagement_tiles(page, april_on)
    assert shown == pytest.approx(expected, abs=0.051)
    tiles = metrics_by_label(page)
    assert {t: tiles[t] for t in ENGAGEMENT_TILES} != {t: before[t] for t in ENGAGEMENT_TILES}
    assert {t: tiles[t] for t in OVERVIEW_SURVEY_TILES} == {t: before[t] for t in OVERVIEW_SURVEY_TILES}
    assert {t: tiles[t] for t in OVERVIEW_SURVEY_TILES} == {
        tile: f"{oracle.PUBLISHED[measure]}%" for tile, measure in OVERVIEW_SURVEY_TILES.items()
    }
    assert WHOLE_WAVE in main_text(page), main_text(page)[-1500:]
    assert not error_elements(page)

    other = colleague()
    open_page(other, page.url)
    assert selectbox_value(other, "From month") == "2021-04"
    assert metrics_by_label(other) == tiles


def _comment_count(frame: pd.DataFrame) -> int:
    return int((frame["comment"].str.strip() != "").sum())


def test_comments_are_listed_for_the_whole_trust_and_never_narrowed_by_month_or_staff_group(page) -> None:
    """The Trust's comments (every non-blank comment of the extracts in the wave shown, the latest) are
    listed with no filter, and the same list, same count, with a month of the wave and a staff group
    picked: comments are never narrowed by them."""
    latest = responses().attrs["latest_wave"]
    in_wave = responses()[responses()["wave"] == latest]
    everyone = f"{_comment_count(in_wave):,} comments from the whole Trust, all surveys"
    month = sorted({f"{d:%Y-%m}" for d in in_wave["submitted_on"]})[1]  # a month of the wave, not its first
    open_page(page, "/IT_reliability")
    assert everyone in main_text(page), main_text(page)[-1500:]
    open_page(page, f"/IT_reliability?from={month}&to={month}&staff_group=Nursing")
    assert selectbox_value(page, "From month") == month
    assert everyone in main_text(page), main_text(page)[-1500:]
    assert not error_elements(page)


def test_comments_are_not_listed_for_several_care_groups_and_the_page_says_why(page) -> None:
    groups = urllib.parse.urlencode([("care_group", g) for g in demo_model.CARE_GROUPS[:2]])
    open_page(page, f"/IT_reliability?{groups}")
    why = [a for a in alert_texts(page) if "not listed for these filters" in a]
    assert why and "several care groups are picked" in why[0], alert_texts(page)
    assert "comments from" not in main_text(page)
    assert page.get_by_label("Search the comments").count() == 0
    screenshot_full(page, SCREENSHOTS / "IT_reliability-comments-not-listed.png")


def _download_pdf(page, scope: str) -> str:
    """Click the "Download this view as PDF" button in ``scope`` (a locator's CSS) and return the PDF's text, read
    with pypdf, whitespace squeezed (lines wrap anywhere)."""
    import io

    from pypdf import PdfReader

    button = page.locator(f'{scope} [data-testid="stDownloadButton"]').filter(has_text="as PDF")
    assert button.count() == 1
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as info:
        button.locator("button, a").first.click()
    download = info.value
    assert download.failure() is None and download.suggested_filename.endswith(".pdf")
    raw = download.path().read_bytes()
    assert raw[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(raw))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_a_theme_page_downloads_its_view_as_a_pdf_holding_the_tiles_on_screen(page) -> None:
    area = "Community mental health team (North)"
    open_page(page, f"/Digital_skills?service_area={urllib.parse.quote_plus(area)}")
    tiles = metrics_by_label(page)
    assert len(tiles) == 3  # the selection, its care group and the Trust
    text = _download_pdf(page, '[data-testid="stMain"]')
    for label, value in tiles.items():
        assert value.split()[0] in text, (label, value)
    assert area in text and "SYNTHETIC DEMO DATA" in text


def test_my_area_downloads_a_pdf_holding_the_scorecard_on_screen(page) -> None:
    area = "Community mental health team (North)"
    open_page(page, f"/My_area?service_area={urllib.parse.quote_plus(area)}")
    shown = page.locator('[data-testid="stMain"] [data-testid="stTable"] td').all_inner_texts()
    shown = [" ".join(cell.split()) for cell in shown if cell.strip()]
    assert len(shown) > 20
    text = _download_pdf(page, '[data-testid="stSidebar"]')
    missing = [cell for cell in shown if cell not in text]
    assert missing == [], missing
    assert f"My area: {area}" in text
