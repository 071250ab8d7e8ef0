"""Downloads of what is on screen: CSV and Excel, each stamped with where it came from.

Pure functions (no Streamlit). Every download carries the filters used, the
suppression note, when the data was built and, when it applies, the
synthetic-data label. Text cells that a spreadsheet would run as a formula
are neutralised (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def stamp_lines(stamp: Mapping[str, str]) -> list[str]:
    return [f"{key}: {value}" for key, value in stamp.items()]


def to_csv(frame: pd.DataFrame, stamp: Mapping[str, str]) -> bytes:
    """CSV with the stamp as leading '# ' lines, then the table. UTF-8 with BOM so Excel reads it.

    Rows end with CRLF so that any cell holding a bare CR or LF is quoted: a
    spreadsheet must not start a new row (and maybe a formula) inside a cell.
    Each stamp line is one quoted-as-needed cell, on one line.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in stamp_lines(stamp):
        writer.writerow(["# " + " ".join(str(line).split())])
    safe_frame(frame).to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, stamp: Mapping[str, str], sheet: str = "Data") -> bytes:
    """Workbook with the table on the first sheet and the stamp on an 'About' sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, sheet_name=sheet[:31], index=False)
        about = pd.DataFrame({"item": list(stamp), "value": [str(v) for v in stamp.values()]})
        safe_frame(about).to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()
