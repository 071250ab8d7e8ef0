"""The Trust's structure that ``python -m pipeline map`` matches an export against, read from an
extracts folder: its lists (``lists``), its service areas and their care groups (``service_areas``),
its question bank (``questions``, else the seed questions) and its waves' dates (``waves``, when
there). Also how values are matched: exactly after ``match_key``, and, for a value that does not
match, its nearest known names (rapidfuzz), offered as suggestions, never applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from pipeline import contract
from pipeline.ingest import BuildError, RawTable, find_extract, read_extract
from pipeline.lists import TrustLists, read_lists
from pipeline.questions import items

UNITS = ("survey", "care_group", "service_area", "staff_group")  # the fields matched against the Trust's names
NEAREST_LIMIT = 3  # nearest known names shown for an unmatched value
SUGGEST_SCORE = 80  # rapidfuzz WRatio (0-100) from which a nearest name is offered as the likely one


def match_key(text: str) -> str:
    """How answers and names are matched: case, surrounding and repeated spaces, and curly apostrophes ignored."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).casefold()


def nearest(text: str, choices: tuple[str, ...] | list[str], limit: int = NEAREST_LIMIT) -> list[tuple[str, int]]:
    """The known names nearest to ``text``, best first, with their similarity (0 to 100)."""
    found = process.extract(text, list(choices), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [(choice, round(score)) for choice, score, _ in found]


@dataclass(frozen=True)
class Question:
    text: str
    scale: tuple[str, ...]
    waves: tuple[str, ...]  # empty: every wave


@dataclass(frozen=True)
class Trust:
    folder: Path
    lists: TrustLists
    areas: dict[str, str]  # service area -> its care group, in file order
    bank: dict[str, Question]
    bank_source: str  # where the question bank came from, for messages
    waves: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)  # wave_id -> (opened, closed)
    waves_file: str = ""

    def names(self, unit: str) -> tuple[str, ...]:
        """The known names of a unit field, in the Trust's order."""
        return tuple(self.areas) if unit == "service_area" else self.lists[unit]


def _columns(table: RawTable, *names: str) -> dict[str, int]:
    for name in names:
        if name not in table.header:
            raise BuildError(f"{table.file}: missing required column {name} in the header (line 1).")
    return {name: i for i, name in enumerate(table.header)}


def read_questions(path: Path) -> dict[str, Question]:
    """question_id -> its text, scale and waves, from a questions extract (the build checks the rest)."""
    if not path.is_file():
        raise BuildError(f"{path}: no such file.")
    table = read_extract(path)
    at = _columns(table, "question_id", "scale")
    cell = lambda row, name: row[at[name]] if name in at else None  # noqa: E731
    return {
        row[at["question_id"]]: Question(cell(row, "text") or "", items(row[at["scale"]]), items(cell(row, "waves")))
        for row in table.rows
        if row[at["question_id"]]
    }


def _date(text: str | None) -> dt.date | None:
    for date_format in contract.DATE_FORMATS:  # as the build reads waves.csv
        try:
            return dt.datetime.strptime((text or "")[:10], date_format).date()
        except ValueError:
            pass
    return None


def read_trust(folder: Path, questions_file: Path | None = None) -> Trust:
    """The Trust's structure from an extracts folder; lists and service_areas are required."""
    if not folder.is_dir():
        raise BuildError(
            f"{folder}: no such folder; --extracts (or --out) must be a folder holding the Trust's lists.csv "
            "and service_areas.csv (docs/examples/trust is an example)."
        )
    lists = read_lists(folder)
    table = read_extract(find_extract(folder, "service_areas"))
    at = _columns(table, "service_area", "care_group")
    areas: dict[str, str] = {}
    for row in table.rows:
        if row[at["service_area"]] and match_key(row[at["service_area"]]) not in map(match_key, areas):
            areas[row[at["service_area"]]] = row[at["care_group"]] or ""
    questions = questions_file or find_extract(folder, "questions", optional=True)
    if questions is not None:
        bank, source = read_questions(questions), f"{questions.name} in {questions.parent}"
    else:
        bank = {
            str(q["question_id"]): Question(str(q["text"]), tuple(q["scale"]), tuple(q["waves"]))
            for q in contract.SEED_QUESTIONS
        }
        source = f"the seed questions (no questions.csv in {folder})"
    waves: dict[str, tuple[dt.date, dt.date]] = {}
    waves_path = find_extract(folder, "waves", optional=True)
    if waves_path is not None:
        waves_table = read_extract(waves_path)
        at = _columns(waves_table, "wave_id", "opened", "closed")
        for row in waves_table.rows:
            opened, closed = _date(row[at["opened"]]), _date(row[at["closed"]])
            if row[at["wave_id"]] and opened and closed:
                waves[row[at["wave_id"]]] = (opened, closed)
    return Trust(folder, lists, areas, bank, source, waves, waves_path.name if waves_path else "")
