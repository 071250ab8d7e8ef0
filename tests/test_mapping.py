"""`python -m pipeline map`: a Forms or SmartSurvey export becomes the contract's survey extracts."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from pipeline import mapping_output
from pipeline.ingest import BuildError
from pipeline.mapping import map_export
from pipeline.mapping_output import preview, write
from tests.conftest import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "forms_mapping.toml"
SKILLS = "How would you rate your IT skills?"
INFO = "Do you have the information you need to run your service?"
COMMENT = 'Wi-Fi drops, "often" \u2014 caf\u00e9, na\u00efve staff \U0001f44d'

FORMS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Which care group do you work in?",
    "Which service area do you work in?",
    "What is your staff group?",
    SKILLS,
    INFO,
    "IT is too unreliable.",
    "I feel confident using the electronic patient record.",
    "Is there anything else you would like to tell us?",
]
# Completion times as a Forms CSV writes them (month-first); the XLSX holds real date-times.
FORMS_ROWS = [
    [
        1,
        "3/15/23 9:58:40",
        "3/15/23 10:02:11",
        "jane.doe@nhs.net",
        "Jane Doe",
        "Adult mental health",
        "Ward A",
        "Nursing",
        "Excellent",
        "Yes",
        "Agree",
        "Agree",
        COMMENT,
    ],
    [
        2,
        "3/16/23 8:59:00",
        "3/16/23 9:00:00",
        "raj.patel@nhs.net",
        "Raj Patel",
        "children and young people",
        "",
        "AHP",
        " good ",
        "Not sure",
        "",
        "Neutral",
        "",
    ],
    [
        3,
        "4/2/23 14:00:00",
        "4/2/23 14:30:00",
        "anonymous",
        "",
        "Corporate services",
        "",
        "Admin and clerical",
        "Brilliant",
        "Dunno",
        "Strongly disagree",
        "Prefer not to say",
        "Fine",
    ],
    [
        4,
        "4/3/23 11:00:00",
        "4/3/23 11:05:09",
        "mo.khan@nhs.net",
        "Mo Khan",
        "Corporate services",
        "",
        "Management",
        "Brilliant",
        "Don\u2019t know",
        "Disagree",
        "Strongly agree",
        "",
    ],
]
PERSONAL_VALUES = ["jane.doe@nhs.net", "Jane Doe", "raj.patel@nhs.net", "Raj Patel", "mo.khan@nhs.net", "Mo Khan"]

QUESTIONS_CSV = """question_id,waves,text,label,theme,scale,positive,excluded,neutral,higher_is_better,summary
it_skills,,How would you rate your IT skills?,IT skills rated good,Digital skills,Very poor;Poor;Fair;Good;Very good,Good;Very good,,Fair,yes,
info_available,,Do you have the information you need to run your service?,Information available,Information to run services,Yes;Partly;No;Don't know,Yes,Don't know,Partly;Don't know,yes,
it_unreliable,,IT is too unreliable.,IT too unreliable,IT reliability,Strongly disagree;Disagree;Neither agree nor disagree;Agree;Strongly agree,Agree;Strongly agree,,Neither agree nor disagree,no,
epr_confidence,2023,I feel confident using the electronic patient record.,Confident with the patient record,Digital skills,Strongly disagree;Disagree;Neither agree nor disagree;Agree;Strongly agree,Agree;Strongly agree,,Neither agree nor disagree,yes,
"""

# A small mapping for the error cases: seed questions only, no --questions needed.
SMALL_MAPPING = f"""
wave = "2023"
survey = "Staff"
response_id = "ID"
submitted_on = "Completion time"
date_format = "%m/%d/%y %H:%M:%S"
care_group = "Which care group do you work in?"
comment = "Is there anything else you would like to tell us?"
personal = ["Email", "Name"]
[questions.it_skills]
column = "{SKILLS}"
[questions.it_skills.answers]
"Excellent" = "Very good"
[labels.care_group]
"Children and young people" = "Children, young people and families"
"""


def small_mapping(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(SMALL_MAPPING if text is None else text, encoding="utf-8")
    return path


def forms_csv(folder: Path, rows: list[list] = FORMS_ROWS, header: list[str] = FORMS_HEADER) -> Path:
    path = folder / "forms.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:  # Forms writes a byte-order mark
        csv.writer(handle).writerows([header, *rows])
    return path


def forms_xlsx(folder: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(FORMS_HEADER)
    for row in FORMS_ROWS:
        times = [dt.datetime.strptime(t, "%m/%d/%y %H:%M:%S") for t in row[1:3]]
        sheet.append([row[0], *times, *[v or None for v in row[3:]]])
    path = folder / "forms.xlsx"
    workbook.save(path)
    return path


def questions_csv(folder: Path) -> Path:
    path = folder / "questions.csv"
    path.write_text(QUESTIONS_CSV, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder already holding extracts from an earlier run."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "survey_responses.csv").write_text("response_id,survey\nOLD-1,Staff\n", encoding="utf-8")
    (folder / "service_areas.csv").write_text("service_area,care_group\nWard A,Adult mental health\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("make_export", [forms_csv, forms_xlsx], ids=["csv", "xlsx"])
def test_a_forms_export_maps_to_the_contract_columns(tmp_path, out, make_export):
    export = make_export(tmp_path)
    mapped = map_export(export, EXAMPLE, questions_csv(tmp_path))
    message = write(mapped, out, allow_unmatched=True)
    assert "4 responses" in message and "16 answers" in message and "3 unmatched values written blank" in message

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
    assert responses[1] == ["F23-1", "Staff", "2023-03-15", "2023", "Adult mental health", "Ward A", "Nursing", COMMENT]
    assert responses[2] == [
        "F23-2",
        "Staff",
        "2023-03-16",
        "2023",
        "Children, young people and families",
        "",
        "Allied health professional",
        "",
    ]
    assert responses[3][:8] == [
        "F23-3",
        "Staff",
        "2023-04-02",
        "2023",
        "Corporate services",
        "",
        "Administrative and clerical",
        "Fine",
    ]
    assert len(responses) == 5

    answers = read_rows(out / "survey_answers.csv")
    assert answers[0] == ["response_id", "question_id", "answer"]
    given = {(r, q): a for r, q, a in answers[1:]}
    assert len(given) == len(answers) - 1 == 16  # one row per response and question
    assert given["F23-1", "it_skills"] == "Very good"  # through the answers map
    assert given["F23-2", "it_skills"] == "Good"  # on the scale, any case and spacing
    assert given["F23-2", "info_available"] == "Don't know"
    assert given["F23-2", "it_unreliable"] == ""  # blank in the export
    assert given["F23-2", "epr_confidence"] == "Neither agree nor disagree"
    assert given["F23-3", "it_skills"] == given["F23-4", "it_skills"] == ""  # unmatched, written blank
    assert given["F23-3", "info_available"] == ""
    assert given["F23-3", "epr_confidence"] == ""  # mapped to "" = not answered
    assert given["F23-4", "epr_confidence"] == "Strongly agree"
    assert given["F23-4", "info_available"] == "Don't know"  # a typographic apostrophe matches

    assert sorted(p.name for p in out.iterdir()) == ["service_areas.csv", "survey_answers.csv", "survey_responses.csv"]
    everything = b"".join(p.read_bytes() for p in out.iterdir())
    for value in PERSONAL_VALUES:
        assert value.encode() not in everything


def test_the_preview_names_unmapped_and_personal_columns_and_counts_unmatched_answers(tmp_path):
    mapped = map_export(forms_csv(tmp_path), EXAMPLE, questions_csv(tmp_path))
    text = preview(mapped)
    assert 'Columns not mapped (not loaded): "Start time"\n' in text
    assert 'Personal columns dropped (never loaded): "Email", "Name"\n' in text
    assert re.search(r'\n  "How would you rate your IT skills\?" +-> +question it_skills\n', text)
    assert re.search(r'\n  "ID" +-> +response_id \(prefixed F23-\)\n', text)
    assert "Given to every row by the mapping: survey Staff, wave 2023.\n" in text
    assert "Unmatched answers (neither on the scale or label list nor in the mapping's maps): 3\n" in text
    assert f'  it_skills ("{SKILLS}"): "Brilliant" x 2 (first at line 4)' in text
    assert f'  info_available ("{INFO}"): "Dunno" x 1 (first at line 4)' in text
    assert "First 4 rows as they would load:" in text and "F23-4" in text
    assert "waves.csv and questions.csv are not written" in text
    for value in PERSONAL_VALUES:
        assert value not in text


def test_smartsurvey_export_with_a_survey_column_and_default_personal_columns(tmp_path, out):
    header = [
        "Response ID",
        "Started",
        "Ended",
        "IP Address",
        "Email",
        "Which survey are you completing?",
        "Care group",
        SKILLS,
        "IT is too unreliable.",
        "Comments",
    ]
    rows = [
        [
            "90001",
            "15/03/2023 10:00:00",
            "15/03/2023 10:02:11",
            "192.168.10.20",
            "amy@example.org",
            "I am a carer",
            "",
            "Poor",
            "Agree",
            "Slow",
        ],
        [
            "90002",
            "16/03/2023 09:00:00",
            "16/03/2023 09:04:00",
            "10.0.0.7",
            "",
            "Staff member",
            "Community health services",
            "Very good",
            "Strongly agree",
            "",
        ],
    ]
    export = forms_csv(tmp_path, rows, header)
    mapping_file = small_mapping(
        tmp_path,
        f"""
