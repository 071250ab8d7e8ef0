"""Plain words (issue 27, item 3): the wording rules of ``dashboard.core.wording`` one by one, the survey
tiles and sentences that use them, comments that say nothing, and a walk over every page's text (AppTest,
the demo database, several filter states) for the words the rules replace: 'z-test' with no plain
sentence, a month written 2021-03, '1 staff groups', a wave's id where its name belongs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core import measures, wording
from dashboard.core.filters import Filters, Options
from dashboard.features import all_questions, beside_action, survey, survey_text
from dashboard.render import survey_charts
from tests.conftest import ROOT, opened_database

# --- The rules, one by one ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "staff group", "1 staff group"),
        (2, "staff group", "2 staff groups"),
        (0, "service area", "0 service areas"),
        (1, "person", "1 person"),
        (1234, "person", "1,234 people"),
        (1, "month", "1 month"),
    ],
)
def test_a_count_has_its_noun_in_the_right_number(count: int, noun: str, expected: str) -> None:
    assert wording.count_of(count, noun) == expected


def test_shown_and_left_out_says_one_area_and_many_left_out() -> None:
    assert wording.shown_and_left_out(1, 27, "service area") == "1 service area shown, 27 left out"
    assert wording.shown_and_left_out(80, 1, "service area") == "80 service areas shown, 1 left out"
    assert wording.shown_and_left_out(5, 0, "service area") == "5 service areas shown"
    assert beside_action.shown_sentence(1, 27) == "1 service area shown, 27 left out."
    assert beside_action.attention_words(1) == "1 area needs attention"
    assert beside_action.attention_words(33) == "33 areas need attention"


@pytest.mark.parametrize("value", ["2021-03", dt.date(2021, 3, 1), dt.date(2021, 3, 31), pd.Timestamp("2021-03-15")])
def test_a_month_is_named_with_its_year(value: object) -> None:
    assert wording.month_name(value) == "March 2021"
    assert survey_text.month_label(value) == "March 2021"


@pytest.mark.parametrize(("part", "base"), [(1, 8), (5, 8), (125, 1000), (1, 3), (2, 3), (0, 7), (7, 7), (389, 929)])
def test_a_percent_is_rounded_as_the_headline_rounds_it(part: int, base: int) -> None:
    """Half up, as published (12.5 is 13, 62.5 is 63), the same as every headline's percent."""
    headline = int(
        measures.intervals(pd.Series([float(base)]).to_numpy(), pd.Series([float(part)]).to_numpy())["percent"][0]
    )
    expected = int(100 * part / base + 0.5 + 1e-9)
    assert wording.percent_of(part, base) == headline == expected
    assert wording.percent_text(part, base) == f"{expected}%"
    assert wording.percent_text(1, 0) == "–"


@pytest.mark.parametrize(
    ("change", "higher_is_better", "word", "colour"),
    [
        (3, True, "better", "normal"),
        (-3, True, "worse", "normal"),
        (6, False, "worse", "inverse"),  # 'IT too unreliable' up: worse, drawn red by Streamlit's "inverse"
        (-6, False, "better", "inverse"),
        (0, False, "no different", "off"),
    ],
)
def test_better_and_worse_follow_what_is_good_for_the_measure(
    change: int, higher_is_better: bool, word: str, colour: str
) -> None:
    assert wording.better_or_worse(change, higher_is_better) == word
    assert wording.change_colour(change, higher_is_better) == colour


def test_a_change_in_words_says_better_or_worse_and_chance_plainly() -> None:
    assert wording.change_words(-6, 0.0004, "Spring 2023", higher_is_better=False) == (
        "down 6 points since Spring 2023: better, bigger than chance would explain"
    )
    assert wording.change_words(1, 0.3, "Spring 2023") == "up 1 point since Spring 2023: better, could be chance"
    assert wording.change_words(4, 0.01, "W", higher_is_better=False).endswith(
        ": worse, bigger than chance would explain"
    )
    assert wording.change_words(0, 1.0, "W") == "no change since W"
    assert wording.change_words(float("nan"), float("nan"), "W") == ""


