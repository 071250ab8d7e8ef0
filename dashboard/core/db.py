"""The one door to the database: ``Database.query(name, **params)`` and ``Database.memo``.

Every read loads ``queries/<name>.sql``, binds named parameters (``$name``),
runs it on its own cursor, times it, and returns a DataFrame. No SQL text is
ever built from a value.

The database file is opened read-only inside a private in-memory DuckDB: the
file is ATTACHed, each of its tables gets a view of the same name, and the
shared table macros in ``queries/macros/`` are created. Then external access
is switched off and the configuration locked, so no query can read other
files. A rebuild replaces the file (a new inode) under the same path; because
every open is a fresh ATTACH rather than ``duckdb.connect(path)`` (whose
instance cache would keep serving the old file), a new ``Database`` sees the
new data while one already open keeps reading the old file until released.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline import contract

T = TypeVar("T")
QUERIES = Path(__file__).resolve().parents[2] / "queries"
MEMORY_LIMIT = "256MB"  # DuckDB's buffer pool per open database file
CACHE_BYTES = 64 * 2**20  # results kept per open database file, least recently used dropped first
CACHED_MAX_BYTES = CACHE_BYTES // 8  # a larger result is returned but not kept
log = logging.getLogger(__name__)


class DatabaseMissing(Exception):
    """The database file does not exist yet."""


class DatabaseOutdated(Exception):
    """The database file was built by an older version: it lacks tables this version reads."""


# Every table of the served database (a file built by an earlier version lacks some: rebuild it).
REQUIRED_TABLES = frozenset(contract.SERVED_TABLES)


@cache
def query_text(name: str) -> str:
    """The SQL of ``queries/<name>.sql``; the name must be one of those files."""
    path = QUERIES / f"{name}.sql"
    if not name.replace("_", "").isalnum() or not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERIES}")
    return path.read_text(encoding="utf-8")


def macro_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((QUERIES / "macros").glob("*.sql"))]


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever the file is replaced: (inode, size, mtime_ns)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class Recent(OrderedDict):
    """The most recently used values by key, each made once: the bounded store behind
    ``Database.memo`` and the engagement cube's filter states. The caller holds a lock around
    ``get_or_make`` and ``add`` when threads share it."""

    def get_or_make(self, key: Hashable, make: Callable[[], T], keep: int) -> T:
        """The value of ``key``, made by ``make`` the first time; the ``keep`` most recently used stay."""
        if key in self:
            self.move_to_end(key)
            return self[key]
        return self.add(key, make(), keep)

    def add(self, key: Hashable, value: T, keep: int) -> T:
        """Keep ``value`` as the most recently used, dropping the least recently used beyond ``keep``."""
        self[key] = value
        self.move_to_end(key)
        while len(self) > keep:
            self.popitem(last=False)
        return value


class MemoCycle(RuntimeError):
    """A memo's build asked, directly or through other builds, for the value it is building."""


class _Flight:
    """One memo value being built: by the thread ``builder``; the others wanting it wait for ``done``."""

    __slots__ = ("builder", "done", "built", "value", "error")

    def __init__(self) -> None:
        self.builder = threading.get_ident()
        self.done = threading.Event()
        self.built = False
        self.value: object = None
        self.error: Exception | None = None


