"""The headline survey measures: one definition, sums of released cells, hidden where the release says.

Expected figures are the oracle's (tests/oracle.py): released counts worked out in pandas
from the demo extracts and the key, summed over the parts the build released (read from the
file), never by the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from dashboard.core import db, disclosure, measures
from dashboard.core.filters import Filters
from tests.conftest import opened_database
from tests.oracle import (
    MEASURES,
    PUBLISHED,
    PUBLISHED_WAVE,
    THRESHOLD,
    Released,
    counted,
    expected_headline,
    group_figures,
    members,
    percent_half_up,
    structure,
    wave_of,
)

FIGURES = ["n", "positive", "share", "percent", "low", "high"]


@pytest.fixture(scope="module")
def database(demo_db) -> Iterator[db.Database]:
    yield from opened_database(demo_db)


def area_part(wave: str, care_group: str, area: str) -> tuple:
    return (wave, "answers", care_group, area, None, None, None)


def small_area(responses: pd.DataFrame, release: Released, measure: str, wave: str) -> tuple[str, str]:
    """(care group, service area) of an area some of whose people answered ``measure`` in ``wave``,
    too few for its whole-wave group to be released for it."""
    for care_group, areas in structure().items():
        for area in areas:
            part = area_part(wave, care_group, area)
            if not release.shows(part, measure) and 0 < len(counted(members(responses, part), measure)) < THRESHOLD:
                return care_group, area
    raise AssertionError("the demo has no small area")


def test_no_filters_gives_the_published_figures(database, responses, release):
    published = Filters(wave=PUBLISHED_WAVE)
    headline = measures.survey_headline(database, published)
    assert headline.loc[list(MEASURES), "percent"].to_dict() == PUBLISHED
    assert not headline.loc[list(MEASURES), "hidden"].any()
    for measure in MEASURES:
        row = headline.loc[measure]
        assert (row["n"], row["positive"], row["percent"]) == expected_headline(responses, measure, published, release)
        assert row["left_out"] == ()


# Without a wave, the latest; the months are the published (2021) wave's.
CASES = [
    Filters(care_groups=("Adult mental health",)),
    Filters(surveys=("Carer",)),
    Filters(surveys=("Staff", "Service user", "Carer"), wave=PUBLISHED_WAVE),
    Filters(staff_groups=("Medical",), date_from=dt.date(2021, 4, 1), wave=PUBLISHED_WAVE),
    Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 2, 28), wave=PUBLISHED_WAVE),
    Filters(care_groups=("Corporate services",), surveys=("Digital champion",)),
    Filters(service_areas=("District nursing (Eastern locality)",), date_to=dt.date(2021, 3, 31), wave=PUBLISHED_WAVE),
    Filters(service_areas=("Podiatry", "Tissue viability", "Continence service")),
]


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.describe())
def test_survey_headline_matches_the_oracle(database, responses, release, filters: Filters):
    headline = measures.survey_headline(database, filters)
    assert list(headline.index) == list(measures.survey_measures(database))  # every question of the bank
    assert set(MEASURES) <= set(headline.index)
    for measure in MEASURES:
        row = headline.loc[measure]
        n, positive, percent = expected_headline(responses, measure, filters, release)
        assert bool(row["hidden"]) == (n is None), measure
        if row["hidden"]:
            assert row["hidden_reason"] == disclosure.HIDDEN
            assert row[FIGURES].isna().all()
        else:
            assert pd.isna(row["hidden_reason"])
            assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent), measure
            assert row["share"] == pytest.approx(positive / n)
            assert row["low"] <= positive / n <= row["high"]


def test_the_cases_cover_hidden_and_shown(responses, release):
    sizes = [expected_headline(responses, m, f, release)[0] for m in MEASURES for f in CASES]
    assert None in sizes and any(n is not None for n in sizes)


@pytest.mark.parametrize("filters", [f for f in CASES if f.months_chosen], ids=lambda f: f.describe())
def test_months_do_not_change_the_headline(database, filters: Filters):
    """Survey figures are whole-wave: the same filters without their months give the same headline."""
    whole_wave = dataclasses.replace(filters, date_from=None, date_to=None)
    pd.testing.assert_frame_equal(
        measures.survey_headline(database, filters), measures.survey_headline(database, whole_wave)
    )


def test_the_release_decides_what_is_hidden_not_the_shown_n(database, responses, release):
    """Whether a service area is shown is the build's decision (its audit on true counts), read from
    the release: a released area is shown even when its perturbed n falls under the threshold, and
    an area the audit suppressed to protect another group is hidden though it has enough answers."""
    wave = PUBLISHED_WAVE
    shown_under, suppressed_over = 0, 0
    for measure in MEASURES:
        for care_group, areas in structure().items():
            for area in areas:
                part = area_part(wave, care_group, area)
                row = measures.survey_headline(database, Filters(service_areas=(area,), wave=wave)).loc[measure]
                assert bool(row["hidden"]) == (not release.shows(part, measure)), (area, measure)
                true_base = len(counted(members(responses, part), measure))
                if not row["hidden"]:
                    assert (row["n"], row["positive"]) == group_figures(members(responses, part), measure)
                    shown_under += row["n"] < THRESHOLD
                else:
                    suppressed_over += true_base >= THRESHOLD
    assert shown_under > 0
    assert suppressed_over > 0


def test_a_selection_leaves_out_and_names_the_parts_not_released(database, responses, release):
    """Several units, one too small to release: the headline sums the others and names the one left
    out; when every part is released nothing is named."""
    wave = wave_of(responses, Filters())
    care_group, small = small_area(responses, release, "it_skills", wave)
    big = [a for a in structure()[care_group] if release.shows(area_part(wave, care_group, a), "it_skills")][:2]
    assert len(big) == 2
    filters = Filters(service_areas=(small, *big))
    row = measures.survey_headline(database, filters).loc["it_skills"]
    assert not row["hidden"]
    assert row["left_out"] == (small,)
    n, positive = (
        sum(values)
        for values in zip(
            *(group_figures(members(responses, area_part(wave, care_group, a)), "it_skills") for a in big)
        )
    )
    assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent_half_up(positive, n))
    assert (row["n"], row["positive"]) == expected_headline(responses, "it_skills", filters, release)[:2]
    whole = measures.survey_headline(database, Filters(service_areas=tuple(big))).loc["it_skills"]
    assert whole["left_out"] == ()
    assert (whole["n"], whole["positive"]) == (n, positive)


def test_a_hidden_selection_names_nothing_left_out(database, responses, release):
    """A selection none of whose parts is released is hidden as a whole: no part is named."""
    wave = wave_of(responses, Filters())
    _, small = small_area(responses, release, "it_skills", wave)
    row = measures.survey_headline(database, Filters(service_areas=(small,))).loc["it_skills"]
    assert row["hidden"] and row["left_out"] == ()


def test_hidden_figures_are_blank_and_numbers_stay_numbers(database, responses, release):
    _, area = small_area(responses, release, "it_skills", wave_of(responses, Filters()))
    headline = measures.survey_headline(database, Filters(service_areas=(area,)))
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
