"""Disclosure control, case by case: primary, complementary, within a care group, nothing leaks."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import disclosure

SMALL = disclosure.HIDDEN_SMALL.format(threshold=10)
COMPLEMENT = disclosure.HIDDEN_COMPLEMENTARY.format(threshold=10)


def groups(**sizes: int) -> pd.DataFrame:
    return pd.DataFrame({"group": list(sizes), "n": list(sizes.values()), "positive": [n // 2 for n in sizes.values()]})


def areas(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["care_group", "service_area", "n"])


def reasons(frame: pd.DataFrame, label: str = "group") -> dict[str, str | None]:
    return dict(zip(frame[label], frame["hidden_reason"]))


def assert_no_single_hidden(frame: pd.DataFrame, within: tuple[str, ...] = ()) -> None:
    """No set of groups adding up to a shown total has exactly one hidden member."""
    assert frame["hidden"].sum() != 1
    for column in within:
        for _, members in frame.groupby(column):
            assert members["hidden"].sum() != 1 or len(members) == 1


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        pytest.param(dict(a=50, b=30, c=10), dict(a=None, b=None, c=None), id="nothing small"),
        pytest.param(dict(a=50, b=30, c=12, d=9), dict(a=None, b=None, c=COMPLEMENT, d=SMALL),
                     id="one small: next smallest hidden too"),
        pytest.param(dict(a=50, b=30, c=3, d=9), dict(a=None, b=None, c=SMALL, d=SMALL), id="two small: no complement"),
        pytest.param(dict(a=5, b=3), dict(a=SMALL, b=SMALL), id="all small"),
        pytest.param(dict(a=10, b=9, c=40), dict(a=COMPLEMENT, b=SMALL, c=None), id="threshold itself is shown"),
        pytest.param(dict(a=0, b=40, c=40), dict(a=SMALL, b=COMPLEMENT, c=None), id="zero is small; ties by order"),
        pytest.param(dict(a=100, b=1), dict(a=COMPLEMENT, b=SMALL), id="two groups: both hidden"),
        pytest.param(dict(a=100), dict(a=None), id="one group is the total itself"),
        pytest.param(dict(a=4), dict(a=SMALL), id="one small group alone"),
    ],
)
def test_primary_and_complementary(sizes: dict[str, int], expected: dict[str, str | None]) -> None:
    frame = disclosure.suppress(groups(**sizes), threshold=10)
    assert reasons(frame) == expected
    assert list(frame["hidden"]) == [reason is not None for reason in expected.values()]
    if len(sizes) > 1:
        assert_no_single_hidden(frame)


def test_threshold_is_a_setting() -> None:
    frame = disclosure.suppress(groups(a=50, b=20, c=19, d=18), threshold=20)
    assert list(frame["hidden"]) == [False, False, True, True]
    assert frame.loc[2, "hidden_reason"] == disclosure.HIDDEN_SMALL.format(threshold=20)


def test_other_n_column() -> None:
    frame = disclosure.suppress(groups(a=50, b=30, c=3).rename(columns={"n": "respondents"}), 10, n_column="respondents")
    assert list(frame["hidden"]) == [False, True, True]


def test_input_left_alone() -> None:
    before = groups(a=50, b=3, c=30)
    copy = before.copy()
    disclosure.suppress(before, 10)
    pd.testing.assert_frame_equal(before, copy)


def test_within_care_group_hides_next_smallest_in_the_same_care_group() -> None:
    frame = disclosure.suppress(
        areas([("A", "a1", 3), ("A", "a2", 40), ("A", "a3", 25), ("B", "b1", 11), ("B", "b2", 60)]),
        threshold=10, within=("care_group",),
    )
    # b1 (11) is the smallest shown overall, but a1 can only be worked out from A's total: a3 goes.
    assert reasons(frame, "service_area") == {"a1": SMALL, "a2": None, "a3": COMPLEMENT, "b1": None, "b2": None}
    assert_no_single_hidden(frame, within=("care_group",))


def test_within_cascades_to_other_care_groups() -> None:
    # b1 is small and alone in B; the overall total then needs a second hidden
    # area (a1), which leaves one hidden in A, so A's next smallest goes too.
    frame = disclosure.suppress(
        areas([("A", "a1", 50), ("A", "a2", 60), ("A", "a3", 70), ("B", "b1", 5)]), threshold=10, within=("care_group",)
    )
    assert reasons(frame, "service_area") == {"a1": COMPLEMENT, "a2": COMPLEMENT, "a3": None, "b1": SMALL}
    assert_no_single_hidden(frame, within=("care_group",))


def test_within_two_small_in_one_care_group() -> None:
    frame = disclosure.suppress(
        areas([("A", "a1", 3), ("A", "a2", 4), ("A", "a3", 25), ("B", "b1", 11), ("B", "b2", 60)]),
        threshold=10, within=("care_group",),
    )
    assert list(frame["hidden"]) == [True, True, False, False, False]


def test_blank_hidden_blanks_figures_keeps_labels_and_reason() -> None:
    frame = disclosure.suppress(groups(a=50, b=30, c=12, d=9), threshold=10)
    frame["share"] = frame["positive"] / frame["n"]
    blank = disclosure.blank_hidden(frame, keep=["group"])
    hidden = blank[blank["hidden"]]
    assert list(hidden["group"]) == ["c", "d"]
    assert hidden[["n", "positive", "share"]].isna().all().all()
    assert list(hidden["hidden_reason"]) == [COMPLEMENT, SMALL]
    shown = blank[~blank["hidden"]]
    assert list(shown["n"]) == [50, 30] and list(shown["positive"]) == [25, 15]
    assert shown["hidden_reason"].isna().all()


@pytest.mark.parametrize(
    "sizes",
    [[1, 2, 3, 50], [9, 10, 11], [9, 100, 100, 100], [5, 5], [9, 12, 12, 300], [0, 1, 20, 20, 20]],
)
def test_nothing_leaks_by_subtraction(sizes: list[int]) -> None:
    """Shown groups and the total never pin down a hidden group's n."""
    frame = disclosure.suppress(groups(**{f"g{i}": n for i, n in enumerate(sizes)}), threshold=10)
    blank = disclosure.blank_hidden(frame, keep=["group"])
    total = sum(sizes)
    hidden = blank[blank["hidden"]]
    shown_n = blank.loc[~blank["hidden"], "n"].sum()
    assert (blank.loc[~blank["hidden"], "n"] >= 10).all()
    assert len(hidden) != 1
    if len(hidden):
        # What is left after subtraction is shared by two or more hidden groups.
        assert total - shown_n == sum(n for n, h in zip(sizes, frame["hidden"]) if h)
        assert hidden["n"].isna().all()