@dataclass
class Database:
    path: Path
    identity: tuple[int, int, int] | None = None
    connection: duckdb.DuckDBPyConnection = field(init=False, repr=False)
    _results: OrderedDict = field(init=False, repr=False, default_factory=OrderedDict)  # key -> (frame, bytes)
    _cached_bytes: int = field(init=False, repr=False, default=0)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _memos: dict[str, Recent] = field(init=False, repr=False, default_factory=dict)  # name -> key -> value
    _flights: dict[tuple[str, Hashable], _Flight] = field(init=False, repr=False, default_factory=dict)  # in the making
    _waiting: dict[int, _Flight] = field(init=False, repr=False, default_factory=dict)  # thread -> what it waits for
    # Held only to look up and record, never while a value is built.
    _memo_lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if not self.path.is_file():
            raise DatabaseMissing(str(self.path))
        self.identity = file_identity(self.path)
        con = duckdb.connect(":memory:")
        # ATTACH takes no parameters; the path is our own setting, quoted as a literal.
        con.execute(f"attach '{str(self.path).replace(chr(39), chr(39) * 2)}' as engagement (read_only)")
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'engagement' order by 1"
        ).fetchall()
        if not REQUIRED_TABLES <= {t for (t,) in tables}:
            con.close()
            raise DatabaseOutdated(str(self.path))
        for (table,) in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            con.execute(f"create view {quoted} as select * from engagement.main.{quoted}")
        for macro in macro_texts():
            con.execute(macro)
        # DuckDB keeps what it has read in its buffer pool up to its limit (by default 80% of
        # the machine): the file's pages and the cubes' reads stayed resident. Bounded here.
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
        con.execute("set allocator_flush_threshold = '16MB'")  # hand freed memory back, not keep 128 MB
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        self.connection = con

    def query(self, name: str, **params: object) -> pd.DataFrame:
        """Run ``queries/<name>.sql`` with bound ``params``; results are cached per file.

        The file never changes under an open Database (a rebuild swaps in a new
        file, opened as a new Database), so a result keyed by query and
        parameters stays right for as long as this object lives. The cache is
        bounded by the results' memory (``CACHE_BYTES``), not their number.
        pandas' copy-on-write makes the returned copy cheap and safe to modify.
        """
        key = (name, _freeze(params))
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key][0].copy()
        frame = self._run(name, params)
        size = int(frame.memory_usage(index=True, deep=True).sum())
        if size > CACHED_MAX_BYTES:
            return frame
        with self._lock:
            if key not in self._results:
                self._results[key] = (frame, size)
                self._cached_bytes += size
            while self._cached_bytes > CACHE_BYTES:
                _, (_, dropped) = self._results.popitem(last=False)
                self._cached_bytes -= dropped
        return frame.copy()

    def memo(self, name: str, build: Callable[[duckdb.DuckDBPyConnection], T], key: Hashable = (), keep: int = 1) -> T:
        """What ``build`` makes from this file, made once per ``key`` and kept while the Database
        lives: a rebuilt file is a new Database, so nothing here goes stale. The one cache of what
        is worked out from the file (the cubes, the question bank, each filter state's figures):
        under each ``name``, the ``keep`` most recently used keys are kept.

        Single flight per (name, key): sessions asking for a value being built wait for that
        build and get its value, or its exception (a failure is not kept: the next call builds
        again), while different keys build at once. A build may ask for other memos; one that
        asks for its own value, directly or through other builds (in any thread), raises
        ``MemoCycle`` instead of waiting for ever."""
        me = threading.get_ident()
        while True:
            with self._memo_lock:
                made = self._memos.setdefault(name, Recent())
                if key in made:
                    made.move_to_end(key)
                    return made[key]
                flight = self._flights.get((name, key))
                if flight is None:
                    flight = self._flights[(name, key)] = _Flight()
                    break  # this thread builds it
                if self._leads_back(flight, me):
                    raise MemoCycle(f"the memo {name!r} for {key!r} asked for itself while being built")
                self._waiting[me] = flight
            try:
                flight.done.wait()
            finally:
                with self._memo_lock:
                    del self._waiting[me]
            if flight.built:
                return flight.value  # type: ignore[return-value]
            if flight.error is not None:
                raise flight.error
            # The builder was stopped by something not an Exception (a Streamlit rerun or stop of
            # its own session, an interrupt): not this caller's to raise, so try again.
        try:
            flight.value = build(self.connection)
            pa.default_memory_pool().release_unused()  # the Arrow reads behind it are done with
            flight.built = True
        except Exception as error:
            flight.error = error
            raise
        finally:
            with self._memo_lock:  # landed together: no longer in flight, kept, waiters woken
                del self._flights[(name, key)]
                if flight.built:
                    made.add(key, flight.value, keep)
                flight.done.set()
        return flight.value  # type: ignore[return-value]

    def _leads_back(self, flight: _Flight | None, me: int) -> bool:
        """Whether waiting for ``flight`` would wait on this thread: its builder is this thread, or
        waits for a value whose builder ... is. (Called holding ``_memo_lock``; a landed flight is
        skipped: its waiters may not have woken to say so yet.)"""
        while flight is not None and not flight.done.is_set():
            if flight.builder == me:
                return True
            flight = self._waiting.get(flight.builder)
        return False

    def _run(self, name: str, params: dict[str, object]) -> pd.DataFrame:
        sql = query_text(name)
        started = time.perf_counter()
        cursor = self.connection.cursor()  # a connection is not thread-safe; a cursor per query is
        try:
            frame = cursor.execute(sql, params).df()
        finally:
            cursor.close()
        elapsed = time.perf_counter() - started
        log.debug("query %s took %.1f ms", name, elapsed * 1000)
        return frame

    def close(self) -> None:
        self.connection.close()


def timed(function: Callable[..., T]) -> Callable[..., T]:
    """Log a data step that is not SQL (the in-memory sums of ``dashboard.core.figures`` and
    ``dashboard.core.engagement_cube``) beside the queries: 'sums NAME took X ms'."""

    @functools.wraps(function)
    def run(*args: object, **kwargs: object) -> T:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            log.debug("sums %s took %.1f ms", function.__name__, (time.perf_counter() - started) * 1000)

    return run


def _freeze(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_freeze(v) for v in value)
    return value
