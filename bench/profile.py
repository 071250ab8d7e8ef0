"""Where a page's rerun time goes: cProfile over AppTest reruns, grouped by layer.

``python -m bench.profile --db FILE --page pages/1_Digital_skills.py [--reruns 5]``
warms the page, then profiles ``--reruns`` reruns on new filter combinations
(``bench.combos``, as ``bench.pages`` does) and prints:

- wall time per rerun and the product's SQL time (``dashboard.core.db``'s log);
- the time spent in each layer, by inclusive time of the outermost call into
  it: SQL (DuckDB cursor execute and fetch), Altair chart building and spec
  conversion, Streamlit element serialisation (DataFrames to Arrow), pandas;
- the top functions by inclusive and by own time.

With ``--sections`` it profiles without cProfile (whose overhead inflates
Python-heavy code such as Altair several times over) and instead times every
function of the dashboard modules and the Streamlit elements the pages call,
inclusive, by wall time and by the script thread's own CPU time.

cProfile sees one thread: AppTest runs the script in a thread of its own, so the
profiler is switched on in that thread only (``threading.setprofile``); this
thread just waits for it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time
from pathlib import Path

from bench.pages import ROOT, apply_filters, database_options, install_query_log, is_my_area, share_script_cache

# (label, predicate on a pstats key (file, line, function)) - first match wins, outermost call counted.
LAYERS: tuple[tuple[str, object], ...] = (
    ("SQL: DuckDB execute", lambda f, fn: f.endswith("dashboard/core/db.py") and fn == "_run"),
    (
        "Altair: st.altair_chart (spec to dict, validation)",
        lambda f, fn: "streamlit/elements/vega_charts.py" in f and fn == "altair_chart",
    ),
    (
        "Altair: building charts (dashboard.render.charts)",
        lambda f, fn: "dashboard/render/charts.py" in f or "dashboard/render/engagement_charts.py" in f,
    ),
    (
        "Streamlit: st.dataframe / st.table",
        lambda f, fn: "streamlit/elements/arrow.py" in f and fn in ("dataframe", "table"),
    ),
    ("Streamlit: metric", lambda f, fn: "streamlit/elements/metric.py" in f and fn == "metric"),
    (
        "Survey release: load and sums (release.load, figures)",
        lambda f, fn: (
            (f.endswith("dashboard/core/release.py") and fn == "load")
            or (f.endswith("dashboard/core/figures.py") and fn == "figures")
        ),
    ),
)


_COMBINATIONS: dict = {}


def _combinations(database: Path, seed: int, one_service_area: bool):
    """One iterator per database and kind, shared by every page profiled in this process, so no page
    reuses another's filter combination (and hits the result cache)."""
    from bench import combos

    key = (database, seed, one_service_area)
    if key not in _COMBINATIONS:
        first, last, areas = database_options(database)
        _COMBINATIONS[key] = combos.combinations(first, last, areas, seed, one_service_area=one_service_area)
    return _COMBINATIONS[key]


def _layer_totals(stats: pstats.Stats) -> dict[str, float]:
    """Inclusive seconds per layer (cumulative time of the matching functions; nested matches not added twice
    because each layer names one entry point)."""
    totals = {label: 0.0 for label, _ in LAYERS}
    for (file, _, function), (_, _, _, cumulative, _) in stats.stats.items():
        for label, matches in LAYERS:
            if matches(file, function):
                totals[label] += cumulative
                break
    return totals


