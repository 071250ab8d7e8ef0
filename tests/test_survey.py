"""The survey data functions against independent pandas computations over the demo extracts.

The expected figures are computed here from ``data/extracts/survey_responses.csv``
with the contract's definitions written out again in pandas (never by calling
the code under test), so a wrong definition in SQL or a lost filter shows up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard import db, disclosure, export, survey
from dashboard.filters import Filters
from tests.conftest import DEMO_EXTRACTS

THRESHOLD = 10
MEASURES = ("it_skills", "info_available", "it_unreliable")
# The contract's definitions ("Headline measures"), restated independently of the SQL macro.
POSITIVE = {"it_skills": {"Good", "Very good"}, "info_available": {"Yes"}, "it_unreliable": {"Agree", "Strongly agree"}}
NOT_COUNTED = {"info_available": {"Don't know"}}
PUBLISHED = {"it_skills": 39, "info_available": 69, "it_unreliable": 65}
AMH = "Adult mental health"
CHS = "Community health services"


# --- Independent computations -------------------------------------------------------


def read_responses(folder: Path = DEMO_EXTRACTS) -> pd.DataFrame:
    frame = pd.read_csv(folder / "survey_responses.csv", dtype=str, keep_default_na=False)
    frame["submitted_on"] = pd.to_datetime(frame["submitted_on"], format="%Y-%m-%d").dt.date
    for column in ("care_group", "service_area", "staff_group"):
        frame[column] = frame[column].replace("", "Not stated")
    return frame


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_responses()


def filtered(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, values in (("care_group", filters.care_groups), ("service_area", filters.service_areas),
                           ("survey", filters.surveys), ("staff_group", filters.staff_groups)):
        if values:
            keep &= frame[column].isin(values)  # 'Not stated' is never a filter value, so empties drop out
    if filters.date_from:
        keep &= frame["submitted_on"] >= filters.date_from
    if filters.date_to:
        keep &= frame["submitted_on"] <= filters.date_to
    return frame[keep]


def counted(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The responses in the measure's base, with a 'positive' column."""
    answers = frame[measure]
    base = frame[(answers != "") & ~answers.isin(NOT_COUNTED.get(measure, set()))].copy()
    base["positive"] = base[measure].isin(POSITIVE[measure])
    return base


def percent_half_up(positive: int, n: int) -> int:
    # Exact integer arithmetic: round half up, as published.
    return (200 * positive + n) // (2 * n)


def expected_headline(frame: pd.DataFrame, measure: str, filters: Filters = Filters()) -> tuple[int, int, int | None]:
    base = counted(filtered(frame, filters), measure)
    n, positive = len(base), int(base["positive"].sum())
    return n, positive, percent_half_up(positive, n) if n else None


def expected_groups(frame: pd.DataFrame, measure: str, by: list[str], filters: Filters = Filters()) -> pd.DataFrame:
    base = counted(filtered(frame, filters), measure)
    return base.groupby(by, as_index=False).agg(n=("positive", "size"), positive=("positive", "sum"))


def small_area(frame: pd.DataFrame, measure: str) -> str:
    """A real service area with fewer than THRESHOLD counted answers to ``measure``."""
    sizes = expected_groups(frame, measure, ["service_area"])
    sizes = sizes[(sizes["service_area"] != "Not stated") & (sizes["n"] < THRESHOLD) & (sizes["n"] > 0)]
    return str(sizes.sort_values(["n", "service_area"]).iloc[0]["service_area"])


@pytest.fixture(scope="module")
def database(demo_db: Path) -> Iterator[db.Database]:
    database = db.Database(demo_db)
    db.pin(database)
    yield database
    db.pin(None)
    database.close()


FILTER_CASES = [
    pytest.param(Filters(care_groups=(AMH,)), id="care group"),
    pytest.param(Filters(care_groups=(AMH, CHS), surveys=("Staff",)), id="two care groups, staff survey"),
    pytest.param(Filters(surveys=("Service user", "Carer")), id="service users and carers"),
    pytest.param(Filters(staff_groups=("Nursing", "Healthcare support worker")), id="staff groups"),
    pytest.param(Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30)), id="March and April"),
    pytest.param(Filters(surveys=("Digital champion",), date_from=dt.date(2021, 5, 1)), id="champions from May"),
]


