"""The one door to the database: bound parameters, read-only, locked, and safe across a rebuild."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dashboard import db
from dashboard.filters import Filters
from pipeline.build import build
from pipeline.keys import DEMO_KEY, KEY_SETTING
from tests.conftest import SMALL, write_csv

# actions_list_count: how many actions the care group, service area, date and search filters select.
ALL = {key: value for key, value in Filters().engagement_params().items() if key != "staff_groups"} | {"search": ""}
QUERY = "actions_list_count"


@pytest.fixture
def small_db(small_extracts, tmp_path):
    path = tmp_path / "live.duckdb"
    build(small_extracts, path)
    return path


def test_a_query_binds_parameters_and_returns_a_frame(small_db):
    database = db.Database(small_db)
    try:
        assert database.query(QUERY, **ALL).iloc[0]["actions"] == 2
        assert database.query(QUERY, **(ALL | {"service_areas": ["Ward A"]})).iloc[0]["actions"] == 1
        # A value that looks like SQL is just a value that matches nothing.
        assert database.query(QUERY, **(ALL | {"service_areas": ["Ward A' or 1=1 --"]})).iloc[0]["actions"] == 0
        assert database.query(QUERY, **(ALL | {"search": "' or 1=1 --"})).iloc[0]["actions"] == 0
        assert database.query(QUERY, **(ALL | {"date_to": dt.date(2021, 3, 31)})).iloc[0]["actions"] == 1
    finally:
        database.close()


@pytest.mark.parametrize("name", ["../app", "no_such_query", "actions_list_count; drop table x", ""])
def test_only_named_query_files_run(small_db, name):
    database = db.Database(small_db)
    with pytest.raises(KeyError):
        database.query(name)


def test_connection_is_read_only_without_file_access(small_db):
    database = db.Database(small_db)
    cursor = database.connection.cursor()
    with pytest.raises(duckdb.Error):
        cursor.execute("insert into engagement.main.service_areas values ('X', 'Corporate services')")
    with pytest.raises(duckdb.Error):
        cursor.execute("select * from read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        cursor.execute("set enable_external_access = true")
    with pytest.raises(duckdb.Error):
        cursor.execute(f"attach '{small_db}' as other")


def test_an_open_database_keeps_its_data_across_a_rebuild_and_a_new_one_sees_the_new(small_extracts, small_db):
    before = db.Database(small_db)
    assert before.query(QUERY, **ALL).iloc[0]["actions"] == 2
    write_csv(
        small_extracts / "actions.csv",
        SMALL["actions"]
        + [
            {
                "action_id": "A3",
                "conversation_id": "",
                "service_area": "Ward A",
                "theme": "Innovation",
                "title": "More",
                "quick_win": "No",
                "status": "Not started",
                "raised_on": "2021-05-01",
                "completed_on": "",
            }
        ],
    )
    build(small_extracts, small_db)  # swapped in under the same path
    assert db.file_identity(small_db) != before.identity
    # Cache-busting parameters make the old Database really query its (old) file.
    assert before.query(QUERY, **(ALL | {"date_to": dt.date(2099, 1, 1)})).iloc[0]["actions"] == 2
    after = db.Database(small_db)
    assert after.query(QUERY, **ALL).iloc[0]["actions"] == 3


def test_results_are_cached_per_file_and_safe_to_modify(small_db):
    database = db.Database(small_db)
    first = database.query(QUERY, **ALL)
    first.loc[0, "actions"] = -1
    again = database.query(QUERY, **ALL)
    assert again.loc[0, "actions"] == 2


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(db.DatabaseMissing):
        db.Database(tmp_path / "nope.duckdb")


def test_result_cache_is_bounded_by_memory(small_db, monkeypatch):
    database = db.Database(small_db)
    one = database.query(QUERY, **ALL)
    size = int(one.memory_usage(index=True, deep=True).sum())
    monkeypatch.setattr(db, "CACHE_BYTES", size * 3)
    monkeypatch.setattr(db, "CACHED_MAX_BYTES", size * 3)
    for day in range(1, 11):  # ten different results of about the same size
        database.query(QUERY, **(ALL | {"date_to": dt.date(2099, 1, day)}))
    assert 0 < database._cached_bytes <= size * 3
    assert 1 <= len(database._results) <= 3
    assert database._cached_bytes == sum(bytes_ for _, bytes_ in database._results.values())


def test_a_result_too_big_to_keep_is_still_returned(small_db, monkeypatch):
    monkeypatch.setattr(db, "CACHED_MAX_BYTES", 0)
    database = db.Database(small_db)
    assert database.query(QUERY, **ALL).iloc[0]["actions"] == 2
    assert not database._results and database._cached_bytes == 0


def test_the_in_memory_figures_follow_each_file_across_a_rebuild(small_extracts, tmp_path, monkeypatch):
    """The release (dashboard.release) and the engagement cube are read once per file: a Database on
    the old file keeps the old figures, one on the rebuilt file gets the new, with no restart. Built
    with the demo key and a threshold of 1, so the small extracts' Trust group is released and its
    perturbed count can be worked out independently (tests/oracle.py)."""
    from dashboard import measures, release
    from tests import oracle

    monkeypatch.setenv(KEY_SETTING, DEMO_KEY)
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    path = tmp_path / "live.duckdb"
    trust = release.Part()

    def figures(database: db.Database) -> tuple[float, float]:
        responses = release.responses(release.of(database), "2021", trust)
        return measures.engagement_headline(database, Filters())["conversation_hours"], responses

    def expected() -> int:
        return oracle.released_count(oracle.read_responses(small_extracts)["response_id"])

    build(small_extracts, path)
    before = db.Database(path)
    assert figures(before) == (3.5, expected())
    write_csv(
        small_extracts / "conversations.csv",
        SMALL["conversations"]
        + [{"conversation_id": "C3", "held_on": "2021-05-01", "service_area": "Ward A", "hours": "4", "format": ""}],
    )
    write_csv(
        small_extracts / "survey_responses.csv",
        SMALL["survey_responses"] + [dict(SMALL["survey_responses"][0], response_id="R-new")],
    )
    build(small_extracts, path)
    after = db.Database(path)
    assert figures(after) == (7.5, expected())  # three responses now, perturbed as a new cell
    assert figures(before)[1] == oracle.released_count(["R1", "R2"])
    assert figures(before)[0] == 3.5
