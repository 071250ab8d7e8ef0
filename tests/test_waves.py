"""Survey waves and the question bank (issue 12): the build, change since a wave, the All
questions page, a new question added as data, and you said / we did across waves.

Expected figures come from tests/oracle.py (pandas over the extract CSVs, the release's noise
worked out again, which groups were released read from the file) and from plain pandas over
actions.csv; the two-proportion z-test is written out again here. The served file holds no
response or answer: what the build made of answers is checked in the release it serves
(``release_cells``), on small extracts built with a key and a threshold of 1 so that every group
is released, against counts worked out by hand with the oracle's noise.
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

import demo.model as demo_model
from dashboard.core import measures
from dashboard.core.filters import Filters, Options, from_query_params, to_query_params
from dashboard.features import all_questions, beside_action, survey
from dashboard.render import beside_action_charts
from pipeline.build import build
from pipeline.ingest import BuildError
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, ROOT, SMALL, copy_extracts, opened_database, write_csv

THEN, NOW = "2021", "2023"
HEADLINE = ("it_skills", "info_available", "it_unreliable")


def z_test(x1: int, n1: int, x2: int, n2: int) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.fixture(scope="module")
def options(demo_db: Path) -> Options:
    con = duckdb.connect(str(demo_db), read_only=True)
    waves = con.sql("select wave_id, name, opened, closed from waves order by opened").fetchall()
    con.close()
    return Options(
        {},
        dt.date(2021, 2, 1),
        dt.date(2023, 5, 31),
        care_groups=demo_model.CARE_GROUPS,
        surveys=demo_model.SURVEYS,
        staff_groups=demo_model.STAFF_GROUPS,
        waves=tuple(w[0] for w in waves),
        wave_names={w[0]: w[1] for w in waves},
        wave_dates={w[0]: (w[2], w[3]) for w in waves},
    )


@pytest.fixture
def database(demo_db: Path) -> Iterator[None]:
    yield from opened_database(demo_db)


KEY = "a-key-set-where-the-database-is-built"
# The small extracts' answers (tests/conftest.py), per response: '' when blank.
SMALL_ANSWERS = {r["response_id"]: {m: r[m] for m in oracle.MEASURES} for r in SMALL["survey_responses"]}


def build_everything_released(
    folder: Path, database: Path, monkeypatch: pytest.MonkeyPatch, accept_rejects: bool = False
) -> None:
    """Build with a perturbation key and a threshold of 1: every group of the release is released, so
    what the build made of each response and answer shows in ``release_cells``."""
    with monkeypatch.context() as during_build:
        during_build.setenv("DASHBOARD_PERTURBATION_KEY", KEY)
        during_build.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
        build(folder, database, accept_rejects=accept_rejects)


def released_cells(database: Path, **group: str | None) -> dict[tuple[str, str | None], int]:
    """(measure, answer) -> released count of the answers group named by ``group`` (wave, care_group,
    service_area, survey, staff_group; a label left out means 'all')."""
    labels = ("care_group", "service_area", "survey", "staff_group")
    where = " and ".join(
        ["kind = 'answers'", "wave = $wave"] + [f"{c} is not distinct from ${c}" for c in labels] + ["month is null"]
    )
    con = duckdb.connect(str(database), read_only=True)
    rows = con.execute(
        f"select measure, answer, responses from release_cells where {where}",
        {"wave": group["wave"], **{c: group.get(c) for c in labels}},
    ).fetchall()
    con.close()
    return {(m, a): r for m, a, r in rows}


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


def test_the_2021_wave_still_gives_the_published_figures(database, responses, release) -> None:
    headline = measures.survey_headline(database, Filters(wave=THEN))
    for measure in HEADLINE:
        n, positive, percent = oracle.expected_headline(responses, measure, Filters(wave=THEN), release)
        assert (headline.loc[measure, "n"], headline.loc[measure, "positive"]) == (n, positive)
        assert headline.loc[measure, "percent"] == percent == oracle.PUBLISHED[measure]


def test_figures_follow_the_wave_and_default_to_the_latest(database, responses, release) -> None:
    latest = measures.survey_headline(database, Filters())
    assert latest.equals(measures.survey_headline(database, Filters(wave=NOW)))
    for measure in (*HEADLINE, "epr_confidence"):
        n, positive, _ = oracle.expected_headline(responses, measure, Filters(wave=NOW), release)
        assert n is not None and (latest.loc[measure, "n"], latest.loc[measure, "positive"]) == (n, positive), measure
    # A question the wave does not ask has no figure there.
    assert pd.isna(measures.survey_headline(database, Filters(wave=THEN)).loc["epr_confidence", "percent"])


def _answers_folder(tmp_path: Path) -> Path:
    return copy_extracts(DEMO_EXTRACTS, tmp_path / "extracts")


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writerows(rows)


def test_bad_answers_are_rejected_with_file_line_column_and_reason(tmp_path: Path) -> None:
    """Each bad answer row is rejected with its line, column and reason; the value it held is not
    served (a survey file's rows are answers)."""
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
    assert (lines + 1, "question_id", None, "is not asked in its response's wave") in rejects
    assert (lines + 2, "answer", None, "is not on its question's scale") in rejects
    assert (lines + 3, "question_id", None, "is not in questions") in rejects
    assert (lines + 4, "response_id", None, "is not in survey_responses") in rejects
    # An answer of no known response is not also said to be in the wrong wave.
    assert [r for r in rejects if r[0] == lines + 4] == [(lines + 4, "response_id", None, "is not in survey_responses")]
    assert all(value is None for _, _, value, _ in rejects)
    assert [f.rows_rejected for f in report.files if f.file == "survey_answers.csv"] == [4]


def test_answers_match_their_scale_ignoring_case_and_are_stored_as_the_scale_spells_them(
    tmp_path: Path, demo_db: Path
) -> None:
    """The demo's answers written in capitals give the demo's release exactly: each answer counted
    as the scale spells it (same responses, same key: same cells), and no other spelling released."""
    folder = _answers_folder(tmp_path)
    answers = pd.read_csv(folder / "survey_answers.csv", dtype=str, keep_default_na=False)
    shouted = answers["answer"].str.upper()
    assert (shouted != answers["answer"]).any()
    answers.assign(answer=shouted).to_csv(folder / "survey_answers.csv", index=False)
    database = tmp_path / "x.duckdb"
    build(folder, database)

    def cells(path: Path) -> list[tuple]:
        con = duckdb.connect(str(path), read_only=True)
        rows = con.sql("select * from release_cells order by all").fetchall()
        off_scale = con.sql(
            "select c.answer from release_cells c where c.answer is not null and not exists "
            "(select 1 from answer_scale s where s.measure = c.measure and s.answer = c.answer)"
        ).fetchall()
        con.close()
        assert off_scale == []
        return rows

    shouted_cells = cells(database)
    assert len(shouted_cells) and shouted_cells == cells(demo_db)


def test_a_date_outside_its_given_wave_is_a_reject_not_a_move_to_another_wave(small_extracts, tmp_path, monkeypatch):
    """A response whose wave is given but whose date is outside that wave's dates (a month-first date
    read day-first, say) is rejected with its line, never counted in the wave its date falls in."""
    write_csv(
        small_extracts / "waves.csv",
        [
            {"wave_id": "spring", "name": "Spring", "opened": "2021-03-01", "closed": "2021-03-31"},
            {"wave_id": "april", "name": "April", "opened": "2021-04-01", "closed": "2021-04-30"},
        ],
    )
    rows = pd.read_csv(small_extracts / "survey_responses.csv", dtype=str, keep_default_na=False)
    rows["wave"] = ["spring", "april"]
    misdated = rows.iloc[[0]].assign(response_id="R3", submitted_on="2021-04-03")  # 03/04 read the wrong way
    pd.concat([rows, misdated]).to_csv(small_extracts / "survey_responses.csv", index=False)
    database = tmp_path / "x.duckdb"
    build_everything_released(small_extracts, database, monkeypatch, accept_rejects=True)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql('select line, "column", reason from rejects').fetchall() == [
        (
            4,
            "submitted_on",
            "is outside its wave's dates (opened to closed): a date misread (month-first?) or the wrong wave",
        )
    ]
    trust = "kind = 'answers' and care_group is null and survey is null and staff_group is null"
    assert all(oracle.released_count([r], KEY) > 0 for r in ("R1", "R2"))
    assert dict(con.sql(f"select wave, responses from release_groups where {trust}").fetchall()) == {
        "spring": oracle.released_count(["R1"], KEY),
        "april": oracle.released_count(["R2"], KEY),
    }
    con.close()


def test_the_old_layout_with_a_waves_file_puts_each_response_in_the_wave_holding_its_date(
    small_extracts, tmp_path, monkeypatch
):
    """R1 (March) is in the spring wave, R2 (April) in the April one, R3 (May, in no wave) is rejected:
    seen in the release, built so that every group is released."""
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
    build_everything_released(small_extracts, database, monkeypatch, accept_rejects=True)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql('select line, "column", reason from rejects').fetchall() == [
        (4, "submitted_on", "is not within exactly one wave's dates (opened to closed); give the wave")
    ]
    # The whole Trust in each wave: its units are those of the one response the wave holds.
    assert set(
        con.sql(
            "select wave, care_group, service_area from release_groups where kind = 'answers' "
            "and survey is null and staff_group is null"
        ).fetchall()
    ) == {
        ("spring", None, None),
        ("spring", "Adult mental health", None),
        ("spring", "Adult mental health", "Ward A"),
        ("april", None, None),
        ("april", "Not stated", None),
        ("april", "Not stated", "Not stated"),
    }
    con.close()
    # Each wave's cells hold exactly its response's answers (R1's three in spring, R2's one in April,
    # R3's none): the questions answered there (a base of at least 1), every answer of each scale and
    # the blank one, each the released count of who gave it.
    assert all(oracle.released_count([r], KEY) > 0 for r in ("R1", "R2"))  # a lost answer would show
    for wave, response in (("spring", "R1"), ("april", "R2")):
        cells = released_cells(database, wave=wave)
        answered = [m for m in oracle.MEASURES if SMALL_ANSWERS[response][m]]
        assert set(cells) == {(m, a) for m in answered for a in (None, *oracle.SCALES[m])}
        for (measure, answer), count in cells.items():
            gave = SMALL_ANSWERS[response][measure] == (answer or "")
            assert count == oracle.released_count([response] if gave else [], KEY), (wave, measure, answer)


def test_without_a_waves_file_one_wave_covers_the_whole_months_of_the_responses(small_extracts, tmp_path):
    """The small extracts' responses are dated 15 March and 15 April 2021: the default wave is named by
    its months and runs from the first day of the first to the last day of the last (its dates are
    shown, and need not tell the day of the first or last response)."""
    dates = sorted(dt.date.fromisoformat(r["submitted_on"]) for r in SMALL["survey_responses"])
    assert [(d.month, d.day) for d in dates] == [(3, 15), (4, 15)]
    database = tmp_path / "x.duckdb"
    build(small_extracts, database)
    con = duckdb.connect(str(database), read_only=True)
    assert con.sql("select wave_id, name, opened, closed from waves").fetchall() == [
        ("2021", "March 2021 to April 2021", dt.date(2021, 3, 1), dt.date(2021, 4, 30))
    ]
    assert set(con.sql("select distinct wave_id from question_waves").fetchall()) == {("2021",)}
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
    database, responses, release
) -> None:
    for filters in (Filters(compare=THEN), Filters(compare=THEN, care_groups=("Adult mental health",))):
        for measure in HEADLINE:
            frame = survey.headline(database, measure, filters)
            n1, x1, p1 = oracle.expected_headline(responses, measure, filters, release)
            n0, x0, p0 = oracle.expected_headline(responses, measure, filters.in_wave(THEN), release)
            assert None not in (p1, p0)
            row = frame.iloc[0]
            assert (row["percent"], row["compared_percent"], row["change"]) == (p1, p0, p1 - p0)
            assert row["p_value"] == pytest.approx(z_test(x1, n1, x0, n0))
            assert row["significant"] == (z_test(x1, n1, x0, n0) < 0.05)


