"""Disclosure control holds for any filters: hypothesis over the demo database and random small tables.

For every example the figures the survey pages can show for one measure and
one set of filters (headline, answer distribution, the four breakdowns, the
trend, the comments and the breakdown downloads) are checked against the truth,
computed here with pandas from the rows themselves:

- nothing based on fewer than ``threshold`` responses comes out: no count,
  percentage, interval, answer flag, download figure or comment;
- no hidden group can be recovered by subtraction. This is checked as linear
  algebra, not rule by rule: every shown figure is a sum over the finest cells
  (care group x service area x survey x staff group) that the data contract
  allows within the filters; a hidden group's figure can be worked out exactly
  when its cells' indicator lies in the span of the shown figures' indicators.
  That covers a hidden group against its breakdown's total, service areas inside
  a shown care group total, a care group hidden in one breakdown whose areas
  would add up to it in another, and relations across breakdowns the contract
  creates (Service user and Carer responses have no staff group, and so on).
"""

from __future__ import annotations

import datetime as dt
import io
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from dashboard import db, disclosure, export, survey
from dashboard.filters import Filters
from pipeline import contract
from pipeline.build import build
from tests.conftest import SMALL, write_csv
from tests.test_survey import counted, filtered, read_responses

NS = "Not stated"
MEASURES = ("it_skills", "info_available", "it_unreliable")
FIRST_DAY, LAST_DAY = dt.date(2021, 2, 1), dt.date(2021, 6, 30)
SEARCHES = ["", "wi-fi", "THE", "' or 1=1 --", "%", "_", "zz"]


# --- The truth and the structure, from the contract ----------------------------------------------


def areas_by_care_group(service_areas: pd.DataFrame) -> dict[str, list[str]]:
    return {g: sorted(a["service_area"]) for g, a in service_areas.groupby("care_group")}


def atoms_in_scope(areas: dict[str, list[str]], filters: Filters, measure: str) -> pd.DataFrame:
    """Every cell the contract allows (care group, service area, survey, staff group) within the filters."""
    rows = []
    for survey_name in contract.SURVEYS:
        staff_survey = survey_name in contract.STAFF_SURVEYS
        if measure == "info_available" and not staff_survey:
            continue  # info_available is asked in the staff surveys only
        staff_groups = [*contract.STAFF_GROUPS, NS] if staff_survey else [NS]
        care_groups = [*areas] if staff_survey else [*areas, NS]  # care group required of staff
        for care_group in care_groups:
            for area in ([*areas[care_group], NS] if care_group != NS else [NS]):
                rows.extend((care_group, area, survey_name, g) for g in staff_groups)
    atoms = pd.DataFrame(rows, columns=["care_group", "service_area", "survey", "staff_group"])
    for column, values in (("care_group", filters.care_groups), ("service_area", filters.service_areas),
                           ("survey", filters.surveys), ("staff_group", filters.staff_groups)):
        if values:
            atoms = atoms[atoms[column].isin(values)]
    return atoms.reset_index(drop=True)


def group_mask(atoms: pd.DataFrame, dimension: str, row: pd.Series) -> np.ndarray:
    mask = atoms[dimension] == row[dimension]
    if dimension == "service_area":
        mask &= atoms["care_group"] == row["care_group"]
    return mask.to_numpy(dtype=float)


def recoverable(shown: list[np.ndarray], hidden: dict[str, np.ndarray]) -> list[str]:
    """Hidden groups whose figure is a linear combination of the shown figures."""
    if not shown or not hidden:
        return []
    # Cells that every figure counts together act as one unknown: merge them (same
    # answer, far smaller matrix).
    merged = np.unique(np.vstack([*shown, *hidden.values()]), axis=1)
    shown_rows, hidden_rows = merged[: len(shown)], merged[len(shown):]
    _, singular, basis = np.linalg.svd(shown_rows, full_matrices=False)
    basis = basis[: int((singular > 1e-9 * singular[0]).sum())]
    return [label for label, vector in zip(hidden, hidden_rows)
            if np.linalg.norm(vector - basis.T @ (basis @ vector)) < 1e-6 * max(1.0, np.linalg.norm(vector))]


def truth_by(base: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return base.groupby(columns).agg(n=("positive", "size"), positive=("positive", "sum"))


def read_download(data: bytes) -> pd.DataFrame:
    lines = [line for line in data.decode("utf-8-sig").splitlines() if not line.lstrip('"').startswith("# ")]
    return pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)


def note(text: str) -> None:
    """Count the kind of example in hypothesis's statistics (--hypothesis-show-statistics)."""
    try:
        event(text)
    except InvalidArgument:  # called from a plain (non-hypothesis) test
        pass


