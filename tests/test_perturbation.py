"""Cell key perturbation: the noise table's promises, ``perturb``, and the keys the build stores.

The table's properties are worked out here from its definition (docs/DISCLOSURE.md,
issue 10), one true count at a time, by asking ``perturb`` for the count under each
of the 256 cell keys: unbiased (the noise averages exactly zero, in whole keys),
bounded, never negative, zero stays zero. The build is checked against record keys
computed here with ``hashlib`` (``tests.oracle.record_key``), never by the SQL.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from fractions import Fraction
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import perturbation
from dashboard.perturbation import KEYS, MAX_NOISE, NOISE
from pipeline import cells, contract
from pipeline.build import build
from pipeline.ingest import BuildError
from tests import oracle
from tests.conftest import ROOT, SMALL, write_csv

# Built from parts so that no file of the repository holds the key the build is given.
SECRET = "-".join(("some", "secret", "xyz"))
COUNTS = range(51)


def noise_row(count: int) -> list[int]:
    """What ``perturb`` adds to ``count`` under each cell key 0..255."""
    out = perturbation.perturb([count] * KEYS, list(range(KEYS)))
    return [int(value) - count for value in out]


# --- The table, from its definition --------------------------------------------------------------


def test_the_bound_is_within_the_policy_and_reached() -> None:
    # Issue 10: the maximum noise is chosen between 2 and 4; the base row uses all of it.
    assert 2 <= MAX_NOISE <= 4
    assert KEYS == cells.RECORD_KEYS == 256
    base = noise_row(MAX_NOISE + 10)
    assert min(base) == -MAX_NOISE and max(base) == MAX_NOISE


@pytest.mark.parametrize("count", COUNTS)
def test_noise_row(count: int) -> None:
    row = noise_row(count)
    assert len(row) == KEYS
    # Unbiased: exactly zero on average over the 256 cell keys (exact arithmetic, no floats).
    slots = Counter(row)
    assert sum(slots.values()) == KEYS
    assert sum(Fraction(keys, KEYS) * value for value, keys in slots.items()) == 0
    assert sum(row) == 0
    # Bounded, and the published count is never negative.
    assert all(abs(value) <= MAX_NOISE for value in row)
    assert all(count + value >= 0 for value in row)
    # Every noise value takes a whole number of keys, in one run of consecutive keys,
    # so the row is exactly its slot counts (a p-table with probabilities k/256).
    assert row == sorted(row)
    assert row == [value for value in sorted(slots) for _ in range(slots[value])]
    if count == 0:
        assert set(row) == {0}  # zero stays zero
    else:
        assert any(row), "a count that is never perturbed would be shown exactly"
    if count >= MAX_NOISE:
        assert row == noise_row(MAX_NOISE)  # one row for every count the bound cannot push below zero


@pytest.mark.parametrize("count", [1, 2])
def test_a_small_count_can_be_shown_as_zero(count: int) -> None:
    """A shown 0 does not prove that nobody gave the answer."""
    assert -count in noise_row(count)


def test_base_row_is_symmetric_with_variance_two_and_a_half() -> None:
    slots = Counter(noise_row(40))
    assert all(slots[value] == slots[-value] for value in slots)
    assert sum(Fraction(keys, KEYS) * value * value for value, keys in slots.items()) == Fraction(5, 2)


def test_table_is_read_only_and_whole() -> None:
    assert NOISE.shape == (MAX_NOISE + 1, KEYS)
    assert np.issubdtype(NOISE.dtype, np.integer)
    with pytest.raises(ValueError):
        NOISE[1, 0] = 0


# --- perturb ----------------------------------------------------------------------------------------

key_sums = st.integers(0, 2**40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), key_sums), max_size=30))
def test_perturb_is_the_table_lookup_elementwise(cells_: list[tuple[int, int]]) -> None:
    counts = [c for c, _ in cells_]
    keys = [k for _, k in cells_]
    out = perturbation.perturb(counts, keys)
    assert out.dtype == "Int64" and len(out) == len(cells_)
    for position, (count, key) in enumerate(cells_):
        expected = count + int(NOISE[min(count, MAX_NOISE), key % KEYS])
        assert out[position] == expected
        assert perturbation.perturb([count], [key])[0] == expected  # each cell on its own: the same
    # Deterministic, and independent of the order the cells come in.
    assert list(perturbation.perturb(counts, keys)) == list(out)
    assert list(perturbation.perturb(counts[::-1], keys[::-1])) == list(out)[::-1]


@settings(max_examples=50, deadline=None)
@given(count=st.integers(0, 5_000), key=st.integers(0, KEYS - 1), wraps=st.integers(1, 2**40))
def test_only_the_key_sum_modulo_256_matters(count: int, key: int, wraps: int) -> None:
    assert perturbation.perturb([count], [key + KEYS * wraps])[0] == perturbation.perturb([count], [key])[0]


def test_missing_key_sum_withholds_a_count_but_not_a_zero() -> None:
    counts = pd.array([5, 0, 12, 1, 40], dtype="Int64")
    keys = pd.array([pd.NA, pd.NA, 300, pd.NA, 7], dtype="Int64")
    out = perturbation.perturb(counts, keys)
    assert out.dtype == "Int64"
    assert out.isna().tolist() == [True, False, False, True, False]
    assert out[1] == 0
    assert out[2] == 12 + NOISE[MAX_NOISE, 300 % KEYS]
    assert out[4] == 40 + NOISE[MAX_NOISE, 7]
    # Key sums as DuckDB hands them over (float with NaN) mean the same.
    floats = perturbation.perturb(pd.Series([5, 0, 12, 1, 40]), pd.Series([np.nan, np.nan, 300.0, np.nan, 7.0]))
    assert floats.isna().tolist() == out.isna().tolist()
    assert [v for v in floats if not pd.isna(v)] == [v for v in out if not pd.isna(v)]


def test_empty_input() -> None:
    out = perturbation.perturb([], [])
    assert len(out) == 0 and out.dtype == "Int64"
    series = perturbation.perturb(pd.Series([], dtype="Int64"), pd.Series([], dtype="Int64"))
    assert len(series) == 0 and series.dtype == "Int64"


def test_a_counts_key_within_its_view() -> None:
    """A count's key sum within a view: its own records' plus twice the view's; an empty count has
    none of its own (0), and no view key sum (a database without a key) gives none at all."""
    keys = perturbation.in_view(
        pd.array([5, pd.NA, 7, 2**40], dtype="Int64"), pd.array([100, 3, pd.NA, 1], dtype="Int64")
    )
    assert [None if pd.isna(k) else int(k) for k in keys] == [205, 6, None, 2**40 + 2]
    # A count of everyone in its view (own = view) has key 3 x own: still unbiased over the 256 keys.
    own = list(range(KEYS))
    for count in COUNTS:
        out = perturbation.perturb([count] * KEYS, perturbation.in_view(own, own))
        assert sum(int(value) - count for value in out) == 0, count


def test_positions_not_index_labels() -> None:
    counts = pd.Series([20, 3], index=[7, 3])
    keys = pd.Series([1, 200], index=[3, 7])  # a different index order: matched by position
    assert list(perturbation.perturb(counts, keys)) == [20 + NOISE[MAX_NOISE, 1], 3 + NOISE[MAX_NOISE, 200]]


# --- The build: record keys, key sums, where the key goes ---------------------------------------------


def add_responses(folder: Path, count: int = 40) -> None:
    """More valid responses in a few cells, so that cells hold many records and key sums pass 255."""
    rows = list(SMALL["survey_responses"])
    answers = (("Good", "Yes", "Agree"), ("Poor", "No", "Disagree"), ("Very good", "Don't know", ""))
    for number in range(count):
        skills, info, unreliable = answers[number % len(answers)]
        rows.append(
            {
                "response_id": f"EXTRA-{number}",
                "survey": "Staff",
                "submitted_on": f"2021-0{3 + number % 2}-1{number % 10}",
                "care_group": "Adult mental health",
                "service_area": "Ward A" if number % 4 else "",
                "staff_group": "Nursing" if number % 3 else "",
                "it_skills": skills,
                "info_available": info,
                "it_unreliable": unreliable,
                "comment": "",
            }
        )
    write_csv(folder / "survey_responses.csv", rows)


def survey_cells(database: Path) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute("select * from survey_cells").df()
    keys = ["survey", "care_group", "service_area", "staff_group", "month", "measure", "answer"]
    return frame.sort_values(keys).reset_index(drop=True)


def expected_cells(folder: Path, key: str) -> dict[tuple, tuple[int, int]]:
    """(survey, care group, service area, staff group, month, measure, answer) -> (responses, key sum).

    A blank answer is a cell too (answer None), so that each measure's cells hold every response."""
    responses = oracle.read_responses(folder, key)
    responses["month"] = pd.to_datetime(responses["submitted_on"]).dt.to_period("M").dt.to_timestamp()
    out = {}
    for measure in oracle.MEASURES:
        cell = ["survey", "care_group", "service_area", "staff_group", "month", measure]
        for labels, rows in responses.groupby(cell):
            *where, month, answer = labels
            out[(*where, month.date(), measure, answer or None)] = (len(rows), int(rows["record_key"].sum()))
    return out


