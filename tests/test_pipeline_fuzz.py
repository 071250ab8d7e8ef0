"""Hostile and broken extracts: the build never ends in a traceback, nothing is lost,
and a build killed halfway leaves the database in service intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import SERVED_TABLES, SURVEY_EXTRACTS, build
from pipeline.ingest import BuildError
from tests.conftest import ROOT, SMALL, write_csv

pytestmark = pytest.mark.slow

COLUMNS = list(SMALL["survey_responses"][0])
NASTY = [
    '=HYPERLINK("http://example.invalid","click")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "'; drop table actions; --",
    '"quoted, with comma"',
    "Staff",
    "staff ",
    " STAFF",
    "Good",
    "very GOOD",
    "Don't know",
    "2021-03-15",
    "15/03/2021",
    "03/15/2021",
    "2021-13-01",
    "Adult mental health",
    "Ward A",
    "District nursing",
    "Nursing",
    "Agree",
    "x" * 5000,
    "é ü – “”",
    "\u202e",
    "0",
    "1",
    "",
    " ",
    "NULL",
    "None",
    "R1",
]
cell = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
row = st.fixed_dictionaries({c: cell for c in COLUMNS})


def _counts_add_up(database: Path) -> None:
    """build_info's counts add up; the engagement tables hold the rows loaded, and the survey files,
    loaded only in the build's staging file, have no table in the served file."""
    with duckdb.connect(str(database), read_only=True) as con:
        served = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert served == set(SERVED_TABLES)
        for file, read, loaded, rejected in con.execute(
            "select file, rows_read, rows_loaded, rows_rejected from build_info"
        ).fetchall():
            assert read == loaded + rejected, file
            assert con.execute("select count(distinct line) from rejects where file = ?", [file]).fetchone()[0] == (
                rejected
            )
            table = file.rsplit(".", 1)[0]
            if table in SURVEY_EXTRACTS:
                assert table not in served
                # A survey row's values are someone's answers: never served, even when rejected.
                assert (
                    con.execute("select count(*) from rejects where file = ? and value is not null", [file]).fetchone()[
                        0
                    ]
                    == 0
                )
            else:
                assert con.execute(f'select count(*) from "{table}"').fetchone()[0] == loaded


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(row, min_size=0, max_size=25),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_random_survey_rows_never_crash_and_counts_add_up(small_extracts, tmp_path_factory, rows, encoding, cut):
    folder = small_extracts
    path = folder / "survey_responses.csv"
    try:
        write_csv(path, SMALL["survey_responses"] + rows, header=COLUMNS, encoding=encoding)
    except UnicodeEncodeError:
        write_csv(path, SMALL["survey_responses"] + rows, header=COLUMNS, encoding="utf-8")
    if cut is not None:  # a truncated file
        path.write_bytes(path.read_bytes()[:cut])
    database = tmp_path_factory.mktemp("fuzz") / "out.duckdb"
    try:
        build(folder, database)
    except BuildError as error:
        assert "survey_responses.csv" in str(error)
        assert not database.exists()
        return
    _counts_add_up(database)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(small_extracts, tmp_path_factory, data):
    (small_extracts / "actions.csv").write_bytes(data)
    database = tmp_path_factory.mktemp("bytes") / "out.duckdb"
    try:
        build(small_extracts, database)
    except BuildError as error:
        assert "actions.csv" in str(error) or "actions" in str(error)
        return
    _counts_add_up(database)


def test_huge_field_is_rejected_cleanly(small_extracts, tmp_path):
    rows = SMALL["survey_responses"] + [dict(SMALL["survey_responses"][0], response_id="R9", comment="y" * 2_000_000)]
    write_csv(small_extracts / "survey_responses.csv", rows)
    with pytest.raises(BuildError, match=r"survey_responses\.csv: line \d+"):
        build(small_extracts, tmp_path / "out.duckdb")


def test_formulas_in_extracts_are_stored_as_text(small_extracts, tmp_path, monkeypatch):
    # Thresholds of 1, so the Trust lists its comments and the released comment can be read back.
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    monkeypatch.setenv("DASHBOARD_MIN_COMMENTS", "1")
    formula = '=HYPERLINK("http://example.invalid","click")'
    rows = SMALL["survey_responses"] + [dict(SMALL["survey_responses"][0], response_id="R9", comment=formula)]
    write_csv(small_extracts / "survey_responses.csv", rows)
    database = tmp_path / "out.duckdb"
    build(small_extracts, database)
    with duckdb.connect(str(database), read_only=True) as con:
        released = [comment for (comment,) in con.execute("select comment from release_comments").fetchall()]
    assert formula in released
    assert sorted(released) == sorted([formula, SMALL["survey_responses"][0]["comment"]])


def _big_extracts(folder: Path, responses: int) -> None:
    header = ",".join(COLUMNS) + "\n"
    line = "R{},Staff,2021-03-15,Adult mental health,Ward A,Nursing,Good,Yes,Agree,Slow log-in on Mondays\n"
    with open(folder / "survey_responses.csv", "w", encoding="utf-8") as handle:
        handle.write(header)
        handle.writelines(line.format(i) for i in range(responses))


def _written(folder: Path) -> int:
    """Bytes written so far to the half-built database beside ``live.duckdb`` (file and log)."""
    total = 0
    for path in folder.glob(".live.duckdb.building-*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:  # renamed or removed meanwhile
            pass
    return total


def test_a_build_killed_halfway_leaves_the_database_in_service_and_the_next_build_works(small_extracts, tmp_path):
    live = tmp_path / "live.duckdb"
    build(small_extracts, live)
    with duckdb.connect(str(live), read_only=True) as con:
        before = con.execute("select * from build_info order by file").df()
    _big_extracts(small_extracts, 400_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--extracts", str(small_extracts), "--db", str(live)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed halfway by what it has done, not after a guessed time: once the half-built file beside the
    # live one holds data (its write-ahead log has passed 1 MB), with the survey still loading.
    deadline = time.monotonic() + 60
    while _written(tmp_path) < 2**20:
        assert process.poll() is None, "the build finished before it could be killed"
        assert time.monotonic() < deadline, "the build wrote nothing in 60 s"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with duckdb.connect(str(live), read_only=True) as con:  # still the old, whole database
        pd.testing.assert_frame_equal(con.execute("select * from build_info order by file").df(), before)
        assert {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()} == set(
            SERVED_TABLES
        )
    report = build(small_extracts, live)
    assert {f.file: f.rows_loaded for f in report.files}["survey_responses.csv"] == 400_000
    with duckdb.connect(str(live), read_only=True) as con:  # the new database reports the rows it loaded
        loaded = con.execute("select rows_loaded from build_info where file = 'survey_responses.csv'").fetchone()[0]
    assert loaded == 400_000
    assert not list(tmp_path.glob(".live.duckdb.building-*"))
    assert not list(tmp_path.glob(".live.duckdb.serving-*"))
