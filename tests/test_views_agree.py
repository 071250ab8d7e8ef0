"""Every page that offers a PDF prints what its screen shows: both are drawn from one description
(``dashboard.features.view``: My area's from ``features.my_area_view``, the three survey theme pages'
from ``features.theme_page``).

Each page runs in AppTest (opened through app.py, as a browser would) in a few filter states; its PDF
is written as a click would and read back with pypdf. Read in order, the screen and the PDF must give
the same headings, the same table headers, every figure (numbers, percents) in the same order, the
same number of charts, and the same text. Left out of the comparison: the page's title and the demo
banner (the PDF has its own title and running header), and the controls (question picker, breakdown
and search widgets, download buttons). A list shown on screen only (the comments) must be replaced in
the PDF by the sentence saying so.

My area: one area over the threshold (every figure shown), one under it (its figures hidden), one with
the latest wave compared with the one before (the "Since" table), and a chart that would round a
figure differently from the table if it rounded on its own. Theme pages: the whole Trust (comments
listed), a care group compared with the published wave and broken down by staff group, a small area
(its result hidden, no comments listed), and months picked for one survey (the whole-wave notes).
"""

from __future__ import annotations

import io
import json
import numbers
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from dashboard.core.text import plain_text
from dashboard.features import my_area_view, theme_page
from dashboard.features.view import Chart, Section, Table, Tiles, flat
from dashboard.render import printout, ui
from tests import oracle, test_printout
from tests.conftest import ROOT
from tests.test_engagement_pages import RESPONSES, area_over_threshold, area_under_threshold
from tests.test_survey_pages import small_area

pytestmark = pytest.mark.slow

printouts = test_printout.printouts  # the fixture keeping each page's printout, as the PDF tests use it
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


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


CONTROLS = ("title", "download_button", "selectbox", "button_group", "text_input")
SCREEN_ONLY = (["Comment"],)  # a list the PDF replaces by theme_page.NOT_PRINTED


class Screen:
    """The main area of a run page, read in order: headings, text, tiles, table headers and cells.
    ``subject``: the page's first heading is the PDF's title (My area), not a heading in it."""

    def __init__(self, at: AppTest, subject: bool = True) -> None:
        self.headings: list[str] = []
        self.headers: list[list[str]] = []
        self.stream: list[str] = []
        self.charts = 0
        self._subject = subject
        self._walk(at.main)
        self.subject = self.headings.pop(0) if subject else None

    def _heading(self, text: str) -> None:
        self.headings.append(text)
        if not (self._subject and len(self.headings) == 1):
            self.stream.append(text)

    def _walk(self, node) -> None:
        for child in node.children.values():
            kind = child.type
            if kind in CONTROLS or (kind == "info" and child.value == ui.SYNTHETIC_NOTICE):
                continue
            if kind in ("header", "subheader"):  # section headings are h2 (st.header) under the page's h1
                self._heading(plain_text(child.value))
            elif kind == "markdown" and child.value.startswith("#"):
                self._heading(plain_text(child.value.lstrip("#").strip()))
            elif kind in ("markdown", "caption", "error", "info"):
                self.stream.append(plain_text(child.value))
            elif kind == "metric":
                self.stream += [child.label, child.value] + ([child.delta] if child.delta else [])
            elif kind in ("table", "dataframe"):
                frame = child.value
                if list(frame.columns) in SCREEN_ONLY:
                    self.stream.append(theme_page.NOT_PRINTED)
                    continue
                headers, body = table_text(frame, index=kind == "table")
                self.headers.append(headers)
                self.stream += headers + body
            elif kind == "vega_lite_chart":
                self.charts += 1
            elif hasattr(child, "children"):
                self._walk(child)  # expanders, columns, containers
            else:
                raise AssertionError(f"an element the comparison does not know: {kind}")


PAGE_BREAK = "<<page break>>"


