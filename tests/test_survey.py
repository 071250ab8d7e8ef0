"""The survey data functions against the independent figures of tests/oracle.py.

Every survey figure the app shows is a released cell or a sum of released cells
(docs/DISCLOSURE.md): the expected figures are the oracle's, worked out in pandas from
``data/extracts`` with the key and the published perturbation table, summed over the
parts the build released (read from the file), never by calling the code under test.
A wrong definition, a lost filter, a sum over the wrong parts or a count left
unperturbed shows up. Comments are tested in tests/test_comments.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import demo.model as demo_model
from dashboard.core import db, disclosure, measures
from dashboard.core.filters import Filters
from dashboard.features import export, survey, survey_text
from pipeline import contract
from pipeline.perturbation import MAX_NOISE
from tests.conftest import DEMO_EXTRACTS, opened_database
from tests.oracle import (
    MEASURES,
    NOT_COUNTED,
    POSITIVE,
    PUBLISHED,
    PUBLISHED_WAVE,
    SCALES,
    THRESHOLD,
    Released,
    care_group_of,
    counted,
    expected_answers,
    expected_breakdown,
    expected_headline,
    group_figures,
    members,
    parts,
    percent_half_up,
    structure,
    wave_of,
)

AMH = "Adult mental health"
CHS = "Community health services"
NS = contract.NOT_STATED
# The filter field a breakdown dimension's group is picked with.
FILTER_FIELD = {
    "care_group": "care_groups",
    "service_area": "service_areas",
    "survey": "surveys",
    "staff_group": "staff_groups",
}
W2021 = PUBLISHED_WAVE  # filters with months name the wave of those months (no wave: the latest, 2023)
# Three areas of one care group, one of them (Podiatry) too small to release: the others are summed.
SOME_TOO_SMALL = ("Podiatry", "Tissue viability", "Continence service")
FIGURE_COLUMNS = ["n", "positive", "share", "percent", "low", "high"]


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
    pytest.param(Filters(service_areas=SOME_TOO_SMALL), id="three areas, one too small"),
]


def shown(row: pd.Series) -> tuple[int, int, int]:
    return int(row["n"]), int(row["positive"]), int(row["percent"])


def area_part(wave: str, care_group: str, area: str) -> tuple:
    return (wave, "answers", care_group, area, None, None, None)


def small_area(responses: pd.DataFrame, release: Released, measure: str, wave: str) -> str:
    """An area some of whose people answered ``measure`` in ``wave``, too few for its whole-wave
    group to be released for it."""
    for care_group, areas in structure().items():
        for area in areas:
            part = area_part(wave, care_group, area)
            if not release.shows(part, measure) and 0 < len(counted(members(responses, part), measure)) < THRESHOLD:
                return area
    raise AssertionError("the demo has no small area")


def wave_months(wave: str) -> list[dt.date]:
    """The calendar months of a wave's dates, from waves.csv."""
    waves = pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str).set_index("wave_id")
    opened, closed = (pd.Timestamp(waves.loc[wave, c]).date() for c in ("opened", "closed"))
    months, month = [], opened.replace(day=1)
    while month <= closed:
        months.append(month)
        month = (pd.Timestamp(month) + pd.offsets.MonthBegin(1)).date()
    return months


def expected_trend(
    responses: pd.DataFrame, measure: str, filters: Filters, release: Released
) -> dict[dt.date, tuple[int, int] | None]:
    """Per month of the wave within the months picked: (n, positive) summed over the units' month
    groups released for the measure (every survey and staff group), None when none is."""
    wave = wave_of(responses, filters)
    if filters.service_areas:
        units = [(care_group_of(a), a) for a in filters.service_areas]
    elif filters.care_groups:
        units = [(g, None) for g in filters.care_groups]
    else:
        units = [(None, None)]
    first = filters.date_from.replace(day=1) if filters.date_from else dt.date.min
    last = filters.date_to or dt.date.max
    out = {}
    for month in wave_months(wave):
        if not first <= month <= last:
            continue
        keys = [(wave, "month", g, a, None, None, month) for g, a in units]
        sums = [group_figures(members(responses, k), measure) for k in keys if release.shows(k, measure)]
        out[month] = (sum(n for n, _ in sums), sum(p for _, p in sums)) if sums else None
    return out