# --- Headline -----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_headline_with_no_filters_is_the_published_figure(database, responses, measure: str) -> None:
    frame = survey.headline(measure, Filters(), THRESHOLD)
    n, positive, percent = expected_headline(responses, measure)
    assert percent == PUBLISHED[measure]
    assert list(frame["scope"]) == [survey.SCOPE_SELECTED, survey.SCOPE_TRUST]
    for _, row in frame.iterrows():
        assert (row["n"], row["positive"], row["percent"]) == (n, positive, PUBLISHED[measure])
        assert not row["hidden"]
        assert row["low"] < positive / n < row["high"]


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", FILTER_CASES)
def test_headline_follows_the_filters(database, responses, measure: str, filters: Filters) -> None:
    frame = survey.headline(measure, filters, THRESHOLD)
    n, positive, percent = expected_headline(responses, measure, filters)
    selected, trust = frame.iloc[0], frame.iloc[1]
    if n < THRESHOLD:
        assert selected["hidden"] and pd.isna(selected["n"]) and pd.isna(selected["percent"])
    else:
        assert (selected["n"], selected["positive"], selected["percent"]) == (n, positive, percent)
    assert (trust["n"], trust["percent"]) == expected_headline(responses, measure)[::2]


def test_a_filter_changes_the_headline(database, responses) -> None:
    filters = Filters(care_groups=(AMH,), surveys=("Staff",))
    n, positive, percent = expected_headline(responses, "it_skills", filters)
    row = survey.headline("it_skills", filters, THRESHOLD).iloc[0]
    assert (row["n"], row["percent"]) == (n, percent)
    assert n < expected_headline(responses, "it_skills")[0]


def test_small_selection_hides_everything(database, responses) -> None:
    area = small_area(responses, "it_skills")
    filters = Filters(service_areas=(area,))
    head = survey.headline("it_skills", filters, THRESHOLD)
    assert survey.selected_is_hidden(head)
    assert head.iloc[0][survey.FIGURES].isna().all()
    assert head.iloc[0]["hidden_reason"] == "fewer than 10 responses"
    assert survey.distribution("it_skills", filters, THRESHOLD)[["responses", "share", "counted"]].isna().all().all()
    for dimension in survey.DIMENSIONS:
        assert survey.breakdown("it_skills", dimension, filters, THRESHOLD).empty
    assert survey.trend("it_skills", filters, THRESHOLD).empty
    comments = survey.comments("it_skills", filters, THRESHOLD)
    assert survey.comments_hidden(comments) == "fewer than 10 responses"
    assert comments["comment"].isna().all()
    assert "hidden" in survey.headline_sentence("it_skills", head)


# --- Distribution ---------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", [Filters(), Filters(care_groups=(CHS,), surveys=("Staff",))])
def test_distribution_matches_pandas(database, responses, measure: str, filters: Filters) -> None:
    frame = survey.distribution(measure, filters, THRESHOLD).set_index("answer")
    rows = filtered(responses, filters)
    answered = rows[rows[measure] != ""]
    counts = answered[measure].value_counts()
    base = counted(rows, measure)
    assert list(frame.index) == list(survey.measures.SURVEY_MEASURES[measure].scale)
    for answer, row in frame.iterrows():
        assert row["responses"] == counts.get(answer, 0)
        assert row["share_of_answered"] == pytest.approx(counts.get(answer, 0) / len(answered))
        if answer in NOT_COUNTED.get(measure, ()):
            assert row["counted"] is False and pd.isna(row["share"])
        else:
            assert row["share"] == pytest.approx(counts.get(answer, 0) / len(base))
    positive_share = frame.loc[list(POSITIVE[measure]), "share"].sum()
    assert positive_share == pytest.approx(base["positive"].mean())


def test_dont_know_is_shown_apart(database, responses) -> None:
    frame = survey.distribution("info_available", Filters(), THRESHOLD)
    dont_know = frame.set_index("answer").loc["Don't know"]
    assert dont_know["responses"] == (responses["info_available"] == "Don't know").sum() > 0
    sentence = survey.distribution_sentence("info_available", frame)
    assert f"{int(dont_know['responses']):,} more said Don't know and are not counted" in sentence
    assert sentence.startswith(f"Of {expected_headline(responses, 'info_available')[0]:,} people counted, 69% answered Yes")


