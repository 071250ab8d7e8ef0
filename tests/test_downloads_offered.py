"""Every CSV and Excel file the pages offer opens cleanly (issue 27, item 7).

Each page runs in AppTest against the demo database, unfiltered, with one care group picked and (My
area) with one service area picked. Streamlit keeps each download button's build (the callable it runs
when the button is clicked) in its media file manager: ``MediaFileManager.add_deferred`` is wrapped so
that the test keeps every build the pages register (the real one is still registered), and calls it as
a click does. So the files checked are the bytes a person gets, whichever page or module made them.

A CSV: its stamp lines start with "#" and are not quoted, ``pandas.read_csv(path, comment="#")`` reads
exactly the table a plain CSV reader finds under them, its column names are in the one header style
(sentence case, no underscores), and no whole number is written as "12.0". A workbook: header row
bold and frozen, every column given a width that fits its content, dates shown as dates (no time part),
the stamp on its "About" sheet, and ``pandas.read_excel`` reads the same table as the CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard.core import registry
from dashboard.features import export
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

NORTH = "Community mental health team (North)"
VIEWS = {  # name -> (scripts, link)
    "unfiltered": ([page.script for page in registry.pages(ROOT)], {}),
    "one care group": ([page.script for page in registry.pages(ROOT)], {"care_group": ["Adult mental health"]}),
    "my area": (["pages/7_My_area.py"], {"service_area": [NORTH]}),
}
STAMP_KEYS = ("Source", "Filters", "Disclosure control", "Data built", "Synthetic data")  # the demo is synthetic
WHOLE_WITH_POINT = re.compile(r"-?\d+\.0+")  # "12.0": a whole number written as a fraction
STYLE = re.compile(r"[A-Z0-9][^_]*")  # sentence case: a capital (or a figure) first, words spaced


@pytest.fixture(scope="module")
def offered(demo_db) -> dict[str, bytes]:
    """Every CSV and Excel file the pages offer, by view and file name, as a click builds it."""
    files: dict[str, bytes] = {}
    kept: list[tuple[str, object]] = []
    real = MediaFileManager.add_deferred

    def keep(self, build, mimetype, coordinates, file_name=None, **kwargs):
        kept.append((file_name, build))
        return real(self, build, mimetype, coordinates, file_name=file_name, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_DB", str(demo_db))
        for setting in ("DASHBOARD_MIN_GROUP_SIZE", "DASHBOARD_MIN_COMMENTS", "DASHBOARD_REQUIRE_AUTH"):
            patch.delenv(setting, raising=False)
        patch.setattr(MediaFileManager, "add_deferred", keep)
        for view, (scripts, link) in VIEWS.items():
            for script in scripts:
                kept.clear()
                at = AppTest.from_file(str(ROOT / script), default_timeout=120)
                for name, values in link.items():
                    at.query_params[name] = values
                at.run()
                assert not at.exception, (view, script, at.exception)
                for name, build in kept:
                    if name.endswith((".csv", ".xlsx")):
                        files[f"{view}: {script}: {name}"] = build()
    return files


def csvs(offered: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in offered.items() if name.endswith(".csv")}


def split(data: bytes) -> tuple[list[str], list[list[str]]]:
    """A CSV's stamp lines (the leading lines that start with "#") and its table as a plain CSV reader
    reads it (rows end with CRLF; a quoted cell may hold a line end)."""
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    stamp = []
    while lines and lines[0].startswith("#"):
        stamp.append(lines.pop(0))
    rows = list(csv.reader(io.StringIO("\r\n".join(lines), newline="")))
    return stamp, rows


def shown(value: object) -> str:
    """A cell's text as a spreadsheet shows it (a date as yyyy-mm-dd, with hh:mm when it has a time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time(0) else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def test_the_pages_offer_every_download_in_both_formats(offered):
    """The thirteen CSV files the issue counted (each theme page's breakdown and comments, All questions'
    table and response rates, Engagement, Actions' three, My area, Data and definitions), each with
    its workbook."""
    names = {name.rsplit(": ", 1)[1].rsplit(".", 1)[0] for name in csvs(offered)}
    assert len(names) >= 13, sorted(names)
    for name in csvs(offered):
        assert name[: -len("csv")] + "xlsx" in offered, name