# --- The check ---------------------------------------------------------------------------------------------


def check_everything(responses: pd.DataFrame, areas: dict[str, list[str]], measure: str, filters: Filters,
                     threshold: int, search: str) -> None:
    rows = filtered(responses, filters)
    base = counted(rows, measure)
    n = len(base)
    head = survey.headline(measure, filters, threshold).iloc[0]
    distribution = survey.distribution(measure, filters, threshold)
    breakdowns = {d: survey.breakdown(measure, d, filters, threshold) for d in survey.DIMENSIONS}
    trend = survey.trend(measure, filters, threshold)
    comments = survey.comments(measure, filters, threshold, search)

    rest = len(counted(responses, measure)) - n  # the Whole Trust figure is shown beside the selection
    if n < threshold or 0 < rest < threshold:
        note("the selection itself is small" if n < threshold else "the rest of the Trust is small")
        # The filtered group itself, or the rest of the Trust, is small: nothing about the selection at all.
        assert head["hidden"] and pd.isna(head["n"]) and pd.isna(head["positive"]) and pd.isna(head["low"])
        assert distribution["hidden"].all()
        assert distribution.drop(columns=["answer", "hidden", "hidden_reason"]).isna().all().all()
        assert all(frame.empty for frame in breakdowns.values())
        assert trend.empty
        assert comments["hidden"].all() and comments["comment"].isna().all()
        return

    assert (head["n"], head["positive"]) == (n, int(base["positive"].sum()))
    assert not distribution["hidden"].any()

    # Every data row falls in a cell the structure allows (so the audit below models the data).
    # A reader also knows that a group missing from a breakdown has no one in it,
    # so only cells whose every label is listed (shown or hidden) can hold anyone.
    atoms = atoms_in_scope(areas, filters, measure)
    listed = pd.Series(True, index=atoms.index)
    for dimension, frame in breakdowns.items():
        columns = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
        labels = set(map(tuple, frame[columns].to_numpy()))
        listed &= np.array([tuple(values) in labels for values in atoms[columns].to_numpy()], dtype=bool)
    atoms = atoms[listed].reset_index(drop=True)
    keys = set(map(tuple, atoms.to_numpy()))
    assert set(map(tuple, base[["care_group", "service_area", "survey", "staff_group"]].to_numpy())) <= keys

    shown_vectors = [np.ones(len(atoms))]  # the headline total
    hidden_vectors: dict[str, np.ndarray] = {}
    for dimension, frame in breakdowns.items():
        labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
        truth = truth_by(base, labels)
        assert len(frame) == len(truth)
        for _, row in frame.iterrows():
            key = tuple(row[labels]) if len(labels) > 1 else row[dimension]
            true_n, true_positive = truth.loc[key, "n"], truth.loc[key, "positive"]
            if row["hidden"]:
                assert row[survey.FIGURES].isna().all(), (dimension, key)
                hidden_vectors[f"{dimension}: {key}"] = group_mask(atoms, dimension, row)
            else:
                assert true_n >= threshold, (dimension, key, true_n)
                assert (row["n"], row["positive"]) == (true_n, true_positive)
                shown_vectors.append(group_mask(atoms, dimension, row))
        # What a download of this breakdown holds.
        download = read_download(export.to_csv(survey.breakdown_table(frame, dimension), {"Filters": "test"}))
        assert len(download) == len(frame)
        figures = ["Answered (n)", "Positive", "Percent", "95% CI low (%)", "95% CI high (%)"]
        for (_, line), hidden in zip(download.iterrows(), frame["hidden"]):
            if hidden:
                assert (line[figures] == "").all() and line["Hidden because"] != ""
            else:
                assert int(line["Answered (n)"]) >= threshold and line["Hidden because"] == ""
    note("groups hidden in a shown selection" if hidden_vectors else "nothing hidden")
    leaked = recoverable(shown_vectors, hidden_vectors)
    assert not leaked, f"recoverable by subtraction: {leaked}"

    # Months add up to the shown total: no single hidden month, no small month shown.
    by_month = base.assign(month=pd.to_datetime(base["submitted_on"]).dt.to_period("M").dt.to_timestamp())
    truth = truth_by(by_month, ["month"])
    assert [pd.Timestamp(m) for m in trend["month"]] == list(truth.index)
    assert trend["hidden"].sum() != 1
    for _, row in trend.iterrows():
        if row["hidden"]:
            assert row[survey.FIGURES].isna().all()
        else:
            assert truth.loc[pd.Timestamp(row["month"]), "n"] >= threshold
            assert row["n"] == truth.loc[pd.Timestamp(row["month"]), "n"]

    # Comments: the filtered group is big enough, and only its own comments come out.
    assert not comments["hidden"].any()
    answered = rows[rows[measure] != ""]
    texts = [t.strip() for t in answered["comment"] if t.strip()]
    assert sorted(comments["comment"]) == sorted(t for t in texts if search.strip().lower() in t.lower())


