"""Tests for the synthetic demo generator (demo/).

They do not use the build pipeline: every figure is computed independently
with pandas from the generated CSV files (the layout with waves, a question
bank and one row per answer).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import demo.model as demo_model
from demo import DEFAULT_SEED, generate
from pipeline import contract
from pipeline.rules import EXTRACTS

REPO = Path(__file__).resolve().parents[1]

# What the build expects (pipeline.rules): the demo writes the layout with waves, so its survey
# responses carry no legacy answer columns.
FILES = contract.EXTRACTS
COLUMNS = {name: [c for c in EXTRACTS[name].column_names if c not in contract.LEGACY_ANSWER_COLUMNS] for name in FILES}
# The demo's waves and questions, as docs/DATA_CONTRACT.md describes them.
WAVES = [
    ["2021", "Digital strategy engagement 2021", "2021-02-01", "2021-06-30"],
    ["2023", "Spring 2023 follow-up (SYNTHETIC)", "2023-03-01", "2023-05-31"],
]
AGREE_SCALE = "Strongly disagree;Disagree;Neither agree nor disagree;Agree;Strongly agree"
QUESTIONS = [
    [
        "it_skills",
        "",
        "How would you rate your IT skills?",
        "IT skills rated good",
        "Digital skills",
        "Very poor;Poor;Fair;Good;Very good",
        "Good;Very good",
        "",
        "Fair",
        "Yes",
        "rated their IT skills good or very good",
    ],
    [
        "info_available",
        "",
        "Do you have the information you need to run your service?",
        "Information available",
        "Information to run services",
        "Yes;Partly;No;Don't know",
        "Yes",
        "Don't know",
        "Partly;Don't know",
        "Yes",
        "said they have the information they need to run their service",
    ],
    [
        "it_unreliable",
        "",
        "IT is too unreliable.",
        "IT too unreliable",
        "IT reliability",
        AGREE_SCALE,
        "Agree;Strongly agree",
        "",
        "Neither agree nor disagree",
        "No",
        "agreed that IT is too unreliable",
    ],
    [
        "epr_confidence",
        "2023",
        "I feel confident using the electronic patient record.",
        "Confident with the patient record",
        "Digital skills",
        AGREE_SCALE,
        "Agree;Strongly agree",
        "",
        "Neither agree nor disagree",
        "Yes",
        "agreed that they feel confident using the electronic patient record",
    ],
]
POSITIVE = {
    "it_skills": {"Good", "Very good"},
    "info_available": {"Yes"},
    "it_unreliable": {"Agree", "Strongly agree"},
    "epr_confidence": {"Agree", "Strongly agree"},
}
EXCLUDED = {"info_available": {"Don't know"}}
STAFF_ONLY = {"info_available", "epr_confidence"}
LEGACY = ["it_skills", "info_available", "it_unreliable"]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
START, END = "2021-02-01", "2021-06-30"
OPENED_2023 = "2023-03-01"
EXTRACT_DATE = "2023-05-31"
# sha256 of survey_responses.csv as the generator wrote it before waves (five-extract
# layout, seed 2021): the 2021 wave re-laid out that way must give the same bytes.
SHA256_2021_LEGACY = "60a55750e3849cd48a79a22fdb5b3cc42d16e1e1699f8daed6caab838f0a4173"


def read(out: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8") for name in FILES
    }


def wide(f: dict[str, pd.DataFrame], wave: str | None = None) -> pd.DataFrame:
    """survey_responses (one wave, or all) with one column per question ("" = not answered)."""
    sr = f["survey_responses"]
    if wave is not None:
        sr = sr[sr["wave"] == wave]
    answers = f["survey_answers"].pivot(index="response_id", columns="question_id", values="answer")
    answers = answers.reindex(index=sr["response_id"], columns=list(POSITIVE)).fillna("")
    return sr.reset_index(drop=True).join(answers.reset_index(drop=True))


def pct_half_up(num: int, den: int) -> int:
    """100 * num / den rounded half up, in exact integer arithmetic."""
    return (200 * num + den) // (2 * den)


def share(series: pd.Series, positive: set[str], excluded: set[str] = frozenset()) -> tuple[int, int]:
    answered = series[(series != "") & ~series.isin(excluded)]
    return int(answered.isin(positive).sum()), len(answered)


def measures(f: dict[str, pd.DataFrame], wave: str = "2021") -> dict[str, object]:
    conv, att, act = f["conversations"], f["conversation_attendees"], f["actions"]
    sr = wide(f, wave)
    return {
        "hours": sum(Decimal(h) for h in conv["hours"]),
        "staff": att["staff_id"].nunique(),
        "actions": len(act),
        "areas": conv["service_area"].nunique(),
        "quick_wins": int(((act["quick_win"] == "Yes") & (act["status"] == "Completed")).sum()),
        "skills": share(sr["it_skills"], POSITIVE["it_skills"]),
        "info": share(sr["info_available"], POSITIVE["info_available"], EXCLUDED["info_available"]),
        "unreliable": share(sr["it_unreliable"], POSITIVE["it_unreliable"]),
        "epr": share(sr["epr_confidence"], POSITIVE["epr_confidence"]),
    }


def completed_between_waves(f: dict[str, pd.DataFrame]) -> pd.Series:
    """Actions completed after the 2021 wave closed and before the 2023 wave opened, per service area."""
    waves = f["waves"].set_index("wave_id")
    act = f["actions"]
    done = act[
        (act["status"] == "Completed")
        & (act["completed_on"] > waves.loc["2021", "closed"])
        & (act["completed_on"] < waves.loc["2023", "opened"])
    ]
    return done.groupby("service_area").size().reindex(f["service_areas"]["service_area"], fill_value=0)


def area_change(f: dict[str, pd.DataFrame], question: str, min_n: int = 10) -> pd.DataFrame:
    """Per service area: positives and base in each wave, and the change in points (2023 - 2021),
    for areas with at least ``min_n`` answers in both waves."""
    a = f["survey_answers"].merge(f["survey_responses"], on="response_id")
    a = a[(a["question_id"] == question) & (a["service_area"] != "") & ~a["answer"].isin(EXCLUDED.get(question, set()))]
    a = a.assign(pos=a["answer"].isin(POSITIVE[question]))
    t = a.groupby(["service_area", "wave"])["pos"].agg(["sum", "count"]).unstack(fill_value=0)
    t = t[(t[("count", "2021")] >= min_n) & (t[("count", "2023")] >= min_n)]
    out = pd.DataFrame(
        {
            "pos_2021": t[("sum", "2021")],
            "n_2021": t[("count", "2021")],
            "pos_2023": t[("sum", "2023")],
            "n_2023": t[("count", "2023")],
        }
    )
    out["change"] = 100 * (out["pos_2023"] / out["n_2023"] - out["pos_2021"] / out["n_2021"])
    out["between"] = completed_between_waves(f).reindex(out.index)
    return out


def pooled_change(t: pd.DataFrame) -> float:
    return 100 * (t["pos_2023"].sum() / t["n_2023"].sum() - t["pos_2021"].sum() / t["n_2021"].sum())


def spearman(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation (average ranks for ties), without scipy."""
    return float(x.rank().corr(y.rank()))


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

    sa, conv, att, act = (f[n] for n in ("service_areas", "conversations", "conversation_attendees", "actions"))
    waves, questions, sr, ans = (f[n] for n in ("waves", "questions", "survey_responses", "survey_answers"))
    areas = dict(zip(sa["service_area"], sa["care_group"]))

    # service_areas
    assert sa["service_area"].is_unique and (sa["service_area"] != "").all()
    assert set(sa["care_group"]) == set(demo_model.CARE_GROUPS)

    # conversations
    assert conv["conversation_id"].is_unique
    assert conv["conversation_id"].str.fullmatch(r"CONV-\d{4,}").all()
    assert conv["held_on"].str.match(ISO_DATE).all()
    assert conv["held_on"].between(START, END).all()
    assert conv["service_area"].isin(areas).all()
    hours = conv["hours"].map(Decimal)
    assert ((hours > 0) & (hours <= 8)).all()
    assert all((h * 4) % 1 == 0 for h in hours), "hours in quarter-hour steps"
    assert conv["format"].isin(set(demo_model.FORMATS) | {""}).all()

    # conversation_attendees
    assert att["conversation_id"].isin(set(conv["conversation_id"])).all()
    assert not att.duplicated(["conversation_id", "staff_id"]).any()
    assert att["staff_id"].str.fullmatch(r"STF-\d{5,}").all()
    assert att["staff_group"].isin(set(demo_model.STAFF_GROUPS) | {""}).all()
    assert (att.groupby("staff_id")["staff_group"].nunique() == 1).all(), "one staff group per staff_id"

    # actions
    assert act["action_id"].is_unique
    assert act["action_id"].str.fullmatch(r"ACT-\d{4,}").all()
    linked = act[act["conversation_id"] != ""]
    assert linked["conversation_id"].isin(set(conv["conversation_id"])).all()
    assert act["service_area"].isin(areas).all()
    assert act["theme"].isin(demo_model.THEMES).all()
    assert (act["title"].str.strip() != "").all()
    assert act["quick_win"].isin({"Yes", "No"}).all()
    assert act["status"].isin(demo_model.STATUSES).all()
    assert act["raised_on"].str.match(ISO_DATE).all()
    done = act["status"] == "Completed"
    assert (act.loc[done, "completed_on"] != "").all()
    assert (act.loc[~done, "completed_on"] == "").all()
    assert act.loc[done, "completed_on"].str.match(ISO_DATE).all()
    assert (act.loc[done, "completed_on"] >= act.loc[done, "raised_on"]).all()
    assert (act.loc[done, "completed_on"] <= EXTRACT_DATE).all()
    held = linked["conversation_id"].map(dict(zip(conv["conversation_id"], conv["held_on"])))
    assert (linked["raised_on"] >= held).all()

    # waves
    assert waves.values.tolist() == WAVES
    wave_span = {w: (o, c) for w, _, o, c in WAVES}

    # questions
    assert questions.values.tolist() == QUESTIONS
    scale = {q: set(s.split(";")) for q, s in zip(questions["question_id"], questions["scale"])}
    asked_in = {
        q: set(w.split(";")) if w else set(wave_span) for q, w in zip(questions["question_id"], questions["waves"])
    }

    # survey_responses
    assert sr["response_id"].is_unique
    assert sr["response_id"].str.fullmatch(r"R-\d{6,}").all()
    assert sr["survey"].isin(demo_model.SURVEYS).all()
    assert sr["submitted_on"].str.match(ISO_DATE).all()
    assert sr["wave"].isin(wave_span).all()
    opened = sr["wave"].map({w: o for w, (o, _) in wave_span.items()})
    closed = sr["wave"].map({w: c for w, (_, c) in wave_span.items()})
    assert ((sr["submitted_on"] >= opened) & (sr["submitted_on"] <= closed)).all()
    staff = sr["survey"].isin(demo_model.STAFF_SURVEYS)
    assert sr["care_group"].isin(set(demo_model.CARE_GROUPS) | {""}).all()
    assert (sr.loc[staff, "care_group"] != "").all()
    with_area = sr[sr["service_area"] != ""]
    assert with_area["service_area"].isin(areas).all()
    assert (with_area["service_area"].map(areas) == with_area["care_group"]).all()
    assert sr["staff_group"].isin(set(demo_model.STAFF_GROUPS) | {""}).all()
    assert (sr.loc[~staff, "staff_group"] == "").all()

    # survey_answers: known response and question, asked in its wave, on the scale,
    # no pair twice; blanks are left out; staff-only questions answered by staff only.
    assert ans["response_id"].isin(set(sr["response_id"])).all()
    assert ans["question_id"].isin(scale).all()
    assert not ans.duplicated(["response_id", "question_id"]).any()
    assert (ans["answer"] != "").all()
    assert all(a in scale[q] for q, a in zip(ans["question_id"], ans["answer"]))
    joined = ans.merge(sr[["response_id", "wave", "survey"]], on="response_id")
    assert all(w in asked_in[q] for q, w in zip(joined["question_id"], joined["wave"]))
    staff_only = joined[joined["question_id"].isin(STAFF_ONLY)]
    assert staff_only["survey"].isin(demo_model.STAFF_SURVEYS).all()
    # Answers are in response order, then question order.
    order = {q: k for k, q in enumerate(questions["question_id"])}
    keys = list(zip(ans["response_id"], ans["question_id"].map(order)))
    assert keys == sorted(keys)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo")
    paths = generate(out)
    assert list(paths) == list(FILES) + ["manifest"]
    return out, read(out)


