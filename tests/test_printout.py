"""The PDFs a page offers: what they hold is what the page shows.

Each page runs in AppTest; ``downloads.pdf_button`` is wrapped so the test keeps the page's
printout (the real button is still drawn) and writes the PDF as a click would. The PDF is
read back with pypdf: its text must hold the numbers shown on screen, and the stamp.
Expected survey figures are also checked against the oracle (tests/oracle.py).
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from dashboard.core import disclosure
from dashboard.core.filters import Filters
from dashboard.render import downloads, ui
from dashboard.render.printout import Printout
from tests.conftest import ROOT
from tests.oracle import expected_headline, expected_response_rates, read_responses, released

pytestmark = pytest.mark.slow

NORTH = "Community mental health team (North)"
AMH = "Adult mental health"


@pytest.fixture
def printouts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Printout, dict]]:
    kept: list[tuple[Printout, dict]] = []
    real = downloads.pdf_button

    def keep(printout, name, page, note="", key=None):
        kept.append((printout, downloads.stamp(page, note)))
        return real(printout, name, page, note, key)

    monkeypatch.setattr(downloads, "pdf_button", keep)
    return kept


def pdf_text(printout: Printout, stamp: dict) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(printout.to_pdf(stamp)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader  # lines wrap anywhere: compare with spaces squeezed


def outline(reader: PdfReader) -> list[str]:
    """The outline's headings, nested ones included, in order."""

    def walk(items) -> list[str]:
        return [t for item in items for t in (walk(item) if isinstance(item, list) else [item.title])]

    return walk(reader.outline)


def squeeze(text: str) -> str:
    return " ".join(ui.plain_text(str(text)).split())


def number(value) -> int | None:
    """A whole number as a table holds it; None when blank."""
    return None if pd.isna(value) else int(value)


def test_a_theme_page_pdf_holds_the_tiles_tables_and_stamp_on_screen(demo_env, printouts):
    at = AppTest.from_file(str(ROOT / "pages/1_Digital_skills.py"), default_timeout=60)
    at.query_params["service_area"] = [NORTH]
    at.query_params["care_group"] = [AMH]
    at.run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button") if b.proto.label == "Download this view as PDF"]
    text, reader = pdf_text(*printouts[-1])
    # Every tile: its label, value and the line under it.
    assert len(at.metric) == 3
    for tile in at.metric:
        assert squeeze(tile.label) in text and tile.value in text
    for line in (m.value for m in at.markdown if m.value.startswith("n = ")):
        assert squeeze(line) in text
    # Every number in the answers and breakdown tables on screen.
    for frame in at.dataframe[:2]:
        for value in frame.value.select_dtypes("number").stack():
            assert f"{value:,.0f}" in text or f"{value:g}" in text
    # The oracle's figure for the selection, independently.
    n, _, percent = expected_headline(
        read_responses(), "it_skills", Filters(service_areas=(NORTH,), care_groups=(AMH,)), released(demo_env)
    )
    assert percent is not None and f"{percent}%" in text and f"n = {n:,}" in text
    stamp = printouts[-1][1]
    assert squeeze(stamp["Filters"]) in text and "SYNTHETIC DEMO DATA" in text
    assert outline(reader)[:3] == ["IT skills rated good", "Answers", "Breakdown by care group"]
    assert sum(len(page.images) for page in reader.pages) >= 2  # the charts, as images


def test_the_pdf_follows_the_breakdown_chosen_after_the_page_drew(demo_env, printouts):
    at = AppTest.from_file(str(ROOT / "pages/1_Digital_skills.py"), default_timeout=60).run()
    at.segmented_control(key="breakdown").set_value("staff_group").run()
    text, reader = pdf_text(*printouts[-1])
    assert "Breakdown by staff group" in outline(reader)
    assert "Breakdown by care group" not in text
    table = at.dataframe[1].value
    assert all(squeeze(group) in text for group in table["Staff group"])


def test_my_area_pdf_holds_the_scorecard_on_screen(demo_env, printouts):
    at = AppTest.from_file(str(ROOT / "pages/7_My_area.py"), default_timeout=60)
    at.query_params["service_area"] = [NORTH]
    at.run()
    assert not at.exception
    text, reader = pdf_text(*printouts[-1])
    for table in at.table:  # engagement, survey, comparisons, since: every cell on screen
        for value in table.value.astype(str).stack():
            if value.strip():
                assert squeeze(value) in text, value
    rates = at.dataframe[-1].value  # the response rates: the area, its care group and the Trust
    assert list(rates["Care group"]) == [AMH, AMH, "Whole Trust"]
    for value in rates[["Headcount", "Responses", "Response rate (%)"]].stack().dropna():  # hidden: blank
        assert f"{value:,}" in text
    for note in rates["Note"].dropna():
        assert squeeze(note) in text, note
    # The rates on screen are the oracle's: the area's released rate group, the sums over the areas
    # with a headcount and a released count.
    responses = read_responses()
    expected = expected_response_rates(responses, responses.attrs["latest_wave"], released(demo_env))
    rows = [
        expected.loc[(expected["level"] == "service_area") & (expected["service_area"] == NORTH)].iloc[0],
        expected.loc[(expected["level"] == "care_group") & (expected["care_group"] == AMH)].iloc[0],
        expected.loc[expected["level"] == "trust"].iloc[0],
    ]
    for (_, shown), row in zip(rates.iterrows(), rows):
        assert number(shown["Responses"]) == number(row["responses"])
        assert number(shown["Response rate (%)"]) == number(row["rate"])
        if row["hidden"]:  # the wave has closed: hidden for good
            assert shown["Note"] == disclosure.HIDDEN
        else:
            assert number(shown["Headcount"]) == number(row["headcount"]) is not None
    assert f"My area: {NORTH}" in text
    titles = outline(reader)
    assert titles[:3] == ["Engagement", "Survey results", "IT skills rated good"] and "Definitions" in titles
    assert sum(len(page.images) for page in reader.pages) == 3  # a chart per headline measure
    assert re.search(r"Page 1 of \d", text)


def test_a_chart_the_pdf_cannot_draw_leaves_its_table(demo_env):
    printout = Printout("Broken")
    from dashboard.render.charts import VegaLite

    broken = VegaLite(pd.DataFrame({"x": [1]}), {"mark": "no-such-mark", "encoding": {}})
    printout.part("one").chart(broken, "A chart that cannot be drawn.", pd.DataFrame({"Figure": [12345]}))
    text, _ = pdf_text(printout, {"Filters": "none"})
    assert "could not be drawn" in text and "12,345" in text
