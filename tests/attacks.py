"""The attacks on the release: an attacker who reads only what the app shows (docs/DISCLOSURE.md, "Attacked").

The attacker opens views (filter states: a unit, or several areas, with all surveys or one
and all staff groups or one, in one wave) and reads their answer counts as the survey pages
show them (``dashboard.features.survey``). As the worst case, the attacker also knows exactly which
people each view covers: the people of the released parts the view sums (the page names the
parts it leaves out), worked out here from the extracts, never from the code under test.

- ``open_ways``: the audit, redone independently on people (sets of response ids) for every
  released group: a nested pair, a whole less its released parts, or a two-by-two crossing
  that leaves 1 to threshold - 1 people.
- ``one_person_combinations``: every pair of views whose people differ by exactly one
  person, and every two-by-two of views (a unit, its one survey, its one staff group, both)
  whose crossing leaves exactly one person outside.
- ``attack``: for each such combination and each question the person answered, the
  method-aware attacker: it knows the perturbation table, so it weighs each answer the
  person might have given by how likely the noise of the cells that differ is to produce
  the difference seen (Bayes), with the Trust's shown answer shares as its prior, and
  guesses whether the answer was positive. Its accuracy is set against the base rate
  (always guessing the commoner side). ``gain`` = accuracy - base rate.
- ``averaging``: the same person seen through many pairs (other areas added to both views):
  the attacker combines them; with a fixed release every pair shows the same difference.
- ``presence``: whether a breakdown row is listed, blank or hidden tells whether a true
  count is 0: the attacker guesses "someone is there" from what it sees.

``python -m tests.attacks`` prints the report for the demo database (docs/DISCLOSURE.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import demo.model as demo_model
from dashboard.core import db
from dashboard.core.filters import Filters
from dashboard.features import survey
from pipeline.perturbation import BASE_SLOTS, KEYS
from tests import oracle

NS = oracle.NS
MAX_GAIN = 0.05


# --- The audit, redone on people -----------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """One database's release as the attacker sees it, with the people of every possible group."""

    responses: pd.DataFrame
    released: oracle.Released
    members: dict[tuple, frozenset]  # every possible group (with anyone in it) -> its response ids
    threshold: int
    extracts: Path  # the folder the responses came from (its service_areas.csv is the structure)


def load(
    responses: pd.DataFrame, database: Path, extracts: Path = oracle.DEMO_EXTRACTS, threshold: int = oracle.THRESHOLD
) -> Release:
    """The release of ``database`` and the people of every group the extracts' responses make (grouped
    here with pandas, by the rules restated in ``oracle.members``)."""
    groups: dict[tuple, frozenset] = {}
    frame = responses.assign(_all=None)
    units = (["_all", "_all"], ["care_group", "_all"], ["care_group", "service_area"])
    for unit in units:
        for survey_column in ("_all", "survey"):
            for staff_column in ("_all", "staff_group"):
                by = ["wave", *unit, survey_column, staff_column]
                _group(groups, frame, by, lambda k: (k[0], "answers", k[1], k[2], k[3], k[4], None))
        _group(groups, frame, ["wave", *unit, "month"], lambda k: (k[0], "month", k[1], k[2], None, None, k[3]))
    staff = frame[frame["survey"].isin(oracle.STAFF_SURVEYS) & (frame["service_area"] != NS)]
    _group(
        groups, staff, ["wave", "care_group", "service_area"], lambda k: (k[0], "rate", k[1], k[2], None, None, None)
    )
    return Release(responses, oracle.released(database), groups, threshold, extracts)


def _group(groups: dict, frame: pd.DataFrame, by: list[str], key) -> None:
    columns = list(dict.fromkeys(by))  # '_all' may repeat
    for labels, rows in frame.groupby(columns, dropna=False, sort=False)["response_id"]:
        values = dict(zip(columns, labels))
        groups[key([None if c == "_all" else values[c] for c in by])] = frozenset(rows)


