"""My area: the significance flag on constructed cases either side of p = 0.05, disclosure
control of the scorecard (hidden under the threshold, nothing that would reveal a hidden
area), and the scorecard's figures against pandas over the demo extracts."""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd
import pytest

from dashboard import db, disclosure, my_area
from dashboard.filters import Filters
from tests.test_engagement import reference_engagement, reference_survey_by_area


def pooled_z_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Independent reference: two-sided p of the pooled two-proportion z-test via NormalDist."""
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * (1 - NormalDist().cdf(abs(z)))


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


# Scorecard on constructed breakdowns ---------------------------------------------------------------


def breakdown(rows: list[tuple[str, str, int, int]], threshold: int = 10) -> pd.DataFrame:
    """The same (care_group, service_area, n, positive) for each of the three measures."""
    frame = pd.DataFrame(
        [(g, a, m, n, p) for g, a, n, p in rows for m in ("it_skills", "info_available", "it_unreliable")],
        columns=["care_group", "service_area", "measure", "n", "positive"],
    )
    return my_area.suppress_areas(frame, threshold)


def pick(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1
    return frame.loc[mask].iloc[0]


def test_a_shown_area_gets_figures_and_flags_against_both_rests():
    rows = [("G", "A", 100, 25), ("G", "B", 100, 14), ("G", "C", 50, 10), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
    area = pick(results, measure="it_skills", scope="area")
    assert not area["hidden"] and area["n"] == 100 and area["percent"] == 25
    group = pick(results, measure="it_skills", scope="care_group")
    assert group["n"] == 250 and group["positive"] == 49
    trust = pick(results, measure="it_skills", scope="trust")
    assert trust["n"] == 550 and trust["positive"] == 109
    rest_group = pick(comparisons, measure="it_skills", against="rest_of_care_group")
    assert rest_group["n"] == 150 and rest_group["positive"] == 24
    assert rest_group["p_value"] == pytest.approx(pooled_z_p_value(25, 100, 24, 150))
    rest_trust = pick(comparisons, measure="it_skills", against="rest_of_trust")
    assert rest_trust["n"] == 450 and rest_trust["positive"] == 84
    assert rest_trust["p_value"] == pytest.approx(pooled_z_p_value(25, 100, 84, 450))
    for row in (rest_group, rest_trust):
        assert row["flag"] == ("higher" if row["p_value"] < 0.05 else "no significant difference")


def test_the_flag_follows_the_boundary_in_the_scorecard():
    # Area A 25/100 against the rest of its group 14/100: p = 0.0496, flagged higher;
    # one fewer positive answer (24/100): p = 0.070, not flagged.
    for positive, flag in ((25, "higher"), (24, "no significant difference")):
        rows = [("G", "A", 100, positive), ("G", "B", 100, 14), ("H", "D", 500, 100)]
        _, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
        assert pick(comparisons, measure="it_unreliable", against="rest_of_care_group")["flag"] == flag


@pytest.mark.parametrize("area_n", [1, 5, 9])
def test_an_area_under_the_threshold_shows_no_figure_and_no_comparison(area_n):
    rows = [("G", "Small", area_n, area_n // 2), ("G", "B", 40, 20), ("G", "C", 60, 30), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "Small", "G", 10)
    area = results.loc[results["scope"] == "area"]
    assert area["hidden"].all()
    assert area[["n", "positive", "share", "percent", "low", "high"]].isna().all().all()
    assert area["hidden_reason"].str.contains("fewer than 10").all()
    # Nothing that would reveal it: no rest-of-group, no rest-of-Trust, no difference.
    assert comparisons["hidden"].all()
    assert comparisons[["n", "positive", "share", "p_value", "flag", "area_share"]].isna().all().all()
    # Its care group and the Trust are still shown.
    assert not results.loc[results["scope"] != "area", "hidden"].any()
    texts = [my_area.result_text(r) for _, r in area.iterrows()]
    texts += [my_area.comparison_text(r) for _, r in comparisons.iterrows()]
    assert all("%" not in text for text in texts)


def test_an_area_hidden_to_protect_a_smaller_one_is_hidden_too():
    # In care group G, 'Tiny' (n = 4) is hidden; 'A' is the next smallest so it is hidden as well,
    # otherwise Tiny = G - A - B could be worked out.
    rows = [("G", "Tiny", 4, 2), ("G", "A", 30, 10), ("G", "B", 80, 40), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
    area = pick(results, measure="it_skills", scope="area")
    assert area["hidden"] and area["n"] is None and "worked out" in area["hidden_reason"]
    assert comparisons["hidden"].all()


def test_an_area_is_hidden_where_its_care_group_is_hidden_in_the_care_group_breakdown():
    # Care groups: 'Not stated' (n = 5) is hidden, so the next smallest, G (n = 12), is hidden
    # too; G's only area A would give G away, so A is hidden although it has 12 responses
    # (within-group and overall suppression alone would show it: E and F are hidden in H).
    rows = [("G", "A", 12, 6), ("H", "D", 300, 60), ("H", "F", 200, 50), ("H", "E", 4, 1),
            ("Not stated", "Not stated", 5, 2)]
    frame = pd.DataFrame([(g, a, n) for g, a, n, _ in rows], columns=["care_group", "service_area", "n"])
    plain = disclosure.suppress(frame, 10, within=("care_group",)).set_index("service_area")["hidden"]
    assert not plain["A"] and plain[["E", "F", "Not stated"]].all()
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
    assert pick(results, measure="it_skills", scope="area")["hidden"]
    assert comparisons["hidden"].all()


def test_empty_answers_do_not_count_as_a_hidden_group():
    # A group with no answers (n = 0) holds nothing; counting it as hidden would leave
    # 'Tiny' the only other hidden one and let it escape complementary suppression.
    rows = [("G", "Tiny", 4, 2), ("G", "Empty", 0, 0), ("G", "A", 30, 10), ("G", "B", 80, 40), ("H", "D", 300, 60)]
    flags = breakdown(rows)
    assert "Empty" not in set(flags["service_area"])
    assert flags.loc[flags["service_area"] == "A", "hidden"].all()


def test_a_small_rest_of_group_is_not_shown_but_the_rest_of_the_trust_is():
    rows = [("G", "A", 100, 40), ("G", "Tiny", 4, 1), ("G", "Tiny2", 3, 3), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
    assert not pick(results, measure="it_skills", scope="area")["hidden"]
    rest_group = pick(comparisons, measure="it_skills", against="rest_of_care_group")
    assert rest_group["hidden"] and rest_group["n"] is None and rest_group["flag"] is None
    rest_trust = pick(comparisons, measure="it_skills", against="rest_of_trust")
    assert not rest_trust["hidden"] and rest_trust["n"] == 307


def test_a_small_care_group_hides_its_figure_and_the_comparison_with_it():
    rows = [("G", "A", 8, 4), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "A", "G", 10)
    assert pick(results, measure="it_skills", scope="care_group")["hidden"]
    assert pick(results, measure="it_skills", scope="area")["hidden"]
    assert not pick(results, measure="it_skills", scope="trust")["hidden"]


def test_an_area_with_no_responses_says_so():
    rows = [("G", "B", 40, 20), ("H", "D", 300, 60)]
    results, _ = my_area.survey_scorecard(breakdown(rows), "Nowhere", "G", 10)
    area = pick(results, measure="it_skills", scope="area")
    assert area["hidden"] and area["hidden_reason"] == my_area.NO_RESPONSES


def test_summary_download_carries_no_hidden_figure():
    rows = [("G", "Small", 6, 3), ("G", "B", 40, 20), ("G", "C", 60, 30), ("H", "D", 300, 60)]
    results, comparisons = my_area.survey_scorecard(breakdown(rows), "Small", "G", 10)
    engagement = pd.DataFrame(
        [{"measure": "conversations", "title": "Conversations", "area": 1, "care_group": 3, "trust": 9}]
    )
    summary = my_area.summary_frame("Small", "G", engagement, results, comparisons)
    hidden_rows = summary.loc[summary["section"] != "Engagement"].loc[lambda f: f["scope"].str.startswith("Small")]
    assert len(hidden_rows) == 3 + 6  # three results, six comparisons
    assert hidden_rows[["value", "n", "ci_low_percent", "ci_high_percent", "p_value", "flag"]].isna().all().all()
    assert summary.loc[summary["section"] == "Engagement", "value"].tolist() == [1, 3, 9]


def test_survey_tables_are_narrow_text():
    rows = [("G", "A", 100, 25), ("G", "B", 100, 14), ("H", "D", 300, 60)]
    survey_table, comparison_table = my_area.survey_tables(*my_area.survey_scorecard(breakdown(rows), "A", "G", 10))
    assert survey_table.shape == (3, 3) and comparison_table.shape == (3, 2)
    assert survey_table.iloc[0, 0].startswith("25% (18–34%, n = 100)")
    assert comparison_table.iloc[0, 0].startswith("▲ Higher than 14% (n = 100), p = 0.0")


# The scorecard on the demo data ------------------------------------------------------------------


@pytest.fixture
def demo(demo_db):
    database = db.Database(demo_db)
    db.pin(database)
    yield database
    db.pin(None)
    database.close()


def test_engagement_scorecard_matches_pandas(demo):
    area = "Memory assessment service"
    group = "Adult mental health"
    filters = Filters(care_groups=("Corporate services",), staff_groups=("Nursing",))  # care group: only picks the list
    got = my_area.engagement_scorecard(filters, area, group).set_index("measure")
    scopes = {
        "area": Filters(service_areas=(area,), staff_groups=("Nursing",)),
        "care_group": Filters(care_groups=(group,), staff_groups=("Nursing",)),
        "trust": Filters(staff_groups=("Nursing",)),
    }
    for scope, scope_filters in scopes.items():
        expected = reference_engagement(scope_filters)
        for key, _ in my_area.ENGAGEMENT_ROWS:
            assert got.loc[key, scope] == pytest.approx(expected[key]), (scope, key)


def test_survey_scorecard_on_demo_matches_pandas(demo):
    reference = reference_survey_by_area("it_unreliable")
    large = reference.loc[(reference["n"] >= 40) & (reference["service_area"] != "Not stated")].iloc[0]
    area, group = large["service_area"], large["care_group"]
    breakdown_frame = my_area.area_survey(Filters(), 10)
    results, comparisons = my_area.survey_scorecard(breakdown_frame, area, group, 10)
    row = pick(results, measure="it_unreliable", scope="area")
    assert (row["n"], row["positive"]) == (large["n"], large["positive"])
    in_group = reference.loc[reference["care_group"] == group]
    rest = pick(comparisons, measure="it_unreliable", against="rest_of_care_group")
    assert rest["n"] == in_group["n"].sum() - large["n"]
    assert rest["p_value"] == pytest.approx(pooled_z_p_value(
        int(large["positive"]), int(large["n"]), int(in_group["positive"].sum() - large["positive"]), int(rest["n"])))
    trust = pick(results, measure="it_unreliable", scope="trust")
    assert trust["percent"] == 65 and trust["n"] == reference["n"].sum()
