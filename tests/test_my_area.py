"""My area: the significance flag on constructed cases either side of p = 0.05, disclosure
control of the scorecard (every scope perturbed as itself from its summed key sums, hidden
when its perturbed n is under the threshold), and the scorecard's figures against the
oracle (tests/oracle.py) over the demo extracts."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

import pandas as pd
import pytest

from dashboard import disclosure, measures, my_area, my_area_text
from dashboard.filters import Filters
from dashboard.perturbation import MAX_NOISE, NOISE
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


def key_with_noise(noise: int, count: int = MAX_NOISE) -> int:
    """A cell key whose noise for this count is ``noise`` (read off the published table)."""
    return next(k for k in range(256) if NOISE[min(count, MAX_NOISE), k] == noise)


def own(cell_key: int, view_key_sum: int) -> int:
    """The own key sum that gives this cell key within a view of this key sum."""
    return (cell_key - 2 * view_key_sum) % 256


@pytest.fixture(scope="module")
def database(demo_db):
    """The demo database: its headline measures (the demo's are oracle.MEASURES) name the scorecard's
    rows, and the demo tests read its figures."""
    yield from opened_database(demo_db)


ZERO = key_with_noise(0)  # for any count of 3 or more: published as it is
DOWN = key_with_noise(-3)  # three taken away
UP = key_with_noise(3)  # three added


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


# Scorecard on constructed area_survey output -------------------------------------------------------

# care_group, service_area, n, positive, n_key, positive_key, view_key
Row = tuple[str, str, int, int, int | None, int | None, int]


def raw(rows: list[Row], withheld: bool = False) -> pd.DataFrame:
    """What area_survey returns: the same counts and key sums for each of the three measures
    (key sums empty when the database was built without a key)."""
    keys = ["n_key", "positive_key", "view_key"]
    frame = pd.DataFrame(
        [(g, a, m, n, nk, p, pk, vk) for g, a, n, p, nk, pk, vk in rows for m in oracle.MEASURES],
        columns=["care_group", "service_area", "measure", "n", "n_key", "positive", "positive_key", "view_key"],
    )
    if withheld:
        frame[keys] = pd.NA
    frame[keys] = frame[keys].astype("Int64")
    return frame


def expected(rows: list[Row]) -> tuple[int, int]:
    """(n, positive) as published for the union of these rows: counts and key sums summed, each
    count perturbed within the union's view, positive never above n."""

    def total(column: int) -> int:
        return sum(r[column] or 0 for r in rows)  # a count of nobody has no key sum (None)

    n = oracle.perturbed_count(total(2), total(4), total(6))
    return n, min(oracle.perturbed_count(total(3), total(5), total(6)), n)


def expected_scopes(rows: list[Row], area: str, group: str) -> dict[str, tuple[int, int]]:
    mine = [r for r in rows if r[0] == group and r[1] == area]
    in_group = [r for r in rows if r[0] == group]
    return {
        "area": expected(mine),
        "care_group": expected(in_group),
        "trust": expected(rows),
        "rest_of_care_group": expected([r for r in in_group if r not in mine]),
        "rest_of_trust": expected([r for r in rows if r not in mine]),
    }


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


def test_a_shown_area_gets_figures_and_flags_against_both_rests():
    # Uneven key sums: several scopes get noise, and each must be perturbed from its own summed keys.
    # The tiny neighbour (n = 4) is hidden on its own but does not hide A (no complementary suppression).
    rows = [
        ("G", "A", 100, 25, 37, 201, 1000),
        ("G", "B", 100, 14, 90, 12, 777),
        ("G", "C", 50, 10, 250, 77, 3),
        ("G", "Tiny", 4, 1, 3, 9, 400),
        ("H", "D", 300, 60, 5, 140, 41),
    ]
    figures = expected_scopes(rows, "A", "G")
    true_n = {"area": 100, "care_group": 254, "trust": 554, "rest_of_care_group": 154, "rest_of_trust": 454}
    assert any(figures[s][0] != true_n[s] for s in figures)  # the case tells perturbed from true counts
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD)
    assert len(results) == 3 * 3 and len(comparisons) == 3 * 2
    for measure in oracle.MEASURES:
        for scope in my_area.SCOPES:
            row = pick(results, measure=measure, scope=scope)
            n, positive = figures[scope]
            assert not row["hidden"], scope
            assert (row["n"], row["positive"]) == (n, positive), scope
            assert row["percent"] == oracle.percent_half_up(positive, n)
            assert row["low"] < positive / n < row["high"]
        area_n, area_positive = figures["area"]
        for against in my_area.COMPARISONS:
            row = pick(comparisons, measure=measure, against=against)
            n, positive = figures[against]
            assert not row["hidden"]
            assert (row["n"], row["positive"]) == (n, positive), against
            assert row["area_share"] == pytest.approx(area_positive / area_n)
            assert row["share"] == pytest.approx(positive / n)
            p_value = pooled_z_p_value(area_positive, area_n, positive, n)
            assert row["p_value"] == pytest.approx(p_value)
            higher = area_positive / area_n > positive / n
            assert row["flag"] == ("no significant difference" if p_value >= 0.05 else "higher" if higher else "lower")


