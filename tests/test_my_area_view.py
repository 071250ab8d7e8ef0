"""My area's screen and PDF agree: both are drawn from one description (dashboard.features.my_area_view).

The page runs in AppTest (opened through app.py, as a browser would); its PDF is written as a click
would and read back with pypdf. Read in order, the screen and the PDF must give the same headings,
the same table headers, every figure (numbers, percents) in the same order, and the same text.
Areas: one over the threshold (every figure shown), one under it (its figures hidden), one with
the latest wave compared with the one before (the "Since" table) and one whose chart would round
a figure differently from the table if it rounded on its own.
"""

from __future__ import annotations

import io
import numbers
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from dashboard.core.text import plain_text
from dashboard.features import my_area_view
from dashboard.features.view import Chart, Section, Table, flat
from dashboard.render import downloads, printout
from dashboard.render.printout import Printout
from tests import oracle
from tests.conftest import ROOT
from tests.test_engagement_pages import RESPONSES, area_over_threshold, area_under_threshold

pytestmark = pytest.mark.slow

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


@pytest.fixture
def printouts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Printout, dict]]:
    kept: list[tuple[Printout, dict]] = []
    real = downloads.pdf_button

    def keep(printout, name, page, note="", key=None):
        kept.append((printout, downloads.stamp(page, note)))
        return real(printout, name, page, note, key)

    monkeypatch.setattr(downloads, "pdf_button", keep)
    return kept


def squeeze(text: str) -> str:
    return " ".join(str(text).split())