def test_default_data_is_valid(demo):
    assert_valid(*demo)


def test_published_figures(demo):
    m = measures(demo[1], "2021")
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
    assert m["epr"] == (0, 0), "epr_confidence is not asked in 2021"


def test_2021_wave_is_the_published_one_relaid(demo):
    """The 2021 responses are the very rows the five-extract generator wrote (same ids,
    same answers, same comments), only with the answers moved to survey_answers."""
    sr = wide(demo[1], "2021")
    assert len(sr) == 2400
    assert sr["response_id"].iloc[0] == "R-000001" and sr["response_id"].iloc[-1] == "R-002400"
    legacy = ["response_id", "survey", "submitted_on", "care_group", "service_area", "staff_group", *LEGACY, "comment"]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(legacy)
    w.writerows(sr[legacy].itertuples(index=False, name=None))
    assert hashlib.sha256(buf.getvalue().encode("utf-8")).hexdigest() == SHA256_2021_LEGACY


def test_surveys_and_spread(demo):
    f = demo[1]
    sa, conv, act = f["service_areas"], f["conversations"], f["actions"]
    for wave in ("2021", "2023"):
        sr = wide(f, wave)
        assert 1500 <= len(sr) <= 3000, wave
        counts = sr["survey"].value_counts()
        assert set(counts.index) == set(demo_model.SURVEYS), wave
        assert counts.idxmax() == "Staff" and counts.idxmin() == "Digital champion", wave
        # Some empty answers in every question.
        for col in ("it_skills", "it_unreliable"):
            assert 0.01 < (sr[col] == "").mean() < 0.1, (wave, col)
        staff = sr["survey"].isin(demo_model.STAFF_SURVEYS)
        assert 0.01 < (sr.loc[staff, "info_available"] == "").mean() < 0.1, wave
        # Care groups differ clearly on IT reliability.
        by_cg = {
            cg: share(g["it_unreliable"], POSITIVE["it_unreliable"])
            for cg, g in sr[sr["care_group"] != ""].groupby("care_group")
        }
        rates = [num / den for num, den in by_cg.values()]
        assert max(rates) - min(rates) > 0.12, wave
        # Service areas of very different sizes, several small enough to suppress.
        sizes = sr.loc[sr["service_area"] != "", "service_area"].value_counts()
        assert ((sizes >= 1) & (sizes <= 9)).sum() >= 8, wave
        assert (sizes >= 80).sum() >= 2, wave
        # Comments on roughly a quarter of responses, some needing CSV quoting.
        comments = sr.loc[sr["comment"] != "", "comment"]
        assert 0.2 <= len(comments) / len(sr) <= 0.3, wave
        assert comments.str.contains(",").any() and comments.str.contains('"').any(), wave
        assert comments.nunique() > 200, wave
    # More service areas listed than covered by conversations.
    assert len(sa) > conv["service_area"].nunique()
    # Some actions are not tied to a conversation; some staff attend repeatedly.
    assert (act["conversation_id"] == "").any()
    assert (f["conversation_attendees"]["staff_id"].value_counts() > 1).any()


