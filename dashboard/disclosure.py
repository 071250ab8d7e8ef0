"""Disclosure control for survey results (shared/DATA_CONTRACT.md, "Small numbers").

Pure pandas, applied to every breakdown before anything reaches a page,
chart, table or download:

- primary: a group with fewer than ``threshold`` respondents is hidden;
- complementary: where a breakdown's total is shown and exactly one group in
  it is hidden, the next smallest group is hidden too, so the hidden value
  cannot be recovered by subtracting the shown groups from the total.

``within`` names columns whose every value is itself a shown total (a care
group's figure is shown elsewhere, so service areas are protected inside
each care group as well as overall).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

HIDDEN_SMALL = "fewer than {threshold} responses"
HIDDEN_COMPLEMENTARY = "hidden so that a group of fewer than {threshold} cannot be worked out from the total"
HIDDEN_REST = "hidden because the rest of the Trust would be fewer than {threshold} responses"


def _complement(frame: pd.DataFrame, n_column: str, threshold: int) -> None:
    """Within one set of groups that add up to a shown total, hide the next smallest when one is hidden."""
    while True:
        hidden = frame["hidden"]
        if hidden.sum() != 1 or len(frame) < 2:
            return
        shown = frame.loc[~hidden].sort_values([n_column], kind="stable")
        victim = shown.index[0]
        frame.loc[victim, "hidden"] = True
        frame.loc[victim, "hidden_reason"] = HIDDEN_COMPLEMENTARY.format(threshold=threshold)


def suppress(
    groups: pd.DataFrame,
    threshold: int,
    n_column: str = "n",
    within: Sequence[str] = (),
) -> pd.DataFrame:
    """Return ``groups`` with ``hidden`` (bool) and ``hidden_reason`` (str or None) added.

    ``groups`` has one row per group of a breakdown whose total is shown; the
    caller must blank every hidden row's figures (``blank_hidden``) before showing it.
    """
    frame = groups.copy()
    frame["hidden"] = frame[n_column] < threshold
    frame["hidden_reason"] = None
    frame.loc[frame["hidden"], "hidden_reason"] = HIDDEN_SMALL.format(threshold=threshold)
    frame["hidden_reason"] = frame["hidden_reason"].astype(object)
    # Inner totals first (each care group), then the overall total; repeat until
    # no set of groups has exactly one hidden member.
    for _ in range(len(frame) + 1):
        before = int(frame["hidden"].sum())
        for column in within:
            for _, members in frame.groupby(column, sort=False, dropna=False):
                if len(members) < 2 or int(members["hidden"].sum()) != 1:
                    continue  # nothing for _complement to do: skip the copy and write-back
                part = members.copy()
                _complement(part, n_column, threshold)
                frame.loc[part.index, ["hidden", "hidden_reason"]] = part[["hidden", "hidden_reason"]]
        _complement(frame, n_column, threshold)
        if int(frame["hidden"].sum()) == before:
            break
    return frame


def blank_hidden(frame: pd.DataFrame, keep: Sequence[str]) -> pd.DataFrame:
    """Blank every column of hidden rows except the group labels in ``keep`` and the reason."""
    out = frame.copy()
    figures = [c for c in out.columns if c not in set(keep) | {"hidden", "hidden_reason"}]
    shown = ~out["hidden"].astype(bool)
    for column in figures:
        out[column] = out[column].astype(object).where(shown, None)
    return out
