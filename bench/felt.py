"""A filter change as a person feels it: real Chromium against the real server, every page and the floor.

For every page of the app (``bench.pages.discover_pages``) and then the floor (``bench/floor/app.py``,
the same sidebar and elements with no data work, on a server of its own over the same database):

1. open the page with a month range of three months or more from ``bench.combos`` in its address
   (each page its own; My area's with one service area) and wait until it is idle with every chart
   drawn (not timed);
2. change one filter in the sidebar with the mouse, ``changes`` times in turn: pick one more care
   group, then another To month, then another From month, and so on (My area: months only, as it
   needs its one service area; a box with nothing else to offer passes to the next).
   Each change is timed from the press on the option (the browser's ``pointerdown``) to the page's
   last change once it is idle (``load.idle``, the one definition of idle: the script run finished on
   the websocket, nothing stale or loading, no request in flight, no DOM change for 250 ms, which is
   not counted) with every chart on the page drawn (an SVG or canvas with a size). Both ends are read
   from the browser's own clock.

The server's peak memory (VmHWM) is read after its walk. Chromium is Debian's, launched directly.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import combos
from bench.pages import FLOOR, database_options, discover_pages, is_my_area, page_name, page_title
from bench.server import VIEWPORT, NotStarted, memory_mb, page_url, serving
from load.idle import ERRORS, INIT_SCRIPT, Tracker, chromium, wait_idle

ROOT = Path(__file__).resolve().parent.parent
CHANGES = 5  # timed filter changes per page (the median is reported)
TIMEOUT_S = 120.0  # a page that is not idle by then is an error, not a number
TAKE_S = 15.0  # a pick that starts no script run by then did not take
CARE_GROUP = "Care group"
TO_MONTH = "To month"
FROM_MONTH = "From month"

# Installed in every context: when the mouse last went down, and when a script run last finished as the page
# learnt it (the app's data-test-script-state turning to notRunning), on the browser's clock (performance.now()).
PRESS_CLOCK = """
(() => {
  if ('__benchPressed' in window) return;
  window.__benchPressed = null;
  window.__benchScriptDone = null;
  document.addEventListener('pointerdown', () => {
    window.__benchPressed = performance.now();
    window.__benchScriptDone = null;
  }, true);
  const watch = () => new MutationObserver(changes => {
    if (changes.some(c => c.target.getAttribute('data-test-script-state') === 'notRunning'))
      window.__benchScriptDone = performance.now();
  }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
  if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();
"""

# Charts on the page, and how many are drawn (an SVG or canvas with a size); hidden ones (a closed tab) count as drawn.
CHARTS = """
() => {
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const drawn = charts.filter(chart => {
    if (!chart.checkVisibility()) return true;
    const drawing = chart.querySelector('svg, canvas');
    const box = drawing && drawing.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0;
  });
  return [charts.length, drawn.length];
}
"""

RUNNING = """
() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') !== 'notRunning'
  || !!document.querySelector('[data-stale="true"]')
"""
FELT_MS = "() => window.__benchPressed === null ? null : window.__stIdle.lastMutation - window.__benchPressed"
# Of that, the part until the page learnt the script run had finished (the run on the server, sending its
# elements and the browser taking each in as it comes).
# (The two observers see the same batch of changes one after the other: the run ends no later than the last change.)
SCRIPT_MS = """
() => window.__benchPressed === null || window.__benchScriptDone === null ? null
  : Math.min(window.__benchScriptDone, window.__stIdle.lastMutation) - window.__benchPressed
"""


@dataclass
class Felt:
    page: str  # script, relative to the repository root
    title: str
    changes_ms: list[float] = field(default_factory=list)  # press -> idle with every chart drawn, per change
    # Of it, per change: press -> the script run finished, as the page learnt it (None: no run seen to finish).
    script_ms: list[float | None] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # which filter each change moved ("Care group", "To month")
    charts: int = 0  # charts on the page after the last change
    errors: list[str] = field(default_factory=list)


@dataclass
class FeltRun:
    pages: list[Felt] = field(default_factory=list)  # the app's pages, then the floor (last)
    server_peak_mb: float | None = None  # the app's server, VmHWM after the walk
    floor_server_peak_mb: float | None = None
    errors: list[str] = field(default_factory=list)


def settle(page, tracker: Tracker, runs_after: int | None) -> int:
    """Wait until idle (after one more script run than ``runs_after``, when given) with every chart
    drawn; return the number of charts."""
    wait_idle(page, tracker, runs_after=runs_after, timeout=TIMEOUT_S)
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        charts, drawn = page.evaluate(CHARTS)
        if drawn == charts:
            return charts
        if time.monotonic() > deadline:
            raise TimeoutError(f"{page.url}: {charts - drawn} of {charts} charts not drawn after {TIMEOUT_S:.0f} s")
        page.wait_for_timeout(50)
        wait_idle(page, tracker, timeout=TIMEOUT_S)  # a chart drawn is a change: idle again after it


def _listbox(page, label: str):
    """Open the sidebar box labelled ``label`` (a react-aria combobox, select box or multiselect).

    Scrolled to first: a list opened while the sidebar scrolls to its box closes again."""
    box = page.locator(f'[data-testid="stSidebar"] input[aria-label="{label}"]')
    listbox = page.locator(f'[role="listbox"][aria-label="{label}"]')
    box.scroll_into_view_if_needed()
    for attempt in range(3):
        page.wait_for_timeout(100)
        try:
            # Something left over the box (another box's list still open) takes the click: Escape closes it.
            box.click(timeout=5_000)
            listbox.wait_for(state="visible", timeout=3_000)
            return listbox
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    return listbox


def _options(listbox) -> list[str]:
    names = listbox.locator('[role="option"]:not([data-key="__select_all__"])').all_inner_texts()
    return [name.strip() for name in names if name.strip()]


def _run_started(page, tracker: Tracker, before: int) -> bool:
    """True once a script run has finished since ``before`` or one is under way (within ``TAKE_S``)."""
    deadline = time.monotonic() + TAKE_S
    while time.monotonic() < deadline:
        if tracker.finished > before or page.evaluate(RUNNING):
            return True
        page.wait_for_timeout(20)
    return False


def _value(page, label: str) -> str:
    return page.locator(f'[data-testid="stSidebar"] input[aria-label="{label}"]').input_value()


def change(page, tracker: Tracker, label: str, rng: random.Random) -> tuple[float, int, float | None] | None:
    """Pick another value in the sidebar box ``label`` with the mouse; the felt time (ms), the charts
    drawn and the time until the script run finished (ms), or None when the box offers nothing else."""
    current = _value(page, label)
    listbox = _listbox(page, label)
    offered = [name for name in _options(listbox) if name != current]
    # A To month before the From month would match nothing (and the other way round).
    if label == TO_MONTH:
        offered = [name for name in offered if name >= _value(page, FROM_MONTH)]
    elif label == FROM_MONTH:
        offered = [name for name in offered if name <= _value(page, TO_MONTH)]
    if not offered:
        page.keyboard.press("Escape")
        return None
    before = tracker.finished
    target = rng.choice(offered)
    for attempt in range(3):  # a long list can scroll under the pointer and redraw its options: pick again
        page.evaluate("() => { window.__benchPressed = null; }")
        try:
            listbox.get_by_role("option", name=target, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2 or tracker.finished > before:
                raise
            if not listbox.is_visible():
                listbox = _listbox(page, label)
    if not _run_started(page, tracker, before):  # the pick did not take (the list moved under the pointer)
        raise RuntimeError(f"{label}: no script run followed the pick within {TAKE_S:.0f} s")
    charts = settle(page, tracker, runs_after=before)
    felt, script = page.evaluate(FELT_MS), page.evaluate(SCRIPT_MS)
    if felt is None:
        raise RuntimeError(f"{label}: no press on the option was seen")
    if listbox.is_visible():  # a multiselect's list stays open after a pick
        page.keyboard.press("Escape")
        listbox.wait_for(state="hidden", timeout=10_000)
        settle(page, tracker, runs_after=None)
    return felt, charts, script


def walk(
    page, tracker: Tracker, base: str, script: Path, start: list[tuple[str, str]], changes: int, seed: int
) -> Felt:
    """Open ``script``'s page at the filter state ``start`` and time ``changes`` filter changes."""
    name = "" if script == FLOOR else page_name(script)
    result = Felt(str(script.relative_to(ROOT)), page_title(script))
    rng = random.Random(f"felt:{seed}:{result.page}")
    labels = [TO_MONTH, FROM_MONTH] if is_my_area(script) else [CARE_GROUP, TO_MONTH, FROM_MONTH]
    try:
        before = tracker.finished
        page.goto(page_url(base, name, start), wait_until="commit")
        settle(page, tracker, runs_after=before)
        for number in range(changes):
            timed = None
            for turn in range(len(labels)):  # a box with nothing else to offer: the next one
                label = labels[(number + turn) % len(labels)]
                timed = change(page, tracker, label, rng)
                if timed is not None:
                    break
            if timed is None:
                result.errors.append(f"change {number + 1}: no other value offered")
                break
            result.changes_ms.append(timed[0])
            result.script_ms.append(timed[2])
            result.changed.append(label)
            result.charts = timed[1]
            shown = page.locator(ERRORS).all_inner_texts()
            if shown:
                result.errors.append(f"change {number + 1} ({label}): {' | '.join(shown)[:300]}")
    except Exception as error:  # noqa: BLE001 - a page that fails is reported, the run goes on
        result.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0][:300]}")
    return result


def starts(database: Path, seed: int, scripts: list[Path]) -> list[list[tuple[str, str]]]:
    """A filter state per page, in its address: a month range from ``bench.combos`` (new in this run) of
    three months or more, every survey and staff group (a page shows what most people see) and no care
    group (so there is one to pick); My area's with one service area."""
    first, last, areas = database_options(database)
    shared = combos.combinations(first, last, areas, seed + 2)
    one_area = combos.combinations(first, last, areas, seed + 2, one_service_area=True)
    chosen = []
    for script in scripts:
        source = one_area if is_my_area(script) else shared
        combination = next(c for c in source if not c.care_group and (c.date_to - c.date_from).days > 80)
        params = combination.query_params(first, last)
        chosen.append([(name, value) for name, value in params if name not in ("survey", "staff_group")])
    return chosen


def measure(database: Path, folder: Path, changes: int = CHANGES, seed: int = 2021, only: list[Path] = ()) -> FeltRun:
    """Every page (or ``only`` these), then the floor: ``changes`` timed filter changes each."""
    run = FeltRun()
    scripts = list(only) or discover_pages()
    begin = starts(database, seed, [*scripts, FLOOR])
    with chromium() as browser:
        for app, group, label in ((ROOT / "app.py", scripts, "app"), (FLOOR, [FLOOR], "floor")):
            try:
                with serving(app, database, folder / f"felt-{label}.log") as (process, base):
                    for script in group:
                        context = browser.new_context(viewport=VIEWPORT)
                        context.add_init_script(INIT_SCRIPT)
                        context.add_init_script(PRESS_CLOCK)
                        page = context.new_page()
                        tracker = Tracker(base).attach(page)
                        index = scripts.index(script) if script in scripts else len(scripts)
                        run.pages.append(walk(page, tracker, base, script, begin[index], changes, seed))
                        context.close()
                    peak = memory_mb(process.pid, "VmHWM")
                    if app == FLOOR:
                        run.floor_server_peak_mb = peak
                    else:
                        run.server_peak_mb = peak
            except NotStarted as error:
                run.errors.append(f"{label}: {error}")
    return run