def stored_cells(database: Path) -> dict[tuple, tuple[int, object]]:
    frame = survey_cells(database)
    return {
        (
            r.survey,
            r.care_group,
            r.service_area,
            r.staff_group,
            pd.Timestamp(r.month).date(),
            r.measure,
            None if pd.isna(r.answer) else r.answer,
        ): (int(r.responses), None if pd.isna(r.key_sum) else int(r.key_sum))
        for r in frame.itertuples()
    }


def build_info(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return [p for (p,) in con.execute("select distinct perturbation from build_info").fetchall()]


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no secrets file of a developer's working folder
    monkeypatch.setenv(cells.KEY_SETTING, SECRET)
    return SECRET


@pytest.fixture
def unkeyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)


def test_key_sums_are_the_sums_of_the_record_keys(small_extracts: Path, tmp_path: Path, keyed: str) -> None:
    add_responses(small_extracts)
    report = build(small_extracts, tmp_path / "keyed.duckdb")
    assert report.perturbation == "setting" and build_info(tmp_path / "keyed.duckdb") == ["setting"]
    stored = stored_cells(tmp_path / "keyed.duckdb")
    expected = expected_cells(small_extracts, keyed)
    assert stored == expected
    assert max(key_sum for _, key_sum in stored.values()) > 255  # sums are stored whole, not reduced
    assert max(responses for responses, _ in stored.values()) > 1


