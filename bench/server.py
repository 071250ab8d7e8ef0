"""Cold start and peak memory of the real Streamlit server, driven by Debian's Chromium.

For one app (the product's ``app.py`` or the reference's ``bench/reference/app.py``)
and one database:

- start ``python -m streamlit run <app> --server.port <free> --server.headless true``
  with DASHBOARD_DB set, and time until ``/_stcore/health`` answers ``ok``;
- load the entry page in headless Chromium and time until it is complete: the
  script has finished, the websocket is connected, nothing is stale or running,
  metric values are visible and the page has stopped changing. The time is taken
  at the page's last change (read from the browser's own clock, which is this
  machine's), not when the quiet wait ends;
- visit every page once, then again with a few filter combinations (through the
  page address: both apps bind their filters to URL parameters), waiting each
  time until the page is complete;
- read the server's peak resident memory (``VmHWM`` in ``/proc/<pid>/status``).

Chromium is launched directly from ``/usr/bin/chromium`` (never ``playwright
install``); without it this part is skipped with a note. The server is stopped
by its own process id (and its own process group).
"""

from __future__ import annotations

import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deploy.serve import app_command, free_port, healthy
from load.idle import CHROMIUM, INIT_SCRIPT, chromium  # INIT_SCRIPT: when the DOM last changed
from load.server import launch, stop

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120
PAGE_TIMEOUT_S = 180
QUIET_MS = 250
VIEWPORT = {"width": 1366, "height": 900}

# True when the page is complete; then returns the epoch time (ms) of its last change.
COMPLETE_CHECK = """
({quietMs, needMetrics}) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || !window.__stIdle) return null;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return null;
  const script = app.getAttribute('data-test-script-state');
  if (script !== 'notRunning' && script !== 'compilationError') return null;
  if (document.querySelector('[data-stale="true"]')) return null;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return null;
  if (needMetrics) {
    const metric = document.querySelector('[data-testid="stMetricValue"]');
    if (!metric || metric.getBoundingClientRect().height === 0) return null;
  }
  if (performance.now() - window.__stIdle.lastMutation < quietMs) return null;
  return performance.timeOrigin + window.__stIdle.lastMutation;
}
"""


@dataclass
class ServerResult:
    app: str
    health_s: float | None = None  # start -> /_stcore/health ok
    first_page_s: float | None = None  # start -> entry page complete
    first_page_load_s: float | None = None  # navigation -> entry page complete
    rss_started_mb: float | None = None  # VmRSS when healthy
    peak_rss_mb: float | None = None  # VmHWM after the walk
    page_loads: int = 0
    errors: list[str] = field(default_factory=list)
    note: str = ""


def chromium_available() -> bool:
    return CHROMIUM.exists()


def memory_mb(pid: int, field_name: str) -> float | None:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of a process, in MB (10^6 bytes)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024 / 1e6
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def page_url(base: str, name: str, params: list[tuple[str, str]] = ()) -> str:
    query = urllib.parse.urlencode(list(params))
    return f"{base}/{name}" + (f"?{query}" if query else "")


class NotStarted(RuntimeError):
    """The server did not answer on /_stcore/health in time (or exited)."""


@contextmanager
def serving(app: Path, database: Path, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """``streamlit run <app>`` on a free port against ``database`` (as in service: ``app_command``),
    until healthy; yields the process and its base address, and stops it (by its own id) on the way out."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = launch(app_command(port, script=str(app.relative_to(ROOT))), database, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise NotStarted(f"server did not become healthy (exit code {process.poll()}); see {log}")
            time.sleep(0.02)
        yield process, base
    finally:
        stop(process)


def wait_complete(page, need_metrics: bool, timeout_s: float = PAGE_TIMEOUT_S) -> float:
    """Wait until the page is complete; return the epoch time (s) of its last change."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done = page.evaluate(COMPLETE_CHECK, {"quietMs": QUIET_MS, "needMetrics": need_metrics})
        if done:
            return done / 1000
        page.wait_for_timeout(50)
    raise TimeoutError(f"{page.url} was not complete within {timeout_s:.0f} s")


def _page_errors(page) -> list[str]:
    count = page.locator('[data-testid="stException"]').count()
    return [f"{page.url}: {count} exception(s) shown"] if count else []


def measure(
    app: Path, pages: list[str], database: Path, walks: list[list[tuple[str, str]]], log: Path, label: str
) -> ServerResult:
    """Cold start, then every page once and again per filter combination in ``walks``; peak memory.

    ``pages`` are Streamlit page names ('' for the entry page); ``walks`` are URL
    parameter lists, one page load each, spread over the pages in turn.
    """
    result = ServerResult(label)
    if not chromium_available():
        result.note = f"skipped: {CHROMIUM} not found (apt-get install -y chromium)"
        return result
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        started = time.time()
        try:
            with serving(app, database, log) as (process, base):
                result.health_s = time.time() - started
                result.rss_started_mb = memory_mb(process.pid, "VmRSS")
                navigated = time.time()
                page.goto(page_url(base, ""), wait_until="commit")
                complete = wait_complete(page, need_metrics=True)
                result.first_page_s = complete - started
                result.first_page_load_s = complete - navigated
                result.page_loads = 1
                result.errors += _page_errors(page)
                visits = [(name, []) for name in pages[1:]]
                visits += [(pages[i % len(pages)], params) for i, params in enumerate(walks)]
                for name, params in visits:
                    page.goto(page_url(base, name, params), wait_until="commit")
                    try:
                        wait_complete(page, need_metrics=False)
                    except TimeoutError as error:
                        result.errors.append(str(error))
                    result.errors += _page_errors(page)
                    result.page_loads += 1
                result.peak_rss_mb = memory_mb(process.pid, "VmHWM")
        except NotStarted as error:
            result.errors.append(str(error))
    return result
