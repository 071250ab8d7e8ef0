"""The release audit (pipeline/audit.py): each way to single out a few people, planted and seen closed.

Each test builds a wave's atoms by hand (responses per care group, service area, survey,
staff group and month), plants one case of a class the audit must close, runs the audit and
checks, with this file's own arithmetic (not the audit's), that the released groups no longer
allow it: the case is open before the audit (every group of 10 or more released) and closed
after. The same independent check runs over the whole demo release in tests/test_attacks.py.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

import demo.model as demo_model
from pipeline import audit, contract
from pipeline.audit import ANSWERS, MONTH, RATE, Group

T = 10
MARCH, APRIL = dt.date(2021, 3, 1), dt.date(2021, 4, 1)
STAFF = demo_model.STAFF_SURVEYS


def atoms(*rows: tuple) -> pd.DataFrame:
    """Atoms from (care_group, service_area, survey, staff_group, month, responses) rows."""
    return pd.DataFrame(rows, columns=["care_group", "service_area", "survey", "staff_group", "month", "responses"])


def sizes_of(frame: pd.DataFrame, group: Group) -> int:
    """A group's true size, worked out here from the atoms (not by the audit)."""
    keep = pd.Series(True, index=frame.index)
    for column in ("care_group", "service_area", "survey", "staff_group", "month"):
        value = getattr(group, column)
        if value is not None:
            keep &= frame[column] == value
    if group.kind == RATE:
        keep &= frame["survey"].isin(STAFF)
    return int(frame.loc[keep, "responses"].sum())


def released(frame: pd.DataFrame) -> set[Group]:
    return set(audit.audit(frame, T, STAFF).released)


def test_a_group_under_the_threshold_is_never_released() -> None:
    frame = atoms(("G", "A", "Staff", "Nursing", MARCH, 30), ("G", "B", "Staff", "Nursing", MARCH, 9))
    result = audit.audit(frame, T, STAFF)
    assert result.status[Group(ANSWERS, "G", "B")] == audit.PRIMARY
    assert all(result.sizes[g] >= T for g in result.released)


def test_nested_pair_an_area_beside_its_one_staff_group() -> None:
    # Ward A: 20 nurses and 3 others. Released whole and as its nurses, the two differ by the 3.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 20),
        ("G", "A", "Staff", "Social care", MARCH, 3),
        ("G", "B", "Staff", "Nursing", MARCH, 40),
        ("G", "B", "Staff", "Social care", MARCH, 40),
    )
    whole, nurses = Group(ANSWERS, "G", "A"), Group(ANSWERS, "G", "A", None, "Nursing")
    assert 0 < sizes_of(frame, whole) - sizes_of(frame, nurses) < T  # the planted case
    shown = released(frame)
    assert not ({whole, nurses} <= shown), "the area and its nurses differ by 3 people"


def test_nested_pair_a_care_group_beside_an_area_that_is_nearly_all_of_it() -> None:
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 50),
        ("G", "B", "Staff", "Nursing", MARCH, 2),
        ("H", "C", "Staff", "Nursing", MARCH, 50),
    )
    group, area = Group(ANSWERS, "G"), Group(ANSWERS, "G", "A")
    assert sizes_of(frame, group) - sizes_of(frame, area) == 2
    assert not ({group, area} <= released(frame))


def test_parent_minus_children_the_areas_of_a_care_group() -> None:
    # Three areas of 20 and one of 4: the care group less the three shown is the fourth.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 20),
        ("G", "B", "Staff", "Nursing", MARCH, 20),
        ("G", "C", "Staff", "Nursing", MARCH, 20),
        ("G", "D", "Staff", "Nursing", MARCH, 4),
        ("H", "E", "Staff", "Nursing", MARCH, 40),
    )
    shown = released(frame)
    parent = Group(ANSWERS, "G")
    children = [Group(ANSWERS, "G", a) for a in "ABCD"]
    if parent in shown:
        left = sizes_of(frame, parent) - sum(sizes_of(frame, c) for c in children if c in shown)
        assert left == 0 or left >= T, f"the care group less its shown areas leaves {left}"


@pytest.mark.parametrize("split", ["staff_group", "survey", "month"])
def test_parent_minus_children_staff_groups_surveys_and_months_of_an_area(split: str) -> None:
    # One area split three ways along one dimension: 25, 25 and 3.
    values = {
        "staff_group": ("Nursing", "Social care", "Management"),
        "survey": ("Staff", "Service user", "Carer"),
        "month": (MARCH, APRIL, dt.date(2021, 5, 1)),
    }[split]
    base = {"care_group": "G", "service_area": "A", "survey": "Staff", "staff_group": "Nursing", "month": MARCH}
    rows = []
    for value, count in zip(values, (25, 25, 3)):
        row = base | {split: value}
        rows.append((*row.values(), count))
    rows.append(("H", "B", "Staff", "Nursing", MARCH, 60))
    frame = atoms(*rows)
    shown = released(frame)
    parent = Group(ANSWERS, "G", "A")
    kind = MONTH if split == "month" else ANSWERS
    children = [Group(kind, "G", "A", **{split: v}) for v in values]
    if parent in shown:
        left = sizes_of(frame, parent) - sum(sizes_of(frame, c) for c in children if c in shown)
        assert left == 0 or left >= T, f"the area less its shown {split}s leaves {left}"


