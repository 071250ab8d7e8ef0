"""Browser sessions for the load test: Playwright (async) driving Debian's Chromium.

One Chromium process (or a few, ``--browsers``) holds many browser contexts; each context has one
page, so one Streamlit session. A session loops: open a page of the app with random filters in the
link, then change one sidebar filter with the mouse, each time waiting until the app is idle and
checking that it shows no exception and no error box.
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import demo.model as demo_model
from dashboard.core import registry
from load.idle import ERRORS, INIT_SCRIPT, Tracker, wait_idle_async

FILTERS = ("Care group", "Survey", "Staff group")  # sidebar multiselects a session changes
POLL_MS = 200  # 50 pages polling every 50 ms would swamp 2 cores with DevTools calls

# The page's clock, and when its DOM last changed (recorded by load.idle.INIT_SCRIPT).
NOW = "() => performance.now()"
LAST_CHANGE = "() => window.__stIdle ? window.__stIdle.lastMutation : performance.now()"


def discover_paths(root: Path) -> list[str]:
    """URL paths of the app's pages: '/' for app.py, then '/<name>' for pages/<n>_<name>.py."""
    return [page.url_path for page in registry.pages(root)]


def random_link(rng: random.Random, paths: list[str]) -> str:
    path = rng.choice(paths)
    params: list[tuple[str, str]] = []
    if rng.random() < 0.5:
        params.append(("care_group", rng.choice(demo_model.CARE_GROUPS)))
    if rng.random() < 0.3:
        params.append(("survey", rng.choice(demo_model.SURVEYS)))
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


@dataclass
class Timing:
    client: str  # "browser" (Chromium) or "ws" (websocket protocol)
    kind: str  # "load" (open a page) or "rerun" (change a sidebar filter)
    path: str
    settled_s: float  # action -> the page stopped changing (Chromium) or script_finished arrived (protocol)
    finished_s: float | None  # action -> script_finished received, for reruns


@dataclass
class Failure:
    session: int
    kind: str
    url: str
    detail: str


@dataclass
class BaseSession:
    """What a browser ``Session`` and a ``load.protocol.ProtocolSession`` share: the session's number,
    its random choices, how long an action may take, and the timings and failures it records."""

    number: int
    rng: random.Random = field(kw_only=True)
    idle_timeout: float = field(kw_only=True)
    timings: list[Timing] = field(default_factory=list, kw_only=True)
    failures: list[Failure] = field(default_factory=list, kw_only=True)

    @property
    def url(self) -> str:
        """The page the session is on (each kind of session knows its own)."""
        raise NotImplementedError

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append(Failure(self.number, kind, self.url, detail))

    async def step(self, action: str, coroutine) -> bool:
        """Run one action; a timeout or an error is a failure of this session, not the run."""
        try:
            await coroutine
            return True
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            self.fail(action, f"{type(error).__name__}: {error}"[:400])
            return False


