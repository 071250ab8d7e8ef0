"""Rerun time of every page on a filter change, product beside the pandas reference, with AppTest.

``python -m bench.pages --db FILE --reruns N --out FILE.json`` runs in a process
of its own (one per scale, so no cache or memory of one scale leaks into the
next). For each page of the app (``app.py`` and every script in ``pages/``, as
``dashboard.core.registry`` lists them, so pages added later are measured too):

1. the app starts at its entry script (``app.py``, as in the real app: a page
   run as the main script would not know the other pages) and switches to the
   page; that first run with no filters warms the page (imports, database open,
   caches of the whole-Trust figures) and is reported apart;
2. each of ``N`` reruns sets a filter combination never used before in this
   process (``bench.combos``), so every filtered query misses
   ``dashboard.core.db``'s result cache, and times ``AppTest.run()``;
3. the reference page of the same name in ``bench/reference/`` (if there is
   one) is timed the same way on the same combinations.

Then the floor (``bench/floor/app.py``: the same sidebar, two metrics, three small
charts and two small tables, no data work) is timed the same way, last, whatever
pages were asked for: a page's time over the floor's is its own work.

The product's data time per rerun (SQL queries and in-memory sums) is read from
``dashboard.core.db``'s own debug log ("query X took Y ms", "sums X took Y ms"), so the
report can say how much of a rerun is data work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dashboard.core import registry

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "bench" / "reference"
FLOOR = ROOT / "bench" / "floor" / "app.py"  # the same elements as a page, no data work
FLOOR_TITLE = "Floor (no data work)"
TIMEOUT_S = 120
QUERY_LINE = re.compile(r"(?:query|sums) (\w+) took ([0-9.]+) ms")  # SQL, and the in-memory sums


@dataclass
class Timing:
    first_ms: float | None = None
    runs_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU time of this process (all threads) per rerun
    sql_ms: list[float] = field(default_factory=list)  # product only: data time (SQL and sums) per rerun
    queries: list[int] = field(default_factory=list)  # product only: data steps that ran (cache misses) per rerun
    slowest_queries: dict[str, float] = field(default_factory=dict)  # name -> total ms over the reruns
    errors: list[str] = field(default_factory=list)


@dataclass
class PageResult:
    page: str  # path relative to the repository root
    title: str
    product: Timing
    reference: Timing | None
    reference_page: str | None


def discover_pages(root: Path = ROOT) -> list[Path]:
    """The entry page and every page script, in Streamlit's order (``dashboard.core.registry``)."""
    return [root / page.script for page in registry.pages(root)]


def page_name(path: Path) -> str:
    """Streamlit's name for a page script: '3_IT_reliability.py' -> 'IT_reliability'; app.py -> ''."""
    return registry.page_name(path) if path.parent.name == "pages" else ""


def page_title(path: Path) -> str:
    if path == FLOOR:
        return FLOOR_TITLE
    return page_name(path).replace("_", " ") or registry.ENTRY_LABEL


def reference_for(page: Path, reference_root: Path = REFERENCE) -> Path | None:
    """The reference page of the same name (number prefix aside), if there is one."""
    if page.parent.name != "pages":
        candidate = reference_root / "app.py"
        return candidate if candidate.exists() else None
    for candidate in sorted((reference_root / "pages").glob("*.py")):
        if page_name(candidate) == page_name(page):
            return candidate
    return None


def is_my_area(page: Path) -> bool:
    """A page that shows nothing until one service area is picked."""
    return "my_area" in page.stem.lower()


