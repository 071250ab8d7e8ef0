"""The benchmark report: machine, tables and targets, as markdown.

Takes the plain results gathered by ``bench.__main__`` (dicts, also written as
JSON beside the markdown) and prints ratios and medians, never pass/fail for a
test run: the targets are listed as met or not for the lead to judge.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
from importlib import metadata
from pathlib import Path

# Issue 29's goals (benchmarks, not timed tests), at 1M responses unless said.
TARGET_SCALE = 1_000_000
TARGET_RERUN_MS = 50
TARGET_RATIO = 6.0
TARGET_PEAK_MB = 250
TARGET_BUILD_S = 10  # 3x what DuckDB takes merely to read the same CSVs here
TARGET_BUILD_PEAK_MB = 600
TARGET_COLD_START_S = 1.5
TARGET_FELT_MS = 200  # a filter change in Chromium, median, every page
TARGET_FLOOR_FACTOR = 3.0  # every page's rerun at most this many times the floor's
CURVE_SCALE = 10_000_000  # optional: measured only when asked for (make bench BENCH_ARGS=...)
CURVE_RERUN_FACTOR = 1.2  # each page at 10M at most this many times its 1M figure
CURVE_BUILD_FACTOR = 10.0  # the build at 10M at most this many times its 1M time
CURVE_BUILD_S = 100
CURVE_BUILD_PEAK_MB = 4_000
FLOOR_PAGE = "bench/floor/app.py"


def machine() -> dict[str, str]:
    """nproc, memory, CPU model, versions, date and load: what a reader needs to weigh the numbers."""

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "streamlit": version("streamlit"),
        "duckdb": version("duckdb"),
        "pandas": version("pandas"),
        "altair": version("altair"),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def spread(values: list[float]) -> tuple[float, float] | None:
    """p10 and p90 (inclusive method); the lone value twice for one run."""
    if not values:
        return None
    if len(values) == 1:
        return (values[0], values[0])
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return (deciles[0], deciles[-1])


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _spread(values: list[float]) -> str:
    bounds = spread(values)
    return "–" if bounds is None else f"{bounds[0]:,.0f}–{bounds[1]:,.0f}"


def _s(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(page: dict, measure: str = "runs_ms") -> float | None:
    """Reference median over product median: wall time (``runs_ms``) or CPU time (``cpu_ms``)."""
    product = median(page["product"].get(measure, []))
    reference = median(page["reference"].get(measure, [])) if page.get("reference") else None
    if not product or reference is None:
        return None
    return reference / product


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}x"


def _errors(page: dict) -> str:
    count = len(page["product"]["errors"]) + (len(page["reference"]["errors"]) if page.get("reference") else 0)
    return str(count) if count else ""


def table(head: list[str], rows: list[list[str]], align: str) -> list[str]:
    """A markdown table: ``align`` has a letter per column, ``l`` (text) or ``r`` (numbers)."""
    rule = ["---:" if side == "r" else "---" for side in align]
    return ["| " + " | ".join(cells) + " |" for cells in (head, rule, *rows)]


def floor_ms(scale: dict, key: str = "pages") -> float | None:
    """The floor's median at this scale: its rerun (``pages``) or its felt filter change (``felt``)."""
    if key == "felt":
        found = [p for p in _felt_pages(scale) if p["page"] == FLOOR_PAGE]
        return median(found[0]["changes_ms"]) if found else None
    found = [p for p in scale.get(key, []) if p["page"] == FLOOR_PAGE]
    return median(found[0]["product"]["runs_ms"]) if found else None


def _times(value: float | None, floor: float | None) -> str:
    return "–" if value is None or not floor else f"{value / floor:.1f}x"


