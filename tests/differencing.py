"""The differencing harness: can two views that differ by one person give away their answer?

An attacker who knows one person (say, the only one in a service area who answered
in May) opens two views whose respondents differ by exactly that person and reads
what the pages show: every table a theme page offers for download (answers,
breakdown by each dimension, month by month), as CSV bytes, parsed back. From the
differences the attacker guesses whether the person's answer was positive. The
attacker here is as strong as we can make it without the key: it knows the
published perturbation table, so it weighs every difference by how likely the
noise is to produce it (Bayes), with the Trust's published answer shares as its
prior, and it uses every row whose view holds the person.

- ``find_pairs``: pairs of views on real rows whose respondent sets differ by
  exactly one person (date ranges a month apart; staff-group and survey lists
  with and without a group that holds only that person in the area). Every view
  is within one survey wave (the person's), as every figure the app shows is; the
  responses are read by ``tests.oracle.read_responses`` (one column per question
  and the wave, from any extract layout).
- ``app_reader``: what the app shows for a view (download bytes).
- ``exact_reader`` and ``own_key_reader``: the same tables as other designs would
  have shown them (exact counts; cell keys from a count's own records only), for
  the before/after figures in docs/DISCLOSURE.md.
- ``attack``: accuracy against the base rate (always guessing the commoner side).
- ``averaging``: many different pairs around one person, combined (the averaging
  attack of arXiv 1902.06414): accuracy by number of pairs.

``python -m tests.differencing`` prints the report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import export, survey, survey_text
from dashboard.filters import Filters
from dashboard.perturbation import BASE_SLOTS, MAX_NOISE, NOISE
from tests import oracle

THRESHOLD = oracle.THRESHOLD
DIMENSIONS = ("care_group", "service_area", "survey", "staff_group")


# --- Pairs of views -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two views (in one wave); ``with_person`` holds every respondent of ``without`` and one more."""

    kind: str
    with_person: Filters
    without: Filters
    response_id: str

    @property
    def wave(self) -> str | None:
        return self.with_person.wave


def _month_bounds(month: pd.Timestamp) -> tuple[dt.date, dt.date]:
    start = month.date()
    return start, (month + pd.offsets.MonthEnd(0)).date()


def waves(responses: pd.DataFrame) -> list[str]:
    """The survey waves of the responses, oldest first (by their first response)."""
    first = responses.groupby("wave")["submitted_on"].min()
    return [str(w) for w in sorted(first.index, key=lambda w: (first[w], w))]


def find_pairs(responses: pd.DataFrame) -> list[Pair]:
    """Every pair of views, over one service area or one care group in one survey wave, that differs
    by exactly one respondent."""
    pairs: list[Pair] = []
    for wave in waves(responses):
        pairs += _pairs_in_wave(responses[responses["wave"] == wave], wave)
    return pairs


def _pairs_in_wave(responses: pd.DataFrame, wave: str) -> list[Pair]:
    frame = responses.assign(month=pd.to_datetime(responses["submitted_on"]).dt.to_period("M").dt.to_timestamp())
    months = sorted(frame["month"].unique())
    pairs: list[Pair] = []
    places = [
        (Filters(service_areas=(str(area),), wave=wave), rows)
        for area, rows in frame[frame["service_area"] != "Not stated"].groupby("service_area")
    ]
    places += [
        (Filters(care_groups=(str(group),), wave=wave), rows)
        for group, rows in frame[frame["care_group"] != "Not stated"].groupby("care_group")
    ]
    for base, rows in places:
        # Date ranges a month apart: the month at either end holds one person.
        by_month = rows.groupby("month")
        for i, month in enumerate(months):
            if month not in by_month.groups or len(by_month.get_group(month)) != 1:
                continue
            person = str(by_month.get_group(month)["response_id"].iloc[0])
            start, end = _month_bounds(month)
            if i > 0:
                first = _month_bounds(months[0])[0]
                pairs.append(
                    Pair(
                        "months, last month added",
                        dataclasses.replace(base, date_from=first, date_to=end),
                        dataclasses.replace(base, date_from=first, date_to=start - dt.timedelta(days=1)),
                        person,
                    )
                )
            if i < len(months) - 1:
                last = _month_bounds(months[-1])[1]
                pairs.append(
                    Pair(
                        "months, first month added",
                        dataclasses.replace(base, date_from=start, date_to=last),
                        dataclasses.replace(base, date_from=end + dt.timedelta(days=1), date_to=last),
                        person,
                    )
                )
        # Lists with and without a group that holds one person in the place.
        for column, field, kind in (("staff_group", "staff_groups", "staff groups"), ("survey", "surveys", "surveys")):
            groups = sorted(set(rows[column]) - {"Not stated"})
            sizes = rows[column].value_counts()
            for lone in groups:
                if sizes[lone] != 1 or len(groups) < 2:
                    continue
                person = str(rows.loc[rows[column] == lone, "response_id"].iloc[0])
                pairs.append(
                    Pair(
                        f"{kind}, lone group added",
                        dataclasses.replace(base, **{field: tuple(groups)}),
                        dataclasses.replace(base, **{field: tuple(g for g in groups if g != lone)}),
                        person,
                    )
                )
    return pairs


