"""My area: the significance flag on constructed cases either side of p = 0.05; the survey side of
the scorecard on hand-made releases (each unit is its own released whole-wave total, each rest the
difference of two released totals, hidden where the release hides a unit or the rest is small);
and the scorecard against the oracle (tests/oracle.py) over the demo release, whatever the survey,
staff group and month filters say."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from dashboard.core import disclosure, measures
from dashboard.core.filters import Filters
from dashboard.core.release import ANSWERS, Part, Release, Wave
from dashboard.features import my_area, my_area_text
from pipeline.lists import TrustLists
from tests import oracle
from tests.conftest import opened_database

THRESHOLD = oracle.THRESHOLD
FIGURES = ["n", "positive", "share", "percent", "low", "high"]
COMPARISON_FIGURES = ["n", "positive", "share", "p_value", "area_share"]


def pooled_z_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Independent reference: two-sided p of the pooled two-proportion z-test via NormalDist."""
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * (1 - NormalDist().cdf(abs(z)))


@pytest.fixture(scope="module")
def database(demo_db):
    """The demo database: its headline measures (the demo's are oracle.MEASURES) name the scorecard's
    rows, and the demo tests read its figures."""
    yield from opened_database(demo_db)


# The flag, either side of the boundary -----------------------------------------------------------

BOUNDARY_CASES = [
    # (x1, n1, x2, n2, flag): each pair differs by one response and straddles p = 0.05
    (25, 100, 14, 100, "higher"),  # p = 0.0496
    (24, 100, 14, 100, "no significant difference"),  # p = 0.071
    (14, 100, 25, 100, "lower"),
    (31, 100, 19, 100, "no significant difference"),  # p = 0.05004: just above
    (32, 100, 19, 100, "higher"),  # p = 0.035
    (31, 50, 93, 200, "higher"),  # p = 0.0499, unequal groups
    (22, 50, 59, 200, "no significant difference"),  # p = 0.0501
]


@pytest.mark.parametrize("x1, n1, x2, n2, flag", BOUNDARY_CASES)
def test_flag_only_when_p_is_below_five_percent(x1, n1, x2, n2, flag):
    result = my_area.compare(x1, n1, x2, n2)
    expected_p = pooled_z_p_value(x1, n1, x2, n2)
    assert result.p_value == pytest.approx(expected_p, abs=1e-9)
    assert (expected_p < 0.05) == (flag != "no significant difference")
    assert result.flag == flag


def test_boundary_cases_really_are_close_to_the_boundary():
    near = [pooled_z_p_value(*case[:4]) for case in BOUNDARY_CASES]
    assert any(0.049 < p < 0.05 for p in near) and any(0.05 < p < 0.051 for p in near)


@pytest.mark.parametrize("x1, n1, x2, n2", [(0, 0, 5, 10), (5, 10, 0, 0), (0, 20, 0, 30), (20, 20, 30, 30)])
def test_no_flag_without_a_testable_difference(x1, n1, x2, n2):
    assert my_area.compare(x1, n1, x2, n2).flag == "no significant difference"


# The scorecard on hand-made releases ---------------------------------------------------------------

# A two-answer scale for hand-made releases: "Yes" counts towards every measure, "No" is counted but
# not positive, the blank answer (None) is not counted.
SCALE = (None, "Yes", "No")
BLANKS = 3  # blank answers in every released group: listed, never counted
WAVE = "W"

Unit = tuple  # (care group, service area): (None, None) is the Trust, (group, None) a care group
Figures = tuple  # (n, positive) as released


class ReleaseOnly:
    """A stand-in database holding only a hand-made release: all the survey scorecard reads."""

    def __init__(self, built: Release) -> None:
        self.built = built

    def memo(self, name, load, **_):
        assert name == "survey release"
        return self.built