def test_2023_wave(demo):
    f = demo[1]
    sr = f["survey_responses"]
    assert list(sr["wave"].drop_duplicates()) == ["2021", "2023"], "2021 rows first, then 2023"
    new = wide(f, "2023")
    # New ids, continuing the 2021 numbering: they cannot collide with 2021's.
    ids = new["response_id"].str[2:].astype(int)
    assert ids.min() == 2401 and ids.is_monotonic_increasing and ids.is_unique
    assert new["submitted_on"].is_monotonic_increasing
    # The 2023 comments include some looking back at the last survey.
    comments = new.loc[new["comment"] != "", "comment"]
    assert comments.str.contains("last survey|since 2021|in 2021", case=False).sum() >= 20
    # epr_confidence: asked in 2023 only, answered by staff only, most staff answer it.
    staff = new["survey"].isin(demo_model.STAFF_SURVEYS)
    assert (new.loc[~staff, "epr_confidence"] == "").all()
    assert 0.9 < (new.loc[staff, "epr_confidence"] != "").mean() < 0.99
    # Plausible overall figures, none identical to 2021's.
    m = measures(f, "2023")
    pct = {k: 100 * m[k][0] / m[k][1] for k in ("skills", "info", "unreliable", "epr")}
    assert 36 < pct["skills"] < 50 and pct["skills"] > 39.5
    assert 64 < pct["info"] < 80
    assert 50 < pct["unreliable"] < 64.5
    assert 40 < pct["epr"] < 70