def test_every_csv_reads_back_with_read_csv_comment(offered):
    for name, data in csvs(offered).items():
        stamp, rows = split(data)
        back = pd.read_csv(io.BytesIO(data), comment="#", dtype=str, keep_default_na=False)
        assert [list(back.columns), *back.to_numpy().tolist()] == rows, name  # "#" in a cell is quoted
        assert len(back) > 0, name


def test_every_csv_stamp_line_starts_with_a_hash_and_is_not_quoted(offered):
    for name, data in csvs(offered).items():
        stamp, rows = split(data)
        assert [line.split(":", 1)[0] for line in stamp if not line.startswith("# Note:")] == [
            f"# {key}" for key in STAMP_KEYS
        ], name
        assert not any(line.startswith('"') for line in data.decode("utf-8-sig").split("\r\n")[: len(stamp) + 1])
        assert "SYNTHETIC DEMO DATA" in stamp[-1] and "perturbed" in stamp[2], name


def test_every_csv_names_its_columns_in_one_style(offered):
    for name, data in csvs(offered).items():
        header = split(data)[1][0]
        odd = [column for column in header if not STYLE.fullmatch(column)]
        assert not odd, (name, odd)
        assert len(set(header)) == len(header), name


def test_no_csv_writes_a_whole_number_as_a_fraction(offered):
    for name, data in csvs(offered).items():
        rows = split(data)[1][1:]
        fractions = [cell for row in rows for cell in row if WHOLE_WITH_POINT.fullmatch(cell)]
        assert not fractions, (name, fractions[:5])


def test_a_hidden_figure_is_an_empty_cell(offered):
    """A figure not shown is an empty cell, never "nan", "<NA>" or a 0: the rows of Actions' results
    beside action whose survey result is hidden have no count, no positive and no percent."""
    for name, data in csvs(offered).items():
        cells = {cell for row in split(data)[1][1:] for cell in row}
        assert not cells & {"nan", "NaN", "<NA>", "None", "NaT"}, name
    seen = 0
    for name, data in csvs(offered).items():
        if "results_beside_action" in name:
            table = pd.read_csv(io.BytesIO(data), comment="#", dtype=str, keep_default_na=False)
            hidden = table[table["Survey result hidden"] == "True"]
            assert (hidden[["Responses (n)", "Positive"]] == "").all().all(), name
            assert (hidden["Hidden because"] != "").all(), name
            seen += len(hidden)
    assert seen > 0  # the demo hides some areas


def test_every_workbook_is_laid_out_and_reads_as_its_csv(offered):
    for name, data in offered.items():
        if not name.endswith(".xlsx"):
            continue
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[1:] == ["About"], name
        for sheet in book.worksheets:
            assert sheet.freeze_panes == "A2", (name, sheet.title)
            for column in sheet.iter_cols():
                header, *cells = column
                assert header.font.b, (name, header.value)
                longest = max(len(line) for cell in column for line in shown(cell.value).split("\n"))
                width = sheet.column_dimensions[header.column_letter].width
                assert min(longest, export.MAX_WIDTH) <= width <= export.MAX_WIDTH + 2, (name, header.value, width)
                for cell in cells:
                    if isinstance(cell.value, dt.datetime):
                        assert cell.is_date and "h" not in cell.number_format.lower(), (name, cell.number_format)
        about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
        assert set(STAMP_KEYS) <= set(about), name
        table = pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl")
        twin = pd.read_csv(io.BytesIO(offered[name[: -len("xlsx")] + "csv"]), comment="#")
        assert list(table.columns) == list(twin.columns) and len(table) == len(twin), name


def test_the_actions_workbook_holds_real_dates(offered):
    data = offered["unfiltered: pages/6_Actions_and_quick_wins.py: actions.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    raised = sheet.cell(row=2, column=header.index("Raised") + 1)
    assert isinstance(raised.value, dt.datetime) and raised.number_format == "yyyy-mm-dd"
    table = pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl")
    assert pd.api.types.is_datetime64_any_dtype(table["Raised"])
