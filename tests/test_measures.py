"""The headline survey measures: one definition, perturbed counts, and the threshold on the perturbed n.

Expected figures are the oracle's (tests/oracle.py): perturbed counts worked out
in pandas from the demo extracts, never by the code under test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from dashboard import db, measures
from dashboard.filters import Filters
from tests.conftest import opened_database
from tests.oracle import (
    MEASURES,
    PUBLISHED,
    PUBLISHED_WAVE,
    THRESHOLD,
    expected_headline,
    percent_half_up,
    read_responses,
    small_area,
    true_headline,
)

FIGURES = ["n", "positive", "share", "percent", "low", "high"]


@pytest.fixture(scope="module")
def database(demo_db) -> Iterator[db.Database]:
    yield from opened_database(demo_db)


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_responses()


def test_no_filters_gives_the_published_figures(database, responses):
    published = Filters(wave=PUBLISHED_WAVE)
    headline = measures.survey_headline(database, published, THRESHOLD)
    assert headline.loc[list(MEASURES), "percent"].to_dict() == PUBLISHED
    assert not headline.loc[list(MEASURES), "hidden"].any()
    for measure in MEASURES:
        row = headline.loc[measure]
        assert (row["n"], row["positive"], row["percent"]) == expected_headline(responses, measure, published)


# Without a wave, the latest; the months are the published (2021) wave's.
CASES = [
    Filters(care_groups=("Adult mental health",)),
    Filters(surveys=("Carer",)),
    Filters(surveys=("Staff", "Service user", "Carer"), wave=PUBLISHED_WAVE),
    Filters(staff_groups=("Medical",), date_from=dt.date(2021, 4, 1), wave=PUBLISHED_WAVE),
    Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 2, 28), wave=PUBLISHED_WAVE),
    Filters(care_groups=("Corporate services",), surveys=("Digital champion",)),
    Filters(service_areas=("District nursing (Eastern locality)",), date_to=dt.date(2021, 3, 31), wave=PUBLISHED_WAVE),
]


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.describe())
def test_survey_headline_matches_the_oracle(database, responses, filters: Filters):
    headline = measures.survey_headline(database, filters, THRESHOLD)
    assert list(headline.index) == list(measures.survey_measures(database))  # every question of the bank
    assert set(MEASURES) <= set(headline.index)
    for measure in MEASURES:
        row = headline.loc[measure]
        n, positive, percent = expected_headline(responses, measure, filters)
        assert bool(row["hidden"]) == (n < THRESHOLD), measure
        if row["hidden"]:
            assert row["hidden_reason"] == f"fewer than {THRESHOLD} responses"
            assert row[FIGURES].isna().all()
        else:
            assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent), measure
            assert row["share"] == pytest.approx(positive / n)
            assert row["low"] <= positive / n <= row["high"]


def test_the_cases_cover_hidden_and_shown(responses):
    sizes = [expected_headline(responses, m, f)[0] for m in MEASURES for f in CASES]
    assert min(sizes) < THRESHOLD <= max(sizes)


def test_the_perturbed_n_decides_what_is_hidden_not_the_true_n(database, responses):
    """With a threshold between a group's true n and its perturbed n, the perturbed n decides."""
    areas = sorted(set(responses["service_area"]) - {"Not stated"})
    candidates = [Filters(service_areas=(a,)) for a in areas] + [
        Filters(care_groups=(g,)) for g in sorted(set(responses["care_group"]) - {"Not stated"})
    ]
    found = 0
    for filters in candidates:
        n, _, _ = expected_headline(responses, "it_skills", filters)
        true_n, _ = true_headline(responses, "it_skills", filters)
        if n == true_n or min(n, true_n) == 0:
            continue
        threshold = max(n, true_n)  # the true n is on one side of it, the perturbed n on the other
        row = measures.survey_headline(database, filters, threshold).loc["it_skills"]
        if n < true_n:
            assert row["hidden"] and row["hidden_reason"] == f"fewer than {threshold} responses"
            assert pd.isna(row["n"]) and pd.isna(row["percent"])
        else:
            assert not row["hidden"] and row["n"] == n
        found += 1
        if found >= 6:
            break
    assert found >= 6


def test_hidden_figures_are_blank_and_numbers_stay_numbers(database, responses):
    area = small_area(responses, "it_skills")
    headline = measures.survey_headline(database, Filters(service_areas=(area,)), THRESHOLD)
    assert headline.loc["it_skills", "hidden"]
    assert headline.loc["it_skills", FIGURES].isna().all()
    for column in ("n", "positive", "percent"):
        assert pd.api.types.is_integer_dtype(headline[column]), column
    for column in ("share", "low", "high"):
        assert pd.api.types.is_float_dtype(headline[column]), column


def test_intervals_and_percentages_come_from_the_counts_given():
    frame = pd.DataFrame(
        {"n": pd.array([20, 8, 0, None], dtype="Int64"), "positive": pd.array([7, 1, 0, None], dtype="Int64")}
    )
    n, positive = (frame[c].to_numpy(dtype=float, na_value=float("nan")) for c in ("n", "positive"))
    out = pd.DataFrame(measures.intervals(n, positive)).astype({"percent": "Int64"})
    assert list(out["percent"][:2]) == [percent_half_up(7, 20), percent_half_up(1, 8)] == [35, 13]  # half up
    assert out["percent"][2:].isna().all() and out[["share", "low", "high"]].iloc[2:].isna().all().all()
    assert out["share"][0] == pytest.approx(0.35)
    for i in (0, 1):
        assert 0 <= out["low"][i] < out["share"][i] < out["high"][i] <= 1