@dataclass
class Session(BaseSession):
    """A Chromium page in a browser context of its own."""

    context: object
    page: object
    tracker: Tracker
    page_errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.page.url

    async def _wait(self, runs_after: int) -> float:
        return await wait_idle_async(
            self.page, self.tracker, runs_after=runs_after, timeout=self.idle_timeout, poll_ms=POLL_MS
        )

    async def _check(self, kind: str) -> bool:
        shown = await self.page.locator(ERRORS).all_inner_texts()
        problems = [text.strip()[:300] for text in shown]
        if self.page_errors:
            problems += [f"JavaScript error: {e[:300]}" for e in self.page_errors]
            self.page_errors.clear()
        for problem in problems:
            self.fail(kind, problem)
        return not problems

    async def open(self, link: str) -> None:
        """Go to ``link`` and wait until the app is idle; time it (wall clock: a new document, a new page clock)."""
        before = self.tracker.finished
        started = time.monotonic()
        await self.page.goto(link, wait_until="domcontentloaded")
        last_change = await self._wait(before)
        if await self._check("load"):
            self.timings.append(Timing("browser", "load", link, last_change - started, None))

    async def change_filter(self) -> None:
        """Pick one more option in a random sidebar multiselect; time the rerun."""
        label = self.rng.choice(FILTERS)
        box = self.page.locator(f'[data-testid="stSidebar"] [data-testid="stMultiSelect"] input[aria-label="{label}"]')
        await box.click()
        listbox = self.page.locator(f'[role="listbox"][aria-label="{label}"]')
        await listbox.wait_for(state="visible", timeout=self.idle_timeout * 1000)
        options = listbox.locator('[role="option"]:not([data-key="__select_all__"]):not([aria-selected="true"])')
        count = await options.count()
        if count == 0:
            await self.page.keyboard.press("Escape")
            return
        choice = options.nth(self.rng.randrange(count))
        option = (await choice.inner_text()).strip()
        before = self.tracker.finished
        started_page = await self.page.evaluate(NOW)
        started = time.monotonic()
        await choice.click()
        await self.page.keyboard.press("Escape")
        try:
            await self._wait(before)
        except TimeoutError as error:
            tags = await self.page.locator('[data-testid="stSidebar"] [data-tag]').evaluate_all(
                "els => els.map(e => e.getAttribute('aria-label'))"
            )
            raise TimeoutError(f"after picking {label}={option!r} (sidebar tags now {tags}): {error}") from None
        settled = (await self.page.evaluate(LAST_CHANGE) - started_page) / 1000  # page clock
        finished = self.tracker.finished_at - started
        if await self._check("rerun"):
            self.timings.append(Timing("browser", "rerun", self.page.url, settled, finished))

    async def download(self) -> None:
        """Click a random download button of the page (if it offers any) and wait for the file, as a person does."""
        buttons = self.page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"]')
        count = await buttons.count()
        if count == 0:
            return
        button = buttons.nth(self.rng.randrange(count))
        label = (await button.inner_text()).strip().splitlines()[-1]  # after the icon's name
        await button.scroll_into_view_if_needed()
        started = time.monotonic()
        async with self.page.expect_download(timeout=self.idle_timeout * 1000) as info:
            await button.locator("button, a").first.click()
        download = await info.value
        failure = await download.failure()
        path = None if failure else await download.path()
        elapsed = time.monotonic() - started
        if failure or path is None or not Path(path).stat().st_size:
            self.fail("download", f"{label}: {failure or 'empty file'} ({download.url})")
        else:
            self.timings.append(Timing("browser", "download", self.page.url, elapsed, elapsed))

    async def close(self) -> None:
        await self.context.close()


async def new_session(browser, number: int, base_url: str, seed: int, idle_timeout: float) -> Session:
    context = await browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(idle_timeout * 1000)
    await context.add_init_script(INIT_SCRIPT)
    page = await context.new_page()
    session = Session(
        number,
        context,
        page,
        Tracker(base_url).attach(page),
        rng=random.Random(seed + number),
        idle_timeout=idle_timeout,
    )
    page.on("pageerror", lambda error: session.page_errors.append(str(error)))
    return session


async def run_loop(
    session, paths: list[str], deadline: float, max_iterations: int, think: float = 0, downloads: float = 0
) -> int:
    """Open a page with random filters, then change a filter; repeat until the deadline. Returns iterations.

    ``session`` is a browser ``Session`` or a ``load.protocol.ProtocolSession`` (a ``BaseSession``, same methods).
    ``think``: mean seconds a person would pause after each action (0: act again at once).
    ``downloads``: the share of iterations that then download a file the page offers.
    """

    async def pause() -> None:
        if think:
            await asyncio.sleep(min(max(0.0, deadline - time.monotonic()), session.rng.uniform(0.5, 1.5) * think))

    await asyncio.sleep(session.rng.uniform(0, 2 + think))  # sessions do not all act in the same instant
    iterations = 0
    for _ in range(max_iterations):
        if time.monotonic() >= deadline:
            break
        if not await session.step("load", session.open(random_link(session.rng, paths))):
            await asyncio.sleep(1)  # let a struggling server breathe before the next try
            continue
        await pause()
        if time.monotonic() < deadline:
            await session.step("rerun", session.change_filter())
            await pause()
        if downloads and time.monotonic() < deadline and session.rng.random() < downloads:
            await session.step("download", session.download())
        iterations += 1
    return iterations
