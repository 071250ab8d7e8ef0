"""Map: turn a Microsoft Forms or SmartSurvey export into the contract's survey extracts.

Takes an export (CSV or XLSX, read by ``pipeline.mapping_export``: question text as column
headers, answer text in cells, SmartSurvey's second header row merged), a mapping file (TOML,
below) and the Trust's structure (``pipeline.mapping_trust``: lists.csv, service_areas.csv,
questions.csv and waves.csv of an extracts folder); gives ``survey_responses.csv`` and
``survey_answers.csv`` in the layout of docs/DATA_CONTRACT.md, ready for
``python -m pipeline build``. It never writes the Trust's other extracts.

The mapping file (docs/examples/forms_mapping.toml is a complete one; ``map --init`` writes a
first one from an export)::

    wave = "2024"                       # optional: the wave of every response
    survey = "Staff"                    # the survey of every row, or instead
    survey_column = "Which survey?"     #   the column holding it
    response_id = "ID"                  # required, unique in the export
    id_prefix = "F24-"                  # optional, put before every id
    submitted_on = "Completion time"    # required
    date_format = "%m/%d/%Y %H:%M:%S"   # optional (pipeline.mapping_dates): needed when the dates do
                                        #   not prove day-first or month-first; ISO always parses
    care_group = "..."                  # optional columns: care_group, service_area,
    personal = ["Email", "Name"]        #   staff_group, comment; personal: dropped when present
    [questions.it_skills]
    column = "How would you rate your IT skills?"
    [questions.it_skills.answers]       # optional: export answer -> scale answer ("" = not answered)
    "Excellent" = "Very good"
    [labels.service_area]               # optional: also labels.survey, care_group, staff_group
    "Distrct nursing" = "District nursing"

Columns are found like extract headers (ignoring case, spaces, hyphens and underscores).
Answers and names are matched ignoring case and surrounding and repeated spaces and written in
the Trust's spelling. A value that is neither known nor in the mapping's maps is *unmatched*:
the preview names it with its nearest known names and the line to add. An unmatched answer is
written blank; a response with an unmatched unit (survey, care group, service area, staff
group) or that the build would reject (a date outside its wave, a service area of another care
group, a staff survey with no care group, a staff group on a survey not answered by staff) is
a *dropped row*. ``pipeline.mapping_output`` writes only when there is neither, unless told to
accept them. A care group left empty is taken from the service area given (service_areas.csv).

A multi-select cell ("Teams;Email") under a question on a scale is unmatched: a question on a
scale takes one answer. Free text beside a choice ("Other (please specify)") is never an
answer: mapping it to a question stops; left unmapped it is named in the preview.

Only mapped columns reach the output. Columns listed in ``personal`` and any column headed
Email, E-mail, Name or IP address are dropped and named in the preview. Errors raise
``BuildError`` naming the file and column (and line, for a value).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import contract
from pipeline.ingest import BuildError, RawTable, normalise_header
from pipeline.mapping_dates import DAY_FIRST, MONTH_FIRST, DateReading, read_dates
from pipeline.mapping_export import is_other_text, read_export
from pipeline.mapping_file import COLUMN_KEYS, LABELS, canonical_lookup, load_mapping
from pipeline.mapping_trust import Trust, match_key
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
LANDED = ("as written", "respelled", "by the mapping", "blank", "unmatched")  # how a value lands


@dataclass
class MappedColumn:
    header: str
    target: str  # a field, or "question <id>"
    note: str = ""
    landed: Counter = field(default_factory=Counter)  # LANDED -> values


@dataclass
class Unmatched:
    target: str  # the field (a unit) or the question id
    column: str
    text: str
    lines: list[int]
    known: tuple[str, ...]  # the names or answers it could have been
    table: str  # where a line for it goes, e.g. [labels.service_area]

    @property
    def is_unit(self) -> bool:
        return self.table.startswith("[labels.")


@dataclass
class Mapped:
    export: str  # file names, for messages
    mapping: str
    columns: list[MappedColumn]
    unmapped: list[tuple[str, str]]  # export column -> why it is not loaded
    personal: list[str]
    question_ids: list[str]
    lines: list[int]  # per response, its line in the export
    responses: list[dict[str, str | None]]  # in RESPONSE_COLUMNS
    answers: list[dict[str, str | None]]  # per response: question id -> answer
    unmatched: dict[tuple[str, str, str], Unmatched]  # (target, column, text) -> where
    rejected: dict[str, list[int]]  # why the build would reject a row -> lines
    every_row: str  # the values the mapping gives every row, e.g. "survey Staff, wave 2023"
    dates: DateReading
    notes: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> set[int]:
        """Lines of the responses not written unless accepted: an unmatched unit, or a reject."""
        lines = {line for u in self.unmatched.values() if u.is_unit for line in u.lines}
        return lines.union(*self.rejected.values())

    @property
    def blank_answers(self) -> int:
        dropped = self.dropped
        return sum(1 for u in self.unmatched.values() if not u.is_unit for line in u.lines if line not in dropped)


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


def map_export(export: Path, mapping_file: Path, trust: Trust) -> Mapped:
    """Read and map the whole export in memory; nothing is written."""
    mapping = load_mapping(mapping_file, trust)
    read = read_export(export)
    table, name, wave = read.table, mapping_file.name, mapping.get("wave")
    if table.ragged:
        row, reason = min(table.ragged.items())
        raise BuildError(f"{table.file}: line {table.lines[row]} {reason}; export it again.")
    if not table.rows:
        raise BuildError(f"{table.file}: has no responses (only a header).")
    bank = trust.bank
    if wave and trust.waves and wave not in trust.waves:
        raise BuildError(f"{name}: wave '{wave}' is not in {trust.waves_file} (its waves: {', '.join(trust.waves)}).")

    targets: dict[int, MappedColumn] = {}
    lookups: dict[int, tuple[dict[str, str], dict[str, str], Unmatched]] = {}  # names, aliases, template

    def assign(key: str, column: str, target: str) -> int:
        index = _find(table, name, key, column)
        if index in targets:
            raise BuildError(
                f'{name}: column "{table.original_header[index]}" is mapped twice '
                f"({targets[index].target} and {target}); map each column once."
            )
        targets[index] = MappedColumn(table.original_header[index], target)
        return index

    for key in COLUMN_KEYS:
        if key in mapping:
            field_name = "survey" if key == "survey_column" else key
            index = assign(key, mapping[key], field_name)
            if field_name in LABELS:
                known = trust.names(field_name)
                if not known:
                    raise BuildError(
                        f"{name}: {key} is mapped, but the Trust has no {field_name.replace('_', ' ')} "
                        f"names in {trust.folder} to match it against."
                    )
                lookups[index] = (
                    {match_key(k): k for k in known},
                    mapping["labels"].get(field_name, {}),
                    Unmatched(field_name, targets[index].header, "", [], known, f"[labels.{field_name}]"),
                )
    for question_id, question in mapping["questions"].items():
        if question_id not in bank:
            raise BuildError(f"{name}: [questions.{question_id}] is not in the question bank ({trust.bank_source}).")
        scale, waves = bank[question_id].scale, bank[question_id].waves
        if wave and waves and wave not in waves:
            raise BuildError(
                f"{name}: [questions.{question_id}] is not asked in wave {wave} "
                f"({trust.bank_source} gives waves {'; '.join(waves)})."
            )
        index = assign(f"[questions.{question_id}] column", question["column"], f"question {question_id}")
        if is_other_text(table.original_header[index]):
            raise BuildError(
                f'{name}: [questions.{question_id}] names column "{table.original_header[index]}", free text '
                "beside a choice, never an answer on a scale; map it as the comment or leave it out."
            )
        where = f"{name}: [questions.{question_id}.answers]"
        lookups[index] = (
            {match_key(k): k for k in scale},
            canonical_lookup(scale, question["answers"], where),
            Unmatched(question_id, targets[index].header, "", [], scale, f"[questions.{question_id}.answers]"),
        )

    listed = {normalise_header(p) for p in mapping["personal"]}
    personal = [i for i, h in enumerate(table.header) if h in listed or h in PERSONAL_HEADERS]
    for index in personal:
        if index in targets:
            raise BuildError(
                f'{name}: column "{table.original_header[index]}" is personal (never loaded), '
                f"so it cannot be mapped to {targets[index].target}."
            )

    index_of = {column.target: index for index, column in targets.items()}
    id_column, date_column = index_of["response_id"], index_of["submitted_on"]
    questions = {i: c.target.removeprefix("question ") for i, c in targets.items() if c.target.startswith("question ")}
    fields = {i: c.target for i, c in targets.items() if i not in questions and i not in (id_column, date_column)}
    unmatched: dict[tuple[str, str, str], Unmatched] = {}
    rejected: dict[str, list[int]] = {}

    def fail(index: int, line: int, problem: str) -> BuildError:
        return BuildError(
            f'{table.file}: line {line}: column "{table.original_header[index]}" ({targets[index].target}): {problem}'
        )

    seen: dict[str, int] = {}
    for line, row in zip(table.lines, table.rows):
        if row[id_column] is None:
            raise fail(id_column, line, "is empty; every response needs an id.")
        response_id = mapping.get("id_prefix", "") + row[id_column]
        if response_id in seen:
            raise fail(id_column, line, f'"{row[id_column]}" repeats line {seen[response_id]}; ids must be unique.')
        seen[response_id] = line
        if row[date_column] is None:
            raise fail(date_column, line, "is empty; every response needs a date.")
    dates, reading = read_dates(
        [(line, row[date_column]) for line, row in zip(table.lines, table.rows)],
        mapping.get("date_format"),
        table.file,
        table.original_header[date_column],
    )

    def value(index: int, row: list[str | None], line: int) -> str | None:
        text, column = row[index], targets[index]
        if text is None:
            column.landed["blank"] += 1
            return None
        names, aliases, template = lookups[index]
        key = match_key(text)
        if key in aliases:
            column.landed["by the mapping"] += 1
            return aliases[key] or None
        if key in names:
            column.landed["as written" if names[key] == text else "respelled"] += 1
            return names[key]
        column.landed["unmatched"] += 1
        found = unmatched.setdefault(
            (template.target, column.header, text),
            Unmatched(template.target, column.header, text, [], template.known, template.table),
        )
        found.lines.append(line)
        return None

    def reject(line: int, why: str) -> None:
        rejected.setdefault(why, []).append(line)

    staff_surveys = set(trust.lists.staff_surveys)
    derived = 0
    responses, answers = [], []
    for line, row in zip(table.lines, table.rows):
        submitted = dates[line]
        record = dict.fromkeys(RESPONSE_COLUMNS)
        record.update(
            response_id=mapping.get("id_prefix", "") + row[id_column],
            survey=mapping.get("survey"),
            submitted_on=submitted.isoformat(),
            wave=wave,
        )
        for index, target in fields.items():
            record[target] = value(index, row, line) if index in lookups else row[index]
        area, group = record["service_area"], record["care_group"]
        group_empty = "care_group" not in index_of or row[index_of["care_group"]] is None  # in the export
        if area is not None:
            area_group = trust.areas[area]
            if group is None and group_empty:
                record["care_group"], derived = area_group, derived + 1
            elif group is not None and group != area_group:
                reject(line, f"the service area is in another care group (service_areas.csv: {area_group})")
        survey = record["survey"]
        if survey in staff_surveys and record["care_group"] is None and group_empty:
            reject(line, f"no care group, which a staff survey needs ({survey})")
        if survey is not None and survey not in staff_surveys and record["staff_group"] is not None:
            reject(line, f"a staff group on a survey not answered by staff ({survey}; lists.csv meaning staff)")
        if wave and wave in trust.waves:
            opened, closed = trust.waves[wave]
            if not opened <= submitted <= closed:
                reject(line, f"submitted_on outside wave {wave} ({opened} to {closed}, {trust.waves_file})")
        elif not wave and trust.waves:
            holding = [w for w, (opened, closed) in trust.waves.items() if opened <= submitted <= closed]
            if len(holding) != 1:
                within = "no wave's dates" if not holding else f"the dates of waves {', '.join(holding)}"
                reject(line, f"submitted_on in {within} ({trust.waves_file}); set wave in the mapping")
        responses.append(record)
        answers.append({q: value(i, row, line) for i, q in questions.items()})

    notes = list(read.notes)
    if wave and not trust.waves:
        notes.append(f"No waves.csv in {trust.folder}: wave {wave} and the dates are not checked against it.")
    targets[id_column].note = f"prefixed {mapping['id_prefix']}" if "id_prefix" in mapping else ""
    targets[date_column].note = (
        f"read {reading.order}, {reading.evidence}"
        if reading.order in (DAY_FIRST, MONTH_FIRST)
        else f"read {reading.evidence}"
    )
    if derived:
        notes.append(f"care_group taken from the service area (service_areas.csv) for {derived} responses.")
    unmapped = []
    for i, header in enumerate(table.original_header):
        if i in targets or i in personal:
            continue
        shown = header or f"(column {i + 1}, no header)"
        if is_other_text(header):
            why = "free text beside a choice, never an answer (map it as the comment to keep it)"
        elif i in read.option_columns:
            why = "one of several columns of one question (a multi-select's option or a matrix row)"
        else:
            why = "not mapped"
        unmapped.append((shown, why))
    return Mapped(
        export=table.file,
        mapping=name,
        columns=[targets[i] for i in sorted(targets)],
        unmapped=unmapped,
        personal=[table.original_header[i] for i in personal],
        question_ids=list(questions.values()),
        lines=list(table.lines),
        responses=responses,
        answers=answers,
        unmatched=unmatched,
        rejected=rejected,
        every_row=", ".join(f"{key} {mapping[key]}" for key in ("survey", "wave") if key in mapping) or "nothing",
        dates=reading,
        notes=notes,
    )
