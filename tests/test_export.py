"""Downloads (dashboard/features/export.py): CSV injection is neutralised, numbers are not, every file is stamped.

A spreadsheet runs a cell that starts with = + - @ (or their full-width forms,
or any of them after leading control, zero-width or space characters, which
spreadsheets may trim first) as a formula. Text cells that could do that get a
leading apostrophe; numbers, including negative ones, stay numbers; ordinary
text comes back unchanged. Characters a file cannot hold are replaced by U+FFFD
instead of failing the download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dashboard.features.export import MAX_WIDTH, heading, to_csv, to_xlsx

STAMP = {
    "Source": "Digital strategy engagement dashboard",
    "Filters": "Care group: Adult mental health; Survey: Staff",
    "Disclosure control": "Every survey count is perturbed (up to 3 either way); groups under 10 are hidden.",
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
    # Full-width forms of the formula characters.
    ("\uff1d1+1", "full-width equals"),
    ("\uff0b1+1", "full-width plus"),
    ("\uff0d2+3", "full-width minus"),
    ("\uff20SUM(A1:A9)", "full-width at"),
    # Leading characters a spreadsheet may trim before it looks for a formula:
    # control characters (Cc) ...
    ("\x00=1+1", "NUL"),
    ("\x0b=1+1", "vertical tab"),
    ("\x0c+1+1", "form feed"),
    ("\x1f-1+1", "unit separator"),
    ("\x7f@SUM(A1)", "delete"),
    ("\x85=1+1", "next line"),
    ("\x9f=1+1", "C1 control"),
    ("\r\n=1+1", "CR LF"),
    # ... spaces (Zs) ...
    (" =1+1", "space"),
    ("   -1+1", "spaces"),
    ("\u00a0=1+1", "no-break space"),
    ("\u2000=1+1", "en quad"),
    ("\u2007+1+1", "figure space"),
    ("\u200a@SUM(A1)", "hair space"),
    ("\u3000\uff1d1+1", "ideographic space then full-width equals"),
    # ... line and paragraph separators (Zl, Zp) ...
    ("\u2028=1+1", "line separator"),
    ("\u2029=1+1", "paragraph separator"),
    # ... and zero-width and other format characters (Cf).
    ("\u200b=1+1", "zero-width space"),
    ("\u200c=1+1", "zero-width non-joiner"),
    ("\u200d=1+1", "zero-width joiner"),
    ("\u2060=1+1", "word joiner"),
    ("\ufeff=1+1", "byte-order mark"),
    ("\u00ad=1+1", "soft hyphen"),
    ("\u202e=1+1", "right-to-left override"),
    # Mixed runs of them.
    ("\u00a0\u200b\x0b \ufeff=1+1", "mixed run"),
    ("\t", "tab alone"),
]
FORMULAS = [pytest.param(value, id=name) for value, name in FORMULA_VALUES]

ORDINARY_VALUES = [
    ("Ward A", "plain"),
    ('O\'Brien said "fine", then left', "quotes and comma"),
    ("Wi-Fi drops; 3 times a day = bad", "operators inside"),
    ("Two\nlines", "newline inside"),
    ("é ü – “quoted” 日本語", "unicode"),
    ("#NHS", "hash"),
    ("100% of staff", "percent"),
    ("'=already quoted", "apostrophe first"),
    ("\u00a0Ward A", "no-break space, no formula"),
    ("\u200bWard A", "zero-width space, no formula"),
    ("\u2013 5 fewer", "en dash is not minus"),
    ("a\uff1db", "full-width equals inside"),
    ("\u3000", "ideographic space alone"),
]
ORDINARY = [pytest.param(value, id=name) for value, name in ORDINARY_VALUES]

FORMULA_CHARACTERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TRIMMED = {"Cc", "Cf", "Zs", "Zl", "Zp"}
# What a worksheet cannot hold: openpyxl's list (C0 controls bar tab, LF, CR) and
# the rest of what XML 1.0 forbids (surrogates, U+FFFE, U+FFFF).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def formula_start(text: str) -> bool:
    """Would a spreadsheet that trims leading control, format and space characters see a formula?"""
    trimmed = text
    while trimmed and unicodedata.category(trimmed[0]) in TRIMMED:
        trimmed = trimmed[1:]
    return trimmed.startswith(FORMULA_CHARACTERS)


def as_csv_keeps(value: str) -> str:
    """The documented change for CSV: a lone surrogate, which UTF-8 cannot hold, reads back as U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", value)


