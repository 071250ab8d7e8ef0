"""Survey waves and the question bank (issue 12): the build, change since a wave, the All
questions page, a new question added as data, and you said / we did across waves.

Expected figures come from tests/oracle.py (pandas over the extract CSVs, its own record keys)
and from plain pandas over actions.csv; the two-proportion z-test is written out again here.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import all_questions, beside_action, beside_action_charts, measures, survey
from dashboard.filters import Filters, Options, from_query_params, to_query_params
from pipeline.build import build
from pipeline.ingest import BuildError
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, ROOT, copy_extracts, opened_database, write_csv

THEN, NOW = "2021", "2023"
HEADLINE = ("it_skills", "info_available", "it_unreliable")


def z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return oracle.read_responses()


@pytest.fixture(scope="module")
def options(demo_db: Path) -> Options:
    con = duckdb.connect(str(demo_db), read_only=True)
    waves = con.sql("select wave_id, name, opened, closed from waves order by opened").fetchall()
    con.close()
    return Options(
        {},
        dt.date(2021, 2, 1),
        dt.date(2023, 5, 31),
        waves=tuple(w[0] for w in waves),
        wave_names={w[0]: w[1] for w in waves},
        wave_dates={w[0]: (w[2], w[3]) for w in waves},
    )


@pytest.fixture
def database(demo_db: Path) -> Iterator[None]:
    yield from opened_database(demo_db)


def app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page != "app.py":
        at.switch_page(f"pages/{page}")
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


# --- The build ------------------------------------------------------------------------


def test_demo_builds_two_waves_and_a_bank_of_four_questions(demo_db: Path) -> None:
    con = duckdb.connect(str(demo_db), read_only=True)
    assert con.sql("select wave_id from waves order by opened").fetchall() == [(THEN,), (NOW,)]
    assert [q for (q,) in con.sql("select question_id from questions order by position").fetchall()] == [
        *HEADLINE,
        "epr_confidence",
    ]
    asked = set(con.sql("select question_id, wave_id from question_waves").fetchall())
    assert ("epr_confidence", NOW) in asked and ("epr_confidence", THEN) not in asked
    assert con.sql("select count(*) from rejects").fetchall() == [(0,)]
    con.close()


def test_the_2021_wave_still_gives_the_published_figures(database, responses) -> None:
    headline = measures.survey_headline(database, Filters(wave=THEN), oracle.THRESHOLD)
    for measure in HEADLINE:
        n, positive, percent = oracle.expected_headline(responses, measure, Filters(wave=THEN))
        assert (headline.loc[measure, "n"], headline.loc[measure, "positive"]) == (n, positive)
        assert headline.loc[measure, "percent"] == percent == oracle.PUBLISHED[measure]


def test_figures_follow_the_wave_and_default_to_the_latest(database, responses) -> None:
    latest = measures.survey_headline(database, Filters(), oracle.THRESHOLD)
    assert latest.equals(measures.survey_headline(database, Filters(wave=NOW), oracle.THRESHOLD))
    for measure in (*HEADLINE, "epr_confidence"):
        n, positive, _ = oracle.expected_headline(responses, measure, Filters(wave=NOW))
        assert (latest.loc[measure, "n"], latest.loc[measure, "positive"]) == (n, positive), measure
    # A question the wave does not ask has no figure there.
    assert pd.isna(
        measures.survey_headline(database, Filters(wave=THEN), oracle.THRESHOLD).loc["epr_confidence", "percent"]
    )


def _answers_folder(tmp_path: Path) -> Path:
    return copy_extracts(DEMO_EXTRACTS, tmp_path / "extracts")


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writerows(rows)


def test_bad_answers_are_rejected_with_file_line_column_and_reason(tmp_path: Path) -> None:
    folder = _answers_folder(tmp_path)
    lines = len((folder / "survey_answers.csv").read_text(encoding="utf-8").splitlines())
    first_2021 = pd.read_csv(folder / "survey_responses.csv", dtype=str).query("wave == '2021'")["response_id"].iloc[0]
    last_2023 = pd.read_csv(folder / "survey_responses.csv", dtype=str).query("wave == '2023'")["response_id"].iloc[-1]
    _append(
        folder / "survey_answers.csv",
        [
            {"response_id": first_2021, "question_id": "epr_confidence", "answer": "Agree"},  # not asked in 2021
            {"response_id": last_2023, "question_id": "it_skills", "answer": "Brilliant"},  # not on the scale
            {"response_id": last_2023, "question_id": "no_such_question", "answer": "Yes"},
            {"response_id": "R-NOBODY", "question_id": "it_skills", "answer": "Good"},
        ],
    )
    database = tmp_path / "x.duckdb"
    report = build(folder, database)
    con = duckdb.connect(str(database), read_only=True)
    rejects = con.sql(
        'select line, "column", value, reason from rejects where file = \'survey_answers.csv\' order by line, "column"'
    ).fetchall()
    con.close()
    assert (lines + 1, "question_id", "epr_confidence", "is not asked in its response's wave") in rejects
    assert (lines + 2, "answer", "Brilliant", "is not on its question's scale") in rejects
    assert (lines + 3, "question_id", "no_such_question", "is not in questions") in rejects
    assert (lines + 4, "response_id", "R-NOBODY", "is not in survey_responses") in rejects
    assert [f.rows_rejected for f in report.files if f.file == "survey_answers.csv"] == [4]


def test_answers_match_their_scale_ignoring_case_and_are_stored_as_the_scale_spells_them(tmp_path: Path) -> None:
    folder = _answers_folder(tmp_path)
    answers = pd.read_csv(folder / "survey_answers.csv", dtype=str, keep_default_na=False)
    shouted = answers["answer"].str.upper()
    answers.assign(answer=shouted).to_csv(folder / "survey_answers.csv", index=False)
    database = tmp_path / "x.duckdb"
    build(folder, database)
    con = duckdb.connect(str(database), read_only=True)
    stored = con.sql(
        "select a.answer from survey_answers a where a.answer is not null and not exists "
        "(select 1 from answer_scale s where s.measure = a.question_id and s.answer = a.answer)"
    ).fetchall()
    con.close()
    assert stored == []


def test_the_old_layout_with_a_waves_file_puts_each_response_in_the_wave_holding_its_date(small_extracts, tmp_path):
    write_csv(
        small_extracts / "waves.csv",
        [
            {"wave_id": "spring", "name": "Spring", "opened": "2021-03-01", "closed": "2021-03-31"},
            {"wave_id": "april", "name": "April", "opened": "2021-04-01", "closed": "2021-04-30"},
        ],
    )
    rows = pd.read_csv(small_extracts / "survey_responses.csv", dtype=str, keep_default_na=False)
    late = rows.iloc[[1]].assign(response_id="R3", submitted_on="2021-05-15")  # in no wave
    pd.concat([rows, late]).to_csv(small_extracts / "survey_responses.csv", index=False)
    database = tmp_path / "x.duckdb"
    build(small_extracts, database)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql("select response_id, wave from survey_responses order by 1").fetchall() == [
        ("R1", "spring"),
        ("R2", "april"),
    ]
    assert con.sql('select line, "column", reason from rejects').fetchall() == [
        (4, "submitted_on", "is not within exactly one wave's dates (opened to closed); give the wave")
    ]
    assert con.sql("select count(*) from survey_answers").fetchall() == [(4,)]
    con.close()


def test_an_answer_column_the_questions_file_does_not_ask_stops_the_build_naming_it(small_extracts, tmp_path):
    seed = [
        q
        for q in __import__("pipeline.contract", fromlist=["SEED_QUESTIONS"]).SEED_QUESTIONS
        if q["question_id"] != "info_available"
    ]
    write_csv(
        small_extracts / "questions.csv",
        [
            {
                k: ";".join(v) if isinstance(v, tuple) else ("yes" if v is True else "no" if v is False else v)
                for k, v in q.items()
            }
            for q in seed
        ],
    )
    database = tmp_path / "x.duckdb"
    with pytest.raises(BuildError, match=r"survey_responses\.csv: column info_available .* does not ask"):
        build(small_extracts, database)
    assert not database.exists()


# --- Links ------------------------------------------------------------------------------


def test_wave_and_compare_links_are_checked_and_round_trip(options: Options) -> None:
    parsed = from_query_params({"wave": [THEN], "compare": [NOW]}, options)
    assert parsed.filters.wave == THEN and parsed.filters.compare is None  # 2023 is not earlier than 2021
    assert ("compare", NOW) in parsed.rejected
    parsed = from_query_params({"wave": ["2099"]}, options)
    assert parsed.filters.wave is None and parsed.filters.compare == THEN and ("wave", "2099") in parsed.rejected
    assert from_query_params({"compare": ["none"]}, options).filters.compare is None
    for filters in (Filters(), Filters(wave=THEN), Filters(compare=THEN), Filters(care_groups=("Corporate services",))):
        assert from_query_params(to_query_params(filters, options), options).filters == filters


# --- Change since a wave ------------------------------------------------------------------


def test_change_is_the_difference_of_the_percentages_shown_with_a_z_test_of_the_perturbed_counts(
    database, responses
) -> None:
    for filters in (Filters(compare=THEN), Filters(compare=THEN, care_groups=("Adult mental health",))):
        for measure in HEADLINE:
            frame = survey.headline(database, measure, filters, oracle.THRESHOLD)
            n1, x1, p1 = oracle.expected_headline(responses, measure, filters)
            n0, x0, p0 = oracle.expected_headline(responses, measure, filters.in_wave(THEN))
            row = frame.iloc[0]
            assert (row["percent"], row["compared_percent"], row["change"]) == (p1, p0, p1 - p0)
            assert row["p_value"] == pytest.approx(z_test(x1, n1, x0, n0))
            assert row["significant"] == (z_test(x1, n1, x0, n0) < 0.05)


def test_no_change_without_a_comparison_or_with_months_chosen(database) -> None:
    assert "change" not in survey.headline(database, "it_skills", Filters(), oracle.THRESHOLD)
    months = Filters(compare=THEN, date_from=dt.date(2023, 3, 1))
    assert "change" not in survey.headline(database, "it_skills", months, oracle.THRESHOLD)


def test_a_hidden_group_has_no_change(database, responses) -> None:
    area = oracle.small_area(responses, "it_skills")
    frame = survey.breakdown(database, "it_skills", "service_area", Filters(compare=THEN), oracle.THRESHOLD)
    row = frame.loc[frame["service_area"] == area].iloc[0]
    assert row["hidden"] and pd.isna(row["change"]) and pd.isna(row["p_value"]) and pd.isna(row["compared_percent"])
    shown = frame.loc[~frame["hidden"] & frame["compared_percent"].notna()]
    assert len(shown) and (shown["change"] == shown["percent"] - shown["compared_percent"]).all()


# --- All questions ----------------------------------------------------------------------


def test_all_questions_lists_every_question_in_every_wave_that_asked_it(database, responses, options) -> None:
    filters = Filters(compare=THEN)
    results = all_questions.results(database, filters, options, oracle.THRESHOLD)
    assert list(zip(results["question"], results["wave"])) == [
        *((q, THEN) for q in HEADLINE),
        *((q, NOW) for q in (*HEADLINE, "epr_confidence")),
    ]
    for question, wave, percent in zip(results["question"], results["wave"], results["percent"]):
        assert percent == oracle.expected_headline(responses, question, Filters(wave=wave))[2]
    table = all_questions.table(
        measures.survey_measures(database), results, all_questions.changes(results, filters, options), options
    )
    assert list(table["Measure"])[:3] == ["IT skills rated good", "Information available", "IT too unreliable"]
    assert table.loc[3, f"{THEN} (%)"] is pd.NA and table.loc[3, "Change (points)"] is pd.NA  # epr: 2023 only
    assert list(table.loc[:2, "Change (points)"]) == list(table.loc[:2, f"{NOW} (%)"] - table.loc[:2, f"{THEN} (%)"])


@pytest.mark.slow
def test_all_questions_page_shows_the_table_and_the_change(demo_env) -> None:
    at = app("4_All_questions.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Measure"]) == [
        "IT skills rated good",
        "Information available",
        "IT too unreliable",
        "Confident with the patient record",
    ]
    assert "Real change (p < 0.05)" in table.columns
    assert any("changed by more than chance would explain" in m.value for m in at.markdown)


# --- A new question is a new row -----------------------------------------------------------


@pytest.mark.slow
def test_a_question_added_to_the_extracts_appears_on_the_pages(tmp_path, monkeypatch) -> None:
    folder = _answers_folder(tmp_path)
    with open(folder / "questions.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    _append(
        folder / "questions.csv",
        [
            dict(
                zip(
                    header,
                    [
                        "remote_working",
                        "2023",
                        "I can work remotely without problems.",
                        "Remote working works",
                        "Digital skills",
                        "No;Sometimes;Yes",
                        "Yes",
                        "",
                        "Sometimes",
                        "yes",
                        "said remote working works",
                    ],
                )
            )
        ],
    )
    responses = pd.read_csv(folder / "survey_responses.csv", dtype=str).query("wave == '2023'")["response_id"]
    _append(
        folder / "survey_answers.csv",
        [
            {"response_id": r, "question_id": "remote_working", "answer": ("Yes", "No", "Sometimes", "Yes")[i % 4]}
            for i, r in enumerate(responses)
        ],
    )
    database = tmp_path / "new.duckdb"
    build(folder, database)
    monkeypatch.setenv("DASHBOARD_DB", str(database))
    expected = oracle.expected_headline(oracle.read_responses(folder), "remote_working", Filters(wave=NOW))[2]
    listing = app("4_All_questions.py").dataframe[0].value
    row = listing.loc[listing["Measure"] == "Remote working works"].iloc[0]
    assert row[f"{NOW} (%)"] == expected and row[f"{THEN} (%)"] is pd.NA
    at = app("1_Digital_skills.py", question="Remote working works")
    assert not at.exception
    assert [m.value for m in at.metric if m.label == "This selection"] == [f"{expected}%"]
    assert any("I can work remotely without problems." in m.value for m in at.markdown)


# --- You said, we did, across waves ---------------------------------------------------------


def test_across_waves_puts_each_areas_change_beside_the_actions_completed_between_the_waves(
    database, responses, options
) -> None:
    filters = Filters(compare=THEN)
    frame = beside_action.across_waves(database, filters, options, oracle.THRESHOLD, "it_skills").set_index(
        "service_area"
    )
    actions = pd.read_csv(DEMO_EXTRACTS / "actions.csv", dtype=str, keep_default_na=False)
    done = actions.loc[
        (actions["status"] == "Completed")
        & (actions["completed_on"] > "2021-06-30")
        & (actions["completed_on"] < "2023-03-01")
    ]
    assert len(done)
    expected_done = done.groupby("service_area").size()
    assert frame["actions_completed"].to_dict() == {a: int(expected_done.get(a, 0)) for a in frame.index}
    now = oracle.expected_groups(responses, "it_skills", ["service_area"], Filters(wave=NOW)).set_index("service_area")
    then = oracle.expected_groups(responses, "it_skills", ["service_area"], Filters(wave=THEN)).set_index(
        "service_area"
    )
    both = [
        a
        for a in frame.index
        if a in now.index
        and a in then.index
        and now.loc[a, "n"] >= oracle.THRESHOLD
        and then.loc[a, "n"] >= oracle.THRESHOLD
    ]
    assert len(both) > 10
    for area in both:
        p1 = oracle.percent_half_up(int(now.loc[area, "positive"]), int(now.loc[area, "n"]))
        p0 = oracle.percent_half_up(int(then.loc[area, "positive"]), int(then.loc[area, "n"]))
        assert (frame.loc[area, "now_percent"], frame.loc[area, "then_percent"], frame.loc[area, "change"]) == (
            p1,
            p0,
            p1 - p0,
        ), area
    hidden = frame.loc[[a for a in frame.index if a not in both]]
    assert hidden["change"].isna().all() and hidden["hidden_reason"].notna().all()


def test_across_waves_counts_actions_in_whole_numbers(database, options) -> None:
    """Areas with the same count are spread a little sideways so none hides another, but the axis
    still counts whole actions: ticks at whole numbers from 0, never -0.4 or 1.2 actions."""
    frame = beside_action.across_waves(database, Filters(compare=THEN), options, oracle.THRESHOLD, "it_skills")
    shown = frame.dropna(subset=["change"])
    chart = beside_action_charts.change_beside_actions(shown, "IT skills rated good", higher_is_better=True)
    x = chart.spec["layer"][1]["encoding"]["x"]
    top = int(shown["actions_completed"].max())
    assert x["axis"]["format"] == "d" and x["axis"]["values"][0] == 0
    assert all(isinstance(v, int) and 0 <= v <= top for v in x["axis"]["values"])
    assert x["scale"]["domain"] == [-0.5, top + 0.5]
    plotted = chart.data["plotted"]
    assert plotted.round().astype(int).tolist() == shown["actions_completed"].astype(int).tolist()
    assert plotted.nunique() > shown["actions_completed"].nunique()  # ties were spread


@pytest.mark.slow
def test_actions_page_draws_across_waves(demo_env) -> None:
    at = app("6_Actions_and_quick_wins.py")
    assert not at.exception
    assert any(h.value == "You said, we did: across waves" for h in at.subheader)
    assert any("service areas shown in both" in m.value for m in at.markdown)


@pytest.mark.slow
def test_links_pick_the_wave_and_comparison_and_a_bad_one_gets_a_notice(demo_env, responses) -> None:
    at = app("app.py", wave=THEN)
    tiles = {m.label: m for m in at.metric}
    assert {k: tiles[k].value for k in ("IT skills rated good", "Information available", "IT too unreliable")} == {
        "IT skills rated good": "39%",
        "Information available": "69%",
        "IT too unreliable": "65%",
    }
    assert all(not tiles[k].proto.delta for k in tiles)  # 2021 has no earlier wave
    at = app("app.py")
    delta = {m.label: m.proto.delta for m in at.metric}
    now = oracle.expected_headline(responses, "it_skills", Filters(wave=NOW))[2]
    assert delta["IT skills rated good"] == f"{now - oracle.PUBLISHED['it_skills']:+d} points"
    at = app("app.py", compare="none")
    assert not any(m.proto.delta for m in at.metric)
    at = app("app.py", wave="2099")
    assert any("Ignored wave='2099'" in w.value for w in at.warning)
    assert at.selectbox(key="wave").value == NOW


@pytest.mark.slow
def test_a_link_with_months_and_no_wave_opens_on_the_wave_of_its_months(options: Options, demo_env) -> None:
    parsed = from_query_params({"from": ["2021-03"], "to": ["2021-04"]}, options)
    assert parsed.filters.wave == THEN and not parsed.rejected
    assert from_query_params({"from": ["2023-03"]}, options).filters.wave is None  # the latest
    for filters in (
        Filters(date_from=dt.date(2021, 3, 1)),
        Filters(date_from=dt.date(2021, 3, 1), wave=THEN),
        Filters(date_from=dt.date(2023, 4, 1)),
    ):
        assert from_query_params(to_query_params(filters, options), options).filters == filters
    at = app("app.py", **{"from": "2021-03", "to": "2021-05"})
    assert at.selectbox(key="wave").value == THEN and not at.warning


def test_an_answer_given_both_as_a_legacy_column_and_in_survey_answers_stops_the_build(small_extracts, tmp_path):
    write_csv(
        small_extracts / "survey_answers.csv",
        [
            {"response_id": "R2", "question_id": "it_unreliable", "answer": "agree"},  # R2 left it blank: fine
            {"response_id": "R1", "question_id": "it_skills", "answer": "Good"},  # R1 answered it in its column
        ],
    )
    database = tmp_path / "x.duckdb"
    with pytest.raises(BuildError, match=r"survey_responses\.csv: response R1 answers it_skills both in column"):
        build(small_extracts, database)
    write_csv(
        small_extracts / "survey_answers.csv",
        [{"response_id": "R2", "question_id": "it_unreliable", "answer": "agree"}],
    )
    build(small_extracts, database)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql(
        "select answer from survey_answers where response_id = 'R2' and question_id = 'it_unreliable'"
    ).fetchall() == [("Agree",)]  # stored as the scale spells it
    con.close()


@pytest.mark.slow
def test_a_bank_with_no_question_on_the_theme_pages_still_draws_every_page(tmp_path, monkeypatch) -> None:
    folder = _answers_folder(tmp_path)
    bank = pd.read_csv(folder / "questions.csv", dtype=str, keep_default_na=False)
    bank.loc[bank["question_id"] == "epr_confidence"].assign(theme="Patient record").to_csv(
        folder / "questions.csv", index=False
    )
    answers = pd.read_csv(folder / "survey_answers.csv", dtype=str, keep_default_na=False)
    answers.loc[answers["question_id"] == "epr_confidence"].to_csv(folder / "survey_answers.csv", index=False)
    database = tmp_path / "custom.duckdb"
    build(folder, database)
    monkeypatch.setenv("DASHBOARD_DB", str(database))
    for page in (
        "app.py",
        "1_Digital_skills.py",
        "4_All_questions.py",
        "6_Actions_and_quick_wins.py",
        "8_Data_and_definitions.py",
    ):
        at = app(page)
        assert not at.exception, (page, at.exception)
    listing = app("4_All_questions.py").dataframe[0].value
    assert list(listing["Measure"]) == ["Confident with the patient record"]