# --- Headline -----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_headline_with_no_filters_is_the_published_figure(database, responses, release, measure: str) -> None:
    published = Filters(wave=PUBLISHED_WAVE)
    frame = survey.headline(database, measure, published)
    n, positive, percent = expected_headline(responses, measure, published, release)
    assert percent == PUBLISHED[measure]
    assert list(frame["level"]) == [survey.LEVEL_SELECTED, survey.LEVEL_TRUST]
    for _, row in frame.iterrows():
        assert shown(row) == (n, positive, PUBLISHED[measure])
        assert not row["hidden"]
        assert row["left_out"] == ()
        assert row["low"] < positive / n < row["high"]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", FILTER_CASES)
def test_headline_follows_the_filters(database, responses, release, measure: str, filters: Filters) -> None:
    frame = survey.headline(database, measure, filters)
    n, positive, percent = expected_headline(responses, measure, filters, release)
    selected, trust = frame.iloc[0], frame.iloc[1]
    assert bool(selected["hidden"]) == (n is None)  # the release decides
    if n is None:
        assert selected["hidden_reason"] == disclosure.HIDDEN
        assert selected[survey.FIGURES].isna().all()
    else:
        assert shown(selected) == (n, positive, percent)
        assert selected["low"] <= positive / n <= selected["high"]
    assert shown(trust) == expected_headline(responses, measure, Filters(wave=filters.wave), release)  # same wave


def test_filter_cases_include_a_hidden_and_a_shown_selection(responses, release) -> None:
    # The parametrised cases above exercise both branches.
    sizes = [expected_headline(responses, m, case.values[0], release)[0] for m in MEASURES for case in FILTER_CASES]
    assert None in sizes and any(n is not None for n in sizes)


def test_the_headline_names_the_parts_it_leaves_out(database, responses, release) -> None:
    """Podiatry is too small to release: the three areas' figure is the other two's sum, and
    the headline, its table row and its note name Podiatry as left out."""
    filters = Filters(service_areas=SOME_TOO_SMALL)
    wave = wave_of(responses, filters)
    for measure in MEASURES:
        frame = survey.headline(database, measure, filters, CHS)
        selected = frame.iloc[0]
        released_parts = [
            area_part(wave, CHS, a) for a in SOME_TOO_SMALL if release.shows(area_part(wave, CHS, a), measure)
        ]
        assert len(released_parts) == 2
        n, positive = (sum(v) for v in zip(*(group_figures(members(responses, p), measure) for p in released_parts)))
        assert (selected["n"], selected["positive"]) == (n, positive)
        assert selected["left_out"] == ("Podiatry",)
        assert list(frame["left_out"][1:]) == [(), ()]  # its care group and the Trust are whole
        assert list(frame["level"]) == [survey.LEVEL_SELECTED, f"Care group: {CHS}", survey.LEVEL_TRUST]
        notes = survey_text.headline_notes(frame, filters)
        assert notes == [f"Left out ({disclosure.HIDDEN}): Podiatry."]