def test_two_by_two_an_area_by_survey_and_staff_group() -> None:
    # Area A: Staff survey 30 (nurses 24, others 6), Digital champion 14 (nurses 10, others 4): the
    # area less its Staff survey less its nurses plus its Staff-survey nurses is the 4 others.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 24),
        ("G", "A", "Staff", "Social care", MARCH, 6),
        ("G", "A", "Digital champion", "Nursing", MARCH, 10),
        ("G", "A", "Digital champion", "Social care", MARCH, 4),
        ("H", "B", "Staff", "Nursing", MARCH, 60),
    )
    corners = (
        Group(ANSWERS, "G", "A"),
        Group(ANSWERS, "G", "A", "Staff"),
        Group(ANSWERS, "G", "A", None, "Nursing"),
        Group(ANSWERS, "G", "A", "Staff", "Nursing"),
    )
    whole, one, other, both = (sizes_of(frame, g) for g in corners)
    assert whole - one - other + both == 4  # the planted case
    shown = released(frame)
    assert not set(corners) <= shown


def test_two_by_two_a_care_group_and_an_area_by_month() -> None:
    # The care group and area A, whole and in March: outside both is G's other areas after March.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 30),
        ("G", "A", "Staff", "Nursing", APRIL, 20),
        ("G", "B", "Staff", "Nursing", MARCH, 20),
        ("G", "B", "Staff", "Nursing", APRIL, 5),
        ("H", "C", "Staff", "Nursing", MARCH, 60),
    )
    corners = (
        Group(ANSWERS, "G"),
        Group(ANSWERS, "G", "A"),
        Group(MONTH, "G", month=MARCH),
        Group(MONTH, "G", "A", month=MARCH),
    )
    whole, one, other, both = (sizes_of(frame, g) for g in corners)
    assert whole - one - other + both == 5
    assert not set(corners) <= released(frame)


def test_a_rate_group_beside_its_staff_survey() -> None:
    # Ward A: 20 Staff survey responses and 2 digital champions: the rate group less the Staff survey is 2.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 20),
        ("G", "A", "Digital champion", "Nursing", MARCH, 2),
        ("H", "B", "Staff", "Nursing", MARCH, 60),
    )
    rate, staff = Group(RATE, "G", "A"), Group(ANSWERS, "G", "A", "Staff")
    assert sizes_of(frame, rate) - sizes_of(frame, staff) == 2
    assert not ({rate, staff} <= released(frame))


def test_a_way_through_a_worked_out_group_is_closed_too() -> None:
    # B's 12 are released; so is the care group (A + B + C); A is 30. If A and the care group are shown, C's 3
    # are the care group less A less B. The audit must see that C is worked out from three released groups.
    frame = atoms(
        ("G", "A", "Staff", "Nursing", MARCH, 30),
        ("G", "B", "Staff", "Nursing", MARCH, 12),
        ("G", "C", "Staff", "Nursing", MARCH, 3),
        ("H", "D", "Staff", "Nursing", MARCH, 60),
    )
    shown = released(frame)
    parent = Group(ANSWERS, "G")
    areas = [Group(ANSWERS, "G", a) for a in "ABC"]
    if parent in shown:
        left = sizes_of(frame, parent) - sum(sizes_of(frame, a) for a in areas if a in shown)
        assert left == 0 or left >= T


def test_the_trust_whole_is_kept_and_nothing_else_is_lost_without_cause() -> None:
    # Two areas of 40, each one staff group and one survey: nothing to close, everything of 10+ is released.
    frame = atoms(("G", "A", "Staff", "Nursing", MARCH, 40), ("H", "B", "Staff", "Nursing", MARCH, 40))
    result = audit.audit(frame, T, STAFF)
    assert Group(ANSWERS) in result.released
    assert {g for g, s in result.status.items() if s not in (audit.RELEASED, audit.PRIMARY)} == set()


def test_the_audit_does_not_depend_on_the_order_of_the_atoms() -> None:
    rng = random.Random(3)
    rows = [
        (g, f"{g}{a}", s, sg, m, rng.randint(1, 14))
        for g in "GH"
        for a in range(4)
        for s in ("Staff", "Carer")
        for sg in ("Nursing", "Social care")
        for m in (MARCH, APRIL)
    ]
    frame = atoms(*rows)
    first = audit.audit(frame, T, STAFF).status
    shuffled = frame.sample(frac=1, random_state=5)
    assert audit.audit(shuffled, T, STAFF).status == first


def test_random_waves_leave_no_way_open() -> None:
    """Small random waves (many groups near the threshold): after the audit, no nested pair, no
    parent less its shown parts and no two-by-two crossing singles out 1 to 9 people, by this
    file's own arithmetic over every group the audit saw."""
    for seed in range(6):
        rng = random.Random(seed)
        rows = [
            (g, f"{g}{a}", s, sg, m, rng.choice([0, 1, 2, 3, 5, 8, 12]))
            for g in "GH"
            for a in range(3)
            for s in ("Staff", "Digital champion", "Carer")
            for sg in ("Nursing", "Social care", contract.NOT_STATED)
            for m in (MARCH, APRIL)
        ]
        frame = atoms(*[r for r in rows if r[-1]])
        result = audit.audit(frame, T, STAFF)
        assert audit.ways_left(result, frame, T, STAFF) == []
        shown = set(result.released)
        for parent in shown:
            for split in ("survey", "staff_group"):
                if getattr(parent, split) is not None or parent.kind != ANSWERS:
                    continue
                children = [
                    g
                    for g in result.sizes
                    if g.kind == ANSWERS
                    and g.unit == parent.unit
                    and getattr(g, split) is not None
                    and all(getattr(g, o) == getattr(parent, o) for o in ("survey", "staff_group") if o != split)
                ]
                left = sizes_of(frame, parent) - sum(sizes_of(frame, c) for c in children if c in shown)
                assert left == 0 or left >= T, (seed, parent, split, left)
