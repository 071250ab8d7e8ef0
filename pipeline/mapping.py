"""Map: turn a Microsoft Forms or SmartSurvey export into the contract's survey extracts.

Takes an export (CSV or XLSX, read by ``pipeline.ingest``: question text as
column headers, answer text in cells) and a mapping file (TOML, below); gives
``survey_responses.csv`` and ``survey_answers.csv`` in the layout of
docs/DATA_CONTRACT.md, ready for ``python -m pipeline build``. It never writes
waves.csv or questions.csv: the Trust writes those once.

The mapping file (docs/examples/forms_mapping.toml is a complete one)::

    wave = "2023"                       # optional: the wave of every response
    survey = "Staff"                    # the survey of every row, or instead
    survey_column = "Which survey?"     #   the column holding it
    response_id = "ID"                  # required, unique in the export
    id_prefix = "F23-"                  # optional, put before every id
    submitted_on = "Completion time"    # required
    date_format = "%m/%d/%y %H:%M:%S"   # optional; ISO always parses; default dd/mm/yyyy [hh:mm[:ss]]
    care_group = "..."                  # optional columns: care_group, service_area,
    personal = ["Email", "Name"]        #   staff_group, comment; personal: dropped when present
    [questions.it_skills]
    column = "How would you rate your IT skills?"
    [questions.it_skills.answers]       # optional: export answer -> scale answer ("" = not answered)
    "Excellent" = "Very good"
    [labels.care_group]                 # optional: also labels.survey, labels.staff_group
    "AMH" = "Adult mental health"

Columns are found like extract headers (ignoring case, spaces, hyphens and
underscores). Answers and labels are matched ignoring case and surrounding
spaces and written in canonical spelling. A value that is neither on the scale
(or in the label list) nor in its map is *unmatched*: the preview counts it, and
writing stops unless unmatched values are allowed (then they are written blank).
A question's scale comes from the ``--questions`` file when given, else from the
seed questions (``contract.SEED_QUESTIONS``).

Only mapped columns reach the output. Columns listed in ``personal`` and any
column headed Email, E-mail, Name or IP address are dropped and named in the
preview. Errors raise ``BuildError`` naming the file and column (and line, for a
value); the two files are written aside and renamed into place only when both
are complete, so an error leaves the output folder as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import contract
from pipeline.ingest import BuildError, RawTable, normalise_header, read_extract
from pipeline.mapping_file import COLUMN_KEYS, LABELS, canonical_lookup, load_mapping, match_key
from pipeline.rules import EXTRACTS

# The extracts' columns (pipeline.rules), less the legacy answer columns: answers go to survey_answers.
RESPONSE_COLUMNS = tuple(
    c for c in EXTRACTS["survey_responses"].column_names if c not in contract.LEGACY_ANSWER_COLUMNS
)
ANSWER_COLUMNS = EXTRACTS["survey_answers"].column_names
PERSONAL_HEADERS = {
    "email",
    "e_mail",
    "email_address",
    "e_mail_address",
    "name",
    "full_name",
    "first_name",
    "last_name",
    "ip_address",
    "ip",
}  # normalised headers always dropped
UK_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


@dataclass
class Mapped:
    export: str  # file names, for messages
    mapping: str
    columns: list[tuple[str, str]]  # export column -> what it becomes
    unmapped: list[str]
    personal: list[str]
    question_ids: list[str]
    responses: list[dict[str, str | None]]  # in RESPONSE_COLUMNS
    answers: list[dict[str, str | None]]  # per response: question id -> answer
    unmatched: dict[tuple[str, str, str], list[int]]  # (field or question id, column, text) -> lines
    every_row: str  # the values the mapping gives every row, e.g. "survey Staff, wave 2023"
    warnings: list[str] = field(default_factory=list)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(contract.LIST_SEPARATOR) if part.strip())


def read_questions(path: Path) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """question_id -> (scale, waves) from a questions extract (the build checks the rest of it)."""
    table = _read(path)
    for column in ("question_id", "scale"):
        if column not in table.header:
            raise BuildError(f"{table.file}: missing required column {column}.")
    index = {name: table.header.index(name) for name in ("question_id", "scale", "waves") if name in table.header}
    return {
        row[index["question_id"]]: (
            _split(row[index["scale"]]),
            _split(row[index["waves"]]) if "waves" in index else (),
        )
        for row in table.rows
        if row[index["question_id"]]
    }


def _read(path: Path) -> RawTable:
    if not path.is_file():
        raise BuildError(f"{path}: no such file.")
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise BuildError(f"{path.name}: is not a .csv or .xlsx file; export it as CSV or Excel.")
    return read_extract(path)


def _find(table: RawTable, mapping: str, key: str, name: str) -> int:
    hits = [i for i, header in enumerate(table.header) if header == normalise_header(name)]
    if not hits:
        raise BuildError(
            f'{mapping}: {key} names column "{name}", but {table.file} has no such column '
            f"(its columns: {', '.join(table.original_header)})."
        )
    if len(hits) > 1:
        raise BuildError(f'{table.file}: {len(hits)} columns are headed "{name}", so {key} is ambiguous; rename one.')
    return hits[0]


def _date(text: str, date_format: str | None) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for fmt in (date_format,) if date_format else UK_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def map_export(export: Path, mapping_file: Path, questions_file: Path | None = None) -> Mapped:
    """Read and map the whole export in memory; nothing is written."""
    mapping = load_mapping(mapping_file)
    table = _read(export)
    name, wave = mapping_file.name, mapping.get("wave")
    if table.ragged:
        row, reason = min(table.ragged.items())
        raise BuildError(f"{table.file}: line {table.lines[row]} {reason}; export it again.")
    bank = (
        read_questions(questions_file)
        if questions_file
        else {q["question_id"]: (q["scale"], q["waves"]) for q in contract.SEED_QUESTIONS}
    )

    targets: dict[int, str] = {}  # export column -> what it becomes
    lookups: dict[int, dict[str, str] | None] = {}  # None: passed through as text

    def assign(key: str, column: str, target: str, lookup: dict[str, str] | None = None) -> None:
        index = _find(table, name, key, column)
        if index in targets:
            raise BuildError(
                f'{name}: column "{table.original_header[index]}" is mapped twice '
                f"({targets[index]} and {target}); map each column once."
            )
        targets[index], lookups[index] = target, lookup

    for key in COLUMN_KEYS:
        if key in mapping:
            field_name = "survey" if key == "survey_column" else key
            lookup = None
            if field_name in LABELS:
                lookup = mapping["labels"].get(field_name) or canonical_lookup(LABELS[field_name], {}, name)
            assign(key, mapping[key], field_name, lookup)
    for question_id, question in mapping["questions"].items():
        if question_id not in bank:
            raise BuildError(
                f"{name}: [questions.{question_id}] is not in {questions_file.name}."
                if questions_file
                else f"{name}: [questions.{question_id}] has no known scale; give --questions questions.csv "
                f"(without it only {', '.join(bank)} are known)."
            )
        scale, waves = bank[question_id]
        if wave and waves and wave not in waves:
            raise BuildError(
                f"{name}: [questions.{question_id}] is not asked in wave {wave} "
                f"({questions_file.name} gives waves {'; '.join(waves)})."
            )
        lookup = canonical_lookup(scale, question["answers"], f"{name}: [questions.{question_id}.answers]")
        assign(f"[questions.{question_id}] column", question["column"], f"question {question_id}", lookup)

    listed = {normalise_header(p) for p in mapping["personal"]}
    personal = [i for i, h in enumerate(table.header) if h in listed or h in PERSONAL_HEADERS]
    for index in personal:
        if index in targets:
            raise BuildError(
                f'{name}: column "{table.original_header[index]}" is personal (never loaded), '
                f"so it cannot be mapped to {targets[index]}."
            )

    index_of = {target: index for index, target in targets.items()}
    id_column, date_column = index_of["response_id"], index_of["submitted_on"]
    questions = {i: t.removeprefix("question ") for i, t in targets.items() if t.startswith("question ")}
    fields = {i: t for i, t in targets.items() if i not in questions and i not in (id_column, date_column)}
    responses, answers, unmatched, seen = [], [], {}, {}

    def value(index: int, row: list[str | None], line: int, target: str) -> str | None:
        text, lookup = row[index], lookups[index]
        if text is None or lookup is None:
            return text
        found = lookup.get(match_key(text))
        if found is None:
            unmatched.setdefault((target, table.original_header[index], text), []).append(line)
        return found or None

    def fail(index: int, line: int, problem: str) -> BuildError:
        return BuildError(
            f'{table.file}: line {line}: column "{table.original_header[index]}" ({targets[index]}): {problem}'
        )

    for line, row in zip(table.lines, table.rows):
        if row[id_column] is None:
            raise fail(id_column, line, "is empty; every response needs an id.")
        response_id = mapping.get("id_prefix", "") + row[id_column]
        if response_id in seen:
            raise fail(id_column, line, f'"{row[id_column]}" repeats line {seen[response_id]}; ids must be unique.')
        seen[response_id] = line
        text = row[date_column]
        if text is None:
            raise fail(date_column, line, "is empty; every response needs a date.")
        submitted = _date(text, mapping.get("date_format"))
        if submitted is None:
            raise fail(
                date_column,
                line,
                f'"{text}" is not a date in the format '
                f"{mapping.get('date_format', 'dd/mm/yyyy')} (or ISO); set date_format in {name}.",
            )
        record = dict.fromkeys(RESPONSE_COLUMNS)
        record.update(
            response_id=response_id, survey=mapping.get("survey"), submitted_on=submitted.isoformat(), wave=wave
        )
        record.update({target: value(i, row, line, target) for i, target in fields.items()})
        responses.append(record)
        answers.append({q: value(i, row, line, q) for i, q in questions.items()})

    notes = {
        id_column: f" (prefixed {mapping['id_prefix']})" if "id_prefix" in mapping else "",
        date_column: f" (read as {mapping.get('date_format', 'dd/mm/yyyy')} or ISO)",
    }
    return Mapped(
        export=table.file,
        mapping=name,
        columns=[(table.original_header[i], targets[i] + notes.get(i, "")) for i in sorted(targets)],
        unmapped=[
            table.original_header[i] or f"(column {i + 1}, no header)"
            for i in range(len(table.header))
            if i not in targets and i not in personal
        ],
        personal=[table.original_header[i] for i in personal],
        question_ids=list(questions.values()),
        responses=responses,
        answers=answers,
        unmatched=unmatched,
        every_row=", ".join(f"{key} {mapping[key]}" for key in ("survey", "wave") if key in mapping) or "nothing",
        warnings=table.warnings,
    )
