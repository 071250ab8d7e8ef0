"""The build implements the data contract: every rule, line numbers, encodings, XLSX, the swap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline import contract
from pipeline.build import SERVED_TABLES, SURVEY_EXTRACTS, build
from pipeline.ingest import BuildError
from pipeline.keys import KEY_SETTING
from tests.conftest import DEMO_EXTRACTS, ROOT, SMALL, write_csv

CONTRACT_COLUMNS = {name: list(rows[0]) for name, rows in SMALL.items()}


def add_rows(folder: Path, extract: str, *rows: dict[str, str]) -> None:
    write_csv(
        folder / f"{extract}.csv",
        SMALL[extract] + [dict(dict.fromkeys(CONTRACT_COLUMNS[extract], ""), **r) for r in rows],
    )


def rejects(database: Path) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select * from rejects").df()


def table(database: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f'select * from "{name}"').df()


GOOD = {
    "conversations": {"conversation_id": "C9", "held_on": "2021-03-01", "service_area": "Ward A", "hours": "1"},
    "conversation_attendees": {"conversation_id": "C1", "staff_id": "STF-9"},
    "actions": {
        "action_id": "A9",
        "service_area": "Ward A",
        "theme": "Innovation",
        "title": "T",
        "quick_win": "No",
        "status": "Not started",
        "raised_on": "2021-03-01",
    },
    "survey_responses": {
        "response_id": "R9",
        "survey": "Staff",
        "submitted_on": "2021-03-01",
        "care_group": "Adult mental health",
    },
    "service_areas": {"service_area": "Ward Z", "care_group": "Corporate services"},
    "lists": {"list": "care_group", "value": "Surgery"},
}

# (extract, changes to a good row, column named in the reject, words in the reason)
BAD_ROWS = [
    ("lists", {"list": "colour", "value": "Blue"}, "list", "is not a list: care_group, staff_group"),
    ("lists", {"list": "", "value": "Blue"}, "list", "is required"),
    ("lists", {"value": ""}, "value", "is required"),
    ("lists", {"value": "adult MENTAL health"}, "value", "repeats an earlier value of its list"),
    ("lists", {"value": "not stated"}, "value", "is what an empty value is shown as"),
    ("lists", {"value": "Volunteers", "list": "survey", "meaning": "completed"}, "meaning", "must be empty, staff"),
    ("lists", {"meaning": "staff"}, "meaning", "must be empty, staff"),
    ("service_areas", {"service_area": ""}, "service_area", "is required"),
    ("service_areas", {"service_area": "ward a"}, "service_area", "repeats an earlier row"),
    ("service_areas", {"care_group": "Surgery"}, "care_group", "is not a care group in lists"),
    ("service_areas", {"care_group": ""}, "care_group", "is required"),
    ("conversations", {"conversation_id": "C1"}, "conversation_id", "repeats an earlier row"),
    ("conversations", {"conversation_id": ""}, "conversation_id", "is required"),
    ("conversations", {"held_on": "03/15/2021"}, "held_on", "is not a date"),
    ("conversations", {"held_on": "2021-02-30"}, "held_on", "is not a date"),
    ("conversations", {"held_on": ""}, "held_on", "is required"),
    ("conversations", {"service_area": "Nowhere"}, "service_area", "is not in service_areas"),
    ("conversations", {"hours": "0"}, "hours", "more than 0 and at most 8"),
    ("conversations", {"hours": "8.5"}, "hours", "more than 0 and at most 8"),
    ("conversations", {"hours": "two"}, "hours", "is not a number"),
    ("conversations", {"format": "Carrier pigeon"}, "format", "is not a conversation format"),
    ("conversation_attendees", {"conversation_id": "C404"}, "conversation_id", "is not in conversations"),
    ("conversation_attendees", {"staff_id": ""}, "staff_id", "is required"),
    ("conversation_attendees", {"staff_id": "jane.doe@nhs.net"}, "staff_id", "name or e-mail"),
    ("conversation_attendees", {"staff_id": "Jane Doe"}, "staff_id", "name or e-mail"),
    ("conversation_attendees", {"staff_id": "STF-1"}, "conversation_id, staff_id", "repeats an earlier row"),
    ("conversation_attendees", {"staff_group": "Surgeons"}, "staff_group", "is not a staff group"),
    ("actions", {"action_id": "A1"}, "action_id", "repeats an earlier row"),
    ("actions", {"conversation_id": "C404"}, "conversation_id", "is not in conversations"),
    ("actions", {"service_area": "Nowhere"}, "service_area", "is not in service_areas"),
    ("actions", {"theme": "Blockchain"}, "theme", "is not a strategy theme in lists"),
    ("actions", {"title": ""}, "title", "is required"),
    ("actions", {"quick_win": "maybe"}, "quick_win", "is not yes or no"),
    ("actions", {"status": "Done"}, "status", "is not a status"),
    ("actions", {"raised_on": "yesterday"}, "raised_on", "is not a date"),
    ("actions", {"status": "Completed"}, "completed_on", "is required when the status is the completed one"),
    ("actions", {"completed_on": "2021-03-05"}, "completed_on", "must be empty unless the status is the completed one"),
    ("actions", {"status": "Completed", "completed_on": "2021-02-01"}, "completed_on", "is before raised_on"),
    ("survey_responses", {"response_id": "R1"}, "response_id", "repeats an earlier row"),
    ("survey_responses", {"survey": "Patients"}, "survey", "is not a survey"),
    ("survey_responses", {"submitted_on": "2021/03/01"}, "submitted_on", "is not a date"),
    ("survey_responses", {"care_group": ""}, "care_group", "is required for a staff survey"),
    ("survey_responses", {"service_area": "Nowhere"}, "service_area", "is not in service_areas"),
    ("survey_responses", {"service_area": "District nursing"}, "service_area", "does not belong to the care_group"),
    (
        "survey_responses",
        {"survey": "Carer", "care_group": "", "service_area": "Ward A"},
        "service_area",
        "without a care_group",
    ),
    ("survey_responses", {"survey": "Carer", "staff_group": "Nursing"}, "staff_group", "is only for staff surveys"),
    (
        "survey_responses",
        {"survey": "Service user", "info_available": "Yes"},
        "info_available",
        "is only for staff surveys",
    ),
    ("survey_responses", {"it_skills": "Excellent"}, "it_skills", "is not an IT skills answer"),
    ("survey_responses", {"info_available": "Maybe"}, "info_available", "is not an information available answer"),
    ("survey_responses", {"it_unreliable": "Agree strongly"}, "it_unreliable", "is not an agree/disagree answer"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("extract", "changes", "column", "reason"), BAD_ROWS)
def test_each_rule_rejects_a_bad_row_with_its_line(small_extracts, tmp_path, extract, changes, column, reason):
    add_rows(small_extracts, extract, GOOD[extract], GOOD[extract] | changes)
    database = tmp_path / "out.duckdb"
    report = build(small_extracts, database, accept_rejects=True)
    found = rejects(database)
    file = f"{extract}.csv"
    bad_line = len(SMALL[extract]) + 3  # header, the small rows, the good row, then the bad one
    mine = found[(found["file"] == file) & (found["line"] == bad_line)]
    assert (mine["column"] == column).any(), found.to_string()
    assert mine.loc[mine["column"] == column, "reason"].str.contains(reason).all(), mine.to_string()
    # Only the bad row is rejected; the good row just before it loads.
    assert set(found.loc[found["file"] == file, "line"]) == {bad_line}
    # The rejected value is kept for the engagement files (to find and fix the row); a survey row is
    # someone's answers, so its values never reach the served file.
    values = mine.loc[mine["column"] == column, "value"]
    if extract in SURVEY_EXTRACTS:
        assert found.loc[found["file"] == file, "value"].isna().all(), mine.to_string()
    elif changes.get(column):
        assert (values == changes[column]).all(), mine.to_string()
    counts = {f.file: f for f in report.files}[file]
    assert (counts.rows_read, counts.rows_loaded, counts.rows_rejected) == (
        len(SMALL[extract]) + 2,
        len(SMALL[extract]) + 1,
        1,
    )


def test_rows_read_equal_loaded_plus_rejected_for_every_file(demo_db):
    """build_info reports, per file, the rows read, loaded and rejected. The engagement tables are served
    with exactly the rows loaded; the survey files are loaded only in the build's staging file, so the
    served file has no response table at all and build_info is where their loaded rows are reported."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        info = con.execute("select file, rows_read, rows_loaded, rows_rejected from build_info").df()
        served = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        rejected = con.execute("select file, count(distinct line) as lines from rejects group by file").df()
    assert len(info) == 9  # every extract: lists, the five of 2021, waves, questions and survey_answers
    assert served == set(SERVED_TABLES)
    assert not served & {"survey_responses", "survey_answers", "survey_cells", "survey_groups", "survey_comments"}
    assert not list(demo_db.parent.glob(f".{demo_db.name}.*"))  # the staging file is gone
    rejects_by_file = dict(zip(rejected["file"], rejected["lines"]))
    for row in info.itertuples():
        assert row.rows_read == row.rows_loaded + row.rows_rejected
        assert row.rows_rejected == rejects_by_file.get(row.file, 0), row.file
        # Rows read: every data row of the file, as pandas reads it.
        source = pd.read_csv(DEMO_EXTRACTS / row.file, dtype=str, keep_default_na=False)
        assert row.rows_read == len(source), row.file
        table_name = row.file.rsplit(".", 1)[0]
        if table_name in SURVEY_EXTRACTS:
            assert table_name not in served
            assert row.rows_loaded > 0
        else:
            with duckdb.connect(str(demo_db), read_only=True) as con:
                assert con.execute(f'select count(*) from "{table_name}"').fetchone()[0] == row.rows_loaded