def shown_pairs(pairs: list[Pair], responses: pd.DataFrame) -> list[Pair]:
    """The pairs whose two views both show some measure (published n at least the threshold):
    a hidden view tells the attacker nothing, so only these are worth reading through the app."""

    def shown(view: Filters) -> set[str]:
        rows = oracle.filtered(responses, view)
        return {m for m in oracle.MEASURES if oracle.figures(rows, m)[0] >= THRESHOLD}

    return [p for p in pairs if shown(p.with_person) & shown(p.without)]


def respondents(responses: pd.DataFrame, filters: Filters) -> frozenset[str]:
    return frozenset(oracle.filtered(responses, filters)["response_id"])


# --- What a view shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One measure's figures in one view: answer counts, and (n, positive) per table row."""

    shown: bool
    answers: dict[str, float]
    rows: dict[tuple[str, str], tuple[float, float]]  # (table, row label) -> (n, positive); shown rows only


Reader = Callable[[Filters, str], View]


def _read_back(table: pd.DataFrame) -> pd.DataFrame:
    """A table as the download gives it: CSV bytes, read back (the stamp lines skipped)."""
    data = export.to_csv(table, {"View": "differencing harness"}).decode("utf-8-sig")
    body = "\n".join(line for line in data.splitlines() if not line.startswith("#"))
    return pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)


def _number(text: str) -> float:
    return float(text) if text not in ("", None) else math.nan


def _table_rows(table: pd.DataFrame, name: str, labels: list[str]) -> dict[tuple[str, str], tuple[float, float]]:
    out = {}
    for _, row in _read_back(table).iterrows():
        if row["Hidden because"]:
            continue
        label = " / ".join(row[c] for c in labels)
        out[(name, label)] = (_number(row["Answered (n)"]), _number(row["Positive"]))
    return out


def app_reader(database, filters: Filters, measure: str) -> View:
    """What the theme page for ``measure`` offers for download in this view, from ``database``."""
    head = survey.headline(database, measure, filters, THRESHOLD).iloc[0]
    if bool(head["hidden"]):
        return View(False, {}, {})
    answers = _read_back(survey_text.distribution_table(survey.distribution(database, measure, filters, THRESHOLD)))
    rows: dict[tuple[str, str], tuple[float, float]] = {}
    for dimension in DIMENSIONS:
        labels = [
            survey.DIMENSION_TITLES[c]
            for c in (("care_group", "service_area") if dimension == "service_area" else (dimension,))
        ]
        table = survey_text.breakdown_table(
            survey.breakdown(database, measure, dimension, filters, THRESHOLD), dimension
        )
        rows |= _table_rows(table, dimension, labels)
    rows |= _table_rows(
        survey_text.trend_table(survey.trend(database, measure, filters, THRESHOLD)), "month", ["Month"]
    )
    return View(True, {a: _number(r) for a, r in zip(answers["Answer"], answers["Responses"])}, rows)