def hand_made(units: dict, keyed: bool = True) -> ReleaseOnly:
    """A release of whole-wave groups (every survey and staff group) of these units, each released
    with its (n, positive) for every headline measure, or per measure ({measure: (n, positive)}: a
    measure left out is not released for that group, as when its base is under the threshold). A
    unit left out is not released at all. Without a key nothing is released."""
    measures_ = oracle.MEASURES
    rows, cells = {}, []
    for i, ((group, area), figures) in enumerate(units.items() if keyed else ()):
        rows[Part(ANSWERS, group, area)] = i
        per_measure = figures if isinstance(figures, dict) else dict.fromkeys(measures_, figures)
        values = np.full((len(measures_), len(SCALE)), np.nan)
        for m, measure in enumerate(measures_):
            if measure in per_measure:
                n, positive = per_measure[measure]
                values[m] = (BLANKS, positive, n - positive)
        cells.append(values)
    cells = np.array(cells) if cells else np.zeros((0, len(measures_), len(SCALE)))
    built = Release(
        measures=measures_,
        answers=SCALE,
        scale=np.ones((len(measures_), len(SCALE)), dtype=bool),
        counted=np.array([[False, True, True]] * len(measures_)),
        positive=np.array([[False, True, False]] * len(measures_)),
        waves={WAVE: Wave(rows, np.nansum(cells[:, 0], axis=1), cells, ())},
        care_group_of={area: group for group, area in units if area is not None},
        threshold=THRESHOLD,
        min_comments=10,
        keyed=keyed,
        lists=TrustLists({"care_group": tuple(dict.fromkeys(group for group, _ in units))}),
    )
    return ReleaseOnly(built)


