"""Downloads of what is on screen: CSV and Excel, each stamped with where it came from.

Pure functions (no Streamlit). Every download carries the filters used, the
disclosure note, when the data was built and, when it applies, the
synthetic-data label. Text cells that a spreadsheet would run as a formula
are neutralised (CSV injection), and characters a file format cannot hold are
replaced by U+FFFD, so a download never fails because of one odd comment.

Every download reads the same way: column names in one style (``heading``, applied by ``tidy``:
sentence case, the names a person reads), whole numbers written as whole numbers (``12``, not
``12.0``: ``whole_numbers``), a hidden figure an empty cell. A CSV opens with
``pandas.read_csv(path, comment="#")``: its stamp lines start with ``#`` and are never quoted, and
a cell holding ``#`` is quoted so that the reader does not take the rest of its line for a comment.
A workbook has its header row bold and frozen, columns as wide as their content (up to
``MAX_WIDTH``), dates as Excel dates shown as dates, and the stamp on its "About" sheet.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Callable, Mapping

import pandas as pd

# The ASCII formula starts and their full-width forms (＝ ＋ － ＠), which some
# spreadsheets and input methods turn into the ASCII ones.
FORMULA_CHARACTERS = "=+-@\uff1d\uff0b\uff0d\uff20"
# A cell that opens with one of these is neutralised whatever follows: a
# spreadsheet may split or trim there and then read the rest as a formula.
LINE_STARTS = ("\t", "\r", "\n")
# Spreadsheets trim some leading control, format (zero-width, BOM) and space
# characters before deciding whether a cell is a formula, and which ones
# differs between programs and versions. So we skip all of these Unicode
# categories when looking for a formula start: simpler and safer than a list.
SKIPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

REPLACEMENT = "\ufffd"
# Lone surrogates (U+D800-U+DFFF) cannot be encoded as UTF-8 at all.
SURROGATES_RE = re.compile("[\ud800-\udfff]")
# What an Excel cell cannot hold: the characters openpyxl refuses (its
# ILLEGAL_CHARACTERS_RE: C0 controls other than tab, LF and CR), plus the other
# code points XML 1.0 forbids and openpyxl would write anyway, leaving a workbook
# that no longer opens: lone surrogates and the non-characters U+FFFE and U+FFFF.
# Written out here so that openpyxl is imported only when a workbook is made
# (about 0.15 s of every server's first page); tests/test_export.py checks it
# against openpyxl's own.
XLSX_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# One header style for every download: sentence case, words spaced, units in brackets, as the
# pages' tables name their columns. The names a frame gives that the rule below would not turn
# into what the screen calls them:
HEADINGS = {
    "n": "Answered (n)",
    "ci_low_percent": "95% CI low (%)",
    "ci_high_percent": "95% CI high (%)",
    "hidden_reason": "Hidden because",
    "p_value": "P-value",
    "title": "Action",
    "theme": "Strategy theme",
    "raised_on": "Raised",
}
IDENTIFIER_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*")  # a frame's own name, "care_group"
COUNT_RE = re.compile(r"^n(?=, )|(?<= )n$")  # the bare "n" of "n, 2021" or "2021 n"
MAX_WIDTH = 60  # characters: a wider column (a comment, the disclosure note) wraps its text
MIDNIGHT = dt.time(0, 0)
EXACT_WHOLE = 2**53  # above this a float no longer holds every whole number


def heading(name: object) -> str:
    """A column's name in the downloads' one style: "care_group" -> "Care group", "p-value" ->
    "P-value", "n, 2021" -> "Answered (n), 2021"; a name already in it is kept."""
    text = str(name)
    if text in HEADINGS:
        return HEADINGS[text]
    if IDENTIFIER_RE.fullmatch(text):
        text = text.replace("_", " ")
    text = COUNT_RE.sub("answered (n)", text)
    return text[0].upper() + text[1:] if text[:1].isascii() and text[:1].islower() else text


def is_whole(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < EXACT_WHOLE


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """What every download holds: the frame with its columns named in the one header style. The
    frame passed in is not changed."""
    out = frame.copy()
    out.columns = pd.Index([heading(c) for c in out.columns], dtype=object)
    return out


def whole_numbers(column: pd.Series) -> pd.Series:
    """A float column with its whole figures as integers, so that a CSV says "12", not "12.0" (and
    "25" beside "25.25"); an empty cell stays empty. Any other column as it is. (A workbook needs
    no such step: a spreadsheet shows the number 12.0 as 12.)"""
    if not pd.api.types.is_float_dtype(column.dtype):
        return column
    values = [int(value) if is_whole(value) else value for value in column.astype(object)]
    return pd.Series(values, index=column.index, dtype=object)


def opens_with(text: str, characters: tuple[str, ...]) -> bool:
    """True when text starts with one of characters once the leading characters a spreadsheet may
    trim (SKIPPED_CATEGORIES) are passed over."""
    start = 0
    while start < len(text) and unicodedata.category(text[start]) in SKIPPED_CATEGORIES:
        start += 1
    return text.startswith(characters, start)


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could run this text as a formula (see the constants above)."""
    return text.startswith(LINE_STARTS) or opens_with(text, tuple(FORMULA_CHARACTERS))


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def is_text_column(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def map_text(frame: pd.DataFrame, function: Callable[[str], str]) -> pd.DataFrame:
    """A copy of the frame with function applied to every text cell and to every column name.

    Text columns come back with dtype object, and so do the column names: pandas
    would otherwise infer its Arrow-backed string dtype, which cannot hold a lone
    surrogate and would fail the download before it is cleaned.
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if is_text_column(column):
            values = [function(value) if isinstance(value, str) else value for value in column]
            out.isetitem(position, pd.Series(values, index=out.index, dtype=object))
    out.columns = pd.Index([function(str(c)) for c in out.columns], dtype=object)
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return map_text(frame, neutralise)


def xlsx_text(text: str) -> str:
    """Text as an Excel cell can hold it (see to_xlsx)."""
    text = XLSX_ILLEGAL_RE.sub(REPLACEMENT, text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def stamp_line(key: str, value: object) -> str:
    """One stamp line of a CSV: "# Key: value" on one line (its whitespace runs, line ends included,
    made one space), never quoted, so that ``read_csv(comment="#")`` skips it. A spreadsheet still
    splits it at its commas: a part after a comma that a spreadsheet could run as a formula, or read
    as a quoted cell running on into the table, starts with an apostrophe."""
    first, *rest = " ".join(f"{key}: {value}".split()).split(",")
    guarded = ["'" + part if looks_like_formula(part) or opens_with(part, ('"',)) else part for part in rest]
    return ",".join(["# " + first, *guarded])


CSV_QUOTED = (",", '"', "\r", "\n", "#")  # a cell holding one of these is quoted ("#": read_csv's comment)


def csv_cell(text: str) -> str:
    if any(character in text for character in CSV_QUOTED):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(frame: pd.DataFrame, stamp: Mapping[str, str]) -> bytes:
    """CSV with the stamp as leading '# ' lines (stamp_line), then the table (tidy). UTF-8 with BOM
    so Excel reads it; ``pandas.read_csv(path, comment="#")`` reads the table back.

    Rows end with CRLF, and any cell holding a comma, a quote, a bare CR or LF or a "#" is
    quoted: a spreadsheet must not start a new row (and maybe a formula) inside a cell, and
    read_csv must not take a "#" inside a cell for the start of a comment. pandas writes each
    cell's text (numbers, dates: a date without a time as YYYY-MM-DD); this function quotes it.

    Text comes back as it went in, except that a cell a spreadsheet could run
    as a formula gets a leading apostrophe (see neutralise), and a lone
    surrogate, which UTF-8 cannot encode, becomes U+FFFD (the replacement
    character, so the reader sees that something was there) instead of
    failing the whole download.
    """
    table = safe_frame(tidy(frame))
    for position in range(table.shape[1]):
        table.isetitem(position, whole_numbers(table.iloc[:, position]))
    cells = io.StringIO()
    table.to_csv(cells, index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    rows = csv.reader(io.StringIO(cells.getvalue(), newline=""))
    lines = [stamp_line(key, value) for key, value in stamp.items()]
    lines += [",".join(csv_cell(cell) for cell in row) for row in rows]
    text = "".join(line + "\r\n" for line in lines)
    return SURROGATES_RE.sub(REPLACEMENT, text).encode("utf-8-sig")


def cell_width(value: object) -> int:
    """How many characters a cell's value takes on screen: its longest line."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 10 if value.time() == MIDNIGHT else 16
    if isinstance(value, dt.date):
        return 10
    return max(len(line) for line in str(value).split("\n"))


def styled(style, **changes):
    """A copy of a cell's font or alignment with changes (openpyxl's own classes, which this module
    does not import: openpyxl loads only when a workbook is made)."""
    style = copy.copy(style)
    for name, value in changes.items():
        setattr(style, name, value)
    return style


def lay_out(sheet) -> None:
    """A worksheet pandas wrote, made readable: header row bold and frozen, each column as wide as
    its content (capped at MAX_WIDTH; wider text wraps), dates shown as dates ("yyyy-mm-dd", or
    "yyyy-mm-dd hh:mm" in a column where a time is not midnight)."""
    sheet.freeze_panes = "A2"
    for column in sheet.iter_cols(min_row=1, max_row=sheet.max_row):
        header, *cells = column
        header.font = styled(header.font, b=True)
        header.alignment = styled(header.alignment, horizontal="left", vertical="top", wrap_text=True)
        dated = [cell for cell in cells if isinstance(cell.value, dt.date)]  # a datetime is a date too
        timed = any(isinstance(cell.value, dt.datetime) and cell.value.time() != MIDNIGHT for cell in dated)
        for cell in dated:
            cell.number_format = "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"
        width = max(cell_width(cell.value) for cell in column)
        if width > MAX_WIDTH:
            for cell in cells:
                cell.alignment = styled(cell.alignment, vertical="top", wrap_text=True)
        sheet.column_dimensions[header.column_letter].width = min(max(width, 6), MAX_WIDTH) + 2


def to_xlsx(frame: pd.DataFrame, stamp: Mapping[str, str], sheet: str = "Data") -> bytes:
    """Workbook with the table (tidy) on the first sheet and the stamp on an 'About' sheet, each
    laid out (lay_out).

    Text (cells, column names, the stamp) comes back as it went in, except:
    - a cell a spreadsheet could run as a formula gets a leading apostrophe
      (see neutralise; checked before the replacements below);
    - each character a worksheet cannot hold (XLSX_ILLEGAL_RE: control
      characters such as \\x0b and \\x0c, lone surrogates, U+FFFE, U+FFFF) is
      replaced by U+FFFD. Replaced rather than removed so that the reader sees
      that something was there, words either side are not run together, and
      no new text (such as a formula start) is made by closing a gap. Without
      this, openpyxl refuses the whole download (IllegalCharacterError) or
      writes a workbook Excel cannot open;
    - a CR, alone or in CR LF, becomes LF: the file is XML, whose readers
      (Excel, openpyxl) turn every line end into LF anyway.
    """
    about = pd.DataFrame({"Item": list(stamp), "Value": [str(v) for v in stamp.values()]}, dtype=object)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in ((sheet[:31], tidy(frame)), ("About", about)):
            map_text(safe_frame(table), xlsx_text).to_excel(writer, sheet_name=name, index=False)
            lay_out(writer.sheets[name])
    return buffer.getvalue()
