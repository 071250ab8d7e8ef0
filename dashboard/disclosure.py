"""Disclosure control for survey results (docs/DISCLOSURE.md).

Applied to every survey figure before it reaches a page, chart, table,
sentence or download, by ``protect_arrays`` (``protect`` on a frame of groups):

1. every count is perturbed by its cell key (``dashboard.perturbation``), made
   from its own records and its view's: no exact survey count is ever shown,
   and two views that differ by one person differ in every count by noise, not
   only in the counts holding that person's answer;
2. a group whose perturbed n is under the threshold is hidden, with its reason.

Every percentage and interval is then worked out from the perturbed counts.
Because the same responses always give the same perturbed count, a group that
a breakdown hides is hidden too when a filter opens it on its own, and no
complementary suppression is needed (see docs/DISCLOSURE.md for why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dashboard import perturbation

HIDDEN_SMALL = "fewer than {threshold} responses"
WITHHELD = (
    "survey figures are withheld: this database holds real survey answers but was built without a "
    "perturbation key (see Data and definitions)"
)
# (count column, its key-sum column) as the survey queries return them, and the key sum
# of everyone in the row's view (every response its filters select, answered or not).
COUNTS = (("n", "n_key"), ("positive", "positive_key"))
VIEW_KEY = "view_key"


def protect_arrays(
    columns: Mapping[str, np.ndarray], threshold: int, counts: Sequence[tuple[str, str]] = COUNTS
) -> dict[str, np.ndarray]:
    """The disclosure step on plain arrays, for many figures at once.

    ``columns`` holds each count and its key sum (float64, nan when missing) and
    ``VIEW_KEY``. Returns every count perturbed (float64 whole numbers; nan when
    withheld), positive never above n, and ``hidden`` and ``hidden_reason`` from the
    first count (n): hidden when withheld or under the threshold.

    Each count's cell key is its own records' key sum plus twice its view's
    (``perturbation.in_view``): what one person changes, every count in the view shows.
    """
    view = columns[VIEW_KEY]
    shown = {}
    for count, key in counts:
        perturbed = perturbation.perturb(columns[count], perturbation.in_view(columns[key], view))
        shown[count] = perturbed.to_numpy(dtype=np.float64, na_value=np.nan)
    if "n" in shown and "positive" in shown:
        shown["positive"] = np.fmin(shown["positive"], shown["n"])
        shown["positive"][np.isnan(shown["n"])] = np.nan
    hidden, reasons = hide_small(shown[counts[0][0]], threshold)
    return shown | {"hidden": hidden, "hidden_reason": reasons}


def hide_small(n: np.ndarray, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, hidden_reason) per (perturbed) n: hidden when withheld (nan) or under the threshold."""
    withheld = np.isnan(n)
    small = ~withheld & (n < threshold)
    # A perturbed n of 0 is said the same way: a count of 1 or 2 can be perturbed to 0.
    reasons = np.full(len(n), None, dtype=object)
    reasons[small] = HIDDEN_SMALL.format(threshold=threshold)
    reasons[withheld] = WITHHELD
    return withheld | small, reasons


def _arrays(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, np.ndarray]:
    return {name: pd.to_numeric(frame[name]).to_numpy(dtype=np.float64, na_value=np.nan) for name in names}


def wholes(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers held as float64 (nan when missing or blank) as a nullable integer array."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


# The same step on a frame of groups (one row each): for the tests and for analyses in a notebook.
# The app itself runs ``protect_arrays`` over every figure of a filter state at once.


def perturb_counts(frame: pd.DataFrame, counts: Sequence[tuple[str, str]] = COUNTS) -> pd.DataFrame:
    """Replace each count by its perturbed value and drop the key sums; positive never above n."""
    shown = protect_arrays(_arrays(frame, [name for pair in counts for name in pair] + [VIEW_KEY]), 0, counts)
    out = frame.drop(columns=[key for _, key in counts] + [VIEW_KEY])
    return out.assign(**{count: wholes(shown[count]) for count, _ in counts})


def protect(frame: pd.DataFrame, threshold: int, counts: Sequence[tuple[str, str]] = COUNTS) -> pd.DataFrame:
    """Perturb every count, then hide groups under the threshold (not yet blanked: see ``blank_hidden``)."""
    shown = protect_arrays(_arrays(frame, [name for pair in counts for name in pair] + [VIEW_KEY]), threshold, counts)
    out = frame.drop(columns=[key for _, key in counts] + [VIEW_KEY])
    return out.assign(
        **{count: wholes(shown[count]) for count, _ in counts},
        hidden=shown["hidden"],
        hidden_reason=pd.array(shown["hidden_reason"], dtype=object),
    )


def blank_hidden(frame: pd.DataFrame, keep: Sequence[str]) -> pd.DataFrame:
    """Blank every figure of hidden rows except the labels in ``keep`` and the reason.

    Numeric columns stay numeric (a blank is a missing value, shown as an empty cell),
    so tables sort as numbers and Arrow never has to turn them into text.
    """
    out = frame.copy()
    figures = [c for c in out.columns if c not in set(keep) | {"hidden", "hidden_reason"}]
    hidden = out["hidden"].to_numpy(dtype=bool)
    blank = bool(hidden.any())  # most frames hide nothing: then only the dtypes are settled
    for column in figures:
        values = out[column]
        if pd.api.types.is_bool_dtype(values) or values.dtype == object:
            values = values.astype(object)
            out[column] = values.where(~hidden, None) if blank else values
        elif pd.api.types.is_integer_dtype(values):
            values = values.astype("Int64")
            out[column] = values.mask(hidden) if blank else values
        elif blank:
            out[column] = values.mask(hidden)
    return out