def as_xlsx_keeps(value: str) -> str:
    """The documented changes for Excel: what XML cannot hold reads back as U+FFFD, every line end as LF."""
    return NOT_IN_XML.sub("\ufffd", value).replace("\r\n", "\n").replace("\r", "\n")


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


@pytest.mark.parametrize("value", FORMULAS)
@pytest.mark.parametrize("dtype", ["object", "string", "category"])
def test_csv_text_that_a_spreadsheet_would_run_gets_an_apostrophe(value: str, dtype: str) -> None:
    frame = pd.DataFrame({"Comment": pd.Series([value, "fine"], dtype=dtype), "Count": [1, 2]})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert table[0] == ["Comment", "Count"]
    assert table[1] == ["'" + value, "1"]
    assert table[2] == ["fine", "2"]


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_text_that_a_spreadsheet_would_run_is_stored_as_text_with_an_apostrophe(value: str) -> None:
    frame = pd.DataFrame({"Comment": [value, "fine"], "Count": [1, 2]})
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    cell = sheet["A2"]
    assert cell.value == "'" + as_xlsx_keeps(value)
    assert cell.data_type == "s"  # openpyxl would store an un-neutralised "=..." as a formula ("f")
    assert sheet["A3"].value == "fine"


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_column_names_are_neutralised_too(value: str) -> None:
    _stamp, table = csv_table(to_csv(pd.DataFrame({value: ["x"]}), STAMP))
    assert table[0] == ["'" + value]


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_column_names_are_neutralised_too(value: str) -> None:
    header = workbook(to_xlsx(pd.DataFrame({value: ["x"]}), STAMP)).worksheets[0]["A1"]
    assert header.value == "'" + as_xlsx_keeps(value)
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
    frame = pd.DataFrame({"Comment": [value], "Count": [1]})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert table == [["Comment", "Count"], [value, "1"]]


@pytest.mark.parametrize(
    ("numbers", "shown"),
    [
        pytest.param([-5, 0, 12], ["-5", "0", "12"], id="integers"),
        pytest.param([-1.5, 0.25, 3.0], ["-1.5", "0.25", "3"], id="floats"),
        pytest.param([-0.39, 0.65, -100.0], ["-0.39", "0.65", "-100"], id="shares and negatives"),
    ],
)
def test_numbers_including_negative_ones_are_untouched(numbers: list[float], shown: list[str]) -> None:
    frame = pd.DataFrame({"Change": numbers})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert [row[0] for row in table[1:]] == shown
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(numbers))]
    assert [c.value for c in cells] == numbers
    assert all(c.data_type == "n" for c in cells)


def test_numbers_mixed_with_text_in_one_column_stay_numbers() -> None:
    frame = pd.DataFrame({"Value": pd.Series([-5, "=1+1", 2.5], dtype=object)})
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert [row[0] for row in table[1:]] == ["-5", "'=1+1", "2.5"]
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert (sheet["A2"].value, sheet["A2"].data_type) == (-5, "n")
    assert sheet["A3"].value == "'=1+1"


def test_csv_carries_every_stamp_line_before_the_table() -> None:
    content = to_csv(pd.DataFrame({"Count": [1]}), STAMP)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so Excel reads it as UTF-8"
    stamp, table = csv_table(content)
    assert stamp == [f"# {key}: {value}" for key, value in STAMP.items()]
    text = content.decode("utf-8-sig")
    assert "Adult mental health" in text and "groups under 10 are hidden" in text
    assert "2021-07-10 09:30 UTC" in text and "SYNTHETIC DEMO DATA" in text
    assert table == [["Count"], ["1"]]