def simulated_reader(responses: pd.DataFrame, view_weight: int | None) -> Reader:
    """The same tables as another design would have shown them, from the rows in pandas.

    ``view_weight=None``: exact counts, groups under the threshold hidden (main before
    this change, less its complementary suppression). ``0``: cell keys from a count's own
    records only. ``2``: this app's design (a check that the harness reads the same).
    """

    def count(rows: pd.DataFrame, view: pd.DataFrame) -> int:
        if view_weight is None:
            return len(rows)
        key = int(rows["record_key"].sum()) + view_weight * int(view["record_key"].sum())
        return len(rows) + int(NOISE[min(len(rows), MAX_NOISE), key % 256])

    def figures(view: pd.DataFrame, measure: str) -> tuple[int, int] | None:
        base = oracle.counted(view, measure)
        n = count(base, view)
        return (n, min(count(base[base["positive"]], view), n)) if n >= THRESHOLD else None

    def read(filters: Filters, measure: str) -> View:
        view = oracle.filtered(responses, filters)
        if figures(view, measure) is None:
            return View(False, {}, {})
        answers = {a: float(count(view[view[measure] == a], view)) for a in oracle.SCALES[measure]}
        rows = {}
        months = view.assign(month=pd.to_datetime(view["submitted_on"]).dt.strftime("%B %Y"))
        for name, by in [(d, [d] if d != "service_area" else ["care_group", "service_area"]) for d in DIMENSIONS] + [
            ("month", ["month"])
        ]:
            for labels, group in months.groupby(by):
                shown = figures(group, measure)
                if shown is not None:
                    rows[(name, " / ".join(labels))] = tuple(float(v) for v in shown)
        return View(True, answers, rows)

    return read


# --- The attacker --------------------------------------------------------------------------------


def _difference_likelihood() -> dict[int, float]:
    """P(noise A - noise B = d) for two unrelated cell keys, from the published table (counts of 3 or more)."""
    weights = {v: s / sum(BASE_SLOTS.values()) for v, s in BASE_SLOTS.items()}
    out: dict[int, float] = {}
    for (a, pa), (b, pb) in itertools.product(weights.items(), weights.items()):
        out[a - b] = out.get(a - b, 0.0) + pa * pb
    return out


DIFFERENCE = _difference_likelihood()
NOT_SEEN = 1e-9  # a difference the noise cannot make: all but rules an answer out


# How a count's difference between the two views is made, per design, as the attacker knows it:
# "view": both counts noised by unrelated keys (this app: a view's keys are in every count's key);
# "own": a count that does not hold the person keeps its records, so its key and figure;
# "exact": no noise.
MODELS = ("view", "own", "exact")


def _log_likelihood(observed: float, holds_person: int, model: str) -> float:
    delta = int(round(observed))
    if model == "exact" or (model == "own" and not holds_person):
        return 0.0 if delta == holds_person else math.log(NOT_SEEN)
    return math.log(DIFFERENCE.get(delta - holds_person, NOT_SEEN))


@dataclass(frozen=True)
class Observation:
    """What one pair of views says about one measure, and the truth."""

    answer: str
    positive: bool
    deltas: tuple[tuple[str, float], ...]  # ("answer:<a>", d) or ("positive", d), one per distinct row
    wave: str | None = None  # the wave of the views (the attacker's prior is that wave's)


def observe(pair: Pair, measure: str, read: Reader, responses: pd.DataFrame) -> Observation | None:
    """The differences between the two views, or None when the person is not counted or a view is hidden."""
    person = responses.loc[responses["response_id"] == pair.response_id].iloc[0]
    answer = str(person[measure])
    if answer == "" or answer in oracle.NOT_COUNTED.get(measure, set()):
        return None
    a, b = read(pair.with_person, measure), read(pair.without, measure)
    if not (a.shown and b.shown):
        return None
    deltas = [
        (f"answer:{k}", a.answers[k] - b.answers[k])
        for k in a.answers
        if not (math.isnan(a.answers[k]) or math.isnan(b.answers.get(k, math.nan)))
    ]
    seen = set()
    for key in a.rows.keys() & b.rows.keys():
        if a.rows[key] == b.rows[key] or (a.rows[key], b.rows[key]) in seen:
            continue  # the same view (no news), or a row repeating another's figures
        seen.add((a.rows[key], b.rows[key]))
        deltas.append(("positive", a.rows[key][1] - b.rows[key][1]))
    return Observation(answer, answer in oracle.POSITIVE[measure], tuple(deltas), pair.wave)