def test_small_areas_in_2023(demo):
    new = wide(demo[1], "2023")
    sizes = new.loc[new["service_area"] != "", "service_area"].value_counts()
    small = sizes[sizes <= 9]
    assert len(small) >= 5
    # Some of them were small in 2021 too (they stay small).
    old = wide(demo[1], "2021")
    old_sizes = old.loc[old["service_area"] != "", "service_area"].value_counts()
    assert (old_sizes.reindex(small.index, fill_value=0) <= 9).sum() >= 5


def test_actions_completed_between_the_waves(demo):
    f = demo[1]
    act = f["actions"]
    done = act[act["status"] == "Completed"]
    between = completed_between_waves(f)
    # Many areas with such actions, many without, and a spread of counts.
    assert (between > 0).sum() >= 30 and (between == 0).sum() >= 30
    assert between.max() >= 4
    # Completions run on into 2022, and a few land during or after the 2023 wave.
    assert (done["completed_on"].str[:4] == "2022").sum() >= 10
    assert (done["completed_on"] >= OPENED_2023).any()


def test_movement_differs_by_area_and_follows_actions(demo):
    f = demo[1]
    skills = area_change(f, "it_skills")
    assert len(skills) >= 40
    # Movement differs by area: clear gains and clear losses.
    assert (skills["change"] >= 10).sum() >= 5
    assert (skills["change"] <= -10).sum() >= 5
    # ... and follows the actions completed there between the waves (noisily).
    rho = spearman(skills["change"], skills["between"])
    assert 0.3 < rho < 0.9, rho
    with_, without = skills[skills["between"] > 0], skills[skills["between"] == 0]
    assert pooled_change(with_) - pooled_change(without) > 8
    assert pooled_change(without) < 0 < pooled_change(with_)
    # Information available rises and "IT is too unreliable" falls more where actions were completed.
    info = area_change(f, "info_available", min_n=1)
    assert pooled_change(info[info["between"] > 0]) - pooled_change(info[info["between"] == 0]) > 3
    unrel = area_change(f, "it_unreliable", min_n=1)
    assert pooled_change(unrel[unrel["between"] > 0]) - pooled_change(unrel[unrel["between"] == 0]) < -5
    assert spearman(unrel["change"], unrel["between"]) < 0


