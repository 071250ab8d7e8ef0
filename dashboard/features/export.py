"""Downloads of what is on screen: CSV and Excel, each stamped with where it came from.

Pure functions (no Streamlit). Every download carries the filters used, the
disclosure note, when the data was built and, when it applies, the
synthetic-data label. Text cells that a spreadsheet would run as a formula
are neutralised (CSV injection), and characters a file format cannot hold are
replaced by U+FFFD, so a download never fails because of one odd comment.
"""

from __future__ import annotations

import csv
import io
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


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could run this text as a formula (see the constants above)."""
    if text.startswith(LINE_STARTS):
        return True
    start = 0
    while start < len(text) and unicodedata.category(text[start]) in SKIPPED_CATEGORIES:
        start += 1
    return text.startswith(tuple(FORMULA_CHARACTERS), start)


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


def stamp_lines(stamp: Mapping[str, str]) -> list[str]:
    return [f"{key}: {value}" for key, value in stamp.items()]


def to_csv(frame: pd.DataFrame, stamp: Mapping[str, str]) -> bytes:
    """CSV with the stamp as leading '# ' lines, then the table. UTF-8 with BOM so Excel reads it.

    Rows end with CRLF so that any cell holding a bare CR or LF is quoted: a
    spreadsheet must not start a new row (and maybe a formula) inside a cell.
    Each stamp line is one quoted-as-needed cell, on one line.

    Text comes back as it went in, except that a cell a spreadsheet could run
    as a formula gets a leading apostrophe (see neutralise), and a lone
    surrogate, which UTF-8 cannot encode, becomes U+FFFD (the replacement
    character, so the reader sees that something was there) instead of
    failing the whole download.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in stamp_lines(stamp):
        writer.writerow(["# " + " ".join(str(line).split())])
    safe_frame(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return SURROGATES_RE.sub(REPLACEMENT, buffer.getvalue()).encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, stamp: Mapping[str, str], sheet: str = "Data") -> bytes:
    """Workbook with the table on the first sheet and the stamp on an 'About' sheet.

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
    about = pd.DataFrame({"item": list(stamp), "value": [str(v) for v in stamp.values()]}, dtype=object)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in ((sheet[:31], frame), ("About", about)):
            map_text(safe_frame(table), xlsx_text).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()