def scorecard(units: dict, area: str, group: str, keyed: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    return my_area.survey_scorecard(hand_made(units, keyed), Filters(), oracle.MEASURES, area, group)


def pick(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1
    return frame.loc[mask].iloc[0]


def assert_numeric_with_na(frame: pd.DataFrame, columns: list[str]) -> None:
    """Hidden figures are missing values in numeric columns, never blank strings or None in text."""
    for column in columns:
        assert pd.api.types.is_numeric_dtype(frame[column]), (column, frame[column].dtype)


def assert_shown(row: pd.Series, n: int, positive: int) -> None:
    assert not row["hidden"] and pd.isna(row["hidden_reason"])
    assert (row["n"], row["positive"]) == (n, positive)
    assert row["percent"] == oracle.percent_half_up(positive, n)
    assert row["low"] < positive / n < row["high"]


def assert_compared(row: pd.Series, area: Figures, rest: Figures) -> None:
    """A comparison shown: the rest's n and positive, both shares, the pooled z-test and its flag."""
    (area_n, area_positive), (n, positive) = area, rest
    assert not row["hidden"] and pd.isna(row["hidden_reason"])
    assert (row["n"], row["positive"]) == (n, positive)
    assert row["area_share"] == pytest.approx(area_positive / area_n)
    assert row["share"] == pytest.approx(positive / n)
    p_value = pooled_z_p_value(area_positive, area_n, positive, n)
    assert row["p_value"] == pytest.approx(p_value)
    higher = area_positive / area_n > positive / n
    assert row["flag"] == ("no significant difference" if p_value >= 0.05 else "higher" if higher else "lower")


def assert_not_compared(row: pd.Series, reason: str) -> None:
    assert row["hidden"] and row["hidden_reason"] == reason
    assert row[COMPARISON_FIGURES].isna().all() and pd.isna(row["flag"])


def test_each_unit_is_its_own_released_total_and_the_rests_are_differences():
    # Each total is perturbed as itself: the care group's and the Trust's released totals are not the
    # sums of their areas' (250 and 49, 550 and 109 here). The scorecard shows the totals; a rest is
    # the whole's total less the area's.
    units = {
        ("G", "A"): (100, 25),
        ("G", "B"): (100, 14),
        ("G", "C"): (50, 10),
        ("H", "D"): (300, 60),
        ("G", None): (252, 45),
        ("H", None): (301, 61),
        (None, None): (553, 117),
    }
    expected = {"area": (100, 25), "care_group": (252, 45), "trust": (553, 117)}
    rests = {"rest_of_care_group": (152, 20), "rest_of_trust": (453, 92)}
    results, comparisons = scorecard(units, "A", "G")
    assert len(results) == 3 * 3 and len(comparisons) == 3 * 2
    assert_numeric_with_na(results, FIGURES)
    assert_numeric_with_na(comparisons, COMPARISON_FIGURES)
    for measure in oracle.MEASURES:
        for level in my_area.LEVELS:
            assert_shown(pick(results, measure=measure, level=level), *expected[level])
        for against in my_area.COMPARISONS:
            assert_compared(pick(comparisons, measure=measure, against=against), expected["area"], rests[against])
    # The case tells the rest of the care group (flagged) from the rest of the Trust (not flagged).
    flags = {a: pick(comparisons, measure="it_skills", against=a)["flag"] for a in my_area.COMPARISONS}
    assert flags == {"rest_of_care_group": "higher", "rest_of_trust": "no significant difference"}


def test_the_flag_follows_the_boundary_in_the_scorecard():
    # Area A 25/100 against the rest of its group 14/100: p = 0.0496, flagged higher;
    # one fewer positive answer (24/100): p = 0.070, not flagged.
    for positive, flag in ((25, "higher"), (24, "no significant difference")):
        units = {
            ("G", "A"): (100, positive),
            ("G", "B"): (100, 14),
            ("G", None): (200, positive + 14),
            (None, None): (700, positive + 114),
        }
        _, comparisons = scorecard(units, "A", "G")
        row = pick(comparisons, measure="it_unreliable", against="rest_of_care_group")
        assert (row["n"], row["positive"]) == (100, 14)
        assert row["flag"] == flag


WHOLES = {("G", "B"): (40, 20), ("G", "C"): (60, 30), ("G", None): (105, 52), (None, None): (405, 112)}
NOT_RELEASED = {
    # the area's group is not released (too few, or suppressed by the audit)
    "area not released": {("G", "Small"): None},
    # the area's group is released, but its base for two questions is under the threshold
    "questions not released": {("G", "Small"): {"it_skills": (12, 5)}},
    # nobody from the area answered: it has no group at all
    "no responses": {},
}


@pytest.mark.parametrize("small", NOT_RELEASED.values(), ids=NOT_RELEASED.keys())
def test_an_area_not_released_shows_no_figure_and_no_comparison(small):
    units = {unit: figures for unit, figures in (small | WHOLES).items() if figures is not None}
    results, comparisons = scorecard(units, "Small", "G")
    assert_numeric_with_na(results, FIGURES)
    assert_numeric_with_na(comparisons, COMPARISON_FIGURES)
    released_for = small.get(("G", "Small")) or {}
    hidden_measures = [m for m in oracle.MEASURES if m not in released_for]
    assert hidden_measures
    for measure in oracle.MEASURES:
        area = pick(results, measure=measure, level="area")
        if measure in released_for:  # a question released for the area is shown as released
            assert_shown(area, *released_for[measure])
            continue
        # One reason whatever the cause: a hidden group looks the same whether it holds nobody or a few.
        assert area["hidden"] and area["hidden_reason"] == disclosure.HIDDEN
        assert area[FIGURES].isna().all()
        # No comparison: nothing about the area's answers is shown.
        for against in my_area.COMPARISONS:
            assert_not_compared(pick(comparisons, measure=measure, against=against), my_area.AREA_HIDDEN)
        # Its care group and the Trust are still shown, each its own released total.
        assert_shown(pick(results, measure=measure, level="care_group"), *WHOLES[("G", None)])
        assert_shown(pick(results, measure=measure, level="trust"), *WHOLES[(None, None)])
    hidden = results.loc[(results["level"] == "area") & results["measure"].isin(hidden_measures)]
    texts = [my_area_text.result_text(r) for _, r in hidden.iterrows()]
    texts += [
        my_area_text.comparison_text(r)
        for _, r in comparisons.loc[comparisons["measure"].isin(hidden_measures)].iterrows()
    ]
    assert texts and all("%" not in text for text in texts)


@pytest.mark.parametrize("rest_n, shown", [(4, False), (THRESHOLD - 1, False), (THRESHOLD, True)])
def test_a_small_rest_of_group_is_not_shown_but_the_rest_of_the_trust_is(rest_n, shown):
    # The rest of G is its released total less the area's: under the threshold, it is not shown.
    units = {("G", "A"): (100, 40), ("G", None): (100 + rest_n, 41), (None, None): (404, 101)}
    results, comparisons = scorecard(units, "A", "G")
    assert not pick(results, measure="it_skills", level="area")["hidden"]
    rest_group = pick(comparisons, measure="it_skills", against="rest_of_care_group")
    if shown:
        assert_compared(rest_group, (100, 40), (rest_n, 1))
    else:
        assert_not_compared(rest_group, disclosure.HIDDEN)
    assert_compared(pick(comparisons, measure="it_skills", against="rest_of_trust"), (100, 40), (304, 61))


def test_an_area_that_is_its_whole_care_group_has_no_rest_to_compare_with():
    units = {("G", "A"): (50, 20), ("G", None): (50, 20), (None, None): (400, 100)}
    _, comparisons = scorecard(units, "A", "G")
    for measure in oracle.MEASURES:
        assert_not_compared(pick(comparisons, measure=measure, against="rest_of_care_group"), my_area.NOBODY_ELSE)
        assert_compared(pick(comparisons, measure=measure, against="rest_of_trust"), (50, 20), (350, 80))


def test_a_care_group_not_released_hides_its_figure_and_its_comparison_only():
    units = {("G", "A"): (100, 25), ("H", "D"): (300, 60), (None, None): (500, 100)}
    results, comparisons = scorecard(units, "A", "G")
    for measure in oracle.MEASURES:
        group = pick(results, measure=measure, level="care_group")
        assert group["hidden"] and group["hidden_reason"] == disclosure.HIDDEN and group[FIGURES].isna().all()
        assert_shown(pick(results, measure=measure, level="area"), 100, 25)
        assert_shown(pick(results, measure=measure, level="trust"), 500, 100)
        assert_not_compared(pick(comparisons, measure=measure, against="rest_of_care_group"), my_area.GROUP_HIDDEN)
        assert_compared(pick(comparisons, measure=measure, against="rest_of_trust"), (100, 25), (400, 75))


def test_without_a_key_every_scope_is_withheld(database):
    # A database of real answers built without a key: nothing is released, so no count is shown.
    units = {("G", "A"): (100, 25), ("G", None): (200, 39), (None, None): (500, 100)}
    results, comparisons = scorecard(units, "A", "G", keyed=False)
    assert results["hidden"].all() and (results["hidden_reason"] == disclosure.WITHHELD).all()
    assert results[FIGURES].isna().all().all()
    assert comparisons["hidden"].all() and comparisons[COMPARISON_FIGURES].isna().all().all()
    survey_table, comparison_table = my_area_text.survey_tables(
        results, comparisons, measures.headline_measures(database)
    )
    assert not survey_table.stack().str.contains("%").any()
    assert not comparison_table.stack().str.contains("%").any()


def test_summary_download_carries_no_hidden_figure(database):
    units = {("G", "B"): (40, 20), ("G", "C"): (60, 30), ("G", None): (106, 53), (None, None): (407, 113)}
    results, comparisons = scorecard(units, "Small", "G")  # Small is not released
    engagement = pd.DataFrame(
        [{"measure": "conversations", "title": "Conversations", "area": 1, "care_group": 3, "trust": 9}]
    )
    summary = my_area_text.summary_frame(
        "Small", "G", engagement, results, comparisons, measures.headline_measures(database)
    )
    hidden_rows = summary.loc[summary["section"] != "Engagement"].loc[lambda f: f["group"].str.startswith("Small")]
    assert len(hidden_rows) == 3 + 6  # three results, six comparisons
    assert hidden_rows[["value", "n", "ci_low_percent", "ci_high_percent", "p_value", "flag"]].isna().all().all()
    assert summary.loc[summary["section"] == "Engagement", "value"].tolist() == [1, 3, 9]
    shown = summary.loc[(summary["section"] == "Survey") & (summary["group"] == "Trust")]
    assert shown["n"].tolist() == [407] * 3
    assert shown["value"].tolist() == [oracle.percent_half_up(113, 407)] * 3


def test_survey_tables_are_narrow_text(database):
    units = {("G", "A"): (100, 25), ("G", None): (200, 39), (None, None): (600, 125)}
    survey_table, comparison_table = my_area_text.survey_tables(
        *scorecard(units, "A", "G"), measures.headline_measures(database)
    )
    assert survey_table.shape == (3, 3) and comparison_table.shape == (3, 2)
    assert survey_table.iloc[0, 0].startswith("25% (18–34%, n = 100)")  # Wilson 95% for 25/100: 17.5–34.3%
    assert comparison_table.iloc[0, 0] == "▲ Higher than 14% (n = 100)"  # bigger than chance: no p-value shown


# The scorecard on the demo data ------------------------------------------------------------------


def test_engagement_scorecard_matches_pandas(database):
    area = "Personality disorder service"  # Nursing staff attended its conversations in these months
    group = "Adult mental health"
    months = {"date_from": dt.date(2021, 3, 1), "date_to": dt.date(2021, 5, 31)}
    # The care group filter only picks the list; staff group and months apply to every scope.
    filters = Filters(care_groups=("Corporate services",), staff_groups=("Nursing",), **months)
    got = my_area.engagement_scorecard(database, filters, area, group).set_index("measure")
    scopes = {
        "area": Filters(service_areas=(area,), staff_groups=("Nursing",), **months),
        "care_group": Filters(care_groups=(group,), staff_groups=("Nursing",), **months),
        "trust": Filters(staff_groups=("Nursing",), **months),
    }
    for scope, scope_filters in scopes.items():
        expected_figures = oracle.expected_engagement(scope_filters)
        for measure in my_area.ENGAGEMENT_ROWS:
            assert got.loc[measure.key, scope] == pytest.approx(expected_figures[measure.key]), (scope, measure.key)
    assert got.loc["conversations", "trust"] > got.loc["conversations", "area"] > 0


def whole_wave(
    responses: pd.DataFrame, released: oracle.Released, measure: str, wave: str, unit: tuple
) -> tuple[int, int] | None:
    """A unit's released whole-wave (n, positive) for the measure (every survey, staff group and month),
    from the oracle; None when the build did not release it."""
    group = (wave, "answers", *unit, None, None, None)
    if not released.shows(group, measure):
        return None
    return oracle.group_figures(oracle.members(responses, group), measure)


def oracle_scorecard(
    responses: pd.DataFrame, released: oracle.Released, measure: str, wave: str, area: str, group: str
) -> tuple[dict, dict]:
    """Per scope the released whole-wave (n, positive) or None; per rest (n, positive) or why not shown."""
    scopes = {
        scope: whole_wave(responses, released, measure, wave, unit)
        for scope, unit in (("area", (group, area)), ("care_group", (group, None)), ("trust", (None, None)))
    }
    rests = {}
    for against, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
        mine, everyone = scopes["area"], scopes[whole]
        if mine is None:
            rests[against] = my_area.AREA_HIDDEN
        elif everyone is None:
            rests[against] = my_area.GROUP_HIDDEN
        else:
            n, positive = everyone[0] - mine[0], everyone[1] - mine[1]
            rests[against] = my_area.NOBODY_ELSE if n == 0 else disclosure.HIDDEN if n < THRESHOLD else (n, positive)
    return scopes, rests


def largest_area(responses: pd.DataFrame, wave: str) -> tuple[str, str]:
    """(service area, care group) of the real area with the most answers to 'IT too unreliable' in the wave."""
    base = oracle.counted(responses.loc[responses["wave"] == wave], "it_unreliable")
    sizes = base.loc[base["service_area"] != oracle.NS].groupby(["service_area", "care_group"]).size()
    return sizes.sort_values(kind="stable").index[-1]


def assert_matches_the_oracle(results, comparisons, responses, released, wave, area, group) -> int:
    """Every figure and comparison of the scorecard is the oracle's; returns how many shown figures
    are not the true count (the case tells released from true counts)."""
    noisy = 0
    for measure in oracle.MEASURES:
        scopes, rests = oracle_scorecard(responses, released, measure, wave, area, group)
        for scope, unit in (("area", (group, area)), ("care_group", (group, None)), ("trust", (None, None))):
            row = pick(results, measure=measure, level=scope)
            if scopes[scope] is None:
                assert row["hidden"] and row["hidden_reason"] == disclosure.HIDDEN, (measure, scope)
                assert row[FIGURES].isna().all()
                continue
            assert_shown(row, *scopes[scope])
            members = oracle.members(responses, (wave, "answers", *unit, None, None, None))
            noisy += scopes[scope][0] != len(oracle.counted(members, measure))
        for against, expected in rests.items():
            row = pick(comparisons, measure=measure, against=against)
            if isinstance(expected, str):
                assert_not_compared(row, expected)
            else:
                assert_compared(row, scopes["area"], expected)
    return noisy


SCORECARD_FILTERS = {
    "none": Filters(wave=oracle.PUBLISHED_WAVE),
    # care group and service area filters only pick the list; survey, staff group and months do not apply
    "months, staff survey, another care group": Filters(
        care_groups=("Corporate services",),
        surveys=("Staff",),
        date_from=dt.date(2021, 3, 1),
        date_to=dt.date(2021, 5, 31),
        wave=oracle.PUBLISHED_WAVE,
    ),
    # no wave: the latest
    "staff groups": Filters(staff_groups=("Nursing", "Healthcare support worker", "Administrative and clerical")),
}


@pytest.mark.slow
@pytest.mark.parametrize("filters", SCORECARD_FILTERS.values(), ids=SCORECARD_FILTERS.keys())
def test_survey_scorecard_on_demo_matches_the_oracle(database, responses, release, filters):
    wave = oracle.wave_of(responses, filters)
    area, group = largest_area(responses, wave)
    headline = measures.headline_measures(database)
    assert tuple(headline) == oracle.MEASURES
    results, comparisons = my_area.survey_scorecard(database, filters, headline, area, group)
    assert len(results) == 3 * 3 and len(comparisons) == 3 * 2
    noisy = assert_matches_the_oracle(results, comparisons, responses, release, wave, area, group)
    assert noisy > 0
    assert not results["hidden"].any()  # the largest area, its care group and the Trust are all released
    if wave == oracle.PUBLISHED_WAVE:
        trust = pick(results, measure="it_unreliable", level="trust")
        assert trust["percent"] == oracle.PUBLISHED["it_unreliable"]


@pytest.mark.slow
def test_the_survey_scorecard_does_not_follow_the_survey_staff_group_and_month_filters(database, responses, release):
    """The survey results are fixed whole-wave totals: narrowing the survey, staff groups and months
    changes the engagement side but leaves every survey figure and comparison as it is."""
    wave = oracle.PUBLISHED_WAVE
    area, group = largest_area(responses, wave)
    headline = measures.headline_measures(database)
    whole = Filters(wave=wave)
    narrowed = Filters(
        surveys=("Staff",),
        staff_groups=("Nursing",),
        date_from=dt.date(2021, 3, 1),
        date_to=dt.date(2021, 3, 31),
        wave=wave,
    )
    results, comparisons = my_area.survey_scorecard(database, whole, headline, area, group)
    for filters in (narrowed, Filters(surveys=("Carer",), wave=wave), Filters(staff_groups=("Medical",), wave=wave)):
        again, compared_again = my_area.survey_scorecard(database, filters, headline, area, group)
        pd.testing.assert_frame_equal(again, results)
        pd.testing.assert_frame_equal(compared_again, comparisons)
    assert_matches_the_oracle(results, comparisons, responses, release, wave, area, group)
    # The filters were live: followed, they would give other survey figures, and engagement does follow them.
    for scope, scope_filters in my_area.level_filters(narrowed, area, group).items():
        followed = oracle.expected_headline(responses, "it_unreliable", scope_filters, release)
        shown = pick(results, measure="it_unreliable", level=scope)
        assert followed[:2] != (shown["n"], shown["positive"]), scope
    engagement = my_area.engagement_scorecard(database, whole, area, group)
    assert not engagement.equals(my_area.engagement_scorecard(database, narrowed, area, group))
    # The wave does apply: the other wave gives the other wave's totals.
    other = my_area.survey_scorecard(database, Filters(wave="2023"), headline, area, group)
    assert_matches_the_oracle(*other, responses, release, "2023", area, group)
    assert not other[0].equals(results)


def test_a_small_demo_area_shows_no_survey_figure(database, responses, release):
    wave = oracle.PUBLISHED_WAVE
    tree = oracle.structure()
    area, group = next(
        (a, g)
        for g, areas in tree.items()
        for a in areas
        if len(oracle.members(responses, (wave, "answers", g, a, None, None, None)))
        and not release.shows((wave, "answers", g, a, None, None, None), "it_unreliable")
    )
    results, comparisons = my_area.survey_scorecard(
        database, Filters(wave=wave), measures.headline_measures(database), area, group
    )
    row = pick(results, measure="it_unreliable", level="area")
    assert row["hidden"] and pd.isna(row["n"]) and row["hidden_reason"] == disclosure.HIDDEN
    assert comparisons.loc[comparisons["measure"] == "it_unreliable", "hidden"].all()
    assert (comparisons.loc[comparisons["measure"] == "it_unreliable", "hidden_reason"] == my_area.AREA_HIDDEN).all()
    care_group = pick(results, measure="it_unreliable", level="care_group")
    expected = whole_wave(responses, release, "it_unreliable", wave, (group, None))
    assert expected is not None and (care_group["n"], care_group["positive"]) == expected


def test_the_rest_is_rounded_half_up_as_every_percent_is():
    """1 of 8 is 12.5%: shown 13% (stats.whole_percents), in the table and the download alike."""
    row = {"hidden": False, "p_value": 0.5, "share": 0.125, "positive": 1, "n": 8, "flag": "no significant difference"}
    assert my_area_text.comparison_text(row) == "Could be chance: 13% (n = 8)"
    assert f"{0.125 * 100:.0f}" == "12"  # what it printed before
