"""Attacks on the release, reading only what the app shows (tests/attacks.py, docs/DISCLOSURE.md "Attacked").

On the demo data and on generated data with many small service areas:

- the audit, redone here on people (sets of response ids), finds no nested pair, no whole less
  its released parts and no two-by-two crossing that singles out 1 to 9 people;
- no pair of views, and no two-by-two of views, isolates one person, so the method-aware
  attacker has nothing to work on: its gain over the base rate is 0 (at most 5 points allowed);
- seen through many pairs, one person's difference never changes (a fixed release has nothing
  to average away);
- a hidden breakdown row looks the same whether anyone is in it or not;
- no comment is tied to fewer than 10 people.

Each claim is also tried where it must fail, so the harness can fail: the same data released
without the audit (only groups under 10 suppressed) leaves ways open and pairs of views one
person apart, and against exact counts the same attacker is right every time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import demo.model as demo_model
from dashboard.core import db
from pipeline import audit, contract, perturbation
from pipeline.build import build
from tests import attacks, oracle
from tests.conftest import SMALL, write_csv

pytestmark = pytest.mark.slow

KEY = "harness-" + "generated-key-long-enough-for-a-trust"
MONTHS = ("2021-03", "2021-04", "2021-05", "2021-06")


def generated_extracts(folder: Path, seed: int = 7) -> Path:
    """Survey answers for 48 service areas in two care groups, 20 to 60 responses each over four months,
    two staff surveys and four staff groups, answers drawn at random; most of an area's responses in
    two months and two staff groups, so that lone respondents are common. Plus the small extracts'
    engagement."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    areas = {f"Team {i}": demo_model.CARE_GROUPS[i % 2] for i in range(1, 49)}
    areas |= {row["service_area"]: row["care_group"] for row in SMALL["service_areas"]}
    write_csv(folder / "service_areas.csv", [{"service_area": a, "care_group": g} for a, g in areas.items()])
    for name in ("lists", "conversations", "conversation_attendees", "actions"):
        write_csv(folder / f"{name}.csv", SMALL[name])
    rows = []
    for i, (area, group) in enumerate(a for a in areas.items() if a[0].startswith("Team")):
        for j in range(rng.randint(20, 60)):
            month = rng.choices(MONTHS, weights=(1, 12, 12, 1))[0]
            rows.append(
                {
                    "response_id": f"G{i}-{j}",
                    "survey": rng.choices(("Staff", "Digital champion"), weights=(15, 1))[0],
                    "submitted_on": f"{month}-{rng.randint(1, 28):02d}",
                    "care_group": group,
                    "service_area": area,
                    "staff_group": rng.choices(demo_model.STAFF_GROUPS[:4], weights=(12, 12, 1, 1))[0],
                    "it_skills": rng.choice(("", *contract.IT_SKILLS)),
                    "info_available": rng.choice(contract.INFO_AVAILABLE),
                    "it_unreliable": rng.choice(contract.IT_UNRELIABLE),
                    "comment": rng.choice(("", "", f"Comment {i}-{j} about the Wi-Fi")),
                }
            )
    write_csv(folder / "survey_responses.csv", rows)
    return folder


def no_audit(*_: object) -> list:
    """The audit finding nothing: only groups under the threshold are suppressed (the control)."""
    return []


def exact_noise() -> list[tuple[int, int, int]]:
    """A perturbation table that adds nothing: exact counts (the control)."""
    return [(row, key, 0) for row in range(perturbation.MAX_NOISE + 1) for key in range(perturbation.KEYS)]


def built(folder: Path, database: Path, key: str, *, audited: bool = True, exact: bool = False) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_PERTURBATION_KEY", key)
        patch.delenv("DASHBOARD_MIN_GROUP_SIZE", raising=False)
        if not audited:
            patch.setattr(audit, "_ways", no_audit)
        if exact:
            patch.setattr(perturbation, "rows", exact_noise)
        build(folder, database)
    return database


@dataclass(frozen=True)
class Case:
    name: str
    release: attacks.Release
    database: db.Database
    combinations: list[attacks.Combination]


def case_of(name: str, extracts: Path, database: Path, key: str) -> Iterator[Case]:
    responses = oracle.read_responses(extracts, key)
    release = attacks.load(responses, database, extracts)
    opened = db.Database(database)
    try:
        yield Case(name, release, opened, attacks.one_person_combinations(release, sorted(set(responses["wave"]))))
    finally:
        opened.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_extracts(tmp_path_factory.mktemp("generated") / "extracts")


