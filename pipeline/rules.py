"""The contract's rules, declared as data (docs/DATA_CONTRACT.md).

One table of column rules per extract, plus the few rules that span columns or
files. ``pipeline.validate`` turns each into one SQL check over the staged
text; nothing else in the build decides whether a row is valid.

Row rules are SQL predicates that are TRUE when the row breaks the rule. They
see the staged text columns (``raw."col"``) and the parsed values
(``typed."col"``); they are constants written here, never built from data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline import contract

Kind = Literal["text", "code", "date", "number", "yesno", "label"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    required: bool = False
    labels: tuple[str, ...] = ()
    labels_name: str = ""  # how a reason names the list, e.g. "a strategy theme"
    unique: bool = False
    references: tuple[str, str] | None = None  # (extract, column) it must exist in
    minimum_exclusive: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class RowRule:
    column: str  # the column a reject names
    broken_when: str  # SQL over typed."col" / raw."col"; TRUE means the row breaks it
    reason: str


@dataclass(frozen=True)
class Extract:
    name: str
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()
    unique_together: tuple[str, ...] = ()  # a repeated combination is a duplicate

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _label(name: str, labels: tuple[str, ...], labels_name: str, required: bool = False) -> Column:
    return Column(name, "label", required=required, labels=labels, labels_name=labels_name)


def _listed(name: str, labels_name: str, required: bool = False) -> Column:
    """A label column whose values are the Trust's own list of the same name (the ``lists`` extract)."""
    return Column(name, "label", required=required, labels_name=labels_name)


def _marked(meaning: str, list_name: str) -> str:
    """SQL: the values of a list that carry a meaning (e.g. the staff surveys), from the loaded lists."""
    return f"(select value from lists where list = '{list_name}' and meaning = '{meaning}')"


_STAFF_SURVEYS_SQL = _marked(contract.STAFF, "survey")
_COMPLETED_SQL = _marked(contract.COMPLETED, "status")


def _items(column: str) -> str:
    """SQL: the ';'-separated items of raw.<column>, trimmed, blanks left out, as a list."""
    return (
        f"list_filter(list_transform(string_split(raw.{column}, '{contract.LIST_SEPARATOR}'), lambda x: trim(x)), "
        "lambda x: x <> '')"
    )


def _lower_items(column: str) -> str:
    return f"list_transform({_items(column)}, lambda x: lower(x))"


def _not_on_scale(column: str) -> RowRule:
    return RowRule(
        column,
        f"raw.{column} is not null and raw.scale is not null "
        f"and not list_has_all({_lower_items('scale')}, {_lower_items(column)})",
        "names an answer that is not on the scale",
    )


_CODE_PATTERN = "[A-Za-z0-9_-]+"


def _code_for_links(column: str) -> RowRule:
    """A code that names its row in links: letters, digits, - and _ only."""
    return RowRule(
        column,
        f"not regexp_full_match(typed.{column}, '{_CODE_PATTERN}')",
        "must be letters, digits, - or _ (it is used in links)",
    )


def _not_before(column: str, earlier: str) -> RowRule:
    """A date that may not come before another date of its row."""
    return RowRule(column, f"typed.{column} < typed.{earlier}", f"is before {earlier}")


def _staff_surveys_only(column: str) -> RowRule:
    """A column answered only in the staff surveys (lists: meaning staff)."""
    return RowRule(
        column,
        f"typed.survey not in {_STAFF_SURVEYS_SQL} and raw.{column} is not null",
        "is only for staff surveys (lists: meaning staff)",
    )


