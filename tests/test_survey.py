"""The survey data functions against the independent figures of tests/oracle.py.

Every survey count the app shows is perturbed (docs/DISCLOSURE.md): the expected
figures are the oracle's perturbed ones, worked out in pandas from
``data/extracts/survey_responses.csv`` and the published perturbation table,
never by calling the code under test. A wrong definition in SQL, a lost filter,
a key sum over the wrong rows or a count left unperturbed shows up. Comments
are tested in tests/test_comments.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard import db, disclosure, export, measures, survey, survey_text
from dashboard.filters import Filters
from dashboard.perturbation import MAX_NOISE
from tests.conftest import opened_database
from tests.oracle import (
    MEASURES,
    NOT_COUNTED,
    POSITIVE,
    PUBLISHED,
    PUBLISHED_WAVE,
    SCALES,
    THRESHOLD,
    counted,  # noqa: F401 - also imported from here by tests/test_disclosure_property.py
    expected_answers,
    expected_groups,
    expected_headline,
    filtered,  # noqa: F401 - as above
    percent_half_up,
    read_responses,
    small_area,
    true_headline,
)

AMH = "Adult mental health"
CHS = "Community health services"
# The filter field a breakdown dimension's group is picked with.
FILTER_FIELD = {
    "care_group": "care_groups",
    "service_area": "service_areas",
    "survey": "surveys",
    "staff_group": "staff_groups",
}
W2021 = PUBLISHED_WAVE  # filters with months name the wave of those months (no wave: the latest, 2023)


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_responses()


@pytest.fixture(scope="module")
def with_month(responses: pd.DataFrame) -> pd.DataFrame:
    """The responses with their calendar month (first day), for the trend."""
    return responses.assign(month=pd.to_datetime(responses["submitted_on"]).dt.to_period("M").dt.to_timestamp())


@pytest.fixture(scope="module")
def database(demo_db: Path) -> Iterator[db.Database]:
    yield from opened_database(demo_db)


FILTER_CASES = [
    pytest.param(Filters(care_groups=(AMH,)), id="care group"),
    pytest.param(Filters(care_groups=(AMH, CHS), surveys=("Staff",)), id="two care groups, staff survey"),
    pytest.param(Filters(surveys=("Service user", "Carer")), id="service users and carers"),
    pytest.param(Filters(staff_groups=("Nursing", "Healthcare support worker")), id="staff groups"),
    pytest.param(
        Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30), wave=W2021), id="March and April"
    ),
    pytest.param(
        Filters(surveys=("Digital champion",), date_from=dt.date(2021, 5, 1), wave=W2021), id="champions from May"
    ),
    pytest.param(Filters(care_groups=("Corporate services",), surveys=("Carer",)), id="small: corporate carers"),
    pytest.param(
        Filters(service_areas=("Memory assessment service",), date_to=dt.date(2021, 3, 31), wave=W2021),
        id="one area to March",
    ),
]


def shown(row: pd.Series) -> tuple[int, int, int]:
    return int(row["n"]), int(row["positive"]), int(row["percent"])


# --- Headline -----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_headline_with_no_filters_is_the_published_figure(database, responses, measure: str) -> None:
    published = Filters(wave=PUBLISHED_WAVE)
    frame = survey.headline(database, measure, published, THRESHOLD)
    n, positive, percent = expected_headline(responses, measure, published)
    assert percent == PUBLISHED[measure]
    assert list(frame["scope"]) == [survey.SCOPE_SELECTED, survey.SCOPE_TRUST]
    for _, row in frame.iterrows():
        assert shown(row) == (n, positive, PUBLISHED[measure])
        assert not row["hidden"]
        assert row["low"] < positive / n < row["high"]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", FILTER_CASES)
def test_headline_follows_the_filters(database, responses, measure: str, filters: Filters) -> None:
    frame = survey.headline(database, measure, filters, THRESHOLD)
    n, positive, percent = expected_headline(responses, measure, filters)
    selected, trust = frame.iloc[0], frame.iloc[1]
    assert bool(selected["hidden"]) == (n < THRESHOLD)  # the perturbed n decides
    if n < THRESHOLD:
        assert selected["hidden_reason"] == "fewer than 10 responses"
        assert selected[survey.FIGURES].isna().all()
    else:
        assert shown(selected) == (n, positive, percent)
        assert selected["low"] <= positive / n <= selected["high"]
    assert shown(trust) == expected_headline(responses, measure, Filters(wave=filters.wave))  # the same wave


def test_filter_cases_include_a_hidden_and_a_shown_selection(responses) -> None:
    # The parametrised cases above exercise both branches.
    sizes = [expected_headline(responses, m, case.values[0])[0] for m in MEASURES for case in FILTER_CASES]
    assert min(sizes) < THRESHOLD <= max(sizes)


def test_a_day_in_the_filters_counts_its_whole_month(database, responses) -> None:
    days = Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 14), date_to=dt.date(2021, 4, 2), wave=W2021)
    months = Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30), wave=W2021)
    for measure in MEASURES:
        by_day = survey.headline(database, measure, days, THRESHOLD).iloc[0]
        by_month = survey.headline(database, measure, months, THRESHOLD).iloc[0]
        assert shown(by_day) == shown(by_month) == expected_headline(responses, measure, months)


def test_a_filter_changes_the_headline(database, responses) -> None:
    filters = Filters(care_groups=(AMH,), surveys=("Staff",))
    n, positive, percent = expected_headline(responses, "it_skills", filters)
    row = survey.headline(database, "it_skills", filters, THRESHOLD).iloc[0]
    assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent)
    assert n < expected_headline(responses, "it_skills")[0]


def test_small_selection_hides_everything(database, responses) -> None:
    area = small_area(responses, "it_skills")
    filters = Filters(service_areas=(area,))
    assert expected_headline(responses, "it_skills", filters)[0] < THRESHOLD
    head = survey.headline(database, "it_skills", filters, THRESHOLD)
    assert survey.selected_is_hidden(head)
    assert head.iloc[0][survey.FIGURES].isna().all()
    assert head.iloc[0]["hidden_reason"] == "fewer than 10 responses"
    assert (
        survey.distribution(database, "it_skills", filters, THRESHOLD)[["responses", "share", "counted"]]
        .isna()
        .all()
        .all()
    )
    for dimension in survey.DIMENSIONS:
        assert survey.breakdown(database, "it_skills", dimension, filters, THRESHOLD).empty
    assert survey.trend(database, "it_skills", filters, THRESHOLD).empty
    assert "hidden" in survey_text.headline_sentence(measures.survey_measures(database)["it_skills"], head)


@pytest.mark.slow
def test_perturbation_is_on_and_within_its_bound(database, responses) -> None:
    """Somewhere a shown count is not the true count (so perturbation cannot silently be off),
    and nowhere is it further from the truth than the table's bound."""
    differs, compared = 0, 0
    for measure in MEASURES:
        for filters in [Filters(), *(case.values[0] for case in FILTER_CASES)]:
            row = survey.headline(database, measure, filters, THRESHOLD).iloc[0]
            if row["hidden"]:
                continue
            true_n, true_positive = true_headline(responses, measure, filters)
            for shown_count, true_count in ((int(row["n"]), true_n), (int(row["positive"]), true_positive)):
                assert abs(shown_count - true_count) <= MAX_NOISE
                differs += shown_count != true_count
                compared += 1
        frame = survey.breakdown(database, measure, "service_area", Filters(), THRESHOLD)
        truth = expected_groups(responses, measure, ["care_group", "service_area"]).set_index(
            ["care_group", "service_area"]
        )["true_n"]
        for _, row in frame[~frame["hidden"]].iterrows():
            true_n = int(truth.loc[(row["care_group"], row["service_area"])])
            assert abs(int(row["n"]) - true_n) <= MAX_NOISE
            differs += int(row["n"]) != true_n
            compared += 1
    assert compared > 50
    assert differs > 0


