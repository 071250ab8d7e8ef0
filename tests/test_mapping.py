"""`python -m pipeline map`: a Forms or SmartSurvey export becomes the contract's survey extracts,
matched against a Trust's own structure (docs/examples/trust), previewed before anything is
written, and nothing lost silently: every value is mapped, refused with its line, or counted and
accepted by a flag."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest

from pipeline import mapping_output
from pipeline.ingest import BuildError
from pipeline.mapping import map_export
from pipeline.mapping_output import preview, write
from pipeline.mapping_trust import read_trust
from tests.conftest import ROOT

EXAMPLES = ROOT / "docs" / "examples"
TRUST = EXAMPLES / "trust"
FORMS, FORMS_MAPPING = EXAMPLES / "forms_export.xlsx", EXAMPLES / "forms_mapping.toml"
SMART, SMART_MAPPING = EXAMPLES / "smartsurvey_export.csv", EXAMPLES / "smartsurvey_mapping.toml"
TRAINING = "How would you rate the digital training you have had?"
KIT = "My computer and phone let me do my job."

HEADER = ["ID", "Completion time", "Email", "Which care group?", "Team", "Staff group", TRAINING, KIT, "Comments"]
ROWS = [
    ["1", "15/03/2024 10:02", "amy@wold.example", "Physical health", "District nursing", "Psychology", "Good", "Agree", "Fine"],
    ["2", "16/03/2024 09:00", "", "Mental health", "crisis  team", "Students", "Excellent", "", ""],
    ["3", "02/04/2024 14:30", "ben@wold.example", "Physical health", "Distrct nursing", "", "good", "Neutral", ""],
    ["4", "03/04/2024 11:05", "", "Corporate", "Finance", "Social Work", "Brilliant", "Agree;Disagree", ""],
]  # fmt: skip
MAPPING = f"""
wave = "2024"
survey = "Staff"
response_id = "ID"
id_prefix = "T-"
submitted_on = "Completion time"
care_group = "Which care group?"
service_area = "Team"
staff_group = "Staff group"
comment = "Comments"
[questions.training]
column = "{TRAINING}"
[questions.training.answers]
"Excellent" = "Very good"
[questions.kit_works]
column = "{KIT}"
"""
LABELS = '[labels.service_area]\n"Distrct nursing" = "District nursing"\n'


@pytest.fixture(scope="module")
def trust():
    return read_trust(TRUST)


def export(folder: Path, rows: list[list[str]] = ROWS, header: list[str] = HEADER, name: str = "export.csv") -> Path:
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:  # Forms writes a byte-order mark
        csv.writer(handle).writerows([header, *rows])
    return path


def mapping(folder: Path, text: str = MAPPING, name: str = "mapping.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_the_forms_example_maps_typos_and_month_first_dates(tmp_path, trust):
    mapped = map_export(FORMS, FORMS_MAPPING, trust)
    assert not mapped.unmatched and not mapped.rejected and len(mapped.responses) == 90
    text = preview(mapped)
    assert re.search(r'"Completion time" +-> +submitted_on \(read as date_format "%m/%d/%Y %H:%M:%S"', text)
    assert re.search(
        r'"Which team do you work in\?" +-> +service_area \(\d+ as written, \d+ respelled, \d+ by the', text
    )
    assert 'Personal columns dropped (never loaded): "Email", "Name"' in text
    out = tmp_path / "out"
    assert "Wrote 90 responses" in write(mapped, out)
    responses = read_rows(out / "survey_responses.csv")
    assert responses[0] == [
        "response_id",
        "survey",
        "submitted_on",
        "wave",
        "care_group",
        "service_area",
        "staff_group",
        "comment",
    ]
    sheet = openpyxl.load_workbook(FORMS, read_only=True).active
    typed = {str(r[0]): (r[2], r[6]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    written = {r[0]: r for r in responses[1:]}
    for number, (completed, team) in typed.items():
        row = written[f"F24-{number}"]
        month, day, year = completed.split()[0].split("/")
        assert row[2] == f"{year}-{int(month):02}-{int(day):02}"  # month-first, as the tenant writes
        assert row[5] in trust.areas and row[4] == trust.areas[row[5]]
        if team.strip() == "Distrct nursing":
            assert row[5] == "District nursing"
    assert {r[5] for r in responses[1:]} <= set(trust.areas)
    everything = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"@wold.example" not in everything
    answers = read_rows(out / "survey_answers.csv")
    assert len(answers) == 1 + 90 * 3 and {a[2] for a in answers[1:]} - {""} <= {
        answer for q in ("training", "kit_works", "info_found") for answer in trust.bank[q].scale
    }


def test_the_smartsurvey_example_second_header_row_is_merged_not_a_response(tmp_path, trust):
    mapped = map_export(SMART, SMART_MAPPING, trust)
    text = preview(mapped)
    assert "smartsurvey_export.csv: line 2 is a second header row (SmartSurvey" in text
    assert mapped.lines[0] == 3 and len(mapped.responses) == 70 and not mapped.unmatched and not mapped.rejected
    assert (
        '"Which of these do you use? (tick all that apply) - Other (please specify)": free text beside a choice, '
        "never an answer" in text
    )
    assert '"Which of these do you use? (tick all that apply) - Microsoft Teams": one of several columns' in text
    assert {r["survey"] for r in mapped.responses} == {"Staff", "Volunteer"}
    assert all(r["staff_group"] is None for r in mapped.responses if r["survey"] == "Volunteer")
    assert {q for a in mapped.answers for q in a} == {"training", "kit_works", "info_found", "apps_confidence"}
    write(mapped, tmp_path / "out")
    everything = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert b"WhatsApp" not in everything and b"10.1.0.1" not in everything  # other text and IP never loaded


def test_a_preview_names_every_unmatched_value_its_nearest_names_and_the_line_to_add(tmp_path, trust):
    mapped = map_export(export(tmp_path), mapping(tmp_path), trust)
    text = preview(mapped)
    assert re.search(r'"Team" +-> +service_area \(2 as written, 1 respelled, 1 unmatched\)', text)
    assert 'service_area ("Team"): "Distrct nursing" x 1, line 4' in text
    assert re.search(r"nearest: District nursing \(9\d\)", text)
    assert '  [labels.service_area]\n  "Distrct nursing" = "District nursing"\n' in text
    assert 'training ("How would you rate the digital training you have had?"): "Brilliant" x 1, line 5' in text
    assert "[questions.training.answers]" in text and '"Brilliant" = "<one of: Very poor; Poor; Fair;' in text
    assert "several answers in one cell (a multi-select?)" in text  # "Agree;Disagree"
    assert re.search(r"nearest: Neither agree nor disagree \(\d+\)", text)  # offered, not close enough to fill in
    assert "  [questions.kit_works.answers]\n" in text and '"Neutral" = "<one of: Strongly disagree;' in text
    assert "Unmatched values: 4, in 2 responses (1 with an unmatched unit)" in text
    assert "amy@wold.example" not in text and "Crisis team" in text  # case and doubled spaces matched


def test_write_refuses_unmatched_values_unless_accepted_and_then_counts_what_it_dropped(tmp_path, trust):
    mapped = map_export(export(tmp_path), mapping(tmp_path), trust)
    out = tmp_path / "out"
    with pytest.raises(BuildError) as error:
        write(mapped, out)
    assert 'export.csv: line 4: column "Team" (service_area): "Distrct nursing" is not known' in str(error.value)
    assert "1 responses would not be written and 2 answers would be written blank" in str(error.value)
    assert "--accept-unmatched" in str(error.value) and not out.exists()
    message = write(mapped, out, accept_unmatched=True)
    assert "1 of 4 responses not written (1 with an unmatched unit, 0 that the build would reject; line 4" in message
    assert "2 unmatched answers written blank" in message
    assert [r[0] for r in read_rows(out / "survey_responses.csv")[1:]] == ["T-1", "T-2", "T-4"]
    answers = {(r, q): a for r, q, a in read_rows(out / "survey_answers.csv")[1:]}
    assert answers["T-2", "training"] == "Very good" and answers["T-4", "training"] == ""
    assert answers["T-4", "kit_works"] == "" and answers["T-2", "kit_works"] == ""
    fixed = map_export(export(tmp_path), mapping(tmp_path, MAPPING + LABELS), trust)
    assert sorted(u.text for u in fixed.unmatched.values()) == ["Agree;Disagree", "Brilliant", "Neutral"]


def test_units_the_build_would_reject_are_named_before_writing(tmp_path, trust):
    rows = [
        ["1", "15/03/2024", "", "", "Finance", "", "Good", "", ""],  # care group from the area
        ["2", "16/03/2024", "", "Mental health", "Finance", "", "Good", "", ""],  # another care group's area
        ["3", "17/03/2024", "", "", "", "", "Good", "", ""],  # a staff survey needs a care group
        ["4", "17/05/2024", "", "Corporate", "", "", "Good", "", ""],  # after wave 2024 closed
    ]
    mapped = map_export(export(tmp_path, rows), mapping(tmp_path), trust)
    assert mapped.responses[0]["care_group"] == "Corporate"
    assert mapped.rejected == {
        "the service area is in another care group (service_areas.csv: Corporate)": [3],
        "no care group, which a staff survey needs (Staff)": [4],
        "submitted_on outside wave 2024 (2024-03-01 to 2024-04-30, waves.csv)": [5],
    }
    text = preview(mapped)
    assert "care_group taken from the service area (service_areas.csv) for 1 responses." in text
    assert "Responses the build would reject: 3 (not written unless --accept-unmatched; then counted)" in text
    assert "  submitted_on outside wave 2024 (2024-03-01 to 2024-04-30, waves.csv): 1, line 5" in text
    with pytest.raises(BuildError, match="line 3: the service area is in another care group"):
        write(mapped, tmp_path / "out")
    no_wave = mapping(tmp_path, MAPPING.replace('wave = "2024"\n', ""))
    assert map_export(export(tmp_path, rows[3:]), no_wave, trust).rejected == {
        "submitted_on in no wave's dates (waves.csv); set wave in the mapping": [2]
    }
    volunteer = mapping(tmp_path, MAPPING.replace('survey = "Staff"', 'survey = "volunteer"'))
    mapped = map_export(export(tmp_path, [ROWS[0]]), volunteer, trust)
    assert mapped.responses[0]["survey"] == "Volunteer"
    assert list(mapped.rejected) == [
        "a staff group on a survey not answered by staff (Volunteer; lists.csv meaning staff)"
    ]


@pytest.mark.parametrize(
    "dates, date_format, expected",
    [
        (["15/03/2024 10:02", "02/04/2024 14:30"], None, ["2024-03-15", "2024-04-02"]),  # day-first proven
        (["3/15/24 10:02 AM", "4/2/24 2:30 PM"], None, ["2024-03-15", "2024-04-02"]),  # month-first proven
        (["03/04/2024", "2024-04-05T10:00:00"], "%m/%d/%Y", ["2024-03-04", "2024-04-05"]),  # told; ISO always
        (["2024-03-15 10:02:11", "2024-04-02"], None, ["2024-03-15", "2024-04-02"]),  # ISO, as xlsx cells read
    ],
)
def test_dates_are_read_only_when_proven_or_told(tmp_path, trust, dates, date_format, expected):
    rows = [[str(i), d, "", "Corporate", "", "", "", "", ""] for i, d in enumerate(dates)]
    told = f'date_format = "{date_format}"\n[questions.training]'
    text = MAPPING.replace("[questions.training]", told, 1) if date_format else MAPPING
    mapped = map_export(export(tmp_path, rows), mapping(tmp_path, text), trust)
    assert [r["submitted_on"] for r in mapped.responses] == expected
    if date_format is None and "/" in dates[0]:
        order = "day-first" if dates[0].startswith("15") else "month-first"
        assert re.search(rf'"Completion time" +-> +submitted_on \(read {order}, detected: line 2 "', preview(mapped))


def test_dates_that_could_be_either_are_refused_naming_the_formats(tmp_path, trust):
    rows = [[str(i), d, "", "Corporate", "", "", "", "", ""] for i, d in enumerate(["03/04/2024 10:00", "04/04/2024"])]
    with pytest.raises(BuildError) as error:
        map_export(export(tmp_path, rows), mapping(tmp_path), trust)
    message = str(error.value)
    assert 'export.csv: column "Completion time" (submitted_on): the dates cannot be read without guessing' in message
    assert 'line 2 "03/04/2024 10:00"' in message
    assert 'date_format = "%d/%m/%Y %H:%M" (day-first) or "%m/%d/%Y %H:%M" (month-first)' in message
    mixed = [[str(i), d, "", "Corporate", "", "", "", "", ""] for i, d in enumerate(["15/03/2024", "3/15/2024"])]
    with pytest.raises(BuildError, match='mixes readings: line 2 "15/03/2024" can only be day-first and line 3'):
        map_export(export(tmp_path, mixed), mapping(tmp_path), trust)
    bad = [[str(i), d, "", "Corporate", "", "", "", "", ""] for i, d in enumerate(["15/03/2024", "16 March"])]
    with pytest.raises(BuildError, match='export.csv: line 3: column "Completion time" \\(submitted_on\\): "16 March"'):
        map_export(export(tmp_path, bad), mapping(tmp_path), trust)
    told = MAPPING.replace("[questions.training]", 'date_format = "%d/%m/%Y"\n[questions.training]', 1)
    with pytest.raises(BuildError, match='line 2: column "Completion time" \\(submitted_on\\): "3/15/2024" is not'):
        map_export(
            export(tmp_path, [["1", "3/15/2024", "", "Corporate", "", "", "", "", ""]]), mapping(tmp_path, told), trust
        )


def test_a_folder_holding_responses_is_never_overwritten_without_append_or_replace(tmp_path, trust):
    out = tmp_path / "out"
    fixed = mapping(tmp_path, MAPPING + LABELS)
    first = map_export(export(tmp_path, ROWS[:2]), fixed, trust)
    write(first, out, accept_unmatched=True)
    before = snapshot(out)
    second = map_export(export(tmp_path, ROWS[:1]), mapping(tmp_path, MAPPING.replace("T-", "U-"), "u.toml"), trust)
    with pytest.raises(BuildError, match="already holds survey_responses.csv and survey_answers.csv: give --append"):
        write(second, out)
    assert snapshot(out) == before
    message = write(second, out, mode="append")
    assert "Appended 1 responses" in message and "(after the 2 responses already there)" in message
    assert [r[0] for r in read_rows(out / "survey_responses.csv")[1:]] == ["T-1", "T-2", "U-1"]
    assert read_rows(out / "survey_answers.csv")[-2:] == [["U-1", "training", "Good"], ["U-1", "kit_works", "Agree"]]
    after_append = snapshot(out)
    assert after_append["survey_responses.csv"].startswith(before["survey_responses.csv"])  # added, not rewritten
    again = map_export(export(tmp_path, ROWS[1:2]), fixed, trust)
    with pytest.raises(BuildError) as error:
        write(again, out, accept_unmatched=True, mode="append")
    assert 'line 2: response id "T-2" is already in' in str(error.value) and "(line 3)" in str(error.value)
    assert snapshot(out) == after_append  # both files or neither
    assert "Replaced with 1 responses" in write(again, out, accept_unmatched=True, mode="replace")
    assert [r[0] for r in read_rows(out / "survey_responses.csv")[1:]] == ["T-2"]
    (out / "survey_answers.csv").write_text("response_id,question,answer\n", encoding="utf-8")
    with pytest.raises(BuildError, match="its columns \\(response_id, question, answer\\) are not the 3"):
        write(second, out, mode="append")


def test_an_interrupted_write_leaves_the_folder_as_it_was(tmp_path, trust, monkeypatch):
    fixed = mapping(tmp_path, MAPPING + LABELS)
    mapped = map_export(export(tmp_path, ROWS[:2]), fixed, trust)
    fresh = tmp_path / "new"
    real_replace, calls = os.replace, []

    def fail_second(source, target):
        calls.append(target)
        if len(calls) % 2 == 0 and str(source).endswith(".tmp"):  # the second file of every write
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(mapping_output.os, "replace", fail_second)
    with pytest.raises(BuildError, match="cannot write the extracts"):
        write(mapped, fresh)
    assert not fresh.exists()  # the first file, already in place, went again, and the folder it made
    monkeypatch.setattr(mapping_output.os, "replace", real_replace)
    out = tmp_path / "out"
    write(mapped, out)
    before = snapshot(out)
    monkeypatch.setattr(mapping_output.os, "replace", fail_second)
    calls.clear()
    later = map_export(export(tmp_path, ROWS[:1]), mapping(tmp_path, MAPPING.replace("T-", "U-"), "u.toml"), trust)
    with pytest.raises(BuildError, match="No space left"):
        write(later, out, mode="append")
    assert snapshot(out) == before  # the first file put back as it was


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("", 'colour = "blue"\n', ["mapping.toml: unknown key 'colour'"]),
        ('service_area = "Team"', 'service_area = "Which team?"', ['service_area names column "Which team?"']),
        (f'column = "{KIT}"', f'column = "{TRAINING}"', [f'column "{TRAINING}" is mapped twice']),
        ('comment = "Comments"', 'comment = "Email"', ['column "Email" is personal', "comment"]),
        ('"Excellent" = "Very good"', '"Excellent" = "Superb"', ['"Superb" is not one of']),
        ('survey = "Staff"', 'survey = "Patient"', ["survey 'Patient' is not one of the Trust's surveys: Staff; Volunteer"]),
        ("[questions.kit_works]", "[questions.epr]", ["[questions.epr] is not in the question bank (questions.csv"]),
        ("[questions.kit_works]", "[questions.apps_confidence]", ["[questions.apps_confidence] is not asked in wave 2024"]),
        ('wave = "2024"', 'wave = "2023"', ["wave '2023' is not in waves.csv (its waves: 2024, 2025)"]),
        (None, '[labels.ward]\n"A" = "B"\n', ["unknown key 'ward' in [labels]"]),
        (None, '[labels.service_area]\n"Finanse" = "Finances"\n', ['"Finances" is not one of']),
        ('wave = "2024"', "wave = ", ["mapping.toml: is not a valid TOML mapping file"]),
    ],
)  # fmt: skip
def test_mapping_mistakes_are_named(tmp_path, trust, old, new, words):
    text = MAPPING + new if old is None else MAPPING.replace(old, new, 1) if old else new + MAPPING
    with pytest.raises(BuildError) as error:
        map_export(export(tmp_path), mapping(tmp_path, text), trust)
    for word in words:
        assert word in str(error.value)


def test_export_mistakes_name_their_line_and_column(tmp_path, trust):
    cases = [
        ([ROWS[0], ROWS[0]], 'line 3: column "ID" (response_id): "1" repeats line 2'),
        ([ROWS[0][:1] + [""] + ROWS[0][2:]], 'line 2: column "Completion time" (submitted_on): is empty'),
        ([[""] + ROWS[0][1:]], 'line 2: column "ID" (response_id): is empty'),
    ]
    for rows, words in cases:
        with pytest.raises(BuildError) as error:
            map_export(export(tmp_path, rows), mapping(tmp_path), trust)
        assert words in str(error.value)
    ragged = export(tmp_path, ROWS[:1])
    ragged.write_text(ragged.read_text(encoding="utf-8-sig") + "3,4/2/24\n", encoding="utf-8")
    with pytest.raises(BuildError, match="export.csv: line 3 has 2 fields but the header has 9"):
        map_export(ragged, mapping(tmp_path), trust)
    other = export(tmp_path, ROWS, [*HEADER[:-2], "Other (please specify)", "Comments"])
    text = MAPPING.replace(f'column = "{KIT}"', 'column = "Other (please specify)"')
    with pytest.raises(BuildError, match="free text beside a choice, never an answer on a scale"):
        map_export(other, mapping(tmp_path, text), trust)


def test_init_writes_a_first_mapping_that_finds_the_fields_and_the_typos(trust):
    from pipeline.mapping_init import initial_mapping

    text = initial_mapping(FORMS, trust)
    first = tomllib.loads(text)
    assert {k: first[k] for k in ("wave", "survey", "response_id", "submitted_on", "date_format")} == {
        "wave": "2024",
        "survey": "Staff",
        "response_id": "ID",
        "submitted_on": "Completion time",
        "date_format": "%m/%d/%Y %H:%M:%S",
    }
    assert "# month-first, detected: line" in text
    finished = tomllib.loads(FORMS_MAPPING.read_text(encoding="utf-8"))
    for key in ("care_group", "service_area", "staff_group", "comment", "personal"):
        assert first[key] == finished[key], key
    assert {q: first["questions"][q]["column"] for q in first["questions"]} == {
        q: finished["questions"][q]["column"] for q in finished["questions"]
    }
    assert first["labels"]["service_area"] == finished["labels"]["service_area"]  # pre-filled, marked check
    assert '"Distrct nursing" = "District nursing"  # check: x ' in text
    assert '# "Excellent" = ""  # CHECK: x ' in text  # no close answer: left for a person
    smart = tomllib.loads(initial_mapping(SMART, trust))
    assert smart["survey_column"] == "Are you a member of staff or a volunteer?"
    assert smart["labels"] == {"survey": {"Member of staff": "Staff"}} and smart["date_format"] == "%d/%m/%Y %H:%M:%S"
    assert set(smart["questions"]) == {"training", "kit_works", "info_found", "apps_confidence"}
    assert smart["personal"] == ["IP Address", "Email"]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_command_line(tmp_path):
    out = tmp_path / "trust"
    out.mkdir()
    for name in ("lists.csv", "service_areas.csv", "questions.csv", "waves.csv"):
        (out / name).write_bytes((TRUST / name).read_bytes())
    common = ["map", str(FORMS), "--mapping", str(FORMS_MAPPING), "--out", str(out)]

    previewed = cli(*common)  # a preview by default; --extracts defaults to --out
    assert previewed.returncode == 0, previewed.stderr
    assert "Unmatched values: none." in previewed.stdout and "nothing was written" in previewed.stdout
    assert not (out / "survey_responses.csv").exists()
    done = cli(*common, "--write")
    assert done.returncode == 0, done.stderr
    assert "Wrote 90 responses" in done.stdout and f"python -m pipeline build --extracts {out}" in done.stdout
    before = snapshot(out)
    again = cli(*common, "--write")
    assert again.returncode == 1 and "give --append" in again.stderr and f"Nothing was written to {out}" in again.stderr
    assert "--write will need --append or --replace" in cli(*common).stdout
    assert snapshot(out) == before

    init = cli("map", str(SMART), "--init", "--extracts", str(TRUST), "--mapping", str(tmp_path / "first.toml"))
    assert init.returncode == 0, init.stderr
    assert tomllib.loads((tmp_path / "first.toml").read_text(encoding="utf-8"))["response_id"] == "Response ID"
    refused = cli("map", str(SMART), "--init", "--extracts", str(TRUST), "--mapping", str(tmp_path / "first.toml"))
    assert refused.returncode == 1 and "already there; --init never overwrites" in refused.stderr
    printed = cli("map", str(SMART), "--init", "--extracts", str(TRUST))
    assert printed.returncode == 0 and printed.stdout.startswith("# A first mapping of smartsurvey_export.csv")

    for wrong in (
        ["map", str(FORMS)],  # no --mapping
        ["map", str(FORMS), "--mapping", str(FORMS_MAPPING), "--write"],  # nowhere to write
        ["map", str(FORMS), "--mapping", str(FORMS_MAPPING), "--append"],  # without --write
        [*common, "--write", "--append", "--replace"],
        ["map", str(FORMS), "--init", "--write", "--out", str(out)],
    ):
        assert cli(*wrong).returncode == 2, wrong
    missing = cli("map", str(tmp_path / "nowhere.csv"), "--mapping", str(FORMS_MAPPING), "--extracts", str(TRUST))
    assert missing.returncode == 1 and "nowhere.csv: no such file" in missing.stderr
    no_trust = cli(*common[:4], "--extracts", str(tmp_path / "none"))
    assert no_trust.returncode == 1 and "no such folder" in no_trust.stderr