def _children(release: Release, key: tuple) -> list[list[tuple]]:
    """The splits of a group into parts that hold it whole (each a list of group keys with people)."""
    wave, kind, g, a, s, sg, m = key
    present = release.members
    splits = []

    def split(keys: list[tuple]) -> None:
        found = [k for k in keys if k in present]
        if found:
            splits.append(found)

    units = {(k[2], k[3]) for k in present if k[0] == wave}
    if kind in ("answers", "month"):
        if g is None:
            split([(wave, kind, c, None, s, sg, m) for c, area in units if area is None and c is not None])
        elif a is None:
            split([(wave, kind, g, area, s, sg, m) for c, area in units if c == g and area is not None])
    if kind == "answers" and s is None:
        split([(wave, kind, g, a, survey, sg, None) for survey in demo_model.SURVEYS])
    if kind == "answers" and sg is None:
        split([(wave, kind, g, a, s, staff, None) for staff in (*demo_model.STAFF_GROUPS, NS)])
    if kind == "answers" and s is None and sg is None:
        split([k for k in present if k[:4] == (wave, "month", g, a)])
    if kind == "rate":
        split([(wave, "answers", g, a, survey, None, None) for survey in demo_model.STAFF_SURVEYS])
    return splits


def open_ways(release: Release) -> list[tuple[str, tuple, int]]:
    """Every way the released groups single out 1 to threshold - 1 people, as (rule, groups, people)."""
    shown = [k for k in release.members if k in release.released.groups]
    size = {k: len(release.members[k]) for k in release.members}
    t = release.threshold
    ways = []
    for large, small in itertools.permutations(shown, 2):
        if (
            size[large] > size[small]
            and size[large] - size[small] < t
            and release.members[small] <= release.members[large]
        ):
            ways.append(("nested pair", (large, small), size[large] - size[small]))
    for parent in shown:
        for parts in _children(release, parent):
            left = size[parent] - sum(size[p] for p in parts if p in release.released.groups)
            if 0 < left < t:
                ways.append(("parent minus children", (parent, *parts), left))
    for whole in shown:
        wave, kind, g, a, s, sg, m = whole
        if kind != "answers" or s is not None or sg is not None:
            continue
        for survey_name in demo_model.SURVEYS:
            for staff in (*demo_model.STAFF_GROUPS, NS):
                one, other, both = (
                    (wave, kind, g, a, survey_name, None, None),
                    (wave, kind, g, a, None, staff, None),
                    (wave, kind, g, a, survey_name, staff, None),
                )
                if (
                    one in release.released.groups
                    and other in release.released.groups
                    and (both in release.released.groups or both not in release.members)
                ):
                    outside = size[whole] - size[one] - size[other] + size.get(both, 0)
                    if 0 < outside < t:
                        ways.append(("two by two", (whole, one, other, both), outside))
    return ways


# --- Views and the combinations that isolate one person ------------------------------------------


@dataclass(frozen=True)
class View:
    filters: Filters
    parts: tuple[tuple, ...]  # the release's groups the view covers (shown or not)


def views(release: Release, wave: str) -> list[View]:
    """The views an attacker can open in a wave: each unit, each care group's areas picked together,
    pairs of areas of one care group; all surveys or one, all staff groups or one, or every one picked."""
    responses = release.responses[release.responses["wave"] == wave]
    tree = oracle.structure(release.extracts)
    found = []
    unit_filters = [Filters(wave=wave)]
    unit_filters += [Filters(care_groups=(g,), wave=wave) for g in tree]
    unit_filters += [Filters(service_areas=(a,), wave=wave) for g in tree for a in tree[g]]
    unit_filters += [Filters(service_areas=tuple(tree[g]), wave=wave) for g in tree]
    unit_filters += [Filters(service_areas=(a, b), wave=wave) for g in tree for a, b in zip(tree[g], tree[g][1:])]
    surveys = [(), *((s,) for s in demo_model.SURVEYS), tuple(demo_model.SURVEYS)]
    staff = [(), *((g,) for g in demo_model.STAFF_GROUPS), tuple(demo_model.STAFF_GROUPS)]
    for base in unit_filters:
        for s in surveys:
            for g in staff:
                if (len(s) > 1 and len(g) > 1) or (len(base.service_areas) > 1 and (s or g)):
                    continue
                filters = dataclasses.replace(base, surveys=s, staff_groups=g)
                found.append(View(filters, tuple(oracle.parts(responses, filters, release.extracts))))
    return found


