"""Every survey figure shown is the release's, for any filters: hypothesis over the demo database and random small tables.

1. The survey functions over the demo database and over random small tables, for random
   filters, against ``tests.oracle`` (pandas from the rows, the noise worked out with hmac,
   which groups were released read from the file): headline, answers, the four breakdowns,
   the trend and the breakdown downloads show exactly the sums of the released cells their
   filters name, a hidden row shows nothing, every row the structure lists is there whatever
   the counts, and a breakdown row opened on its own by a filter shows the same figure.
2. Real data built without a key shows no survey figure at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import demo.model as demo_model
from dashboard.core import db, disclosure
from dashboard.core.filters import Filters
from dashboard.features import export, survey, survey_text
from pipeline import contract, keys
from pipeline.build import build
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, SMALL, write_csv

pytestmark = pytest.mark.slow

NS = "Not stated"
FIRST_DAY, LAST_DAY = dt.date(2021, 2, 1), dt.date(2021, 6, 30)
LABELS = {
    "care_group": ["care_group"],
    "service_area": ["care_group", "service_area"],
    "survey": ["survey"],
    "staff_group": ["staff_group"],
}
SLOW_WITH_FIXTURE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
FIGURES_IN_DOWNLOAD = ["Answered (n)", "Positive", "Percent", "95% CI low (%)", "95% CI high (%)"]


def note(text: str) -> None:
    """Count the kind of example in hypothesis's statistics (--hypothesis-show-statistics)."""
    try:
        event(text)
    except InvalidArgument:  # called from a plain (non-hypothesis) test
        pass


def missing(value: object) -> bool:
    return value is None or pd.isna(value)


def plain(*values: object) -> tuple:
    """Figures as plain ints, None where blank (pandas' NA and numpy's ints compare as such)."""
    return tuple(None if missing(v) else int(v) for v in values)


# --- 1. The survey functions over the demo database and random small tables --------------------------


def read_download(data: bytes) -> pd.DataFrame:
    lines = [line for line in data.decode("utf-8-sig").splitlines() if not line.lstrip('"').startswith("# ")]
    return pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)


def opened_alone(filters: Filters, dimension: str, row: pd.Series) -> Filters:
    """The filters that select a breakdown row's group on its own (within the same filters)."""
    field = {
        "care_group": "care_groups",
        "service_area": "service_areas",
        "survey": "surveys",
        "staff_group": "staff_groups",
    }[dimension]
    return dataclasses.replace(filters, **{field: (row[dimension],)})


def figures(row: pd.Series) -> tuple[object, ...]:
    return tuple(None if missing(row[c]) else row[c] for c in (*survey.FIGURES, "hidden", "hidden_reason"))


def wave_months(extracts: Path, responses: pd.DataFrame, wave: str) -> list[dt.date]:
    """The calendar months a wave's dates span (waves.csv; without one, the responses' months)."""
    if not (extracts / "waves.csv").is_file():
        days = responses["submitted_on"]
        return list(pd.date_range(min(days).replace(day=1), max(days), freq="MS").date)
    waves = pd.read_csv(extracts / "waves.csv", dtype=str)
    row = waves.loc[waves["wave_id"] == wave].iloc[0]
    return list(pd.date_range(dt.date.fromisoformat(row["opened"]).replace(day=1), row["closed"], freq="MS").date)