def test_the_flag_follows_the_boundary_in_the_scorecard():
    # Area A 25/100 against the rest of its group 14/100: p = 0.0496, flagged higher;
    # one fewer positive answer (24/100): p = 0.070, not flagged. Keys with no noise for
    # the area and the rest of its group (B alone), so the counts are the test's own.
    a, b = own(ZERO, 123), own(ZERO, 45)
    assert [oracle.perturbed_count(*case) for case in ((100, a, 123), (24, a, 123), (14, b, 45))] == [100, 24, 14]
    for positive, flag in ((25, "higher"), (24, "no significant difference")):
        rows = [("G", "A", 100, positive, a, a, 123), ("G", "B", 100, 14, b, b, 45), ("H", "D", 500, 100, 7, 7, 9)]
        _, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD)
        row = pick(comparisons, measure="it_unreliable", against="rest_of_care_group")
        assert (row["n"], row["positive"]) == (100, 14)
        assert row["flag"] == flag


# (true n of the area, its key sum): hidden when the PERTURBED n is under the threshold.
SMALL_AREAS = [(1, 0), (2, 255), (5, 100), (9, own(DOWN, 77)), (11, own(DOWN, 77))]


@pytest.mark.parametrize("area_n, key", SMALL_AREAS)
def test_an_area_under_the_threshold_shows_no_figure_and_no_comparison(area_n, key):
    assert oracle.perturbed_count(area_n, key, 77) < THRESHOLD  # a true 11 published as 8 is hidden too
    rows = [
        ("G", "Small", area_n, area_n // 2, key, key, 77),
        ("G", "B", 40, 20, 60, 61, 5),
        ("G", "C", 60, 30, 70, 3, 8),
        ("H", "D", 300, 60, 80, 90, 200),
    ]
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "Small", "G", THRESHOLD)
    area = results.loc[results["scope"] == "area"]
    assert area["hidden"].all()
    assert area[FIGURES].isna().all().all()
    assert_numeric_with_na(results, FIGURES)
    assert (area["hidden_reason"] == f"fewer than {THRESHOLD} responses").all()
    # No comparison: nothing about the area's answers is shown.
    assert comparisons["hidden"].all() and (comparisons["hidden_reason"] == my_area.AREA_HIDDEN).all()
    assert comparisons[COMPARISON_FIGURES].isna().all().all() and comparisons["flag"].isna().all()
    assert_numeric_with_na(comparisons, COMPARISON_FIGURES)
    # Its care group and the Trust are still shown, each perturbed as itself.
    figures = expected_scopes(rows, "Small", "G")
    for scope in ("care_group", "trust"):
        for _, row in results.loc[results["scope"] == scope].iterrows():
            assert not row["hidden"] and (row["n"], row["positive"]) == figures[scope]
    texts = [my_area_text.result_text(r) for _, r in area.iterrows()]
    texts += [my_area_text.comparison_text(r) for _, r in comparisons.iterrows()]
    assert all("%" not in text for text in texts)


