"""Cell key perturbation: the noise added to every survey count before it is shown.

The method of the ONS (Census 2021) and the ABS (TableBuilder). Every response
has a record key from 0 to 255 (``pipeline.cells``); a cell (any set of
responses that a figure counts) has a cell key, the sum of its records' keys
modulo 256. The perturbation table below maps (cell key, true count) to a small
whole number added to the count:

- bounded: never more than ``MAX_NOISE`` (3) either way;
- unbiased: for every true count the noise averages exactly zero over the 256
  cell keys (each noise value takes a whole number of the 256 keys);
- never negative, and zero stays zero (a count of 1 or 2 cannot go below 0);
- consistent: the same responses give the same cell key, so the same figure on
  every page, in every download and after a rebuild of the same data; a
  different set of responses gets an unrelated cell key, so the difference
  between two views is blurred by noise and no longer pins one person's answer.

Pure numpy; no I/O. docs/DISCLOSURE.md explains the choice of table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = 256  # cell keys run 0..255 (pipeline.cells.RECORD_KEYS)
MAX_NOISE = 3
# Slots (of 256) per noise value -3..3 for a count of 3 or more: flat-topped and
# symmetric, variance 2.5. Chosen with the differencing harness (tests/test_differencing.py).
BASE_SLOTS: dict[int, int] = {-3: 16, -2: 32, -1: 48, 0: 64, 1: 48, 2: 32, 3: 16}
# A count of one is shown as zero half the time. Zero stays zero, so where nobody else in
# a view gave an answer, a person joining the view could otherwise be seen giving it
# whenever their count of one shows as one or more (208 keys of 256 with the cut base row);
# now 128 of 256. The positive side balances the mean exactly: 48 + 2 x 16 + 3 x 16 = 128.
ONE: dict[int, int] = {-1: 128, 0: 48, 1: 48, 2: 16, 3: 16}


def _row(count: int) -> dict[int, int]:
    """Slots per noise value for a true count: the base row, cut so the result is never
    negative, with the positive side scaled down to keep the mean exactly zero."""
    if count == 0:
        return {0: KEYS}
    if count == 1:
        return dict(ONE)
    slots = {v: s for v, s in BASE_SLOTS.items() if v >= -count}
    if count >= MAX_NOISE:
        return slots
    owed = sum(-v * s for v, s in slots.items() if v < 0)  # what the positive side must balance
    weight = sum(v * s for v, s in BASE_SLOTS.items() if v > 0)
    for v in range(1, MAX_NOISE + 1):
        slots[v] = round(BASE_SLOTS[v] * owed / weight)
    slots[1] += owed - sum(v * slots[v] for v in range(1, MAX_NOISE + 1))  # make the mean exactly zero
    slots[0] = KEYS - sum(s for v, s in slots.items() if v != 0)
    return slots


def _table() -> np.ndarray:
    """NOISE[row, cell_key]: row = min(true count, MAX_NOISE); keys take noise values in order."""
    rows = []
    for count in range(MAX_NOISE + 1):
        slots = _row(count)
        rows.append(np.repeat(np.array(sorted(slots)), [slots[v] for v in sorted(slots)]))
    table = np.vstack(rows)
    table.setflags(write=False)
    return table


NOISE = _table()


def cell_key(key_sums: object) -> np.ndarray:
    """A cell's key from the sum of its records' keys."""
    return np.asarray(key_sums, dtype=np.int64) % KEYS


def in_view(own_key_sums: object, view_key_sums: object) -> pd.arrays.IntegerArray:
    """The key sum of a count shown within a view: its own records' keys plus twice the view's.

    The view is every response the figure's filters select, answered or not. Were a
    count perturbed by its own records alone, a count that one person did not enter
    (the other answers, the positive count when they answered no) would stay exactly
    the same when they join the view, and what changed would tell their answer. With
    the view's keys in it, every count's noise changes when anyone joins or leaves.
    Twice, not once: a count of everyone in the view (own = view) then has key
    3 x view, and 3 is odd, so its keys still cover 0..255 evenly.
    """
    own, _ = _whole(own_key_sums)  # an empty count has no keys of its own: 0
    view, no_view = _whole(view_key_sums)
    return pd.arrays.IntegerArray(own + 2 * view, no_view)


def _whole(values: object) -> tuple[np.ndarray, np.ndarray]:
    """(values as int64 by position, missing ones as 0; which were missing). Plain numpy: this
    runs for every figure on every rerun, where a pandas round trip per call added up."""
    array = (
        values
        if isinstance(values, pd.arrays.IntegerArray)
        else pd.array(values.to_numpy() if isinstance(values, pd.Series) else values, dtype="Int64")
    )
    return array.to_numpy(dtype=np.int64, na_value=0), np.asarray(array.isna(), dtype=bool)


def perturb(counts: object, key_sums: object) -> pd.array:
    """Perturbed counts: count + NOISE[min(count, 3), key_sum mod 256].

    A missing key sum (a database built without a key) gives a missing count:
    the figure is withheld, never shown unperturbed.
    """
    true, _ = _whole(counts)
    keys, no_key = _whole(key_sums)
    noise = NOISE[np.minimum(true, MAX_NOISE), cell_key(keys)]
    return pd.arrays.IntegerArray(true + noise, no_key & (true > 0))