def test_deterministic(demo, tmp_path):
    out, _ = demo
    generate(tmp_path)
    for name in [f"{n}.csv" for n in FILES] + [contract.SYNTHETIC_MANIFEST]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_other_seed_differs(demo, tmp_path):
    out, _ = demo
    generate(tmp_path, seed=DEFAULT_SEED + 1)
    for name in ("survey_responses", "survey_answers", "actions"):
        assert (tmp_path / f"{name}.csv").read_bytes() != (out / f"{name}.csv").read_bytes(), name


def test_manifest(demo):
    out, _ = demo
    manifest = json.loads((out / contract.SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
    assert "synthetic" in manifest["note"].lower() and "not real" in manifest["note"].lower()
    assert manifest["seed"] == DEFAULT_SEED
    assert manifest["scale"] == 2400
    assert list(manifest["files"]) == [f"{n}.csv" for n in FILES]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    # Nothing else in the folder.
    assert {p.name for p in out.iterdir()} == set(manifest["files"]) | {contract.SYNTHETIC_MANIFEST}


@pytest.mark.slow
def test_scale(tmp_path):
    generate(tmp_path, seed=7, scale=20000)
    f = read(tmp_path)
    per_wave = f["survey_responses"]["wave"].value_counts()
    assert per_wave["2021"] == 20000
    assert 18000 <= per_wave["2023"] <= 20000
    assert set(f["survey_responses"]["survey"]) == set(demo_model.SURVEYS)
    assert_valid(tmp_path, f)
    m = measures(f)
    # Everything else grows in proportion (20000 / 2400 responses).
    assert m["actions"] == round(831 * 20000 / 2400)
    assert len(f["service_areas"]) == len(read_default_areas())
    for key, published in (("skills", 39), ("info", 69), ("unreliable", 65)):
        num, den = m[key]
        assert abs(100 * num / den - published) < 1, key
    # The movement still follows the actions completed between the waves.
    skills = area_change(f, "it_skills", min_n=50)
    assert spearman(skills["change"], skills["between"]) > 0.3


def read_default_areas() -> list[str]:
    from demo import service_area_rows

    return [a for a, _ in service_area_rows()]


def test_tiny_scale_still_valid(tmp_path):
    generate(tmp_path, scale=5)
    f = read(tmp_path)
    assert len(f["survey_responses"]) == 10
    assert (f["survey_responses"]["wave"] == "2021").sum() == 5
    assert_valid(tmp_path, f)


def test_cli(tmp_path):
    out = tmp_path / "extracts"
    run = subprocess.run(
        [sys.executable, "-m", "demo", "--out", str(out), "--seed", "11", "--scale", "300"],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    f = read(out)
    assert (f["survey_responses"]["wave"] == "2021").sum() == 300
    assert json.loads((out / contract.SYNTHETIC_MANIFEST).read_text())["seed"] == 11
    assert_valid(out, f)

    bad = subprocess.run(
        [sys.executable, "-m", "demo", "--out", str(out), "--scale", "0"],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