class QueryLog(logging.Handler):
    """Collects ``dashboard.core.db``'s data steps: 'query X took Y ms' (SQL) and 'sums X took Y ms'."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = QUERY_LINE.search(record.getMessage())
        if match:
            self.lines.append((match.group(1), float(match.group(2))))


def install_query_log() -> QueryLog:
    handler = QueryLog()
    logger = logging.getLogger("dashboard.core.db")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    return handler


def _errors(at) -> list[str]:
    found = [f"exception: {e.message}" for e in at.exception]
    found += [f"st.error: {e.value}" for e in at.error]
    return found


def apply_filters(at, combination) -> None:
    sidebar = at.sidebar
    for key in ("care_group", "service_area", "survey", "staff_group"):
        sidebar.multiselect(key=key).set_value(list(getattr(combination, key)))
    # Whole months, as the sidebar's month boxes take them (2021-03).
    sidebar.selectbox(key="from").set_value(combination.month_from)
    sidebar.selectbox(key="to").set_value(combination.month_to)


def time_page(path: Path, combinations: list, query_log: QueryLog | None = None) -> Timing:
    """Warm run with no filters, then one timed rerun per combination."""
    from streamlit.testing.v1 import AppTest

    timing = Timing()
    # As in the real app, the entry script is the main script and a page is reached by switching to it
    # (a page run as the main script would not know the other pages, e.g. for st.page_link).
    main = path.parent.parent / "app.py" if path.parent.name == "pages" else path
    at = AppTest.from_file(str(main), default_timeout=TIMEOUT_S)
    try:
        if main != path:
            at.run()
            at.switch_page(str(path.relative_to(main.parent)))
        started = time.perf_counter()
        at.run()
    except Exception as error:  # a page that cannot even start: report, do not stop the benchmark
        timing.errors.append(f"first run: {type(error).__name__}: {error}")
        return timing
    timing.first_ms = (time.perf_counter() - started) * 1000
    timing.errors += [f"first run: {e}" for e in _errors(at)]
    for combination in combinations:
        try:
            apply_filters(at, combination)
        except Exception as error:
            timing.errors.append(f"setting filters: {type(error).__name__}: {error}")
            break
        if query_log is not None:
            query_log.lines.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            at.run()
        except Exception as error:
            timing.errors.append(f"rerun: {type(error).__name__}: {error}")
            break
        timing.runs_ms.append((time.perf_counter() - started) * 1000)
        timing.cpu_ms.append((time.process_time() - cpu_started) * 1000)
        if query_log is not None:
            timing.sql_ms.append(sum(ms for _, ms in query_log.lines))
            timing.queries.append(len(query_log.lines))
            for name, ms in query_log.lines:
                timing.slowest_queries[name] = timing.slowest_queries.get(name, 0.0) + ms
        for error in _errors(at):
            if error not in timing.errors:
                timing.errors.append(error)
    timing.slowest_queries = dict(sorted(timing.slowest_queries.items(), key=lambda kv: -kv[1])[:5])
    return timing


def database_options(database: Path) -> tuple[dt.date, dt.date, list[str]]:
    """The first and last days of the data and the service areas, as the sidebar offers them: the days
    from the product's own query (``queries/date_bounds.sql``: the waves' dates, conversations,
    actions; the served file holds no survey responses), so the month ranges are the sidebar's."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        areas = [a for (a,) in con.execute("select service_area from service_areas").fetchall()]
        first, last = con.execute((ROOT / "queries" / "date_bounds.sql").read_text(encoding="utf-8")).fetchone()
    finally:
        con.close()
    return first, last, areas


def share_script_cache() -> None:
    """Compile each page script once per process, as the real server does.

    AppTest builds a new ``ScriptCache`` for every run, so every rerun would parse,
    rewrite (Streamlit's "magic") and compile the page again: 5 to 15 ms here, which a
    running server spends once per script, not per rerun. The product and the reference
    share this one cache alike, so the ratio is not changed by it.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for module in (app_test, local_script_runner):
        module.ScriptCache = lambda: shared  # type: ignore[assignment]


def run(
    database: Path,
    reruns: int,
    seed: int = 2021,
    pages: list[Path] | None = None,
    with_reference: bool = True,
    progress=print,
) -> list[PageResult]:
    from streamlit import config

    from bench import combos

    os.environ["DASHBOARD_DB"] = str(database)
    os.environ.pop("DASHBOARD_MIN_GROUP_SIZE", None)
    config.set_option("client.showErrorDetails", "full")  # this process only: errors name their cause
    query_log = install_query_log()
    share_script_cache()
    first, last, areas = database_options(database)
    shared = combos.combinations(first, last, areas, seed)
    one_area = combos.combinations(first, last, areas, seed, one_service_area=True)
    results = []
    for page in [*(pages or discover_pages()), FLOOR]:  # the floor last, always: the yardstick
        source: Iterator = one_area if is_my_area(page) else shared
        chosen = [next(source) for _ in range(reruns)]
        product = time_page(page, chosen, query_log)
        reference_page = reference_for(page) if with_reference and page != FLOOR else None
        reference = time_page(reference_page, chosen) if reference_page else None
        result = PageResult(
            str(page.relative_to(ROOT)),
            page_title(page),
            product,
            reference,
            str(reference_page.relative_to(ROOT)) if reference_page else None,
        )
        results.append(result)
        progress(_progress_line(result))
    return results


def _median(values: list[float]) -> float | None:
    from statistics import median

    return median(values) if values else None


def _progress_line(result: PageResult) -> str:
    def part(timing: Timing | None) -> str:
        if timing is None:
            return "-"
        median = _median(timing.runs_ms)
        text = f"{median:.0f} ms" if median is not None else "no runs"
        return text + (f" ({len(timing.errors)} errors)" if timing.errors else "")

    return f"  {result.title:32} product {part(result.product):>16}   reference {part(result.reference):>16}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="database built by the pipeline")
    parser.add_argument("--reruns", type=int, default=15, help="timed reruns per page (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2021, help="seed of the filter combinations")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--page", action="append", default=[], help="only this page (path from the repository root)")
    parser.add_argument("--no-reference", action="store_true", help="time the product only")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # .streamlit/config.toml applies, as for `streamlit run`
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    pages = [ROOT / p for p in args.page] or None
    results = run(
        args.db.resolve(),
        args.reruns,
        args.seed,
        pages,
        not args.no_reference,
        progress=lambda line: print(line, flush=True),
    )
    args.out.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
