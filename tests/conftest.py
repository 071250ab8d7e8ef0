"""Shared fixtures: a demo database built once through the real pipeline, the oracle's reading of it, and
small extracts."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core import db
from pipeline.build import build
from tests import oracle

ROOT = Path(__file__).resolve().parent.parent
DEMO_EXTRACTS = ROOT / "data" / "extracts"

# A small valid set of extracts, one list of rows per file, in the contract's columns; the
# Trust's lists are the demo's.
with open(DEMO_EXTRACTS / "lists.csv", newline="", encoding="utf-8") as _handle:
    DEMO_LISTS = list(csv.DictReader(_handle))
SMALL: dict[str, list[dict[str, str]]] = {
    "lists": DEMO_LISTS,
    "service_areas": [
        {"service_area": "Ward A", "care_group": "Adult mental health"},
        {"service_area": "District nursing", "care_group": "Community health services"},
    ],
    "conversations": [
        {
            "conversation_id": "C1",
            "held_on": "2021-03-15",
            "service_area": "Ward A",
            "hours": "1.5",
            "format": "Microsoft Teams",
        },
        {
            "conversation_id": "C2",
            "held_on": "2021-04-01",
            "service_area": "District nursing",
            "hours": "2",
            "format": "",
        },
    ],
    "conversation_attendees": [
        {"conversation_id": "C1", "staff_id": "STF-1", "staff_group": "Nursing"},
        {"conversation_id": "C2", "staff_id": "STF-2", "staff_group": ""},
    ],
    "actions": [
        {
            "action_id": "A1",
            "conversation_id": "C1",
            "service_area": "Ward A",
            "theme": "Innovation",
            "title": "Do it",
            "quick_win": "Yes",
            "status": "Completed",
            "raised_on": "2021-03-15",
            "completed_on": "2021-03-20",
        },
        {
            "action_id": "A2",
            "conversation_id": "",
            "service_area": "District nursing",
            "theme": "Estates and digital",
            "title": "Fix Wi-Fi",
            "quick_win": "No",
            "status": "In progress",
            "raised_on": "2021-04-02",
            "completed_on": "",
        },
    ],
    "survey_responses": [
        {
            "response_id": "R1",
            "survey": "Staff",
            "submitted_on": "2021-03-15",
            "care_group": "Adult mental health",
            "service_area": "Ward A",
            "staff_group": "Nursing",
            "it_skills": "Good",
            "info_available": "Yes",
            "it_unreliable": "Agree",
            "comment": "Wi-Fi drops, often",
        },
        {
            "response_id": "R2",
            "survey": "Carer",
            "submitted_on": "2021-04-15",
            "care_group": "",
            "service_area": "",
            "staff_group": "",
            "it_skills": "Poor",
            "info_available": "",
            "it_unreliable": "",
            "comment": "",
        },
    ],
}


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None, encoding: str = "utf-8") -> None:
    header = header or list(rows[0])
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def small_extracts(tmp_path: Path) -> Path:
    """A folder of small valid extracts; tests add bad rows to it."""
    folder = tmp_path / "extracts"
    folder.mkdir()
    for name, rows in SMALL.items():
        write_csv(folder / f"{name}.csv", rows)
    return folder


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped demo extracts built through the real pipeline, once per test run."""
    folder = tmp_path_factory.mktemp("demo")
    database = folder / "engagement.duckdb"
    build(DEMO_EXTRACTS, database)
    return database


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    """The demo's survey responses as the oracle reads them from the extracts (tests/oracle.py)."""
    return oracle.read_responses()


@pytest.fixture(scope="module")
def release(demo_db: Path) -> oracle.Released:
    """What the demo build released (read from the file)."""
    return oracle.released(demo_db)


@pytest.fixture
def demo_env(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the demo database for AppTest tests."""
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db))
    for setting in ("DASHBOARD_MIN_GROUP_SIZE", "DASHBOARD_MIN_COMMENTS", "DASHBOARD_REQUIRE_AUTH"):
        monkeypatch.delenv(setting, raising=False)
    return demo_db


def opened_database(path: Path) -> Iterator[db.Database]:
    """Open the database at ``path``; close it after. For fixtures: ``yield from opened_database(demo_db)``."""
    database = db.Database(path)
    try:
        yield database
    finally:
        database.close()


def start_child(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start ``command`` from the project root, its output and errors as text on one pipe (bytes that
    do not decode replaced), in a process group of its own (so that stopping it reaches the processes
    it starts)."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        start_new_session=True,
    )


def copy_extracts(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
# A developer's shell must not change what the tests see: the demo database is built
# with the demo's published perturbation key, and pages open without sign-in.
for _setting in ("DASHBOARD_PERTURBATION_KEY", "DASHBOARD_REQUIRE_AUTH", "DASHBOARD_MIN_COMMENTS"):
    os.environ.pop(_setting, None)
