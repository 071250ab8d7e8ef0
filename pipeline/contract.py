"""The data contract's fixed lists (docs/DATA_CONTRACT.md), in canonical spelling.

Everything that names a label, a measure's answer set or an extract's file name
imports it from here, so the generator, the build and the dashboard agree.
"""

from __future__ import annotations

CARE_GROUPS: tuple[str, ...] = (
    "Adult mental health",
    "Community health services",
    "Children, young people and families",
    "Learning disabilities and forensic",
    "Corporate services",
)

STAFF_GROUPS: tuple[str, ...] = (
    "Nursing",
    "Allied health professional",
    "Medical and dental",
    "Psychology and therapies",
    "Social care",
    "Healthcare support worker",
    "Administrative and clerical",
    "Estates and ancillary",
    "Management",
)

THEMES: tuple[str, ...] = (
    "Wellbeing and prevention",
    "Digital up-skilling and confidence",
    "Remote care and monitoring",
    "Information, data management and business intelligence",
    "Workflow processes, alerting and paperless operations",
    "Integrated care systems and single care plan",
    "Strategic partnerships and customer focus",
    "Choice and empowerment",
    "Digital inclusion and equalities",
    "Communication and awareness of new systems",
    "Connectivity, performance and security",
    "Service user engagement",
    "Remote and agile working",
    "Estates and digital",
    "Innovation",
)

SURVEYS: tuple[str, ...] = ("Staff", "Digital champion", "Service user", "Carer")
# Surveys answered by Trust staff: care_group required, staff_group and
# info_available allowed; their responses are what a service area's headcount
# is compared with (response rates).
STAFF_SURVEYS: tuple[str, ...] = ("Staff", "Digital champion")

# service_areas' optional headcount (staff in post for the survey, for response rates): a whole
# number from 1 to this; empty = not known. The bound only catches typing slips (no service
# area has a million staff).
MAX_HEADCOUNT = 1_000_000

FORMATS: tuple[str, ...] = ("Face to face", "Microsoft Teams", "Telephone")
COMPLETED = "Completed"  # the status of a finished action (quick wins completed, actions completed)
STATUSES: tuple[str, ...] = ("Not started", "In progress", COMPLETED, "Closed")
# The label of an empty care group, service area, staff group or format wherever it is grouped.
NOT_STATED = "Not stated"

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

# The tables of the database the app reads (pipeline.build writes them, dashboard.db requires them):
# nothing else leaves the build's staging file.
SERVED_TABLES = (
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
