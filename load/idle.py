"""When is a Streamlit page in Chromium "idle"? The checks, for Playwright's sync and async APIs.

What Streamlit 1.67 shows (checked against the running app):

- ``[data-testid="stApp"]`` carries ``data-test-script-state`` (``initial``, ``running``,
  ``notRunning``, ``rerunRequested``, ``stopRequested``, ``compilationError``) and
  ``data-test-connection-state`` (``CONNECTED`` once the websocket is up).
- During a rerun the previous run's elements carry ``data-stale="true"``; element code is
  loaded lazily and shows ``[data-testid="stSkeleton"]`` until its chunk arrives; a slow run
  shows ``stStatusWidgetRunningIcon``.
- A quick rerun can go from ``notRunning`` to ``notRunning`` within one React render, so the
  DOM may never show ``running``. The one sure sign that a run finished is the
  ``script_finished`` message on the app's websocket, so ``Tracker`` counts those.

Idle = connected, ``notRunning``, no stale element, no skeleton, no running icon, no request
to the app in flight, more ``script_finished`` messages than before the action (when asked),
and no DOM change for ``QUIET_MS``. ``wait_idle`` returns when the page last changed, so a
caller can time an action without counting the quiet period.

One definition for everything that drives the app in Chromium: the load test, the browser
tests (tests/browser/helpers.py) and the rebuild test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

# Debian's Chromium, launched directly (never `playwright install`), headless, quiet on the network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright's sync API, closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


QUIET_MS = 250
POLL_MS = 50
IDLE_TIMEOUT_S = 30.0
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'

# Installed in every browser context: records when the DOM last changed.
INIT_SCRIPT = """
(() => {
  if (window.__stIdle) return;
  const state = window.__stIdle = {lastMutation: performance.now()};
  const start = () => new MutationObserver(() => { state.lastMutation = performance.now(); })
    .observe(document.documentElement || document,
             {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

# Returns -1 when not idle, else the milliseconds since the DOM last changed.
IDLE_CHECK = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || !window.__stIdle) return -1;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return -1;
  const script = app.getAttribute('data-test-script-state');
  if (script !== 'notRunning' && script !== 'compilationError') return -1;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], '
                             + '[data-testid="stStatusWidgetRunningIcon"]')) return -1;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && /running/i.test(status.textContent
                                + (status.querySelector('[aria-label]')?.getAttribute('aria-label') || ''))) return -1;
  const quiet = performance.now() - window.__stIdle.lastMutation;
  return quiet >= quietMs ? quiet : -1;
}
"""

IDLE_STATE = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    script: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    stale: document.querySelectorAll('[data-stale="true"]').length,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    msSinceLastChange: window.__stIdle ? Math.round(performance.now() - window.__stIdle.lastMutation) : null,
  };
}
"""


@dataclass
class Tracker:
    """A page's traffic with the app: requests in flight, and script runs finished (with when)."""

    origin: str  # http://127.0.0.1:port
    pending: set = field(default_factory=set)
    finished: int = 0
    finished_at: float = 0.0  # time.monotonic() of the last script_finished

    def on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: nothing to count
            return
        if message.WhichOneof("type") == "script_finished":
            self.finished += 1
            self.finished_at = time.monotonic()

    def attach(self, page) -> Tracker:
        """Listen to ``page`` (sync or async Playwright page: ``on`` takes plain callbacks in both)."""

        def mine(request) -> bool:  # other hosts never block idling
            return request.url.startswith(self.origin)

        ws_origin = "ws" + self.origin.removeprefix("http")
        page.on("request", lambda r: self.pending.add(r) if mine(r) else None)
        page.on("requestfinished", lambda r: self.pending.discard(r))
        page.on("requestfailed", lambda r: self.pending.discard(r))
        page.on("websocket", lambda ws: ws.on("framereceived", self.on_frame) if ws.url.startswith(ws_origin) else None)
        return self


def _ready(quiet_ms: float, tracker: Tracker, runs_after: int | None) -> bool:
    if runs_after is not None and tracker.finished <= runs_after:
        return False
    return not tracker.pending and quiet_ms >= 0


def wait_idle(page, tracker: Tracker, runs_after: int | None = None, timeout: float = IDLE_TIMEOUT_S) -> float:
    """Sync API: wait until idle; return the time.monotonic() at which the page last changed."""
    deadline = time.monotonic() + timeout
    while True:
        quiet = page.evaluate(IDLE_CHECK, QUIET_MS)
        if _ready(quiet, tracker, runs_after):
            return time.monotonic() - quiet / 1000
        if time.monotonic() > deadline:
            raise TimeoutError(_not_idle(page.url, page.evaluate(IDLE_STATE), tracker, runs_after, timeout))
        page.wait_for_timeout(POLL_MS)


async def wait_idle_async(
    page, tracker: Tracker, runs_after: int | None = None, timeout: float = IDLE_TIMEOUT_S, poll_ms: float = POLL_MS
) -> float:
    """Async API: wait until idle; return the time.monotonic() at which the page last changed."""
    deadline = time.monotonic() + timeout
    while True:
        quiet = await page.evaluate(IDLE_CHECK, QUIET_MS)
        if _ready(quiet, tracker, runs_after):
            return time.monotonic() - quiet / 1000
        if time.monotonic() > deadline:
            raise TimeoutError(_not_idle(page.url, await page.evaluate(IDLE_STATE), tracker, runs_after, timeout))
        await asyncio.sleep(poll_ms / 1000)


def _not_idle(url: str, state: dict, tracker: Tracker, runs_after: int | None, timeout: float) -> str:
    return (
        f"page {url} not idle after {timeout:.0f} s: {state}; runs finished {tracker.finished} "
        f"(waiting for more than {runs_after}); requests in flight: {[r.url for r in list(tracker.pending)][:3]}"
    )
