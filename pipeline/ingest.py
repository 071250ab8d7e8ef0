"""Ingest: read one extract file (CSV or XLSX) as text, keeping line numbers.

Takes a path; gives a ``RawTable``: the normalised header, every data row as
text (surrounding spaces trimmed, empty -> None) with the line a person sees in
the file (header = line 1), and notes for the build report. A file that cannot
be read as a table raises ``BuildError`` naming the file and the problem.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_FIELD_CHARS = 1_000_000


class BuildError(Exception):
    """A problem that stops the build; the message names the file and what to do."""


@dataclass
class RawTable:
    file: str  # file name as given, e.g. "actions.csv"
    format: str  # "csv" or "xlsx"
    encoding: str
    size_bytes: int
    sha256: str
    header: list[str]  # normalised names, in file order
    original_header: list[str]
    lines: list[int]  # line number of each row
    rows: list[list[str | None]]  # each row as long as the header, or None where ragged
    ragged: dict[int, str] = field(default_factory=dict)  # row index -> reason
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.rows)


def normalise_header(name: object) -> str:
    """`Service Area`, `service-area` and ` SERVICE_AREA ` all become `service_area`."""
    return re.sub(r"[\s\-_]+", "_", str(name if name is not None else "").strip().lower()).strip("_")


SPACES = " \t\r\n\u00a0"  # trimmed from both ends of every value (the SQL fast path trims the same)


def _clean(value: str) -> str | None:
    value = value.strip(SPACES)
    return value or None


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    if b"\x00" in data:
        raise BuildError(f"{path.name}: is not a text table (it contains binary data); export it as CSV or XLSX.")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "utf-8-sig", data[3:]
    else:
        encoding = "utf-8"
    try:
        return data.decode("utf-8"), encoding, []
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            column = utf8_error.start - (data.rfind(b"\n", 0, utf8_error.start) + 1) + 1
            raise BuildError(
                f"{path.name}: cannot be decoded as UTF-8 or Windows-1252 "
                f"(first bad byte at line {line}, column {column}); save it as UTF-8 CSV."
            ) from None
        return text, "windows-1252", [f"{path.name}: not UTF-8; read as Windows-1252. Save it as UTF-8 to be sure."]


def read_csv(path: Path, data: bytes | None = None) -> RawTable:
    data = path.read_bytes() if data is None else data
    text, encoding, warnings = _decode(path, data)
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    lines: list[int] = []
    rows: list[list[str | None]] = []
    ragged: dict[int, str] = {}
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line is not a row
            if header is None:
                header = record
                width = len(header)
                continue
            if len(record) != width:
                ragged[len(rows)] = f"has {len(record)} fields but the header has {width}"
                record = (record + [""] * width)[:width]
            lines.append(start)
            rows.append([_clean(v) for v in record])
    except csv.Error as error:
        raise BuildError(f"{path.name}: line {reader.line_num}: cannot be read as CSV ({error}).") from None
    if header is None:
        raise BuildError(f"{path.name}: is empty; the first line must be the header.")
    return RawTable(
        file=path.name,
        format="csv",
        encoding=encoding,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        header=[normalise_header(h) for h in header],
        original_header=[h.strip() for h in header],
        lines=lines,
        rows=rows,
        ragged=ragged,
        warnings=warnings,
    )


def _cell_text(value: object) -> str | None:
    """Spreadsheet cells come typed; turn them into the text a CSV would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _clean(str(value))


def read_xlsx(path: Path) -> RawTable:
    from python_calamine import CalamineWorkbook

    data = path.read_bytes()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises several types for a broken workbook
        raise BuildError(f"{path.name}: is not a readable .xlsx workbook ({error}).") from None
    header: list[str] | None = None
    lines: list[int] = []
    rows: list[list[str | None]] = []
    for index, cells in enumerate(sheet_rows):
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if header is None:
            header = [t or "" for t in texts]
            width = len(header)
            continue
        texts = (texts + [None] * width)[:width]
        lines.append(index + 1)
        rows.append(texts)
    if header is None:
        raise BuildError(f"{path.name}: the first sheet is empty; its first row must be the header.")
    while header and not header[-1]:
        header.pop()
    rows = [r[: len(header)] for r in rows]
    return RawTable(
        file=path.name,
        format="xlsx",
        encoding="xlsx",
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        header=[normalise_header(h) for h in header],
        original_header=list(header),
        lines=lines,
        rows=rows,
    )


