"""Interval estimates, tests and the published rounding for proportions: one vectorised function
each, over arrays of counts (a single figure is an array of one). Pure functions, no I/O."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

Z95 = 1.959963984540054  # two-sided 95% normal quantile
ALPHA = 0.05  # a difference is bigger than chance would explain when its two-sided p-value is under this


def _counts(*arrays: ArrayLike) -> tuple[np.ndarray, ...]:
    return tuple(np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in arrays)


def wilson_intervals(positive: ArrayLike, n: ArrayLike, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score intervals for positive/n, as proportions (0-1), per pair of counts.

    Wilson (1927); preferred to the normal approximation for small n and proportions near 0 or 1
    (Newcombe 1998). n = 0 or a missing (nan) count gives nan; positive outside 0..n is an error.
    """
    positive, n = _counts(positive, n)
    known = ~np.isnan(positive) & ~np.isnan(n) & (n > 0)
    if ((positive[known] < 0) | (positive[known] > n[known])).any():
        raise ValueError("a positive count is not between 0 and its n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positive / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low = np.where(positive == 0, 0.0, np.maximum(0.0, centre - half))
        high = np.where(positive == n, 1.0, np.minimum(1.0, centre + half))
    return np.where(known, low, np.nan), np.where(known, high, np.nan)


def two_proportion_z_tests(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> np.ndarray:
    """Two-sided p-values of the pooled two-proportion z-test of x1/n1 against x2/n2, per set of
    counts; nan where a count is missing or an n is 0, 1 where both proportions are 0 or 1."""
    x1, n1, x2, n2 = _counts(x1, n1, x2, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        p = np.vectorize(math.erfc, otypes=[float])(np.abs(z) / math.sqrt(2))
    p = np.where(se == 0, 1.0, p)
    return np.where(np.isnan(x1 + n1 + x2 + n2) | (n1 <= 0) | (n2 <= 0), np.nan, p)


def whole_percents(positive: ArrayLike, n: ArrayLike) -> np.ndarray:
    """Whole-percent figures as published: round half up of 100 * positive / n, in integers (no
    binary fractions: 12.5 is 13); nan where n is 0 or a count is missing."""
    positive, n = _counts(positive, n)
    missing = np.isnan(positive) | np.isnan(n) | (n <= 0)
    whole_positive, whole_n = np.where(missing, 0, positive).astype(np.int64), np.where(missing, 1, n).astype(np.int64)
    return np.where(missing, np.nan, (200 * whole_positive + whole_n) // (2 * whole_n))
