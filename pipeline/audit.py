"""The release audit: which survey groups of one wave may be released (docs/DISCLOSURE.md).

Takes the wave's atoms (responses per care group, service area, survey, staff group and
month: the finest split the release is made of, as true counts) and the threshold; gives
every group of the release with its true size and its status: released, or the rule that
suppressed it. Pure Python on true counts, run once per build; nothing here is stored.

The release's groups (``Group``) are sets of responses:

- ``answers``: a unit (the Trust, a care group, or a service area within its care group)
  x a survey (or all) x a staff group (or all), over the whole wave;
- ``month``: a unit x one calendar month of the wave (every survey and staff group);
- ``rate``: a service area x the staff surveys (the ``lists`` marked staff), for response
  rates.

Primary suppression: a group of fewer than ``threshold`` responses is not released. Then
the audit takes the part of an attacker who knows every released group's exact size and
how the groups nest, and looks for a way to single out 1 to threshold - 1 people:

- **nested pair**: two known groups, one inside the other, whose sizes differ by 1 to
  threshold - 1 (an area beside the same area's one staff group; a care group beside a
  service area that is nearly all of it);
- **parent minus children**: a known group less its known sub-groups, when the sub-groups
  split it whole (service areas of a care group, care groups of the Trust, surveys or staff
  groups of a unit, months of a unit's wave, surveys of a service area's staff surveys),
  leaving 1 to threshold - 1 people in the sub-groups not known;
- **two by two**: four known groups that are two splits of one unit and their crossing
  (unit, unit x survey, unit x staff group, unit x survey x staff group; a care group and
  one of its areas, each whole and in one survey, one staff group or one month), whose
  sizes leave 1 to threshold - 1 people outside both splits.

"Known" is what is released, and what can be worked out from it: a group whose split is
known but for one part, or whose parts are all known (``_closure``). While any way is
found, one more group is suppressed (the least useful group that closes it: a rate before
a month before a survey or staff group split before a whole unit, then the smallest) and
the search runs again. The Trust's whole-wave group is kept unless nothing else closes a
way. The search is conservative: groups with no responses count as known zeros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline import contract

ANSWERS, MONTH, RATE = "answers", "month", "rate"
RELEASED = "released"
PRIMARY = "fewer than the threshold"
NESTED = "nested pair"
PARENT = "parent minus children"
TWO_BY_TWO = "two by two"
RULES = (PRIMARY, NESTED, PARENT, TWO_BY_TWO)
ATOM_COLUMNS = ("care_group", "service_area", "survey", "staff_group", "month")


@dataclass(frozen=True)
class Group:
    """One group of the release. A unit is the Trust (care_group and service_area None), a care
    group (service_area None) or a service area (both set); None elsewhere means 'all'."""

    kind: str
    care_group: str | None = None
    service_area: str | None = None
    survey: str | None = None
    staff_group: str | None = None
    month: dt.date | None = None

    @property
    def unit(self) -> tuple[str | None, str | None]:
        return (self.care_group, self.service_area)

    def describe(self) -> str:
        parts = [contract.unit_name(self.care_group, self.service_area, "Trust"), self.kind]
        parts += [str(v) for v in (self.survey, self.staff_group, self.month) if v is not None]
        return " / ".join(parts)


@dataclass
class Audit:
    sizes: dict[Group, int]  # every group with at least one response, by its true size
    status: dict[Group, str]  # RELEASED or the rule that suppressed it

    @property
    def released(self) -> list[Group]:
        return [g for g, s in self.status.items() if s == RELEASED]

    def summary(self) -> list[tuple[str, str, int]]:
        """Groups per kind and status (released, or each rule), as (kind, status, groups): what the build
        prints and stores."""
        counted: dict[tuple[str, str], int] = {}
        for group, status in self.status.items():
            counted[(group.kind, status)] = counted.get((group.kind, status), 0) + 1
        return [(kind, status, groups) for (kind, status), groups in counted.items()]


# The columns that name a unit at each level: the Trust, a care group, a service area within it.
LEVELS: dict[str, list[str]] = {
    "trust": [],
    "care_group": ["care_group"],
    "service_area": ["care_group", "service_area"],
}


Atoms = Mapping[str, Sequence]  # column -> values, one per atom: ATOM_COLUMNS and responses (a DataFrame will do)


def enumerate_groups(atoms: Atoms, staff_surveys: Sequence[str]) -> dict[Group, np.ndarray]:
    """Every group holding at least one atom, with the positions of its atoms."""
    columns = {c: list(atoms[c]) for c in ATOM_COLUMNS}
    size = len(columns["survey"])
    found: dict[Group, np.ndarray] = {}

    def add(kind: str, positions: Sequence[int], by: list[str]) -> None:
        grouped: dict[tuple, list[int]] = {}
        for position in positions:
            grouped.setdefault(tuple(columns[c][position] for c in by), []).append(position)
        for key in sorted(grouped, key=lambda k: tuple(str(v) for v in k)):
            found[Group(kind, **dict(zip(by, key)))] = np.array(grouped[key], dtype=np.int64)

    everything = range(size)
    for unit in LEVELS.values():
        for survey in (False, True):
            for staff in (False, True):
                add(ANSWERS, everything, unit + (["survey"] if survey else []) + (["staff_group"] if staff else []))
        add(MONTH, everything, [*unit, "month"])
    # Rates are for the service areas of the Trust's structure, not the 'Not stated' ones.
    staff = [
        p
        for p in everything
        if columns["survey"][p] in staff_surveys and columns["service_area"][p] != contract.NOT_STATED
    ]
    add(RATE, staff, ["care_group", "service_area"])
    return found


def _bits(positions: np.ndarray, size: int) -> int:
    """A set of atom positions as one integer, a bit per atom (subset tests are one AND)."""
    flags = np.zeros(size, dtype=bool)
    flags[positions] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def partitions(groups: Iterable[Group], staff_surveys: Sequence[str]) -> list[tuple[Group, list[Group]]]:
    """Each split of a group into parts that hold it whole: (parent, parts). Only groups with
    responses are listed; a part with none is a known zero."""
    present = dict.fromkeys(groups)  # in the order given: the audit must not depend on hashing
    splits: dict[tuple, list[Group]] = {}

    def part_of(name: str, parent: Group, child: Group) -> None:
        if parent in present:
            splits.setdefault((name, parent), []).append(child)

    for g in list(present):
        if g.kind in (ANSWERS, MONTH) and g.care_group is not None:
            parent_unit = (g.care_group, None) if g.service_area is not None else (None, None)
            part_of("unit", Group(g.kind, *parent_unit, g.survey, g.staff_group, g.month), g)
        if g.kind == ANSWERS and g.survey is not None:
            part_of("survey", Group(ANSWERS, *g.unit, None, g.staff_group), g)
        if g.kind == ANSWERS and g.staff_group is not None:
            part_of("staff_group", Group(ANSWERS, *g.unit, g.survey, None), g)
        if g.kind == MONTH:
            part_of("month", Group(ANSWERS, *g.unit), g)
        # A service area of the structure (rates are not made for 'Not stated' ones) is its staff surveys'
        # rate group and its other surveys.
        area = g.service_area is not None and g.service_area != contract.NOT_STATED
        if g.kind == ANSWERS and area and g.staff_group is None and g.survey is not None:
            if g.survey in staff_surveys:
                part_of("rate", Group(RATE, *g.unit), g)
            else:
                part_of("surveys", Group(ANSWERS, *g.unit), g)
        if g.kind == RATE:
            part_of("surveys", Group(ANSWERS, *g.unit), g)
    return [(parent, children) for (_, parent), children in splits.items()]


def _crossings(sizes: dict[Group, int], threshold: int) -> list[tuple[Group, Group, Group, Group | None, int]]:
    """Every two-by-two crossing (whole, split one way, split the other, both) whose outside
    (whole - one - other + both) holds 1 to threshold - 1 people. A missing corner has no
    responses: a known zero (the crossing is dropped when a side is missing: a nested pair)."""
    found = []

    def check(whole: Group, one: Group, other: Group, both: Group) -> None:
        if whole not in sizes or one not in sizes or other not in sizes:
            return
        outside = sizes[whole] - sizes[one] - sizes[other] + sizes.get(both, 0)
        if 0 < outside < threshold:
            found.append((whole, one, other, both if both in sizes else None, outside))

    units = list(dict.fromkeys((g.care_group, g.service_area) for g in sizes if g.kind == ANSWERS))
    surveys = sorted({g.survey for g in sizes if g.survey is not None})
    staff_groups = sorted({g.staff_group for g in sizes if g.staff_group is not None})
    months = sorted({g.month for g in sizes if g.month is not None})

    def ancestors(unit: tuple) -> list[tuple]:
        care_group, area = unit
        return ([(care_group, None)] if area is not None else []) + ([(None, None)] if care_group is not None else [])

    for unit in units:
        for s in surveys:
            for g in staff_groups:
                check(
                    Group(ANSWERS, *unit),
                    Group(ANSWERS, *unit, s),
                    Group(ANSWERS, *unit, None, g),
                    Group(ANSWERS, *unit, s, g),
                )
        for upper in ancestors(unit):
            for g in (None, *staff_groups):
                for s in surveys:
                    check(
                        Group(ANSWERS, *upper, None, g),
                        Group(ANSWERS, *unit, None, g),
                        Group(ANSWERS, *upper, s, g),
                        Group(ANSWERS, *unit, s, g),
                    )
            for s in (None, *surveys):
                for g in staff_groups:
                    check(
                        Group(ANSWERS, *upper, s),
                        Group(ANSWERS, *unit, s),
                        Group(ANSWERS, *upper, s, g),
                        Group(ANSWERS, *unit, s, g),
                    )
            for m in months:
                check(
                    Group(ANSWERS, *upper),
                    Group(ANSWERS, *unit),
                    Group(MONTH, *upper, month=m),
                    Group(MONTH, *unit, month=m),
                )
    return found


def _nested(sizes: dict[Group, int], members: dict[Group, int], threshold: int) -> list[tuple[Group, Group, int]]:
    """Every (larger, smaller) pair of groups, the smaller inside the larger, differing by 1 to
    threshold - 1 people."""
    groups = sorted(sizes, key=sizes.get)
    ordered = np.array([sizes[g] for g in groups], dtype=np.int64)
    bits = [members[g] for g in groups]
    starts = np.searchsorted(ordered, ordered, side="right")  # the first group larger than each
    ends = np.searchsorted(ordered, ordered + threshold, side="left")  # past the last within reach
    pairs = []
    for i in range(len(groups)):
        inner = bits[i]
        for j in range(starts[i], ends[i]):
            if bits[j] & inner == inner:
                pairs.append((groups[j], groups[i], int(ordered[j] - ordered[i])))
    return pairs


def _priority(group: Group, sizes: dict[Group, int]) -> tuple[int, int]:
    """What is given up first to close a way: a month, then a survey and staff group crossing, then
    a survey or a staff group, then a rate, then a whole unit (a service area before a care group);
    the smallest first."""
    if group.kind == MONTH:
        rank = 0
    elif group.kind == RATE:
        rank = 3
    elif group.survey is not None and group.staff_group is not None:
        rank = 1
    elif group.survey is not None or group.staff_group is not None:
        rank = 2
    else:
        rank = 4 + (group.care_group is None) + (group.service_area is None)
    return rank, sizes[group]


def audit(atoms: Atoms, threshold: int, staff_surveys: Sequence[str]) -> Audit:
    """The release of one wave: every group with responses, released or suppressed (and by which rule).

    ``atoms``: one row per care group, service area, survey, staff group and month with
    ``responses`` (the wave's true counts; 'Not stated' is a label like any other)."""
    found = enumerate_groups(atoms, staff_surveys)
    counts = np.asarray(list(atoms["responses"]), dtype=np.int64)
    sizes = {g: int(counts[p].sum()) for g, p in found.items()}
    sizes = {g: n for g, n in sizes.items() if n > 0}
    members = {g: _bits(found[g], len(counts)) for g in sizes}
    splits = partitions(sizes, staff_surveys)
    pairs = _nested(sizes, members, threshold)
    crossings = _crossings(sizes, threshold)
    status = {g: (PRIMARY if n < threshold else RELEASED) for g, n in sizes.items()}
    trust = Group(ANSWERS)
    result = Audit(sizes, status)
    while True:
        known, derived = _closure(status, splits)
        ways = _ways(known, derived, splits, pairs, crossings, sizes, threshold)
        if not ways:
            return result
        released = {g for g, s in status.items() if s == RELEASED}  # as this pass found them
        closed: set[Group] = set()
        for way, involved in ways:
            candidates = _candidates(involved, released, derived, splits)
            if closed & (set(candidates) | set(involved)):
                continue  # an earlier suppression of this pass touches it: looked at again next pass
            keep_trust = [g for g in candidates if g != trust] or candidates
            victim = min(keep_trust, key=lambda g: _priority(g, sizes))
            status[victim] = way
            closed.add(victim)


def _closure(status: dict[Group, str], splits) -> tuple[set[Group], dict[Group, int]]:
    """What an attacker knows: released groups, and groups worked out from a split (the one part
    missing from a known whole, or a whole from all its known parts). ``derived``: group -> the
    index of the split it came from."""
    known = {g for g, s in status.items() if s == RELEASED}
    derived: dict[Group, int] = {}
    changed = True
    while changed:
        changed = False
        for index, (parent, children) in enumerate(splits):
            unknown = [c for c in children if c not in known]
            if parent in known and len(unknown) == 1:
                known.add(unknown[0])
                derived[unknown[0]] = index
                changed = True
            elif parent not in known and not unknown:
                known.add(parent)
                derived[parent] = index
                changed = True
    return known, derived


def _ways(known, derived, splits, pairs, crossings, sizes, threshold) -> list[tuple[str, tuple[Group, ...]]]:
    """Every way the known groups single out 1 to threshold - 1 people, as (rule, groups read)."""
    ways: list[tuple[str, tuple[Group, ...]]] = []
    for group, index in derived.items():
        if sizes[group] < threshold:
            parent, children = splits[index]
            ways.append((PARENT, (parent, *children)))
    for parent, children in splits:
        if parent not in known:
            continue
        unknown = sum(sizes[c] for c in children if c not in known)
        if 0 < unknown < threshold:
            ways.append((PARENT, (parent, *(c for c in children if c in known))))
    for large, small, _ in pairs:
        if large in known and small in known:
            ways.append((NESTED, (large, small)))
    for whole, one, other, both, _ in crossings:
        if whole in known and one in known and other in known and (both is None or both in known):
            ways.append((TWO_BY_TWO, tuple(g for g in (whole, one, other, both) if g is not None)))
    return ways


def _candidates(involved: Sequence[Group], released: set[Group], derived, splits) -> list[Group]:
    """The released groups whose suppression closes a way: those it reads, and for a group it
    reads that was worked out, the released groups it was worked out from (through every step)."""
    found: list[Group] = []
    seen: set[Group] = set()
    waiting = list(involved)
    while waiting:
        group = waiting.pop(0)
        if group in seen:
            continue
        seen.add(group)
        if group in released:
            found.append(group)
        elif group in derived:
            parent, children = splits[derived[group]]
            waiting.extend(g for g in (parent, *children) if g != group)
    return found


def ways_left(
    audit_result: Audit, atoms: Atoms, threshold: int, staff_surveys: Sequence[str]
) -> list[tuple[str, tuple[Group, ...]]]:
    """Every way still open in a finished audit, as (rule, groups read): none when the audit has
    done its work. For the tests."""
    sizes = audit_result.sizes
    found = enumerate_groups(atoms, staff_surveys)
    members = {g: _bits(found[g], len(atoms["responses"])) for g in sizes}
    splits = partitions(sizes, staff_surveys)
    known, derived = _closure(audit_result.status, splits)
    return _ways(
        known, derived, splits, _nested(sizes, members, threshold), _crossings(sizes, threshold), sizes, threshold
    )