def test_labels_headers_and_yes_no_are_normalised(small_extracts, tmp_path):
    rows = [
        {
            "Action ID": " A9 ",
            "conversation-id": "",
            "SERVICE_AREA": " ward a ",
            "Theme": "innovation",
            "title": "T",
            "Quick Win": "y",
            "status": "completed",
            "raised on": "15/03/2021",
            "completed_on": "16/03/2021",
            "Owner": "x",
        },
        {
            "Action ID": "A10",
            "conversation-id": "",
            "SERVICE_AREA": "Ward A",
            "Theme": "INNOVATION",
            "title": "T",
            "Quick Win": "0",
            "status": "Not Started",
            "raised on": "2021-03-15",
            "completed_on": "",
            "Owner": "",
        },
    ]
    write_csv(small_extracts / "actions.csv", rows)
    database = tmp_path / "out.duckdb"
    report = build(small_extracts, database)
    actions = table(database, "actions")
    first = actions.iloc[0]
    assert first["service_area"] == "Ward A" and first["theme"] == "Innovation" and first["status"] == "Completed"
    assert bool(first["quick_win"]) is True and bool(actions.iloc[1]["quick_win"]) is False
    assert str(first["raised_on"])[:10] == "2021-03-15"  # 15/03/2021 is 15 March, never month-first
    assert {f.file: f for f in report.files}["actions.csv"].ignored_columns == ["Owner"]