def check_survey(
    database: db.Database,
    responses: pd.DataFrame,
    release: oracle.Released,
    measure: str,
    filters: Filters,
    rng: random.Random,
    extracts: Path = DEMO_EXTRACTS,
) -> Counter:
    """Check everything the survey pages show for one measure and filters; count the breakdown rows
    shown and hidden (so a test can tell that both branches were taken)."""
    seen: Counter = Counter()
    n, positive, percent = oracle.expected_headline(responses, measure, filters, release, extracts)
    head = survey.headline(database, measure, filters)
    selected, trust = head.iloc[0], head.iloc[-1]
    trust_expected = oracle.expected_headline(responses, measure, Filters(wave=filters.wave), release, extracts)
    if trust_expected[0] is not None:
        assert plain(trust["n"], trust["positive"], trust["percent"]) == trust_expected
    else:
        assert trust["hidden"] and trust[survey.FIGURES].isna().all()
    distribution = survey.distribution(database, measure, filters)
    breakdowns = {d: survey.breakdown(database, measure, d, filters) for d in survey.DIMENSIONS}
    trend = survey.trend(database, measure, filters)
    # Whether an answer is counted or positive is the question's, whatever the counts.
    assert list(distribution["counted"]) == [
        a not in oracle.NOT_COUNTED.get(measure, set()) for a in distribution["answer"]
    ]
    assert list(distribution["positive"]) == [a in oracle.POSITIVE[measure] for a in distribution["answer"]]

    if n is None:
        note("the selection is hidden")
        assert selected["hidden"] and selected["hidden_reason"] == disclosure.HIDDEN
        assert selected[survey.FIGURES].isna().all()
        assert distribution["hidden"].all() and (distribution["hidden_reason"] == disclosure.HIDDEN).all()
        assert distribution[["responses", "share", "share_of_answered"]].isna().all().all()
        assert all(frame.empty for frame in breakdowns.values())
        assert trend.empty
        return seen

    note("the selection is shown")
    assert not selected["hidden"]
    assert plain(selected["n"], selected["positive"], selected["percent"]) == (n, positive, percent)
    answers = oracle.expected_answers(responses, measure, filters, release)
    assert dict(zip(distribution["answer"], distribution["responses"])) == answers
    # One selection, one n: the answers counted add up to the headline's n.
    assert sum(c for a, c in answers.items() if a not in oracle.NOT_COUNTED.get(measure, set())) == selected["n"]
    # Figures are whole-wave: the months picked change none of them.
    whole = survey.headline(database, measure, dataclasses.replace(filters, date_from=None, date_to=None)).iloc[0]
    assert figures(whole) == figures(selected)

    for dimension, frame in breakdowns.items():
        labels = LABELS[dimension]
        expected = oracle.expected_breakdown(responses, measure, dimension, filters, release, extracts)
        got = {tuple(row[labels]): row for _, row in frame.iterrows()}
        assert set(got) == set(expected), dimension  # the structure's rows, whatever the counts
        for key, row in got.items():
            group_n, group_positive = expected[key]
            if group_n is None:
                note("a group is hidden")
                seen["hidden"] += 1
                assert row["hidden"] and row["hidden_reason"] == disclosure.HIDDEN, (dimension, key)
                assert row[survey.FIGURES].isna().all(), (dimension, key)
            else:
                assert not row["hidden"], (dimension, key)
                seen["shown"] += 1
                assert (row["n"], row["positive"]) == (group_n, group_positive), (dimension, key)
                assert plain(row["percent"]) == (
                    (oracle.percent_half_up(group_positive, group_n) if group_n else None),
                )
        # What a download of this breakdown holds: no figure of a hidden row.
        download = read_download(export.to_csv(survey_text.breakdown_table(frame, dimension), {"Filters": "test"}))
        assert len(download) == len(frame)
        for (_, line), hidden in zip(download.iterrows(), frame["hidden"]):
            if hidden:
                assert (line[FIGURES_IN_DOWNLOAD] == "").all() and line["Hidden because"] == disclosure.HIDDEN
            else:
                assert line["Hidden because"] == ""
        # Consistency: a group opened on its own by a filter shows what its breakdown row shows,
        # hidden or not ('Not stated' is never a filter value). A few groups per breakdown.
        openable = [row for _, row in frame.iterrows() if row[dimension] != NS]
        for row in rng.sample(openable, min(2, len(openable))):
            alone = survey.headline(database, measure, opened_alone(filters, dimension, row)).iloc[0]
            assert figures(alone) == figures(row), (dimension, row[dimension])

    # The trend: every month of the wave within the months picked, each the units' month groups.
    wave = filters.wave or responses.attrs["latest_wave"]
    months = [
        m
        for m in wave_months(extracts, responses, wave)
        if (filters.date_from is None or m >= filters.date_from.replace(day=1))
        and (filters.date_to is None or m <= filters.date_to)
    ]
    assert [pd.Timestamp(m).date() for m in trend["month"]] == months
    units = {(p[2], p[3]) for p in oracle.parts(responses, filters, extracts)}
    for _, row in trend.iterrows():
        month = pd.Timestamp(row["month"]).date()
        keys_ = [(wave, "month", g, a, None, None, month) for g, a in units]
        shown = [k for k in keys_ if release.shows(k, measure)]
        if not shown:
            assert row["hidden"] and row[survey.FIGURES].isna().all()
        else:
            sums = [oracle.group_figures(oracle.members(responses, k), measure) for k in shown]
            assert (row["n"], row["positive"]) == (sum(s[0] for s in sums), sum(s[1] for s in sums))
    return seen


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[tuple[db.Database, pd.DataFrame, oracle.Released]]:
    database = db.Database(demo_db)
    yield database, oracle.read_responses(), oracle.released(demo_db)
    database.close()