def people(release: Release, view: View, measure: str) -> frozenset:
    """The people a view's figure for ``measure`` covers: the members of its parts released for it."""
    covered: set = set()
    for part in view.parts:
        if release.released.shows(part, measure):
            covered |= release.members.get(part, frozenset())
    return frozenset(covered)


@dataclass(frozen=True)
class Combination:
    """Views with signs whose people add up to exactly one person."""

    terms: tuple[tuple[View, int], ...]
    person: str
    measure: str
    kind: str


def one_person_combinations(release: Release, waves: list[str], measures=oracle.MEASURES) -> list[Combination]:
    found = []
    for wave in waves:
        every = views(release, wave)
        for measure in measures:
            covering = {view.filters: people(release, view, measure) for view in every}
            covered = {}
            for view in every:
                if covering[view.filters]:
                    covered.setdefault(covering[view.filters], view)
            by_size: dict[int, list[frozenset]] = {}
            for who in covered:
                by_size.setdefault(len(who), []).append(who)
            for size, sets in by_size.items():
                for small in sets:
                    for large in by_size.get(size + 1, []):
                        if small < large:
                            (person,) = large - small
                            found.append(
                                Combination(((covered[large], 1), (covered[small], -1)), person, measure, "pair")
                            )
            found += _crossings(every, covering, measure)
    return found


def _crossings(every: list[View], covering: dict[Filters, frozenset], measure: str) -> list[Combination]:
    """Two-by-twos of views: a unit, the unit in one survey, in one staff group, and in both."""
    by_filters = {v.filters: v for v in every}
    found = []
    for view in every:
        f = view.filters
        if f.surveys or f.staff_groups or not covering[f]:
            continue
        for s in demo_model.SURVEYS:
            one = dataclasses.replace(f, surveys=(s,))
            if not covering.get(one):
                continue
            for g in demo_model.STAFF_GROUPS:
                other, both = (
                    dataclasses.replace(f, staff_groups=(g,)),
                    dataclasses.replace(f, surveys=(s,), staff_groups=(g,)),
                )
                if not covering.get(other) or both not in covering:
                    continue
                sets = [covering[k] for k in (f, one, other, both)]
                outside = sets[0] - sets[1] - sets[2]
                if len(outside) == 1 and sets[3] == sets[1] & sets[2] and sets[1] <= sets[0] and sets[2] <= sets[0]:
                    (person,) = outside
                    corners = [by_filters[k] for k in (f, one, other, both)]
                    found.append(Combination(tuple(zip(corners, (1, -1, -1, 1))), person, measure, "two by two"))
    return found


# --- The method-aware attacker -----------------------------------------------------------------------


def _noise() -> dict[int, float]:
    """The noise of one cell of 3 or more, as the published table gives it."""
    return {v: s / KEYS for v, s in BASE_SLOTS.items()}


def _convolved(cells: int) -> dict[int, float]:
    """The noise of a sum of ``cells`` independent cells."""
    out = {0: 1.0}
    for _ in range(cells):
        step: dict[int, float] = {}
        for a, p in out.items():
            for b, q in _noise().items():
                step[a + b] = step.get(a + b, 0.0) + p * q
        out = step
    return out


def shown_answers(database: db.Database, view: View, measure: str) -> dict[str, float] | None:
    """The answer counts the page shows for the view (None when hidden)."""
    frame = survey.distribution(database, measure, view.filters)
    if frame["hidden"].all():
        return None
    return dict(zip(frame["answer"], frame["responses"].astype(float)))


