"""Disclosure control holds for any input: hypothesis over random frames, the demo database and random small tables.

1. ``dashboard.disclosure`` on random frames of counts and key sums: every shown
   n is the true count plus the table's noise for its key (own key sum plus twice
   the view's), never under the threshold, positive never above n, hidden rows
   carry their reason, rows without key sums are withheld, blanking keeps numbers
   numeric, and a group's figure does not depend on the frame it is protected in.
2. The survey functions over the demo database and over random small tables, for
   random filters and thresholds, against ``tests.oracle`` (pandas from the rows):
   headline, answers, the four breakdowns, the trend and the breakdown downloads
   show exactly the oracle's perturbed figures, nothing under the threshold, and a
   group that a breakdown shows or hides is shown or hidden the same way, with the
   same figures, when a filter opens it on its own (consistency is what replaces
   complementary suppression: docs/DISCLOSURE.md).
3. Real data built without a key shows no survey figure at all.
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

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dashboard import db, disclosure, export, survey, survey_text
from dashboard.filters import Filters
from dashboard.perturbation import MAX_NOISE
from pipeline import cells, contract
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


# --- 1. Random frames ---------------------------------------------------------------------------------

KEY_DTYPES = ("Int64", "float64", "object")  # DuckDB hands nullable sums over as float with NaN


@st.composite
def count_frames(draw: st.DrawFn, max_size: int = 12) -> pd.DataFrame:
    """Rows as the survey queries return them: n and positive with their own key sums, and the view's.

    Either the database has a key (every view key sum present; an empty positive has no key sum
    of its own) or it has none (no key sum anywhere); now and then a row without a view key sum
    sits among keyed rows, so the rule is checked row by row."""
    keyed = draw(st.booleans()) or draw(st.booleans())
    rows = []
    for number in range(draw(st.integers(0, max_size))):
        n = draw(st.one_of(st.integers(0, 25), st.integers(0, 3_000)))
        positive = draw(st.integers(0, n))
        has_view = keyed and draw(st.integers(0, 9)) > 0
        key = st.integers(0, 2**40)
        view_key = draw(key) if has_view else None
        rows.append(
            {
                "group": f"g{number}",
                "n": n,
                "n_key": draw(key) if has_view and n else None,
                "positive": positive,
                "positive_key": draw(key) if has_view and positive else None,
                "view_key": view_key,
            }
        )
    frame = pd.DataFrame(rows, columns=["group", "n", "n_key", "positive", "positive_key", "view_key"])
    frame[["n", "positive"]] = frame[["n", "positive"]].astype("int64")
    dtype = draw(st.sampled_from(KEY_DTYPES))
    for column in ("n_key", "positive_key", "view_key"):
        values = [None if missing(v) else int(v) for v in frame[column]]
        frame[column] = (
            pd.array(values, dtype="Int64")
            if dtype == "Int64"
            else pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
            if dtype == "float64"
            else pd.Series(values, dtype=object)
        )
    return frame


def expected_rows(frame: pd.DataFrame) -> list[tuple[int | None, int | None]]:
    """(n, positive) as published for each row, worked out one row at a time by the oracle."""
    out = []
    for row in frame.itertuples():
        n = oracle.perturbed_count(row.n, row.n_key, row.view_key)
        positive = oracle.perturbed_count(row.positive, row.positive_key, row.view_key)
        out.append((n, None if n is None or positive is None else min(n, positive)))
    return out


@settings(max_examples=150, deadline=None)
@given(frame=count_frames(), threshold=st.integers(1, 30))
def test_protect(frame: pd.DataFrame, threshold: int) -> None:
    before = frame.copy(deep=True)
    out = disclosure.protect(frame, threshold)
    pd.testing.assert_frame_equal(frame, before)  # the input is left alone
    assert list(out.columns) == ["group", "n", "positive", "hidden", "hidden_reason"]
    assert list(out["group"]) == list(frame["group"])
    expected = expected_rows(frame)
    for (_, row), (n, positive), true_n, true_positive in zip(out.iterrows(), expected, frame["n"], frame["positive"]):
        if n is None:  # no key sums: withheld, however large
            note("withheld")
            assert pd.isna(row["n"]) and pd.isna(row["positive"])
            assert row["hidden"] and row["hidden_reason"] == disclosure.WITHHELD
            continue
        assert row["n"] == n and row["positive"] == positive
        assert 0 <= row["positive"] <= row["n"]
        assert abs(row["n"] - true_n) <= MAX_NOISE and abs(row["positive"] - min(true_positive, n)) <= MAX_NOISE
        if true_n == 0:
            assert row["n"] == 0
        if n < threshold:
            note("hidden")
            assert row["hidden"] and row["hidden_reason"] == disclosure.HIDDEN_SMALL.format(threshold=threshold)
        else:
            note("shown")
            assert not row["hidden"] and missing(row["hidden_reason"])
            assert row["n"] >= threshold


@settings(max_examples=100, deadline=None)
@given(frame=count_frames(), threshold=st.integers(1, 30))
def test_blank_hidden(frame: pd.DataFrame, threshold: int) -> None:
    protected = disclosure.protect(frame, threshold)
    protected["share"] = [
        p / n if not missing(n) and n else np.nan for p, n in zip(protected["positive"], protected["n"])
    ]
    protected["percent"] = pd.array([None if missing(s) else round(100 * s) for s in protected["share"]], dtype="Int64")
    blank = disclosure.blank_hidden(protected, keep=["group"])
    assert blank["n"].dtype == "Int64" and blank["positive"].dtype == "Int64" and blank["percent"].dtype == "Int64"
    assert blank["share"].dtype == "float64"
    assert list(blank["group"]) == list(frame["group"])
    assert list(blank["hidden"]) == list(protected["hidden"])
    assert list(blank["hidden_reason"].fillna("")) == list(protected["hidden_reason"].fillna(""))
    hidden = blank["hidden"].to_numpy(dtype=bool)
    assert blank.loc[hidden, ["n", "positive", "share", "percent"]].isna().all().all()
    shown = blank.loc[~hidden]
    assert (shown["n"] >= threshold).all()
    for column in ("n", "positive", "percent"):
        assert list(shown[column]) == list(protected.loc[~hidden, column])
    np.testing.assert_array_equal(shown["share"].to_numpy(), protected.loc[~hidden, "share"].to_numpy())


@settings(max_examples=60, deadline=None)
@given(frame=count_frames(), threshold=st.integers(1, 30), data=st.data())
def test_a_group_is_the_same_in_every_frame(frame: pd.DataFrame, threshold: int, data: st.DataObject) -> None:
    """Protected among other groups, alone, in another order, in the same frame again: the
    same figures. So a filter that opens one group on its own cannot show what its breakdown hides."""
    everything = disclosure.protect(frame, threshold).set_index("group")
    again = disclosure.protect(frame.copy(deep=True), threshold).set_index("group")
    pd.testing.assert_frame_equal(everything, again)
    if frame.empty:
        return
    chosen = data.draw(st.lists(st.sampled_from(list(frame.index)), min_size=1, unique=True))
    part = disclosure.protect(frame.loc[chosen], threshold).set_index("group")
    for label in part.index:
        assert part.loc[label].equals(everything.loc[label]), label
    # The figures themselves do not depend on the threshold either: only whether they are shown.
    other = disclosure.protect(frame, data.draw(st.integers(1, 30))).set_index("group")
    for column in ("n", "positive"):
        assert other[column].equals(everything[column])


# --- 2. The survey functions over the demo database and random small tables --------------------------


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


def check_survey(
    database: db.Database, responses: pd.DataFrame, measure: str, filters: Filters, threshold: int, rng: random.Random
) -> Counter:
    """Check everything the survey pages show for one measure and filters; count the breakdown rows
    shown and hidden (so a test can tell that both branches were taken)."""
    seen: Counter = Counter()
    small = disclosure.HIDDEN_SMALL.format(threshold=threshold)
    n, positive, percent = oracle.expected_headline(responses, measure, filters)
    head = survey.headline(database, measure, filters, threshold)
    selected, trust = head.iloc[0], head.iloc[1]
    trust_n, trust_positive, trust_percent = oracle.expected_headline(responses, measure, Filters(wave=filters.wave))
    if trust_n >= threshold:
        assert (trust["n"], trust["positive"], trust["percent"]) == (trust_n, trust_positive, trust_percent)
    else:
        assert trust["hidden"] and trust[survey.FIGURES].isna().all()
    distribution = survey.distribution(database, measure, filters, threshold)
    breakdowns = {d: survey.breakdown(database, measure, d, filters, threshold) for d in survey.DIMENSIONS}
    trend = survey.trend(database, measure, filters, threshold)

    if n < threshold:
        note("the selection is hidden")
        assert selected["hidden"] and selected["hidden_reason"] == small
        assert selected[survey.FIGURES].isna().all()
        assert distribution["hidden"].all() and (distribution["hidden_reason"] == small).all()
        assert distribution[["responses", "share", "share_of_answered", "counted", "positive"]].isna().all().all()
        assert all(frame.empty for frame in breakdowns.values())
        assert trend.empty
        return seen

    note("the selection is shown")
    assert not selected["hidden"]
    assert (selected["n"], selected["positive"], selected["percent"]) == (n, positive, percent)
    assert abs(n - oracle.true_headline(responses, measure, filters)[0]) <= MAX_NOISE
    assert not distribution["hidden"].any()
    assert dict(zip(distribution["answer"], distribution["responses"])) == oracle.expected_answers(
        responses, measure, filters
    )

    for dimension, frame in breakdowns.items():
        labels = LABELS[dimension]
        expected = oracle.expected_groups(responses, measure, labels, filters).set_index(labels)
        assert len(frame) == len(expected), dimension
        for _, row in frame.iterrows():
            key = tuple(row[labels]) if len(labels) > 1 else row[dimension]
            group_n, group_positive = expected.loc[key, "n"], expected.loc[key, "positive"]
            if group_n < threshold:
                note("a group is hidden")
                seen["hidden"] += 1
                assert row["hidden"] and row["hidden_reason"] == small, (dimension, key)
                assert row[survey.FIGURES].isna().all(), (dimension, key)
            else:
                assert not row["hidden"], (dimension, key)
                seen["shown"] += 1
                assert (row["n"], row["positive"]) == (group_n, group_positive), (dimension, key)
                assert row["percent"] == oracle.percent_half_up(group_positive, group_n)
        # What a download of this breakdown holds: no figure of a hidden row, nothing under the threshold.
        download = read_download(export.to_csv(survey_text.breakdown_table(frame, dimension), {"Filters": "test"}))
        assert len(download) == len(frame)
        for (_, line), hidden in zip(download.iterrows(), frame["hidden"]):
            if hidden:
                assert (line[FIGURES_IN_DOWNLOAD] == "").all() and line["Hidden because"] == small
            else:
                assert int(line["Answered (n)"]) >= threshold and line["Hidden because"] == ""
        # Consistency: a group opened on its own by a filter shows what its breakdown row shows,
        # hidden or not ('Not stated' is never a filter value). A few groups per breakdown, shown and hidden.
        openable = [row for _, row in frame.iterrows() if row[dimension] != NS]
        for row in rng.sample(openable, min(2, len(openable))):
            alone = survey.headline(database, measure, opened_alone(filters, dimension, row), threshold).iloc[0]
            assert figures(alone) == figures(row), (dimension, row[dimension])

    by_month = oracle.filtered(responses, filters)
    by_month = by_month.assign(month=pd.to_datetime(by_month["submitted_on"]).dt.to_period("M").dt.to_timestamp())
    expected_months = {
        month: oracle.figures(view, measure)
        for month, view in by_month.groupby("month")
        if len(oracle.counted(view, measure))
    }
    assert [pd.Timestamp(m) for m in trend["month"]] == sorted(expected_months)
    for _, row in trend.iterrows():
        month_n, month_positive = expected_months[pd.Timestamp(row["month"])]
        if month_n < threshold:
            assert row["hidden"] and row[survey.FIGURES].isna().all()
        else:
            assert (row["n"], row["positive"]) == (month_n, month_positive)
    for _, row in trend.sample(min(1, len(trend)), random_state=rng.randrange(2**31)).iterrows():
        first = pd.Timestamp(row["month"]).date()
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        alone = survey.headline(
            database, measure, dataclasses.replace(filters, date_from=first, date_to=last), threshold
        ).iloc[0]
        assert figures(alone) == figures(row), first
    return seen


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[tuple[db.Database, pd.DataFrame]]:
    database = db.Database(demo_db)
    yield database, oracle.read_responses()
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
        st.lists(st.sampled_from(contract.CARE_GROUPS), max_size=2, unique=True),
        st.one_of(st.just([]), st.lists(st.sampled_from(areas), min_size=1, max_size=4, unique=True)),
        st.lists(st.sampled_from(contract.SURVEYS), max_size=3, unique=True),
        st.lists(st.sampled_from(contract.STAFF_GROUPS), max_size=3, unique=True),
        demo_waves(),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=SLOW_WITH_FIXTURE)
@given(
    measure=st.sampled_from(oracle.MEASURES),
    filters=demo_filters(),
    threshold=st.sampled_from([10, 10, 5, 25]),
    rng=st.randoms(use_true_random=False),
)
def test_demo_database_for_any_filters(
    demo, measure: str, filters: Filters, threshold: int, rng: random.Random
) -> None:
    check_survey(*demo, measure, filters, threshold, rng)


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
    seen = check_survey(*demo, measure, filters, oracle.THRESHOLD, random.Random(0))
    assert seen["shown"] > 0 and seen["hidden"] > 0


SMALL_AREAS = {
    "Adult mental health": ["Ward A", "Ward B", "Crisis team"],
    "Community health services": ["District nursing", "Podiatry"],
    "Corporate services": ["Finance"],
}
SECRET_FOR_TESTS = "a key for the random small tables"


@st.composite
def response_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Valid survey_responses rows under the contract, concentrated on few groups so that small ones occur."""
    rows = []
    for number in range(draw(st.integers(5, 70))):
        survey_name = draw(st.sampled_from(contract.SURVEYS))
        staff_survey = survey_name in contract.STAFF_SURVEYS
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
    monkeypatch.setenv(cells.KEY_SETTING, SECRET_FOR_TESTS)


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_WITH_FIXTURE)
@given(
    rows=response_rows(),
    measure=st.sampled_from(oracle.MEASURES),
    threshold=st.integers(2, 8),
    care_groups=st.lists(st.sampled_from(list(SMALL_AREAS)), max_size=2, unique=True),
    surveys=st.lists(st.sampled_from(contract.SURVEYS), max_size=2, unique=True),
    rng=st.randoms(use_true_random=False),
)
def test_random_small_table_for_any_filters(key_setting, rows, measure, threshold, care_groups, surveys, rng) -> None:
    with tempfile.TemporaryDirectory() as folder:
        extracts = build_small_database(Path(folder), rows)
        database = db.Database(Path(folder) / "test.duckdb")
        try:
            check_survey(
                database,
                oracle.read_responses(extracts, SECRET_FOR_TESTS),
                measure,
                Filters(care_groups=tuple(care_groups), surveys=tuple(surveys)),
                threshold,
                rng,
            )
        finally:
            database.close()


# --- 3. Real data without a key --------------------------------------------------------------------------


def test_real_data_without_a_key_shows_no_survey_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
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
                head = survey.headline(database, measure, filters, oracle.THRESHOLD)
                assert head["hidden"].all() and (head["hidden_reason"] == disclosure.WITHHELD).all()
                assert head[survey.FIGURES].isna().all().all()
                distribution = survey.distribution(database, measure, filters, oracle.THRESHOLD)
                assert distribution["hidden"].all()
                assert distribution[["responses", "share", "share_of_answered"]].isna().all().all()
                for dimension in survey.DIMENSIONS:
                    assert survey.breakdown(database, measure, dimension, filters, oracle.THRESHOLD).empty
                assert survey.trend(database, measure, filters, oracle.THRESHOLD).empty
    finally:
        database.close()
