"""``python -m pipeline map --init EXPORT``: a first mapping file, written from the export's headers
and values and the Trust's structure (``pipeline.mapping_trust``), for a person to check.

Which column looks like each field: the response id and date by their usual headers (Forms: ID,
Completion time; SmartSurvey: Response ID, Ended), the units (survey, care group, service area,
staff group) by header words and by how many of their values are the Trust's names, the comment
by header words or long free text, personal columns by their headers. Each other column with
few distinct values is matched to the question of the bank whose scale holds most of its answers
(or whose text is its header); one that matches none is left as a commented placeholder. Values
that are not known names or answers get a line: the nearest known one, marked "check", when it
is close; a commented line when nothing is. Every guess says so in a comment.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

from pipeline.ingest import BuildError
from pipeline.mapping import PERSONAL_HEADERS
from pipeline.mapping_dates import detect, read_dates
from pipeline.mapping_export import is_other_text, read_export
from pipeline.mapping_output import toml_string
from pipeline.mapping_trust import SUGGEST_SCORE, UNITS, Trust, match_key, nearest

ID_HEADERS = ("id", "response_id", "respondent_id", "responseid", "submission_id", "response_number")
DATE_HEADERS = (
    "completion_time",
    "ended",
    "submitted",
    "submitted_on",
    "date_submitted",
    "end_date",
    "completed",
    "end_time",
    "timestamp",
    "start_time",
    "started",
    "start_date",
    "date",
)
UNIT_WORDS = {
    "survey": ("survey", "staff_or", "are_you_a", "respondent_type", "completing"),
    "care_group": ("care_group", "division", "directorate"),
    "service_area": ("service_area", "team", "ward", "department", "service"),
    "staff_group": ("staff_group", "job_role", "profession", "role", "occupation"),
}
COMMENT_WORDS = ("comment", "anything_else", "tell_us", "feedback", "suggestion")
MAX_CHOICES = 15  # a column with more distinct values is not a question on a scale
FREE_TEXT_CHARS = 30  # mean length above which many distinct values are free text


def _share_known(values: Counter, names: tuple[str, ...]) -> float:
    """Share of the responses whose value is a known name, exactly or close to one."""
    if not values or not names:
        return 0.0
    keys = {match_key(n) for n in names}
    hits = sum(n for v, n in values.items() if match_key(v) in keys or nearest(v, names, 1)[0][1] >= SUGGEST_SCORE)
    return hits / sum(values.values())


def _label_lines(values: Counter, names: tuple[str, ...], what: str) -> list[str]:
    keys = {match_key(n) for n in names}
    lines = []
    for text, count in sorted(values.items(), key=lambda item: -item[1]):
        if match_key(text) in keys:
            continue
        close = nearest(text, names)
        shown = ", ".join(f"{name} ({score})" for name, score in close) or "none"
        if close and close[0][1] >= SUGGEST_SCORE and ";" not in text:
            lines.append(f"{toml_string(text)} = {toml_string(close[0][0])}  # check: x {count}; nearest {shown}")
        else:
            lines.append(f'# {toml_string(text)} = ""  # CHECK: x {count}, not {what}; nearest {shown}')
    return lines


def initial_mapping(export: Path, trust: Trust) -> str:
    read = read_export(export)
    table = read.table
    if not table.rows:
        raise BuildError(f"{table.file}: has no responses (only a header); --init needs some to look at.")
    columns = range(len(table.header))
    values = [Counter(row[i] for row in table.rows if row[i] is not None) for i in columns]
    header, original = table.header, table.original_header
    personal = [i for i in columns if header[i] in PERSONAL_HEADERS]
    free = [i for i in columns if i not in personal]
    taken: set[int] = set()

    def pick(candidates: list[int]) -> int | None:
        for i in candidates:
            if i not in taken and i in free:
                taken.add(i)
                return i
        return None

    id_column = pick([i for name in ID_HEADERS for i in columns if header[i] == name])
    date_column = pick([i for name in DATE_HEADERS for i in columns if header[i] == name])
    units: dict[str, int] = {}
    for unit in UNITS:
        names = trust.names(unit)
        scored = []
        for i in free:
            if i in taken or is_other_text(original[i]) or len(values[i]) > 3 * len(names) + MAX_CHOICES:
                continue  # free text or ids, not a unit
            share = _share_known(values[i], names)
            worded = any(word in header[i] for word in UNIT_WORDS[unit])
            if share >= 0.5 or (worded and len(values[i]) <= 3 * max(len(names), 1)):
                scored.append((share + (0.5 if worded else 0), i))
        if scored:
            units[unit] = pick([max(scored)[1]])
    texts = [i for i in free if i not in taken and len(values[i]) > MAX_CHOICES]
    worded = [i for i in free if i not in taken and any(w in header[i] for w in COMMENT_WORDS)]
    long_text = [i for i in texts if statistics.mean(len(v) for v in values[i].elements()) > FREE_TEXT_CHARS]
    comment = pick(
        [i for i in worded if not is_other_text(original[i])]
        + sorted(long_text, key=lambda i: -statistics.mean(len(v) for v in values[i].elements()))
    )

    out = [
        f"# A first mapping of {table.file}, written by python -m pipeline map --init on {dt.date.today()}",
        f"# against the Trust's structure in {trust.folder} (its lists, service areas and questions).",
        "# Check every line marked CHECK or check, then preview (nothing is written without --write):",
        f"#   python -m pipeline map {export} --mapping <this file> --extracts {trust.folder}",
        "# Names match ignoring case and spaces; a mapped value is written in the Trust's spelling.",
        *(f"# Note: {note}" for note in read.notes),
        "",
    ]
    dated = (
        [(line, row[date_column]) for line, row in zip(table.lines, table.rows) if row[date_column]]
        if date_column is not None
        else []
    )
    reading, why = detect(dated) if date_column is not None else (None, "")
    if trust.waves:
        holding = []
        if reading is not None:
            dates, _ = read_dates(dated, None, table.file, original[date_column])
            holding = [w for w, (a, b) in trust.waves.items() if all(a <= d <= b for d in dates.values())]
        if len(holding) == 1:
            out.append(f"wave = {toml_string(holding[0])}  # check: every response's date is in it (waves.csv)")
        else:
            out.append(f'# wave = "..."  # CHECK: one of {", ".join(trust.waves)}; empty = each response by its date')
    if "survey" in units:
        out.append(f"survey_column = {toml_string(original[units['survey']])}  # check: its values are surveys")
    else:
        guess = (trust.lists.staff_surveys or trust.names("survey") or ("...",))[0]
        out.append(
            f"survey = {toml_string(guess)}  # CHECK: every row's survey, one of {'; '.join(trust.names('survey'))}"
        )
    if id_column is not None:
        out.append(f"response_id = {toml_string(original[id_column])}")
    else:
        out.append('response_id = "..."  # CHECK: no column looks like the response id; name it')
    out.append(
        '# id_prefix = "A-"  # CHECK: set one when another export\'s ids could repeat these (Forms counts 1, 2, 3...)'
    )
    if date_column is not None:
        out.append(f"submitted_on = {toml_string(original[date_column])}")
        if reading is None:
            out.append(f"# date_format = ...  # CHECK, required: {why}")
        elif reading.format:
            try:
                for _, text in dated:
                    if not text[:4].isdigit():
                        dt.datetime.strptime(text, reading.format)
                out.append(f"date_format = {toml_string(reading.format)}  # {reading.order}, {reading.evidence}")
            except ValueError:
                out.append(f"# date_format: read {reading.order} ({reading.evidence}); the values vary in shape")
        else:
            out.append("# dates: ISO (as an .xlsx date cell reads), no date_format needed")
    else:
        out.append('submitted_on = "..."  # CHECK: no column looks like the completion date; name it')
    for unit in ("care_group", "service_area", "staff_group"):
        if unit in units:
            out.append(f"{unit} = {toml_string(original[units[unit]])}  # check")
        else:
            out.append(f'# {unit} = "..."  # no column looks like it; name it if the export has one')
    if comment is not None:
        out.append(f"comment = {toml_string(original[comment])}  # check: free text, listed on the dashboard")
    else:
        out.append('# comment = "..."  # no free-text column found')
    out.append(
        "personal = [" + ", ".join(toml_string(original[i]) for i in personal) + "]"
        "  # dropped, never loaded; add any other column naming a person"
    )
    out.append("")

    used: set[str] = set()
    bank = trust.bank
    for i in free:
        if i in taken:
            continue
        heading = original[i] or f"column {i + 1}"
        if is_other_text(original[i]):
            out.append(f"# {toml_string(heading)}: free text beside a choice; never an answer (not loaded)")
            continue
        if not values[i] or len(values[i]) > MAX_CHOICES:
            out.append(f"# {toml_string(heading)}: not loaded ({len(values[i])} different values)")
            continue
        keys = Counter()
        for text, n in values[i].items():
            keys[match_key(text)] += n
        by_text = [q for q, question in bank.items() if match_key(question.text) == match_key(original[i])]
        scored = sorted(
            (
                (sum(n for k, n in keys.items() if k in {match_key(a) for a in question.scale}) / sum(keys.values()), q)
                for q, question in bank.items()
                if q not in used
            ),
            key=lambda item: (-item[0], len(bank[item[1]].scale)),
        )
        choice, why = None, ""
        if by_text and by_text[0] not in used:
            choice, why = by_text[0], "its text is the question's"
        elif scored and scored[0][0] >= 0.5:
            choice, why = scored[0][1], f"guessed: {scored[0][0]:.0%} of its answers are on the scale; CHECK"
        if choice is None:
            seen = ", ".join(f"{toml_string(v)} x {n}" for v, n in values[i].most_common(6))
            out += [
                f"# [questions.CHANGE_ME]  # CHECK: no question of the bank has these answers ({seen}).",
                f"# column = {toml_string(original[i])}  # add the question to questions.csv, or leave it out",
                "",
            ]
            continue
        used.add(choice)
        out += [f"[questions.{choice}]  # {why}", f"column = {toml_string(original[i])}"]
        answers = _label_lines(values[i], bank[choice].scale, "on the scale")
        if answers:
            out += [f'[questions.{choice}.answers]  # export answer = scale answer; "" = not answered', *answers]
        out.append("")
    for unit, i in units.items():
        lines = _label_lines(values[i], trust.names(unit), f"a known {unit.replace('_', ' ')}")
        if lines:
            out += [f"[labels.{unit}]  # export text = the Trust's name ({original[i]})", *lines, ""]
    if not used:
        out.append("# CHECK: no column matched a question of the bank; add [questions.<id>] tables.")
    return "\n".join(out).rstrip() + "\n"
