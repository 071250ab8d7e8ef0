"""Tests for the synthetic demo generator (pipeline/demo.py).

They do not use the build pipeline: every figure is computed independently
with pandas from the generated CSV files.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline import contract
from pipeline.demo import DEFAULT_SEED, generate

REPO = Path(__file__).resolve().parents[1]

COLUMNS = {
    "service_areas": ["service_area", "care_group"],
    "conversations": ["conversation_id", "held_on", "service_area", "hours", "format"],
    "conversation_attendees": ["conversation_id", "staff_id", "staff_group"],
    "actions": [
        "action_id", "conversation_id", "service_area", "theme", "title",
        "quick_win", "status", "raised_on", "completed_on",
    ],
    "survey_responses": [
        "response_id", "survey", "submitted_on", "care_group", "service_area",
        "staff_group", "it_skills", "info_available", "it_unreliable", "comment",
    ],
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
START, END = "2021-02-01", "2021-06-30"


def read(out: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        for name in contract.EXTRACTS
    }


def pct_half_up(num: int, den: int) -> int:
    """100 * num / den rounded half up, in exact integer arithmetic."""
    return (200 * num + den) // (2 * den)


def share(series: pd.Series, positive: set[str], excluded: set[str] = frozenset()) -> tuple[int, int]:
    answered = series[(series != "") & ~series.isin(excluded)]
    return int(answered.isin(positive).sum()), len(answered)


def measures(f: dict[str, pd.DataFrame]) -> dict[str, object]:
    conv, att, act, sr = f["conversations"], f["conversation_attendees"], f["actions"], f["survey_responses"]
    return {
        "hours": sum(Decimal(h) for h in conv["hours"]),
        "staff": att["staff_id"].nunique(),
        "actions": len(act),
        "areas": conv["service_area"].nunique(),
        "quick_wins": int(((act["quick_win"] == "Yes") & (act["status"] == "Completed")).sum()),
        "skills": share(sr["it_skills"], {"Good", "Very good"}),
        "info": share(sr["info_available"], {"Yes"}, {"Don't know"}),
        "unreliable": share(sr["it_unreliable"], {"Agree", "Strongly agree"}),
    }


def assert_valid(out: Path, f: dict[str, pd.DataFrame]) -> None:
    """Every rule of the data contract, checked on the generated files."""
    # File format: UTF-8 without BOM, \n endings, exact header, one record per line.
    for name, cols in COLUMNS.items():
        raw = (out / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in raw, name
        raw.decode("utf-8")
        lines = raw.split(b"\n")
        assert lines[0].decode() == ",".join(cols), name
        assert lines[-1] == b"", name
        assert len(lines) - 2 == len(f[name]), f"{name}: a record spans several lines"
        assert list(f[name].columns) == cols
        assert b"@" not in raw, f"{name}: looks like an e-mail address"

    sa, conv, att, act, sr = (f[n] for n in contract.EXTRACTS)
    areas = dict(zip(sa["service_area"], sa["care_group"]))

    # service_areas
    assert sa["service_area"].is_unique and (sa["service_area"] != "").all()
    assert set(sa["care_group"]) == set(contract.CARE_GROUPS)

    # conversations
    assert conv["conversation_id"].is_unique
    assert conv["conversation_id"].str.fullmatch(r"CONV-\d{4,}").all()
    assert conv["held_on"].str.match(ISO_DATE).all()
    assert conv["held_on"].between(START, END).all()
    assert conv["service_area"].isin(areas).all()
    hours = conv["hours"].map(Decimal)
    assert ((hours > 0) & (hours <= 8)).all()
    assert all((h * 4) % 1 == 0 for h in hours), "hours in quarter-hour steps"
    assert conv["format"].isin(set(contract.FORMATS) | {""}).all()

    # conversation_attendees
    assert att["conversation_id"].isin(set(conv["conversation_id"])).all()
    assert not att.duplicated(["conversation_id", "staff_id"]).any()
    assert att["staff_id"].str.fullmatch(r"STF-\d{5,}").all()
    assert att["staff_group"].isin(set(contract.STAFF_GROUPS) | {""}).all()
    assert (att.groupby("staff_id")["staff_group"].nunique() == 1).all(), "one staff group per staff_id"

    # actions
    assert act["action_id"].is_unique
    assert act["action_id"].str.fullmatch(r"ACT-\d{4,}").all()
    linked = act[act["conversation_id"] != ""]
    assert linked["conversation_id"].isin(set(conv["conversation_id"])).all()
    assert act["service_area"].isin(areas).all()
    assert act["theme"].isin(contract.THEMES).all()
    assert (act["title"].str.strip() != "").all()
    assert act["quick_win"].isin({"Yes", "No"}).all()
    assert act["status"].isin(contract.STATUSES).all()
    assert act["raised_on"].str.match(ISO_DATE).all()
    done = act["status"] == "Completed"
    assert (act.loc[done, "completed_on"] != "").all()
    assert (act.loc[~done, "completed_on"] == "").all()
    assert act.loc[done, "completed_on"].str.match(ISO_DATE).all()
    assert (act.loc[done, "completed_on"] >= act.loc[done, "raised_on"]).all()
    held = linked["conversation_id"].map(dict(zip(conv["conversation_id"], conv["held_on"])))
    assert (linked["raised_on"] >= held).all()

    # survey_responses
    assert sr["response_id"].is_unique
    assert sr["response_id"].str.fullmatch(r"R-\d{6,}").all()
    assert sr["survey"].isin(contract.SURVEYS).all()
    assert sr["submitted_on"].str.match(ISO_DATE).all()
    assert sr["submitted_on"].between(START, END).all()
    staff = sr["survey"].isin(contract.STAFF_SURVEYS)
    assert sr["care_group"].isin(set(contract.CARE_GROUPS) | {""}).all()
    assert (sr.loc[staff, "care_group"] != "").all()
    with_area = sr[sr["service_area"] != ""]
    assert with_area["service_area"].isin(areas).all()
    assert (with_area["service_area"].map(areas) == with_area["care_group"]).all()
    assert sr["staff_group"].isin(set(contract.STAFF_GROUPS) | {""}).all()
    assert (sr.loc[~staff, "staff_group"] == "").all()
    assert sr["it_skills"].isin(set(contract.IT_SKILLS) | {""}).all()
    assert sr["info_available"].isin(set(contract.INFO_AVAILABLE) | {""}).all()
    assert (sr.loc[~staff, "info_available"] == "").all()
    assert sr["it_unreliable"].isin(set(contract.IT_UNRELIABLE) | {""}).all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo")
    paths = generate(out)
    assert set(paths) == set(contract.EXTRACTS) | {"manifest"}
    return out, read(out)


def test_default_data_is_valid(demo):
    assert_valid(*demo)


def test_published_figures(demo):
    m = measures(demo[1])
    assert m["hours"] == 102
    assert m["staff"] == 256
    assert m["actions"] == 831
    assert m["areas"] == 92
    assert m["quick_wins"] == 213
    for key, published in (("skills", 39), ("info", 69), ("unreliable", 65)):
        num, den = m[key]
        assert pct_half_up(num, den) == published, key
        # Well inside the whole percent, so no rounding convention can flip it.
        assert abs(100 * num / den - published) < 0.3, key


def test_surveys_and_spread(demo):
    sa, conv, _, act, sr = (demo[1][n] for n in contract.EXTRACTS)
    assert 1500 <= len(sr) <= 3000
    counts = sr["survey"].value_counts()
    assert set(counts.index) == set(contract.SURVEYS)
    assert counts.idxmax() == "Staff" and counts.idxmin() == "Digital champion"
    # Some empty answers in every question.
    for col in ("it_skills", "it_unreliable"):
        assert 0.01 < (sr[col] == "").mean() < 0.1, col
    staff = sr["survey"].isin(contract.STAFF_SURVEYS)
    assert 0.01 < (sr.loc[staff, "info_available"] == "").mean() < 0.1
    # Care groups differ clearly on IT reliability.
    by_cg = {
        cg: share(g["it_unreliable"], {"Agree", "Strongly agree"})
        for cg, g in sr[sr["care_group"] != ""].groupby("care_group")
    }
    rates = [num / den for num, den in by_cg.values()]
    assert max(rates) - min(rates) > 0.15
    # Service areas of very different sizes, several small enough to suppress.
    sizes = sr.loc[sr["service_area"] != "", "service_area"].value_counts()
    assert ((sizes >= 1) & (sizes <= 9)).sum() >= 8
    assert (sizes >= 80).sum() >= 2
    # More service areas listed than covered by conversations.
    assert len(sa) > conv["service_area"].nunique()
    # Comments on roughly a quarter of responses, some needing CSV quoting.
    comments = sr.loc[sr["comment"] != "", "comment"]
    assert 0.2 <= len(comments) / len(sr) <= 0.3
    assert comments.str.contains(",").any() and comments.str.contains('"').any()
    assert comments.nunique() > 200
    # Some actions are not tied to a conversation; some staff attend repeatedly.
    assert (act["conversation_id"] == "").any()
    assert (demo[1]["conversation_attendees"]["staff_id"].value_counts() > 1).any()


def test_deterministic(demo, tmp_path):
    out, _ = demo
    generate(tmp_path)
    for name in [f"{n}.csv" for n in contract.EXTRACTS] + [contract.SYNTHETIC_MANIFEST]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_other_seed_differs(demo, tmp_path):
    out, _ = demo
    generate(tmp_path, seed=DEFAULT_SEED + 1)
    assert (tmp_path / "survey_responses.csv").read_bytes() != (out / "survey_responses.csv").read_bytes()


def test_manifest(demo):
    out, _ = demo
    manifest = json.loads((out / contract.SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    assert "synthetic" in manifest["note"].lower() and "not real" in manifest["note"].lower()
    assert manifest["seed"] == DEFAULT_SEED
    assert set(manifest["files"]) == {f"{n}.csv" for n in contract.EXTRACTS}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name


def test_scale(tmp_path):
    generate(tmp_path, seed=7, scale=20000)
    f = read(tmp_path)
    assert len(f["survey_responses"]) == 20000
    assert set(f["survey_responses"]["survey"]) == set(contract.SURVEYS)
    assert_valid(tmp_path, f)
    m = measures(f)
    # Everything else grows in proportion (20000 / 2400 responses).
    assert m["actions"] == round(831 * 20000 / 2400)
    assert len(f["service_areas"]) == len(read_default_areas())
    for key, published in (("skills", 39), ("info", 69), ("unreliable", 65)):
        num, den = m[key]
        assert abs(100 * num / den - published) < 1, key


def read_default_areas() -> list[str]:
    from pipeline.demo import _service_areas

    return [a for a, _ in _service_areas()]


def test_tiny_scale_still_valid(tmp_path):
    generate(tmp_path, scale=5)
    f = read(tmp_path)
    assert len(f["survey_responses"]) == 5
    assert_valid(tmp_path, f)


def test_cli(tmp_path):
    out = tmp_path / "extracts"
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.demo", "--out", str(out), "--seed", "11", "--scale", "300"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    f = read(out)
    assert len(f["survey_responses"]) == 300
    assert json.loads((out / contract.SYNTHETIC_MANIFEST).read_text())["seed"] == 11
    assert_valid(out, f)

    bad = subprocess.run(
        [sys.executable, "-m", "pipeline.demo", "--out", str(out), "--scale", "0"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2