# --- Breakdown ----------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("dimension", ["care_group", "survey", "staff_group"])
@pytest.mark.parametrize("filters", [Filters(), Filters(care_groups=(AMH, CHS)), Filters(surveys=("Staff",))])
def test_breakdown_matches_pandas(database, responses, measure: str, dimension: str, filters: Filters) -> None:
    frame = survey.breakdown(measure, dimension, filters, THRESHOLD)
    expected = expected_groups(responses, measure, [dimension], filters).set_index(dimension)
    assert sorted(frame[dimension]) == sorted(expected.index)  # one row per group, 'Not stated' included
    assert (frame["group"] == frame[dimension]).all()
    for _, row in frame.iterrows():
        truth = expected.loc[row[dimension]]
        if truth["n"] < THRESHOLD:
            assert row["hidden"] and row["hidden_reason"] == "fewer than 10 responses"
        if row["hidden"]:
            assert pd.isna(row["n"]) and pd.isna(row["share"]) and pd.isna(row["percent"])
        else:
            assert (row["n"], row["positive"]) == (truth["n"], truth["positive"])
            assert row["percent"] == percent_half_up(truth["positive"], truth["n"])
            assert row["low"] <= row["share"] <= row["high"]
    assert frame["hidden"].sum() != 1
    shown = frame[~frame["hidden"]]
    assert list(shown["share"]) == sorted(shown["share"], reverse=True)


def test_breakdown_by_care_group_with_no_filters(database, responses) -> None:
    frame = survey.breakdown("it_skills", "care_group", Filters(), THRESHOLD)
    expected = expected_groups(responses, "it_skills", ["care_group"])
    expected["share"] = expected["positive"] / expected["n"]
    assert "Not stated" in set(frame["care_group"])
    top = expected.sort_values("share").iloc[-1]
    bottom = expected.sort_values("share").iloc[0]
    sentence = survey.breakdown_sentence("it_skills", "care_group", frame)
    assert f"the highest was {top['care_group']} ({percent_half_up(top['positive'], top['n'])}%)" in sentence
    assert f"the lowest {bottom['care_group']} ({percent_half_up(bottom['positive'], bottom['n'])}%)" in sentence
    assert sentence.startswith(f"Of {expected['n'].sum():,} people who answered in the {len(expected)} care groups shown, 39%")


@pytest.mark.parametrize("measure", MEASURES)
def test_breakdown_by_service_area_within_care_group(database, responses, measure: str) -> None:
    frame = survey.breakdown(measure, "service_area", Filters(), THRESHOLD)
    expected = expected_groups(responses, measure, ["care_group", "service_area"]).set_index(["care_group", "service_area"])
    assert sorted(zip(frame["care_group"], frame["service_area"])) == sorted(expected.index)
    assert frame["group"].is_unique
    assert {"Not stated (Adult mental health)", "Not stated (Community health services)"} <= set(frame["group"])
    for _, row in frame.iterrows():
        truth = expected.loc[(row["care_group"], row["service_area"])]
        if truth["n"] < THRESHOLD:
            assert row["hidden"]
        if not row["hidden"]:
            assert (row["n"], row["positive"]) == (truth["n"], truth["positive"])
    # The demo has small areas, so there is something to suppress, and it is suppressed.
    assert (expected["n"] < THRESHOLD).any() and frame["hidden"].any()
    for _, members in frame.groupby("care_group"):
        assert members["hidden"].sum() != 1 or len(members) == 1
    assert frame["hidden"].sum() != 1


def test_breakdown_rejects_unknown_dimension_and_measure(database) -> None:
    with pytest.raises(ValueError):
        survey.breakdown("it_skills", "response_id", Filters(), THRESHOLD)
    with pytest.raises(ValueError):
        survey.breakdown("comment", "care_group", Filters(), THRESHOLD)
    with pytest.raises(ValueError):
        survey.headline("1; drop table survey_responses", Filters(), THRESHOLD)


def test_breakdown_table_blanks_hidden_rows_with_reason(database, responses) -> None:
    frame = survey.breakdown("it_skills", "service_area", Filters(care_groups=(AMH,)), THRESHOLD)
    table = survey.breakdown_table(frame, "service_area")
    assert list(table.columns[:2]) == ["Care group", "Service area"]
    hidden = table[table["Hidden because"] != ""]
    assert len(hidden) >= 2
    assert hidden[["Answered (n)", "Positive", "Percent", "95% CI low (%)", "95% CI high (%)"]].isna().all().all()
    csv = export.to_csv(table, {"Filters": "Care group: Adult mental health"}).decode("utf-8-sig")
    for line in csv.splitlines():
        if "fewer than 10" in line:
            assert ",,,,," in line  # every figure blank in the download


# --- Trend --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", [Filters(), Filters(care_groups=(AMH,), surveys=("Staff",)),
                                     Filters(surveys=("Digital champion",))])