# --- Distribution ---------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(care_groups=(CHS,), surveys=("Staff",)),
        Filters(date_from=dt.date(2021, 4, 1), date_to=dt.date(2021, 4, 30), wave=W2021),
    ],
)
def test_distribution_matches_the_oracle(database, responses, measure: str, filters: Filters) -> None:
    frame = survey.distribution(database, measure, filters, THRESHOLD).set_index("answer")
    expected = expected_answers(responses, measure, filters)
    not_counted = NOT_COUNTED.get(measure, set())
    answered = sum(expected.values())
    base = sum(count for answer, count in expected.items() if answer not in not_counted)
    assert list(frame.index) == list(SCALES[measure])
    assert not frame["hidden"].any()
    for answer, row in frame.iterrows():
        assert row["responses"] == expected[answer]
        assert row["share_of_answered"] == pytest.approx(expected[answer] / answered)
        if answer in not_counted:
            assert row["counted"] is False and pd.isna(row["share"])
        else:
            assert row["counted"] is True
            assert row["positive"] is (answer in POSITIVE[measure])
            assert row["share"] == pytest.approx(expected[answer] / base)


def test_dont_know_is_shown_apart(database, responses) -> None:
    frame = survey.distribution(database, "info_available", Filters(), THRESHOLD)
    expected = expected_answers(responses, "info_available")
    dont_know = frame.set_index("answer").loc["Don't know"]
    said = expected["Don't know"]
    assert dont_know["responses"] == said > 0
    base = expected["Yes"] + expected["Partly"] + expected["No"]
    sentence = survey_text.distribution_sentence(measures.survey_measures(database)["info_available"], frame)
    assert f"{said:,} more said Don't know and are not counted" in sentence
    assert sentence.startswith(f"Of {base:,} people counted, {percent_half_up(expected['Yes'], base)}% answered Yes")