def test_months_change_no_survey_figure_only_the_months_the_trend_lists(database, responses, release) -> None:
    """Survey figures are whole-wave: a day, its month or no month at all give the same headline,
    answers and breakdowns; only the trend's months follow the months picked (a day counts its whole
    month), and the headline says so."""
    base = Filters(care_groups=(CHS,), wave=W2021)
    days = dataclasses.replace(base, date_from=dt.date(2021, 3, 14), date_to=dt.date(2021, 4, 2))
    months = dataclasses.replace(base, date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30))
    for measure in MEASURES:
        whole = survey.headline(database, measure, base)
        assert shown(whole.iloc[0]) == expected_headline(responses, measure, base, release)
        for picked in (days, months):
            pd.testing.assert_frame_equal(survey.headline(database, measure, picked), whole)
            pd.testing.assert_frame_equal(
                survey.distribution(database, measure, picked), survey.distribution(database, measure, base)
            )
            for dimension in survey.DIMENSIONS:
                pd.testing.assert_frame_equal(
                    survey.breakdown(database, measure, dimension, picked),
                    survey.breakdown(database, measure, dimension, base),
                )
            listed = [pd.Timestamp(m).date() for m in survey.trend(database, measure, picked)["month"]]
            assert listed == [dt.date(2021, 3, 1), dt.date(2021, 4, 1)]
        assert len(survey.trend(database, measure, base)) == len(wave_months(W2021)) > 2
    notes = survey_text.headline_notes(survey.headline(database, "it_skills", days), days)
    assert any(note.startswith("Survey figures are for the whole wave") for note in notes)
    assert survey_text.headline_notes(survey.headline(database, "it_skills", base), base) == []


def test_a_filter_changes_the_headline(database, responses, release) -> None:
    filters = Filters(care_groups=(AMH,), surveys=("Staff",))
    n, positive, percent = expected_headline(responses, "it_skills", filters, release)
    row = survey.headline(database, "it_skills", filters).iloc[0]
    assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent)
    assert n < expected_headline(responses, "it_skills", Filters(), release)[0]


def test_small_selection_hides_everything(database, responses, release) -> None:
    area = small_area(responses, release, "it_skills", wave_of(responses, Filters()))
    filters = Filters(service_areas=(area,))
    assert expected_headline(responses, "it_skills", filters, release)[0] is None
    head = survey.headline(database, "it_skills", filters)
    assert survey.selected_is_hidden(head)
    assert head.iloc[0][survey.FIGURES].isna().all()
    assert head.iloc[0]["hidden_reason"] == disclosure.HIDDEN
    assert survey.selection_hidden_reason(database, "it_skills", filters) == disclosure.HIDDEN
    answers = survey.distribution(database, "it_skills", filters)
    assert answers[["responses", "share", "share_of_answered"]].isna().all().all()
    assert answers["hidden"].all() and set(answers["hidden_reason"]) == {disclosure.HIDDEN}
    # Where each answer sits in the measure is the question bank's, shown even when the counts are hidden.
    assert list(answers["answer"]) == list(SCALES["it_skills"])
    assert list(answers["counted"]) == [a not in NOT_COUNTED.get("it_skills", set()) for a in SCALES["it_skills"]]
    assert list(answers["positive"]) == [a in POSITIVE["it_skills"] for a in SCALES["it_skills"]]
    for dimension in survey.DIMENSIONS:
        assert survey.breakdown(database, "it_skills", dimension, filters).empty
    assert survey.trend(database, "it_skills", filters).empty
    assert "hidden" in survey_text.headline_sentence(measures.survey_measures(database)["it_skills"], head)


