"""Cell key perturbation: the noise table's promises, ``perturb``, and the counts the build releases.

The table's properties are worked out here from its definition (docs/DISCLOSURE.md,
issue 10), one true count at a time, by asking ``perturb`` for the count under each
of the 256 cell keys: unbiased (the noise averages exactly zero, in whole keys),
bounded, never negative, zero stays zero. The build's released counts are checked
against cell keys computed here with ``hmac`` (``tests.oracle.released_count``), never
by the SQL.
"""

from __future__ import annotations

import hashlib
import hmac
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

from pipeline import contract, keys, perturbation
from pipeline.build import build
from pipeline.ingest import BuildError
from pipeline.perturbation import KEYS, MAX_NOISE, NOISE
from tests import oracle
from tests.conftest import ROOT, SMALL, write_csv

# Built from parts so that no file of the repository holds the key the build is given.
SECRET = "-".join(("some", "secret", "xyz", "long", "enough", "for", "a", "trust"))
COUNTS = range(51)


def noise_row(count: int) -> list[int]:
    """What ``perturb`` adds to ``count`` under each cell key 0..255."""
    out = perturbation.perturb([count] * KEYS, list(range(KEYS)))
    return [int(value) - count for value in out]


# --- The table, from its definition --------------------------------------------------------------


def test_the_bound_is_within_the_policy_and_reached() -> None:
    # Issue 10: the maximum noise is chosen between 2 and 4; the base row uses all of it.
    assert 2 <= MAX_NOISE <= 4
    assert KEYS == 256
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

cell_keys = st.integers(0, 2**40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), cell_keys), max_size=30))
def test_perturb_is_the_table_lookup_elementwise(cells_: list[tuple[int, int]]) -> None:
    counts = [c for c, _ in cells_]
    keys_ = [k for _, k in cells_]
    out = perturbation.perturb(counts, keys_)
    assert len(out) == len(cells_)
    for position, (count, key) in enumerate(cells_):
        expected = count + int(NOISE[min(count, MAX_NOISE), key % KEYS])
        assert out[position] == expected
        assert perturbation.perturb([count], [key])[0] == expected  # each cell on its own: the same
    assert list(perturbation.perturb(counts[::-1], keys_[::-1])) == list(out)[::-1]


def test_the_rows_the_build_joins_are_the_table() -> None:
    rows = perturbation.rows()
    assert len(rows) == (MAX_NOISE + 1) * KEYS
    assert all(NOISE[row, key] == noise for row, key, noise in rows)


def test_empty_input() -> None:
    assert len(perturbation.perturb([], [])) == 0


# --- The keyed hash, in SQL and in Python -------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(key=st.text(min_size=1, max_size=100), message=st.text(max_size=60))
def test_the_sql_hmac_is_hmac_sha_256(key: str, message: str) -> None:
    """The build hashes inside DuckDB: the same digest as Python's hmac, for any key (longer than a
    block too) and any text."""
    with duckdb.connect() as con:
        found = con.execute(f"select {keys.hmac_sql('$message')}", keys.pads(key) | {"message": message}).fetchone()[0]
    assert found == hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


# --- The build: released counts, where the key goes -----------------------------------------------------


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


def release_cells(database: Path) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.execute("select * from release_cells").df()
    return frame.sort_values([c for c in frame.columns if c != "responses"]).reset_index(drop=True)


def check_cells(folder: Path, database: Path, key: str) -> int:
    """Every released cell's count is the count of exactly its responses plus the table's noise for the
    cell key of exactly those responses, worked out here with hmac. Returns how many cells were checked."""
    responses = oracle.read_responses(folder, key)
    frame = release_cells(database)
    for row in frame.itertuples():
        group = (
            row.wave,
            row.kind,
            *(None if pd.isna(v) else v for v in (row.care_group, row.service_area, row.survey, row.staff_group)),
            None if pd.isna(row.month) else pd.Timestamp(row.month).date(),
        )
        rows = oracle.members(responses, group)
        given = rows[row.measure] == ("" if pd.isna(row.answer) else row.answer)
        assert row.responses == oracle.released_count(rows.loc[given, "response_id"], key), row
    return len(frame)


def build_info(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return [p for (p,) in con.execute("select distinct perturbation from build_info").fetchall()]


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no secrets file of a developer's working folder
    monkeypatch.setenv(keys.KEY_SETTING, SECRET)
    return SECRET


@pytest.fixture
def unkeyed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)


