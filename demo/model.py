"""The demo's model: defaults, the published targets, the waves, the question bank, and the
mixes and effects that give the data a realistic spread."""

from datetime import date
from pathlib import Path

from pipeline.contract import CLOSED as CLOSED_MEANING
from pipeline.contract import COMPLETED as COMPLETED_MEANING
from pipeline.contract import EXTRACTS as EXTRACT_NAMES
from pipeline.contract import INFO_AVAILABLE, IT_SKILLS, IT_UNRELIABLE, LEGACY_ANSWER_COLUMNS, SEED_QUESTIONS
from pipeline.contract import STAFF as STAFF_MEANING
from pipeline.rules import EXTRACTS

# The demo Trust's own lists (lists.csv), in display order: the 2021 engagement's.
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

FORMATS: tuple[str, ...] = ("Face to face", "Microsoft Teams", "Telephone")
STATUSES: tuple[str, ...] = ("Not started", "In progress", "Completed", "Closed")
# The strategy theme whose actions stand beside each theme page's questions (lists' meaning).
ACTION_THEMES: dict[str, str] = {
    "Digital skills": "Digital up-skilling and confidence",
    "Information to run services": "Information, data management and business intelligence",
    "IT reliability": "Connectivity, performance and security",
}
# lists.csv: (list, value, meaning), each list in display order.
LISTS: tuple[tuple[str, str, str], ...] = (
    *(("care_group", g, "") for g in CARE_GROUPS),
    *(("staff_group", g, "") for g in STAFF_GROUPS),
    *(("survey", s, STAFF_MEANING if s in STAFF_SURVEYS else "") for s in SURVEYS),
    *(("theme", t, next((q for q, a in ACTION_THEMES.items() if a == t), "")) for t in THEMES),
    *(("format", f, "") for f in FORMATS),
    *(("status", s, {"Completed": COMPLETED_MEANING, "Closed": CLOSED_MEANING}.get(s, "")) for s in STATUSES),
)

# Labels bound by name from the lists, so a change there fails here loudly.
STAFF, CHAMPION, SERVICE_USER, CARER = SURVEYS
NOT_STARTED, IN_PROGRESS, COMPLETED, CLOSED = STATUSES
VERY_POOR, POOR, FAIR, GOOD, VERY_GOOD = IT_SKILLS
INFO_YES, INFO_PARTLY, INFO_NO, INFO_DONT_KNOW = INFO_AVAILABLE
STRONGLY_DISAGREE, DISAGREE, NEITHER, AGREE, STRONGLY_AGREE = IT_UNRELIABLE
AGREEMENT = IT_UNRELIABLE  # the agreement scale, also used by epr_confidence
assert STAFF_SURVEYS == (STAFF, CHAMPION)

DEFAULT_SEED = 2021
DEFAULT_OUT = Path("data/extracts")
DEFAULT_RESPONSES = 2400
DEFAULT_RESPONSES_2023 = 2250
DEFAULT_CONVERSATIONS = 120
# Headcounts (service_areas.csv): the larger wave's staff-survey responses over a rate drawn
# from this range; areas with no staff response get a small team's size; a few are left empty.
HEADCOUNT_RATES = (0.35, 0.65)
HEADCOUNT_SMALLEST = (6, 12)  # no team is smaller than a draw from this
HEADCOUNT_NO_RESPONSES = (8, 30)
UNKNOWN_HEADCOUNTS = 6

MANIFEST_NOTE = "Synthetic demo data made by python -m demo; not real Trust data."

# The published figures the default data reproduces exactly (wave 2021).
TARGET_HOURS = 102
TARGET_STAFF = 256
TARGET_ACTIONS = 831
TARGET_AREAS_COVERED = 92
TARGET_QUICK_WINS_COMPLETED = 213
TARGET_IT_SKILLS_GOOD = 0.39
TARGET_INFO_AVAILABLE = 0.69
TARGET_IT_UNRELIABLE = 0.65

# The files written, in build order, and their columns: the contract's (pipeline.rules), the survey
# responses without the legacy answer columns (answers go to survey_answers.csv).
FILES: tuple[str, ...] = EXTRACT_NAMES
COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c for c in EXTRACTS[name].column_names if c not in LEGACY_ANSWER_COLUMNS) for name in FILES
}

