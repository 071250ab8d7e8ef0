"""Disclosure control as the app sees it: it reads the release, never responses (docs/DISCLOSURE.md).

Every survey figure is a released cell or a sum of released cells (``dashboard.core.release``,
``dashboard.core.figures``): the counts were perturbed once and the release audited when the
database was built (``pipeline/release.py``, ``pipeline/audit.py``). A figure none of whose
parts is released is hidden, with one reason whatever the cause (``HIDDEN``), so a hidden
group looks the same whether it holds nobody or a few. This module holds the words and the
small helpers every page shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.core.release import HIDDEN, WITHHELD

__all__ = ["HIDDEN", "WITHHELD", "left_out_text", "wholes"]


def wholes(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers held as float64 (nan when missing or blank) as a nullable integer array."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def left_out_text(left_out: Sequence[str]) -> str:
    """'' or e.g. 'Left out (too few responses to show safely): Ward A; Nursing.'"""
    if not left_out:
        return ""
    return f"Left out ({HIDDEN}): {'; '.join(left_out)}."