# --- Over the demo database ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[tuple[pd.DataFrame, dict[str, list[str]]]]:
    database = db.Database(demo_db)
    db.pin(database)
    service_areas = database.query("filter_options")
    yield read_responses(), areas_by_care_group(service_areas)
    db.pin(None)
    database.close()


def demo_filters() -> st.SearchStrategy[Filters]:
    responses = read_responses()
    areas = sorted(set(responses["service_area"]) - {NS})
    dates = st.one_of(st.none(), st.dates(FIRST_DAY, LAST_DAY))
    return st.builds(
        lambda care_groups, service_areas, surveys, staff_groups, day_from, day_to: Filters(
            tuple(care_groups), tuple(service_areas), tuple(surveys), tuple(staff_groups), day_from, day_to
        ),
        st.lists(st.sampled_from(contract.CARE_GROUPS), max_size=2, unique=True),
        st.one_of(st.just([]), st.lists(st.sampled_from(areas), min_size=1, max_size=4, unique=True)),
        st.lists(st.sampled_from(contract.SURVEYS), max_size=3, unique=True),
        st.lists(st.sampled_from(contract.STAFF_GROUPS), max_size=3, unique=True),
        dates,
        dates,
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    measure=st.sampled_from(MEASURES),
    filters=demo_filters(),
    threshold=st.sampled_from([10, 10, 5, 25]),
    search=st.sampled_from(SEARCHES),
)
def test_demo_database_never_shows_a_small_group(demo, measure: str, filters: Filters, threshold: int,
                                                 search: str) -> None:
    responses, areas = demo
    check_everything(responses, areas, measure, filters, threshold, search)


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("filters", [Filters(), Filters(care_groups=("Adult mental health", "Corporate services")),
                                     Filters(surveys=("Service user", "Carer")), Filters(staff_groups=("Nursing",))])
def test_demo_database_chosen_cases(demo, measure: str, filters: Filters) -> None:
    """Cases hypothesis may not reach every run: the whole Trust, care groups with small areas."""
    responses, areas = demo
    check_everything(responses, areas, measure, filters, 10, "")


# --- Over random small tables --------------------------------------------------------------------------

SMALL_AREAS = {
    "Adult mental health": ["Ward A", "Ward B", "Crisis team"],
    "Community health services": ["District nursing", "Podiatry"],
    "Corporate services": ["Finance"],
}
COMMENTS = ["", "", "Wi-Fi drops", "the VPN is slow", "=1+1", "**bold** [link](http://x)", "' or 1=1 --", "100% _fine_"]


@st.composite
def response_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """Valid survey_responses rows under the contract, concentrated on few groups so that small ones occur."""
    rows = []
    for number in range(draw(st.integers(5, 70))):
        survey_name = draw(st.sampled_from(contract.SURVEYS))
        staff_survey = survey_name in contract.STAFF_SURVEYS
        care_group = draw(st.sampled_from([*SMALL_AREAS] + ([] if staff_survey else [""])))
        area = draw(st.sampled_from([*SMALL_AREAS[care_group], ""])) if care_group else ""
        rows.append({
            "response_id": f"R{number}",
            "survey": survey_name,
            "submitted_on": draw(st.dates(FIRST_DAY, LAST_DAY)).isoformat(),
            "care_group": care_group,
            "service_area": area,
            "staff_group": draw(st.sampled_from(["", "Nursing", "Management"])) if staff_survey else "",
            "it_skills": draw(st.sampled_from(["", *contract.IT_SKILLS])),
            "info_available": draw(st.sampled_from(["", *contract.INFO_AVAILABLE])) if staff_survey else "",
            "it_unreliable": draw(st.sampled_from(["", *contract.IT_UNRELIABLE])),
            "comment": draw(st.sampled_from(COMMENTS)),
        })
    return rows


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=response_rows(),
    measure=st.sampled_from(MEASURES),
    threshold=st.integers(2, 8),
    care_groups=st.lists(st.sampled_from(list(SMALL_AREAS)), max_size=2, unique=True),
    surveys=st.lists(st.sampled_from(contract.SURVEYS), max_size=2, unique=True),
    search=st.sampled_from(["", "wi-fi", "%", "'"]),
)
def test_random_small_table_never_shows_a_small_group(rows, measure, threshold, care_groups, surveys, search) -> None:
    with tempfile.TemporaryDirectory() as folder:
        extracts = build_small_database(Path(folder), SMALL_AREAS, rows)
        responses = read_responses(extracts)
        database = db.Database(Path(folder) / "test.duckdb")
        db.pin(database)
        try:
            check_everything(responses, {g: sorted(a) for g, a in SMALL_AREAS.items()}, measure,
                             Filters(care_groups=tuple(care_groups), surveys=tuple(surveys)), threshold, search)
        finally:
            db.pin(None)
            database.close()


