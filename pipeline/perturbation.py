"""Cell key perturbation: the noise added once to every count of the release.

The perturbation table of the ONS (Census 2021) and the ABS (TableBuilder). Every
released cell (a set of responses: ``pipeline.release``) has a cell key from 0 to 255,
chosen by a keyed hash of exactly which responses it holds. The table below maps
(true count, cell key) to a small whole number added to the count:

- bounded: never more than ``MAX_NOISE`` (3) either way;
- unbiased: for every true count the noise averages exactly zero over the 256
  cell keys (each noise value takes a whole number of the 256 keys);
- never negative, and zero stays zero (a count of 1 or 2 cannot go below 0);
- consistent: the same responses give the same cell key, so two cells holding the
  same people get the same noise, and a rebuild of the same data with the same key
  gives the same release; a different set of responses gets an unrelated cell key.

Pure numpy; no I/O; used by the build only (the app never perturbs: it reads the
release). docs/DISCLOSURE.md explains the choice of table.
"""

from __future__ import annotations

import numpy as np

KEYS = 256  # cell keys run 0..255
MAX_NOISE = 3
# Slots (of 256) per noise value -3..3 for a count of 3 or more: flat-topped and
# symmetric, variance 2.5. Chosen by attacking an earlier design with it (docs/DISCLOSURE.md, "The noise").
BASE_SLOTS: dict[int, int] = {-3: 16, -2: 32, -1: 48, 0: 64, 1: 48, 2: 32, 3: 16}
# A count of one is shown as zero half the time: zero stays zero, so a one that always
# showed as one or more would tell a released 0 from a released 1 (208 keys of 256 with the
# cut base row); now 128 of 256. The positive side balances the mean exactly: 48 + 2 x 16 + 3 x 16 = 128.
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


def perturb(counts: object, cell_keys: object) -> np.ndarray:
    """Perturbed counts: count + NOISE[min(count, 3), cell key], elementwise (int64)."""
    true = np.asarray(counts, dtype=np.int64)
    keys = np.asarray(cell_keys, dtype=np.int64) % KEYS
    return true + NOISE[np.minimum(true, MAX_NOISE), keys]


def rows() -> list[tuple[int, int, int]]:
    """The table as (row, cell key, noise) rows: what the build joins its cells to."""
    return [(row, key, int(NOISE[row, key])) for row in range(MAX_NOISE + 1) for key in range(KEYS)]