def test_xlsx_carries_the_stamp_on_an_about_sheet() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"Count": [1]}), STAMP, sheet="Digital skills"))
    assert book.sheetnames == ["Digital skills", "About"]
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about == STAMP


def test_xlsx_sheet_name_is_cut_to_excels_limit() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"Count": [1]}), STAMP, sheet="x" * 40))
    assert book.sheetnames[0] == "x" * 31


def test_stamp_values_that_look_like_formulas_are_neutralised_in_the_workbook() -> None:
    book = workbook(to_xlsx(pd.DataFrame({"Count": [1]}), {"Note": "=1+1"}))
    assert book["About"]["B2"].value == "'=1+1"
    assert book["About"]["B2"].data_type == "s"


def test_a_newline_in_a_stamp_value_stays_on_its_line() -> None:
    stamp, table = csv_table(to_csv(pd.DataFrame({"Count": [1]}), {"Note": "first\n=1+1"}))
    assert stamp == ["# Note: first =1+1"]
    assert table == [["Count"], ["1"]]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('Service area: Ward\r=HYPERLINK("http://example.invalid")', id="carriage return"),
        pytest.param('Service area: Ward,=HYPERLINK("http://example.invalid")', id="comma"),
        pytest.param("Service area: Ward, \u200b+1+1, -2", id="comma, space and zero-width space"),
        pytest.param('Service area: Ward,"a\r\n=1+1', id="comma then a quote"),
        pytest.param('Service area: Ward, "a,=1+1', id="comma, space, quote"),
    ],
)
def test_stamp_text_cannot_become_a_formula_cell(value: str) -> None:
    """A stamp line is not quoted, so a spreadsheet splits it at its commas: no part may start a
    formula, nor open a quoted cell that would run on into the table."""
    content = to_csv(pd.DataFrame({"Count": [1]}), {"Filters": value})
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if formula_start(cell)]
    assert rows[1:] == [["Count"], ["1"]]  # the stamp is one line; the table is intact


def test_stamp_lines_start_with_a_hash_unquoted_and_read_csv_skips_them() -> None:
    stamp = {**STAMP, "Note": 'Commas, "quotes" and a # in the stamp'}
    content = to_csv(pd.DataFrame({"Care group": ["A, B"], "Count": [3]}), stamp)
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[: len(stamp) - 1] == [f"# {key}: {value}" for key, value in STAMP.items()]
    # A quote after a comma could open a quoted cell in a spreadsheet: it gets an apostrophe.
    assert lines[len(stamp) - 1] == '# Note: Commas,\' "quotes" and a # in the stamp'
    assert lines[len(stamp) :] == ["Care group,Count", '"A, B",3', ""]
    back = pd.read_csv(io.BytesIO(content), comment="#")
    pd.testing.assert_frame_equal(back, pd.DataFrame({"Care group": ["A, B"], "Count": [3]}), check_dtype=False)


