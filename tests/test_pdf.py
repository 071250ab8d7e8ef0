"""The A4 PDF of a page's view (dashboard/render/pdf.py), read back with pypdf: real text (not images
of text), A4 pages, the stamp, headings as the outline, tables that keep their header on
every page, charts as images with their alt text, and the same bytes for the same input.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from dashboard.render import charts, pdf, pdf_charts, survey_charts

A4_POINTS = (595.28, 841.89)
AREA = "Ysbyty Gwynedd – Llŷn a Môn (Gogledd) · Zürich Łódź"  # a Unicode area name
STAMP = {
    "Source": "Digital strategy engagement dashboard",
    "Filters": f"Wave: Spring 2025 · Service area: {AREA}",
    "Disclosure control": "Every survey count is perturbed (up to 3 either way); groups under 10 are hidden.",
    "Data built": "2025-05-01 12:30 UTC",
    "Synthetic data": "SYNTHETIC DEMO DATA - not real Trust data.",
}
TITLE = "My area: Community mental health team (North)"
CHART_ALTS = (
    "Skills rated good ranged from 38% to 61% by staff group.",
    "The share rated good rose from 30% to 50% over eight months.",
)
LONG_ROWS = 80


def results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Staff group": ["Nursing", "Medical", AREA, "Admin & clerical"],
            "share": [0.42, 0.61, np.nan, 0.38],
            "low": [0.40, 0.55, np.nan, 0.33],
            "high": [0.44, 0.67, np.nan, 0.43],
            "n": [2175, 310, None, 280],
            "Note": ["", None, "Hidden: fewer than 10", "▲ higher − ’"],
        }
    )


def long_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Reporting unit": [f"Unit {i:02d} community team" for i in range(LONG_ROWS)],
            "Responses": np.arange(LONG_ROWS) * 37,
            "Percent good": np.round(np.linspace(0.1, 0.9, LONG_ROWS), 3),
            "Week": pd.date_range("2024-01-01", periods=LONG_ROWS, freq="W"),
        }
    )


def trend_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "month": pd.date_range("2024-01-01", periods=8, freq="MS"),
            "share": np.linspace(0.3, 0.5, 8),
            "low": np.linspace(0.25, 0.45, 8),
            "high": np.linspace(0.35, 0.55, 8),
            "n": np.arange(100, 900, 100),
        }
    )
    frame.loc[3, ["share", "low", "high"]] = np.nan
    return frame


def build() -> bytes:
    document = pdf.Report(title=TITLE, stamp=STAMP)
    document.heading("Survey results")
    document.metrics(
        [
            ("IT skills rated good", "42%", "n = 2,175 · 95% CI 40–44% · +3 points"),
            ("Actions completed", "18", "of 25 raised"),
        ]
    )
    document.paragraph(f"Results for {AREA}: ▲ higher, ▼ lower, − no change.")
    shown = results().dropna(subset=["share"])
    document.chart(survey_charts.interval_bars(shown, "Staff group", "Staff group"), alt=CHART_ALTS[0])
    document.table(results(), caption="Results by staff group")
    document.heading("Over time", level=2)
    document.chart(survey_charts.trend(trend_frame(), "month", "Month"), alt=CHART_ALTS[1])
    document.heading("All reporting units")
    document.table(long_table(), caption="Every reporting unit")
    return document.to_bytes()


@pytest.fixture(scope="module")
def data() -> bytes:
    return build()


@pytest.fixture(scope="module")
def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def words(text: str) -> str:
    """Text with runs of white space as one space (pypdf spaces words by their positions)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pages(reader: PdfReader) -> list[str]:
    return [words(page.extract_text()) for page in reader.pages]


def test_pages_are_a4_portrait_and_several(reader: PdfReader) -> None:
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_POINTS[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_POINTS[1], abs=1)


def test_text_layer_holds_the_stamp_headings_figures_and_unicode(pages: list[str]) -> None:
    first, text = pages[0], " ".join(pages)
    assert TITLE in first
    for label, value in STAMP.items():
        assert f"{label}: {value}" in first  # printed under the title, as label: value
    for expected in (
        "Survey results",
        "Over time",
        "All reporting units",
        "IT skills rated good",
        "42%",
        "n = 2,175 · 95% CI 40–44% · +3 points",
        "Actions completed",
        "Results by staff group",
        AREA,
        "▲ higher, ▼ lower, − no change.",
        "Hidden: fewer than 10",
        "▲ higher − ’",
    ):
        assert expected in text, expected
    assert "2,175" in text and "0.42" in text  # table numbers: thousands separators, decimals kept
    assert not re.search(r"\b(nan|NaN|None|NaT|<NA>)\b", text)  # missing values are empty cells


def test_every_page_has_the_synthetic_label_and_its_number(pages: list[str]) -> None:
    for number, text in enumerate(pages, start=1):
        assert STAMP["Synthetic data"] in text
        assert f"Page {number} of {len(pages)}" in text