@dataclass(frozen=True)
class Result:
    cases: int
    right: int
    base: int  # right by always guessing the commoner side

    @property
    def accuracy(self) -> float:
        return self.right / self.cases if self.cases else 0.0

    @property
    def gain(self) -> float:
        return (self.right - self.base) / self.cases if self.cases else 0.0

    def __str__(self) -> str:
        return f"{self.cases} cases: attacker {self.accuracy:.0%}, base rate {self.base / max(self.cases, 1):.0%}, gain {self.gain * 100:+.1f} points"


def differences(database: db.Database, combination: Combination) -> dict[str, float] | None:
    """What the combination's views show, added up with their signs (None when a view is hidden)."""
    total: dict[str, float] = {}
    for view, sign in combination.terms:
        shown = shown_answers(database, view, combination.measure)
        if shown is None:
            return None
        for answer, count in shown.items():
            total[answer] = total.get(answer, 0.0) + sign * count
    return total


def _cells_differing(release: Release, combination: Combination) -> int:
    """How many released cells of one answer do not cancel out in the combination."""
    count: dict[tuple, int] = {}
    for view, sign in combination.terms:
        for part in view.parts:
            if release.released.shows(part, combination.measure):
                count[part] = count.get(part, 0) + sign
    return sum(abs(c) for c in count.values())


def guess_positive(
    observed: dict[str, float], cells: int, measure: str, prior: dict[str, float], exact: bool = False
) -> bool:
    """Bayes over the answers the person may have given: the difference of each answer's count is the
    person's 1 (or 0) plus the noise of ``cells`` cells (none, for a release of exact counts)."""
    noise = {0: 1.0} if exact else _convolved(max(cells, 1))
    posterior = {}
    for given in oracle.SCALES[measure]:
        log_likelihood = 0.0
        for answer, difference in observed.items():
            p = noise.get(int(round(difference)) - (answer == given), 0.0)
            log_likelihood += math.log(p) if p > 0 else -50.0
        posterior[given] = math.log(max(prior.get(given, 1e-9), 1e-9)) + log_likelihood
    top = max(posterior.values())
    weights = {a: math.exp(v - top) for a, v in posterior.items()}
    positive = sum(w for a, w in weights.items() if a in oracle.POSITIVE[measure])
    return positive > sum(weights.values()) / 2


def trust_prior(database: db.Database, wave: str, measure: str) -> dict[str, float]:
    shown = survey.distribution(database, measure, Filters(wave=wave))
    counted = shown.loc[~shown["hidden"]]
    total = float(counted["responses"].sum()) or 1.0
    return {a: float(c) / total for a, c in zip(counted["answer"], counted["responses"])}


def attack(database: db.Database, release: Release, combinations: list[Combination], exact: bool = False) -> Result:
    """The method-aware attacker over every combination and question the person was counted in.
    ``exact``: the attacker knows the counts carry no noise (the control that shows the attack works)."""
    truth = release.responses.set_index("response_id")
    cases = right = positives = 0
    priors: dict[tuple[str, str], dict[str, float]] = {}
    for combination in combinations:
        answer = truth.loc[combination.person, combination.measure]
        if answer == "" or answer in oracle.NOT_COUNTED.get(combination.measure, set()):
            continue  # only people counted in the measure: their answer is positive or not
        observed = differences(database, combination)
        if observed is None:
            continue
        wave = truth.loc[combination.person, "wave"]
        prior = priors.setdefault((wave, combination.measure), trust_prior(database, wave, combination.measure))
        guess = guess_positive(observed, _cells_differing(release, combination), combination.measure, prior, exact)
        actual = answer in oracle.POSITIVE[combination.measure]
        cases += 1
        right += guess == actual
        positives += actual
    return Result(cases, right, max(positives, cases - positives))