def build_small_database(folder: Path, areas: dict[str, list[str]], rows: list[dict[str, str]]) -> Path:
    extracts = folder / "extracts"
    extracts.mkdir()
    for name, extract_rows in SMALL.items():
        if name not in ("service_areas", "survey_responses"):
            write_csv(extracts / f"{name}.csv", extract_rows)
    write_csv(extracts / "service_areas.csv", [{"service_area": a, "care_group": g} for g, names in areas.items() for a in names])
    write_csv(extracts / "survey_responses.csv", rows, header=list(SMALL["survey_responses"][0]))
    report = build(extracts, folder / "test.duckdb")
    assert sum(f.rows_rejected for f in report.files) == 0
    return extracts


def test_care_group_hidden_in_one_breakdown_is_not_given_away_by_its_areas(tmp_path: Path, monkeypatch) -> None:
    """Care groups: forensic 40, adult mental health 30, community 11, corporate 5. The care group
    breakdown hides corporate (5) and community (11). Suppressing service areas only within
    each care group and overall would hide corporate's one area and the smallest areas
    elsewhere (forensic's), leaving community's single area (11) shown: that gives away
    community's total and, from the overall total, corporate's 5."""
    areas = {"Learning disabilities and forensic": ["Forensic 1", "Forensic 2"], "Adult mental health": ["Ward A", "Ward B"],
             "Community health services": ["District nursing"], "Corporate services": ["Finance"]}
    sizes = {"Forensic 1": 10, "Forensic 2": 30, "Ward A": 15, "Ward B": 15, "District nursing": 11, "Finance": 5}
    care_group_of = {a: g for g, names in areas.items() for a in names}
    rows = [dict(response_id=f"R-{area}-{i}", survey="Staff", submitted_on="2021-03-01", care_group=care_group_of[area],
                 service_area=area, staff_group="Nursing", it_skills="Good" if i % 2 else "Poor", info_available="",
                 it_unreliable="", comment="") for area, size in sizes.items() for i in range(size)]
    extracts = build_small_database(tmp_path, areas, rows)
    database = db.Database(tmp_path / "test.duckdb")
    db.pin(database)
    try:
        responses = read_responses(extracts)
        check_everything(responses, areas, "it_skills", Filters(), 10, "")
        shown = survey.breakdown("it_skills", "service_area", Filters(), 10)
        assert shown.set_index("service_area").loc["District nursing", "hidden"]

        def within_and_overall_only(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
            ordered = frame.sort_values(["care_group", "service_area"]).reset_index(drop=True)
            return disclosure.suppress(ordered, threshold, within=("care_group",))

        monkeypatch.setattr(survey, "suppress_service_areas", within_and_overall_only)
        with pytest.raises(AssertionError, match="recoverable by subtraction"):
            check_everything(responses, areas, "it_skills", Filters(), 10, "")
    finally:
        db.pin(None)
        database.close()


def test_audit_finds_a_leak() -> None:
    """The subtraction check can fail: one hidden group beside a shown total is caught."""
    atoms = pd.DataFrame({"care_group": ["A", "A", "B"], "service_area": ["a1", "a2", "b1"]})
    a1, a2, b1 = (group_mask(atoms, "service_area", pd.Series({"care_group": g, "service_area": a}))
                  for g, a in (("A", "a1"), ("A", "a2"), ("B", "b1")))
    total = np.ones(3)
    assert recoverable([total, a2, b1], {"a1": a1}) == ["a1"]
    assert recoverable([total, b1], {"a1": a1, "a2": a2}) == []
    care_group_a = group_mask(atoms, "care_group", pd.Series({"care_group": "A"}))
    assert recoverable([total, a2, care_group_a], {"a1": a1, "b1": b1}) == ["a1", "b1"]


def test_comment_texts_used_here_are_awkward_on_purpose() -> None:
    assert any(set(c) & set(string.punctuation) for c in COMMENTS)
