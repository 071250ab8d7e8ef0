"""The mapping file of ``python -m pipeline map`` (its layout: ``pipeline.mapping``), read and
checked against the Trust's structure (``pipeline.mapping_trust``): unknown keys, types, labels
and answers named where they are, before the export is read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pipeline.ingest import BuildError
from pipeline.mapping_trust import UNITS, Trust, match_key, nearest

COLUMN_KEYS = ("response_id", "survey_column", "submitted_on", "care_group", "service_area", "staff_group", "comment")
TEXT_KEYS = (*COLUMN_KEYS, "wave", "survey", "id_prefix", "date_format")
KEYS = (*TEXT_KEYS, "personal", "questions", "labels")
LABELS = UNITS  # [labels.<unit>]: export text -> one of the Trust's names (lists.csv, service_areas.csv)
CODE = re.compile(r"[A-Za-z0-9_-]+")
SHOWN_NAMES = 12  # a longer list of known names is shown by its nearest few


def canonical_lookup(allowed: tuple[str, ...], aliases: dict[str, str], where: str) -> dict[str, str]:
    """The aliases as matching key -> canonical value ("" = write blank); each must point into ``allowed``."""
    lookup = {match_key(a): a for a in allowed}
    for source, target in aliases.items():
        if target.strip() and match_key(target) not in lookup:
            known = (
                f"one of: {'; '.join(allowed)}"
                if len(allowed) <= SHOWN_NAMES
                else f"one of the {len(allowed)} known; the nearest: {'; '.join(n for n, _ in nearest(target, allowed))}"
            )
            raise BuildError(f'{where}: "{source}" = "{target}": "{target}" is not {known}.')
    return {match_key(s): lookup[match_key(t)] if t.strip() else "" for s, t in aliases.items()}


def text_table(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BuildError(f'{where} must be a table of "export text" = "value" lines.')
    return value


def load_mapping(path: Path, trust: Trust) -> dict:
    """The mapping file, checked for unknown keys, types and labels (columns are checked against the export).

    ``labels[unit]`` and ``questions[id]["answers"]`` come back as matching key -> canonical value
    ("" = written blank): the aliases only; values already on the list match without a line."""
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BuildError(f"{path}: cannot be read ({error.strerror}).") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildError(f"{path.name}: is not a valid TOML mapping file ({error}).") from None
    name = path.name
    for key in mapping:
        if key not in KEYS:
            raise BuildError(f"{name}: unknown key '{key}'; the keys are {', '.join(KEYS)}.")
    for key in TEXT_KEYS:
        if key in mapping and (not isinstance(mapping[key], str) or not mapping[key].strip()):
            raise BuildError(f'{name}: {key} must be text in quotes, e.g. {key} = "..."')
    for key in ("response_id", "submitted_on"):
        if key not in mapping:
            raise BuildError(f"{name}: {key} is required: the export column holding it.")
    if ("survey" in mapping) == ("survey_column" in mapping):
        raise BuildError(f'{name}: give either survey = "Staff" (every row) or survey_column = "<column>", not both.')
    if "wave" in mapping and not CODE.fullmatch(mapping["wave"]):
        raise BuildError(f"{name}: wave '{mapping['wave']}' must be a wave_id (letters, digits, - or _).")
    personal = mapping.setdefault("personal", [])
    if not isinstance(personal, list) or not all(isinstance(p, str) for p in personal):
        raise BuildError(f'{name}: personal must be a list of column names, e.g. personal = ["Email", "Name"].')
    labels = mapping.setdefault("labels", {})
    for key, aliases in labels.items():
        if key not in LABELS:
            raise BuildError(f"{name}: unknown key '{key}' in [labels]; the keys are {', '.join(LABELS)}.")
        where = f"{name}: [labels.{key}]"
        if not trust.names(key):
            raise BuildError(f"{where}: the Trust lists no {key.replace('_', ' ')} ({trust.folder}).")
        labels[key] = canonical_lookup(trust.names(key), text_table(aliases, where), where)
    if "survey" in mapping:
        surveys = trust.names("survey")
        survey = {match_key(s): s for s in surveys}.get(match_key(mapping["survey"]))
        if survey is None:
            raise BuildError(
                f"{name}: survey '{mapping['survey']}' is not one of the Trust's surveys: {'; '.join(surveys)} "
                f"(lists.csv in {trust.folder})."
            )
        mapping["survey"] = survey
    questions = mapping.get("questions")
    if not isinstance(questions, dict) or not questions:
        raise BuildError(f'{name}: no questions; add [questions.<question_id>] with column = "<question text>".')
    for question_id, question in questions.items():
        where = f"{name}: [questions.{question_id}]"
        if not CODE.fullmatch(question_id):
            raise BuildError(f"{where}: a question_id is letters, digits, - or _.")
        if not isinstance(question, dict):
            raise BuildError(f'{where} must be a table with column = "<question text>".')
        for key in question:
            if key not in ("column", "answers"):
                raise BuildError(f"{where}: unknown key '{key}'; the keys are column, answers.")
        if not isinstance(question.get("column"), str) or not question["column"].strip():
            raise BuildError(f'{where}: column is required: column = "<question text>".')
        question["answers"] = text_table(question.get("answers", {}), f"{where[:-1]}.answers]")
    return mapping
