"""Interval estimates and tests for proportions; pure functions, no I/O."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(positive: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval for positive/n, as proportions (0-1).

    Wilson (1927); preferred to the normal approximation for small n and
    proportions near 0 or 1 (Newcombe 1998). n = 0 gives (nan, nan).
    """
    if n > 0 and not 0 <= positive <= n:
        raise ValueError(f"positive={positive} is not between 0 and n={n}")
    low, high = wilson_intervals(np.array([positive]), np.array([n]), z)
    return (float(low[0]), float(high[0]))


def wilson_intervals(positive: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """``wilson_interval`` for arrays of counts at once (positive within 0..n); n = 0 gives nan."""
    positive, n = np.asarray(positive, dtype=np.float64), np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positive / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low = np.where(positive == 0, 0.0, np.maximum(0.0, centre - half))
        high = np.where(positive == n, 1.0, np.minimum(1.0, centre + half))
    empty = n <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test of x1/n1 against x2/n2."""
    if n1 <= 0 or n2 <= 0:
        return math.nan
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def two_proportion_z_tests(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """``two_proportion_z_test`` for arrays of counts at once; nan where a count is missing or n is 0."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=np.float64) for a in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (x1 / n1 - x2 / n2) / se
        p = np.vectorize(math.erfc, otypes=[float])(np.abs(z) / math.sqrt(2))
    p = np.where(se == 0, 1.0, p)
    return np.where(np.isnan(x1 + n1 + x2 + n2) | (n1 <= 0) | (n2 <= 0), np.nan, p)


def whole_percent(positive: int, n: int) -> int | None:
    """Whole-percent figure as published: round half up of 100 * positive / n, in integers."""
    return (200 * positive + n) // (2 * n) if n > 0 else None