@pytest.mark.parametrize("value", ["#NHS", "Wi-Fi # 3 down", "ends with #", "# heading"])
def test_a_hash_in_a_cell_is_quoted_so_read_csv_keeps_the_cell(value: str) -> None:
    frame = pd.DataFrame({"Comment": [value, "fine"], "Count": [1, 2]})
    content = to_csv(frame, STAMP)
    assert f'"{value}",1' in content.decode("utf-8-sig")
    back = pd.read_csv(io.BytesIO(content), comment="#")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("care_group", "Care group"),
        ("completed_on", "Completed on"),
        ("days_open", "Days open"),
        ("status", "Status"),
        ("p-value", "P-value"),
        ("p_value", "P-value"),
        ("n", "Answered (n)"),
        ("n, 2021", "Answered (n), 2021"),
        ("2021 n", "2021 answered (n)"),
        ("ci_low_percent", "95% CI low (%)"),
        ("hidden_reason", "Hidden because"),
        ("title", "Action"),
        ("Care group", "Care group"),
        ("95% CI low (%)", "95% CI low (%)"),
        ("Change (points)", "Change (points)"),
        ("SHA-256", "SHA-256"),
        ("IT skills rated good, 2021 (%)", "IT skills rated good, 2021 (%)"),
        ("Bigger than chance?", "Bigger than chance?"),
        ("newline\ninside", "Newline\ninside"),
    ],
)
def test_every_download_names_its_columns_in_one_style(name: str, shown: str) -> None:
    """Sentence case, words spaced: a frame's own names ("care_group") become what a person reads."""
    frame = pd.DataFrame({name: [1]})
    assert csv_table(to_csv(frame, STAMP))[1][0] == [shown]
    assert workbook(to_xlsx(frame, STAMP)).worksheets[0]["A1"].value == shown


def test_whole_numbers_are_written_whole_and_a_hidden_one_stays_empty() -> None:
    frame = pd.DataFrame(
        {
            "Count": [12.0, None, 3.0],  # a count with a hidden figure comes as floats
            "Hours": [25.0, 0.75, None],
            "Share": [0.5, -1.0, 1e-05],
            "Big": [2.0**60, 1.0, 2.0],  # too big to be held exactly: left a float
        }
    )
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert table[1:] == [["12", "25", "0.5", "1.152921504606847e+18"], ["", "0.75", "-1", "1"], ["3", "", "1e-05", "2"]]
    back = pd.read_csv(io.BytesIO(to_csv(frame, STAMP)), comment="#")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert [sheet["A2"].value, sheet["A3"].value, sheet["A4"].value] == [12, None, 3]
    assert isinstance(sheet["A2"].value, int) and sheet["A2"].data_type == "n"
    assert pd.read_excel(io.BytesIO(to_xlsx(frame, STAMP)), engine="openpyxl")["Count"].tolist()[::2] == [12, 3]


def test_a_workbook_has_a_bold_frozen_header_and_columns_as_wide_as_their_content() -> None:
    frame = pd.DataFrame(
        {"Service area": ["Ward A", "A much longer service area name"], "n": [5, 7], "Comment": ["x" * 200, "y"]}
    )
    book = workbook(to_xlsx(frame, STAMP))
    sheet, about = book.worksheets[0], book["About"]
    for page in (sheet, about):
        assert page.freeze_panes == "A2"
        assert all(cell.font.b for cell in page[1])
        assert not any(cell.font.b for cell in page[2])
    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [len("A much longer service area name") + 2, len("Answered (n)") + 2, MAX_WIDTH + 2]
    assert sheet["C2"].alignment.wrap_text  # text wider than the widest column wraps
    assert about.column_dimensions["A"].width == len("Disclosure control") + 2
    assert about.column_dimensions["B"].width == MAX_WIDTH + 2 and about["B4"].alignment.wrap_text
    assert [[cell.value for cell in row] for row in about.iter_rows()] == [["Item", "Value"], *map(list, STAMP.items())]