def test_the_key_is_in_no_file(small_extracts: Path, tmp_path: Path, keyed: str) -> None:
    add_responses(small_extracts)
    database = tmp_path / "keyed.duckdb"
    build(small_extracts, database)
    secret = keyed.encode()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert database in written
    assert [p for p in written if secret in p.read_bytes()] == []
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    paths = [ROOT / name for name in tracked.decode().split("\0") if name]
    assert len(paths) > 50
    assert [str(p) for p in paths if p.is_file() and secret in p.read_bytes()] == []


@pytest.mark.slow
def test_same_extracts_same_cells_and_another_key_other_sums(
    small_extracts: Path, tmp_path: Path, keyed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_responses(small_extracts)
    build(small_extracts, tmp_path / "first.duckdb")
    build(small_extracts, tmp_path / "second.duckdb")
    first = survey_cells(tmp_path / "first.duckdb")
    pd.testing.assert_frame_equal(first, survey_cells(tmp_path / "second.duckdb"))
    monkeypatch.setenv(cells.KEY_SETTING, keyed + "-rotated")
    build(small_extracts, tmp_path / "other.duckdb")
    other = survey_cells(tmp_path / "other.duckdb")
    pd.testing.assert_frame_equal(first.drop(columns="key_sum"), other.drop(columns="key_sum"))
    assert (first["key_sum"] != other["key_sum"]).any()


def test_no_key_and_real_data_stores_no_key_sum_and_warns(small_extracts: Path, tmp_path: Path, unkeyed: None) -> None:
    add_responses(small_extracts)
    database = tmp_path / "plain.duckdb"
    report = build(small_extracts, database)
    stored = survey_cells(database)
    assert len(stored) > 0 and stored["key_sum"].isna().all()
    assert stored["responses"].sum() > 0
    assert build_info(database) == ["none"]
    assert report.perturbation == "none" and not report.synthetic
    text = report.text()
    assert "WARNING" in text and cells.KEY_SETTING in text


def test_no_key_and_synthetic_data_uses_the_demo_key(small_extracts: Path, tmp_path: Path, unkeyed: None) -> None:
    add_responses(small_extracts)
    data = (small_extracts / "survey_responses.csv").read_bytes()
    manifest = {"files": {"survey_responses.csv": hashlib.sha256(data).hexdigest()}}
    (small_extracts / contract.SYNTHETIC_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    database = tmp_path / "demo.duckdb"
    report = build(small_extracts, database)
    assert report.synthetic and report.perturbation == "demo key (synthetic data)"
    assert build_info(database) == ["demo key (synthetic data)"]
    assert "WARNING" not in report.text()
    assert stored_cells(database) == expected_cells(small_extracts, cells.DEMO_KEY)


# --- Where the key comes from --------------------------------------------------------------------------


def secrets(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_wins_over_the_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = secrets(tmp_path / "secrets.toml", '[disclosure]\nperturbation_key = "from-the-file"\n')
    monkeypatch.setenv(cells.KEY_SETTING, "  from-the-environment ")
    assert cells.configured_key(file) == "from-the-environment"


def test_secrets_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
    text = '[auth]\nallowed = ["a@b"]\n\n[disclosure]\nperturbation_key = "from-the-file"\n'
    file = secrets(tmp_path / "secrets.toml", text)
    assert cells.configured_key(file) == "from-the-file"
    monkeypatch.setenv(cells.KEY_SETTING, "   ")  # a blank setting is no setting
    assert cells.configured_key(file) == "from-the-file"


@pytest.mark.parametrize("text", ["", "[disclosure]\n", '[disclosure]\nperturbation_key = "  "\n', "[auth]\nx = 1\n"])
def test_no_key_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
    assert cells.configured_key(secrets(tmp_path / "secrets.toml", text)) is None
    assert cells.configured_key(tmp_path / "missing.toml") is None


@pytest.mark.parametrize(
    "text",
    [
        '[disclosure]\nperturbation_key = "a"\nperturbation_key = "b"\n',  # a key written twice
        "[disclosure\nperturbation_key = 'a'\n",
    ],
)
def test_broken_secrets_file_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
    file = secrets(tmp_path / "secrets.toml", text)
    with pytest.raises(BuildError, match="secrets.toml") as error:
        cells.configured_key(file)
    assert str(file) in str(error.value)


def test_broken_secrets_file_as_bytes_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
    file = tmp_path / "secrets.toml"
    file.write_bytes(b'[disclosure]\nperturbation_key = "\xff\xfe"\n')
    with pytest.raises(BuildError) as error:
        cells.configured_key(file)
    assert str(file) in str(error.value)


def test_choose_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cells.KEY_SETTING, raising=False)
    assert cells.choose_key(synthetic=False) == (None, "none")
    assert cells.choose_key(synthetic=True) == (cells.DEMO_KEY, "demo key (synthetic data)")
    monkeypatch.setenv(cells.KEY_SETTING, "set")
    assert cells.choose_key(synthetic=True) == ("set", "setting")
    assert cells.choose_key(synthetic=False) == ("set", "setting")