class Pdf:
    """The PDF's text, read in order. ``headers``: the screen's table header rows, which a table
    split over two pages repeats at the top of the next (read once, as the screen shows them)."""

    def __init__(self, data: bytes, title: str, first_text: str, headers: list[list[str]] = ()) -> None:
        reader = PdfReader(io.BytesIO(data))
        text = squeeze(f" {PAGE_BREAK} ".join(page.extract_text() for page in reader.pages))
        text = re.sub(rf"{re.escape(squeeze(title))} Page \d+ of \d+", " ", text)  # the running footer
        text = squeeze(text.replace("SYNTHETIC DEMO DATA - not real Trust data.", " "))  # the running header
        rows = {squeeze(" ".join(h)) for h in headers if h}
        pages = [squeeze(page) for page in text.split(PAGE_BREAK)]
        for i in range(1, len(pages)):
            before = " ".join(pages[:i])
            for row in rows:  # a header row repeated over the rest of a table begun on the page before
                if pages[i].startswith(row + " ") and row in before:
                    pages[i] = pages[i][len(row) :]
        text = " ".join(pages)
        start = text.index(squeeze(first_text)[:60])  # after the title and the stamp
        self.text = squeeze(text[start:])
        self.headings = self._outline(reader.outline)
        self.images = sum(len(page.images) for page in reader.pages)
        self.pages = len(reader.pages)

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


def screen_and_pdf(printouts, page: str, subject: bool = True, **params) -> tuple[Screen, Pdf, AppTest]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.switch_page(f"pages/{page}")
    for name, value in params.items():
        at.query_params[name] = value if isinstance(value, list) else [value]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    screen = Screen(at, subject)
    made, stamp = printouts[-1]
    pdf = Pdf(made.to_pdf(stamp), made.title, screen.stream[0], screen.headers)
    return screen, pdf, at


def my_area(printouts, area: str, **params) -> tuple[Screen, Pdf, AppTest]:
    """My area's screen and PDF: the PDF, a scorecard for a meeting, is one A4 page (issue 27)."""
    screen, pdf, at = screen_and_pdf(printouts, "7_My_area.py", service_area=area, **params)
    assert pdf.pages == 1
    return screen, pdf, at


def assert_agree(screen: Screen, pdf: Pdf) -> None:
    assert pdf.headings == screen.headings
    assert pdf.images == screen.charts
    for headers in screen.headers:  # each table's header row, in order, as the screen shows it
        assert_in_order(headers, pdf.text)
    assert figures(pdf.text) == figures(" ".join(screen.stream))
    assert_in_order(screen.stream, pdf.text)  # and every heading, sentence and cell, in order


def test_an_area_with_every_figure_shown_prints_what_the_screen_shows(demo_env, printouts):
    area, _ = area_over_threshold()
    screen, pdf, at = my_area(printouts, area)
    assert screen.subject == area and pdf.headings[0] == "Engagement"
    assert_agree(screen, pdf)
    assert screen.charts == 3 and "Definitions" in screen.headings and "Response rates" in screen.headings
    engagement = at.table[0].value
    assert list(engagement.index) == ["This area", "Its care group", "Trust"]  # levels down, on screen and PDF
    assert_in_order(["Engagement", "Conversations", "Conversation hours", "This area"], pdf.text)
    assert "Scope" not in pdf.text and "Scope" not in " ".join(screen.stream)
    assert "No filters" not in pdf.text and f"Service area {area}" in pdf.text  # the lead names the area
    for chart in at.get("vega_lite_chart"):  # plain axis titles
        spec = json.loads(chart.proto.spec)
        titles = [
            layer["encoding"][axis].get("title")
            for layer in spec["layer"]
            for axis in ("x", "y")
            if axis in layer["encoding"]
        ]
        assert "Scope" not in titles and "Level" not in titles, titles


def test_an_area_with_hidden_figures_prints_what_the_screen_shows(demo_env, printouts):
    area, _ = area_under_threshold(oracle.released(demo_env))
    screen, pdf, _ = my_area(printouts, area)
    assert screen.subject == area
    assert_agree(screen, pdf)
    assert "Hidden: too few responses to show safely" in pdf.text
    assert screen.charts == 3  # the care group and the Trust are still drawn


