"""Every page on a phone (390 x 844, Chromium): every chart draws marks you can see, no chart text is cut
off at the chart's edge, every download button (the page's and the sidebar's) is whole and on screen, and
axe finds no serious or critical violation (test_accessibility's check, when axe-core is installed).

Saves ``test-artefacts/screenshots/phone-<page>.png`` (and ``phone-<page>-filtered.png``) to look at."""

from __future__ import annotations

import pytest

from .conftest import AXE
from .helpers import ROOT, SCREENSHOTS, AppPage, discover_pages, error_elements, open_page, screenshot_full, wait_idle
from .test_accessibility import FILTERED, assert_axe_passes  # the same filtered view (My area needs its area)
from .test_pages import CHART_CLIPPED_TEXT, CHART_DRAWN, CHARTS

pytestmark = pytest.mark.browser

PAGES = discover_pages(ROOT)
PHONE = {"width": 390, "height": 844}

# Data marks you can see: Vega's SVG puts each layer's marks in a group classed "role-mark". A bar
# layer whose bars all have no width (the Actions page's theme chart on a phone once: its labels took
# the whole width) draws nothing, though its marks exist. A layer counts as visible when one of its
# items is at least a pixel each way; text (labels) and rules are not data marks here.
CHART_MARKS_UNSEEN = """
chart => {
  const svg = chart.querySelector('svg');
  if (!svg) return [];
  const layers = Array.from(svg.querySelectorAll('g.role-mark'))
    .filter(g => !g.classList.contains('mark-text') && !g.classList.contains('mark-rule') && g.children.length);
  if (!layers.length) return ['no data marks'];
  return layers.filter(g => !Array.from(g.children).some(item => {
    const box = item.getBoundingClientRect();
    return box.width >= 1 && box.height >= 1;
  })).map(g => g.getAttribute('class'));
}
"""

# A chart whose drawing is wider than its box is cut at the box's edge.
CHART_WIDER_THAN_ITS_BOX = """
chart => {
  const drawing = chart.querySelector('svg, canvas');
  return drawing.getBoundingClientRect().width > chart.getBoundingClientRect().width + 1;
}
"""

# A download button cut short: its label's text wider than the label, or the button past the screen's edge.
DOWNLOAD_CUT = """
button => {
  const box = button.getBoundingClientRect();
  const label = button.querySelector('[data-testid="stMarkdownContainer"], p') || button;
  const cut = label.scrollWidth > label.clientWidth + 1;
  return {text: button.innerText.trim(), cut, off: box.left < 0 || box.right > window.innerWidth + 1};
}
"""


@pytest.fixture(params=PAGES, ids=[p.name for p in PAGES])
def app_page(request: pytest.FixtureRequest) -> AppPage:
    return request.param


@pytest.fixture
def phone(page):
    """A page in a fresh context, its window a phone's size (the context's viewport is the desktop's)."""
    page.set_viewport_size(PHONE)
    return page


def _open_every_expander(page) -> None:
    closed = page.locator('[data-testid="stMain"] [data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(closed.count()):
        closed.first.click()
    wait_idle(page)


def _check_charts(page, where: str) -> int:
    charts = page.locator(CHARTS)
    for index in range(charts.count()):
        chart = charts.nth(index)
        if not chart.is_visible():
            continue
        chart.scroll_into_view_if_needed()
        handle = chart.element_handle()
        page.wait_for_function(CHART_DRAWN, arg=handle, timeout=15_000)
        unseen = page.evaluate(CHART_MARKS_UNSEEN, handle)
        assert not unseen, f"{where} chart {index + 1}: data marks drawn with no size on a phone: {unseen}"
        assert not page.evaluate(CHART_WIDER_THAN_ITS_BOX, handle), f"{where} chart {index + 1} is wider than its box"
        clipped = page.evaluate(CHART_CLIPPED_TEXT, handle)
        assert not clipped, f"{where} chart {index + 1}: text cut off at the chart's edge on a phone: {clipped}"
    return charts.count()


def _check_downloads(page, scope: str, where: str) -> None:
    buttons = page.locator(f'{scope} [data-testid="stDownloadButton"]')
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        state = button.evaluate(DOWNLOAD_CUT)
        assert not state["cut"], f"{where}: the download button {state['text']!r} is cut short on a phone"
        assert not state["off"], f"{where}: the download button {state['text']!r} is off the screen on a phone"


@pytest.mark.parametrize("query", ["", FILTERED], ids=["unfiltered", "filtered"])
def test_every_page_works_on_a_phone(phone, app_page: AppPage, query: str) -> None:
    where = app_page.path + query
    open_page(phone, where)
    suffix = "-filtered" if query else ""
    if AXE.exists():  # axe at a phone's size, on this page (test_accessibility runs it on a desktop)
        assert_axe_passes(phone, AXE, f"{app_page.name}-phone{suffix}", "phone")
    _open_every_expander(phone)
    screenshot_full(phone, SCREENSHOTS / f"phone-{app_page.name}{suffix}.png")
    assert not error_elements(phone), f"{where} shows errors on a phone: {error_elements(phone)}"
    _check_charts(phone, where)
    _check_downloads(phone, '[data-testid="stMain"]', where)

    expand = phone.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count():
        expand.first.click()
        phone.locator('[data-testid="stSidebar"]').wait_for(state="visible")
        wait_idle(phone)
    _check_downloads(phone, '[data-testid="stSidebar"]', f"{where} (sidebar)")