def test_utf8_with_bom_and_windows_1252_both_load(small_extracts, tmp_path, monkeypatch):
    # Thresholds of 1, so the one response's comment is released (release_comments) and can be read back.
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    monkeypatch.setenv("DASHBOARD_MIN_COMMENTS", "1")
    rows = SMALL["survey_responses"][:1]
    rows = [rows[0] | {"comment": "Café Wi-Fi – “slow”"}]
    write_csv(small_extracts / "survey_responses.csv", rows, encoding="utf-8-sig")
    with open(small_extracts / "service_areas.csv", "w", encoding="cp1252", newline="") as handle:
        handle.write(
            "service_area,care_group\r\nWard A,Adult mental health\r\nDistrict nursing,Community health services\r\nCafé – Ward B,Corporate services\r\n"
        )
    database = tmp_path / "out.duckdb"
    report = build(small_extracts, database)
    assert list(table(database, "release_comments")["comment"]) == ["Café Wi-Fi – “slow”"]
    assert "Café – Ward B" in set(table(database, "service_areas")["service_area"])
    by_file = {f.file: f for f in report.files}
    assert by_file["service_areas.csv"].warnings and "Windows-1252" in by_file["service_areas.csv"].warnings[0]
    assert not by_file["survey_responses.csv"].warnings
    assert by_file["survey_responses.csv"].rows_loaded == 1