def test_trend_matches_pandas(database, responses, measure: str, filters: Filters) -> None:
    frame = survey.trend(measure, filters, THRESHOLD)
    base = counted(filtered(responses, filters), measure)
    base["month"] = pd.to_datetime(base["submitted_on"]).dt.to_period("M").dt.to_timestamp()
    expected = base.groupby("month").agg(n=("positive", "size"), positive=("positive", "sum"))
    assert [pd.Timestamp(m) for m in frame["month"]] == list(expected.index)
    for _, row in frame.iterrows():
        truth = expected.loc[pd.Timestamp(row["month"])]
        if truth["n"] < THRESHOLD:
            assert row["hidden"]
        if not row["hidden"]:
            assert (row["n"], row["positive"], row["percent"]) == (
                truth["n"], truth["positive"], percent_half_up(truth["positive"], truth["n"]))
    assert frame["hidden"].sum() != 1


def test_trend_sentence_names_the_range(database, responses) -> None:
    frame = survey.trend("it_unreliable", Filters(), THRESHOLD)
    base = counted(responses, "it_unreliable")
    base["month"] = pd.to_datetime(base["submitted_on"]).dt.strftime("%B %Y")
    by_month = base.groupby("month")["positive"].agg(["sum", "size"])
    percents = {m: percent_half_up(r["sum"], r["size"]) for m, r in by_month.iterrows()}
    sentence = survey.trend_sentence("it_unreliable", frame)
    assert f"ranged from {min(percents.values())}%" in sentence
    assert f"to {max(percents.values())}%" in sentence


# --- Comments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("search", ["", "wi-fi", "WI-FI", "teams", "%", "_", "' or 1=1 --", "\\", "zzzz-nothing"])
@pytest.mark.parametrize("filters", [Filters(), Filters(care_groups=(CHS,), staff_groups=("Nursing",))])
def test_comments_match_pandas(database, responses, search: str, filters: Filters) -> None:
    frame = survey.comments("it_skills", filters, THRESHOLD, search)
    rows = filtered(responses, filters)
    rows = rows[rows["it_skills"] != ""]  # those who answered the question
    texts = rows["comment"].str.strip()
    texts = texts[texts != ""]
    expected = sorted(t for t in texts if search.strip().lower() in t.lower())
    assert survey.comments_hidden(frame) is None
    assert sorted(frame["comment"]) == expected
    assert list(frame.columns) == ["comment", "hidden", "hidden_reason"]  # nothing that points at a group


def test_comments_without_a_measure_cover_every_response(database, responses) -> None:
    frame = survey.comments(None, Filters(surveys=("Carer",)), THRESHOLD, "")
    carers = responses[(responses["survey"] == "Carer") & (responses["comment"].str.strip() != "")]
    assert len(frame) == len(carers)


def test_comments_search_is_cut_to_a_sensible_length(database) -> None:
    assert survey.comments("it_skills", Filters(), THRESHOLD, "a" * 10_000).empty


# --- Sentences -------------------------------------------------------------------------------------------


def test_headline_sentence(database, responses) -> None:
    filters = Filters(care_groups=(AMH,))
    n, _, percent = expected_headline(responses, "it_unreliable", filters)
    trust_n, _, trust_percent = expected_headline(responses, "it_unreliable")
    sentence = survey.headline_sentence("it_unreliable", survey.headline("it_unreliable", filters, THRESHOLD))
    assert sentence.startswith(f"Of {n:,} people who answered, {percent}% agreed that IT is too unreliable (95% CI ")
    assert sentence.endswith(f"across the whole Trust it was {trust_percent}% of {trust_n:,}.")


def test_hidden_groups_are_only_counted_in_sentences(database, responses) -> None:
    frame = survey.breakdown("it_skills", "service_area", Filters(), THRESHOLD)
    sentence = survey.breakdown_sentence("it_skills", "service_area", frame)
    hidden = frame[frame["hidden"]]
    assert f"{len(hidden)} service areas are hidden" in sentence
    assert not any(label in sentence for label in hidden["group"])


def test_hidden_reason_text_is_the_shared_one() -> None:
    assert disclosure.HIDDEN_SMALL.format(threshold=THRESHOLD) == "fewer than 10 responses"


@pytest.mark.parametrize("search", ["", "wi-fi", "zzzz-nothing"])
def test_comments_listed_are_the_first_of_the_sorted_list_and_counted_in_full(database, responses, search: str) -> None:
    rows = responses[responses["it_skills"] != ""]
    texts = rows["comment"].str.strip()
    expected = sorted(t for t in texts[texts != ""] if search.lower() in t.lower())
    frame = survey.comments("it_skills", Filters(), THRESHOLD, search, limit=7)
    assert list(frame["comment"]) == expected[:7]
    assert survey.comment_count("it_skills", Filters(), search) == len(expected)
    if not search:
        assert len(expected) > 7  # the cap is exercised