def test_an_area_of_nine_published_as_twelve_is_shown():
    # The threshold applies to the perturbed n: a true 9 published as 12 is shown, as 12.
    assert oracle.perturbed_count(9, own(UP, 30), 30) == 12
    rows = [("G", "A", 9, 4, own(UP, 30), 50, 30), ("G", "B", 40, 20, 60, 61, 7), ("H", "D", 300, 60, 80, 90, 11)]
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD)
    area = pick(results, measure="it_skills", scope="area")
    assert not area["hidden"] and (area["n"], area["positive"]) == expected(rows[:1]) and area["n"] == 12
    assert not comparisons["hidden"].any()


def test_a_small_rest_of_group_is_not_shown_but_the_rest_of_the_trust_is():
    # The rest of G is Tiny + Tiny2: 7 responses, their key sums adding to a cell key that takes three away.
    tiny2 = (own(DOWN, 20 + 30) - 200) % 256
    rows = [
        ("G", "A", 100, 40, 1, 2, 3),
        ("G", "Tiny", 4, 1, 200, 3, 20),
        ("G", "Tiny2", 3, 3, tiny2, 11, 30),
        ("H", "D", 300, 60, 13, 14, 15),
    ]
    figures = expected_scopes(rows, "A", "G")
    assert figures["rest_of_care_group"][0] == 4 < THRESHOLD
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD)
    assert not pick(results, measure="it_skills", scope="area")["hidden"]
    rest_group = pick(comparisons, measure="it_skills", against="rest_of_care_group")
    assert rest_group["hidden"] and rest_group["hidden_reason"] == f"fewer than {THRESHOLD} responses"
    assert pd.isna(rest_group["n"]) and pd.isna(rest_group["p_value"]) and pd.isna(rest_group["flag"])
    assert pd.isna(rest_group["area_share"])
    rest_trust = pick(comparisons, measure="it_skills", against="rest_of_trust")
    assert not rest_trust["hidden"] and (rest_trust["n"], rest_trust["positive"]) == figures["rest_of_trust"]
    (area_n, area_positive), (n, positive) = figures["area"], figures["rest_of_trust"]
    assert rest_trust["p_value"] == pytest.approx(pooled_z_p_value(area_positive, area_n, positive, n))


def test_a_small_care_group_hides_its_figure_and_the_comparisons():
    rows = [("G", "A", 8, 4, own(DOWN, 9), 30, 9), ("H", "D", 300, 60, 40, 50, 60)]
    assert expected(rows[:1])[0] == 5
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD)
    for measure in oracle.MEASURES:
        assert pick(results, measure=measure, scope="care_group")["hidden"]
        assert pick(results, measure=measure, scope="area")["hidden"]
        trust = pick(results, measure=measure, scope="trust")
        assert not trust["hidden"] and (trust["n"], trust["positive"]) == expected(rows)
    assert comparisons["hidden"].all() and comparisons["p_value"].isna().all()


@pytest.mark.parametrize("area", ["Nowhere", "Quiet"])
def test_an_area_with_no_responses_says_so(area):
    # Nowhere has no row; Quiet has responses but no answer to count (n = 0, no key sums of its
    # own): their keys still belong to its care group's view and the Trust's.
    rows = [("G", "B", 40, 20, 1, 2, 5), ("G", "Quiet", 0, 0, None, None, 177), ("H", "D", 300, 60, 3, 4, 6)]
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, area, "G", THRESHOLD)
    shown = results.loc[results["scope"] == "area"]
    assert shown["hidden"].all() and (shown["hidden_reason"] == my_area.NO_RESPONSES).all()
    assert comparisons["hidden"].all()
    for scope, scope_rows in (("care_group", rows[:2]), ("trust", rows)):
        row = pick(results, measure="it_skills", scope=scope)
        assert (row["n"], row["positive"]) == expected(scope_rows), scope


