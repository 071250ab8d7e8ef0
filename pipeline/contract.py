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
# info_available allowed.
STAFF_SURVEYS: tuple[str, ...] = ("Staff", "Digital champion")

FORMATS: tuple[str, ...] = ("Face to face", "Microsoft Teams", "Telephone")
STATUSES: tuple[str, ...] = ("Not started", "In progress", "Completed", "Closed")

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
    "survey_responses",
)

# Written by the demo generator beside the extracts: file name -> sha256.
# The build marks the database synthetic when any loaded file matches it.
SYNTHETIC_MANIFEST = "SYNTHETIC_DEMO_DATA.json"

# The survey measures, defined once: which answers are in a measure's base and
# which count towards it. The build writes them to the ``answer_scale`` table and
# every survey figure is read through it (``survey_cells``' counted and positive).
# An answer not in ``counted`` (e.g. Don't know) is shown apart from the measure.
MEASURE_ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    "it_skills": {"scale": IT_SKILLS, "counted": IT_SKILLS, "positive": ("Good", "Very good")},
    "info_available": {"scale": INFO_AVAILABLE, "counted": ("Yes", "Partly", "No"), "positive": ("Yes",)},
    "it_unreliable": {"scale": IT_UNRELIABLE, "counted": IT_UNRELIABLE, "positive": ("Agree", "Strongly agree")},
}