def test_better_and_worse_are_counted_by_each_measures_direction() -> None:
    # Both improved: IT skills up, 'IT too unreliable' down. Never '1 up and 1 down'.
    assert wording.better_and_worse([(3, True), (-6, False)]) == "2 better and none worse"
    assert wording.better_and_worse([(3, True), (6, False)]) == "1 better and 1 worse"
    assert wording.better_and_worse([]) == ""


# --- The survey's words, on the demo database -----------------------------------------------------


@pytest.fixture(scope="module")
def database(demo_db: Path):
    yield from opened_database(demo_db)


def test_a_rise_in_a_measure_where_lower_is_better_is_worse_and_red(database) -> None:
    bank = measures.survey_measures(database)
    unreliable, skills = bank["it_unreliable"], bank["it_skills"]
    assert not unreliable.higher_is_better and skills.higher_is_better
    options = Options({}, dt.date(2021, 1, 1), dt.date(2023, 12, 31), wave_names={"2021": "Digital 2021"})
    filters = Filters(wave="2023", compare="2021")
    row = pd.Series(
        {"level": "This selection", "n": 900, "positive": 560, "percent": 62, "low": 0.59, "high": 0.65,
         "hidden": False, "hidden_reason": None, "change": 5, "p_value": 0.01}
    )  # fmt: skip
    rise = survey_text.tile(unreliable, row, filters, options)
    assert rise.colour == "inverse"  # Streamlit draws a rise red
    assert rise.change == "+5 points"
    assert "up 5 points since Digital 2021: worse, bigger than chance would explain" in rise.note
    assert "p =" not in rise.note and "p <" not in rise.note
    assert survey_text.tile(skills, row, filters, options).colour == "normal"
    one = survey_text.tile(skills, row.copy().replace({5: 1}), filters, options)
    assert one.change == "+1 point" and "up 1 point since" in one.note


def test_all_questions_says_better_for_both_when_both_improved(database) -> None:
    changed = pd.DataFrame(
        {
            "question": ["it_skills", "it_unreliable", "info_available"],
            "higher_is_better": [True, False, True],
            "compared_percent": [39, 65, 69],
            "change": [3, -6, 3],
            "p_value": [0.02, 0.0001, 0.07],
            "significant": [True, True, False],
        }
    )
    options = Options({}, dt.date(2021, 1, 1), dt.date(2023, 12, 31), waves=("2021", "2023"),
                      wave_names={"2021": "Digital 2021", "2023": "Spring 2023"})  # fmt: skip
    text = all_questions.sentence(changed, Filters(compare="2021"), options)
    assert text == (
        "Between Digital 2021 and Spring 2023, 2 of the 3 questions shown in both waves changed by more than "
        "chance would explain: 2 better and none worse. The other moved no more than chance alone could give."
    )