@pytest.mark.slow
def test_perturbation_is_on_and_within_its_bound(database, responses, release) -> None:
    """Somewhere a shown count is not the true count (so perturbation cannot silently be off), and
    nowhere is it further from the truth than the table's bound for each cell summed."""
    differs, compared = 0, 0

    def check(shown_count: int, true_count: int, cells: int) -> None:
        nonlocal differs, compared
        assert abs(shown_count - true_count) <= MAX_NOISE * cells
        differs += shown_count != true_count
        compared += 1

    for measure in MEASURES:
        in_base = [a for a in SCALES[measure] if a not in NOT_COUNTED.get(measure, set())]
        positives = [a for a in SCALES[measure] if a in POSITIVE[measure]]
        for filters in [Filters(), *(case.values[0] for case in FILTER_CASES)]:
            row = survey.headline(database, measure, filters).iloc[0]
            if row["hidden"]:
                continue
            summed = [p for p in parts(responses, filters) if release.shows(p, measure)]
            base = pd.concat([counted(members(responses, p), measure) for p in summed])
            check(int(row["n"]), len(base), len(summed) * len(in_base))
            check(int(row["positive"]), int(base["positive"].sum()), len(summed) * len(positives))
        frame = survey.breakdown(database, measure, "service_area", Filters())
        wave = wave_of(responses, Filters())
        for _, row in frame[~frame["hidden"]].iterrows():
            base = counted(members(responses, area_part(wave, row["care_group"], row["service_area"])), measure)
            check(int(row["n"]), len(base), len(in_base))
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
        Filters(service_areas=SOME_TOO_SMALL),
    ],
)
def test_distribution_matches_the_oracle(database, responses, release, measure: str, filters: Filters) -> None:
    frame = survey.distribution(database, measure, filters).set_index("answer")
    expected = expected_answers(responses, measure, filters, release)
    not_counted = NOT_COUNTED.get(measure, set())
    answered = sum(expected.values())
    base = sum(count for answer, count in expected.items() if answer not in not_counted)
    assert list(frame.index) == list(SCALES[measure])
    assert not frame["hidden"].any()
    for answer, row in frame.iterrows():
        assert row["responses"] == expected[answer]
        assert row["share_of_answered"] == pytest.approx(expected[answer] / answered)
        assert row["positive"] is (answer in POSITIVE[measure])
        if answer in not_counted:
            assert row["counted"] is False and pd.isna(row["share"])
        else:
            assert row["counted"] is True
            assert row["share"] == pytest.approx(expected[answer] / base)


def test_dont_know_is_shown_apart(database, responses, release) -> None:
    frame = survey.distribution(database, "info_available", Filters())
    expected = expected_answers(responses, "info_available", Filters(), release)
    dont_know = frame.set_index("answer").loc["Don't know"]
    said = expected["Don't know"]
    assert dont_know["responses"] == said > 0
    base = expected["Yes"] + expected["Partly"] + expected["No"]
    sentence = survey_text.distribution_sentence(measures.survey_measures(database)["info_available"], frame)
    assert f"{said:,} more said Don't know and are not counted" in sentence
    assert sentence.startswith(f"Of {base:,} people counted, {percent_half_up(expected['Yes'], base)}% answered Yes")


# --- One selection, one n ---------------------------------------------------------------------------

# Filter states with one care group, survey or staff group: its breakdown row names the selection's parts.
ONE_EACH = [
    Filters(care_groups=(AMH,)),
    Filters(care_groups=(AMH,), surveys=("Staff",), staff_groups=("Nursing",)),
    Filters(surveys=("Staff",), wave=W2021),
    Filters(staff_groups=("Nursing",)),
    Filters(service_areas=("Memory assessment service",)),
    Filters(service_areas=SOME_TOO_SMALL),
]


@pytest.mark.parametrize("filters", ONE_EACH, ids=lambda f: f.describe())
def test_the_selection_has_one_n_everywhere(database, responses, release, filters: Filters) -> None:
    """The selection's n is the headline's, the sum of its counted answers, and that of every
    breakdown row naming the same parts (its care group, its one area, survey or staff group), with
    the same parts left out."""
    rows_naming_it = {}
    groups = {care_group_of(a) for a in filters.service_areas} | set(filters.care_groups)
    if len(groups) == 1:
        rows_naming_it["care_group"] = ("care_group", groups.pop())
    if len(filters.service_areas) == 1:
        rows_naming_it["service_area"] = ("service_area", filters.service_areas[0])
    for field, dimension in (("surveys", "survey"), ("staff_groups", "staff_group")):
        if len(getattr(filters, field)) == 1:
            rows_naming_it[dimension] = (dimension, getattr(filters, field)[0])
    assert rows_naming_it
    for measure in MEASURES:
        selected = survey.headline(database, measure, filters).iloc[0]
        assert not selected["hidden"]
        n = expected_headline(responses, measure, filters, release)[0]
        assert selected["n"] == n
        answers = survey.distribution(database, measure, filters)
        assert answers.loc[answers["counted"].astype(bool), "responses"].sum() == n
        for dimension, (column, label) in rows_naming_it.items():
            frame = survey.breakdown(database, measure, dimension, filters)
            (row,) = [r for _, r in frame.iterrows() if r[column] == label]
            assert (row["n"], row["positive"], row["percent"]) == (
                selected["n"],
                selected["positive"],
                selected["percent"],
            ), (measure, dimension)
            assert row["left_out"] == selected["left_out"], (measure, dimension)


