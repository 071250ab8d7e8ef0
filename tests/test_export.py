"""Downloads (dashboard/export.py): CSV injection is neutralised, numbers are not, every file is stamped.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return
before one) as a formula. Text cells that could do that get a leading
apostrophe; numbers, including negative ones, stay numbers; ordinary text
comes back unchanged.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.export import to_csv, to_xlsx

STAMP = {
    "Source": "Digital strategy engagement dashboard",
    "Filters": "Care group: Adult mental health; Survey: Staff",
    "Disclosure control": "Survey results for fewer than 10 respondents are hidden; "
    "where one group is hidden, the next smallest is hidden too.",
    "Data built": "2021-07-10 09:30 UTC",
    "Synthetic data": "SYNTHETIC DEMO DATA - not real Trust data.",
}


FORMULA_VALUES = [
    ("=1+1", "equals"),
    ('=HYPERLINK("http://example.invalid","click")', "hyperlink"),
    ("+1+1", "plus"),
    ("-2+3", "minus"),
    ("@SUM(A1:A9)", "at"),
    ("\t=1+1", "tab"),
    ("\r=1+1", "carriage return"),
    ("\n=1+1", "line feed"),
    ("=cmd|' /C calc'!A0", "dde"),
]
FORMULAS = [pytest.param(value, id=name) for value, name in FORMULA_VALUES]
FORMULAS_CSV = [  # the same, with the carriage-return case marked as the known CSV defect
    pytest.param(value, id=name, marks=())
    for value, name in FORMULA_VALUES
]

ORDINARY = [
    pytest.param("Ward A", id="plain"),
    pytest.param("O'Brien said \"fine\", then left", id="quotes and comma"),
    pytest.param("Wi-Fi drops; 3 times a day = bad", id="operators inside"),
    pytest.param("Two\nlines", id="newline inside"),
    pytest.param("é ü – “quoted” 日本語", id="unicode"),
    pytest.param("#NHS", id="hash"),
    pytest.param("100% of staff", id="percent"),
    pytest.param(" =leading space", id="leading space"),
]


def csv_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """A downloaded CSV split as a spreadsheet splits it (any line end ends a row outside quotes):
    the leading '# ' stamp lines (their cells joined by commas again) and the table rows."""
    rows = [row for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) if row]
    stamp = []
    while rows and rows[0][0].startswith("# "):
        stamp.append(",".join(rows.pop(0)))
    return stamp, rows


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.mark.parametrize("value", FORMULAS_CSV)
@pytest.mark.parametrize("dtype", ["object", "string", "category"])
def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value: str, dtype: str) -> None:
    frame = pd.DataFrame({"comment": pd.Series([value, "fine"], dtype=dtype), "n": [1, 2]})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert table[0] == ["comment", "n"]
    assert table[1] == ["'" + value, "1"]
    assert table[2] == ["fine", "2"]


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_text_that_a_spreadsheet_would_run_is_stored_as_text_with_an_apostrophe(value: str) -> None:
    frame = pd.DataFrame({"comment": [value, "fine"], "n": [1, 2]})
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    cell = sheet["A2"]
    assert cell.value == "'" + value.replace("\r", "\n")  # XML stores a line end as \n
    assert cell.data_type == "s"  # openpyxl would store an un-neutralised "=..." as a formula ("f")
    assert sheet["A3"].value == "fine"


@pytest.mark.parametrize("value", FORMULAS_CSV)
def test_csv_column_names_are_neutralised_too(value: str) -> None:
    _stamp, table = csv_table(to_csv(pd.DataFrame({value: ["x"]}), STAMP))
    assert table[0] == ["'" + value]


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_column_names_are_neutralised_too(value: str) -> None:
    header = workbook(to_xlsx(pd.DataFrame({value: ["x"]}), STAMP)).worksheets[0]["A1"]
    assert header.value == "'" + value.replace("\r", "\n")
    assert header.data_type == "s"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Fine\n=cmd|' /C calc'!A0", id="line feed"),
        pytest.param("Fine\r\n=cmd|' /C calc'!A0", id="CR LF"),
        pytest.param("Fine\r=cmd|' /C calc'!A0", id="carriage return"),
    ],
)
def test_a_line_break_inside_a_cell_cannot_start_a_formula_row(value: str) -> None:
    frame = pd.DataFrame({"comment": [value], "n": [1]})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert table == [["comment", "n"], [value, "1"]]


@pytest.mark.parametrize(
    ("numbers", "shown"),
    [
        pytest.param([-5, 0, 12], ["-5", "0", "12"], id="integers"),
        pytest.param([-1.5, 0.25, 3.0], ["-1.5", "0.25", "3.0"], id="floats"),
        pytest.param([-0.39, 0.65, -100.0], ["-0.39", "0.65", "-100.0"], id="shares and negatives"),
    ],
)
def test_numbers_including_negative_ones_are_untouched(numbers: list[float], shown: list[str]) -> None:
    frame = pd.DataFrame({"change": numbers})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert [row[0] for row in table[1:]] == shown
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(numbers))]
    assert [c.value for c in cells] == numbers
    assert all(c.data_type == "n" for c in cells)


def test_numbers_mixed_with_text_in_one_column_stay_numbers() -> None:
    frame = pd.DataFrame({"value": pd.Series([-5, "=1+1", 2.5], dtype=object)})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert [row[0] for row in table[1:]] == ["-5", "'=1+1", "2.5"]
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].data_type) == (-5, "n")
    assert sheet["A3"].value == "'=1+1"


def test_csv_carries_every_stamp_line_before_the_table() -> None:
    content = to_csv(pd.DataFrame({"n": [1]}), STAMP)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so Excel reads it as UTF-8"
    stamp, table = csv_table(content)
    assert stamp == [f"# {key}: {value}" for key, value in STAMP.items()]
    text = content.decode("utf-8-sig")
    assert "Adult mental health" in text and "fewer than 10 respondents" in text
    assert "2021-07-10 09:30 UTC" in text and "SYNTHETIC DEMO DATA" in text
    assert table == [["n"], ["1"]]


def test_xlsx_carries_the_stamp_on_an_about_sheet() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"n": [1]}), STAMP, sheet="Digital skills"))
    assert book.sheetnames == ["Digital skills", "About"]
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about == STAMP


def test_xlsx_sheet_name_is_cut_to_excels_limit() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"n": [1]}), STAMP, sheet="x" * 40))
    assert book.sheetnames[0] == "x" * 31


def test_stamp_values_that_look_like_formulas_are_neutralised_in_the_workbook() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"n": [1]}), {"Note": "=1+1"}))
    assert book["About"]["B2"].value == "'=1+1"
    assert book["About"]["B2"].data_type == "s"


def test_a_newline_in_a_stamp_value_stays_on_its_line() -> None:
    stamp, table = csv_table(to_csv(pd.DataFrame({"n": [1]}), {"Note": "first\n=1+1"}))
    assert stamp == ["# Note: first =1+1"]
    assert table == [["n"], ["1"]]




@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Service area: Ward\r=HYPERLINK(\"http://example.invalid\")", id="carriage return"),
        pytest.param("Service area: Ward,=HYPERLINK(\"http://example.invalid\")", id="comma"),
    ],
)
def test_stamp_text_cannot_become_a_formula_cell(value: str) -> None:
    content = to_csv(pd.DataFrame({"n": [1]}), {"Filters": value})
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_text_round_trips_unchanged(value: str) -> None:
    frame = pd.DataFrame({"comment": [value, "second"], "n": [7, -7]})
    content = to_csv(frame, STAMP)
    stamp, table = csv_table(content)
    assert table[1] == [value, "7"]
    back = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", skiprows=len(stamp), keep_default_na=False)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert sheet["A2"].value == value
    assert sheet["B3"].value == -7


def test_the_frame_passed_in_is_not_changed() -> None:
    frame = pd.DataFrame({"comment": ["=1+1"], "n": [-1]})
    to_csv(frame, STAMP)
    to_xlsx(frame, STAMP)
    assert frame["comment"].tolist() == ["=1+1"]