def test_no_change_without_a_comparison_or_with_months_chosen(database) -> None:
    """Change since a wave is shown only for whole waves: not with months picked, although the
    months leave the figure itself as it is (survey figures are whole-wave)."""
    assert "change" in survey.headline(database, "it_skills", Filters(compare=THEN))
    assert "change" not in survey.headline(database, "it_skills", Filters())
    months = Filters(compare=THEN, date_from=dt.date(2023, 3, 1))
    with_months = survey.headline(database, "it_skills", months)
    assert "change" not in with_months
    whole = survey.headline(database, "it_skills", Filters(compare=THEN))
    assert with_months[["n", "positive", "percent"]].equals(whole[["n", "positive", "percent"]])


def _area_shown(release: oracle.Released, wave: str, area: str, measure: str) -> bool:
    return release.shows((wave, "answers", oracle.care_group_of(area), area, None, None, None), measure)


def test_a_hidden_group_has_no_change(database, release) -> None:
    """An area hidden now has no change; nor has one shown now but hidden in the compared wave;
    the others' change is the difference of the two percentages shown."""
    areas = [a for areas in oracle.structure().values() for a in areas]
    hidden_now = [a for a in areas if not _area_shown(release, NOW, a, "it_skills")]
    hidden_then = [
        a for a in areas if _area_shown(release, NOW, a, "it_skills") and not _area_shown(release, THEN, a, "it_skills")
    ]
    assert hidden_now and hidden_then
    frame = survey.breakdown(database, "it_skills", "service_area", Filters(compare=THEN))
    for area in hidden_now:
        row = frame.loc[frame["service_area"] == area].iloc[0]
        assert row["hidden"] and pd.isna(row["change"]) and pd.isna(row["p_value"]), area
        assert pd.isna(row["compared_percent"]), area
    for area in hidden_then:
        row = frame.loc[frame["service_area"] == area].iloc[0]
        assert not row["hidden"] and pd.notna(row["percent"]), area
        assert pd.isna(row["compared_percent"]) and pd.isna(row["change"]) and pd.isna(row["p_value"]), area
    shown = frame.loc[~frame["hidden"] & frame["compared_percent"].notna()]
    assert len(shown) and (shown["change"] == shown["percent"] - shown["compared_percent"]).all()