def test_dates_are_excel_dates_shown_without_a_time() -> None:
    frame = pd.DataFrame(
        {
            "Raised": pd.to_datetime(["2021-07-09", None, "2023-02-03"]),
            "Completed on": [dt.date(2022, 1, 31), None, dt.date(2023, 3, 1)],
            "Logged at": [pd.Timestamp("2021-07-09 14:30"), pd.Timestamp("2021-07-10"), pd.NaT],
        }
    )
    content = to_xlsx(frame, STAMP)
    sheet = workbook(content).worksheets[0]
    assert sheet["A2"].value == dt.datetime(2021, 7, 9) and sheet["A2"].is_date
    assert [sheet[c].number_format for c in ("A2", "A4", "B2", "B4")] == ["yyyy-mm-dd"] * 4
    assert [sheet[c].number_format for c in ("C2", "C3")] == ["yyyy-mm-dd hh:mm"] * 2  # a column with times keeps them
    back = pd.read_excel(io.BytesIO(content), engine="openpyxl")
    assert back["Raised"].tolist()[::2] == [pd.Timestamp("2021-07-09"), pd.Timestamp("2023-02-03")]
    assert pd.api.types.is_datetime64_any_dtype(back["Raised"])
    _stamp, table = csv_table(to_csv(frame, STAMP))
    assert [row[:2] for row in table[1:]] == [["2021-07-09", "2022-01-31"], ["", ""], ["2023-02-03", "2023-03-01"]]


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_text_round_trips_unchanged(value: str) -> None:
    frame = pd.DataFrame({"Comment": [value, "second"], "Count": [7, -7]})
    content = to_csv(frame, STAMP)
    stamp, table = csv_table(content)
    assert table[1] == [value, "7"]
    back = pd.read_csv(io.BytesIO(content), comment="#", keep_default_na=False)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert sheet["A2"].value == value
    assert sheet["A2"].data_type == "s"
    assert sheet["B3"].value == -7


def test_the_frame_passed_in_is_not_changed() -> None:
    frame = pd.DataFrame({"Comment": ["=1+1"], "Count": [-1]})
    to_csv(frame, STAMP)
    to_xlsx(frame, STAMP)
    assert frame["Comment"].tolist() == ["=1+1"]


def test_an_excel_download_with_characters_excel_cannot_hold_succeeds() -> None:
    """One action title with a vertical tab or form feed used to fail every Excel download that held it."""
    frame = pd.DataFrame(
        {"Title": ["Roll out\x0bWi-Fi\x0cpilot", "\x0b=1+1", "fine"], "Owner\x0c": ["A", "B", "C"], "Count": [1, 2, 3]}
    )
    content = to_xlsx(frame, {"Filters": "Service\x0barea"})
    sheet = workbook(content).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Title", "Owner\ufffd", "Count"]
    assert sheet["A2"].value == "Roll out\ufffdWi-Fi\ufffdpilot"
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("'\ufffd=1+1", "s")
    assert sheet["A4"].value == "fine"
    assert workbook(content)["About"]["B2"].value == "Service\ufffdarea"
    back = pd.read_excel(io.BytesIO(content), sheet_name=0, engine="openpyxl")
    assert back["Title"].tolist() == ["Roll out\ufffdWi-Fi\ufffdpilot", "'\ufffd=1+1", "fine"]
    assert back["Count"].tolist() == [1, 2, 3]


def test_the_characters_replaced_are_openpyxls_and_those_xml_forbids() -> None:
    """export writes openpyxl's list out (so openpyxl loads only when a workbook is made): the same list."""
    from dashboard.features.export import XLSX_ILLEGAL_RE

    forbidden_by_xml = {*range(0xD800, 0xE000), 0xFFFE, 0xFFFF}
    for code in range(0x10000):
        char = chr(code)
        expected = bool(ILLEGAL_CHARACTERS_RE.match(char)) or code in forbidden_by_xml
        assert bool(XLSX_ILLEGAL_RE.match(char)) == expected, hex(code)


def test_every_character_a_worksheet_cannot_hold_is_replaced() -> None:
    illegal = [chr(code) for code in range(0x20) if ILLEGAL_CHARACTERS_RE.match(chr(code))]
    assert len(illegal) == 29  # openpyxl's list: all C0 controls but tab, LF and CR
    text = "x" + "".join(illegal) + "\ud800\udfff\ufffe\uffff" + "y"
    sheet = workbook(to_xlsx(pd.DataFrame({"Comment": pd.Series([text], dtype=object)}), STAMP)).worksheets[0]
    assert sheet["A2"].value == "x" + "\ufffd" * (len(illegal) + 4) + "y"