def months(
    first_day: dt.date = FIRST_DAY, last_day: dt.date = LAST_DAY
) -> st.SearchStrategy[tuple[dt.date | None, dt.date | None]]:
    """From and To as the sidebar picks them: whole months (first day, last day), either may be open."""
    starts = list(pd.date_range(first_day.replace(day=1), last_day, freq="MS").date)
    return st.tuples(
        st.one_of(st.none(), st.sampled_from(starts)),
        st.one_of(st.none(), st.sampled_from([(pd.Timestamp(s) + pd.offsets.MonthEnd(0)).date() for s in starts])),
    )


def demo_waves() -> st.SearchStrategy[tuple[str | None, tuple[dt.date | None, dt.date | None]]]:
    """A wave as the sidebar picks it (None: the latest) and months within it."""
    waves = pd.read_csv(DEMO_EXTRACTS / "waves.csv", dtype=str).sort_values(["opened", "wave_id"])
    spans = {
        w: (dt.date.fromisoformat(o), dt.date.fromisoformat(c))
        for w, o, c in zip(waves["wave_id"], waves["opened"], waves["closed"])
    }
    spans[None] = spans[waves["wave_id"].iloc[-1]]
    return st.sampled_from(list(spans)).flatmap(lambda wave: st.tuples(st.just(wave), months(*spans[wave])))


def demo_filters() -> st.SearchStrategy[Filters]:
    responses = oracle.read_responses()
    areas = sorted(set(responses["service_area"]) - {NS})
    return st.builds(
        lambda care_groups, service_areas, surveys, staff_groups, wave_and_months: Filters(
            tuple(care_groups),
            tuple(service_areas),
            tuple(surveys),
            tuple(staff_groups),
            *wave_and_months[1],
            wave=wave_and_months[0],
        ),
        st.lists(st.sampled_from(demo_model.CARE_GROUPS), max_size=2, unique=True),
        st.one_of(st.just([]), st.lists(st.sampled_from(areas), min_size=1, max_size=4, unique=True)),
        st.lists(st.sampled_from(demo_model.SURVEYS), max_size=3, unique=True),
        st.lists(st.sampled_from(demo_model.STAFF_GROUPS), max_size=3, unique=True),
        demo_waves(),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW_WITH_FIXTURE)
@given(measure=st.sampled_from(oracle.MEASURES), filters=demo_filters(), rng=st.randoms(use_true_random=False))
def test_demo_database_for_any_filters(demo, measure: str, filters: Filters, rng: random.Random) -> None:
    check_survey(*demo, measure, filters, rng)


@pytest.mark.parametrize(
    ("measure", "filters"),
    [
        *((measure, Filters()) for measure in oracle.MEASURES),
        ("it_skills", Filters(care_groups=("Adult mental health", "Corporate services"))),
        ("it_unreliable", Filters(surveys=("Service user", "Carer"))),
        ("info_available", Filters(staff_groups=("Nursing",))),
    ],
)
def test_demo_database_chosen_cases(demo, measure: str, filters: Filters) -> None:
    """Cases hypothesis may not reach every run: the whole Trust, care groups with small areas.
    Each shows some breakdown rows and hides others, so both branches of the check are taken."""
    seen = check_survey(*demo, measure, filters, random.Random(0))
    assert seen["shown"] > 0 and seen["hidden"] > 0


SMALL_AREAS = {
    "Adult mental health": ["Ward A", "Ward B", "Crisis team"],
    "Community health services": ["District nursing", "Podiatry"],
    "Corporate services": ["Finance"],
}
SECRET_FOR_TESTS = "a key for the random small tables, long enough"