# --- Breakdown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("dimension", ["care_group", "survey", "staff_group"])
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(care_groups=(AMH, CHS)),
        Filters(surveys=("Staff",)),
        Filters(date_from=dt.date(2021, 5, 1), wave=W2021),
    ],
)
def test_breakdown_matches_the_oracle(database, responses, measure: str, dimension: str, filters: Filters) -> None:
    frame = survey.breakdown(database, measure, dimension, filters, THRESHOLD)
    expected = expected_groups(responses, measure, [dimension], filters).set_index(dimension)
    assert sorted(frame[dimension]) == sorted(expected.index)  # one row per group, 'Not stated' included
    assert (frame["group"] == frame[dimension]).all()
    for _, row in frame.iterrows():
        truth = expected.loc[row[dimension]]
        assert bool(row["hidden"]) == (truth["n"] < THRESHOLD)
        if row["hidden"]:
            assert row["hidden_reason"] == "fewer than 10 responses"
            assert pd.isna(row["n"]) and pd.isna(row["share"]) and pd.isna(row["percent"])
        else:
            assert (row["n"], row["positive"]) == (truth["n"], truth["positive"])
            assert row["percent"] == percent_half_up(truth["positive"], truth["n"])
            assert row["low"] <= row["share"] <= row["high"]
    shown_rows = frame[~frame["hidden"]]
    assert list(shown_rows["share"]) == sorted(shown_rows["share"], reverse=True)
    assert list(frame["hidden"]) == sorted(frame["hidden"])  # hidden rows last


