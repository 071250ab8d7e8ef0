"""Helpers for driving the real app in Chromium: discovery, idle-waiting, reading and setting values.

Idle-waiting is ``load.idle`` (what "idle" means in Streamlit 1.67 is written there), shared with
the load test and the rebuild test: the fixtures install ``INIT_SCRIPT`` in every context and
``track_page`` each page, so ``wait_idle(page, runs_after=script_runs(page))`` (count taken before
an action that reruns) waits until one more script run has finished, then for idle.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from dashboard.core import registry
from load import idle
from load.idle import INIT_SCRIPT, Tracker

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts"  # git-ignored
SCREENSHOTS = ARTEFACTS / "screenshots"
AXE_RESULTS = ARTEFACTS / "axe"
IDLE_TIMEOUT_MS = 30_000  # generous: slow CI machines
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")  # 1,234  39  25.2  -3
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SUMMARY: dict[str, dict] = {}  # page -> {impact: violated rules, "review": {rule: n}}


@dataclass(frozen=True)
class AppPage:
    """One page of the app: its URL path and a name for test ids and file names."""

    name: str  # "Overview", "IT_reliability"
    path: str  # "/", "/IT_reliability"
    source: Path


def discover_pages(root: Path) -> list[AppPage]:
    """The Overview (app.py) plus every script in pages/, in Streamlit's own order and URL naming."""
    return [AppPage(page.name or page.label, page.url_path, root / page.script) for page in registry.pages(root)]


def track_page(page: Page, origin: str) -> None:
    """Watch a page's traffic with the app at ``origin`` (``http://host:port``): requests in flight and
    the script runs finished (``load.idle.Tracker``)."""
    if not hasattr(page, "_app_tracker"):
        page._app_tracker = Tracker(origin).attach(page)  # read by wait_idle and script_runs


def script_runs(page: Page) -> int:
    """Script runs this page has seen finish (take it before an action, pass it to wait_idle)."""
    return page._app_tracker.finished


def wait_idle(page: Page, timeout: float = IDLE_TIMEOUT_MS, runs_after: int | None = None) -> None:
    """Wait until the app has finished running its script and the page has stopped changing;
    ``runs_after``: and more than this many script runs have finished (``script_runs`` before an
    action that reruns)."""
    page.wait_for_selector('[data-testid="stApp"]', state="attached", timeout=timeout)
    page.evaluate(INIT_SCRIPT)  # no-op when the context's init script already installed it
    idle.wait_idle(page, page._app_tracker, runs_after=runs_after, timeout=timeout / 1000)


def open_page(page: Page, path_and_query: str) -> None:
    """Go to a path of the app (relative to the context's base_url) and wait until it is idle."""
    page.goto(path_and_query, wait_until="domcontentloaded")
    wait_idle(page)


def metric_values(page: Page) -> list[str]:
    """The texts of the metric tiles in the main area, in page order."""
    return page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]').all_inner_texts()


# Text nodes joined with spaces, so that cells and labels do not run together. Reaches
# chart labels (SVG text) and st.table cells. Leaves out st.dataframe: it draws on a
# canvas, and the accessible table behind it is filled lazily (only rows and columns
# in view, only once laid out), so its text differs between two loads of one view.
_TEXT = """
(root, dataframes) => {
  const skip = 'style, script, noscript, template' + (dataframes ? '' : ', [data-testid="stDataFrame"]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement && n.parentElement.closest(skip)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const parts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    if (text) parts.push(text);
  }
  return parts.join(' ');
}
"""


def main_text(page: Page, dataframes: bool = False) -> str:
    """All text of the main area, space-separated, chart labels and st.table cells included;
    with ``dataframes``, also what st.dataframe's accessible tables hold at the moment."""
    main = page.locator('[data-testid="stMain"]')
    return main.evaluate(_TEXT, dataframes)


def numbers_shown(page: Page) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The numbers on the page, for filter checks: the metric values, and every number
    written in the main area (text, tables, chart labels), in page order.

    Metrics alone are not enough: a care group's percentage can equal the Trust's
    (39% and 39%) while its base (n = 682 against 2,338) differs."""
    return tuple(metric_values(page)), tuple(NUMBER.findall(main_text(page)))


def numbers_in(text: str) -> set[float]:
    """Numbers written in a text ('1,234', '39%', '25.2'), as floats."""
    found = set()
    for token in NUMBER.findall(text):
        try:
            found.add(float(token.replace(",", "")))
        except ValueError:
            pass
    return found


def csv_numbers(content: str) -> tuple[list[list[str]], set[float]]:
    """Rows of a CSV text and every number in its cells (shares 0-1 also as percentages).

    Leading ``# `` lines (the app stamps filters, build time and notes there) are not table rows."""
    lines = content.splitlines()
    while lines and lines[0].lstrip('"').startswith("#"):
        lines.pop(0)
    rows = [row for row in csv.reader(io.StringIO("\n".join(lines))) if row]
    found: set[float] = set()
    for row in rows:
        for cell in row:
            for value in numbers_in(cell):
                found.add(value)
                if 0 < value < 1:
                    found.add(round(value * 100))
                    found.add(round(value * 100, 1))
    return rows, found