def test_a_lone_surrogate_does_not_fail_either_download() -> None:
    frame = pd.DataFrame({"Comment": pd.Series(["a\udc00b", "fine"], dtype=object), "Count": [1, 2]})
    frame.columns = pd.Index(["Comment\ud83d", "Count"], dtype=object)  # pandas' own string dtype refuses one
    stamp, table = csv_table(to_csv(frame, {"Filters": "x\ud800"}))
    assert stamp == ["# Filters: x\ufffd"]
    assert table == [["Comment\ufffd", "Count"], ["a\ufffdb", "1"], ["fine", "2"]]
    book = workbook(to_xlsx(frame, {"Filters": "x\ud800"}))
    cells = [[cell.value for cell in row] for row in book.worksheets[0]]
    assert cells == [["Comment\ufffd", "Count"], ["a\ufffdb", 1], ["fine", 2]]
    assert book["About"]["B2"].value == "x\ufffd"


# Text from anywhere in Unicode (surrogates included: st.characters() with no
# filter yields them), with the characters the rules are about made common:
# as an alphabet beside st.characters() Hypothesis almost never picks them, so
# runs of them are put at the start and in the middle of arbitrary text.
INTERESTING = (
    "=+-@\uff1d\uff0b\uff0d\uff20'\t\r\n \x00\x0b\x0c\x1f\x7f\x85\u00a0\u2000\u200b\u2028\u3000\ufeff"
    "\ud800\udfff\ufffe\uffff"
)
ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters()),
    st.tuples(
        st.text(alphabet=INTERESTING, max_size=4),
        st.text(alphabet=st.characters(), max_size=5),
        st.text(alphabet=INTERESTING, max_size=3),
        st.text(alphabet=st.characters(), max_size=5),
    ).map("".join),
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(ANY_TEXT, min_size=1, max_size=3), data=st.data())
def test_any_text_downloads_and_reads_back_with_only_the_documented_changes(headers: list[str], data) -> None:
    rows = data.draw(st.integers(min_value=0, max_value=4))
    text = [data.draw(st.lists(ANY_TEXT, min_size=rows, max_size=rows)) for _ in headers]
    numbers = data.draw(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=rows, max_size=rows))
    columns = {f"c{i}": pd.Series(cells, dtype=object) for i, cells in enumerate(text)}
    frame = pd.DataFrame({**columns, "n": pd.Series(numbers, dtype="int64")})
    frame.columns = pd.Index([*headers, "n"], dtype=object)
    # Column names come back in the downloads' one style (heading, tested on its own below), then as any text.
    originals = [[*map(heading, headers), "Answered (n)"]] + [
        [column[r] for column in text] + [numbers[r]] for r in range(rows)
    ]

    def check(back: list[list[object]], keeps) -> None:
        assert len(back) == rows + 1
        assert all(len(row) == len(headers) + 1 for row in back)
        for back_row, original_row in zip(back, originals):
            for cell, original in zip(back_row[:-1], original_row[:-1]):
                assert isinstance(cell, str)
                if cell != keeps(original):
                    assert cell == "'" + keeps(original)  # the only other change allowed
                    assert formula_start(original) or original.startswith(("\t", "\r", "\n"))
                assert not formula_start(cell) or cell.startswith("'")
        assert [row[-1] for row in back[1:]] == numbers

    # CSV: UTF-8 with BOM, the stamp as '# ' lines, rows ending CRLF; a CR or LF inside a cell comes back intact.
    content = to_csv(frame, STAMP)
    assert content.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert [row[0][:2] for row in read[: len(STAMP)]] == ["# "] * len(STAMP)
    table = [row[:-1] + [row[-1] if i == 0 else int(row[-1])] for i, row in enumerate(read[len(STAMP) :])]
    check(table, as_csv_keeps)

    # Excel: an empty text cell is stored as no cell, which openpyxl reads as None.
    sheet = workbook(to_xlsx(frame, STAMP)).worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (rows + 1, len(headers) + 1)
    cells = [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    check(cells, as_xlsx_keeps)