EXTRACTS: dict[str, Extract] = {
    "lists": Extract(
        "lists",
        (
            _label("list", contract.LIST_NAMES, "a list: " + ", ".join(contract.LIST_NAMES), required=True),
            Column("value", "text", required=True),
            Column("meaning", "text"),
        ),
        row_rules=(
            RowRule(
                "value",
                "exists (select 1 from stg_lists earlier where lower(earlier.list) = lower(raw.list) "
                "and lower(earlier.value) = lower(raw.value) and earlier._line < raw._line)",
                "repeats an earlier value of its list (the first one is kept)",
            ),
            RowRule(
                "value",
                f"lower(raw.value) = lower('{contract.NOT_STATED}')",
                f"is what an empty value is shown as ({contract.NOT_STATED}); leave it out of the list",
            ),
            RowRule(
                "meaning",
                f"raw.meaning is not null and typed.list is not null and typed.list <> 'theme' and not ("
                f"(typed.list = 'survey' and lower(raw.meaning) = '{contract.STAFF}') or "
                f"(typed.list = 'status' and lower(raw.meaning) in ('{contract.COMPLETED}', '{contract.CLOSED}')))",
                f"must be empty, {contract.STAFF} (a survey answered by staff), {contract.COMPLETED} (the status "
                f"of a finished action), {contract.CLOSED} (a status that ends an action unfinished) or, for a "
                "theme, a question theme",
            ),
        ),
    ),
    "service_areas": Extract(
        "service_areas",
        (
            Column("service_area", "text", required=True, unique=True),
            _listed("care_group", "a care group in lists", required=True),
            # Optional (a file without it still loads): staff in post for the survey, for response rates.
            Column("headcount", "number"),
        ),
        row_rules=(
            RowRule(
                "headcount",
                f"not isfinite(typed.headcount) or typed.headcount <> floor(typed.headcount) "
                f"or typed.headcount < 1 or typed.headcount > {contract.MAX_HEADCOUNT}",
                f"must be a whole number of staff from 1 to {contract.MAX_HEADCOUNT:,} (empty when not known)",
            ),
        ),
    ),
    "conversations": Extract(
        "conversations",
        (
            Column("conversation_id", "code", required=True, unique=True),
            Column("held_on", "date", required=True),
            Column("service_area", "text", required=True, references=("service_areas", "service_area")),
            Column("hours", "number", required=True, minimum_exclusive=0, maximum=8),
            _listed("format", "a conversation format in lists"),
        ),
    ),
    "conversation_attendees": Extract(
        "conversation_attendees",
        (
            Column("conversation_id", "code", required=True, references=("conversations", "conversation_id")),
            Column("staff_id", "code", required=True),
            _listed("staff_group", "a staff group in lists"),
        ),
        row_rules=(
            RowRule(
                "staff_id",
                "typed.staff_id like '%@%' or regexp_matches(typed.staff_id, '\\s')",
                "looks like a name or e-mail address; use a pseudonymous staff code",
            ),
        ),
        unique_together=("conversation_id", "staff_id"),
    ),
    "actions": Extract(
        "actions",
        (
            Column("action_id", "code", required=True, unique=True),
            Column("conversation_id", "code", references=("conversations", "conversation_id")),
            Column("service_area", "text", required=True, references=("service_areas", "service_area")),
            _listed("theme", "a strategy theme in lists", required=True),
            Column("title", "text", required=True),
            Column("quick_win", "yesno", required=True),
            _listed("status", "a status in lists", required=True),
            Column("raised_on", "date", required=True),
            Column("completed_on", "date"),
        ),
        row_rules=(
            RowRule(
                "completed_on",
                f"typed.status in {_COMPLETED_SQL} and raw.completed_on is null",
                "is required when the status is the completed one (lists: meaning completed)",
            ),
            RowRule(
                "completed_on",
                f"typed.status is not null and typed.status not in {_COMPLETED_SQL} and raw.completed_on is not null",
                "must be empty unless the status is the completed one (lists: meaning completed)",
            ),
            _not_before("completed_on", "raised_on"),
        ),
    ),
    "waves": Extract(
        "waves",
        (
            Column("wave_id", "code", required=True, unique=True),
            Column("name", "text", required=True),
            Column("opened", "date", required=True),
            Column("closed", "date", required=True),
        ),
        row_rules=(_code_for_links("wave_id"), _not_before("closed", "opened")),
    ),
    "questions": Extract(
        "questions",
        (
            Column("question_id", "code", required=True, unique=True),
            Column("waves", "text"),
            Column("text", "text", required=True),
            Column("label", "text", required=True),
            Column("theme", "text", required=True),
            Column("scale", "text", required=True),
            Column("positive", "text", required=True),
            Column("excluded", "text"),
            Column("neutral", "text"),
            Column("higher_is_better", "yesno"),
            Column("summary", "text"),
        ),
        row_rules=(
            _code_for_links("question_id"),
            RowRule(
                "waves",
                f"raw.waves is not null and not list_has_all("
                f"coalesce((select list(wave_id) from waves), []), {_items('waves')})",
                "names a wave that is not in waves",
            ),
            RowRule(
                "scale",
                f"raw.scale is not null and (len({_items('scale')}) < 2 or "
                f"len(list_distinct({_lower_items('scale')})) <> len({_items('scale')}))",
                "needs at least two different answers, separated by ;",
            ),
            _not_on_scale("positive"),
            _not_on_scale("excluded"),
            _not_on_scale("neutral"),
            RowRule(
                "positive",
                f"raw.positive is not null and len({_items('positive')}) = 0",
                "is required: at least one answer",
            ),
            RowRule(
                "excluded",
                "raw.excluded is not null and raw.positive is not null and "
                f"list_has_any({_lower_items('excluded')}, {_lower_items('positive')})",
                "names an answer that is also positive",
            ),
        ),
    ),
    "survey_responses": Extract(
        "survey_responses",
        (
            Column("response_id", "code", required=True, unique=True),
            _listed("survey", "a survey in lists", required=True),
            Column("submitted_on", "date", required=True),
            Column("wave", "code", references=("waves", "wave_id")),
            _listed("care_group", "a care group in lists"),
            Column("service_area", "text", references=("service_areas", "service_area")),
            _listed("staff_group", "a staff group in lists"),
            # Legacy answer columns (the layout before questions were data), read as answers.
            _label("it_skills", contract.IT_SKILLS, "an IT skills answer"),
            _label("info_available", contract.INFO_AVAILABLE, "an information available answer"),
            _label("it_unreliable", contract.IT_UNRELIABLE, "an agree/disagree answer"),
            Column("comment", "text"),
        ),
        row_rules=(
            RowRule(
                "care_group",
                f"typed.survey in {_STAFF_SURVEYS_SQL} and raw.care_group is null",
                "is required for a staff survey (lists: meaning staff)",
            ),
            RowRule(
                "service_area",
                "typed.service_area is not null and raw.care_group is null",
                "is given without a care_group",
            ),
            RowRule(
                "service_area",
                "typed.care_group is not null and typed.service_area is not null"
                " and typed.care_group <> (select s.care_group from service_areas s"
                " where s.service_area = typed.service_area)",
                "does not belong to the care_group given",
            ),
            _staff_surveys_only("staff_group"),
            _staff_surveys_only("info_available"),
            RowRule(
                "submitted_on",
                # The waves' dates as one list (an uncorrelated subquery: read once, not per row).
                "raw.wave is null and typed.submitted_on is not null and len(list_filter((select "
                "coalesce(list({'opened': opened, 'closed': closed}), []) from waves), "
                "lambda w: typed.submitted_on between w.opened and w.closed)) <> 1",
                "is not within exactly one wave's dates (opened to closed); give the wave",
            ),
            RowRule(
                "submitted_on",
                "raw.wave is not null and typed.submitted_on is not null and exists (select 1 from waves w "
                "where w.wave_id = typed.wave and typed.submitted_on not between w.opened and w.closed)",
                "is outside its wave's dates (opened to closed): a date misread (month-first?) or the wrong wave",
            ),
        ),
    ),
    "survey_answers": Extract(
        "survey_answers",
        (
            Column("response_id", "code", required=True, references=("survey_responses", "response_id")),
            Column("question_id", "code", required=True, references=("questions", "question_id")),
            Column("answer", "text"),
        ),
        row_rules=(
            RowRule(
                "answer",
                "raw.answer is not null and typed.question_id in (select measure from answer_scale) and not exists "
                "(select 1 from answer_scale s where s.measure = typed.question_id and lower(s.answer) = lower(raw.answer))",
                "is not on its question's scale",
            ),
            RowRule(
                "question_id",
                # The response's wave ('' when it has none; null when there is no such response: then no
                # verdict) among the question's waves. response_id is unique in survey_responses, so one
                # join with it (not a join of the responses with question_waves) answers it.
                "typed.question_id in (select measure from answer_scale) and not list_contains(coalesce((select "
                "list(qw.wave_id) from question_waves qw where qw.question_id = typed.question_id), []), (select "
                "coalesce(r.wave, '') from survey_responses r where r.response_id = typed.response_id))",
                "is not asked in its response's wave",
            ),
        ),
        unique_together=("response_id", "question_id"),
    ),
}

assert tuple(EXTRACTS) == contract.EXTRACTS
