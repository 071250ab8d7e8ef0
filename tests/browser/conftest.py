"""Real-browser tests: the real Streamlit server, driven by Debian's Chromium through Playwright.

Run them alone with ``make browser-test`` or ``.venv/bin/python -m pytest tests/browser``
(``-m "not browser"`` leaves them out of a full run).

What they need:

- Chromium at ``/usr/bin/chromium`` (``apt-get install -y chromium`` on Debian). It is
  launched directly; ``playwright install`` is never needed. Without it every test here
  is skipped, with that hint.
- For the accessibility test, axe-core from ``node_modules/`` (``npm ci``; the version is
  pinned in package.json/package-lock.json). Without it that test is skipped.
- The demo extracts in ``data/extracts/``: the session builds a database from them with
  the real pipeline (the ``demo_db`` fixture of tests/conftest.py), starts
  ``streamlit run app.py`` on a free port against it, once, and stops it at the end.

Pages are discovered: the Overview (``/``) plus every script in ``pages/``, at the URL
Streamlit gives it (``pages/3_IT_reliability.py`` -> ``/IT_reliability``).

Each test's page is a new tab (a fresh session) in a browser context the run shares
(``browsers``). How they wait for the app to be idle (no fixed sleeps) is explained at the top
of ``helpers.py``. Chart text cut off at a chart's edge is
reported as a warning, not a failure; the axe summary is printed at the end of the run.

A Python traceback in the server's log (``Traceback (most recent call last)``), or a warning logged
with its stack (``Stack (most recent call last)``), fails the test
during which it was written, even when no page showed it (e.g. a table Arrow could not
convert, which Streamlit only logs); one written after the last test's check fails the run
when the server stops.

Artefacts (git-ignored): ``test-artefacts/screenshots/<page>.png`` (full-page screenshots),
``test-artefacts/axe/<page>.json`` (axe-core results), ``test-artefacts/browser-server.log``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from load.idle import CHROMIUM, chromium
from load.server import Server

from .helpers import ARTEFACTS, AXE_SUMMARY, INIT_SCRIPT, ROOT, track_page

HERE = Path(__file__).resolve().parent
CHROMIUM_MISSING = "Chromium not found: install it with `apt-get install -y chromium` (Debian) to run the browser tests"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = "axe-core not installed: run `npm ci` (Makefile does this)"
VIEWPORT = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)  # out of `make test-fast`
            if not CHROMIUM.exists():
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not AXE_SUMMARY:
        return
    terminalreporter.section("axe-core (WCAG 2.0/2.1 A+AA, 2.2 AA): violated rules by impact, per page")
    for name, counts in AXE_SUMMARY.items():
        line = ", ".join(f"{impact} {counts.get(impact, 0)}" for impact in ("critical", "serious", "moderate", "minor"))
        if counts.get("review"):
            line += "; needs review: " + ", ".join(f"{rule} {n}" for rule, n in counts["review"].items())
        terminalreporter.write_line(f"{name:30} {line}")
    terminalreporter.write_line(
        "('needs review' = axe could not decide, e.g. colour contrast of chart text drawn in SVG; "
        "details in test-artefacts/axe/<page>.json)"
    )


@pytest.fixture(scope="package")
def app_server(demo_db: Path) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port against the demo database, for the whole session
    (``load.server.Server``: as in service, as the load test starts it)."""
    ARTEFACTS.mkdir(exist_ok=True)
    try:
        server = Server.start(demo_db, ARTEFACTS / "browser-server.log")
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
    leftover = server.new_tracebacks()
    if leftover:
        pytest.fail(f"The Streamlit server logged a traceback after the last check:\n{leftover[:6000]}", pytrace=False)


@pytest.fixture(autouse=True)
def no_traceback_in_server_log(app_server: Server) -> Iterator[None]:
    """Fails the test when the server logs a Python traceback while it runs (issue 15)."""
    app_server.new_tracebacks()  # what came before belongs to earlier tests (checked after each)
    yield
    found = app_server.new_tracebacks()
    if found:
        pytest.fail(
            f"The Streamlit server logged a traceback during this test (full log: {app_server.log}):\n{found[:6000]}",
            pytrace=False,
        )


@pytest.fixture(scope="package")
def browser() -> Iterator:
    with chromium() as launched:
        yield launched


def _context(browser, server: Server):
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    context.add_init_script(INIT_SCRIPT)
    context.on("page", lambda page: track_page(page, server.url))
    return context


@pytest.fixture(scope="package")
def browsers(browser, app_server: Server) -> Iterator[tuple]:
    """Two browser contexts for the whole run, each like a person's browser of its own: they share no
    cookies or storage. A test's page is a new tab in the first; a colleague's in the second.

    A new tab is a new Streamlit session (the server keeps widget state per session, and a tab
    starts with none), and storage is cleared when a test's tab closes (the app keeps e.g. whether
    the sidebar is open there), so tests do not see each other's choices. Tabs of one context share
    its HTTP cache, so the app's scripts are fetched and compiled once per context rather than once
    per page load (about a second each)."""
    own, other = _context(browser, app_server), _context(browser, app_server)
    yield own, other
    own.close()
    other.close()


@pytest.fixture
def page(browsers) -> Iterator:
    """A page in a new tab of its own (a fresh session), at the desktop size."""
    tab = browsers[0].new_page()
    yield tab
    _close(tab)


@pytest.fixture
def colleague(browsers) -> Iterator[Callable]:
    """Opens a new tab in the other browser: someone else opening a link (none of the first
    browser's cookies, storage or session)."""
    tabs = []

    def open_tab():
        tabs.append(browsers[1].new_page())
        return tabs[-1]

    yield open_tab
    for tab in tabs:
        _close(tab)


def _close(tab) -> None:
    """Close a test's tab, clearing what the app stored in its browser (the next test starts as in a new browser)."""
    if tab.url.startswith("http"):
        tab.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
    tab.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser bundle from node_modules (skips with a hint when not installed)."""
    if not AXE.exists():
        pytest.skip(AXE_MISSING)
    return AXE