def test_the_changes_carry_each_questions_direction(database, demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        waves = con.execute("select wave_id, name from waves order by opened").fetchall()
    options = Options({}, dt.date(2021, 1, 1), dt.date(2023, 12, 31), waves=tuple(w for w, _ in waves),
                      wave_names=dict(waves))  # fmt: skip
    filters = Filters(compare=options.waves[0])
    changed = all_questions.changes(all_questions.results(database, filters, options), filters, options)
    bank = measures.survey_measures(database)
    assert dict(zip(changed["question"], changed["higher_is_better"])) == {
        key: bank[key].higher_is_better for key in changed["question"]
    }


def test_sentences_count_one_group_and_one_month_in_the_singular(database) -> None:
    measure = measures.survey_measures(database)["it_skills"]
    frame = survey.breakdown(database, "it_skills", "staff_group", Filters())
    one_hidden = pd.concat([frame.loc[~frame["hidden"]], frame.loc[~frame["hidden"]].head(1).assign(hidden=True)])
    assert "; 1 staff group is hidden." in survey_text.breakdown_sentence(measure, "staff_group", one_hidden)
    two = pd.concat([one_hidden, one_hidden.tail(1)])
    assert "; 2 staff groups are hidden." in survey_text.breakdown_sentence(measure, "staff_group", two)
    only_hidden = frame.head(1).assign(hidden=True)
    assert survey_text.breakdown_sentence(measure, "staff_group", only_hidden) == (
        "The only 1 staff group is hidden to protect small groups."
    )
    months = survey.trend(database, "it_skills", Filters())
    assert survey_text.trend_sentence(months.head(1).assign(hidden=True)) == (
        "Every month is hidden to protect small groups (1 month)."
    )
    assert survey_text.trend_sentence(months.assign(hidden=[True] + [False] * (len(months) - 1))).endswith(
        "; 1 month is hidden."
    )


def test_the_answers_say_why_their_percent_differs_from_the_headline(database) -> None:
    """Information available leaves Don't know out: the headline's percent is of those counted, the
    table's second column of everyone who answered. The page says both, rounded as the headline."""
    measure = measures.survey_measures(database)["info_available"]
    frame = survey.distribution(database, "info_available", Filters())
    head = survey.headline(database, "info_available", Filters()).iloc[0]
    text = survey_text.apart_sentence(measure, frame)
    answered = int(frame["responses"].sum())
    positive = int(frame.loc[frame["answer"] == "Yes", "responses"].iloc[0])
    assert f"Yes is {head['percent']}% of the {int(head['n']):,} people counted (the headline)" in text
    assert f"but {wording.percent_of(positive, answered)}% of all {answered:,} who answered." in text
    assert "(Don't know left out)" in survey_text.headline_sentence(
        measure, survey.headline(database, "info_available", Filters())
    )


def test_the_answers_say_when_their_rounded_parts_add_up_to_other_than_the_headline(database) -> None:
    """IT too unreliable, latest wave: Agree and Strongly agree, each rounded, add up to a point more than
    the headline (both half up, from the same counts). The page says so in a plain sentence."""
    measure = measures.survey_measures(database)["it_unreliable"]
    frame = survey.distribution(database, "it_unreliable", Filters())
    head = survey.headline(database, "it_unreliable", Filters()).iloc[0]
    base = int(frame["responses"].sum())
    parts = [
        wording.percent_of(int(frame.loc[frame["answer"] == a, "responses"].iloc[0]), base)
        for a in measure.positive_answers
    ]
    assert sum(parts) != head["percent"]  # the demo's case: the rule has something to say
    assert survey_text.rounding_note(measure, frame) == (
        f"Each answer is rounded on its own: Agree ({parts[0]}%) and Strongly agree ({parts[1]}%) add up to "
        f"{sum(parts)}%, while together they are {head['percent']}% (the headline)."
    )
    skills = survey.distribution(database, "it_skills", Filters(wave="2021"))
    counted = int(skills["responses"].sum())
    good = [
        wording.percent_of(int(skills.loc[skills["answer"] == a, "responses"].iloc[0]), counted)
        for a in ("Good", "Very good")
    ]
    together = survey.headline(database, "it_skills", Filters(wave="2021")).iloc[0]["percent"]
    assert (survey_text.rounding_note(measures.survey_measures(database)["it_skills"], skills) == "") == (
        sum(good) == together
    )


def test_the_all_questions_chart_names_its_waves(database) -> None:
    """The legend and tooltips name each wave as people know it, oldest first (not '2021', '2023')."""
    options = Options({}, dt.date(2021, 1, 1), dt.date(2023, 12, 31), waves=("2021", "2023"),
                      wave_names={"2021": "Digital 2021", "2023": "Spring 2023"})  # fmt: skip
    results = all_questions.results(database, Filters(), options)
    shown = results.loc[~results["hidden"]].astype({"share": float, "low": float, "high": float, "n": float})
    chart = survey_charts.wave_points(shown, "label", "Measure")
    points = chart.spec["layer"][1]["encoding"]
    assert points["color"]["field"] == points["shape"]["field"] == "wave_name"
    assert points["color"]["sort"] == ["Digital 2021", "Spring 2023"]
    assert {"field": "wave_name", "type": "nominal", "title": "Wave"} in points["tooltip"]
    assert list(dict.fromkeys(chart.data["wave_name"])) == ["Digital 2021", "Spring 2023"]


# --- Every page's text -----------------------------------------------------------------------------

PAGES = ["app.py", *sorted(p.name for p in (ROOT / "pages").glob("*.py"))]
STATES = {
    "no filters": {},
    "a care group": {"care_group": ["Adult mental health"]},
    "one service area": {"service_area": ["Early intervention in psychosis"]},
    "the older wave": {"wave": ["2021"]},
    "two months": {"from": ["2023-03"], "to": ["2023-04"]},
}
MONTH_CODE = re.compile(r"(?<![\d-])(19|20)\d{2}-(0[1-9]|1[0-2])(?![\d-])")
ONE_PLURAL = re.compile(
    r"(?<![\d,.])1 (?:(?!of\b|in\b|to\b)[a-z]+ ){0,2}"
    r"(groups|areas|months|weeks|questions|comments|points|responses|actions|themes|conversations|surveys|people)\b"
)
JARGON = re.compile(r"z-test|p-value|p [<=] ?0")
PLAIN_CHANCE = re.compile(r"chance would explain|could be chance|chance alone")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATED = re.compile(rf"\b(\d{{1,2}} )?({MONTHS}) ((19|20)\d{{2}})\b")


def page_texts(at: AppTest) -> list[str]:
    """The main area's words: headings, paragraphs, notices and tiles (not tables: their headers name
    waves by id as columns; not the sidebar: its month boxes show 2021-03 as a link writes them)."""
    main = at.main
    texts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                   "error", "success") for e in getattr(main, kind)]  # fmt: skip
    texts += [f"{m.label} {m.value} {m.proto.delta}" for m in main.metric]
    return [str(t).replace("\\", "") for t in texts]