# --- Breakdown ----------------------------------------------------------------------------------


def labels_of(frame: pd.DataFrame, dimension: str) -> list[tuple]:
    columns = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("dimension", survey.DIMENSIONS)
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(care_groups=(AMH, CHS)),
        Filters(surveys=("Staff",)),
        Filters(date_from=dt.date(2021, 5, 1), wave=W2021),
        Filters(service_areas=SOME_TOO_SMALL),
    ],
)
def test_breakdown_matches_the_oracle(
    database, responses, release, measure: str, dimension: str, filters: Filters
) -> None:
    frame = survey.breakdown(database, measure, dimension, filters)
    expected = expected_breakdown(responses, measure, dimension, filters, release)
    assert sorted(labels_of(frame, dimension)) == sorted(expected)  # one row per group the structure lists
    if dimension != "service_area":
        assert (frame["group"] == frame[dimension]).all()
    for label, (_, row) in zip(labels_of(frame, dimension), frame.iterrows()):
        n, positive = expected[label]
        assert bool(row["hidden"]) == (n is None), label
        if row["hidden"]:
            assert row["hidden_reason"] == disclosure.HIDDEN
            assert row[FIGURE_COLUMNS].isna().all()
            assert row["left_out"] == ()
        else:
            assert (row["n"], row["positive"]) == (n, positive), label
            assert row["percent"] == percent_half_up(positive, n)
            assert row["low"] <= row["share"] <= row["high"]
    shown_rows = frame[~frame["hidden"]]
    hidden_rows = frame[frame["hidden"]]
    assert list(shown_rows["share"]) == sorted(shown_rows["share"], reverse=True)
    assert list(hidden_rows["group"]) == sorted(hidden_rows["group"])  # by label only: the order says nothing
    assert list(frame["hidden"]) == sorted(frame["hidden"])  # hidden rows last


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(surveys=("Carer",)), Filters(care_groups=(AMH,), staff_groups=("Nursing",))],
    ids=lambda f: f.describe(),
)
def test_breakdown_rows_are_the_structure_whatever_the_counts(database, responses, filters: Filters) -> None:
    """Every care group and service area of service_areas.csv under the units picked, every survey and
    staff group of the contract is listed, shown or hidden, whether it holds many people, a few or
    nobody; a 'Not stated' row is listed only when shown."""
    tree = structure()
    groups = list(filters.care_groups or tree)
    expected = {
        "care_group": {(g,) for g in groups},
        "service_area": {(g, a) for g in groups for a in tree[g]},
        "survey": {(s,) for s in (filters.surveys or demo_model.SURVEYS)},
        "staff_group": {(s,) for s in (filters.staff_groups or demo_model.STAFF_GROUPS)},
    }
    # Areas nobody in the selection belongs to: listed hidden, the same as a small one.
    empty = {
        area
        for group in groups
        for area in tree[group]
        if not any(
            len(members(responses, p))
            for p in parts(responses, dataclasses.replace(filters, care_groups=(), service_areas=(area,)))
        )
    }
    if filters.surveys or filters.staff_groups:
        assert empty
    shown_measures = 0
    for measure in MEASURES:
        if survey.selection_hidden_reason(database, measure, filters):
            for dimension in survey.DIMENSIONS:
                assert survey.breakdown(database, measure, dimension, filters).empty  # nothing about it
            continue
        shown_measures += 1
        for dimension in survey.DIMENSIONS:
            frame = survey.breakdown(database, measure, dimension, filters)
            listed = labels_of(frame, dimension)
            assert len(listed) == len(set(listed))
            assert {label for label in listed if NS not in label} == expected[dimension], (measure, dimension)
            assert not frame.loc[[NS in label for label in listed], "hidden"].any()  # 'Not stated': only shown
            if dimension == "service_area":
                nobody = frame[frame["service_area"].isin(empty)]
                assert len(nobody) == len(empty)
                assert nobody["hidden"].all()
                assert set(nobody["hidden_reason"]) == ({disclosure.HIDDEN} if empty else set())
    assert shown_measures


