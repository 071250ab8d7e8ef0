"""Rebuilding the database while people use the app: nobody sees an error or a half-old, half-new page.

The real server (``streamlit run app.py``) serves a database built by the real pipeline from a copy
of the demo extracts. Three browser sessions keep rerunning (they switch a sidebar filter on and
off) while ``python -m pipeline build`` swaps in databases built from changed extracts, twice.
Each version adds 10 conversations (15 hours) in a service area that had none, 10 staff, 10 actions
(5 of them completed quick wins) and 100 Staff survey responses in the latest wave (the one the
Overview shows), so every tile differs between versions. Checked after every rerun: no exception or error box, and the tiles equal ONE version's
figures for the session's filters (the one before the swap or the one after), never a mix. After each
swap: the sessions opened before it keep working and show the new figures, and a new page load shows
them too, without restarting the server; the server log holds no traceback. Expected figures are
computed with pandas from each version's extracts: engagement here, the survey tiles (sums of the
released cells, as every survey figure is) by tests/oracle.py, with which groups each version
releases read from that version built once beforehand into a file of its own (the swapped-in file
is checked to release the same).

Needs Chromium at /usr/bin/chromium (skipped with a hint otherwise), like tests/browser.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.filters import Filters
from dashboard.core.measures import ENGAGEMENT, OVERVIEW_ENGAGEMENT
from load.idle import CHROMIUM, chromium
from load.server import Server, stop
from pipeline.build import build as build_in_process
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, start_child

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium not found: install it with `apt-get install -y chromium` (Debian) to run this test",
        allow_module_level=True,
    )
pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (requirements-dev.txt)")

from playwright.sync_api import Page  # noqa: E402 - after the skips above

from load.idle import ERRORS, INIT_SCRIPT, Tracker, wait_idle  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUILD_TIMEOUT_S = 60
MAX_ROUNDS_PER_BUILD = 3  # keeps the test well under a minute on a busy 2-core machine
VERSIONS = 3  # the demo extracts, then two rebuilds, each adding one block of rows
AMH = "Adult mental health"
NURSING = "Nursing"
# The demo's latest wave (the one the Overview shows) and its first day: the blocks' responses are in it.
LATEST_WAVE, IN_LATEST_WAVE = (
    pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str)
    .sort_values(["opened", "wave_id"])
    .iloc[-1][["wave_id", "opened"]]
)
TILES = {  # the Overview's tiles
    "Conversation hours",
    "Staff engaged",
    "Actions raised",
    "Service areas covered",
    "Quick wins completed",
    "IT skills rated good",
    "Information available",
    "IT too unreliable",
}
ENGAGEMENT_PAGE_TILES = {"Conversations", "Conversation hours", "Staff engaged", "Service areas covered"}


# --------------------------------------------------------------------------- the versions of the extracts


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    with open(path, "a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=header).writerows(rows)


def _block(version: int, area: str) -> dict[str, list[dict[str, str]]]:
    """The rows version ``version`` adds: all in ``area`` (Adult mental health, no conversation before)."""
    ids = [f"{version}-{i:02d}" for i in range(10)]
    return {
        "conversations": [
            {
                "conversation_id": f"CONV-R{i}",
                "held_on": "2021-04-12",
                "service_area": area,
                "hours": "1.5",
                "format": "Face to face",
            }
            for i in ids
        ],
        "conversation_attendees": [
            {"conversation_id": f"CONV-R{i}", "staff_id": f"STF-R{i}", "staff_group": NURSING} for i in ids
        ],
        "actions": [
            {
                "action_id": f"ACT-R{i}",
                "conversation_id": f"CONV-R{i}",
                "service_area": area,
                "theme": "Innovation",
                "title": f"Rebuild test action {i}",
                "quick_win": "Yes" if n < 5 else "No",
                "status": "Completed" if n < 5 else "In progress",
                "raised_on": "2021-04-12",
                "completed_on": "2021-04-20" if n < 5 else "",
            }
            for n, i in enumerate(ids)
        ],
        "survey_responses": [
            {
                "response_id": f"R-R{version}-{n:03d}",
                "survey": "Staff",
                "submitted_on": IN_LATEST_WAVE,
                "wave": LATEST_WAVE,
                "care_group": AMH,
                "service_area": area,
                "staff_group": NURSING,
                "comment": "",
            }
            for n in range(100)
        ],
        "survey_answers": [
            {"response_id": f"R-R{version}-{n:03d}", "question_id": question, "answer": answer}
            for n in range(100)
            for question, answer in (
                ("it_skills", "Very good"),
                ("info_available", "Yes"),
                ("it_unreliable", "Strongly disagree"),
            )
        ],
    }


def make_versions(folder: Path) -> list[Path]:
    """Extract folders v0 (the demo) .. v3, each the one before plus one block."""
    service_areas = pd.read_csv(DEMO_EXTRACTS / "service_areas.csv", dtype=str)
    conversations = pd.read_csv(DEMO_EXTRACTS / "conversations.csv", dtype=str)
    quiet = service_areas[
        (service_areas["care_group"] == AMH) & ~service_areas["service_area"].isin(conversations["service_area"])
    ]
    areas = sorted(quiet["service_area"])
    assert len(areas) >= VERSIONS - 1, "the demo extracts need three Adult mental health areas with no conversation"
    versions = [shutil.copytree(DEMO_EXTRACTS, folder / "v0")]
    for version in range(1, VERSIONS):
        target = shutil.copytree(versions[-1], folder / f"v{version}")
        for name, rows in _block(version, areas[version - 1]).items():
            _append(target / f"{name}.csv", rows)
        versions.append(target)
    return versions


# --------------------------------------------------------------------------- expected tiles, with pandas


SURVEY_TILES = {
    "IT skills rated good": "it_skills",
    "Information available": "info_available",
    "IT too unreliable": "it_unreliable",
}


@cache
def _responses(folder: Path) -> pd.DataFrame:
    return oracle.read_responses(folder)  # the versions keep the demo's manifest: built with the demo key


def _survey_tile(folder: Path, release: oracle.Released, filters: Filters, measure: str) -> float | None:
    _n, _positive, percent = oracle.expected_headline(_responses(folder), measure, filters, release, folder)
    return None if percent is None else float(percent)  # None: shown as "Hidden"


def expected_tiles(folder: Path, release: oracle.Released, filters: Filters) -> dict[str, float | None]:
    """The Overview's tiles for the filters over the extracts in ``folder``, whose build released
    ``release`` (tests/oracle.py); the survey filter does not narrow engagement."""
    figures = oracle.expected_engagement(replace(filters, surveys=()), folder)
    return {
        measure.title: float(figures[measure.key]) for measure in (ENGAGEMENT["conversations"], *OVERVIEW_ENGAGEMENT)
    } | {tile: _survey_tile(folder, release, filters, measure) for tile, measure in SURVEY_TILES.items()}


# --------------------------------------------------------------------------- the server and the sessions


def start_build(extracts: Path, database: Path) -> subprocess.Popen:
    """``python -m pipeline build`` with the default thresholds (they are build settings: a developer's
    shell must not change what is released)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_MIN_GROUP_SIZE", "DASHBOARD_MIN_COMMENTS")}
    return start_child(
        [sys.executable, "-m", "pipeline", "build", "--extracts", str(extracts), "--db", str(database)], env
    )