@st.composite
def response_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Valid survey_responses rows under the contract, concentrated on few groups so that small ones occur."""
    rows = []
    for number in range(draw(st.integers(5, 70))):
        survey_name = draw(st.sampled_from(demo_model.SURVEYS))
        staff_survey = survey_name in demo_model.STAFF_SURVEYS
        care_group = draw(st.sampled_from([*SMALL_AREAS] + ([] if staff_survey else [""])))
        area = draw(st.sampled_from([*SMALL_AREAS[care_group], ""])) if care_group else ""
        rows.append(
            {
                "response_id": f"R{number}",
                "survey": survey_name,
                "submitted_on": draw(st.dates(FIRST_DAY, LAST_DAY)).isoformat(),
                "care_group": care_group,
                "service_area": area,
                "staff_group": draw(st.sampled_from(["", "Nursing", "Management"])) if staff_survey else "",
                "it_skills": draw(st.sampled_from(["", *contract.IT_SKILLS])),
                "info_available": draw(st.sampled_from(["", *contract.INFO_AVAILABLE])) if staff_survey else "",
                "it_unreliable": draw(st.sampled_from(["", *contract.IT_UNRELIABLE])),
                "comment": "",
            }
        )
    return rows


def build_small_database(folder: Path, rows: list[dict[str, str]]) -> Path:
    """Real (non-synthetic) extracts: the key comes from the setting, or there is none."""
    extracts = folder / "extracts"
    extracts.mkdir()
    for name, extract_rows in SMALL.items():
        if name not in ("service_areas", "survey_responses"):
            write_csv(extracts / f"{name}.csv", extract_rows)
    write_csv(
        extracts / "service_areas.csv",
        [{"service_area": a, "care_group": g} for g, names in SMALL_AREAS.items() for a in names],
    )
    write_csv(extracts / "survey_responses.csv", rows, header=list(SMALL["survey_responses"][0]))
    report = build(extracts, folder / "test.duckdb")
    assert sum(f.rows_rejected for f in report.files) == 0
    return extracts


@pytest.fixture
def key_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's secrets file
    monkeypatch.setenv(keys.KEY_SETTING, SECRET_FOR_TESTS)


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_WITH_FIXTURE)
@given(
    rows=response_rows(),
    measure=st.sampled_from(oracle.MEASURES),
    threshold=st.integers(2, 8),
    care_groups=st.lists(st.sampled_from(list(SMALL_AREAS)), max_size=2, unique=True),
    surveys=st.lists(st.sampled_from(demo_model.SURVEYS), max_size=2, unique=True),
    rng=st.randoms(use_true_random=False),
)
def test_random_small_table_for_any_filters(key_setting, rows, measure, threshold, care_groups, surveys, rng) -> None:
    """Small random tables, built with a random threshold (a build setting): every figure is the release's."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_MIN_GROUP_SIZE", str(threshold))
        extracts = build_small_database(Path(folder), rows)
        database = db.Database(Path(folder) / "test.duckdb")
        try:
            check_survey(
                database,
                oracle.read_responses(extracts, SECRET_FOR_TESTS),
                oracle.released(Path(folder) / "test.duckdb"),
                measure,
                Filters(care_groups=tuple(care_groups), surveys=tuple(surveys)),
                rng,
                extracts,
            )
        finally:
            database.close()


# --- 3. Real data without a key --------------------------------------------------------------------------


def test_real_data_without_a_key_shows_no_survey_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    rows = [
        dict(
            response_id=f"R-{area}-{i}",
            survey="Staff",
            submitted_on=f"2021-0{3 + i % 3}-01",
            care_group=care_group,
            service_area=area,
            staff_group="Nursing",
            it_skills="Good" if i % 2 else "Poor",
            info_available="Yes",
            it_unreliable="Agree",
            comment="",
        )
        for care_group, areas in SMALL_AREAS.items()
        for area in areas
        for i in range(30)
    ]
    build_small_database(tmp_path, rows)
    database = db.Database(tmp_path / "test.duckdb")
    try:
        for measure in oracle.MEASURES:
            for filters in (
                Filters(),
                Filters(care_groups=("Adult mental health",)),
                Filters(service_areas=("Finance",)),
            ):
                head = survey.headline(database, measure, filters)
                assert head["hidden"].all() and (head["hidden_reason"] == disclosure.WITHHELD).all()
                assert head[survey.FIGURES].isna().all().all()
                distribution = survey.distribution(database, measure, filters)
                assert distribution["hidden"].all()
                assert distribution[["responses", "share", "share_of_answered"]].isna().all().all()
                for dimension in survey.DIMENSIONS:
                    assert survey.breakdown(database, measure, dimension, filters).empty
                assert survey.trend(database, measure, filters).empty
    finally:
        database.close()
