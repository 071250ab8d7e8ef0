"""The one door to the database: bound parameters, read-only, locked, and safe across a rebuild."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd
import pytest

from dashboard.core import db
from dashboard.core.filters import Filters
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


class Spy:
    """A Database's connection that records every cursor asked of it (any SQL run goes through one)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection, self.cursors = connection, 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        self.cursors += 1
        return self.connection.cursor()

    def close(self) -> None:
        self.connection.close()


def test_a_name_that_is_not_a_query_file_is_refused_before_any_sql_runs(small_db, tmp_path):
    """The door's guard: only ``queries/<name>.sql`` for a name of letters, digits and underscores.
    Each name below is refused with KeyError and runs nothing, including names that reach a real
    .sql file elsewhere (a macro file, a file of our own outside queries/) or none at all."""
    outside = tmp_path / "outside.sql"
    outside.write_text("select 'ran' as actions", encoding="utf-8")
    traversal = os.path.relpath(outside.with_suffix(""), db.QUERIES)
    macro = next((db.QUERIES / "macros").glob("*.sql")).stem
    assert (db.QUERIES / f"{traversal}.sql").is_file() and (db.QUERIES / "macros" / f"{macro}.sql").is_file()
    database = db.Database(small_db)
    database.connection = Spy(database.connection)
    names = [traversal, f"macros/{macro}", "../pipeline/x", "actions_list; drop", "nonexistent", "actions_list.sql"]
    for name in names:
        with pytest.raises(KeyError):
            database.query(name)
        with pytest.raises(KeyError):
            db.query_text(name)
    assert database.connection.cursors == 0
    assert database.query(QUERY, **ALL).iloc[0]["actions"] == 2 and database.connection.cursors == 1
    database.close()


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
    """The release (dashboard.core.release) and the engagement cube are read once per file: a Database on
    the old file keeps the old figures, one on the rebuilt file gets the new, with no restart. Built
    with the demo key and a threshold of 1, so the small extracts' Trust group is released and its
    perturbed count can be worked out independently (tests/oracle.py)."""
    from dashboard.core import measures, release
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


# Database.memo under threads: single flight per (name, key). Every wait has a timeout, so a
# lost property fails the test (a broken barrier, a timed-out result) rather than hanging it.
TIMEOUT = 10  # seconds; generous: nothing here takes long unless it is stuck


def _eventually(condition: Callable[[], bool]) -> None:
    """Wait (up to ``TIMEOUT``) for ``condition``: here, that the other threads are waiting."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, "the threads never got there"
        time.sleep(0.001)


def _count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    """A real read in a build: the rows of ``table``, on a cursor of the build's own."""
    cursor = connection.cursor()
    try:
        return cursor.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        cursor.close()


def test_callers_wanting_the_same_value_at_once_build_it_once(small_db):
    database = db.Database(small_db)
    callers, calls, release = 8, [], threading.Event()

    def build(connection):
        calls.append(threading.get_ident())
        assert release.wait(TIMEOUT)
        return {"rows": _count(connection, "actions")}

    with ThreadPoolExecutor(callers) as pool:
        futures = [pool.submit(database.memo, "figures", build, key="x") for _ in range(callers)]
        _eventually(lambda: len(database._waiting) == callers - 1)  # one builds, the rest wait for it
        release.set()
        values = [future.result(TIMEOUT) for future in futures]
    assert len(calls) == 1
    assert values[0] == {"rows": 2} and all(value is values[0] for value in values)
    assert database.memo("figures", build, key="x") is values[0] and len(calls) == 1


def test_different_values_build_at_once(small_db):
    """Each build waits at a barrier only the other build can pass: both finish only when they run
    at the same time (under one lock for all, the first would time out while the second waited)."""
    database = db.Database(small_db)
    both = threading.Barrier(2, timeout=TIMEOUT)

    def build(connection):
        both.wait()
        return _count(connection, "conversations")

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(database.memo, "figures", build, key=key) for key in ("a", "b")]
        assert [future.result(TIMEOUT) for future in futures] == [2, 2]


def test_nested_builds_in_several_threads_do_not_deadlock(small_db):
    """Outer values each built in a thread of its own, all at once (a barrier), each asking for a
    shared inner value that asks for a deeper one, and for the others' outer values."""
    database = db.Database(small_db)
    outers = 4
    together = threading.Barrier(outers, timeout=TIMEOUT)
    calls: dict[str, int] = {}
    counting = threading.Lock()

    def counted(name: str, value: object) -> object:
        with counting:
            calls[name] = calls.get(name, 0) + 1
        return value

    def deep(_):
        return counted("deep", database.query(QUERY, **ALL).iloc[0]["actions"])

    def inner(_):
        return counted("inner", database.memo("deep", deep) * 10)

    def outer(i: int) -> Callable[[object], int]:
        def build(_):
            together.wait()
            return counted(f"outer {i}", database.memo("inner", inner) + i)

        return build

    def ask(i: int) -> list[int]:
        mine = database.memo("outer", outer(i), key=i, keep=outers)
        return [mine] + [database.memo("outer", outer(j), key=j, keep=outers) for j in range(outers)]

    with ThreadPoolExecutor(outers) as pool:
        answers = [future.result(TIMEOUT) for future in [pool.submit(ask, i) for i in range(outers)]]
    assert answers == [[20 + i] + [20 + j for j in range(outers)] for i in range(outers)]
    assert calls == {"deep": 1, "inner": 1} | {f"outer {i}": 1 for i in range(outers)}
    assert not database._flights and not database._waiting