def posterior_positive(
    deltas: Iterable[tuple[str, float]], measure: str, prior: dict[str, float], model: str = "view"
) -> float:
    scale = [a for a in oracle.SCALES[measure] if a not in oracle.NOT_COUNTED.get(measure, set())]
    logs = {}
    for answer in scale:
        total = math.log(max(prior.get(answer, 0.0), 1e-6))
        positive = answer in oracle.POSITIVE[measure]
        for name, delta in deltas:
            if name == "positive":
                total += _log_likelihood(delta, int(positive), model)
            else:
                total += _log_likelihood(delta, int(name == f"answer:{answer}"), model)
        logs[answer] = total
    top = max(logs.values())
    weights = {a: math.exp(v - top) for a, v in logs.items()}
    return sum(w for a, w in weights.items() if a in oracle.POSITIVE[measure]) / sum(weights.values())


def trust_prior(responses: pd.DataFrame, measure: str, read: Reader, wave: str | None = None) -> dict[str, float]:
    """The attacker's prior: the Trust's answer shares as published in the wave (no other filter)."""
    answers = read(Filters(wave=wave), measure).answers
    scale = [a for a in oracle.SCALES[measure] if a not in oracle.NOT_COUNTED.get(measure, set())]
    total = sum(answers[a] for a in scale)
    return {a: answers[a] / total for a in scale}


Priors = dict[tuple[str | None, str], dict[str, float]]  # (wave, measure) -> answer shares


def trust_priors(responses: pd.DataFrame, read: Reader) -> Priors:
    """``trust_prior`` for every wave of the responses and every measure."""
    return {(wave, m): trust_prior(responses, m, read, wave) for wave in waves(responses) for m in oracle.MEASURES}


@dataclass(frozen=True)
class Result:
    cases: int
    right: int
    majority: int  # right answers from always guessing the commoner side

    @property
    def accuracy(self) -> float:
        return self.right / self.cases if self.cases else math.nan

    @property
    def base_rate(self) -> float:
        return self.majority / self.cases if self.cases else math.nan

    @property
    def advantage(self) -> float:
        return self.accuracy - self.base_rate


def attack(observations: list[tuple[str, Observation]], priors: Priors, model: str = "view") -> Result:
    """Bayes guesses for (measure, observation)s, each with its wave's prior: right how often, against
    the base rate."""
    right = sum(
        (posterior_positive(o.deltas, m, priors[(o.wave, m)], model) > 0.5) == o.positive for m, o in observations
    )
    positives = sum(o.positive for _, o in observations)
    return Result(len(observations), right, max(positives, len(observations) - positives))


def single_pairs(pairs: list[Pair], read: Reader, responses: pd.DataFrame) -> list[tuple[str, Observation]]:
    out = []
    for pair in pairs:
        for measure in oracle.MEASURES:
            observation = observe(pair, measure, read, responses)
            if observation is not None:
                out.append((measure, observation))
    return out


# --- The averaging attack ---------------------------------------------------------------------------


def around(pair: Pair, responses: pd.DataFrame, limit: int) -> list[Pair]:
    """Up to ``limit`` pairs of views whose respondents differ by exactly ``pair``'s person, with
    different respondent sets from each other: the first pair widened by other month windows,
    one survey and staff-group lists that keep the person in (all in the pair's wave)."""
    person = responses.loc[responses["response_id"] == pair.response_id].iloc[0]
    area, wave = pair.with_person.service_areas, pair.wave
    if not area:
        return []  # only pairs over one service area are widened here
    in_wave = responses[responses["wave"] == wave]
    local = in_wave[in_wave["service_area"].isin(area)]  # every view here is within the area and the wave
    months = sorted(pd.to_datetime(in_wave["submitted_on"]).dt.to_period("M").dt.to_timestamp().unique())
    windows = [
        (_month_bounds(a)[0], _month_bounds(b)[1]) for a, b in itertools.combinations_with_replacement(months, 2)
    ]
    groups = sorted(set(local["staff_group"]) - {"Not stated"})
    others = [g for g in groups if g != person["staff_group"]][:6]
    staff_lists = (
        [()]
        + [
            tuple(sorted({person["staff_group"], *extra}))
            for r in range(len(others) + 1)
            for extra in itertools.combinations(others, r)
        ]
        if person["staff_group"] != "Not stated"
        else [()]
    )
    surveys = [(), (person["survey"],)]
    found, sets = [], set()
    for (start, end), staff, survey_list in itertools.product(windows, staff_lists, surveys):
        with_person = Filters(
            service_areas=area, surveys=survey_list, staff_groups=staff, date_from=start, date_to=end, wave=wave
        )
        members = respondents(local, with_person)
        if pair.response_id not in members or members in sets:
            continue
        for without in _without(with_person, person, months):
            if respondents(local, without) == members - {pair.response_id}:
                sets.add(members)
                found.append(Pair("around", with_person, without, pair.response_id))
                break
        if len(found) >= limit:
            break
    return found