def pages_table(scales: list[dict]) -> list[str]:
    head = (
        "Scale | Page | Product median ms | p10–p90 | CPU ms | Data ms | Data steps | First run ms | Product / floor "
        "| Reference median ms | p10–p90 | Ref CPU ms | Ratio ref/product | Ratio (CPU) | Errors"
    ).split(" | ")
    rows = []
    for scale in scales:
        floor = floor_ms(scale)
        for page in scale.get("pages", []):
            product, reference = page["product"], page.get("reference") or {}
            reference_runs = reference.get("runs_ms", [])
            rows.append(
                [
                    f"{scale['scale']:,}",
                    page["title"],
                    _ms(median(product["runs_ms"])),
                    _spread(product["runs_ms"]),
                    _ms(median(product["cpu_ms"])),
                    _ms(median(product["sql_ms"])),
                    _ms(median(product["queries"])),
                    _ms(product["first_ms"]),
                    _times(median(product["runs_ms"]), floor),
                    _ms(median(reference_runs)),
                    _spread(reference_runs),
                    _ms(median(reference.get("cpu_ms", []))),
                    _ratio(ratio(page)),
                    _ratio(ratio(page, "cpu_ms")),
                    _errors(page),
                ]
            )
    return table(head, rows, "rlrrrrrrrrrrrrr")


def felt_table(scales: list[dict]) -> list[str]:
    head = "Scale | Page | Felt median ms | p10–p90 | Of it, script run ms | Drawing ms | Changes | Charts | Page / floor | Errors".split(
        " | "
    )
    rows = []
    for scale in scales:
        felt = scale.get("felt") or {}
        floor = floor_ms(scale, "felt")
        for page in felt.get("pages", []):
            changes = page["changes_ms"]
            runs = page.get("script_ms") or []  # per change; older results: none, or only the runs seen (not aligned)
            runs = runs if len(runs) == len(changes) else []
            rows.append(
                [
                    f"{scale['scale']:,}",
                    page["title"],
                    _ms(median(changes)),
                    _spread(changes),
                    _ms(median([run for run in runs if run is not None])),
                    _ms(median([felt - run for felt, run in zip(changes, runs) if run is not None])),
                    str(len(changes)),
                    str(page["charts"]),
                    _times(median(changes), floor),
                    "; ".join(page["errors"])[:300],
                ]
            )
        rows += [
            [f"{scale['scale']:,}", "(run)", "", "", "", "", "", "", "", error] for error in felt.get("errors", [])
        ]
    return table(head, rows, "rlrrrrrrrl")


def build_table(scales: list[dict]) -> list[str]:
    head = [
        "Scale",
        "Build s (`python -m pipeline build`, with validation)",
        "Build peak RSS MB",
        "Database MB",
        "Exit",
    ]
    rows = [
        [
            f"{scale['scale']:,}",
            f"{build['seconds']:.1f}",
            f"{build['peak_rss_mb']:,.0f}",
            _ms(scale.get("database_mb")),
            str(build["exit_code"]),
        ]
        for scale in scales
        if (build := scale.get("build"))
    ]
    return table(head, rows, "rrrrr")


def server_table(scales: list[dict]) -> list[str]:
    head = (
        "Scale | App | Health ok s | First complete page s (from start) | Page load s | RSS at start MB "
        "| Peak RSS MB (VmHWM) | Page loads | Errors / note"
    ).split(" | ")
    rows = [
        [
            f"{scale['scale']:,}",
            server["app"],
            _s(server["health_s"], 2),
            _s(server["first_page_s"], 2),
            _s(server["first_page_load_s"], 2),
            _ms(server["rss_started_mb"]),
            _ms(server["peak_rss_mb"]),
            str(server["page_loads"]),
            "; ".join(server["errors"] + ([server["note"]] if server["note"] else [])),
        ]
        for scale in scales
        for server in scale.get("servers", [])
    ]
    return table(head, rows, "rlrrrrrrl")


def _felt_pages(scale: dict) -> list[dict]:
    return (scale.get("felt") or {}).get("pages", [])