@pytest.mark.parametrize("dimension", survey.DIMENSIONS)
@pytest.mark.parametrize("filters", [Filters(), Filters(surveys=("Staff",), date_to=dt.date(2021, 4, 30), wave=W2021)])
def test_a_group_opened_alone_shows_what_its_breakdown_row_shows(database, dimension: str, filters: Filters) -> None:
    """A group hidden in a breakdown is hidden when a filter opens it on its own, and a shown
    group has the same figures both ways: the same released cells."""
    frames = {m: survey.breakdown(database, m, dimension, filters).set_index("group") for m in MEASURES}
    labels = set().union(*(frame.index[frame[dimension] != NS] for frame in frames.values()))
    assert labels  # 'Not stated' cannot be picked in a filter; every other group can
    hidden = 0
    for label in sorted(labels):
        alone = dataclasses.replace(filters, **{FILTER_FIELD[dimension]: (label,)})
        selected = measures.survey_headline(database, alone)
        for measure, frame in frames.items():
            assert label in frame.index, (label, measure)  # rows are the structure's, whatever the counts
            row, opened = frame.loc[label], selected.loc[measure]
            assert bool(opened["hidden"]) == bool(row["hidden"]), (label, measure)
            hidden += bool(row["hidden"])
            if not row["hidden"]:
                assert shown(opened) == (row["n"], row["positive"], row["percent"]), (label, measure)
                assert opened["left_out"] == row["left_out"]
    if dimension == "service_area":
        assert hidden  # small areas are among them


def test_breakdown_by_care_group_with_no_filters(database, responses, release) -> None:
    frame = survey.breakdown(database, "it_skills", "care_group", Filters())
    expected = {
        label[0]: figures
        for label, figures in expected_breakdown(responses, "it_skills", "care_group", Filters(), release).items()
        if figures[0] is not None
    }
    assert NS in set(frame["care_group"]) and NS in expected  # shown, so listed
    ranked = sorted(expected, key=lambda g: (-expected[g][1] / expected[g][0], g))
    top, bottom = ranked[0], ranked[-1]
    sentence = survey_text.breakdown_sentence(measures.survey_measures(database)["it_skills"], "care_group", frame)

    def percent(group: str) -> int:
        return percent_half_up(expected[group][1], expected[group][0])

    assert sentence == (
        f"Of the {len(expected)} care groups shown, the highest was {top} ({percent(top)}%), "
        f"the lowest {bottom} ({percent(bottom)}%)."
    )
    # The selection's n is the headline's: the breakdown states no second total.
    n = expected_headline(responses, "it_skills", Filters(), release)[0]
    assert f"{n:,}" not in sentence and "answered" not in sentence