def _without(view: Filters, person: pd.Series, months: list[pd.Timestamp]) -> list[Filters]:
    """Views one step narrower than ``view`` that might drop just the person."""
    out = []
    if view.date_to and view.date_to > view.date_from:
        out.append(dataclasses.replace(view, date_to=view.date_to.replace(day=1) - dt.timedelta(days=1)))
        out.append(
            dataclasses.replace(view, date_from=(pd.Timestamp(view.date_from) + pd.offsets.MonthBegin(1)).date())
        )
    if view.staff_groups and len(view.staff_groups) > 1:
        out.append(
            dataclasses.replace(view, staff_groups=tuple(g for g in view.staff_groups if g != person["staff_group"]))
        )
    return out


def averaging(
    targets: list[Pair], read: Reader, responses: pd.DataFrame, sizes: Iterable[int], priors: Priors
) -> dict[int, Result]:
    """Accuracy of the Bayes attacker with the first k pairs around each target, per measure."""
    sizes = sorted(sizes)
    results = {k: [] for k in sizes}
    for target in targets:
        pairs = around(target, responses, max(sizes))
        for measure in oracle.MEASURES:
            observations = [observe(p, measure, read, responses) for p in pairs]
            observations = [o for o in observations if o is not None]
            for k in sizes:
                if len(observations) >= k:
                    merged = Observation(
                        observations[0].answer,
                        observations[0].positive,
                        tuple(d for o in observations[:k] for d in o.deltas),
                        observations[0].wave,
                    )
                    results[k].append((measure, merged))
    return {k: attack(found, priors) for k, found in results.items() if found}


def simulated_averaging(
    prior: dict[str, float],
    positive: set[str],
    sizes: Iterable[int],
    trials: int = 4000,
    view_size: int = 40,
    seed: int = 1,
) -> dict[int, Result]:
    """The averaging attack when the attacker can find as many pairs as it likes.

    For each trial: one person, and ``max(sizes)`` pairs of views around them, each pair
    with its own ``view_size`` other people (answers drawn from ``prior``, record keys
    uniform, as a keyed hash gives). Every count is perturbed as the app does
    (``perturbation.perturb`` with ``perturbation.in_view``); each pair gives the attacker
    the answer counts' differences and the positive count's. The Bayes attacker then
    combines the first k pairs. Worst case for us: on real data the pairs run out (see
    ``averaging``), here they never do.
    """
    from dashboard import perturbation

    rng = np.random.default_rng(seed)
    answers = list(prior)
    shares = np.array([prior[a] for a in answers])
    pairs = max(sizes)
    chosen = rng.choice(len(answers), size=trials, p=shares)
    person_key = rng.integers(0, 256, size=trials)
    others = rng.choice(len(answers), size=(trials, pairs, view_size), p=shares)
    other_keys = rng.integers(0, 256, size=(trials, pairs, view_size))
    is_positive = np.array([a in positive for a in answers])

    def shown(counts: np.ndarray, own: np.ndarray, view: np.ndarray) -> np.ndarray:
        keys = perturbation.in_view(own.ravel(), np.broadcast_to(view[..., None], own.shape).ravel())
        return np.asarray(perturbation.perturb(counts.ravel(), keys), dtype=np.int64).reshape(counts.shape)

    with_answer = others[..., None] == np.arange(len(answers))  # (trials, pairs, people, answers)
    counts_b = with_answer.sum(axis=2)
    own_b = (with_answer * other_keys[..., None]).sum(axis=2)
    view_b = other_keys.sum(axis=2)
    mine = (np.arange(len(answers)) == chosen[:, None])[:, None, :]  # (trials, 1, answers)
    counts_a, own_a, view_a = counts_b + mine, own_b + mine * person_key[:, None, None], view_b + person_key[:, None]
    deltas = shown(counts_a, own_a, view_a) - shown(counts_b, own_b, view_b)

    def pos(c):
        return (c * is_positive).sum(axis=-1, keepdims=True)

    positive_delta = (shown(pos(counts_a), pos(own_a), view_a) - shown(pos(counts_b), pos(own_b), view_b))[..., 0]
    out = {}
    for k in sorted(sizes):
        right = 0
        for t in range(trials):
            observed = [(f"answer:{a}", float(d)) for row in deltas[t, :k] for a, d in zip(answers, row)]
            observed += [("positive", float(d)) for d in positive_delta[t, :k]]
            guess = posterior_positive(observed, _measure_of(positive), prior) > 0.5
            right += guess == bool(is_positive[chosen[t]])
        positives = int(is_positive[chosen].sum())
        out[k] = Result(trials, right, max(positives, trials - positives))
    return out