def test_an_area_compared_with_an_earlier_wave_prints_the_same_change(demo_env, printouts):
    area, _ = area_over_threshold()
    wave = RESPONSES.attrs["latest_wave"]
    screen, pdf, _ = my_area(printouts, area, wave=wave, compare=oracle.PUBLISHED_WAVE)
    assert any(h.startswith("Since ") for h in screen.headings)
    assert screen.subject == area
    assert_agree(screen, pdf)


NORTH = "Community mental health team (North)"
THEME_STATES = {  # a page, and the link parameters of a filter state (a callable: worked out from the demo)
    "whole Trust": ("1_Digital_skills.py", lambda env: {}),
    "care group compared, by staff group": (
        "2_Information_to_run_services.py",
        lambda env: {
            "care_group": "Adult mental health",
            "wave": RESPONSES.attrs["latest_wave"],
            "compare": oracle.PUBLISHED_WAVE,
            "breakdown": "Staff group",
        },
    ),
    "small area hidden": (
        "3_IT_reliability.py",
        lambda env: {"service_area": small_area(RESPONSES, oracle.released(env), "it_unreliable")},
    ),
    "months of one survey": (
        "1_Digital_skills.py",
        lambda env: {"wave": oracle.PUBLISHED_WAVE, "survey": "Staff", "from": "2021-03", "to": "2021-04"},
    ),
}


@pytest.mark.parametrize("state", list(THEME_STATES))
def test_a_theme_page_prints_what_the_screen_shows(demo_env, printouts, state):
    page, params = THEME_STATES[state]
    screen, pdf, at = screen_and_pdf(printouts, page, subject=False, **params(demo_env))
    assert_agree(screen, pdf)
    assert len(at.metric) >= 2 and screen.stream.index(at.metric[0].label) > screen.stream.index(screen.headings[0])
    if state == "small area hidden":
        assert at.metric[0].value == "Hidden" and screen.charts == 0
        assert screen.headings == [pdf.headings[0], "Comments"]
    else:
        assert screen.charts == 3 and screen.headings[1:3] == [
            "Answers",
            f"Breakdown by {'staff' if 'staff' in state else 'care'} group",
        ]
    if state == "whole Trust":
        assert theme_page.NOT_PRINTED in pdf.text  # the comments are listed on screen only
    if state == "months of one survey":
        assert "Survey figures are for the whole wave" in pdf.text and "whatever their survey" in pdf.text


def test_a_theme_page_pdf_is_its_description_item_by_item(demo_db):
    """The parts the page records are the description's items: every table as it is, every chart."""
    from dashboard.core import db
    from dashboard.core.filters import Filters

    database = db.Database(demo_db)
    try:
        options, _ = ui._read_options(database)
        chosen = theme_page.Selection(database, Filters(), options, 10, "No filters")
        view = theme_page.describe(chosen, "it_skills", "Digital skills", "Disclosure.", search="the")
    finally:
        database.close()
    made = printout.of_view(view)
    steps = [step for part in made._parts.values() for step in part.steps]
    described = [item for item in flat(view.items) if isinstance(item, Table)]
    tables = [step[1][0] for step in steps if step[0] == "table"]
    charts = [item for item in flat(view.items) if isinstance(item, Chart)]
    shown = [item.frame for item in described if not item.not_printed] + [c.table for c in charts]
    assert sorted(map(id, tables)) == sorted(map(id, shown))
    assert len([s for s in steps if s[0] == "chart"]) == len(charts) == 3
    (tiles,) = [item for item in view.items if isinstance(item, Tiles)]
    assert [s for s in steps if s[0] == "metrics"][0][1][0][0][:2] == (tiles.tiles[0].label, tiles.tiles[0].value)
    assert any(item.not_printed for item in described)  # the comments containing "the": screen only


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
    chart = my_area_view.result_chart(results, "m", SimpleNamespace(title="M"))
    assert f"{0.125:.0%}" == "12%"  # what the chart used to print
    assert chart.summary == "M: This area: 13% of 8; Its care group: 13% of 200; Trust: 13% of 1,000."
    assert list(chart.frame["label"]) == ["13% (n=8)", "13% (n=200)", "13% (n=1,000)"]
    assert chart.category_title == "Group"


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