@pytest.mark.parametrize("measure", MEASURES)
def test_breakdown_by_service_area_within_care_group(database, responses, release, measure: str) -> None:
    frame = survey.breakdown(database, measure, "service_area", Filters())
    expected = expected_breakdown(responses, measure, "service_area", Filters(), release)
    assert sorted(zip(frame["care_group"], frame["service_area"])) == sorted(expected)
    assert frame["group"].is_unique
    not_stated = {f"{NS} ({g})" for g, a in expected if a == NS and g != NS}
    assert not_stated and not_stated <= set(frame["group"])  # a 'Not stated' area is named with its care group
    for _, row in frame.iterrows():
        n, positive = expected[(row["care_group"], row["service_area"])]
        assert bool(row["hidden"]) == (n is None)
        if not row["hidden"]:
            assert (row["n"], row["positive"]) == (n, positive)
    # The demo has small areas, so there is something to hide, and it is hidden.
    assert frame["hidden"].any() and not frame["hidden"].all()


def test_breakdown_rejects_unknown_dimension_and_measure(database) -> None:
    with pytest.raises(ValueError):
        survey.breakdown(database, "it_skills", "response_id", Filters())
    with pytest.raises(ValueError):
        survey.breakdown(database, "comment", "care_group", Filters())
    with pytest.raises(ValueError):
        survey.headline(database, "1; drop table survey_responses", Filters())


def test_breakdown_table_blanks_hidden_rows_with_reason(database, responses, release) -> None:
    filters = Filters(care_groups=(AMH,))
    frame = survey.breakdown(database, "it_skills", "service_area", filters)
    table = survey_text.breakdown_table(frame, "service_area")
    assert list(table.columns[:2]) == ["Care group", "Service area"]
    assert "Left out" not in table  # one care group: every row is one part, whole or hidden
    expected = expected_breakdown(responses, "it_skills", "service_area", filters, release)
    hidden = table[table["Hidden because"] != ""]
    assert sorted(hidden["Service area"]) == sorted(a for (_, a), (n, _) in expected.items() if n is None)
    assert len(hidden) >= 1
    assert set(hidden["Hidden because"]) == {disclosure.HIDDEN}
    assert hidden[["Answered (n)", "Positive", "Percent", "95% CI low (%)", "95% CI high (%)"]].isna().all().all()
    csv = export.to_csv(table, {"Filters": "Care group: Adult mental health"}).decode("utf-8-sig")
    blanked = [line for line in csv.splitlines() if disclosure.HIDDEN in line]
    assert len(blanked) == len(hidden)
    for line in blanked:
        assert ",,,,," in line  # every figure blank in the download


def test_breakdown_table_names_what_a_row_leaves_out(database, responses, release) -> None:
    """The care group row of three areas, one too small, sums the two released and names the third."""
    frame = survey.breakdown(database, "it_skills", "care_group", Filters(service_areas=SOME_TOO_SMALL))
    table = survey_text.breakdown_table(frame, "care_group")
    (row,) = table.to_dict("records")
    assert row["Care group"] == CHS and row["Left out"] == "Podiatry"
    n, positive, percent = expected_headline(responses, "it_skills", Filters(service_areas=SOME_TOO_SMALL), release)
    assert (row["Answered (n)"], row["Positive"], row["Percent"]) == (n, positive, percent)


# --- Trend --------------------------------------------------------------------------------------------

TREND_CASES = [
    Filters(),
    Filters(care_groups=(AMH,), surveys=("Staff",)),
    Filters(surveys=("Digital champion",)),
    Filters(care_groups=(CHS,), date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31), wave=W2021),
    Filters(service_areas=("Dual diagnosis service",)),
    Filters(service_areas=("Memory assessment service", "Dual diagnosis service")),
]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", TREND_CASES, ids=lambda f: f.describe())
def test_trend_matches_the_oracle(database, responses, release, measure: str, filters: Filters) -> None:
    frame = survey.trend(database, measure, filters)
    if expected_headline(responses, measure, filters, release)[0] is None:
        assert frame.empty  # nothing about a hidden selection
        return
    expected = expected_trend(responses, measure, filters, release)
    assert [pd.Timestamp(m).date() for m in frame["month"]] == list(expected)  # every month, shown or hidden
    for _, row in frame.iterrows():
        figures = expected[pd.Timestamp(row["month"]).date()]
        assert bool(row["hidden"]) == (figures is None)
        if row["hidden"]:
            assert pd.isna(row["n"]) and pd.isna(row["percent"])
            assert row["hidden_reason"] == disclosure.HIDDEN
        else:
            n, positive = figures
            assert (row["n"], row["positive"], row["percent"]) == (n, positive, percent_half_up(positive, n))