def _measure_of(positive: set[str]) -> str:
    return next(m for m, answers in oracle.POSITIVE.items() if answers == positive)


def cached(read: Reader) -> Reader:
    """The reader with each (view, measure) read once: pairs share views."""
    return functools.lru_cache(maxsize=None)(read)


def report(extracts: Path, database: Path) -> Iterator[str]:
    from dashboard import db

    responses = oracle.read_responses(extracts)
    pairs = find_pairs(responses)
    database_ = db.Database(database)
    app = cached(functools.partial(app_reader, database_))
    try:
        yield f"{len(pairs)} pairs of views that differ by one person ({extracts})"
        for name, read, model in (
            ("exact counts (before)", simulated_reader(responses, None), "exact"),
            ("cell key, own records only", simulated_reader(responses, 0), "own"),
            ("this app (download bytes)", app, "view"),
        ):
            priors = trust_priors(responses, read)
            result = attack(single_pairs(pairs, read, responses), priors, model)
            yield (
                f"  {name}: right {result.right} of {result.cases} ({result.accuracy:.0%}); "
                f"base rate {result.base_rate:.0%}; advantage {result.advantage * 100:+.1f} points"
            )
        # The averaging attack reads through the pandas reader, which the tests check gives
        # exactly the app's tables (tests/test_differencing.py): thousands of views.
        fast = cached(simulated_reader(responses, 2))
        priors = trust_priors(responses, fast)
        people = list({p.response_id: p for p in pairs if p.with_person.service_areas}.values())  # one per person
        targets = people[:: max(1, len(people) // 60)]  # about 60 people: each needs thousands of views
        yield (
            f"Averaging attack (this app's figures): {len(targets)} people, pairs of views around each "
            "-> accuracy, base rate, advantage"
        )
        for k, result in averaging(targets, fast, responses, (1, 2, 4, 8, 16, 32), priors).items():
            yield (
                f"  {k:>3} pairs: {result.cases} cases, {result.accuracy:.0%} against {result.base_rate:.0%} "
                f"({result.advantage * 100:+.1f} points)"
            )
        latest = responses.attrs["latest_wave"]
        yield (
            "Averaging attack, worst case (pairs never run out; 40 others per view, answers as the Trust's "
            f"in wave {latest}; this app's perturbation) -> accuracy, base rate, advantage"
        )
        for measure in oracle.MEASURES:
            for k, result in simulated_averaging(
                priors[(latest, measure)], oracle.POSITIVE[measure], (1, 2, 4, 8, 16, 32, 64), trials=2000
            ).items():
                yield (
                    f"  {measure}, {k:>3} pairs: {result.accuracy:.0%} against {result.base_rate:.0%} "
                    f"({result.advantage * 100:+.1f} points)"
                )
    finally:
        database_.close()


if __name__ == "__main__":
    import argparse

    from tests.conftest import DEMO_EXTRACTS

    parser = argparse.ArgumentParser(
        prog="python -m tests.differencing",
        description="Every pair of views one person apart on the extracts, and what a download would give away.",
    )
    parser.add_argument("extracts", nargs="?", type=Path, default=DEMO_EXTRACTS, help="default: the demo extracts")
    parser.add_argument(
        "db",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data" / "engagement.duckdb",
        help="the database built from them (default %(default)s)",
    )
    args = parser.parse_args()
    for line in report(args.extracts, args.db):
        print(line, flush=True)