# --- All questions ----------------------------------------------------------------------


def test_all_questions_lists_every_question_in_every_wave_that_asked_it(database, responses, options, release) -> None:
    filters = Filters(compare=THEN)
    results = all_questions.results(database, filters, options)
    assert list(zip(results["question"], results["wave"])) == [
        *((q, THEN) for q in HEADLINE),
        *((q, NOW) for q in (*HEADLINE, "epr_confidence")),
    ]
    for question, wave, percent in zip(results["question"], results["wave"], results["percent"]):
        assert percent == oracle.expected_headline(responses, question, Filters(wave=wave), release)[2]
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
    assert "Bigger than chance?" in table.columns
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
    expected = oracle.expected_headline(
        oracle.read_responses(folder), "remote_working", Filters(wave=NOW), oracle.released(database)
    )[2]
    assert expected is not None
    listing = app("4_All_questions.py").dataframe[0].value
    row = listing.loc[listing["Measure"] == "Remote working works"].iloc[0]
    assert row[f"{NOW} (%)"] == expected and row[f"{THEN} (%)"] is pd.NA
    at = app("1_Digital_skills.py", question="Remote working works")
    assert not at.exception
    assert [m.value for m in at.metric if m.label == "This selection"] == [f"{expected}%"]
    assert any("I can work remotely without problems." in m.value for m in at.markdown)


