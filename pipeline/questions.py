"""Waves and the question bank: the build's steps between loading extracts.

Takes the loaded ``waves``, ``questions``, ``survey_responses`` and
``survey_answers`` tables (or their absence: the defaults below); gives

- ``waves`` always: without a waves file, one wave holding every response, named by
  its months, identified by the year of its first response and dated by whole months;
- ``questions`` always: without a questions file, the seed questions
  (``contract.SEED_QUESTIONS``), asked in every wave;
- ``answer_scale`` (question, answer, position, counted, positive): the one
  definition of every measure, read by the cells and the dashboard;
- ``question_waves`` (question, wave): which wave asks which question;
- ``survey_responses`` with every response's wave (given, or the wave whose dates
  hold it) and without the legacy answer columns;
- ``survey_answers`` with every answer in its scale's spelling, the legacy answer
  columns of ``survey_responses`` (the five-extract layout) added as answers.

A legacy answer column whose question the bank does not ask in that response's wave,
or whose answers are not on its scale, stops the build naming the column.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from pipeline import contract
from pipeline.ingest import BuildError
from pipeline.rules import EXTRACTS
from pipeline.validate import create_table

PLACEHOLDER_WAVE = "(every response)"  # the default wave's id until its responses are known
SEPARATOR = contract.LIST_SEPARATOR


def _one(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> tuple | None:
    """The first row of a query, or None (read to the end: DuckDB keeps an unfinished result open)."""
    rows = con.execute(sql, parameters or []).fetchall()
    return rows[0] if rows else None


def items(text: str | None) -> tuple[str, ...]:
    """The ';'-separated items of a questions.csv cell, trimmed, blanks left out."""
    return tuple(item.strip() for item in (text or "").split(SEPARATOR) if item.strip())


def default_waves(con: duckdb.DuckDBPyConnection) -> None:
    """One wave open on every day: its id, name and dates are set from the responses."""
    create_table(con, EXTRACTS["waves"])
    con.execute(
        "insert into waves values (?, 'Every response', date '0001-01-01', date '9999-12-31')", [PLACEHOLDER_WAVE]
    )


def default_questions(con: duckdb.DuckDBPyConnection) -> None:
    create_table(con, EXTRACTS["questions"])
    rows = [
        [
            q["question_id"],
            SEPARATOR.join(q["waves"]),
            q["text"],
            q["label"],
            q["theme"],
            SEPARATOR.join(q["scale"]),
            SEPARATOR.join(q["positive"]),
            SEPARATOR.join(q["excluded"]) or None,
            SEPARATOR.join(q["neutral"]) or None,
            q["higher_is_better"],
            q["summary"],
        ]
        for q in contract.SEED_QUESTIONS
    ]
    con.executemany("insert into questions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def after_questions(con: duckdb.DuckDBPyConnection) -> None:
    """``answer_scale`` and ``question_waves`` from the bank, and each question's ``position``
    (the file's order: loaded rows keep it)."""
    con.execute("create or replace table questions as select *, row_number() over () as position from questions")
    con.execute(
        "create table answer_scale (measure varchar, answer varchar, position integer, "
        "counted boolean, positive boolean)"
    )
    con.execute("create table question_waves (question_id varchar, wave_id varchar)")
    scale_rows, wave_rows = [], []
    wave_ids = [row[0] for row in con.execute("select wave_id from waves order by opened, wave_id").fetchall()]
    bank = con.execute("select question_id, waves, scale, positive, excluded from questions").fetchall()
    for question, waves, scale, positive, excluded in bank:
        positive_keys = {answer.lower() for answer in items(positive)}
        excluded_keys = {answer.lower() for answer in items(excluded)}
        for position, answer in enumerate(items(scale), start=1):
            key = answer.lower()
            scale_rows.append((question, answer, position, key not in excluded_keys, key in positive_keys))
        wave_rows.extend((question, wave) for wave in (items(waves) or wave_ids))
    if scale_rows:
        con.executemany("insert into answer_scale values (?, ?, ?, ?, ?)", scale_rows)
    if wave_rows:
        con.executemany("insert into question_waves values (?, ?)", wave_rows)


def after_responses(con: duckdb.DuckDBPyConnection, default_wave: bool) -> None:
    """Every response gets its wave; the default wave takes its responses' dates and year."""
    con.execute(
        "update survey_responses set wave = (select w.wave_id from waves w "
        "where survey_responses.submitted_on between w.opened and w.closed) where wave is null"
    )
    if not default_wave:
        return
    first, last = _one(con, "select min(submitted_on), max(submitted_on) from survey_responses")
    if first is None:
        con.execute("delete from question_waves")
        con.execute("delete from waves")
        return
    wave = str(first.year)
    name = (
        f"{first:%B %Y}" if (first.year, first.month) == (last.year, last.month) else f"{first:%B %Y} to {last:%B %Y}"
    )
    # Whole months: the wave's dates are shown, and need not tell the day of the first or last response.
    opened = first.replace(day=1)
    closed = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    con.execute("update waves set wave_id = ?, name = ?, opened = ?, closed = ?", [wave, name, opened, closed])
    con.execute("update survey_responses set wave = ?", [wave])
    con.execute("update question_waves set wave_id = ? where wave_id = ?", [wave, PLACEHOLDER_WAVE])


def after_answers(con: duckdb.DuckDBPyConnection, responses_file: str) -> None:
    """Answers in the scale's spelling; the legacy answer columns added as answers, then dropped."""
    con.execute(
        "update survey_answers set answer = s.answer from answer_scale s "
        "where s.measure = survey_answers.question_id and lower(s.answer) = lower(survey_answers.answer) "
        "and s.answer <> survey_answers.answer"
    )  # only the rows spelt otherwise
    legacy = False
    for column in contract.LEGACY_ANSWER_COLUMNS:
        given = _one(con, f'select count(*) from survey_responses where "{column}" is not null')[0]
        if given:
            _check_legacy(con, responses_file, column)
            con.execute(f"""insert into survey_answers
                select response_id, '{column}', "{column}" from survey_responses where "{column}" is not null""")
            legacy = True
        con.execute(f'alter table survey_responses drop column "{column}"')
    # survey_answers' own rows are unique (a repeat is rejected): only legacy answers can repeat one.
    twice = legacy and _one(
        con, "select response_id, question_id from survey_answers group by all having count(*) > 1 limit 1"
    )
    if twice:
        raise BuildError(
            f"{responses_file}: response {twice[0]} answers {twice[1]} both in column {twice[1]} "
            "and in survey_answers; keep one."
        )


def _check_legacy(con: duckdb.DuckDBPyConnection, responses_file: str, column: str) -> None:
    """A legacy column is read only when the bank asks its question, in every wave it is
    answered in, on a scale holding its answers."""
    unasked = _most_without(
        con, column, "r.wave", "select 1 from question_waves qw where qw.question_id = ? and qw.wave_id = r.wave"
    )
    if unasked:
        raise BuildError(
            f"{responses_file}: column {column} has {unasked[1]:,} answers in wave {unasked[0]}, but the questions "
            f"file does not ask question {column} in that wave; add it to questions or remove the column."
        )
    off_scale = _most_without(
        con, column, f'r."{column}"', f'select 1 from answer_scale s where s.measure = ? and s.answer = r."{column}"'
    )
    if off_scale:
        raise BuildError(
            f"{responses_file}: column {column} holds the answer {off_scale[0]!r} ({off_scale[1]:,} rows), which is "
            f"not on the scale of question {column} in the questions file; make the scale include it."
        )


def _most_without(con: duckdb.DuckDBPyConnection, column: str, value: str, match: str) -> tuple | None:
    """Among the responses answering legacy ``column``, those for which ``match`` (a subquery; ``?`` is the
    column's question id) finds no row: the ``value`` most of them share and how many, or None."""
    return _one(
        con,
        f"""select {value}, count(*) from survey_responses r where r."{column}" is not null
            and not exists ({match}) group by all order by 2 desc limit 1""",
        [column],
    )