def find_extract(folder: Path, name: str, optional: bool = False) -> Path | None:
    """The one file for extract ``name`` in ``folder``: name.csv or name.xlsx (None when an
    ``optional`` extract has neither)."""
    found = [p for p in (folder / f"{name}.csv", folder / f"{name}.xlsx") if p.is_file()]
    if not found and optional:
        return None
    if not found:
        raise BuildError(f"{name}: no {name}.csv or {name}.xlsx in {folder}; this extract is needed.")
    if len(found) > 1:
        raise BuildError(f"{name}: both {name}.csv and {name}.xlsx are in {folder}; keep one.")
    return found[0]


def read_extract(path: Path) -> RawTable:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    return read_csv(path)


@dataclass
class FastCsv:
    """A plain CSV loaded straight into DuckDB (``table``: c0..cN as text, row 0 the header)."""

    file: str
    encoding: str
    size_bytes: int
    sha256: str
    header: list[str]
    original_header: list[str]
    rows_read: int
    table: str
    format: str = "csv"
    warnings: list[str] = field(default_factory=list)


CHUNK_BYTES = 8 * 2**20  # the fast path reads a file in pieces: no whole copy of it in memory
HEADER_BYTES = 2**20  # a header line longer than this is not a header


@dataclass
class _Scan:
    """What one streaming pass over a file's bytes tells: enough to decide the fast path."""

    size: int
    sha256: str
    lines: int
    first_line: bytes
    utf8: bool
    nul: bool
    blank: bool


def _scan(path: Path) -> _Scan:
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    size = newlines = 0
    first, utf8, nul, blank, last = b"", True, False, True, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            nul = nul or b"\x00" in chunk
            blank = blank and chunk.isspace()
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if b"\n" not in first and len(first) < HEADER_BYTES:  # enough to hold the header line
                first += chunk
            last = chunk[-1:]
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return _Scan(
        size,
        digest.hexdigest(),
        newlines + (0 if last in (b"\n", b"") else 1),
        first.split(b"\n", 1)[0],
        utf8,
        nul,
        blank,
    )


def read_csv_fast(con, path: Path, table: str) -> FastCsv | None:
    """Load a CSV with DuckDB's reader when that provably keeps every line number.

    Holds for the common case: UTF-8, one record per physical line, no blank or
    ragged lines. The check: DuckDB's strict reader must succeed and return
    exactly as many records as the file has lines, so record i is line i + 1.
    Anything else returns None and the file takes the careful Python path. The
    file's bytes are read in pieces (checksum, lines, UTF-8), never held whole.
    """
    scan = _scan(path)
    if scan.nul or scan.blank or not scan.utf8:
        return None
    encoding = "utf-8-sig" if scan.first_line.startswith(b"\xef\xbb\xbf") else "utf-8"
    first_line = scan.first_line.decode("utf-8-sig").rstrip("\r")
    try:
        header = next(csv.reader([first_line]), [])
    except csv.Error:  # e.g. a lone carriage return inside the header line: the careful path says where
        return None
    if not header:
        return None
    lines = scan.lines
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    try:
        con.execute(
            f"create or replace table {table} as select * from read_csv($path, auto_detect = false, "
            f"header = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true, columns = {columns})",
            {"path": str(path)},
        )
        ((records,),) = con.execute(f"select count(*) from {table}").fetchall()
    except Exception:  # noqa: BLE001 - any reader error means: use the careful path
        return None
    if records != lines:
        return None
    return FastCsv(
        file=path.name,
        encoding=encoding,
        size_bytes=scan.size,
        sha256=scan.sha256,
        header=[normalise_header(h) for h in header],
        original_header=[h.strip() for h in header],
        rows_read=records - 1,
        table=table,
    )