# --- You said, we did, across waves ---------------------------------------------------------


def test_across_waves_puts_each_areas_change_beside_the_actions_completed_between_the_waves(
    database, responses, options, release
) -> None:
    filters = Filters(compare=THEN)
    frame = beside_action.across_waves(database, filters, options, "it_skills").set_index("service_area")
    actions = pd.read_csv(DEMO_EXTRACTS / "actions.csv", dtype=str, keep_default_na=False)
    done = actions.loc[
        (actions["status"] == "Completed")
        & (actions["completed_on"] > "2021-06-30")
        & (actions["completed_on"] < "2023-03-01")
    ]
    assert len(done)
    expected_done = done.groupby("service_area").size()
    assert frame["actions_completed"].to_dict() == {a: int(expected_done.get(a, 0)) for a in frame.index}
    assert sorted(frame.index) == sorted(a for areas in oracle.structure().values() for a in areas)
    figures = {
        (area, wave): oracle.expected_headline(
            responses, "it_skills", Filters(service_areas=(area,), wave=wave), release
        )
        for area in frame.index
        for wave in (NOW, THEN)
    }
    both = [a for a in frame.index if figures[(a, NOW)][2] is not None and figures[(a, THEN)][2] is not None]
    assert len(both) > 10
    for area in both:
        (n1, _, p1), (n0, _, p0) = figures[(area, NOW)], figures[(area, THEN)]
        assert (frame.loc[area, "now_percent"], frame.loc[area, "then_percent"], frame.loc[area, "change"]) == (
            p1,
            p0,
            p1 - p0,
        ), area
        assert (frame.loc[area, "now_n"], frame.loc[area, "then_n"]) == (n1, n0), area
        assert pd.isna(frame.loc[area, "hidden_reason"]), area
    hidden = frame.loc[[a for a in frame.index if a not in both]]
    assert len(hidden) and hidden["change"].isna().all() and hidden["hidden_reason"].notna().all()


