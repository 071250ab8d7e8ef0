"""Load test: ``python -m load [--sessions 50] [--browser-sessions 5] [--seconds 60] [--db FILE] [--replicas N]``.

1. Builds the demo database with the real pipeline into a temporary folder (or uses ``--db``).
2. Starts the real server (``streamlit run app.py``) on a free port on 127.0.0.1 and waits for
   ``/_stcore/health``. With ``--replicas N``: N such servers behind Debian's nginx, as ``make serve``
   runs them (deploy/serve.py), and every session goes through nginx; each protocol session keeps a
   route cookie of its own (a browser keeps the one nginx gives it), and after a share of its
   iterations (``--downloads``, default 0.2 through the proxy) downloads a file the page offers,
   built on request and fetched from its URL through nginx, as a click does.
3. Connects ``--sessions`` sessions, a few at a time, and measures the server's memory after the
   first and after all of them. ``--browser-sessions`` of them are real pages in Debian's
   Chromium, driven by Playwright (one browser; one context and page each); the others are
   websocket clients speaking Streamlit's protocol (load/protocol.py), which load the server the
   same way without a renderer each. On 2 cores, 50 Chromium renderers starve the server and
   each other of CPU (see load/results.md), so the default mixes 5 real pages into 50 sessions:
   the pages measure what a person waits for while the server carries all 50.
4. For ``--seconds``, every session loops: open a page of the app (discovered from app.py and
   pages/) with random filters in its link, then change a sidebar filter; each action waits until
   the app is idle, is checked for exceptions, error boxes (and, in Chromium, JavaScript errors),
   and is timed.
5. Stops the server (by its process id; nginx first, then the replicas) and prints a table, also
   written to ``load/results.md``.
   Exits 1 when any action failed or the server's log holds a Python traceback (a traceback
   that never reached a page, e.g. a table Arrow could not convert, still fails the run).

Talks to 127.0.0.1 only. Never runs ``playwright install``: Chromium must be at /usr/bin/chromium.
Not part of the test suite: it takes a few minutes and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import re
import sys
import tempfile
import time
import urllib.request
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from load.idle import CHROMIUM, CHROMIUM_ARGS
from load.protocol import ProtocolSession
from load.server import (
    ROOT,
    TRACEBACK,
    Proxied,
    Server,
    build_demo_database,
    cpu_seconds,
    descendants,
    proc_memory,
    rss_sum,
)
from load.sessions import Failure, Timing, discover_paths, new_session, run_loop

RESULTS = Path(__file__).resolve().parent / "results.md"
MB = 1024 * 1024
HEADER = "# Load test results\n\nWritten by `python -m load` (see load/__main__.py for what it does).\n\n"
READING = (
    "How to read it: for Chromium pages, *settled* is from the action until the page stopped changing (what a "
    "person waits for, drawing included) and *script_finished* is from the click until the server's end-of-run "
    "message reached the test. For protocol clients both are from sending the message until the server's "
    "end-of-run message arrived: the server's own work (plus loopback); a new session also opens the websocket. "
    "Every figure includes waiting for CPU: the server, the browsers and the test share the machine."
)


@dataclass
class Figures:
    sessions: int
    browser_sessions: int
    browsers: int
    paths: list[str]
    connect_seconds: float
    loop_seconds: float
    iterations: int
    timings: list[Timing]
    failures: list[Failure]
    failures_by_client: dict[str, int]
    memory: dict[str, int]  # label -> bytes
    cpu: dict[str, float]  # server / Chromium / load test -> CPU seconds during the loop
    chromium_rss: int
    http_times: list[float]  # seconds for GET / (the app's index.html) during the loop
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    downloads_failed: dict[str, int] | None = None  # client ("browser", "ws") -> failed downloads
    replicas: int = 0  # 0: the server alone; N: N replicas behind nginx
    by_replica: dict[str, dict[str, int]] | None = None  # replica address -> {"sessions": n, "downloads": n}


async def drive(server: Server | Proxied, args: argparse.Namespace, paths: list[str]) -> Figures:
    """Connect the sessions (memory after the first and after all), loop them, collect the figures."""
    memory: dict[str, int] = {"at start": server.memory()["VmRSS"]}
    load_before = os.getloadavg()
    async with AsyncExitStack() as stack:
        browsers = []
        if args.browser_sessions:
            from playwright.async_api import async_playwright

            playwright = await stack.enter_async_context(async_playwright())
            for _ in range(min(args.browsers, args.browser_sessions)):
                browser = await playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                stack.push_async_callback(browser.close)
                browsers.append(browser)

        async def make(number: int):
            # Spread the Chromium pages evenly among the sessions.
            if args.browser_sessions and number * args.browser_sessions // args.sessions != (
                (number + 1) * args.browser_sessions // args.sessions
            ):
                return await new_session(
                    browsers[number % len(browsers)], number, server.url, args.seed, args.idle_timeout
                )
            session = ProtocolSession(
                number, server.url, rng=random.Random(args.seed + number), idle_timeout=args.idle_timeout
            )
            if args.replicas:  # a route of its own, kept for every connection, as a browser keeps nginx's cookie
                session.cookie = f"st_route=load-{random.Random(-args.seed - number).getrandbits(64):016x}"
            return session

        sessions = []
        connect_started = time.monotonic()
        first = await make(0)
        sessions.append(first)
        await first.step("load", first.open("/"))
        await asyncio.sleep(1)
        memory["after 1 session"] = server.memory()["VmRSS"]
        for start in range(1, args.sessions, args.ramp):
            batch = [await make(n) for n in range(start, min(start + args.ramp, args.sessions))]
            sessions += batch
            await asyncio.gather(*(s.step("load", s.open("/")) for s in batch))
        connect_seconds = time.monotonic() - connect_started
        await asyncio.sleep(1)
        memory[f"after {args.sessions} session{'s' if args.sessions > 1 else ''}"] = server.memory()["VmRSS"]
        chromium_rss = rss_sum(descendants(os.getpid()) - server.pids())

        clients = descendants(os.getpid()) - server.pids()

        def cpu_now() -> dict[str, float]:
            now = {"server": server.cpu_seconds()}
            if isinstance(server, Proxied):
                now["nginx"] = server.nginx_cpu_seconds()
            return now | {"Chromium": cpu_seconds(clients), "load test": cpu_seconds({os.getpid()})}

        cpu_before = cpu_now()
        loop_started = time.monotonic()
        deadline = loop_started + args.seconds
        probe = asyncio.create_task(probe_http(server.url, deadline))
        iterations = await asyncio.wait_for(
            asyncio.gather(
                *(run_loop(s, paths, deadline, args.max_iterations, args.think, args.downloads) for s in sessions)
            ),
            timeout=args.seconds + 2 * args.think + 3 * args.idle_timeout + 30,
        )
        loop_seconds = time.monotonic() - loop_started
        http_times = await probe
        cpu_after = cpu_now()
        cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
        now = server.memory()
        memory["at end"] = now["VmRSS"]
        memory["peak (VmHWM)"] = now["VmHWM"]
        for session in sessions:
            await session.close()
    by_client = {"browser": 0, "ws": 0}
    downloads_failed = {"browser": 0, "ws": 0}
    for session in sessions:
        client = "ws" if isinstance(session, ProtocolSession) else "browser"
        by_client[client] += len([f for f in session.failures if f.kind != "download"])
        downloads_failed[client] += len([f for f in session.failures if f.kind == "download"])
    return Figures(
        sessions=args.sessions,
        browser_sessions=args.browser_sessions,
        browsers=len(browsers),
        paths=paths,
        connect_seconds=connect_seconds,
        loop_seconds=loop_seconds,
        iterations=sum(iterations),
        timings=[t for s in sessions for t in s.timings],
        failures=[f for s in sessions for f in s.failures],
        failures_by_client=by_client,
        downloads_failed=downloads_failed,
        memory=memory,
        cpu=cpu,
        chromium_rss=chromium_rss,
        http_times=http_times,
        load_before=load_before,
        load_after=os.getloadavg(),
        replicas=args.replicas,
        by_replica=by_replica(server) if isinstance(server, Proxied) else None,
    )


ROUTED = re.compile(
    r'"GET (?P<path>\S+) [^"]*" (?P<status>\d{3}) .* route=(?P<route>\S+) '
    r"upstream=(?P<upstream>.+?) upstream_status="
)


def by_replica(server: Proxied) -> dict[str, dict[str, int]]:
    """From nginx's access log, per replica: websockets opened (sessions), files downloaded, and file requests
    that reached another replica than the websocket of the same route (should be none: sticky routing)."""
    counts = {replica.address: {"sessions": 0, "downloads": 0, "elsewhere": 0} for replica in server.topology.replicas}
    streams: dict[str, set[str]] = {}  # route -> replicas its websockets went to
    files: list[tuple[str, str]] = []  # (route, replica) of each file request
    for line in server.topology.access_log.read_text(errors="replace").splitlines():
        match = ROUTED.search(line)
        if not match:
            continue
        upstream = match["upstream"].split(", ")[-1]  # the last one tried answered
        if upstream not in counts:
            continue
        if match["path"].startswith("/_stcore/stream") and match["status"] == "101":
            counts[upstream]["sessions"] += 1
            streams.setdefault(match["route"], set()).add(upstream)
        elif match["path"].startswith("/media/"):
            counts[upstream]["downloads"] += match["status"] == "200"
            files.append((match["route"], upstream))
    for route, upstream in files:
        if upstream not in streams.get(route, {upstream}):
            counts[upstream]["elsewhere"] += 1
    return counts


async def probe_http(url: str, deadline: float) -> list[float]:
    """Time ``GET /`` (a static file the server sends from its event loop) once a second until the deadline."""

    def fetch() -> float:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url + "/", timeout=120) as response:
                response.read()
        except OSError:
            return float("inf")
        return time.monotonic() - started

    times = []
    while time.monotonic() < deadline:
        times.append(await asyncio.to_thread(fetch))
        await asyncio.sleep(1)
    return times


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def megabytes(value: int | None) -> str:
    return "–" if value is None else f"{value / MB:,.0f} MB"


def spread(values: list[float]) -> str:
    return f"{seconds(percentile(values, 0.5))} / {seconds(percentile(values, 0.95))} (n = {len(values):,})"


def report(figures: Figures, args: argparse.Namespace) -> str:
    import streamlit

    def times(client: str, kind: str, finished: bool = False) -> list[float]:
        return [
            t.finished_s if finished else t.settled_s
            for t in figures.timings
            if t.client == client and t.kind == kind and (t.finished_s is not None or not finished)
        ]

    runs = [t for t in figures.timings if t.kind != "download"]
    downloads = [t for t in figures.timings if t.kind == "download"]
    actions = len(runs) + len([f for f in figures.failures if f.kind != "download"])
    one = figures.memory["after 1 session"]
    everyone = figures.memory[f"after {figures.sessions} session{'s' if figures.sessions > 1 else ''}"]
    # With replicas, the first session warms one of them only: the difference is not a session's cost.
    per_session = (everyone - one) / (figures.sessions - 1) if figures.sessions > 1 and figures.replicas < 2 else None
    protocol = figures.sessions - figures.browser_sessions
    rows = [
        (
            "Topology",
            "the server alone, clients on its port"
            if not figures.replicas
            else f"{figures.replicas} replica{'s' if figures.replicas > 1 else ''} behind nginx (deploy/serve.py, "
            "as `make serve`); every client through nginx",
        )
    ]
    rows += [
        (
            "Sessions",
            f"{figures.sessions}: "
            + (
                f"{figures.browser_sessions} in Chromium ({figures.browsers} browser process"
                f"{'es' if figures.browsers != 1 else ''}, a context and page each) + "
                if figures.browser_sessions
                else ""
            )
            + f"{protocol} speaking the websocket protocol",
        ),
        ("Pages visited", ", ".join(figures.paths)),
        ("Connecting all sessions", seconds(figures.connect_seconds)),
        ("Loop", f"{seconds(figures.loop_seconds)} ({figures.iterations:,} iterations of open page + change filter)"),
        (
            "Page actions = script runs (opens + filter changes)",
            f"{actions:,}, {actions / figures.loop_seconds:.1f} per second" if figures.loop_seconds else f"{actions:,}",
        ),
        (
            "Errors (exceptions, error boxes, JS errors, timeouts)",
            (
                f"{sum(figures.failures_by_client.values())} ({figures.failures_by_client['browser']} in Chromium pages, "
                f"{figures.failures_by_client['ws']} in protocol clients)"
            ),
        ),
    ]
    if figures.browser_sessions:
        rows += [
            ("Chromium: filter change -> page settled, p50 / p95", spread(times("browser", "rerun"))),
            ("Chromium: filter change -> script_finished, p50 / p95", spread(times("browser", "rerun", True))),
            ("Chromium: page load -> page settled, p50 / p95", spread(times("browser", "load"))),
        ]
    if protocol:
        rows += [
            ("Protocol: filter change -> script_finished, p50 / p95", spread(times("ws", "rerun"))),
            ("Protocol: new session -> script_finished, p50 / p95", spread(times("ws", "load"))),
        ]
    if args.downloads:
        for client, name in (
            ("browser", "Chromium: download click -> file saved"),
            ("ws", "Protocol: download (file built on request, then fetched from its URL)"),
        ):
            if client == "browser" and not figures.browser_sessions or client == "ws" and not protocol:
                continue
            failed = figures.downloads_failed[client]
            rows.append(
                (
                    f"{name}, p50 / p95",
                    f"{spread([t.settled_s for t in downloads if t.client == client])}; {failed} failed",
                )
            )
    if figures.by_replica:
        rows.append(
            (
                "Per replica (nginx's log): websockets / files downloaded / file requests off their session",
                "; ".join(
                    f"{address}: {n['sessions']} / {n['downloads']} / {n['elsewhere']}"
                    for address, n in figures.by_replica.items()
                ),
            )
        )
    rows.append(
        (
            "Static file (GET /) once a second while looping, p50 / p95",
            f"{spread(figures.http_times)}, max {seconds(max(figures.http_times, default=None))}",
        )
    )
    everything = [t.settled_s for t in runs]
    rows.append(("Slowest action", seconds(max(everything)) if everything else "–"))
    summed = " (sum over replicas)" if figures.replicas else ""
    rows += [(f"Server RSS {label}{summed}", megabytes(value)) for label, value in figures.memory.items()]
    rows += [
        (
            "Server memory per extra session",
            ("– (the first session warmed one replica only)" if figures.replicas > 1 else "–")
            if per_session is None
            else f"{per_session / 1024:,.0f} KB (RSS after {figures.sessions} − after 1, / {figures.sessions - 1})",
        ),
        (
            "CPU during the loop: "
            + " / ".join(
                {
                    "server": "server" + (" (replicas)" if figures.replicas else ""),
                    "Chromium": "Chromium and its driver",
                }.get(name, name)
                for name in figures.cpu
            ),
            " / ".join(
                f"{value:.0f} s ({100 * value / figures.loop_seconds:.0f}% of a core)" for value in figures.cpu.values()
            ),
        ),
        (
            "Chromium RSS, its processes summed",
            megabytes(figures.chromium_rss) + " (shared pages counted per process)"
            if figures.browser_sessions
            else "–",
        ),
        ("Load test process RSS", megabytes(proc_memory(os.getpid())["VmRSS"])),
        ("Load average (1 min) before / after", f"{figures.load_before[0]:.1f} / {figures.load_after[0]:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [
        f"## {args.title}" if args.title else "## Load test",
        "",
        (
            f"`python -m load --sessions {args.sessions} --browser-sessions {args.browser_sessions} "
            f"--seconds {args.seconds:g} --think {args.think:g} --ramp {args.ramp} --seed {args.seed}"
            + (f" --replicas {args.replicas} --downloads {args.downloads:g}" if args.replicas else "")
            + f"` on {dt.datetime.now():%Y-%m-%d %H:%M}; "
            f"{os.cpu_count()} CPUs, {_memory_total()}, Python {platform.python_version()}, "
            f"Streamlit {streamlit.__version__}. Server and clients share the machine."
        ),
        "",
        f"| {'Measure'.ljust(width)} | Value |",
        f"| {'-' * width} | ----- |",
        *[f"| {name.ljust(width)} | {value} |" for name, value in rows],
        "",
        READING,
    ]
    if figures.failures:
        lines += ["", "## Errors", ""]
        lines += [f"- session {f.session}, {f.kind}, {f.url}: {f.detail}" for f in figures.failures[:60]]
        if len(figures.failures) > 60:
            lines.append(f"- ... and {len(figures.failures) - 60} more")
    return "\n".join(lines) + "\n"


def _memory_total() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return "RAM unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default %(default)s)")
    parser.add_argument(
        "--browser-sessions",
        type=int,
        default=5,
        help="how many of them are Chromium pages; the rest speak the websocket protocol "
        "(default %(default)s; equal to --sessions for browsers only, 0 for none)",
    )
    parser.add_argument("--seconds", type=float, default=60, help="how long the sessions loop (default %(default)s)")
    parser.add_argument(
        "--think",
        type=float,
        default=0,
        help="mean seconds a session pauses after each action (default %(default)s: none)",
    )
    parser.add_argument("--max-iterations", type=int, default=500, help="loop bound per session (default %(default)s)")
    parser.add_argument("--browsers", type=int, default=1, help="Chromium processes to spread the pages over")
    parser.add_argument("--ramp", type=int, default=5, help="sessions connected at a time (default %(default)s)")
    parser.add_argument(
        "--idle-timeout", type=float, default=60, help="seconds an action may take (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=2021, help="random seed for pages and filters")
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="run N replicas behind nginx (deploy/serve.py, as `make serve`) and go through it "
        "(default: the server alone, no proxy)",
    )
    parser.add_argument(
        "--downloads",
        type=float,
        default=None,
        help="share of iterations that download a file the page offers (default 0.2 with --replicas, else 0)",
    )
    parser.add_argument("--db", type=Path, help="database to serve (default: build the demo extracts)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the table (default %(default)s)")
    parser.add_argument("--append", action="store_true", help="add this run to --out instead of replacing it")
    parser.add_argument("--title", default="", help="heading for this run in --out")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.browsers < 1 or args.ramp < 1 or args.think < 0:
        parser.error("--sessions, --browsers and --ramp must be at least 1, --seconds above 0, --think not negative")
    if not 0 <= args.browser_sessions <= args.sessions:
        parser.error("--browser-sessions must be between 0 and --sessions")
    if args.replicas < 0:
        parser.error("--replicas must be 0 (no proxy) or more")
    if args.downloads is None:
        args.downloads = 0.2 if args.replicas else 0.0
    if not 0 <= args.downloads <= 1:
        parser.error("--downloads must be between 0 and 1")
    if args.replicas:
        from deploy.serve import NGINX, NGINX_MISSING

        if not NGINX.exists():
            print(NGINX_MISSING, file=sys.stderr)
            return 2
    if args.browser_sessions and not CHROMIUM.exists():
        print(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (Debian), "
            "or run with --browser-sessions 0.",
            file=sys.stderr,
        )
        return 2
    paths = discover_paths(ROOT)
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        database = args.db.resolve() if args.db else build_demo_database(Path(folder) / "engagement.duckdb")
        if not database.is_file():
            parser.error(f"--db {database}: no such file")
        print(f"Serving {database} ...", flush=True)
        if args.replicas:
            server = Proxied.start(database, Path(folder), args.replicas)
            what = f"nginx {server.url} (pid {server.pid}) in front of {args.replicas} replicas"
        else:
            server = Server.start(database, Path(folder) / "server.log")
            what = f"Server {server.url} (pid {server.pid})"
        try:
            print(
                f"{what}; {args.sessions} sessions "
                f"({args.browser_sessions} in Chromium) for {args.seconds:g} s over {len(paths)} pages ...",
                flush=True,
            )
            figures = asyncio.run(drive(server, args, paths))
        finally:
            server.stop()
            log = server.log_text()
        text = report(figures, args)
        traceback_in_log = TRACEBACK in log
        if traceback_in_log:
            text += "\n## Server log tracebacks\n\n```\n" + log[-6000:] + "\n```\n"
    print(text)
    if args.append and args.out.exists():
        text = args.out.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text
    elif not text.startswith("# "):
        text = HEADER + text
    args.out.write_text(text, encoding="utf-8")
    print(f"Written to {args.out}")
    if traceback_in_log:
        print("The server's log holds a traceback (see the end of the report): the run fails.", file=sys.stderr)
    return 1 if figures.failures or traceback_in_log else 0


if __name__ == "__main__":
    sys.exit(main())