def multiselect_input(page: Page, label: str):
    return page.locator(f'[data-testid="stSidebar"] [data-testid="stMultiSelect"] input[aria-label="{label}"]')


def pick_option(page: Page, label: str, option: str | None = None) -> str:
    """Choose ``option`` (default: the first one offered) in the sidebar multiselect
    labelled ``label`` with the mouse; wait for the rerun; return the option chosen.

    Streamlit 1.67's multiselect is a react-aria combobox: an ``input[role=combobox]``
    with ``aria-label`` = the widget label; clicking it opens a ``[role=listbox]`` of
    ``[role=option]`` items (the first is "Select all"). The list stays open after a
    pick, so Escape closes it.
    """
    before = script_runs(page)
    box = multiselect_input(page, label)
    box.click()
    listbox = page.locator(f'[role="listbox"][aria-label="{label}"]')
    listbox.wait_for(state="visible", timeout=10_000)
    if option is None:
        option = listbox.locator('[role="option"]:not([data-key="__select_all__"])').first.inner_text().strip()
    # By name, not by place: the list can change under the pointer while a rerun is in flight.
    listbox.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, runs_after=before)
    page.keyboard.press("Escape")
    listbox.wait_for(state="hidden", timeout=10_000)
    wait_idle(page)
    return option


def selected_values(page: Page, label: str) -> list[str]:
    """The tags shown in a sidebar multiselect."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.locator(f'input[aria-label="{label}"]')
    )
    return widget.locator("[data-tag]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")


_CHARTS_DRAWN = """
() => Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]')).every(chart => {
  if (!chart.checkVisibility()) return true;
  const drawing = chart.querySelector('svg, canvas');
  const box = drawing && drawing.getBoundingClientRect();
  return box && box.width > 0 && box.height > 0;
})
"""


def screenshot_full(page: Page, path: Path) -> None:
    """A screenshot of the whole page.

    Streamlit scrolls inside ``stMain`` (and the sidebar), not the document, so
    Playwright's full_page stops at the viewport: grow the viewport to the content
    height first, wait for the re-layout, then restore it.
    """
    size = page.viewport_size or {"width": 1366, "height": 900}
    height = page.evaluate(
        """() => Math.max(
            document.documentElement.scrollHeight,
            ...['stMain', 'stSidebarContent', 'stAppViewContainer'].map(
                id => document.querySelector(`[data-testid="${id}"]`)?.scrollHeight || 0))"""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": size["width"], "height": min(max(int(height), size["height"]), 12_000)})
    try:
        wait_idle(page)
        page.wait_for_function(_CHARTS_DRAWN, timeout=15_000)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)


def error_elements(page: Page) -> list[str]:
    """Texts of exceptions and st.error boxes shown (st.error renders stAlertContentError)."""
    return page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()


def selectbox_input(page: Page, label: str):
    return page.locator(f'[data-testid="stSidebar"] [data-testid="stSelectbox"] input[aria-label="{label}"]')


def selectbox_value(page: Page, label: str) -> str:
    """What a sidebar select box shows (the month boxes show months as links write them: 2021-03)."""
    return selectbox_input(page, label).input_value()


def pick_in_selectbox(page: Page, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar select box labelled ``label`` with the mouse; wait for the rerun.

    Streamlit 1.67's select box is a react-aria combobox like the multiselect: clicking its
    input opens a ``[role=listbox]`` of ``[role=option]`` items; a pick closes it.
    """
    before = script_runs(page)
    selectbox_input(page, label).click()
    listbox = page.locator('[role="listbox"]').filter(has=page.get_by_role("option", name=option, exact=True))
    listbox.wait_for(state="visible", timeout=10_000)
    listbox.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, runs_after=before)
    listbox.wait_for(state="hidden", timeout=10_000)
    wait_idle(page)


def alert_texts(page: Page) -> list[str]:
    """Texts of the notices (st.info, st.warning, ...) in the main area, whitespace collapsed
    (each starts with its icon's name, e.g. 'link_off')."""
    texts = page.locator('[data-testid="stMain"] [data-testid="stAlert"]').all_inner_texts()
    return [" ".join(t.split()) for t in texts]


_METRICS = """
() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m => [
  m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
  m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
])
"""


def metrics_by_label(page: Page) -> dict[str, str]:
    """The main area's metric tiles: label -> value as shown ('39%', 'Hidden', '1,234')."""
    return dict(page.evaluate(_METRICS))