def finish_build(process: subprocess.Popen) -> None:
    try:
        output, _ = process.communicate(timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        stop(process)
        raise
    assert process.returncode == 0, output


@dataclass
class Served:
    url: str
    database: Path
    versions: list[Path]
    releases: list[oracle.Released]  # what each version's build releases
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The four extract versions, each built once into a file of its own (to read what it releases),
    v0 built into the served database, and ``streamlit run app.py`` serving it."""
    folder = tmp_path_factory.mktemp("rebuild")
    versions = make_versions(folder)
    releases = []
    with pytest.MonkeyPatch.context() as patch:  # in this process: a subprocess per version costs its start-up
        for setting in ("DASHBOARD_MIN_GROUP_SIZE", "DASHBOARD_MIN_COMMENTS"):
            patch.delenv(setting, raising=False)
        for version, extracts in enumerate(versions):
            own = folder / "releases" / f"v{version}.duckdb"
            build_in_process(extracts, own)
            releases.append(oracle.released(own))
    database = folder / "serve" / "engagement.duckdb"
    finish_build(start_build(versions[0], database))
    assert oracle.released(database) == releases[0]  # a build of the same extracts releases the same
    log = folder / "server.log"
    try:
        server = Server.start(database, log)  # as in service: no file watcher
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield Served(server.url, database, versions, releases, log)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as launched:
        yield launched


@dataclass
class Session:
    """One browser session on one page, switching one sidebar filter on and off."""

    name: str
    page: Page
    path: str  # URL path and query of its page
    base: Filters  # the filters set by its link
    label: str  # the sidebar multiselect it switches
    option: str
    tiles: set[str]
    tracker: Tracker
    on: bool = False
    runs_before: int = 0
    renders: int = 0
    page_errors: list[str] | None = None

    @property
    def filters(self) -> Filters:
        if not self.on:
            return self.base
        field = {"Care group": "care_groups", "Survey": "surveys", "Staff group": "staff_groups"}[self.label]
        return replace(self.base, **{field: (*getattr(self.base, field), self.option)})

    def start_toggle(self) -> None:
        """Switch the filter (a rerun) without waiting for it, so that the sessions rerun together."""
        self.runs_before = self.tracker.finished
        sidebar = self.page.locator('[data-testid="stSidebar"]')
        if self.on:
            sidebar.locator(f'button[aria-label="Remove {self.option}"]').click()
        else:
            sidebar.locator(f'[data-testid="stMultiSelect"] input[aria-label="{self.label}"]').click()
            listbox = self.page.locator(f'[role="listbox"][aria-label="{self.label}"]')
            listbox.get_by_role("option", name=self.option, exact=True).click()
            self.page.keyboard.press("Escape")  # the list stays open after a pick
            listbox.wait_for(state="hidden", timeout=10_000)
        self.on = not self.on

    def finish_toggle(self) -> None:
        wait_idle(self.page, self.tracker, runs_after=self.runs_before)


def open_session(
    context, origin: str, name: str, path: str, base: Filters, label: str, option: str, tiles: set[str]
) -> Session:
    """Start loading ``path`` in a new page; ``Session.finish_toggle`` (or ``wait_loaded``) waits for it."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tracker = Tracker(origin).attach(page)
    page.goto(path, wait_until="domcontentloaded")
    return Session(name, page, path, base, label, option, tiles, tracker, page_errors=errors)


def wait_loaded(session: Session) -> Session:
    wait_idle(session.page, session.tracker, runs_after=0)
    return session


READ_TILES = """
() => Object.fromEntries([...document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]')].map(m => [
  m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
  m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
]))
"""


def tiles_shown(page: Page) -> dict[str, float | None]:
    shown = {}
    for label, value in page.evaluate(READ_TILES).items():
        shown[label] = None if value == "Hidden" else float(value.replace(",", "").rstrip("%"))
    return shown


def which_version(
    shown: dict[str, float | None], expected: dict[int, dict[str, float | None]], tiles: set[str], allowed: set[int]
) -> int:
    """The one allowed version whose figures every tile shows; fails on a mix or anything else."""
    assert set(shown) == tiles, f"tiles shown: {sorted(shown)}"
    matches = [
        v
        for v in sorted(allowed)
        if all(
            shown[t] == pytest.approx(expected[v][t], abs=0.051) if expected[v][t] is not None else shown[t] is None
            for t in tiles
        )
    ]
    assert matches, f"tiles {shown} match no version in {sorted(allowed)}: " + "; ".join(
        f"v{v}={ {t: expected[v][t] for t in sorted(tiles)} }" for v in sorted(allowed)
    )
    return matches[0]


def test_rebuilds_while_sessions_rerun(served: Served, browser) -> None:
    started = time.monotonic()
    expected: dict[Filters, dict[int, dict[str, float | None]]] = {}

    def figures(filters: Filters) -> dict[int, dict[str, float | None]]:
        if filters not in expected:
            expected[filters] = {
                v: expected_tiles(folder, served.releases[v], filters) for v, folder in enumerate(served.versions)
            }
        return expected[filters]

    def new_context():
        context = browser.new_context(base_url=served.url, viewport={"width": 1366, "height": 900})
        context.set_default_timeout(30_000)
        context.add_init_script(INIT_SCRIPT)
        contexts.append(context)
        return context

    contexts: list = []
    # Each session in a browser context of its own (its own cookies, so its own Streamlit session).
    sessions = [
        open_session(new_context(), served.url, name, path, base, label, option, tiles)
        for name, path, base, label, option, tiles in (
            ("overview", "/", Filters(), "Care group", AMH, TILES),
            ("overview, Staff survey", "/?survey=Staff", Filters(surveys=("Staff",)), "Staff group", NURSING, TILES),
            ("engagement page", "/Engagement", Filters(), "Care group", AMH, ENGAGEMENT_PAGE_TILES),
        )
    ]
    for session in sessions:  # loading together
        wait_loaded(session)

    # Every filter state each session goes through must tell the versions apart on every tile,
    # or a mix could not be seen.
    for session in sessions:
        for on in (False, True):
            session.on = on
            by_version = figures(session.filters)
            for tile in session.tiles:
                values = [by_version[v][tile] for v in range(VERSIONS)]
                assert len(set(values)) == VERSIONS, f"{session.name}, {session.filters}: {tile} = {values}"
        session.on = False

    def check(session: Session, allowed: set[int]) -> int:
        errors = session.page.locator(ERRORS).all_inner_texts()
        assert not errors, f"{session.name}: {errors}"
        assert not session.page_errors, f"{session.name}: {session.page_errors}"
        session.renders += 1
        return which_version(tiles_shown(session.page), figures(session.filters), session.tiles, allowed)

    def rerun_all(allowed: set[int]) -> list[int]:
        for session in sessions:
            session.start_toggle()
        shown = []
        for session in sessions:
            session.finish_toggle()
            shown.append(check(session, allowed))
        return shown

    for session in sessions:
        assert check(session, {0}) == 0

    seen_during: list[int] = []
    for version in range(1, VERSIONS):
        build = start_build(served.versions[version], served.database)
        rounds = 0
        # Reruns overlap the build (a second or two): at least one round, at most MAX_ROUNDS_PER_BUILD.
        while rounds == 0 or (build.poll() is None and rounds < MAX_ROUNDS_PER_BUILD):
            seen_during += rerun_all({version - 1, version})
            rounds += 1
        finish_build(build)
        # The file swapped in releases what this version's own build released (the expected figures' premise).
        assert oracle.released(served.database) == served.releases[version]
        # Sessions opened before the swap keep working, and their next rerun reads the new file.
        assert rerun_all({version}) == [version] * len(sessions)
        # A new page load sees the new data too, without restarting the server.
        fresh = new_context()
        newcomer = wait_loaded(
            open_session(fresh, served.url, "new page load", "/", Filters(), "Care group", AMH, TILES)
        )
        assert check(newcomer, {version}) == version
        contexts.remove(fresh)
        fresh.close()

    assert min(s.renders for s in sessions) >= 2 * (VERSIONS - 1) + 1
    log = served.log.read_text(errors="replace")
    assert "Traceback" not in log and "Uncaught app execution" not in log, log[-4000:]
    for context in contexts:
        context.close()
    elapsed = time.monotonic() - started
    print(
        f"\n{sum(s.renders for s in sessions)} renders checked in {elapsed:.1f} s; "
        f"versions seen while a build ran: {sorted(set(seen_during))}"
    )