def test_without_a_key_every_scope_is_withheld(database):
    # A database of real answers built without a key: key sums are empty, so no count is shown.
    rows = [("G", "A", 100, 25, 0, 0, 0), ("G", "B", 100, 14, 0, 0, 0), ("H", "D", 300, 60, 0, 0, 0)]
    results, comparisons = my_area.survey_scorecard(raw(rows, withheld=True), oracle.MEASURES, "A", "G", THRESHOLD)
    assert results["hidden"].all() and (results["hidden_reason"] == disclosure.WITHHELD).all()
    assert results[FIGURES].isna().all().all()
    assert comparisons["hidden"].all() and comparisons[COMPARISON_FIGURES].isna().all().all()
    survey_table, comparison_table = my_area_text.survey_tables(
        results, comparisons, measures.headline_measures(database)
    )
    assert not survey_table.stack().str.contains("%").any()
    assert not comparison_table.stack().str.contains("%").any()


def test_summary_download_carries_no_hidden_figure(database):
    rows = [
        ("G", "Small", 6, 3, own(DOWN, 10), 20, 10),
        ("G", "B", 40, 20, 30, 40, 1),
        ("G", "C", 60, 30, 50, 60, 2),
        ("H", "D", 300, 60, 70, 80, 3),
    ]
    assert expected(rows[:1])[0] < THRESHOLD
    results, comparisons = my_area.survey_scorecard(raw(rows), oracle.MEASURES, "Small", "G", THRESHOLD)
    engagement = pd.DataFrame(
        [{"measure": "conversations", "title": "Conversations", "area": 1, "care_group": 3, "trust": 9}]
    )
    summary = my_area_text.summary_frame(
        "Small", "G", engagement, results, comparisons, measures.headline_measures(database)
    )
    hidden_rows = summary.loc[summary["section"] != "Engagement"].loc[lambda f: f["scope"].str.startswith("Small")]
    assert len(hidden_rows) == 3 + 6  # three results, six comparisons
    assert hidden_rows[["value", "n", "ci_low_percent", "ci_high_percent", "p_value", "flag"]].isna().all().all()
    assert summary.loc[summary["section"] == "Engagement", "value"].tolist() == [1, 3, 9]
    shown = summary.loc[(summary["section"] == "Survey") & (summary["scope"] == "Trust")]
    assert shown["n"].tolist() == [expected(rows)[0]] * 3


def test_survey_tables_are_narrow_text(database):
    a, b = own(ZERO, 99), own(ZERO, 3)
    rows = [("G", "A", 100, 25, a, a, 99), ("G", "B", 100, 14, b, b, 3), ("H", "D", 300, 60, 1, 2, 4)]
    survey_table, comparison_table = my_area_text.survey_tables(
        *my_area.survey_scorecard(raw(rows), oracle.MEASURES, "A", "G", THRESHOLD), measures.headline_measures(database)
    )
    assert survey_table.shape == (3, 3) and comparison_table.shape == (3, 2)
    assert survey_table.iloc[0, 0].startswith("25% (18–34%, n = 100)")  # Wilson 95% for 25/100: 17.5–34.3%
    assert comparison_table.iloc[0, 0].startswith("▲ Higher than 14% (n = 100), p = 0.0")


# The scorecard on the demo data ------------------------------------------------------------------


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return oracle.read_responses()


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


def shared(filters: Filters) -> dict[str, object]:
    """What the scorecard takes from the page's filters for every scope: surveys, staff groups, months, wave."""
    return {
        "surveys": filters.surveys,
        "staff_groups": filters.staff_groups,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "wave": filters.wave,
    }


def scopes_of(filters: Filters, area: str, group: str) -> dict[str, Filters]:
    return {
        "area": Filters(service_areas=(area,), **shared(filters)),
        "care_group": Filters(care_groups=(group,), **shared(filters)),
        "trust": Filters(**shared(filters)),
    }


