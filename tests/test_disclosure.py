"""Disclosure control, case by case: every count perturbed, small groups hidden by their perturbed n.

Each case picks key sums from the published perturbation table so that a count
gets the noise the case needs (a true 12 shown as 9, a true 8 shown as 10, ...);
the expected figures are the true count plus that noise (``tests.oracle.perturbed_count``),
never read back from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import disclosure
from dashboard.perturbation import KEYS, MAX_NOISE, NOISE
from tests.oracle import perturbed_count

SMALL = disclosure.HIDDEN_SMALL.format(threshold=10)
VIEW = 1_000  # the view's key sum used in most cases (any number would do)


def own_key(count: int, noise: int, view: int = VIEW) -> int:
    """An own key sum that gives ``count`` the ``noise`` within a view whose key sum is ``view``."""
    wanted = np.flatnonzero(NOISE[min(count, MAX_NOISE)] == noise)
    assert len(wanted), f"no key gives {noise:+} to {count}"
    return int((wanted[0] - 2 * view) % KEYS) + 3 * KEYS  # a key sum above 255: only its residue counts


def group(label: str, n: int, n_noise: int, positive: int, positive_noise: int, view: int = VIEW) -> dict[str, object]:
    return {
        "group": label,
        "n": n,
        "n_key": own_key(n, n_noise, view),
        "positive": positive,
        "positive_key": own_key(positive, positive_noise, view) if positive else None,
        "view_key": view,
    }


def frame_of(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=["group", "n", "n_key", "positive", "positive_key", "view_key"])
    for column in ("n", "n_key", "positive", "positive_key", "view_key"):
        frame[column] = frame[column].astype("Int64")
    return frame


def by_group(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    return {
        row["group"]: {c: (None if pd.isna(v) else v) for c, v in row.items() if c != "group"}
        for _, row in frame.iterrows()
    }


# --- Perturbing ---------------------------------------------------------------------------------------


def test_every_count_is_perturbed_by_its_own_and_its_views_keys() -> None:
    frame = frame_of(
        {"group": "a", "n": 250, "n_key": 31_000, "positive": 120, "positive_key": 15_500, "view_key": 40_000},
        {"group": "b", "n": 2, "n_key": 300, "positive": 1, "positive_key": 77, "view_key": 311},
        {"group": "c", "n": 40, "n_key": 5_000, "positive": 0, "positive_key": None, "view_key": 6_000},
    )
    out = disclosure.perturb_counts(frame)
    assert list(out.columns) == ["group", "n", "positive"]  # the key sums never go further
    assert out["n"].dtype == "Int64" and out["positive"].dtype == "Int64"
    for (_, before), (_, after) in zip(frame.iterrows(), out.iterrows()):
        n = perturbed_count(before["n"], before["n_key"], before["view_key"])
        positive = perturbed_count(before["positive"], before["positive_key"], before["view_key"])
        assert after["group"] == before["group"]
        assert after["n"] == n and after["positive"] == min(positive, n)
        assert abs(after["n"] - before["n"]) <= MAX_NOISE


def test_the_views_key_sum_counts_too() -> None:
    """The same records within another view (one person more or less: another view key sum)
    can get other noise: the cell key is the own key sum plus twice the view's."""
    own = own_key(50, 0)
    other = next(VIEW + d for d in range(1, KEYS) if NOISE[MAX_NOISE, (own + 2 * (VIEW + d)) % KEYS] != 0)

    def shown(view: int) -> int:
        row = {"group": "a", "n": 50, "n_key": own, "positive": 0, "positive_key": None, "view_key": view}
        return int(disclosure.perturb_counts(frame_of(row))["n"][0])

    assert shown(VIEW) == 50
    assert shown(other) == perturbed_count(50, own, other) != 50


@pytest.mark.parametrize(
    ("n", "n_noise", "positive", "positive_noise", "expected"),
    [
        pytest.param(11, -2, 10, 2, (9, 9), id="positive pushed above n: clamped to n"),
        pytest.param(30, 3, 30, 1, (33, 31), id="all positive, different noise: each its own"),
        pytest.param(30, -1, 12, 3, (29, 15), id="well below n: left alone"),
    ],
)
def test_positive_never_above_n(
    n: int, n_noise: int, positive: int, positive_noise: int, expected: tuple[int, int]
) -> None:
    out = disclosure.perturb_counts(frame_of(group("a", n, n_noise, positive, positive_noise)))
    assert (out["n"][0], out["positive"][0]) == expected


