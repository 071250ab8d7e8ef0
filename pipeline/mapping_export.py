"""A survey tool's export as it comes (``python -m pipeline map``): read like an extract
(``pipeline.ingest``), then SmartSurvey's second header row merged into the column names.

SmartSurvey writes the questions on line 1 and, on line 2, what each column holds: "Response"
or "Open-Ended Response" under a one-column question, and the answer options under a question
that takes several columns (one per option, the first headed by the question, the others
blank). Line 2 is recognised by its empty first cell (the response id's column) and either
such a marker or text under every blank heading; it is merged into the names ("Which apps do
you use? - Teams") and never read as a response; the preview says so.

Columns that are never answers on a scale: free text beside a choice ("Other (please
specify)"), and the one-column-per-option columns of a multi-select question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest import BuildError, RawTable, normalise_header, read_extract

MARKERS = {"response", "open-ended response", "open ended response", "responses"}
OTHER = re.compile(r"\bother\b.*\b(please )?specify\b|\bplease specify\b", re.IGNORECASE)


@dataclass
class Export:
    table: RawTable
    notes: list[str] = field(default_factory=list)
    option_columns: set[int] = field(default_factory=set)  # one column per option of a multi-select question


def is_other_text(header: str) -> bool:
    """A column of free text beside a choice, e.g. "Other (please specify)"."""
    return bool(OTHER.search(header))


def _second_header(table: RawTable) -> bool:
    if not table.rows or table.rows[0][0] is not None:
        return False
    first = table.rows[0]
    if any(v is not None and v.casefold() in MARKERS for v in first):
        return True
    blank = [i for i, h in enumerate(table.original_header) if i and not h.strip()]
    return bool(blank) and all(first[i] is not None for i in blank)


def read_export(path: Path) -> Export:
    if not path.is_file():
        raise BuildError(f"{path}: no such file.")
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise BuildError(f"{path.name}: is not a .csv or .xlsx file; export it as CSV or Excel.")
    table = read_extract(path)
    export = Export(table, list(table.warnings))
    if not _second_header(table):
        return export
    sub, names, question = table.rows[0], [], ""
    for i, heading in enumerate(table.original_header):
        heading = heading.strip()
        question = heading or question
        option = sub[i] if sub[i] is not None and sub[i].casefold() not in MARKERS else None
        if option is None:
            names.append(heading)
            continue
        names.append(f"{question} - {option}" if question else option)
        following = table.original_header[i + 1] if i + 1 < len(table.original_header) else "x"
        if not heading or not following.strip():  # a question spread over one column per option
            export.option_columns.add(i)
    line = table.lines[0]
    table.original_header, table.header = names, [normalise_header(n) for n in names]
    table.rows, table.lines = table.rows[1:], table.lines[1:]
    table.ragged = {row - 1: reason for row, reason in table.ragged.items() if row > 0}
    export.notes.append(
        f"{table.file}: line {line} is a second header row (SmartSurvey: what each column holds under its "
        f'question); merged into the column names ("<question> - <option>"), not read as a response.'
    )
    return export
