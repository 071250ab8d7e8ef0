"""Seeded drawing helpers: weighted picks, quotas, days in a period, ids, fixing a count exactly."""

import csv
import hashlib
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random

from demo.model import PERIOD_END, PERIOD_START


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def pick(rand, items: Sequence, cum: Sequence[float]):
    """Weighted pick with precomputed cumulative weights (fast per row)."""
    return items[bisect_right(cum, rand() * cum[-1])]


def chooser(rng: Random):
    """Uniform pick from a sequence; a lighter stand-in for ``rng.choice``."""
    rand = rng.random

    def ch(seq: Sequence):
        return seq[int(rand() * len(seq))]

    return ch


def shuffle(rand, x: list) -> None:
    """Fisher-Yates shuffle driven by ``rand()``; lighter than ``Random.shuffle``."""
    for i in range(len(x) - 1, 0, -1):
        j = int(rand() * (i + 1))
        x[i], x[j] = x[j], x[i]


def quotas(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    base = [int(x) for x in exact]
    short = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:short]:
        base[i] += 1
    return base


def scaled(n: int, factor: float, minimum: int = 0) -> int:
    return max(minimum, int(n * factor + 0.5))


def period_days(
    weekday_weight: float,
    weekend_weight: float,
    month_weights: Sequence[float],
    start: date = PERIOD_START,
    end: date = PERIOD_END,
):
    """All days of a period with a weight each (month_weights: one per month from ``start``'s)."""
    days, weights = [], []
    d = start
    while d <= end:
        w = month_weights[(d.year - start.year) * 12 + d.month - start.month] / 30.0
        w *= weekend_weight if d.weekday() >= 5 else weekday_weight
        if w > 0:
            days.append(d)
            weights.append(w)
        d += timedelta(days=1)
    return days, weights


class Iso:
    """Cache of ISO date strings by ordinal."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        s = self._cache.get(ordinal)
        if s is None:
            s = self._cache[ordinal] = date.fromordinal(ordinal).isoformat()
        return s


def write_csv(path: Path, header: Sequence[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fix_count(
    rng: Random,
    values: list,
    eligible: Sequence[int],
    positive: frozenset,
    target: int,
    to_neg: dict,
    to_pos: dict,
    prefer_neg: frozenset,
    prefer_pos: frozenset,
) -> None:
    """Flip the fewest answers so exactly ``target`` eligible rows are positive.

    Flips prefer answers next to the cut (e.g. Fair -> Good, Good -> Fair), so
    the spread between groups is barely touched.
    """
    pos = [i for i in eligible if values[i] in positive]
    k = len(pos) - target
    if k > 0:  # too many positives: turn some negative
        _flip(rng, values, pos, k, prefer_neg, to_neg)
    elif k < 0:  # too few positives
        neg = [i for i in eligible if values[i] not in positive]
        _flip(rng, values, neg, -k, prefer_pos, to_pos)


def _flip(rng, values: list, candidates: list[int], k: int, prefer: set | tuple, to: dict) -> None:
    """Change ``k`` of ``candidates`` through ``to``, those whose answer is in ``prefer`` first."""
    near = [i for i in candidates if values[i] in prefer]
    far = [i for i in candidates if values[i] not in prefer]
    chosen = rng.sample(near, min(k, len(near)))
    if k > len(near):
        chosen += rng.sample(far, k - len(near))
    for i in chosen:
        values[i] = to[values[i]]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
