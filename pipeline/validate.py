"""Validate: turn the declared rules into SQL checks over a staged extract.

Takes a DuckDB connection holding ``stg_<extract>`` (every column as text, plus
``_line`` and ``_ragged``) and the already-loaded tables it refers to; gives
``typed_<extract>`` (parsed values), appends every broken rule to ``rejects``
and inserts the rows that broke none into the extract's table.

The SQL text is built only from names and reasons declared in
``pipeline.rules`` (constants); data values are never put into SQL text.
"""

from __future__ import annotations

import duckdb

from pipeline import contract
from pipeline.rules import EXTRACTS, Column, Extract

# Each fixed label column's list, from the rules (``rules._label``): one list per column name.
# The other label columns (``rules._listed``) take the Trust's own lists, added once loaded.
LABEL_LISTS: dict[str, tuple[str, ...]] = {
    column.name: column.labels
    for extract in EXTRACTS.values()
    for column in extract.columns
    if column.kind == "label" and column.labels
}

SQL_TYPES = {
    "text": "varchar",
    "code": "varchar",
    "date": "date",
    "number": "double",
    "yesno": "boolean",
    "label": "varchar",
}

YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")
MAX_VALUE_CHARS = 200  # a reject keeps this much of the offending value


def q(text: str) -> str:
    """A SQL string literal for a constant declared in this package."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(q(v) for v in values) + ")"


def create_label_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create or replace temp table labels (list varchar, key varchar, canonical varchar)")
    rows = [(column, label.lower(), label) for column, labels in LABEL_LISTS.items() for label in labels]
    con.executemany("insert into labels values (?, ?, ?)", rows)


def add_trust_lists(con: duckdb.DuckDBPyConnection) -> None:
    """The loaded ``lists`` as labels: each list is the allowed values of the columns of its name."""
    con.execute("insert into labels select list, lower(value), value from lists")


def typed_expression(column: Column) -> tuple[str, str]:
    """The SQL giving the parsed value of ``column`` from ``raw``, and any join it needs."""
    raw = f"raw.{ident(column.name)}"
    alias = ident(f"j_{column.name}")
    if column.kind == "date":
        tries = ", ".join(f"try_strptime({raw}, '{date_format}')" for date_format in contract.DATE_FORMATS)
        return f"coalesce({tries})::date", ""
    if column.kind == "number":
        return f"try_cast({raw} as double)", ""
    if column.kind == "yesno":
        return (
            f"case when lower({raw}) in {_in_list(YES)} then true when lower({raw}) in {_in_list(NO)} then false end",
            "",
        )
    if column.kind == "label":
        join = f"left join labels {alias} on {alias}.list = {q(column.name)} and {alias}.key = lower({raw})"
        return f"{alias}.canonical", join
    if column.kind == "text" and column.references:
        # Names are matched ignoring case and stored as the referenced file spells them.
        table, key = column.references
        names = f"(select lower({ident(key)}) as key, min({ident(key)}) as canonical from {ident(table)} group by 1)"
        return f"{alias}.canonical", f"left join {names} {alias} on {alias}.key = lower({raw})"
    return raw, ""


def parse_reason(column: Column) -> str:
    if column.kind == "date":
        return "is not a date (use 2021-03-15 or 15/03/2021)"
    if column.kind == "number":
        return "is not a number"
    if column.kind == "yesno":
        return "is not yes or no (use Yes/No, Y/N, True/False or 1/0)"
    if column.kind == "label":
        return f"is not {column.labels_name}"
    if column.references:
        return f"is not in {column.references[0]}"
    return "cannot be read"


def _check(extract: Extract, column_sql: str, value_sql: str, reason: str, where: str, reason_sql: str = "") -> str:
    return (
        f'select {q(extract.name)} as extract, _line as line, {column_sql} as "column", '
        f"left({value_sql}, {MAX_VALUE_CHARS}) as value, {reason_sql or q(reason)} as reason "
        f"from typed_{extract.name} typed join stg_{extract.name} raw using (_line) where {where}"
    )


def checks(extract: Extract) -> list[str]:
    """One SELECT per rule, each giving the rows that break it."""
    out = [_check(extract, "null", "null", "", "raw._ragged is not null", reason_sql="raw._ragged")]
    for column in extract.columns:
        raw, typed, name = f"raw.{ident(column.name)}", f"typed.{ident(column.name)}", q(column.name)
        if column.required:
            out.append(_check(extract, name, raw, "is required", f"{raw} is null"))
        if column.kind != "code" and not (column.kind == "text" and not column.references):
            out.append(_check(extract, name, raw, parse_reason(column), f"{raw} is not null and {typed} is null"))
        if column.minimum_exclusive is not None or column.maximum is not None:
            low, high = column.minimum_exclusive, column.maximum
            out.append(
                _check(
                    extract,
                    name,
                    raw,
                    f"must be more than {low:g} and at most {high:g}",
                    f"{typed} <= {low} or {typed} > {high}",
                )
            )
        if column.kind == "code" and column.references:
            table, key = column.references
            out.append(
                _check(
                    extract,
                    name,
                    raw,
                    f"is not in {table}",
                    f"{typed} is not null and not exists (select 1 from {ident(table)} t where t.{ident(key)} = {typed})",
                )
            )
        if column.unique:
            key = f"lower({typed})" if column.kind == "text" else typed
            out.append(_duplicate_check(extract, (column.name,), key))
    if extract.unique_together:
        key = ", ".join(f"typed.{ident(c)}" for c in extract.unique_together)
        out.append(_duplicate_check(extract, extract.unique_together, key))
    for rule in extract.row_rules:
        out.append(
            _check(
                extract,
                q(rule.column),
                f"raw.{ident(rule.column)}",
                rule.reason,
                f"coalesce({rule.broken_when}, false)",
            )
        )
    return out


def _duplicate_check(extract: Extract, columns: tuple[str, ...], key_sql: str) -> str:
    value = " || ' / ' || ".join(f"raw.{ident(c)}" for c in columns)
    not_null = " and ".join(f"typed.{ident(c)} is not null" for c in columns)
    inner = (
        f"select typed._line, {value} as value, row_number() over (partition by {key_sql} order by typed._line) as seen "
        f"from typed_{extract.name} typed join stg_{extract.name} raw using (_line) where {not_null}"
    )
    return (
        f'select {q(extract.name)} as extract, _line as line, {q(", ".join(columns))} as "column", '
        f"left(value, {MAX_VALUE_CHARS}) as value, "
        f"{q('repeats an earlier row (the first one is kept)')} as reason from ({inner}) where seen > 1"
    )


def validate_and_load(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    parsed = [typed_expression(c) for c in extract.columns]
    typed_columns = ", ".join(f"{expression} as {ident(c.name)}" for c, (expression, _) in zip(extract.columns, parsed))
    joins = " ".join(join for _, join in parsed if join)
    con.execute(
        f"create or replace temp table typed_{extract.name} as select raw._line, {typed_columns} "
        f"from stg_{extract.name} raw {joins} order by raw._line"
    )
    con.execute(f"insert into rejects_all {' union all '.join(checks(extract))}")
    create_table(con, extract)
    names = ", ".join(ident(c.name) for c in extract.columns)
    con.execute(
        f"insert into {ident(extract.name)} select {names} from typed_{extract.name} typed "
        f"where not exists (select 1 from rejects_all r where r.extract = {q(extract.name)} and r.line = typed._line) "
        f"order by typed._line"
    )


def create_table(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """The extract's table, empty, in the contract's columns and types."""
    definitions = ", ".join(f"{ident(c.name)} {SQL_TYPES[c.kind]}" for c in extract.columns)
    con.execute(f"create table {ident(extract.name)} ({definitions})")


def all_extracts() -> list[Extract]:
    return [EXTRACTS[name] for name in contract.EXTRACTS]