def problems(texts: list[str], wave_ids: list[str], wave_names: list[str]) -> list[tuple[str, str]]:
    """What breaks the wording rules in a page's texts: (rule, what was found)."""
    found = []
    for text in texts:
        if JARGON.search(text) and not PLAIN_CHANCE.search(text):
            found.append(("jargon", text))
        if MONTH_CODE.search(text):
            found.append(("month", text))
        if ONE_PLURAL.search(text):
            found.append(("plural", text))
        bare = DATED.sub("", text)
        for name in sorted(wave_names, key=len, reverse=True):
            bare = bare.replace(name, "")
        if any(re.search(rf"(?<![\w-]){re.escape(wave)}(?![\w-])", bare) for wave in wave_ids):
            found.append(("wave", text))
    return found


def test_the_page_walk_finds_each_broken_rule() -> None:
    """The walk's checks, on words that break each rule (so a page that broke one would fail)."""
    ids, names = ["2021"], ["Digital strategy engagement 2021"]
    assert problems(["n = 2,166 · up 3 points since X (a real change, p = 0.025)"], ids, names)
    assert problems(["A real change is a two-proportion z-test.", "Bigger than chance would explain."], ids, names)
    assert not problems(["Bigger than chance would explain (a z-test, p < 0.05)."], ids, names)
    assert problems(["From 2021-03 to June 2021."], ids, names)
    assert not problems(["Built 2026-12-07 at 18:29."], ids, names)
    assert problems(["1 staff groups reached."], ids, names)
    assert problems(["1 service areas shown, 27 left out."], ids, names)
    assert not problems(["1 service area shown, 27 left out.", "2 of the 3 questions"], ids, names)
    assert problems(["Of 78 service areas shown in both 2021 and 2023."], ids, names)
    assert not problems(["Since Digital strategy engagement 2021, in March 2021 and on 01 July 2021."], ids, names)


@pytest.mark.slow
@pytest.mark.parametrize("state", list(STATES))
def test_every_page_follows_the_wording_rules(demo_env, state: str) -> None:
    with duckdb.connect(str(demo_env), read_only=True) as con:
        waves = con.execute("select wave_id, name from waves").fetchall()
    ids, names = [w for w, _ in waves], [n for _, n in waves]
    found = {}
    for name in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if name != "app.py":
            at.switch_page(f"pages/{name}")
        for key, values in STATES[state].items():
            at.query_params[key] = values
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        texts = page_texts(at)
        assert texts, name
        broken = [(rule, text[:200]) for rule, text in problems(texts, ids, names)]
        if broken:
            found[name] = broken
    assert not found, found