# The two survey waves. 2021 is the published engagement; 2023 is invented.
WAVE_2021, WAVE_2023 = "2021", "2023"
PERIOD_START = date(2021, 2, 1)
PERIOD_END = date(2021, 6, 30)
PERIOD_2023_START = date(2023, 3, 1)
PERIOD_2023_END = date(2023, 5, 31)
WAVES: tuple[tuple[str, str, date, date], ...] = (
    (WAVE_2021, "Digital strategy engagement 2021", PERIOD_START, PERIOD_END),
    (WAVE_2023, "Spring 2023 follow-up (SYNTHETIC)", PERIOD_2023_START, PERIOD_2023_END),
)
# Actions are first drawn as in 2021 (no completion after this day), then some
# completions are moved into the time between the waves (see spread_completions).
FIRST_COMPLETION_CAP = date(2021, 9, 30)
# The (invented) day the extracts were taken: no action completes after it.
EXTRACT_DATE = date(2023, 5, 31)

# The question bank (questions.csv), in the order the questions are shown.
# Lists are written ';'-separated. epr_confidence is asked in 2023 only, and
# only staff (Staff and Digital champion surveys) answer it.
QUESTIONS: tuple[dict[str, object], ...] = (
    *SEED_QUESTIONS,  # the contract's three, as the build knows them without a questions file
    {
        "question_id": "epr_confidence",
        "waves": (WAVE_2023,),
        "text": "I feel confident using the electronic patient record.",
        "label": "Confident with the patient record",
        "theme": "Digital skills",
        "scale": AGREEMENT,
        "positive": (AGREE, STRONGLY_AGREE),
        "excluded": (),
        "neutral": (NEITHER,),
        "higher_is_better": True,
        "summary": "agreed that they feel confident using the electronic patient record",
    },
)
Q_SKILLS, Q_INFO, Q_UNRELIABLE, Q_EPR = (q["question_id"] for q in QUESTIONS)

AMH, CHS, CYP, LDF, CORP = CARE_GROUPS

# --------------------------------------------------------------------------
# Mixes and effects that make the spread realistic.
# --------------------------------------------------------------------------
# Staff group mix per care group, in STAFF_GROUPS order.
STAFF_GROUP_MIX: dict[str, tuple[float, ...]] = {
    #        Nurs  AHP  Med  Psy  Soc  HCSW Admin Est  Mgmt
    AMH: (30, 6, 8, 12, 12, 18, 9, 2, 3),
    CHS: (38, 20, 3, 2, 3, 20, 9, 2, 3),
    CYP: (30, 14, 5, 12, 10, 12, 11, 1, 5),
    LDF: (28, 8, 5, 10, 10, 27, 7, 2, 3),
    CORP: (2, 1, 1, 0.5, 0.5, 1, 50, 22, 22),
}
ATTENDEE_STAFF_GROUP_MIX = (26, 12, 5, 8, 7, 14, 14, 5, 9)

# Probability of rating IT skills Good/Very good, before calibration.
SKILLS_BY_STAFF_GROUP = dict(zip(STAFF_GROUPS, (0.36, 0.43, 0.46, 0.46, 0.38, 0.22, 0.62, 0.20, 0.58)))
SKILLS_BY_SURVEY = {SERVICE_USER: 0.31, CARER: 0.33}
SKILLS_NO_STAFF_GROUP = 0.40
SKILLS_CHAMPION_BONUS = 0.22
SKILLS_BY_CARE_GROUP = {AMH: 0.0, CHS: -0.02, CYP: 0.03, LDF: -0.04, CORP: 0.05, "": 0.0}

# Probability of agreeing that IT is too unreliable, before calibration.
UNRELIABLE_BY_CARE_GROUP = {AMH: 0.65, CHS: 0.76, CYP: 0.60, LDF: 0.69, CORP: 0.54, "": 0.62}
UNRELIABLE_BY_SURVEY = {STAFF: 0.0, CHAMPION: 0.04, SERVICE_USER: -0.03, CARER: -0.01}