def _short(scale: int) -> str:
    """100000 -> 100k, 10000000 -> 10M."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if scale >= size and scale % size == 0:
            return f"{scale // size}{unit}"
    return f"{scale:,}"


def growth(scales: list[dict]) -> list[str]:
    """One row per measure, one column per scale, and the largest scale over the one before it."""
    measured = [s for s in scales if s.get("build")]
    if not measured:
        return ["No scale was measured."]
    titles = list(dict.fromkeys(p["title"] for s in measured for p in s.get("pages", [])))
    felt_titles = list(dict.fromkeys(p["title"] for s in measured for p in _felt_pages(s)))

    def rerun(title: str):
        return lambda s: next(
            (median(p["product"]["runs_ms"]) for p in s.get("pages", []) if p["title"] == title), None
        )

    def felt(title: str):
        return lambda s: next((median(p["changes_ms"]) for p in _felt_pages(s) if p["title"] == title), None)

    def product_server(s: dict) -> float | None:
        return next((x["peak_rss_mb"] for x in s.get("servers", []) if x["app"] == "product"), None)

    measures = [(f"Rerun ms (AppTest): {title}", rerun(title), _ms) for title in titles]
    measures += [(f"Filter change felt ms (Chromium): {title}", felt(title), _ms) for title in felt_titles]
    measures += [
        ("Build s", lambda s: s["build"]["seconds"], lambda v: _s(v)),
        ("Build peak MB", lambda s: s["build"]["peak_rss_mb"], _ms),
        ("Database MB", lambda s: s.get("database_mb"), _ms),
        ("Server peak MB (every page once, then filters)", product_server, _ms),
        ("Server peak MB (after the felt changes)", lambda s: (s.get("felt") or {}).get("server_peak_mb"), _ms),
    ]
    last = f"{_short(measured[-1]['scale'])} / {_short(measured[-2]['scale'])}" if len(measured) > 1 else "Growth"
    head = ["Measure", *(_short(s["scale"]) for s in measured), last]
    rows = []
    for name, value, shown in measures:
        values = [value(s) if s["build"]["exit_code"] == 0 else None for s in measured]
        grown = values[-1] / values[-2] if len(values) > 1 and values[-1] and values[-2] else None
        rows.append([name, *(shown(v) for v in values), _ratio(grown) if grown is not None else "–"])
    return table(head, rows, "l" + "r" * (len(measured) + 1))


def targets(scales: list[dict]) -> list[str]:
    """Each target at 1M (or, when 1M was not run, at the largest scale, marked as such)."""
    if not scales:
        return ["No scale was measured."]
    at = next((s for s in scales if s["scale"] == TARGET_SCALE), None)
    caveat = ""
    if at is None:
        at = max(scales, key=lambda s: s["scale"])
        caveat = f" (1M not measured; shown at {at['scale']:,}, for indication only)"
    lines = [f"Targets at {at['scale']:,} responses{caveat}:", ""]

    def line(met: bool | None, text: str) -> None:
        mark = "not measured" if met is None else ("met" if met else "NOT met")
        lines.append(f"- **{mark}**: {text}")

    pages = at.get("pages", [])
    slow = [
        f"{p['title']} {median(p['product']['runs_ms']):,.0f} ms"
        for p in pages
        if p["product"]["runs_ms"] and median(p["product"]["runs_ms"]) > TARGET_RERUN_MS
    ]
    unmeasured = [p["title"] for p in pages if not p["product"]["runs_ms"]]
    line(
        None if not pages else not slow and not unmeasured,
        f"every page's median rerun <= {TARGET_RERUN_MS} ms"
        + (f" (over: {', '.join(slow)})" if slow else "")
        + (f" (no runs: {', '.join(unmeasured)})" if unmeasured else ""),
    )
    floor = floor_ms(at)
    heavy = [
        f"{p['title']} {median(p['product']['runs_ms']) / floor:.1f}x"
        for p in pages
        if floor and p["product"]["runs_ms"] and median(p["product"]["runs_ms"]) > TARGET_FLOOR_FACTOR * floor
    ]
    line(
        None if not floor else not heavy,
        f"every page's median rerun <= {TARGET_FLOOR_FACTOR:g}x the floor's"
        + (f" ({floor:,.0f} ms)" if floor else "")
        + (f" (over: {', '.join(heavy)})" if heavy else ""),
    )
    felt = [p for p in _felt_pages(at) if p["page"] != FLOOR_PAGE]
    slow_felt = [
        f"{p['title']} {median(p['changes_ms']):,.0f} ms"
        for p in felt
        if p["changes_ms"] and median(p["changes_ms"]) > TARGET_FELT_MS
    ]
    unfelt = [p["title"] for p in felt if not p["changes_ms"]]
    line(
        None if not felt else not slow_felt and not unfelt,
        f"every page's filter change felt in Chromium <= {TARGET_FELT_MS} ms (median)"
        + (f" (over: {', '.join(slow_felt)})" if slow_felt else "")
        + (f" (no changes: {', '.join(unfelt)})" if unfelt else ""),
    )
    compared = [p for p in pages if ratio(p) is not None]
    behind = [f"{p['title']} {ratio(p):.1f}x" for p in compared if ratio(p) < TARGET_RATIO]
    line(
        None if not compared else not behind,
        f"every page with a reference >= {TARGET_RATIO:g}x faster than it (wall time)"
        + (f" (below: {', '.join(behind)})" if behind else ""),
    )
    product = next((s for s in at.get("servers", []) if s["app"] == "product"), None)
    peak = product["peak_rss_mb"] if product else None
    line(
        None if peak is None else peak <= TARGET_PEAK_MB,
        f"peak server memory <= {TARGET_PEAK_MB} MB" + (f" (measured {peak:,.0f} MB)" if peak is not None else ""),
    )
    build = at.get("build")
    line(
        None if not build else build["seconds"] <= TARGET_BUILD_S,
        f"build <= {TARGET_BUILD_S} s" + (f" (measured {build['seconds']:.1f} s)" if build else ""),
    )
    line(
        None if not build else build["peak_rss_mb"] <= TARGET_BUILD_PEAK_MB,
        f"build peak memory <= {TARGET_BUILD_PEAK_MB} MB"
        + (f" (measured {build['peak_rss_mb']:,.0f} MB)" if build else ""),
    )
    cold = product["first_page_s"] if product else None
    line(
        None if cold is None else cold <= TARGET_COLD_START_S,
        f"cold start to first complete page <= {TARGET_COLD_START_S} s"
        + (f" (measured {cold:.2f} s)" if cold is not None else ""),
    )
    return lines + curve(scales, at)


def curve(scales: list[dict], at: dict) -> list[str]:
    """The 10M targets, against the 1M figures of the same run (only when 10M was measured)."""
    big = next((s for s in scales if s["scale"] == CURVE_SCALE), None)
    if big is None or at["scale"] != TARGET_SCALE:
        return [
            "",
            f'{CURVE_SCALE:,} not measured in this run (`make bench BENCH_ARGS="--scales '
            f'100000,{TARGET_SCALE},{CURVE_SCALE}"`).',
        ]
    lines = ["", f"Targets at {CURVE_SCALE:,} responses, against {TARGET_SCALE:,} in this run:", ""]
    small_pages = {p["page"]: median(p["product"]["runs_ms"]) for p in at.get("pages", [])}
    over = []
    for page in big.get("pages", []):
        base, now = small_pages.get(page["page"]), median(page["product"]["runs_ms"])
        if base and now and now > CURVE_RERUN_FACTOR * base:
            over.append(f"{page['title']} {now / base:.1f}x")
    mark = "not measured" if not big.get("pages") else ("met" if not over else "NOT met")
    lines.append(
        f"- **{mark}**: every page's median rerun <= {CURVE_RERUN_FACTOR:g}x its 1M figure"
        + (f" (over: {', '.join(over)})" if over else "")
    )
    small_build, big_build = at.get("build"), big.get("build")
    if small_build and big_build:
        factor = big_build["seconds"] / small_build["seconds"]
        lines.append(
            f"- **{'met' if factor <= CURVE_BUILD_FACTOR else 'NOT met'}**: build <= "
            f"{CURVE_BUILD_FACTOR:g}x the 1M time (measured {big_build['seconds']:.1f} s, {factor:.1f}x)"
        )
        lines.append(
            f"- **{'met' if big_build['exit_code'] == 0 and big_build['seconds'] <= CURVE_BUILD_S else 'NOT met'}**: "
            f"build completes in <= {CURVE_BUILD_S} s "
            f"(measured {big_build['seconds']:.1f} s, exit code {big_build['exit_code']})"
        )
        peak = big_build["peak_rss_mb"]
        lines.append(
            f"- **{'met' if peak <= CURVE_BUILD_PEAK_MB else 'NOT met'}**: build peak memory <= "
            f"{CURVE_BUILD_PEAK_MB:,} MB (measured {peak:,.0f} MB)"
        )
    return lines


def slowest_queries(scales: list[dict]) -> list[str]:
    lines = ["| Scale | Page | Slowest data steps (total ms over the reruns) |", "|---:|---|---|"]
    for scale in scales:
        for page in scale.get("pages", []):
            queries = page["product"].get("slowest_queries") or {}
            if queries:
                text = ", ".join(f"{name} {ms:,.0f}" for name, ms in queries.items())
                lines.append(f"| {scale['scale']:,} | {page['title']} | {text} |")
    return lines


def errors(scales: list[dict]) -> list[str]:
    lines = []
    for scale in scales:
        for page in scale.get("pages", []):
            for side in ("product", "reference"):
                timing = page.get(side)
                for error in (timing or {}).get("errors", [])[:3]:
                    first_line = error.splitlines()[0][:300] if error else ""
                    lines.append(f"- {scale['scale']:,} {page['title']} ({side}): {first_line}")
    return lines


def markdown(results: dict) -> str:
    info = results["machine"]
    scales = results["scales"]
    out = [
        "# Benchmarks: product against the usual pandas approach",
        "",
        f"Run {info['date']} with `python -m bench {results['arguments']}`; reruns per page: {results['reruns']}.",
        "",
        (
            f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory; Python {info['python']}, "
            f"Streamlit {info['streamlit']}, DuckDB {info['duckdb']}, pandas {info['pandas']}, Altair {info['altair']}. "
            f"Load average at start {info['load']}, at end {results.get('load_at_end', '?')} "
            "(a busy machine inflates every wall time; CPU ms is less sensitive)."
        ),
        "",
        "## Rerun on a filter change (AppTest)",
        "",
        (
            "Each rerun sets a sidebar filter combination not used before in the run, so every filtered query misses "
            "the product's result cache. Product: the app's pages; reference: `bench/reference/` (whole tables in "
            "`st.cache_data`, pandas masks and groupby every rerun; survey figures, in both, are sums of the released "
            "cells a filter state covers) on the same combinations. CPU ms is this process's "
            "CPU time (all threads, DuckDB's included) per rerun, steadier than wall time on a busy machine; Data ms and "
            "Data steps are the product's SQL queries and in-memory sums (`dashboard.core.figures` over the survey release, "
            "`dashboard.core.engagement_cube`) that ran (cache misses) per rerun, from `dashboard.core.db`'s timing log. "
            "First run: the page's first run with no filters (cold caches), not in the median."
        ),
        "",
        *pages_table(scales),
        "",
        "## A filter change felt in Chromium (real server)",
        "",
        (
            "Every page, then the floor (`bench/floor/app.py`: the same sidebar, two metrics, three small charts and "
            "two small tables; fixed made-up figures, no data work) on a server of its own over the same database. Each page opens on a "
            "month range of its own (three months or more; My area with one service area) in its address; then a filter is changed in the sidebar with the mouse (one more "
            "care group, another To month, another From month, in turn; My area months only), and timed from the "
            "press on the option to the page's last change once it is idle with every chart drawn (`load.idle`; the "
            "250 ms quiet wait is not counted), on the browser's clock. Of it, script run: from the press until the page "
            "learnt that the script run had finished (the rerun on the server, sending its elements and the browser taking "
            "each in as it comes); drawing: "
            "what the browser did after that (laying out and drawing charts and tables), per change; medians of both. Page / floor: "
            "the page's median over the floor's in the same run."
        ),
        "",
        *felt_table(scales),
        "",
        "## Growth with the data",
        "",
        (
            "One row per measure, one column per scale; the last column is the largest scale over the one before it. "
            "Rerun: AppTest median (table above); felt: Chromium median; server peak: the product's VmHWM."
        ),
        "",
        *growth(scales),
        "",
        "## Build",
        "",
        *build_table(scales),
        "",
        "## Cold start and peak server memory (real server, headless Chromium)",
        "",
        (
            "Health ok: from starting `streamlit run` to `/_stcore/health` answering ok. First complete page: from "
            "starting the server until the entry page has finished its script, shows its metric values and stops "
            "changing (taken at its last change). Peak RSS: the server process's VmHWM after loading every page once "
            "and a few more times with filters in the address."
        ),
        "",
        *server_table(scales),
        "",
        "## Targets",
        "",
        *targets(scales),
        "",
        "## Where the product's data time goes",
        "",
        *slowest_queries(scales),
        "",
    ]
    found = errors(scales)
    if found:
        out += ["## Errors seen (first three per page and side)", "", *found, ""]
    return "\n".join(out)