def _opened(page: Path):
    """An AppTest of the app, run once and switched to ``page``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    if page != ROOT / "app.py":
        at.switch_page(str(page.relative_to(ROOT)))
        at.run()
    return at


def profile(page: Path, database: Path, reruns: int, seed: int = 7) -> str:
    from streamlit import config

    os.environ["DASHBOARD_DB"] = str(database)
    config.set_option("client.showErrorDetails", "full")
    query_log = install_query_log()
    share_script_cache()
    chosen = _combinations(database, seed, is_my_area(page))
    at = _opened(page)
    profiler = cProfile.Profile()
    walls, sql = [], []
    for _ in range(reruns):
        apply_filters(at, next(chosen))
        query_log.lines.clear()
        started = time.perf_counter()
        threading.setprofile(_thread_profiler(profiler))  # the script thread AppTest starts profiles itself
        at.run()
        threading.setprofile(None)
        walls.append((time.perf_counter() - started) * 1000)
        sql.append(sum(ms for _, ms in query_log.lines))
        if at.exception:
            return f"{page}: the page raised: {at.exception[0].message}"
    stats = pstats.Stats(profiler)
    out = io.StringIO()
    out.write(f"{page.relative_to(ROOT)} at {database}: {reruns} reruns\n")
    out.write(f"wall ms per rerun: {', '.join(f'{w:.0f}' for w in walls)}\n")
    out.write(f"SQL ms per rerun:  {', '.join(f'{s:.0f}' for s in sql)}\n")
    total = sum(walls) / 1000
    out.write("layers (inclusive, share of the wall time of all reruns; profiler overhead included):\n")
    for label, seconds in _layer_totals(stats).items():
        out.write(f"  {label:55} {seconds * 1000 / reruns:7.0f} ms/rerun  {seconds / total:5.0%}\n")
    for order in ("cumulative", "tottime"):
        out.write(f"\ntop 25 by {order}:\n")
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(25)
        out.write("\n".join(buffer.getvalue().splitlines()[6:]) + "\n")
    return out.getvalue()


SECTION_MODULES = (
    "survey_view",
    "survey",
    "charts",
    "engagement",
    "engagement_charts",
    "my_area",
    "measures",
    "figures",
    "release",
    "disclosure",
    "ui",
    "export",
)
ELEMENTS = (
    "altair_chart",
    "dataframe",
    "table",
    "metric",
    "markdown",
    "download_button",
    "multiselect",
    "page_link",
    "segmented_control",
    "selectbox",
    "radio",
    "text_input",
    "info",
    "expander",
)


def _timed(name: str, function, totals: dict):
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            entry = totals.setdefault(name, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - wall
            entry[2] += time.thread_time() - cpu

    return wrapper


def _instrument(totals: dict) -> None:
    """Wrap every function of the dashboard modules and the element calls (inclusive timing)."""
    import importlib
    import inspect

    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    from dashboard.core import db

    for module_name in SECTION_MODULES:
        try:
            module = importlib.import_module(f"dashboard.{module_name}")
        except ImportError:
            continue
        for name, value in list(vars(module).items()):
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                setattr(module, name, _timed(f"{module_name}.{name}", value, totals))
    db.Database._run = _timed("db.Database._run (SQL + .df())", db.Database._run, totals)
    for element in ELEMENTS:
        if hasattr(DeltaGenerator, element):
            setattr(DeltaGenerator, element, _timed(f"st.{element}", getattr(DeltaGenerator, element), totals))
        if hasattr(st, element):
            setattr(st, element, _timed(f"st.{element}", getattr(st, element), totals))


def sections(page: Path, database: Path, reruns: int, seed: int = 7) -> str:
    from streamlit import config

    os.environ["DASHBOARD_DB"] = str(database)
    config.set_option("client.showErrorDetails", "full")
    totals: dict[str, list] = {}
    _instrument(totals)
    chosen = _combinations(database, seed, is_my_area(page))
    at = _opened(page)
    totals.clear()
    walls = []
    for _ in range(reruns):
        apply_filters(at, next(chosen))
        started = time.perf_counter()
        at.run()
        walls.append((time.perf_counter() - started) * 1000)
        if at.exception:
            return f"{page}: the page raised: {at.exception[0].message}"
    out = io.StringIO()
    out.write(
        f"{page.relative_to(ROOT)} at {database}: {reruns} reruns; wall ms per rerun: "
        f"{', '.join(f'{w:.0f}' for w in walls)}\n"
    )
    heading = "function (inclusive; nested calls counted in each)"
    out.write(f"{heading:60} {'calls':>6} {'wall ms/run':>12} {'CPU ms/run':>11}\n")
    for name, (calls, wall, cpu) in sorted(totals.items(), key=lambda kv: -kv[1][2])[:30]:
        out.write(f"{name:60} {calls / reruns:6.1f} {wall * 1000 / reruns:12.1f} {cpu * 1000 / reruns:11.1f}\n")
    return out.getvalue()


def _thread_profiler(profiler: cProfile.Profile):
    """Turn the same profiler on in the thread AppTest starts for the script run."""

    def start(*_args):
        sys.setprofile(None)
        profiler.enable()

    return start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--page", action="append", required=True, help="path from the repository root (repeatable)")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--sections", action="store_true", help="time functions and elements instead of cProfile")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    for page in args.page:
        measure = sections if args.sections else profile
        print(measure(ROOT / page, args.db.resolve(), args.reruns), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