def test_line_numbers_follow_the_file_with_quoted_newlines_and_blank_lines(small_extracts, tmp_path):
    text = (
        "service_area,care_group\n"
        "Ward A,Adult mental health\n"
        '"District\nnursing",Community health services\n'  # lines 3-4
        "\n"  # line 5 is blank
        "Ward C,Not a group\n"  # line 6
        "Ward D,Corporate services,extra\n"  # line 7: too many fields
    )
    (small_extracts / "service_areas.csv").write_text(text, encoding="utf-8")
    database = tmp_path / "out.duckdb"
    build(small_extracts, database, accept_rejects=True)
    found = rejects(database)
    mine = found[found["file"] == "service_areas.csv"]
    assert mine.set_index("line")["reason"].to_dict()[6] == "is not a care group in lists"
    assert "has 3 fields but the header has 2" in mine.set_index("line")["reason"].to_dict()[7]


def served_tables_equal(first: Path, second: Path) -> None:
    """Every served table of two builds is the same (build_info: its row counts and settings; the
    files' format, size and checksum differ between a CSV and an XLSX)."""
    for name in SERVED_TABLES:
        if name != "build_info":
            pd.testing.assert_frame_equal(table(first, name), table(second, name), obj=name)
    same = ["file", "rows_read", "rows_loaded", "rows_rejected", "ignored_columns", "synthetic", "perturbation"]
    info_a, info_b = table(first, "build_info"), table(second, "build_info")
    pd.testing.assert_frame_equal(
        info_a[same].assign(file=info_a["file"].str.rsplit(".", n=1).str[0]),
        info_b[same].assign(file=info_b["file"].str.rsplit(".", n=1).str[0]),
    )


@pytest.mark.slow
def test_same_extracts_as_xlsx_build_the_same_tables(small_extracts, tmp_path, monkeypatch):
    """The survey rows are only in the staging file: the same release (built with a key and a
    threshold of 1, so the small extracts' groups are released) shows they loaded the same."""
    monkeypatch.setenv(KEY_SETTING, "a test key, as long as a Trust needs")
    monkeypatch.setenv("DASHBOARD_MIN_GROUP_SIZE", "1")
    monkeypatch.setenv("DASHBOARD_MIN_COMMENTS", "1")
    csv_db = tmp_path / "csv.duckdb"
    build(small_extracts, csv_db)
    assert len(table(csv_db, "release_cells")) and len(table(csv_db, "release_comments"))
    xlsx_folder = tmp_path / "xlsx"
    xlsx_folder.mkdir()
    for name in SMALL:
        frame = pd.read_csv(small_extracts / f"{name}.csv", dtype=str, keep_default_na=False)
        # Typed cells, as a person saving from Excel would have them: numbers and dates.
        for column in frame.columns:
            if column in {"hours"}:
                frame[column] = pd.to_numeric(frame[column])
            if column in {"held_on", "raised_on", "submitted_on", "completed_on"}:
                frame[column] = pd.to_datetime(frame[column].replace("", None))
        frame.to_excel(xlsx_folder / f"{name}.xlsx", index=False)
    xlsx_db = tmp_path / "xlsx.duckdb"
    build(xlsx_folder, xlsx_db)
    served_tables_equal(csv_db, xlsx_db)
    assert rejects(xlsx_db).empty