@pytest.fixture(scope="module", params=["demo", "generated"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    """The release as built, on the demo data and on the generated small areas."""
    if request.param == "demo":
        yield from case_of("demo", oracle.DEMO_EXTRACTS, request.getfixturevalue("demo_db"), oracle.DEMO_KEY)
    else:
        extracts = request.getfixturevalue("generated")
        database = built(extracts, tmp_path_factory.mktemp("released") / "generated.duckdb", KEY)
        yield from case_of("generated", extracts, database, KEY)


@pytest.fixture(scope="module")
def unaudited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    """The demo data released without the audit (the control): perturbed once, groups under 10 suppressed."""
    database = built(
        oracle.DEMO_EXTRACTS, tmp_path_factory.mktemp("unaudited") / "demo.duckdb", oracle.DEMO_KEY, audited=False
    )
    yield from case_of("demo, no audit", oracle.DEMO_EXTRACTS, database, oracle.DEMO_KEY)


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory, unaudited: Case) -> Iterator[Case]:
    """The demo data as exact counts, without the audit: what the attacker faces with no protection. It
    releases the same groups as ``unaudited`` (the noise decides nothing), so the same views isolate the
    same people."""
    database = built(
        oracle.DEMO_EXTRACTS,
        tmp_path_factory.mktemp("exact") / "demo.duckdb",
        oracle.DEMO_KEY,
        audited=False,
        exact=True,
    )
    release = attacks.load(oracle.read_responses(), database)
    assert release.released == unaudited.release.released
    opened = db.Database(database)
    try:
        yield Case("demo, exact", release, opened, unaudited.combinations)
    finally:
        opened.close()


# --- The audit, redone on people ---------------------------------------------------------------------


def test_the_audit_redone_on_people_finds_no_way_open(case: Case) -> None:
    ways = attacks.open_ways(case.release)
    assert ways == [], ways[:3]
    assert len(case.release.released.groups) > 100  # a release worth attacking


def test_without_the_audit_ways_are_open(unaudited: Case) -> None:
    """The independent check can fail: released without the audit, each class of way is there."""
    ways = attacks.open_ways(unaudited.release)
    assert {rule for rule, _, _ in ways} == {"nested pair", "parent minus children", "two by two"}
    assert all(0 < people < oracle.THRESHOLD for _, _, people in ways)


# --- One person between two views ----------------------------------------------------------------------


def test_no_views_isolate_one_person_so_the_attacker_gains_nothing(case: Case) -> None:
    result = attacks.attack(case.database, case.release, case.combinations)
    print(f"{case.name}: {len(case.combinations)} combinations of views one person apart; attack {result}")
    assert case.combinations == []
    assert result.gain <= attacks.MAX_GAIN


def test_without_the_audit_views_one_person_apart_exist_and_the_attack_reads_them(unaudited: Case, exact: Case) -> None:
    """The harness can fail: without the audit, pairs of views one person apart are there; against exact
    counts the attacker reads every answer from them; against the once-perturbed counts it gains little."""
    assert len(unaudited.combinations) >= 20
    against_exact = attacks.attack(exact.database, exact.release, exact.combinations, exact=True)
    assert against_exact.cases >= 20 and against_exact.right == against_exact.cases
    assert against_exact.gain > 0.2
    against_noise = attacks.attack(unaudited.database, unaudited.release, unaudited.combinations)
    print(f"no audit, exact counts: {against_exact}; no audit, perturbed once: {against_noise}")
    assert against_noise.cases == against_exact.cases  # the same people, seen through the same views


def test_many_pairs_around_one_person_show_the_same_difference(unaudited: Case) -> None:
    """Averaging: other areas added to both views of a pair draw no fresh noise (the release is fixed),
    so every pair around the person shows exactly the same difference and combining them adds nothing."""
    tried = 0
    for combination in unaudited.combinations:
        seen, _ = attacks.averaging(unaudited.database, unaudited.release, combination, extra=8)
        if len(seen) >= 4:
            tried += 1
            assert all(difference == seen[0] for difference in seen), combination.person
    assert tried >= 5


# --- Presence ------------------------------------------------------------------------------------------


def test_a_hidden_row_looks_the_same_whether_anyone_is_in_it(case: Case) -> None:
    wave = min(key[0] for key in case.release.released.groups)
    result, looks = attacks.presence(case.database, case.release, wave, limit=20)
    print(f"{case.name}, presence: {result}")
    assert len(looks) == 1, looks
    assert result.cases > 100 and result.gain <= attacks.MAX_GAIN
    assert 0 < result.base < result.cases  # hidden rows with nobody and with someone were both seen


# --- Comments ------------------------------------------------------------------------------------------


def test_no_comment_is_tied_to_fewer_than_the_threshold(case: Case) -> None:
    """Every released comment's region (the responses in exactly the same listed units), worked out here
    from the extracts and the build's listed units, holds at least 10 responses; and a listed unit shows
    exactly the comments of its responses."""
    con = duckdb.connect(str(case.database.path), read_only=True)
    try:
        units = con.sql("select * from comment_units where listed").df()
    finally:
        con.close()
    responses = case.release.responses
    checked = 0
    for wave, listed in units.groupby("wave"):
        rows = responses[responses["wave"] == wave]
        inside = pd.DataFrame(
            {
                i: (rows["care_group"] == unit.care_group if pd.notna(unit.care_group) else True)
                & (rows["service_area"] == unit.service_area if pd.notna(unit.service_area) else True)
                & (rows["survey"] == unit.survey if pd.notna(unit.survey) else True)
                for i, unit in enumerate(listed.itertuples())
            }
        )
        signature = inside.apply(tuple, axis=1)
        with_comment = rows["comment"].str.strip() != ""
        for region, members in rows.groupby(signature):
            if any(region) and with_comment[members.index].any():
                assert len(members) >= oracle.THRESHOLD, (wave, len(members))
                checked += 1
    assert checked > 0