def test_trend_cases_include_shown_and_hidden_months(responses, release) -> None:
    months = [
        figures
        for measure in MEASURES
        for filters in TREND_CASES
        for figures in expected_trend(responses, measure, filters, release).values()
    ]
    assert None in months and any(m is not None for m in months)


def test_the_trend_counts_every_survey_and_staff_group_of_its_units(database) -> None:
    """Only whole units are released by month: with a survey or staff group picked, the months are
    the units' own, and the page says so."""
    for measure in MEASURES:
        whole = survey.trend(database, measure, Filters(care_groups=(AMH,)))
        narrowed = survey.trend(database, measure, Filters(care_groups=(AMH,), surveys=("Staff",)))
        pd.testing.assert_frame_equal(narrowed, whole)
    assert survey_text.trend_note(Filters(care_groups=(AMH,))) == ""
    assert "whatever their survey or staff group" in survey_text.trend_note(Filters(staff_groups=("Medical",)))


def test_trend_sentence_names_the_range(database, responses, release) -> None:
    frame = survey.trend(database, "it_unreliable", Filters())
    expected = [f for f in expected_trend(responses, "it_unreliable", Filters(), release).values() if f is not None]
    percents = [percent_half_up(p, n) for n, p in expected]
    assert len(percents) > 1
    sentence = survey_text.trend_sentence(frame)
    assert f"ranged from {min(percents)}%" in sentence
    assert f"to {max(percents)}%" in sentence
    assert f"Across the {len(percents)} months shown" in sentence


# --- Sentences -------------------------------------------------------------------------------------------


def test_headline_sentence(database, responses, release) -> None:
    filters = Filters(care_groups=(AMH,))
    n, _, percent = expected_headline(responses, "it_unreliable", filters, release)
    trust_n, _, trust_percent = expected_headline(responses, "it_unreliable", Filters(), release)
    sentence = survey_text.headline_sentence(
        measures.survey_measures(database)["it_unreliable"], survey.headline(database, "it_unreliable", filters)
    )
    assert sentence.startswith(f"Of {n:,} people who answered, {percent}% agreed that IT is too unreliable (95% CI ")
    assert sentence.endswith(f"across the whole Trust it was {trust_percent}% of {trust_n:,}.")


def test_hidden_groups_are_only_counted_in_sentences(database, responses, release) -> None:
    frame = survey.breakdown(database, "it_skills", "service_area", Filters())
    sentence = survey_text.breakdown_sentence(measures.survey_measures(database)["it_skills"], "service_area", frame)
    expected = expected_breakdown(responses, "it_skills", "service_area", Filters(), release)
    hidden = frame[frame["hidden"]]
    assert len(hidden) == sum(n is None for n, _ in expected.values()) > 1
    assert f"{len(hidden)} service areas are hidden" in sentence
    assert not any(label in sentence for label in hidden["group"])


def test_hidden_rows_give_the_shared_reason(database) -> None:
    """A hidden group says why in the one wording every page and download uses (disclosure.HIDDEN)."""
    frame = survey.breakdown(database, "it_skills", "service_area", Filters())
    hidden = frame[frame["hidden"]]
    assert len(hidden) > 0
    assert set(hidden["hidden_reason"]) == {disclosure.HIDDEN}
