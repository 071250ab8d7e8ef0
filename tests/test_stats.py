"""Interval estimates against published values, and the published rounding rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.core import stats


def wilson(positive: int, n: int) -> tuple[float, float]:
    low, high = stats.wilson_intervals(positive, n)
    return float(low[0]), float(high[0])


# Newcombe RG (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Statistics in Medicine 17:857-872, Table I,
# method 3 (Wilson score interval without continuity correction), 95%.
NEWCOMBE_1998_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("positive", "n", "low", "high"), NEWCOMBE_1998_WILSON)
def test_wilson_interval_matches_newcombe_1998(positive: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson(positive, n)
    assert round(got_low, 4) == low
    assert round(got_high, 4) == high


@pytest.mark.parametrize(("positive", "n"), [(0, 1), (1, 1), (0, 10), (10, 10), (5, 10), (1, 1000), (999, 1000)])
def test_wilson_interval_is_a_proper_interval_around_the_estimate(positive: int, n: int) -> None:
    low, high = wilson(positive, n)
    assert 0.0 <= low <= positive / n <= high <= 1.0
    assert (low == 0.0) == (positive == 0) and (high == 1.0) == (positive == n)
    assert high - low > 0


def test_wilson_interval_is_symmetric_under_swapping_yes_and_no() -> None:
    low, high = wilson(15, 148)
    mirror_low, mirror_high = wilson(148 - 15, 148)
    assert mirror_low == pytest.approx(1 - high)
    assert mirror_high == pytest.approx(1 - low)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    assert all(math.isnan(bound) for bound in wilson(0, 0))


@pytest.mark.parametrize(("positive", "n"), [(-1, 10), (11, 10)])
def test_wilson_interval_rejects_impossible_counts(positive: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson(positive, n)
    with pytest.raises(ValueError):  # one impossible pair among good ones
        stats.wilson_intervals([3, positive], [10, n])


@pytest.mark.parametrize(
    ("positive", "n", "percent"),
    [
        (1, 8, 13),  # 12.5 rounds up (round-half-even would give 12)
        (5, 8, 63),  # 62.5 rounds up (round-half-even would give 62)
        (3, 8, 38),  # 37.5
        (1, 200, 1),  # 0.5
        (1, 3, 33),  # 33.3
        (2, 3, 67),  # 66.7
        (0, 7, 0),
        (7, 7, 100),
        (909, 2332, 39),
        (1, 40, 3),  # 2.5 rounds up
        (199, 200, 100),  # 99.5 rounds up
    ],
)
def test_whole_percent_rounds_half_up(positive: int, n: int, percent: int) -> None:
    assert stats.whole_percents(positive, n)[0] == percent


def test_whole_percent_of_nothing_or_a_missing_count_is_nan() -> None:
    assert np.isnan(stats.whole_percents([0, np.nan, 3], [0, 10, np.nan])).all()


def test_two_proportion_z_test_textbook_value() -> None:
    # 15/50 against 25/50: pooled p = 0.4, z = -0.2 / sqrt(0.4 * 0.6 * 0.04) = -2.041, two-sided p = 0.0412.
    assert stats.two_proportion_z_tests(15, 50, 25, 50)[0] == pytest.approx(0.0412, abs=5e-5)
    assert stats.two_proportion_z_tests(10, 40, 10, 40)[0] == pytest.approx(1.0)


def test_each_function_takes_arrays_and_gives_each_pair_its_own_figure() -> None:
    positive, n = np.array([81, 15, 0, 1, np.nan, 3]), np.array([263, 148, 20, 29, 10, 0])
    low, high = stats.wilson_intervals(positive, n)
    for i in range(4):
        assert (low[i], high[i]) == wilson(int(positive[i]), int(n[i]))
    assert np.isnan(low[4:]).all() and np.isnan(high[4:]).all()
    assert stats.whole_percents(positive, n)[:4].tolist() == [31, 10, 0, 3]
    x1, n1, x2, n2 = [15, 10, 0, 5, np.nan], [50, 40, 10, 0, 10], [25, 10, 0, 5, 1], [50, 40, 10, 10, 10]
    p = stats.two_proportion_z_tests(x1, n1, x2, n2)
    assert p[0] == stats.two_proportion_z_tests(15, 50, 25, 50)[0] and p[1] == 1.0 and p[2] == 1.0
    assert np.isnan(p[3:]).all()
