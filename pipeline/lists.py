"""The Trust's own lists: care groups, staff groups, surveys, strategy themes, formats, statuses.

They are data (the ``lists`` extract, docs/DATA_CONTRACT.md), in display order; nothing in
the build or the dashboard names a value of them. Marks say what a value means:
``staff`` on a survey answered by Trust staff, ``completed`` on the status of a finished
action, ``closed`` on a status that ends an action unfinished; a theme may name the question
theme whose questions its actions stand beside.

- ``after_lists`` (build): the loaded list in file order, checked as a whole, and made
  the allowed values of every column of the same name;
- ``read_lists`` (``pipeline map``): the same lists read from an extracts folder, so a
  survey export is matched against the Trust's own names before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import contract
from pipeline.ingest import BuildError, find_extract, normalise_header, read_extract
from pipeline.validate import add_trust_lists


@dataclass(frozen=True)
class TrustLists:
    """Each list's values in order, and the marked ones."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    staff_surveys: tuple[str, ...] = ()
    completed: str = ""
    action_themes: dict[str, str] = field(default_factory=dict)  # question theme (case-folded) -> strategy theme

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str | None]]) -> TrustLists:
        """From (list, value, meaning) rows in display order, as checked by the build."""
        values: dict[str, tuple[str, ...]] = {}
        for name, value, _ in rows:
            values[name] = (*values.get(name, ()), value)
        return cls(
            values,
            tuple(v for n, v, m in rows if n == "survey" and m == contract.STAFF),
            next((v for n, v, m in rows if n == "status" and m == contract.COMPLETED), ""),
            {m.casefold(): v for n, v, m in rows if n == "theme" and m},
        )

    def action_theme(self, question_theme: str) -> str | None:
        """The strategy theme whose actions stand beside a question theme's questions, if any."""
        return self.action_themes.get(question_theme.casefold())


def _whole_file_checks(file: str, rows: list[tuple[str, str, str | None]]) -> None:
    present = {name for name, _, _ in rows}
    missing = [name for name in contract.REQUIRED_LISTS if name not in present]
    if missing:
        raise BuildError(
            f"{file}: no {', '.join(missing)} values; every Trust lists at least one of each of "
            f"{', '.join(contract.REQUIRED_LISTS)} (docs/DATA_CONTRACT.md, lists)."
        )
    completed = [value for name, value, meaning in rows if name == "status" and meaning == contract.COMPLETED]
    if len(completed) != 1:
        raise BuildError(
            f"{file}: exactly one status must have meaning '{contract.COMPLETED}' (the status of a finished "
            f"action); found {len(completed)}{': ' + ', '.join(completed) if completed else ''}."
        )


def after_lists(con: duckdb.DuckDBPyConnection, file: str) -> None:
    """Number the loaded lists in file order, lower-case the marks, check them whole, add them as labels."""
    con.execute(
        "create or replace table lists as select t.list, t.value, "
        "case when t.list = 'theme' then t.meaning else lower(t.meaning) end as meaning, "
        "row_number() over (order by t._line) as position from typed_lists t "
        "where not exists (select 1 from rejects_all r where r.extract = 'lists' and r.line = t._line) "
        "order by position"
    )
    _whole_file_checks(file, con.execute("select list, value, meaning from lists order by position").fetchall())
    add_trust_lists(con)


def staff_surveys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The surveys answered by Trust staff, from the loaded lists (response rates count them)."""
    sql = "select value from lists where list = 'survey' and meaning = ? order by position"
    return [row[0] for row in con.execute(sql, [contract.STAFF]).fetchall()]


def read_lists(folder: Path) -> TrustLists:
    """The Trust's lists from an extracts folder, for matching an export; a missing file stops."""
    path = find_extract(folder, "lists")
    raw = read_extract(path)
    positions = {name: i for i, name in enumerate(raw.header)}
    for column in ("list", "value"):
        if column not in positions:
            raise BuildError(f"{raw.file}: missing required column {column} in the header (line 1).")
    meaning_at = positions.get("meaning")
    rows: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for row in raw.rows:
        name = normalise_header(row[positions["list"]] or "")
        value = row[positions["value"]]
        if name not in contract.LIST_NAMES or not value or (name, value.casefold()) in seen:
            continue  # the build names these rows; here they only cannot match
        seen.add((name, value.casefold()))
        meaning = row[meaning_at] if meaning_at is not None else None
        rows.append((name, value, meaning if name == "theme" or meaning is None else meaning.lower()))
    _whole_file_checks(raw.file, rows)
    return TrustLists.from_rows(rows)