@pytest.mark.parametrize("dimension", survey.DIMENSIONS)
@pytest.mark.parametrize("filters", [Filters(), Filters(surveys=("Staff",), date_to=dt.date(2021, 4, 30), wave=W2021)])
def test_a_group_opened_alone_shows_what_its_breakdown_row_shows(database, dimension: str, filters: Filters) -> None:
    """A group hidden in a breakdown is hidden when a filter opens it on its own, and a shown
    group has the same figures both ways: the same responses, the same perturbed counts."""
    frames = {m: survey.breakdown(database, m, dimension, filters, THRESHOLD).set_index("group") for m in MEASURES}
    labels = set().union(*(frame.index[frame[dimension] != "Not stated"] for frame in frames.values()))
    assert labels  # 'Not stated' cannot be picked in a filter; every other group can
    hidden = 0
    for label in sorted(labels):
        alone = dataclasses.replace(filters, **{FILTER_FIELD[dimension]: (label,)})
        selected = measures.survey_headline(database, alone, THRESHOLD)
        for measure, frame in frames.items():
            if label not in frame.index:
                continue  # nobody in the group is counted in this measure
            row, opened = frame.loc[label], selected.loc[measure]
            assert bool(opened["hidden"]) == bool(row["hidden"]), (label, measure)
            hidden += bool(row["hidden"])
            if not row["hidden"]:
                assert shown(opened) == (row["n"], row["positive"], row["percent"]), (label, measure)
    if dimension == "service_area":
        assert hidden  # small areas are among them


def test_breakdown_by_care_group_with_no_filters(database, responses) -> None:
    frame = survey.breakdown(database, "it_skills", "care_group", Filters(), THRESHOLD)
    expected = expected_groups(responses, "it_skills", ["care_group"])
    expected = expected[expected["n"] >= THRESHOLD].copy()
    expected["share"] = expected["positive"] / expected["n"]
    assert "Not stated" in set(frame["care_group"])
    ranked = expected.sort_values(["share", "care_group"], ascending=[False, True])
    top, bottom = ranked.iloc[0], ranked.iloc[-1]
    sentence = survey_text.breakdown_sentence(measures.survey_measures(database)["it_skills"], "care_group", frame)
    assert f"the highest was {top['care_group']} ({percent_half_up(top['positive'], top['n'])}%)" in sentence
    assert f"the lowest {bottom['care_group']} ({percent_half_up(bottom['positive'], bottom['n'])}%)" in sentence
    n, positive = int(expected["n"].sum()), int(expected["positive"].sum())
    assert sentence.startswith(
        f"Of {n:,} people who answered in the {len(expected)} care groups shown, {percent_half_up(positive, n)}%"
    )


@pytest.mark.parametrize("measure", MEASURES)
def test_breakdown_by_service_area_within_care_group(database, responses, measure: str) -> None:
    frame = survey.breakdown(database, measure, "service_area", Filters(), THRESHOLD)
    places = ["care_group", "service_area"]
    expected = expected_groups(responses, measure, places).set_index(places)
    assert sorted(zip(frame["care_group"], frame["service_area"])) == sorted(expected.index)
    assert frame["group"].is_unique
    assert {"Not stated (Adult mental health)", "Not stated (Community health services)"} <= set(frame["group"])
    for _, row in frame.iterrows():
        truth = expected.loc[(row["care_group"], row["service_area"])]
        assert bool(row["hidden"]) == (truth["n"] < THRESHOLD)
        if not row["hidden"]:
            assert (row["n"], row["positive"]) == (truth["n"], truth["positive"])
    # The demo has small areas, so there is something to hide, and it is hidden.
    assert (expected["n"] < THRESHOLD).any() and frame["hidden"].any() and not frame["hidden"].all()


def test_breakdown_rejects_unknown_dimension_and_measure(database) -> None:
    with pytest.raises(ValueError):
        survey.breakdown(database, "it_skills", "response_id", Filters(), THRESHOLD)
    with pytest.raises(ValueError):
        survey.breakdown(database, "comment", "care_group", Filters(), THRESHOLD)
    with pytest.raises(ValueError):
        survey.headline(database, "1; drop table survey_responses", Filters(), THRESHOLD)