def test_nobody_positive_is_zero_not_withheld() -> None:
    """No positive answer: the query has no key sum for it; the count is 0, the row shown."""
    out = disclosure.protect(frame_of(group("a", 40, 1, 0, 0)), 10)
    assert out["positive"][0] == 0 and out["n"][0] == 41
    assert not out["hidden"][0] and pd.isna(out["hidden_reason"][0])


def test_input_left_alone() -> None:
    before = frame_of(group("a", 50, 2, 20, -1), group("b", 3, 1, 1, 0))
    copy = before.copy(deep=True)
    disclosure.protect(before, 10)
    pd.testing.assert_frame_equal(before, copy)


def test_empty_frame() -> None:
    out = disclosure.protect(frame_of(), 10)
    assert out.empty
    assert {"group", "n", "positive", "hidden", "hidden_reason"} <= set(out.columns)
    assert not {"n_key", "positive_key", "view_key"} & set(out.columns)


# --- Hiding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "noise", "hidden"),
    [
        pytest.param(12, -3, True, id="true 12 shown as 9: hidden"),
        pytest.param(8, 2, False, id="true 8 shown as 10: the threshold itself is shown"),
        pytest.param(10, 0, False, id="true 10 shown as 10"),
        pytest.param(10, -1, True, id="true 10 shown as 9: hidden"),
        pytest.param(13, 3, False, id="true 13 shown as 16"),
        pytest.param(1, -1, True, id="true 1 shown as 0: hidden, said the same way"),
        pytest.param(0, 0, True, id="nobody"),
    ],
)
def test_hidden_by_the_perturbed_n(n: int, noise: int, hidden: bool) -> None:
    out = disclosure.protect(frame_of(group("a", n, noise, n // 2, 0), group("big", 400, 1, 200, 0)), 10)
    row = by_group(out)["a"]
    assert row["n"] == n + noise
    assert bool(row["hidden"]) == hidden
    assert row["hidden_reason"] == (SMALL if hidden else None)
    assert not by_group(out)["big"]["hidden"]


def test_threshold_is_a_setting() -> None:
    out = disclosure.protect(
        frame_of(group("a", 50, 0, 10, 0), group("b", 20, 0, 10, 0), group("c", 19, 0, 10, 0)), threshold=20
    )
    assert list(out["hidden"]) == [False, False, True]
    assert list(out["hidden_reason"].fillna("")) == ["", "", disclosure.HIDDEN_SMALL.format(threshold=20)]


def test_other_count_column() -> None:
    frame = pd.DataFrame(
        {
            "group": ["a", "b"],
            "respondents": [50, 12],
            "respondents_key": [own_key(50, 0), own_key(12, -3)],
            "view_key": [VIEW, VIEW],
        }
    )
    out = disclosure.protect(frame, 10, counts=(("respondents", "respondents_key"),))
    assert list(out["respondents"]) == [50, 9]
    assert list(out["hidden"]) == [False, True]
    assert list(out.columns) == ["group", "respondents", "hidden", "hidden_reason"]


def test_no_key_sums_withholds_every_figure() -> None:
    """A database built without a key: no key sums at all. Nothing is shown, whatever its size."""
    frame = frame_of(
        {"group": "big", "n": 900, "n_key": None, "positive": 400, "positive_key": None, "view_key": None},
        {"group": "small", "n": 4, "n_key": None, "positive": 1, "positive_key": None, "view_key": None},
        {"group": "none positive", "n": 30, "n_key": None, "positive": 0, "positive_key": None, "view_key": None},
    )
    out = disclosure.protect(frame, 10)
    assert out["hidden"].all()
    assert list(out["hidden_reason"]) == [disclosure.WITHHELD] * 3
    assert out["n"].isna().all() and out["positive"].isna().all()


def test_hide_small_alone() -> None:
    hidden, reasons = disclosure.hide_small(np.array([10, 9, np.nan, 0]), 10)
    assert list(hidden) == [False, True, True, True]
    assert list(reasons) == [None, SMALL, disclosure.WITHHELD, SMALL]


# --- Consistency: the same group, the same figure, wherever it is shown -------------------------------


def test_a_group_is_the_same_in_every_frame() -> None:
    """A group a breakdown hides is hidden too when a filter shows it on its own: the same
    records and view give the same perturbed counts, beside any neighbours, at any position."""
    target = group("target", 11, -2, 5, 1, view=777)
    neighbours = [group("x", 300, 3, 100, -3), group("y", 9, 1, 2, 0, view=5), group("z", 60, -1, 59, 2, view=123)]
    alone = by_group(disclosure.protect(frame_of(target), 10))["target"]
    first = by_group(disclosure.protect(frame_of(target, *neighbours), 10))["target"]
    last = by_group(disclosure.protect(frame_of(*neighbours[::-1], target), 10))["target"]
    assert alone == first == last
    assert alone["n"] == 9 and alone["hidden"] and alone["hidden_reason"] == SMALL


def test_same_input_same_output() -> None:
    def make() -> pd.DataFrame:
        return frame_of(group("a", 50, 2, 20, -1), group("b", 9, 1, 4, 0), group("c", 3, 0, 3, -3))

    first = disclosure.blank_hidden(disclosure.protect(make(), 10), keep=["group"])
    second = disclosure.blank_hidden(disclosure.protect(make(), 10), keep=["group"])
    pd.testing.assert_frame_equal(first, second)
    assert list(first["n"].astype("Float64").fillna(-1)) == [52, 10, -1]  # c (3) hidden and blanked


# --- Blanking -----------------------------------------------------------------------------------------


def test_blank_hidden_keeps_labels_reasons_and_numeric_dtypes() -> None:
    out = disclosure.protect(
        frame_of(group("a", 50, 0, 25, 0), group("b", 30, 0, 15, 0), group("c", 12, -3, 6, 0), group("d", 9, 0, 4, 0)),
        10,
    )
    out["share"] = out["positive"].astype(float) / out["n"].astype(float)
    out["percent"] = pd.array([50, 50, 67, 44], dtype="Int64")
    out["low"] = pd.array([0.4, 0.3, 0.2, 0.1], dtype="Float64")
    out["rank"] = np.array([1, 2, 3, 4], dtype="int64")
    out["flag"] = [True, False, True, False]
    out["note"] = ["x", "y", "z", "w"]
    blank = disclosure.blank_hidden(out, keep=["group", "note"])
    # Numbers stay numbers: missing values, not text, so tables sort as numbers and Arrow never converts them.
    assert blank["n"].dtype == "Int64" and blank["positive"].dtype == "Int64" and blank["percent"].dtype == "Int64"
    assert blank["rank"].dtype == "Int64"
    assert blank["share"].dtype == "float64" and blank["low"].dtype == "Float64"
    hidden = blank[blank["hidden"]]
    assert list(hidden["group"]) == ["c", "d"] and list(hidden["note"]) == ["z", "w"]
    assert hidden[["n", "positive", "share", "percent", "low", "rank", "flag"]].isna().all().all()
    assert list(hidden["hidden_reason"]) == [SMALL, SMALL]
    shown = blank[~blank["hidden"]]
    assert list(shown["n"]) == [50, 30] and list(shown["positive"]) == [25, 15]
    assert list(shown["share"]) == [0.5, 0.5] and list(shown["percent"]) == [50, 50]
    assert list(shown["rank"]) == [1, 2] and list(shown["flag"]) == [True, False]
    assert shown["hidden_reason"].isna().all()


def test_blank_hidden_with_nothing_hidden_changes_no_figure() -> None:
    out = disclosure.protect(frame_of(group("a", 50, 1, 25, 0), group("b", 30, -1, 15, 2)), 10)
    blank = disclosure.blank_hidden(out, keep=["group"])
    assert list(blank["n"]) == [51, 29] and list(blank["positive"]) == [25, 17]
    assert not blank["hidden"].any()
