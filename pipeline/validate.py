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
    con.execute("create or replace table labels (list varchar, key varchar, canonical varchar)")
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


def rows_source(extract: Extract, parsed_apart: bool = True) -> str:
    """Each staged row beside its parsed values, as ``raw`` and ``typed``. The two tables hold the
    same rows in the same order (line order), so they are read side by side (a positional join:
    two scans in step, no hash table over the file's rows). When no column needs parsing
    (``parsed_apart`` false), the staged table is its own parsed values."""
    typed = f"typed_{extract.name}" if parsed_apart else f"stg_{extract.name}"
    return f"{typed} typed positional join stg_{extract.name} raw"


def _check(
    extract: Extract, rows: str, column_sql: str, value_sql: str, reason: str, where: str, reason_sql: str = ""
) -> str:
    return (
        f'select {q(extract.name)} as extract, typed._line as line, {column_sql} as "column", '
        f"left({value_sql}, {MAX_VALUE_CHARS}) as value, {reason_sql or q(reason)} as reason "
        f"from {rows} where {where}"
    )


def checks(extract: Extract, rows: str | None = None) -> list[str]:
    """One SELECT per rule, each giving the rows that break it (``rows``: ``rows_source``)."""
    rows = rows or rows_source(extract)
    out = [_check(extract, rows, "null", "null", "", "raw._ragged is not null", reason_sql="raw._ragged")]
    for column in extract.columns:
        raw, typed, name = f"raw.{ident(column.name)}", f"typed.{ident(column.name)}", q(column.name)

        def check(reason: str, broken: str) -> str:
            return _check(extract, rows, name, raw, reason, broken)  # noqa: B023 (called at once, in this pass)

        if column.required:
            out.append(check("is required", f"{raw} is null"))
        if column.kind != "code" and not (column.kind == "text" and not column.references):
            out.append(check(parse_reason(column), f"{raw} is not null and {typed} is null"))
        if column.minimum_exclusive is not None or column.maximum is not None:
            low, high = column.minimum_exclusive, column.maximum
            out.append(
                check(f"must be more than {low:g} and at most {high:g}", f"{typed} <= {low} or {typed} > {high}")
            )
        if column.kind == "code" and column.references:
            table, key = column.references
            exists = f"exists (select 1 from {ident(table)} t where t.{ident(key)} = {typed})"
            out.append(check(f"is not in {table}", f"{typed} is not null and not {exists}"))
        if column.unique:
            key = f"lower({typed})" if column.kind == "text" else typed
            out.append(_duplicate_check(extract, rows, (column.name,), (key,)))
    if extract.unique_together:
        keys = tuple(f"typed.{ident(c)}" for c in extract.unique_together)
        out.append(_duplicate_check(extract, rows, extract.unique_together, keys))
    for rule in extract.row_rules:
        out.append(
            _check(
                extract,
                rows,
                q(rule.column),
                f"raw.{ident(rule.column)}",
                rule.reason,
                f"coalesce({rule.broken_when}, false)",
            )
        )
    return out


def _duplicate_check(extract: Extract, rows: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> str:
    """Every row whose key (``keys``: SQL over ``typed``) an earlier row has. Grouping by the key's
    64-bit hash first (a small hash aggregate, which spills to disk) finds the few rows whose key may
    repeat; only those are grouped by the key itself, for the repeated keys and their first line; then
    the later rows of those keys (usually none) are picked out."""
    value = " || ' / ' || ".join(f"raw.{ident(c)}" for c in columns)
    not_null = " and ".join(f"typed.{ident(c)} is not null" for c in columns)
    hashed = f"hash({', '.join(keys)})"
    named = ", ".join(f"{key} as k{i}" for i, key in enumerate(keys))
    same = " and ".join(f"repeated.k{i} = {key}" for i, key in enumerate(keys))
    table = f"typed_{extract.name}"
    maybe = f"select {hashed} from {table} typed where {not_null} group by 1 having count(*) > 1"
    repeated = (
        f"select {named}, min(typed._line) as first from {table} typed where {not_null} and {hashed} in ({maybe}) "
        f"group by all having count(*) > 1"
    )
    return (
        f'select {q(extract.name)} as extract, typed._line as line, {q(", ".join(columns))} as "column", '
        f"left({value}, {MAX_VALUE_CHARS}) as value, {q('repeats an earlier row (the first one is kept)')} as reason "
        f"from {rows} join ({repeated}) repeated on {same} and typed._line > repeated.first"
    )


def validate_and_load(con: duckdb.DuckDBPyConnection, extract: Extract) -> None:
    """``typed_<extract>`` in line order (as ``stg_<extract>``), the broken rules into ``rejects_all``,
    the rows that broke none into the extract's table, in line order."""
    parsed = [typed_expression(c) for c in extract.columns]
    typed_columns = ", ".join(f"{expression} as {ident(c.name)}" for c, (expression, _) in zip(extract.columns, parsed))
    joins = " ".join(join for _, join in parsed if join)
    parsed_apart = any(expression != f"raw.{ident(c.name)}" for c, (expression, _) in zip(extract.columns, parsed))
    if not parsed_apart:  # nothing to parse (codes and free text): a view, not a copy of the file
        con.execute(
            f"create or replace temp view typed_{extract.name} as select raw._line, {typed_columns} "
            f"from stg_{extract.name} raw"
        )
    else:  # a scan keeps the staged (line) order; a join may not, so only then is it sorted back
        con.execute(
            f"create or replace table typed_{extract.name} as select raw._line, {typed_columns} "
            f"from stg_{extract.name} raw {joins}{' order by raw._line' if joins else ''}"
        )
    for check in checks(extract, rows_source(extract, parsed_apart)):  # one at a time: one rule's memory at once
        con.execute(f"insert into rejects_all {check}")
    create_table(con, extract)
    names = ", ".join(ident(c.name) for c in extract.columns)
    ((rejected,),) = con.execute("select count(*) from rejects_all where extract = ?", [extract.name]).fetchall()
    if not rejected:  # the common case: every row, in the order they are (line order)
        con.execute(f"insert into {ident(extract.name)} select {names} from typed_{extract.name}")
        return
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