def oracle_scopes(
    responses: pd.DataFrame, measure: str, filters: Filters, area: str, group: str
) -> dict[str, tuple[int, int]]:
    """Every scope's published (n, positive) from the oracle; the rests are the scope's rows
    without the area's, perturbed as a set of responses of their own."""
    scopes = scopes_of(filters, area, group)
    out = {scope: oracle.expected_headline(responses, measure, f)[:2] for scope, f in scopes.items()}
    for rest, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
        view = oracle.filtered(responses, scopes[whole])
        out[rest] = oracle.figures(view.loc[view["service_area"] != area], measure)
    return out


PUBLISHED = Filters(wave=oracle.PUBLISHED_WAVE)  # no filters, in the wave of the published figures
SCORECARD_FILTERS = {
    "none": PUBLISHED,
    # care group / service area filters only pick the list: the scopes ignore them
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
def test_survey_scorecard_on_demo_matches_the_oracle(database, responses, filters):
    sizes = oracle.expected_groups(
        responses, "it_unreliable", ["care_group", "service_area"], Filters(**shared(filters))
    )
    sizes = sizes.loc[sizes["service_area"] != "Not stated"].sort_values(["true_n", "service_area"])
    area, group = sizes.iloc[-1][["service_area", "care_group"]]  # the largest area for these filters
    results, comparisons = my_area.survey_scorecard(
        my_area.area_survey(database, filters), oracle.MEASURES, area, group, THRESHOLD
    )
    scope_filters = scopes_of(filters, area, group)
    noisy = 0  # shown figures whose published n is not the true n: the case tells the two apart
    for measure in oracle.MEASURES:
        figures = oracle_scopes(responses, measure, filters, area, group)
        for scope in my_area.SCOPES:
            row = pick(results, measure=measure, scope=scope)
            n, positive = figures[scope]
            noisy += n >= THRESHOLD and n != oracle.true_headline(responses, measure, scope_filters[scope])[0]
            assert bool(row["hidden"]) == (n < THRESHOLD), (measure, scope)
            if not row["hidden"]:
                assert (row["n"], row["positive"], row["percent"]) == (
                    n,
                    positive,
                    oracle.percent_half_up(positive, n),
                ), (measure, scope)
        area_row = pick(results, measure=measure, scope="area")
        for against, whole in (("rest_of_care_group", "care_group"), ("rest_of_trust", "trust")):
            row = pick(comparisons, measure=measure, against=against)
            n, positive = figures[against]
            hidden = area_row["hidden"] or figures[whole][0] < THRESHOLD or n < THRESHOLD
            assert bool(row["hidden"]) == hidden, (measure, against)
            if not hidden:
                assert (row["n"], row["positive"]) == (n, positive), (measure, against)
                area_n, area_positive = figures["area"]
                assert row["p_value"] == pytest.approx(pooled_z_p_value(area_positive, area_n, positive, n))
    assert noisy > 0
    trust = pick(results, measure="it_unreliable", scope="trust")
    if filters == PUBLISHED:
        assert trust["percent"] == oracle.PUBLISHED["it_unreliable"]


def test_a_small_demo_area_shows_no_survey_figure(database, responses):
    area = oracle.small_area(responses, "it_unreliable")
    group = responses.loc[responses["service_area"] == area, "care_group"].iloc[0]
    results, comparisons = my_area.survey_scorecard(
        my_area.area_survey(database, Filters()), oracle.MEASURES, area, group, THRESHOLD
    )
    row = pick(results, measure="it_unreliable", scope="area")
    assert row["hidden"] and pd.isna(row["n"]) and row["hidden_reason"] == f"fewer than {THRESHOLD} responses"
    assert comparisons.loc[comparisons["measure"] == "it_unreliable", "hidden"].all()
    figures = oracle_scopes(responses, "it_unreliable", Filters(), area, group)
    care_group = pick(results, measure="it_unreliable", scope="care_group")
    assert (care_group["n"], care_group["positive"]) == figures["care_group"]