survey_column = "Which survey are you completing?"
response_id = "Response ID"
id_prefix = "SS-"
submitted_on = "Ended"
care_group = "Care group"
comment = "Comments"
[labels.survey]
"I am a carer" = "Carer"
"Staff member" = "Staff"
[questions.it_skills]
column = "{SKILLS}"
[questions.it_unreliable]
column = "IT is too unreliable."
""",
    )
    mapped = map_export(export, mapping_file)
    assert 'Personal columns dropped (never loaded): "IP Address", "Email"' in preview(mapped)
    assert 'Columns not mapped (not loaded): "Started"\n' in preview(mapped)
    write(mapped, out)
    assert read_rows(out / "survey_responses.csv")[1:] == [
        ["SS-90001", "Carer", "2023-03-15", "", "", "", "", "Slow"],  # dd/mm/yyyy by default; no wave given
        ["SS-90002", "Staff", "2023-03-16", "", "Community health services", "", "", ""],
    ]
    assert read_rows(out / "survey_answers.csv")[1:] == [
        ["SS-90001", "it_skills", "Poor"],
        ["SS-90001", "it_unreliable", "Agree"],
        ["SS-90002", "it_skills", "Very good"],
        ["SS-90002", "it_unreliable", "Strongly agree"],
    ]
    everything = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"192.168.10.20" not in everything and b"10.0.0.7" not in everything and b"amy@example.org" not in everything


def stops(
    tmp_path: Path,
    out: Path,
    mapping_text: str | None,
    *words: str,
    export: Path | None = None,
    questions: Path | None = None,
) -> str:
    """Mapping and writing stop with a message holding ``words``; the output folder is unchanged."""
    before = snapshot(out)
    export = export or forms_csv(tmp_path, FORMS_ROWS[:2])
    with pytest.raises(BuildError) as error:
        write(map_export(export, small_mapping(tmp_path, mapping_text), questions), out)
    for word in words:
        assert word in str(error.value)
    assert snapshot(out) == before
    return str(error.value)


def test_a_column_the_export_does_not_have(tmp_path, out):
    text = SMALL_MAPPING.replace('care_group = "Which care group do you work in?"', 'care_group = "Which care group?"')
    stops(tmp_path, out, text, "mapping.toml", 'care_group names column "Which care group?"', "forms.csv has no such")
    question = SMALL_MAPPING.replace(f'column = "{SKILLS}"', 'column = "How good is your IT?"')
    stops(tmp_path, out, question, 'column "How good is your IT?"', "[questions.it_skills]")


def test_a_question_column_mapped_twice(tmp_path, out):
    text = SMALL_MAPPING + f'[questions.it_unreliable]\ncolumn = "{SKILLS}"\n'
    stops(tmp_path, out, text, f'column "{SKILLS}" is mapped twice', "it_skills", "it_unreliable")


@pytest.mark.parametrize(
    "extra, words",
    [
        ('colour = "blue"\n', ["unknown key 'colour'"]),
        (
            '[questions.it_unreliable]\ncolum = "IT is too unreliable."\n',
            ["[questions.it_unreliable]", "unknown key 'colum'"],
        ),
        ('[labels.service_area]\n"A" = "B"\n', ["unknown key 'service_area' in [labels]"]),
    ],
)
def test_an_unknown_key(tmp_path, out, extra, words):
    stops(
        tmp_path,
        out,
        extra + SMALL_MAPPING if extra.startswith("colour") else SMALL_MAPPING + extra,
        "mapping.toml",
        *words,
    )


def test_a_bad_toml_file(tmp_path, out):
    stops(tmp_path, out, 'wave = \nsurvey = "Staff"\n', "mapping.toml: is not a valid TOML mapping file", "line 1")


def test_an_unmatched_answer_stops_writing_unless_allowed(tmp_path, out):
    export = forms_csv(tmp_path)
    stops(
        tmp_path,
        out,
        None,
        'forms.csv: line 4: column "How would you rate your IT skills?" (it_skills): "Brilliant"',
        "2 unmatched",
        "--allow-unmatched",
        export=export,
    )
    message = write(map_export(export, small_mapping(tmp_path)), out, allow_unmatched=True)
    assert "2 unmatched values written blank" in message


def test_an_unmatched_label_counts_as_unmatched(tmp_path, out):
    rows = [FORMS_ROWS[0][:5] + ["Surgery"] + FORMS_ROWS[0][6:]]
    mapped = map_export(forms_csv(tmp_path, rows), small_mapping(tmp_path))
    assert '  care_group ("Which care group do you work in?"): "Surgery" x 1 (first at line 2)' in preview(mapped)
    stops(
        tmp_path,
        out,
        None,
        'line 2: column "Which care group do you work in?" (care_group): "Surgery"',
        "is not a care group in the contract",
        export=forms_csv(tmp_path, rows),
    )


def test_a_date_that_does_not_parse_names_the_column_and_line(tmp_path, out):
    no_format = SMALL_MAPPING.replace('date_format = "%m/%d/%y %H:%M:%S"\n', "")  # default is day-first
    stops(
        tmp_path,
        out,
        no_format,
        'forms.csv: line 2: column "Completion time" (submitted_on)',
        '"3/15/23 10:02:11" is not a date',
    )
    # A comment over two physical lines: the next row's line is the one a person sees.
    rows = [FORMS_ROWS[0][:12] + ["first line\nsecond line"], FORMS_ROWS[1][:2] + ["16 March"] + FORMS_ROWS[1][3:]]
    stops(tmp_path, out, None, 'line 4: column "Completion time"', '"16 March"', export=forms_csv(tmp_path, rows))


def test_other_mapping_mistakes_are_named(tmp_path, out):
    stops(
        tmp_path,
        out,
        SMALL_MAPPING.replace('comment = "Is there anything else you would like to tell us?"', 'comment = "Email"'),
        'column "Email" is personal',
        "comment",
    )
    stops(
        tmp_path,
        out,
        SMALL_MAPPING.replace('"Excellent" = "Very good"', '"Excellent" = "Superb"'),
        "[questions.it_skills.answers]",
        '"Superb" is not one of',
    )
    stops(
        tmp_path,
        out,
        SMALL_MAPPING + '[questions.epr_confidence]\ncolumn = "I feel confident using the '
        'electronic patient record."\n',
        "[questions.epr_confidence] has no known scale",
        "--questions",
    )
    stops(
        tmp_path,
        out,
        SMALL_MAPPING.replace('wave = "2023"', 'wave = "2021"') + "[questions.epr_confidence]\n"
        'column = "I feel confident using the electronic patient record."\n',
        "[questions.epr_confidence] is not asked in wave 2021",
        questions=questions_csv(tmp_path),
    )
    stops(tmp_path, out, SMALL_MAPPING.replace('wave = "2023"', "wave = 2023"), "wave must be text in quotes")
    ragged = forms_csv(tmp_path, FORMS_ROWS[:2])
    ragged.write_text(ragged.read_text(encoding="utf-8-sig") + "3,4/2/23 14:30:00\n", encoding="utf-8")
    stops(tmp_path, out, None, "forms.csv: line 4 has 2 fields but the header has 13", export=ragged)
    undated = forms_csv(tmp_path, [FORMS_ROWS[0][:2] + [""] + FORMS_ROWS[0][3:]])
    stops(tmp_path, out, None, 'line 2: column "Completion time" (submitted_on): is empty', export=undated)
    duplicate = forms_csv(tmp_path, [FORMS_ROWS[0], FORMS_ROWS[0]])
    stops(tmp_path, out, None, 'line 3: column "ID" (response_id): "1" repeats line 2', export=duplicate)


def test_an_interrupted_write_leaves_the_folder_unchanged(tmp_path, out, monkeypatch):
    mapped = map_export(forms_csv(tmp_path, FORMS_ROWS[:2]), small_mapping(tmp_path))
    before, calls = snapshot(out), []
    real = mapping_output.write_csv

    def fail_second(handle, columns, rows):
        calls.append(columns)
        if len(calls) % 2 == 0:  # the second file of every write
            raise OSError(28, "No space left on device")
        real(handle, columns, rows)

    monkeypatch.setattr(mapping_output, "write_csv", fail_second)
    with pytest.raises(BuildError, match="cannot write the extracts"):
        write(mapped, out)
    assert len(calls) == 2 and snapshot(out) == before  # the first file, written aside, was removed
    fresh = tmp_path / "new"  # a folder the write would have made is not left behind
    with pytest.raises(BuildError, match="No space left"):
        write(mapped, fresh)
    assert len(calls) == 4 and not fresh.exists()


def test_an_xlsx_extract_in_the_way_stops_writing(tmp_path, out):
    (out / "survey_answers.xlsx").write_bytes(b"old")
    stops(tmp_path, out, None, "survey_answers.xlsx: already there")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.mark.slow
def test_command_line_exit_codes(tmp_path):
    export, questions, target = forms_csv(tmp_path, FORMS_ROWS[:2]), questions_csv(tmp_path), tmp_path / "target"
    common = ["map", str(export), "--mapping", str(EXAMPLE), "--questions", str(questions)]

    previewed = cli(*common, "--out", str(target), "--preview")
    assert previewed.returncode == 0, previewed.stderr
    assert "Personal columns dropped (never loaded)" in previewed.stdout and "nothing was written" in previewed.stdout
    assert not target.exists()

    done = cli(*common, "--out", str(target))
    assert done.returncode == 0, done.stderr
    assert "Wrote 2 responses" in done.stdout and "python -m pipeline build --extracts" in done.stdout
    assert sorted(p.name for p in target.iterdir()) == ["survey_answers.csv", "survey_responses.csv"]

    before = snapshot(target)
    stopped = cli(
        "map", str(forms_csv(tmp_path)), "--mapping", str(EXAMPLE), "--questions", str(questions), "--out", str(target)
    )
    assert stopped.returncode == 1
    assert 'column "How would you rate your IT skills?" (it_skills): "Brilliant"' in stopped.stderr
    assert f"Nothing was written to {target}" in stopped.stderr and snapshot(target) == before

    assert cli("map", str(export), "--out", str(target)).returncode == 2  # no --mapping
    assert cli("map", str(export), "--mapping", str(EXAMPLE)).returncode == 2  # no --out, no --preview
    assert cli("map", str(export), "--mapping", str(EXAMPLE), "--out", str(target), "--bogus").returncode == 2
    missing = cli("map", str(tmp_path / "nowhere.csv"), "--mapping", str(EXAMPLE), "--out", str(target))
    assert missing.returncode == 1 and "nowhere.csv: no such file" in missing.stderr
