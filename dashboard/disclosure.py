"""Disclosure control for survey results (docs/DISCLOSURE.md).

Applied to every survey figure before it reaches a page, chart, table,
sentence or download, by ``protect``:

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

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard import perturbation

HIDDEN_SMALL = "fewer than {threshold} responses"
WITHHELD = ("survey figures are withheld: this database holds real survey answers but was built without a "
            "perturbation key (see Data and definitions)")
# (count column, its key-sum column) as the survey queries return them, and the key sum
# of everyone in the row's view (every response its filters select, answered or not).
COUNTS = (("n", "n_key"), ("positive", "positive_key"))
VIEW_KEY = "view_key"


def perturb_counts(frame: pd.DataFrame, counts: Sequence[tuple[str, str]] = COUNTS) -> pd.DataFrame:
    """Replace each count by its perturbed value and drop the key sums; positive never above n.

    Each count's cell key is its own records' key sum plus twice its view's
    (``perturbation.in_view``): what one person changes, every count in the view shows.
    """
    shown = {count: perturbation.perturb(frame[count], perturbation.in_view(frame[key], frame[VIEW_KEY]))
             for count, key in counts}
    if "n" in shown and "positive" in shown:
        n, positive = shown["n"], shown["positive"]
        shown["positive"] = pd.arrays.IntegerArray(
            np.minimum(positive.to_numpy(dtype=np.int64, na_value=0), n.to_numpy(dtype=np.int64, na_value=0)),
            np.asarray(positive.isna() | n.isna(), dtype=bool))
    out = frame.drop(columns=[key for _, key in counts] + [VIEW_KEY])
    for count, values in shown.items():
        out[count] = values
    return out


def hide_small(frame: pd.DataFrame, threshold: int, n_column: str = "n") -> pd.DataFrame:
    """Add ``hidden`` and ``hidden_reason``: hidden when the (perturbed) n is under the threshold."""
    out = frame.copy()
    n = out[n_column]
    withheld = n.isna().to_numpy()
    small = ~withheld & (n.fillna(0).to_numpy() < threshold)
    out["hidden"] = withheld | small
    # A perturbed n of 0 is said the same way: a count of 1 or 2 can be perturbed to 0.
    reasons = [WITHHELD if w else HIDDEN_SMALL.format(threshold=threshold) if s else None
               for w, s in zip(withheld, small)]
    out["hidden_reason"] = pd.Series(reasons, index=out.index, dtype=object)
    return out


def protect(frame: pd.DataFrame, threshold: int, counts: Sequence[tuple[str, str]] = COUNTS) -> pd.DataFrame:
    """Perturb every count, then hide groups under the threshold (not yet blanked: see ``blank_hidden``)."""
    return hide_small(perturb_counts(frame, counts), threshold, n_column=counts[0][0])


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
