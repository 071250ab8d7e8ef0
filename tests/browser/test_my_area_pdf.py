"""My area's PDF button is near the start of the page for a keyboard user (issue 27): pressing Tab from
the top of the document reaches "Download this view as PDF" within the first ``MOST_TAB_STOPS`` stops,
and pressing Enter on it downloads the scorecard as one A4 page.
Screenshot: ``test-artefacts/screenshots/My_area_pdf_button.png``."""

from __future__ import annotations

import io
from urllib.parse import quote

from pypdf import PdfReader

from .helpers import SCREENSHOTS, open_page

MOST_TAB_STOPS = 10
PDF_LABEL = "Download this view as PDF"
NORTH = "Community mental health team (North)"


def focused(page) -> str:
    """The focused element, as a person would name it: its accessible text or label."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return "";
            return (e.getAttribute("aria-label") || e.innerText || e.value || e.tagName).trim().slice(0, 80);
        }"""
    )


def tab_stops(page, most: int) -> list[str]:
    """What Tab focuses, in turn, from the start of the document (at most ``most`` stops)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stops.append(focused(page))
    return stops


def test_the_pdf_button_is_within_the_first_ten_tab_stops(page):
    open_page(page, f"/My_area?service_area={quote(NORTH)}")
    stops = tab_stops(page, MOST_TAB_STOPS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "My_area_pdf_button.png"))
    assert any(PDF_LABEL in stop for stop in stops), stops
    while PDF_LABEL not in focused(page):  # back to the button: Shift+Tab
        page.keyboard.press("Shift+Tab")
    with page.expect_download(timeout=60_000) as download:
        page.keyboard.press("Enter")
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297  # A4 portrait
    assert NORTH in reader.pages[0].extract_text()