def test_across_waves_counts_actions_in_whole_numbers(database, options) -> None:
    """Areas with the same count are spread a little sideways so none hides another, but the axis
    still counts whole actions: ticks at whole numbers from 0, never -0.4 or 1.2 actions."""
    frame = beside_action.across_waves(database, Filters(compare=THEN), options, "it_skills")
    shown = frame.dropna(subset=["change"])
    chart = beside_action_charts.change_beside_actions(
        shown, "IT skills rated good", higher_is_better=True, care_groups=demo_model.CARE_GROUPS
    )
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
    assert any(h.value == "You said, we did: across waves" for h in at.header)
    assert any("service areas shown in both" in m.value for m in at.markdown)


@pytest.mark.slow
def test_links_pick_the_wave_and_comparison_and_a_bad_one_gets_a_notice(demo_env, responses, release) -> None:
    at = app("app.py", wave=THEN)
    tiles = {m.label: m for m in at.metric}
    assert {k: tiles[k].value for k in ("IT skills rated good", "Information available", "IT too unreliable")} == {
        "IT skills rated good": f"{oracle.PUBLISHED['it_skills']}%",
        "Information available": f"{oracle.PUBLISHED['info_available']}%",
        "IT too unreliable": f"{oracle.PUBLISHED['it_unreliable']}%",
    }
    assert all(not tiles[k].proto.delta for k in tiles)  # 2021 has no earlier wave
    at = app("app.py")
    delta = {m.label: m.proto.delta for m in at.metric}
    now = oracle.expected_headline(responses, "it_skills", Filters(wave=NOW), release)[2]
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


def test_an_answer_given_both_as_a_legacy_column_and_in_survey_answers_stops_the_build(
    small_extracts, tmp_path, monkeypatch
):
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
    build_everything_released(small_extracts, database, monkeypatch)
    # R2 is the one Carer response: its it_unreliable answer is counted as the scale spells it.
    carer = released_cells(database, wave="2021", survey="Carer")
    assert carer[("it_unreliable", "Agree")] == oracle.released_count(["R2"], KEY) > 0
    assert carer[("it_unreliable", None)] == 0 and ("it_unreliable", "agree") not in carer


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