def test_released_counts_are_the_counts_plus_the_noise_of_exactly_their_responses(
    small_extracts: Path, tmp_path: Path, keyed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_responses(small_extracts)
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")  # every group released: every cell is checked
    report = build(small_extracts, tmp_path / "keyed.duckdb")
    assert report.perturbation == "setting" and build_info(tmp_path / "keyed.duckdb") == ["setting"]
    assert check_cells(small_extracts, tmp_path / "keyed.duckdb", keyed) > 50
    cells = release_cells(tmp_path / "keyed.duckdb")
    responses = oracle.read_responses(small_extracts, keyed)
    trust = cells[
        (cells["kind"] == "answers")
        & cells["care_group"].isna()
        & cells["survey"].isna()
        & cells["staff_group"].isna()
        & (cells["measure"] == "it_skills")
    ]
    true = responses.groupby(responses["it_skills"].replace("", None), dropna=False).size()
    shown = dict(zip(trust["answer"].where(trust["answer"].notna(), None), trust["responses"]))
    assert sum(shown.values()) != len(responses) or any(  # perturbed, not the true counts
        shown.get(a if a else None, 0) != n for a, n in true.items()
    )


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
def test_same_key_same_release_and_another_key_other_noise(
    small_extracts: Path, tmp_path: Path, keyed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_responses(small_extracts)
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    build(small_extracts, tmp_path / "first.duckdb")
    build(small_extracts, tmp_path / "second.duckdb")
    first = release_cells(tmp_path / "first.duckdb")
    pd.testing.assert_frame_equal(first, release_cells(tmp_path / "second.duckdb"))
    monkeypatch.setenv(keys.KEY_SETTING, keyed + "-rotated")
    build(small_extracts, tmp_path / "other.duckdb")
    other = release_cells(tmp_path / "other.duckdb")
    pd.testing.assert_frame_equal(first.drop(columns="responses"), other.drop(columns="responses"))
    assert (first["responses"] != other["responses"]).any()
    assert ((first["responses"] - other["responses"]).abs() <= 2 * MAX_NOISE).all()


def test_no_key_and_real_data_releases_nothing_and_warns(small_extracts: Path, tmp_path: Path, unkeyed: None) -> None:
    add_responses(small_extracts)
    database = tmp_path / "plain.duckdb"
    report = build(small_extracts, database)
    assert release_cells(database).empty
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from release_groups").fetchone()[0] == 0
        assert con.execute("select perturbation from release_info").fetchone()[0] == "none"
    assert build_info(database) == ["none"]
    assert report.perturbation == "none" and not report.synthetic
    text = report.text()
    assert "WARNING" in text and keys.KEY_SETTING in text


def test_no_key_and_synthetic_data_uses_the_demo_key(
    small_extracts: Path, tmp_path: Path, unkeyed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_responses(small_extracts)
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    data = (small_extracts / "survey_responses.csv").read_bytes()
    manifest = {"files": {"survey_responses.csv": hashlib.sha256(data).hexdigest()}}
    (small_extracts / contract.SYNTHETIC_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    database = tmp_path / "demo.duckdb"
    report = build(small_extracts, database)
    assert report.synthetic and report.perturbation == "demo key (synthetic data)"
    assert build_info(database) == ["demo key (synthetic data)"]
    assert "WARNING" not in report.text()
    assert check_cells(small_extracts, database, keys.DEMO_KEY) > 50


# --- Where the key comes from --------------------------------------------------------------------------


def secrets(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_wins_over_the_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = secrets(tmp_path / "secrets.toml", '[disclosure]\nperturbation_key = "from-the-file"\n')
    monkeypatch.setenv(keys.KEY_SETTING, "  from-the-environment ")
    assert keys.configured_key(file) == "from-the-environment"


def test_secrets_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    text = '[auth]\nallowed = ["a@b"]\n\n[disclosure]\nperturbation_key = "from-the-file"\n'
    file = secrets(tmp_path / "secrets.toml", text)
    assert keys.configured_key(file) == "from-the-file"
    monkeypatch.setenv(keys.KEY_SETTING, "   ")  # a blank setting is no setting
    assert keys.configured_key(file) == "from-the-file"


@pytest.mark.parametrize("text", ["", "[disclosure]\n", '[disclosure]\nperturbation_key = "  "\n', "[auth]\nx = 1\n"])
def test_no_key_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    assert keys.configured_key(secrets(tmp_path / "secrets.toml", text)) is None
    assert keys.configured_key(tmp_path / "missing.toml") is None


@pytest.mark.parametrize(
    "text",
    [
        '[disclosure]\nperturbation_key = "a"\nperturbation_key = "b"\n',  # a key written twice
        "[disclosure\nperturbation_key = 'a'\n",
    ],
)
def test_broken_secrets_file_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    file = secrets(tmp_path / "secrets.toml", text)
    with pytest.raises(BuildError, match="secrets.toml") as error:
        keys.configured_key(file)
    assert str(file) in str(error.value)


def test_broken_secrets_file_as_bytes_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    file = tmp_path / "secrets.toml"
    file.write_bytes(b'[disclosure]\nperturbation_key = "\xff\xfe"\n')
    with pytest.raises(BuildError) as error:
        keys.configured_key(file)
    assert str(file) in str(error.value)


def test_choose_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(keys.KEY_SETTING, raising=False)
    assert keys.choose_key(synthetic=False) == (None, "none")
    assert keys.choose_key(synthetic=True) == (keys.DEMO_KEY, "demo key (synthetic data)")
    monkeypatch.setenv(keys.KEY_SETTING, "set")  # short: kept for the synthetic demo, refused for a Trust
    assert keys.choose_key(synthetic=True) == ("set", "setting")
    with pytest.raises(BuildError, match=r"has 3 characters; a Trust's key needs at least 32.*secrets.token_urlsafe"):
        keys.choose_key(synthetic=False)
    long_enough = "x" * keys.MIN_KEY_CHARS
    monkeypatch.setenv(keys.KEY_SETTING, long_enough)
    assert keys.choose_key(synthetic=False) == (long_enough, "setting")