def test_long_table_continues_with_its_header_row(pages: list[str]) -> None:
    header = "Reporting unit Responses Percent good Week"
    on = [i for i, text in enumerate(pages) if "community team" in text]
    assert len(on) >= 2  # 80 rows do not fit one page
    for i in on:
        assert header in pages[i]
        assert pages[i].index(header) < pages[i].index("community team")  # the header comes first
    text = " ".join(pages[i] for i in on)
    assert all(f"Unit {i:02d} community team" in text for i in range(LONG_ROWS))
    assert "Unit 79 community team 2,923 0.9 13 Jul 2025" in text  # one whole row, formatted


def test_outline_holds_the_headings(reader: PdfReader) -> None:
    outline = reader.outline
    top = [entry.title for entry in outline if not isinstance(entry, list)]
    nested = [entry.title for part in outline if isinstance(part, list) for entry in part]
    assert top == ["Survey results", "All reporting units"]
    assert nested == ["Over time"]  # a level-2 heading sits under its level-1 heading
    assert reader.get_destination_page_number(outline[-1]) > 0  # the long table starts on a later page


def test_metadata(reader: PdfReader) -> None:
    assert reader.metadata.title == TITLE
    assert reader.metadata.creator == pdf.CREATOR
    assert reader.metadata["/CreationDate"].startswith("D:20250501123000")  # the data's build time
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_charts_are_images_with_their_alt_text(reader: PdfReader) -> None:
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == len(CHART_ALTS)
    for image in images:  # "container" width drawn at 510 px, twice over for sharpness
        assert image.image.width == pdf_charts.CHART_WIDTH_PX * pdf.CHART_SCALE
    assert alt_texts(reader) == list(CHART_ALTS)


def alt_texts(reader: PdfReader) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_text_stays_on_the_page(reader: PdfReader) -> None:
    """Every run of text starts inside the page margins (a wide table is squeezed, not cut off)."""
    document = pdf.Report(title="Wide", stamp={})
    document.table(pd.DataFrame({f"Column number {i}": [f"value {i}-{j} text" for j in range(3)] for i in range(14)}))
    wide = PdfReader(io.BytesIO(document.to_bytes()))
    margin = pdf.MARGIN * 72 / 25.4
    for page in [*reader.pages, *wide.pages]:
        starts = text_starts(page)
        assert starts
        for x, text in starts:
            assert margin - 1 <= x <= A4_POINTS[0] - margin - 5, text
    assert "value 13-2 text" in words(wide.pages[0].extract_text())


def text_starts(page) -> list[tuple[float, str]]:
    """Where each run of text on the page starts (x, in points) and the text."""
    starts: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            starts.append((tm[4] * cm[0] + cm[4], text))

    page.extract_text(visitor_text=visit)
    return starts


def test_same_input_same_bytes(data: bytes) -> None:
    assert build() == data


def test_a_chart_that_fails_names_its_alt_text() -> None:
    document = pdf.Report(title="Broken", stamp=STAMP)
    broken = charts.VegaLite(pd.DataFrame({"a": [1]}), {"mark": "no-such-mark", "encoding": {}})
    with pytest.raises(pdf.ChartError, match="Actions by theme, broken"):
        document.chart(broken, alt="Actions by theme, broken")


def test_characters_the_font_lacks_become_a_replacement_mark() -> None:
    document = pdf.Report(title="Glyphs", stamp={})
    assert document.clean("Cafe\u0301 zero\u200bwidth\x07 tab\there") == "Café zerowidth tab here"
    document.paragraph("Ward 中 🙂 end")
    text = words(PdfReader(io.BytesIO(document.to_bytes())).pages[0].extract_text())
    assert "Ward \ufffd \ufffd end" in text


def test_chart_spec_fixes_the_width_and_inlines_the_data() -> None:
    frame = trend_frame()
    spec = pdf_charts.chart_spec(survey_charts.trend(frame, "month", "Month"))
    assert spec["width"] == pdf_charts.CHART_WIDTH_PX  # not "container": there is no browser
    assert spec["config"]["axis"] == charts.CONFIG["axis"]  # as ui.chart_block draws it
    values = spec["data"]["values"]
    assert values[0]["month"] == "2024-01-01T00:00:00" and values[0]["n"] == 100
    assert values[3]["share"] is None  # NaN is null
    fixed = pdf_charts.chart_spec(charts.VegaLite(frame, {"mark": "line", "width": 300}))
    assert fixed["width"] == 300 and "autosize" not in fixed


def test_nothing_can_be_added_once_finished() -> None:
    document = pdf.Report(title="Done", stamp={})
    document.heading("Only a heading")
    data = document.to_bytes()
    assert document.to_bytes() is data
    with pytest.raises(RuntimeError):
        document.paragraph("late")
    assert "Only a heading" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