def averaging(
    database: db.Database, release: Release, combination: Combination, extra: int
) -> tuple[list[dict[str, float]], bool | None]:
    """The same person through ``extra`` more pairs: other areas of other care groups added to both views.
    Returns the differences seen through each pair and the combined guess (None: nothing to combine)."""
    if combination.kind != "pair":
        return [], None
    tree = oracle.structure(release.extracts)
    (larger, _), (smaller, _) = combination.terms
    seen = []
    others = [a for g in tree for a in tree[g]]
    for area in others:
        if len(seen) > extra:
            break
        widened = []
        for view in (larger, smaller):
            f = view.filters
            if not f.service_areas or area in f.service_areas:
                break
            filters = dataclasses.replace(f, service_areas=(*f.service_areas, area), care_groups=())
            widened.append(View(filters, tuple(oracle.parts(release.responses, filters, release.extracts))))
        if len(widened) != 2:
            continue
        pair = Combination(((widened[0], 1), (widened[1], -1)), combination.person, combination.measure, "pair")
        if (
            len(people(release, widened[0], combination.measure) - people(release, widened[1], combination.measure))
            != 1
        ):
            continue
        observed = differences(database, pair)
        if observed is not None:
            seen.append(observed)
    return seen, None


FIELDS = {
    "care_group": "care_groups",
    "service_area": "service_areas",
    "survey": "surveys",
    "staff_group": "staff_groups",
}


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, tuple) and pd.isna(value))


# --- Presence -----------------------------------------------------------------------------------------


def presence(database: db.Database, release: Release, wave: str, limit: int = 300) -> tuple[Result, list[tuple]]:
    """For every hidden breakdown row of many views: does what the page shows for it tell whether anyone
    is there? Returns the attacker's result (guessing 'someone is there' from the row as shown) and the
    distinct ways a hidden row was shown (one, if nothing tells)."""
    looks: dict[tuple, list[bool]] = {}
    counted = {m: frozenset(oracle.counted(release.responses, m)["response_id"]) for m in oracle.MEASURES}
    for view in views(release, wave)[:limit]:
        for measure in oracle.MEASURES:
            for dimension in survey.DIMENSIONS:
                frame = survey.breakdown(database, measure, dimension, view.filters)
                field = FIELDS[dimension]
                for _, row in frame.loc[frame["hidden"]].iterrows():
                    shown = tuple(
                        None if _blank(row[c]) else row[c] for c in (*survey.FIGURES, "hidden_reason", "left_out")
                    )
                    alone = dataclasses.replace(view.filters, **{field: (row[dimension],)})
                    anyone = any(
                        release.members.get(p, frozenset()) & counted[measure]
                        for p in oracle.parts(release.responses, alone, release.extracts)
                    )
                    looks.setdefault(shown, []).append(bool(anyone))
    cases = sum(len(v) for v in looks.values())
    # The best an attacker can do is guess, per way a row looks, the commoner truth.
    right = sum(max(sum(v), len(v) - sum(v)) for v in looks.values())
    everyone = [a for v in looks.values() for a in v]
    base = max(sum(everyone), len(everyone) - sum(everyone))
    return Result(cases, right, base), list(looks)


# --- Report ----------------------------------------------------------------------------------------------


def report(extracts: Path, database: Path) -> Iterator[str]:
    responses = oracle.read_responses(extracts)
    release = load(responses, database, extracts)
    ways = open_ways(release)
    yield f"Released groups: {len(release.released.groups)}; ways open by the independent audit: {len(ways)}"
    waves = sorted(set(responses["wave"]))
    found = one_person_combinations(release, waves)
    yield f"Combinations of views isolating one person: {len(found)}"
    opened = db.Database(database)
    try:
        yield f"Method-aware attack: {attack(opened, release, found)}"
        for wave in waves:
            result, looks = presence(opened, release, wave)
            yield f"Presence, wave {wave}: {result}; hidden rows look {len(looks)} way(s)"
    finally:
        opened.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.attacks", description=__doc__.splitlines()[0])
    parser.add_argument("--extracts", type=Path, default=oracle.DEMO_EXTRACTS, help="folder of extracts")
    parser.add_argument("--db", type=Path, default=Path("data/engagement.duckdb"), help="database built from them")
    args = parser.parse_args(argv)
    for line in report(args.extracts, args.db):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