def test_the_app_s_nested_memos_give_the_same_figures_in_threads_as_one_at_a_time(demo_db, monkeypatch):
    """The survey figures of several filter states (each built from the release memo) and the
    engagement headlines (from the cube memo), asked for by threads at once on a fresh Database:
    the same as asked one at a time, and the release and the cube each read once."""
    from dashboard.core import engagement_cube, measures, release

    loads = {"release": 0, "cube": 0}

    def counting(name, load):
        def run(connection):
            loads[name] += 1
            return load(connection)

        return run

    monkeypatch.setattr(release, "load", counting("release", release.load))
    monkeypatch.setattr(engagement_cube, "load", counting("cube", engagement_cube.load))
    states = [Filters()] + [Filters(care_groups=(group,)) for group in ("Adult mental health", "Corporate services")]
    states += [Filters(surveys=("Staff",))]

    def figures(database: db.Database, filters: Filters) -> tuple[pd.DataFrame, dict[str, float]]:
        return measures.survey_headline(database, filters), measures.engagement_headline(database, filters)

    alone = db.Database(demo_db)
    expected = [figures(alone, filters) for filters in states]
    assert loads == {"release": 1, "cube": 1}
    shared = db.Database(demo_db)
    with ThreadPoolExecutor(len(states) * 2) as pool:
        futures = [pool.submit(figures, shared, filters) for filters in states * 2]
        got = [future.result(TIMEOUT) for future in futures]
    for (headline, engagement), (want_headline, want_engagement) in zip(got, expected * 2):
        pd.testing.assert_frame_equal(headline, want_headline)
        assert engagement == want_engagement
    assert loads == {"release": 2, "cube": 2}  # once more each, for the second Database


def test_a_failed_build_reaches_its_waiters_and_the_next_call_builds_again(small_db):
    database = db.Database(small_db)
    callers, calls, release = 5, [], threading.Event()

    def failing(_):
        calls.append(1)
        assert release.wait(TIMEOUT)
        raise ValueError("the file could not be read")

    def ask() -> BaseException | None:
        try:
            database.memo("figures", failing)
        except ValueError as error:
            return error
        return None

    with ThreadPoolExecutor(callers) as pool:
        futures = [pool.submit(ask) for _ in range(callers)]
        _eventually(lambda: len(database._waiting) == callers - 1)
        release.set()
        errors = [future.result(TIMEOUT) for future in futures]
    assert len(calls) == 1
    assert errors[0] is not None and all(error is errors[0] for error in errors)
    assert not database._flights and not database._waiting
    assert database.memo("figures", lambda _: "built") == "built"  # a failure is not kept
    assert database.memo("figures", failing) == "built" and len(calls) == 1


def _apart(*calls: Callable[[], object]) -> list[object]:
    """Run each call in a daemon thread of its own, all at once: what each returned or raised, in
    order. One still running after ``TIMEOUT`` fails the test, its thread left behind (a daemon: it
    cannot keep the run from ending), where waiting for it would hang."""
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "still waiting: a memo waited for itself"
    return results


def test_a_build_asking_for_its_own_value_raises_instead_of_hanging(small_db):
    database = db.Database(small_db)
    directly = _apart(lambda: database.memo("a", lambda _: database.memo("a", lambda _: 1)))
    through = _apart(
        lambda: database.memo("a", lambda _: database.memo("b", lambda _: database.memo("a", lambda _: 1)))
    )
    for (error,) in (directly, through):
        assert isinstance(error, db.MemoCycle) and "'a'" in str(error)
    assert not database._flights and not database._waiting
    assert database.memo("a", lambda _: 1) == 1  # and nothing is left stuck


def test_a_cycle_through_two_threads_raises_in_both_instead_of_hanging(small_db):
    """a's build (one thread) asks for b while b's build (another thread) asks for a."""
    database = db.Database(small_db)
    both = threading.Barrier(2, timeout=TIMEOUT)

    def build(other: str) -> Callable[[object], str]:
        def run(_):
            both.wait()  # both builds under way before either asks for the other
            return database.memo(other, build(other))

        return run

    results = _apart(lambda: database.memo("a", build("b")), lambda: database.memo("b", build("a")))
    assert all(isinstance(result, db.MemoCycle) for result in results)
    assert not database._flights and not database._waiting


def test_the_most_recently_used_values_are_kept_under_threads(small_db):
    database = db.Database(small_db)
    keep, keys = 3, range(10)

    def ask(thread: int) -> list[tuple[int, int]]:
        return [(key, database.memo("square", lambda _, k=key: k * k, key=key, keep=keep)) for key in keys]

    with ThreadPoolExecutor(8) as pool:
        for answers in [future.result(TIMEOUT) for future in [pool.submit(ask, i) for i in range(8)]]:
            assert all(value == key * key for key, value in answers)
    kept = database._memos["square"]
    assert len(kept) == keep and not database._flights
    calls = []

    def build(key: int) -> Callable[[object], int]:
        return lambda _: calls.append(key) or -key

    for key in (20, 21, 22, 20, 23):  # 20 used again, so 21 is the least recently used
        database.memo("square", build(key), key=key, keep=keep)
    assert list(kept) == [22, 20, 23] and calls == [20, 21, 22, 23]
    database.memo("square", build(21), key=21, keep=keep)
    assert calls == [20, 21, 22, 23, 21]
