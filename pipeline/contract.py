"""The data contract's fixed lists (docs/DATA_CONTRACT.md), in canonical spelling.

Everything that names a label, a measure's answer set or an extract's file name
imports it from here, so the generator, the build and the dashboard agree.
"""

from __future__ import annotations

# The Trust's own lists (care groups, staff groups, surveys, strategy themes, conversation
# formats, action statuses) are data: the ``lists`` extract, in display order. What a value
# means to the dashboard is marked in its ``meaning`` column (docs/DATA_CONTRACT.md):
LIST_NAMES: tuple[str, ...] = ("care_group", "staff_group", "survey", "theme", "format", "status")
REQUIRED_LISTS: tuple[str, ...] = ("care_group", "survey", "theme", "status")  # at least one value each
STAFF = "staff"  # a survey answered by Trust staff (care group required; counts towards response rates)
COMPLETED = "completed"  # the status of a finished action (completed_on required)
CLOSED = "closed"  # a status that ends an action without completing it (no longer open)
# A theme's meaning, when given, is a question theme: its actions stand beside those questions.

# service_areas' optional headcount (staff in post for the survey, for response rates): a whole
# number from 1 to this; empty = not known. The bound only catches typing slips (no service
# area has a million staff).
MAX_HEADCOUNT = 1_000_000

# The label of an empty care group, service area, staff group or format wherever it is grouped.
NOT_STATED = "Not stated"
# What people write in a comment box when they have nothing to say ('n/a', 'None', '-', 'No comment'):
# not a comment. Such a text is neither counted towards a unit's comments nor released
# (pipeline.comment_units; docs/DISCLOSURE.md), so a unit is listed only for comments that say something.
# (blank too: the group is optional)
NO_COMMENT = r"(n/?a|n\.a\.?|none|nil|no|no comments?|nothing|nothing to add|not applicable|na|-+|\.+|x|\?+|0)?[.!]*"


def comment_said(column: str) -> str:
    """SQL: ``column`` holds a comment that says something (not null, not a NO_COMMENT text, in any case
    and spacing)."""
    return (
        f"({column} is not null and not regexp_full_match("
        f"lower(trim(regexp_replace({column}, '\\s+', ' ', 'g'))), '{NO_COMMENT}'))"
    )


# Answer scales, in scale order (most negative first).
IT_SKILLS: tuple[str, ...] = ("Very poor", "Poor", "Fair", "Good", "Very good")
INFO_AVAILABLE: tuple[str, ...] = ("Yes", "Partly", "No", "Don't know")
IT_UNRELIABLE: tuple[str, ...] = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)

# Extracts in build order: a file may only refer to files before it.
EXTRACTS: tuple[str, ...] = (
    "lists",
    "service_areas",
    "conversations",
    "conversation_attendees",
    "actions",
    "waves",
    "questions",
    "survey_responses",
    "survey_answers",
)
# Extracts a folder may leave out: without waves, every response is one wave; without
# questions, the seed questions below; without survey_answers, the answers are the
# legacy answer columns of survey_responses (the five-extract layout of 2021).
OPTIONAL_EXTRACTS: tuple[str, ...] = ("waves", "questions", "survey_answers")
# survey_responses' answer columns before questions were data: read as answers to the
# questions of the same ids.
LEGACY_ANSWER_COLUMNS: tuple[str, ...] = ("it_skills", "info_available", "it_unreliable")
LIST_SEPARATOR = ";"  # between answers in questions.csv (scale, positive, ...) and wave ids
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y")  # an extract's dates, tried in this order

# Written by the demo generator beside the extracts: file name -> sha256.
# The build marks the database synthetic when any loaded file matches it.
SYNTHETIC_MANIFEST = "SYNTHETIC_DEMO_DATA.json"

# The seed question bank: the questions of the 2021 engagement, used when the extracts
# have no questions file, in the columns of questions.csv (lists as tuples). The build
# writes the bank in use to ``questions``, its answers to ``answer_scale`` (counted:
# in the base; positive: counts towards the measure) and every survey figure is read
# through them. An answer left out of the base (Don't know) is shown apart.
SEED_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "question_id": "it_skills",
        "waves": (),
        "text": "How would you rate your IT skills?",
        "label": "IT skills rated good",
        "theme": "Digital skills",
        "scale": IT_SKILLS,
        "positive": ("Good", "Very good"),
        "excluded": (),
        "neutral": ("Fair",),
        "higher_is_better": True,
        "summary": "rated their IT skills good or very good",
    },
    {
        "question_id": "info_available",
        "waves": (),
        "text": "Do you have the information you need to run your service?",
        "label": "Information available",
        "theme": "Information to run services",
        "scale": INFO_AVAILABLE,
        "positive": ("Yes",),
        "excluded": ("Don't know",),
        "neutral": ("Partly", "Don't know"),
        "higher_is_better": True,
        "summary": "said they have the information they need to run their service",
    },
    {
        "question_id": "it_unreliable",
        "waves": (),
        "text": "IT is too unreliable.",
        "label": "IT too unreliable",
        "theme": "IT reliability",
        "scale": IT_UNRELIABLE,
        "positive": ("Agree", "Strongly agree"),
        "excluded": (),
        "neutral": ("Neither agree nor disagree",),
        "higher_is_better": False,
        "summary": "agreed that IT is too unreliable",
    },
)
# The three theme pages, in page order: each shows the questions of its theme.
THEME_PAGES: tuple[str, ...] = ("Digital skills", "Information to run services", "IT reliability")

# The tables of the database the app reads (pipeline.build writes them, dashboard.core.db requires them):
# nothing else leaves the build's staging file.
SERVED_TABLES = (
    "lists",
    "service_areas",
    "conversations",
    "conversation_attendees",
    "actions",
    "action_list",
    "waves",
    "questions",
    "question_waves",
    "answer_scale",
    "release_groups",
    "release_cells",
    "release_audit",
    "release_info",
    "comment_units",
    "comment_regions",
    "release_comments",
    "rejects",
    "build_info",
)


def unit_name(care_group: str | None, service_area: str | None, trust: str) -> str:
    """A unit as the build's reports name it: ``trust`` (no care group), the care group (no service
    area), or 'Service area (Care group)'."""
    if care_group is None:
        return trust
    return care_group if service_area is None else f"{service_area} ({care_group})"