def cell(value) -> str:
    """A cell as the screen shows it (a whole number with thousands separators)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


def table_text(frame: pd.DataFrame, index: bool) -> tuple[list[str], list[str]]:
    """(header cells, body cells row by row) of a table as shown: the index a first column when shown."""
    headers = ([str(frame.index.name or "")] if index else []) + [str(c) for c in frame.columns]
    body = []
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        body += ([str(label)] if index else []) + [cell(v) for v in row]
    return headers, body


class Screen:
    """The main area of a run page, read in order: headings, text, table headers and cells."""

    def __init__(self, at: AppTest) -> None:
        self.headings: list[str] = []
        self.headers: list[list[str]] = []
        self.stream: list[str] = []
        self.charts = 0
        self._walk(at.main)
        subject, *self.headings = self.headings  # the page's subject: the PDF's title
        self.subject = subject

    def _walk(self, node) -> None:
        for child in node.children.values():
            kind = child.type
            if kind in ("title", "info", "download_button"):  # the page name, the demo banner, controls
                continue
            if kind == "subheader":
                self.headings.append(plain_text(child.value))
                if len(self.headings) > 1:  # the first is the page's subject: the PDF's title
                    self.stream.append(plain_text(child.value))
            elif kind == "markdown" and child.value.startswith("#"):
                text = plain_text(child.value.lstrip("#").strip())
                self.headings.append(text)
                self.stream.append(text)
            elif kind in ("markdown", "caption", "error"):
                self.stream.append(plain_text(child.value))
            elif kind in ("table", "dataframe"):
                frame = child.value
                headers, body = table_text(frame, index=kind == "table")
                self.headers.append(headers)
                self.stream += headers + body
            elif kind == "vega_lite_chart":
                self.charts += 1
            else:
                self._walk(child)  # expanders, columns


class Pdf:
    def __init__(self, data: bytes, title: str, first_text: str) -> None:
        reader = PdfReader(io.BytesIO(data))
        text = squeeze("\n".join(page.extract_text() for page in reader.pages))
        text = re.sub(rf"{re.escape(squeeze(title))} Page \d+ of \d+", " ", text)  # the running footer
        text = text.replace("SYNTHETIC DEMO DATA - not real Trust data.", " ")  # the running header
        start = text.index(squeeze(first_text)[:60])  # after the title and the stamp
        self.text = squeeze(text[start:])
        self.headings = self._outline(reader.outline)
        self.images = sum(len(page.images) for page in reader.pages)

    def _outline(self, items) -> list[str]:
        return [t for item in items for t in (self._outline(item) if isinstance(item, list) else [item.title])]


def figures(text: str) -> list[str]:
    return [number.replace(",", "") for number in NUMBER.findall(text)]


def assert_in_order(parts: list[str], text: str) -> None:
    at = 0
    for part in parts:
        found = text.find(squeeze(part), at)
        assert found >= 0, f"{part!r} not in the PDF after position {at}: …{text[at : at + 200]}…"
        at = found + len(squeeze(part))


def screen_and_pdf(printouts, area: str, **params) -> tuple[Screen, Pdf, AppTest]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page("pages/7_My_area.py")
    at.query_params["service_area"] = [area]
    for name, value in params.items():
        at.query_params[name] = [value]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    screen = Screen(at)
    made, stamp = printouts[-1]
    pdf = Pdf(made.to_pdf(stamp), made.title, screen.stream[0])
    return screen, pdf, at


def assert_agree(screen: Screen, pdf: Pdf, area: str) -> None:
    assert screen.subject == area and pdf.headings[0] == "Engagement"
    assert pdf.headings == screen.headings
    assert pdf.images == screen.charts
    for headers in screen.headers:  # each table's header row, in order, as the screen shows it
        assert_in_order(headers, pdf.text)
    assert figures(pdf.text) == figures(" ".join(screen.stream))
    assert_in_order(screen.stream, pdf.text)  # and every heading, sentence and cell, in order


def test_an_area_with_every_figure_shown_prints_what_the_screen_shows(demo_env, printouts):
    area, _ = area_over_threshold()
    screen, pdf, at = screen_and_pdf(printouts, area)
    assert_agree(screen, pdf, area)
    assert screen.charts == 3 and "Definitions" in screen.headings and "Response rates" in screen.headings
    engagement = at.table[0].value
    assert list(engagement.index) == ["This area", "Its care group", "Trust"]  # levels down, on screen and PDF
    assert_in_order(["Engagement", "Conversations", "Conversation hours", "This area"], pdf.text)
    assert "Scope" not in pdf.text and "Scope" not in " ".join(screen.stream)


def test_an_area_with_hidden_figures_prints_what_the_screen_shows(demo_env, printouts):
    area, _ = area_under_threshold(oracle.released(demo_env))
    screen, pdf, _ = screen_and_pdf(printouts, area)
    assert_agree(screen, pdf, area)
    assert "Hidden: too few responses to show safely" in pdf.text
    assert screen.charts == 3  # the care group and the Trust are still drawn


def test_an_area_compared_with_an_earlier_wave_prints_the_same_change(demo_env, printouts):
    area, _ = area_over_threshold()
    wave = RESPONSES.attrs["latest_wave"]
    screen, pdf, _ = screen_and_pdf(printouts, area, wave=wave, compare=oracle.PUBLISHED_WAVE)
    assert any(h.startswith("Since ") for h in screen.headings)
    assert_agree(screen, pdf, area)


def test_a_chart_is_labelled_with_the_figure_its_table_shows():
    """The chart rounds nothing itself: its labels and summary carry the table's whole percent (half
    up), where the share formatted on its own (half to even) would give one less."""
    results = pd.DataFrame(
        {
            "measure": ["m"] * 3,
            "level": ["area", "care_group", "trust"],
            "n": [8, 200, 1000],
            "share": [0.125, 0.125, 0.125],
            "percent": [13, 13, 13],
            "low": [0.02, 0.09, 0.1],
            "high": [0.47, 0.18, 0.15],
            "hidden": [False] * 3,
        }
    )
    chart = my_area_view.result_chart(results, "m", SimpleNamespace(title="M"), "A", "G")
    assert f"{0.125:.0%}" == "12%"  # what the chart used to print
    assert chart.summary == "M: A: 13% of 8; G: 13% of 200; Trust: 13% of 1,000."
    assert list(chart.frame["label"]) == ["13% (n=8)", "13% (n=200)", "13% (n=1,000)"]
    assert chart.category_title == "Level"


def test_the_pdf_is_the_description_item_by_item(demo_db):
    """Every table of the description reaches the PDF as it is (no transposing, no other rounding)."""
    from dashboard.core import db
    from dashboard.core.filters import Filters
    from dashboard.render import ui

    database = db.Database(demo_db)
    try:
        options, _ = ui._read_options(database)
        area, _ = area_over_threshold()
        view = my_area_view.describe(database, Filters(service_areas=(area,)), options, 10, area)
    finally:
        database.close()
    steps = [step for part in printout.of_view(view)._parts.values() for step in part.steps]
    tables = [step[1][0] for step in steps if step[0] == "table"]
    described = [item.frame for item in flat(view.items) if isinstance(item, Table)]
    assert len(tables) == len(described)
    for printed, shown in zip(tables, described):
        assert printed is shown
    charts = [item for item in flat(view.items) if isinstance(item, Chart)]
    assert len([s for s in steps if s[0] == "chart"]) == len(charts) == 3
    assert any(isinstance(item, Section) for item in view.items)  # the response rates: folded on screen
