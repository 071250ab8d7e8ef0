"""A new Trust's first hour, as the README's "Load your own survey" section tells it: its commands,
read from the README and run as written (in a copy of docs/examples), take the made-up Trust's
Forms and SmartSurvey exports to a database, and the Overview then shows that Trust's units and
figures and none of the demo's."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DEMO_EXTRACTS, ROOT

TRUST = ROOT / "docs" / "examples" / "trust"
MAX_COMMANDS = 10


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- first-hour[^>]*-->\n```sh\n(.*?)```\n<!-- /first-hour -->", readme, re.DOTALL)
    assert block, "README.md has no first-hour block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def first_hour(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The README's commands run in a fresh folder holding docs/examples; the app is started by AppTest."""
    commands = readme_commands()
    assert len(commands) <= MAX_COMMANDS, commands
    *run, serve = commands
    assert serve == "DASHBOARD_DB=mytrust.duckdb python -m streamlit run app.py"
    work = tmp_path_factory.mktemp("first-hour")
    (work / "docs").mkdir()
    subprocess.run(["cp", "-r", str(ROOT / "docs" / "examples"), str(work / "docs" / "examples")], check=True)
    bin_dir = work / "bin"  # `python` is this test's interpreter, with the repository importable
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    (bin_dir / "python").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "PYTHONPATH": str(ROOT)}
    script = "set -euo pipefail\n" + "".join(f"echo '>>> {i}'\n{c}\n" for i, c in enumerate(run))
    done = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return work, done.stdout


def step(output: str, index: int) -> str:
    return output.split(f">>> {index}\n")[1].split("\n>>> ")[0]


def test_the_commands_get_the_exports_to_a_database_losing_nothing(first_hour):
    work, output = first_hour
    assert (work / "mytrust" / "forms.toml").is_file()  # --init wrote it (the cp then stood in for editing)
    preview = step(output, 3)
    assert re.search(r"Unmatched values: 38, in \d+ responses \(0 with an unmatched unit\)", preview)
    assert '"Excellent" x 22' in preview and '"Neutral" x 16' in preview
    assert "Preview only: nothing was written" in preview
    assert "Wrote 90 responses" in step(output, 5) and "Accepted" not in step(output, 5)
    appended = step(output, 6)
    assert "line 2 is a second header row (SmartSurvey" in appended
    assert "Appended 70 responses" in appended and "(after the 90 responses already there)" in appended
    build = step(output, 7)
    assert re.search(r"survey_responses\.csv +160 +160 +0\n", build) and "No rows rejected." in build
    assert "(key from: setting)" in build
    with duckdb.connect(str(work / "mytrust.duckdb"), read_only=True) as con:
        lists = con.execute("select list, value from lists order by position").fetchall()
        areas = con.execute("select service_area, care_group from service_areas order by all").fetchall()
        waves = con.execute("select wave_id from waves order by wave_id").fetchall()
    assert lists == [(r["list"], r["value"]) for r in rows(TRUST / "lists.csv")]
    assert areas == sorted((r["service_area"], r["care_group"]) for r in rows(TRUST / "service_areas.csv"))
    assert waves == [("2024",), ("2025",)]


def test_the_overview_shows_the_trusts_units_and_figures_and_none_of_the_demos(first_hour, monkeypatch):
    work, _ = first_hour
    monkeypatch.setenv("DASHBOARD_DB", str(work / "mytrust.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    conversations, actions = rows(TRUST / "conversations.csv"), rows(TRUST / "actions.csv")
    shown = {m.label: m.value for m in at.metric}
    assert {k: shown[k] for k in list(shown)[:5]} == {
        "Conversation hours": f"{sum(float(c['hours']) for c in conversations):g}",
        "Staff engaged": str(len({a["staff_id"] for a in rows(TRUST / "conversation_attendees.csv")})),
        "Actions raised": str(len(actions)),
        "Service areas covered": str(len({c["service_area"] for c in conversations})),
        "Quick wins completed": str(sum(a["quick_win"] == "Yes" and a["status"] == "Done" for a in actions)),
    }
    questions = rows(TRUST / "questions.csv")
    survey_tiles = list(shown)[5:]
    assert survey_tiles and set(survey_tiles) <= {q["label"] for q in questions}
    assert all(re.fullmatch(r"\d+%", shown[t]) for t in survey_tiles)
    options = {w.label: list(w.options) for w in at.sidebar.multiselect}
    listed = rows(TRUST / "lists.csv")
    assert options["Care group"] == [r["value"] for r in listed if r["list"] == "care_group"]
    assert options["Survey"] == ["Staff", "Volunteer"]
    assert options["Staff group"] == [r["value"] for r in listed if r["list"] == "staff_group"]
    assert sorted(options["Service area"]) == sorted(r["service_area"] for r in rows(TRUST / "service_areas.csv"))
    ours = {r["value"] for r in listed} | {r["service_area"] for r in rows(TRUST / "service_areas.csv")}
    demo = {r["value"] for r in rows(DEMO_EXTRACTS / "lists.csv")} | {
        r["service_area"] for r in rows(DEMO_EXTRACTS / "service_areas.csv")
    }
    text = "\n".join(
        [str(e.value) for kind in ("markdown", "caption", "info", "title", "subheader") for e in getattr(at, kind)]
        + [f"{m.label} {m.value}" for m in at.metric]
        + [str(o) for w in at.sidebar.multiselect for o in w.options]
    )
    for name in sorted(ours, key=len, reverse=True):  # "Nursing" is the demo's; "District nursing" ours
        text = text.replace(name, "")
    assert not [name for name in sorted(demo - ours) if name in text]
    assert "IT skills rated good" not in text and "2021" not in text