# Probability of answering Yes to information available, before calibration.
INFO_BY_CARE_GROUP = {AMH: 0.66, CHS: 0.63, CYP: 0.72, LDF: 0.67, CORP: 0.79, "": 0.68}
INFO_BY_STAFF_GROUP = dict(zip(STAFF_GROUPS, (0.0, 0.02, 0.02, 0.03, -0.02, -0.07, 0.04, -0.09, 0.05)))
INFO_CHAMPION_BONUS = 0.06

# Month trends (Feb..Jun): unreliability eases and skills improve a little
# as the engagement programme's quick wins land.
UNRELIABLE_TREND = (0.045, 0.025, 0.0, -0.02, -0.04)
SKILLS_TREND = (-0.03, -0.015, 0.0, 0.015, 0.03)

SURVEY_SHARES = {STAFF: 1500, SERVICE_USER: 420, CARER: 300, CHAMPION: 180}

# --------------------------------------------------------------------------
# The 2023 follow-up (invented). Respondents are drawn as in 2021 (the same
# service area sizes, jittered; the small areas stay small); each answer starts
# from the 2021 model (calibrated, without the month trend), moves by a
# Trust-wide drift and then by an effect of the respondent's service area.
# --------------------------------------------------------------------------
SURVEY_SHARES_2023 = {STAFF: 1420, SERVICE_USER: 380, CARER: 270, CHAMPION: 180}
MONTH_WEIGHTS_2023 = (40, 36, 24)  # March, April, May
DRIFT_2023 = {Q_SKILLS: 0.03, Q_INFO: 0.02, Q_UNRELIABLE: -0.02}
# Area effect on the probability of a positive answer, for question q:
#     none + full * (1 - exp(-x / (EFFECT_ACTIONS * factor))) + Normal(0, sd)
# where x counts the area's actions completed between the waves, those of the
# question's own themes twice. "none" is the change in an area without such
# actions (skills and information slip, unreliability grows), so some areas
# get worse; the noise keeps the relation visible but loose.
EFFECT_ACTIONS = 2.5
AREA_EFFECT = {  # question: (none, full, sd)
    Q_SKILLS: (-0.07, 0.26, 0.05),
    Q_INFO: (-0.06, 0.26, 0.05),
    Q_UNRELIABLE: (0.05, -0.26, 0.05),
}
EFFECT_THEMES = {
    Q_SKILLS: ("Digital up-skilling and confidence", "Communication and awareness of new systems"),
    Q_INFO: (
        "Information, data management and business intelligence",
        "Workflow processes, alerting and paperless operations",
    ),
    Q_UNRELIABLE: ("Connectivity, performance and security", "Remote and agile working", "Estates and digital"),
}
PUBLIC_SKILLS_EFFECT = 0.5  # service users' and carers' own IT skills move half as much
# Share of an area's completed (not quick win) actions whose completion moves
# into the time between the waves: one pace per area, drawn from these.
COMPLETION_PACES = (0.0, 0.0, 0.2, 0.45, 0.8)
# Confidence with the electronic patient record (staff only, 2023): probability
# of agreeing, by staff group, before the champion bonus, the respondent's own
# IT skills and half the area's skills effect.
EPR_BY_STAFF_GROUP = dict(zip(STAFF_GROUPS, (0.50, 0.52, 0.44, 0.52, 0.40, 0.36, 0.58, 0.24, 0.50)))
EPR_NO_STAFF_GROUP = 0.46
EPR_CHAMPION_BONUS = 0.20
EPR_SKILLED_BONUS, EPR_UNSKILLED_PENALTY = 0.16, -0.06

THEME_WEIGHTS = dict(
    zip(
        THEMES,
        (
            3,  # Wellbeing and prevention
            12,  # Digital up-skilling and confidence
            6,  # Remote care and monitoring
            7,  # Information, data management and business intelligence
            9,  # Workflow processes, alerting and paperless operations
            5,  # Integrated care systems and single care plan
            2.5,  # Strategic partnerships and customer focus
            2.5,  # Choice and empowerment
            4,  # Digital inclusion and equalities
            8,  # Communication and awareness of new systems
            18,  # Connectivity, performance and security
            4,  # Service user engagement
            10,  # Remote and agile working
            6,  # Estates and digital
            3,  # Innovation
        ),
    )
)