@pytest.mark.slow
def test_demo_build_is_deterministic(tmp_path):
    """Two builds of the demo serve the same tables, the release included (perturbed the same way)."""
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build(ROOT / "data" / "extracts", first)
    build(ROOT / "data" / "extracts", second)
    served_tables_equal(first, second)
    info_a, info_b = table(first, "build_info"), table(second, "build_info")
    pd.testing.assert_frame_equal(info_a.drop(columns="built_at"), info_b.drop(columns="built_at"))
    assert bool(info_a["synthetic"].all())
    assert len(table(first, "release_cells"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _keeps_old_database(small_extracts: Path, tmp_path: Path, breakage) -> subprocess.CompletedProcess:
    database = tmp_path / "live.duckdb"
    build(small_extracts, database)
    before = table(database, "conversations")
    breakage(small_extracts)
    result = _cli("build", "--extracts", str(small_extracts), "--db", str(database))
    assert result.returncode == 1, result.stdout + result.stderr
    pd.testing.assert_frame_equal(table(database, "conversations"), before)
    assert not list(tmp_path.glob(".live.duckdb.building-*"))
    return result


def test_missing_required_column_stops_the_build_and_keeps_the_old_database(small_extracts, tmp_path):
    def drop_hours(folder: Path) -> None:
        rows = [{k: v for k, v in r.items() if k != "hours"} for r in SMALL["conversations"]]
        write_csv(folder / "conversations.csv", rows)

    result = _keeps_old_database(small_extracts, tmp_path, drop_hours)
    assert "conversations.csv" in result.stderr and "missing required column hours" in result.stderr


def test_undecodable_file_stops_the_build_and_keeps_the_old_database(small_extracts, tmp_path):
    def corrupt(folder: Path) -> None:
        (folder / "actions.csv").write_bytes(b"action_id,title\n\x81\x8d\x8f\x90,x\n")

    result = _keeps_old_database(small_extracts, tmp_path, corrupt)
    assert "actions.csv" in result.stderr and "cannot be decoded" in result.stderr and "line 2" in result.stderr


def test_a_file_that_is_not_a_table_stops_the_build(small_extracts, tmp_path):
    def binary(folder: Path) -> None:
        (folder / "survey_responses.csv").unlink()
        (folder / "survey_responses.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")

    result = _keeps_old_database(small_extracts, tmp_path, binary)
    assert "survey_responses.xlsx" in result.stderr and "not a readable .xlsx" in result.stderr


def test_too_many_rejects_stop_the_build_with_one_paragraph_and_keep_the_old_database(small_extracts, tmp_path):
    def one_bad_conversation(folder: Path) -> None:  # 1 of 3 rows: more than 5%
        add_rows(folder, "conversations", GOOD["conversations"] | {"hours": "99"})

    result = _keeps_old_database(small_extracts, tmp_path, one_bad_conversation)
    said = result.stderr
    assert "too many rows were rejected" in said and "more than 5% of a file's rows" in said
    assert "conversations.csv: 1 of 3 rows rejected (33% of its rows; 1 x hours must be more than 0" in said
    assert "--accept-rejects" in said and "was not changed" in said
    # Accepted: built, the row counted and named.
    done = _cli("build", "--extracts", str(small_extracts), "--db", str(tmp_path / "live.duckdb"), "--accept-rejects")
    assert done.returncode == 0, done.stderr
    assert "1 row rejected; see the rejects table" in done.stdout
    assert rejects(tmp_path / "live.duckdb")[["file", "line", "column"]].values.tolist() == [
        ["conversations.csv", 4, "hours"]
    ]


def _responses(n: int, bad: int, wave: str = "") -> list[dict[str, str]]:
    """``n`` staff responses, the last ``bad`` of them naming a service area the Trust does not have."""
    good = dict(SMALL["survey_responses"][0], wave=wave)
    return [dict(good, response_id=f"S{i}", service_area="Nowhere" if i >= n - bad else "Ward A") for i in range(n)]


@pytest.mark.parametrize(("bad", "stops"), [(5, False), (6, True)])
def test_the_share_that_stops_a_build_is_more_than_5_percent_of_a_file(small_extracts, tmp_path, bad, stops):
    write_csv(small_extracts / "survey_responses.csv", _responses(100, bad))
    database = tmp_path / "x.duckdb"
    if stops:
        with pytest.raises(BuildError, match=r"survey_responses.csv: 6 of 100 rows rejected \(6% of its rows; 6 x "):
            build(small_extracts, database)
        assert not database.exists()
    else:
        assert build(small_extracts, database).files[-1].rows_rejected == 5


def test_a_whole_file_or_a_whole_wave_rejected_stops_the_build(small_extracts, tmp_path):
    write_csv(
        small_extracts / "waves.csv",
        [
            {"wave_id": "spring", "name": "Spring", "opened": "2021-03-01", "closed": "2021-04-30"},
            {"wave_id": "autumn", "name": "Autumn", "opened": "2021-09-01", "closed": "2021-10-31"},
        ],
    )
    # 100 spring responses and 3 autumn ones (under 5% of the file), every autumn one rejected.
    autumn = [dict(r, submitted_on="2021-09-15") for r in _responses(3, 3, wave="autumn")]
    autumn = [dict(r, response_id=f"A{i}") for i, r in enumerate(autumn)]
    write_csv(small_extracts / "survey_responses.csv", _responses(100, 0, wave="spring") + autumn)
    with pytest.raises(BuildError, match="wave autumn: all 3 of its responses rejected") as stopped:
        build(small_extracts, tmp_path / "x.duckdb")
    assert "survey_responses.csv" not in str(stopped.value)  # 3 of 103 rows: not too many for the file
    assert build(small_extracts, tmp_path / "x.duckdb", accept_rejects=True).files[-1].rows_rejected == 3
    write_csv(small_extracts / "survey_responses.csv", _responses(100, 0, wave="spring"))
    write_csv(small_extracts / "actions.csv", [dict(a, theme="Blockchain") for a in SMALL["actions"]])
    with pytest.raises(BuildError, match=r"actions.csv: 2 of 2 rows rejected \(every row; 2 x theme is not"):
        build(small_extracts, tmp_path / "y.duckdb")


@pytest.mark.slow
def test_cli_exit_codes_and_report(small_extracts, tmp_path):
    add_rows(small_extracts, "conversations", GOOD["conversations"] | {"hours": "99"})
    done = _cli("build", "--extracts", str(small_extracts), "--db", str(tmp_path / "x.duckdb"), "--accept-rejects")
    assert done.returncode == 0, done.stderr
    assert "conversations.csv" in done.stdout and "hours must be more than 0 and at most 8" in done.stdout
    assert _cli("build", "--no-such-flag").returncode == 2
    assert _cli().returncode == 2
    missing = _cli("build", "--extracts", str(tmp_path / "nowhere"), "--db", str(tmp_path / "y.duckdb"))
    assert missing.returncode == 1 and "nowhere" in missing.stderr


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
@pytest.mark.parametrize(
    "body",
    [
        "a,b\r\nCafé,1\r\nNaïve,2\r\n",  # multi-byte characters across small pieces, CRLF
        "\ufeffa,b\nx,1\ny,2",  # a BOM; no newline at the end
        "a,b\n\xe9,1\n",  # not UTF-8 once encoded as Windows-1252
    ],
)
def test_the_streaming_scan_agrees_with_reading_the_whole_file(tmp_path, monkeypatch, chunk, body):
    """The fast path reads a file in pieces; checksum, lines, UTF-8 and first line are the whole file's."""
    import hashlib

    from pipeline import ingest

    data = body.encode("cp1252") if "\xe9" in body and "é" not in body else body.encode("utf-8")
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    monkeypatch.setattr(ingest, "CHUNK_BYTES", chunk)
    scan = ingest._scan(path)
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    assert (scan.size, scan.sha256, scan.utf8) == (len(data), hashlib.sha256(data).hexdigest(), utf8)
    assert scan.lines == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    assert scan.first_line == data.split(b"\n", 1)[0]


def test_each_label_column_has_one_list_wherever_it_appears():
    """The build checks labels against one list per column name (``validate.LABEL_LISTS``, read from
    the rules): a column declared with another list in a second extract would be checked wrongly."""
    from pipeline import validate
    from pipeline.rules import EXTRACTS

    for extract in EXTRACTS.values():
        for column in extract.columns:
            if column.kind == "label" and column.labels:
                assert validate.LABEL_LISTS[column.name] == column.labels, (extract.name, column.name)
            elif column.kind == "label":  # the Trust's own list of the same name (lists.csv)
                assert column.name in contract.LIST_NAMES and column.name not in validate.LABEL_LISTS


def test_a_build_that_runs_out_of_memory_says_where_and_what_to_change(small_extracts, tmp_path, monkeypatch, capsys):
    """DuckDB's OutOfMemoryException anywhere in the build: one message (exit 1, no traceback) naming
    the step, the memory setting and its value, and the folder of the temporary files; the database in
    service is untouched and nothing of the build is left behind."""
    from pipeline.__main__ import main

    database = tmp_path / "live.duckdb"
    build(small_extracts, database)
    before = database.read_bytes()
    monkeypatch.setenv("DASHBOARD_BUILD_MEMORY", "1MB")  # far too little for any step
    assert main(["build", "--extracts", str(small_extracts), "--db", str(database)]) == 1
    message = capsys.readouterr().err
    assert message.startswith("Build stopped: the build ran out of memory while checking the rows of lists.csv")
    assert "DASHBOARD_BUILD_MEMORY=1MB" in message and f"temporary files in {tmp_path}" in message
    assert "Set DASHBOARD_BUILD_MEMORY higher" in message and "Traceback" not in message
    assert database.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extracts", "live.duckdb"]


@pytest.mark.parametrize("amount", ["lots", "400", "2 GB please", "-1GB"])
def test_the_build_memory_setting_must_be_an_amount(small_extracts, tmp_path, monkeypatch, amount):
    monkeypatch.setenv("DASHBOARD_BUILD_MEMORY", amount)
    with pytest.raises(BuildError, match="DASHBOARD_BUILD_MEMORY=.* is not an amount of memory; write it like 400MB"):
        build(small_extracts, tmp_path / "x.duckdb")


def test_a_key_given_three_times_keeps_the_first_row_and_rejects_the_later_two(small_extracts, tmp_path):
    """Repeats are found by grouping the keys: every later row of a key is rejected, with its line."""
    areas = SMALL["service_areas"]
    write_csv(
        small_extracts / "service_areas.csv",
        [
            *areas,
            dict(areas[0], care_group=areas[1]["care_group"]),
            {**areas[0], "service_area": areas[0]["service_area"].upper()},
        ],
    )
    database = tmp_path / "x.duckdb"
    build(small_extracts, database, accept_rejects=True)
    found = rejects(database)
    mine = found[found["file"] == "service_areas.csv"]
    assert list(mine["line"]) == [len(areas) + 2, len(areas) + 3], mine.to_string()
    assert set(mine["reason"]) == {"repeats an earlier row (the first one is kept)"}
    assert table(database, "service_areas")["service_area"].tolist() == [a["service_area"] for a in areas]