def test_breakdown_table_blanks_hidden_rows_with_reason(database, responses) -> None:
    filters = Filters(care_groups=(AMH,))
    frame = survey.breakdown(database, "it_skills", "service_area", filters, THRESHOLD)
    table = survey_text.breakdown_table(frame, "service_area")
    assert list(table.columns[:2]) == ["Care group", "Service area"]
    expected = expected_groups(responses, "it_skills", ["care_group", "service_area"], filters)
    hidden = table[table["Hidden because"] != ""]
    assert sorted(hidden["Service area"]) == sorted(expected.loc[expected["n"] < THRESHOLD, "service_area"])
    assert len(hidden) >= 1
    assert hidden[["Answered (n)", "Positive", "Percent", "95% CI low (%)", "95% CI high (%)"]].isna().all().all()
    csv = export.to_csv(table, {"Filters": "Care group: Adult mental health"}).decode("utf-8-sig")
    blanked = [line for line in csv.splitlines() if "fewer than 10" in line]
    assert len(blanked) == len(hidden)
    for line in blanked:
        assert ",,,,," in line  # every figure blank in the download


# --- Trend --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(care_groups=(AMH,), surveys=("Staff",)),
        Filters(surveys=("Digital champion",)),
        Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31), wave=W2021),
    ],
)
def test_trend_matches_the_oracle(database, with_month, measure: str, filters: Filters) -> None:
    frame = survey.trend(database, measure, filters, THRESHOLD)
    expected = expected_groups(with_month, measure, ["month"], filters).set_index("month")
    assert [pd.Timestamp(m) for m in frame["month"]] == list(expected.index)
    for _, row in frame.iterrows():
        truth = expected.loc[pd.Timestamp(row["month"])]
        assert bool(row["hidden"]) == (truth["n"] < THRESHOLD)
        if row["hidden"]:
            assert pd.isna(row["n"]) and pd.isna(row["percent"])
        else:
            assert (row["n"], row["positive"], row["percent"]) == (
                truth["n"],
                truth["positive"],
                percent_half_up(truth["positive"], truth["n"]),
            )


def test_trend_sentence_names_the_range(database, with_month) -> None:
    frame = survey.trend(database, "it_unreliable", Filters(), THRESHOLD)
    expected = expected_groups(with_month, "it_unreliable", ["month"])
    expected = expected[expected["n"] >= THRESHOLD]
    percents = [percent_half_up(p, n) for p, n in zip(expected["positive"], expected["n"])]
    assert len(percents) > 1
    sentence = survey_text.trend_sentence(frame)
    assert f"ranged from {min(percents)}%" in sentence
    assert f"to {max(percents)}%" in sentence
    assert f"Across the {len(percents)} months shown" in sentence


# --- Sentences -------------------------------------------------------------------------------------------


def test_headline_sentence(database, responses) -> None:
    filters = Filters(care_groups=(AMH,))
    n, _, percent = expected_headline(responses, "it_unreliable", filters)
    trust_n, _, trust_percent = expected_headline(responses, "it_unreliable")
    sentence = survey_text.headline_sentence(
        measures.survey_measures(database)["it_unreliable"],
        survey.headline(database, "it_unreliable", filters, THRESHOLD),
    )
    assert sentence.startswith(f"Of {n:,} people who answered, {percent}% agreed that IT is too unreliable (95% CI ")
    assert sentence.endswith(f"across the whole Trust it was {trust_percent}% of {trust_n:,}.")


def test_hidden_groups_are_only_counted_in_sentences(database, responses) -> None:
    frame = survey.breakdown(database, "it_skills", "service_area", Filters(), THRESHOLD)
    sentence = survey_text.breakdown_sentence(measures.survey_measures(database)["it_skills"], "service_area", frame)
    expected = expected_groups(responses, "it_skills", ["care_group", "service_area"])
    hidden = frame[frame["hidden"]]
    assert len(hidden) == (expected["n"] < THRESHOLD).sum() > 1
    assert f"{len(hidden)} service areas are hidden" in sentence
    assert not any(label in sentence for label in hidden["group"])


def test_hidden_rows_give_the_shared_reason(database) -> None:
    """A hidden group says why in the one wording every page and download uses (disclosure.HIDDEN_SMALL)."""
    frame = survey.breakdown(database, "it_skills", "service_area", Filters(), THRESHOLD)
    hidden = frame[frame["hidden"]]
    assert len(hidden) > 0
    assert set(hidden["hidden_reason"]) == {disclosure.HIDDEN_SMALL.format(threshold=THRESHOLD)}
