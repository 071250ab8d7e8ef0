"""Seeded generator of SYNTHETIC demo extracts. None of this is real Trust data.

``python -m pipeline.demo [--seed N] [--out DIR] [--scale N]`` writes the
extracts of the data contract (docs/DATA_CONTRACT.md), in the layout with
survey waves and a question bank, as CSV into ``DIR`` (default
``data/extracts``):

    service_areas.csv, conversations.csv, conversation_attendees.csv,
    actions.csv, waves.csv, questions.csv, survey_responses.csv,
    survey_answers.csv

plus ``SYNTHETIC_DEMO_DATA.json`` (``pipeline.contract.SYNTHETIC_MANIFEST``),
which labels the files as synthetic and records the seed, the scale and the
sha256 of every file, so the build can mark a database made from them as
synthetic.

Every row is invented: service area names, ward and clinic names, staff codes,
action titles and free-text comments are made up from templates. Staff are
pseudonymous codes (``STF-04821``); no names or e-mail addresses appear.

Two survey waves:

- ``2021`` "Digital strategy engagement 2021" (February to June 2021): with
  the default options (no ``--scale``) its rows, with the engagement extracts,
  reproduce the published headline figures of the contract exactly:

    Conversation hours       102   (sum of hours)
    Staff engaged            256   (distinct staff_id among attendees)
    Actions raised           831   (rows in actions)
    Service areas covered     92   (distinct service_area in conversations)
    Quick wins completed     213   (quick_win Yes and status Completed)
    IT skills rated good     39%   ((Good + Very good) / answered)
    Information available    69%   (Yes / answered, Don't know excluded)
    IT too unreliable        65%   ((Agree + Strongly agree) / answered)

  with 2,400 survey responses from all four surveys, clear differences between
  care groups, staff groups and service areas, and several service areas with
  fewer than 10 responses (so the disclosure rule has something to hide). The
  percentages land within a few hundredths of a point of the whole number, so
  no rounding convention can flip them.

- ``2023`` "Spring 2023 follow-up (SYNTHETIC)" (March to May 2023): an
  invented follow-up with about as many responses (2,250), the same surveys,
  care groups, service areas and staff groups, and one more question
  (``epr_confidence``, asked of staff only). Its movement from 2021 differs by
  service area and follows, noisily, the actions completed in the area between
  the waves (``completed_on`` after 2021-06-30 and before 2023-03-01): an area
  with more of them gains more on IT skills and information and loses more on
  "IT is too unreliable" than one with none; some areas get worse. Some small
  areas stay under 10 responses. Its response ids continue the 2021 numbering.

Answers are in ``survey_answers.csv``, one row per response and question
answered (a question left blank has no row), in response then question order.

Every service area but a few (``UNKNOWN_HEADCOUNTS``, left empty) has a
``headcount``, invented from its staff-survey responses (Staff and Digital
champion) after both waves are drawn: the larger wave's count divided by a
response rate drawn between 35% and 65% (at least a small team's size), so each
area's rates come out at roughly 20% to 65% in both waves (a few small areas
lower) and never above 100%. It draws on a stream of its own, so the other
files are the same bytes as without it.

``--scale N`` writes N survey responses in 2021 (and about as many in 2023) and
proportionally more conversations, attendees and actions (the service area list
stays the same). Figures are then only approximately the published ones, but
every row is still valid against the contract. The generator is deterministic:
the same seed and options give byte-identical files. It uses ``random.Random``
(stable across Python versions) rather than numpy.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import accumulate
from math import exp
from operator import itemgetter
from pathlib import Path
from random import Random
from string import Formatter

from pipeline.contract import (
    CARE_GROUPS,
    FORMATS,
    INFO_AVAILABLE,
    IT_SKILLS,
    IT_UNRELIABLE,
    STAFF_GROUPS,
    STAFF_SURVEYS,
    STATUSES,
    SURVEYS,
    SYNTHETIC_MANIFEST,
    THEMES,
)

# Labels bound by name from the contract's lists, so a change there fails here loudly.
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

MANIFEST_NOTE = "Synthetic demo data made by python -m pipeline.demo; not real Trust data."

# The published figures the default data reproduces exactly (wave 2021).
TARGET_HOURS = 102
TARGET_STAFF = 256
TARGET_ACTIONS = 831
TARGET_AREAS_COVERED = 92
TARGET_QUICK_WINS_COMPLETED = 213
TARGET_IT_SKILLS_GOOD = 0.39
TARGET_INFO_AVAILABLE = 0.69
TARGET_IT_UNRELIABLE = 0.65

# The files written, in build order (the contract's EXTRACTS, spelt out here so
# the generator does not follow a change there silently; tests compare them).
FILES: tuple[str, ...] = (
    "service_areas", "conversations", "conversation_attendees", "actions",
    "waves", "questions", "survey_responses", "survey_answers",
)

# Column names, exactly as in the contract.
COLUMNS: dict[str, tuple[str, ...]] = {
    "service_areas": ("service_area", "care_group", "headcount"),
    "conversations": ("conversation_id", "held_on", "service_area", "hours", "format"),
    "conversation_attendees": ("conversation_id", "staff_id", "staff_group"),
    "actions": (
        "action_id", "conversation_id", "service_area", "theme", "title",
        "quick_win", "status", "raised_on", "completed_on",
    ),
    "waves": ("wave_id", "name", "opened", "closed"),
    "questions": (
        "question_id", "waves", "text", "label", "theme", "scale", "positive",
        "excluded", "neutral", "higher_is_better", "summary",
    ),
    "survey_responses": (
        "response_id", "survey", "submitted_on", "wave", "care_group", "service_area",
        "staff_group", "comment",
    ),
    "survey_answers": ("response_id", "question_id", "answer"),
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
# completions are moved into the time between the waves (see _spread_completions).
FIRST_COMPLETION_CAP = date(2021, 9, 30)
# The (invented) day the extracts were taken: no action completes after it.
EXTRACT_DATE = date(2023, 5, 31)

# The question bank (questions.csv), in the order the questions are shown.
# Lists are written ';'-separated. epr_confidence is asked in 2023 only, and
# only staff (Staff and Digital champion surveys) answer it.
QUESTIONS: tuple[dict[str, object], ...] = (
    {"question_id": "it_skills", "waves": (), "text": "How would you rate your IT skills?",
     "label": "IT skills rated good", "theme": "Digital skills", "scale": IT_SKILLS,
     "positive": (GOOD, VERY_GOOD), "excluded": (), "neutral": (FAIR,), "higher_is_better": True,
     "summary": "rated their IT skills good or very good"},
    {"question_id": "info_available", "waves": (),
     "text": "Do you have the information you need to run your service?",
     "label": "Information available", "theme": "Information to run services", "scale": INFO_AVAILABLE,
     "positive": (INFO_YES,), "excluded": (INFO_DONT_KNOW,), "neutral": (INFO_PARTLY, INFO_DONT_KNOW),
     "higher_is_better": True,
     "summary": "said they have the information they need to run their service"},
    {"question_id": "it_unreliable", "waves": (), "text": "IT is too unreliable.",
     "label": "IT too unreliable", "theme": "IT reliability", "scale": IT_UNRELIABLE,
     "positive": (AGREE, STRONGLY_AGREE), "excluded": (), "neutral": (NEITHER,),
     "higher_is_better": False, "summary": "agreed that IT is too unreliable"},
    {"question_id": "epr_confidence", "waves": (WAVE_2023,),
     "text": "I feel confident using the electronic patient record.",
     "label": "Confident with the patient record", "theme": "Digital skills", "scale": AGREEMENT,
     "positive": (AGREE, STRONGLY_AGREE), "excluded": (), "neutral": (NEITHER,),
     "higher_is_better": True,
     "summary": "agreed that they feel confident using the electronic patient record"},
)
Q_SKILLS, Q_INFO, Q_UNRELIABLE, Q_EPR = (q["question_id"] for q in QUESTIONS)

_AMH, _CHS, _CYP, _LDF, _CORP = CARE_GROUPS

# --------------------------------------------------------------------------
# Service areas (invented, plausible for an NHS mental health and community
# trust). Ward and base names are made up.
# --------------------------------------------------------------------------
SERVICE_AREAS: dict[str, tuple[str, ...]] = {
    _AMH: (
        "Community mental health team (North)",
        "Community mental health team (South)",
        "Community mental health team (East)",
        "Community mental health team (West)",
        "Community mental health team (City)",
        "Crisis resolution and home treatment (North)",
        "Crisis resolution and home treatment (South)",
        "Early intervention in psychosis",
        "Acute inpatient ward (Beech)",
        "Acute inpatient ward (Cedar)",
        "Acute inpatient ward (Willow)",
        "Psychiatric intensive care unit",
        "Older adult mental health inpatients",
        "Older adult community mental health team",
        "Memory assessment service",
        "Talking therapies (IAPT)",
        "Liaison psychiatry",
        "Perinatal mental health",
        "Eating disorders service",
        "Personality disorder service",
        "Rehabilitation and recovery",
        "Mental health street triage",
        "Assertive outreach",
        "Mental health single point of access",
        "Veterans mental health service",
        "Recovery college",
        "Adult ADHD service",
        "Dual diagnosis service",
    ),
    _CHS: (
        "District nursing (Eastern locality)",
        "District nursing (Western locality)",
        "District nursing (Northern locality)",
        "District nursing (Southern locality)",
        "District nursing (Central locality)",
        "Community matrons",
        "Podiatry",
        "Musculoskeletal physiotherapy",
        "Community physiotherapy",
        "Adult speech and language therapy",
        "Tissue viability",
        "Diabetes specialist nursing",
        "Heart failure service",
        "Community respiratory service",
        "Continence service",
        "Community hospital ward (Riverside)",
        "Community hospital ward (Hillview)",
        "Rapid response team",
        "Intermediate care",
        "Community palliative care team",
        "Wheelchair service",
        "Minor injuries unit",
        "Community dietetics",
        "Stroke rehabilitation",
        "Cardiac rehabilitation",
        "Lymphoedema service",
    ),
    _CYP: (
        "Health visiting (City)",
        "Health visiting (North)",
        "Health visiting (South)",
        "Health visiting (East)",
        "School nursing (City)",
        "School nursing (County)",
        "CAMHS outpatients",
        "CAMHS crisis team",
        "CAMHS inpatient unit",
        "Children's community nursing",
        "Children's speech and language therapy",
        "Children's occupational therapy",
        "Children's physiotherapy",
        "Family nurse partnership",
        "Looked after children's health team",
        "Child development centre",
        "Neurodevelopmental assessment service",
        "Youth offending health team",
        "Safeguarding children team",
        "Paediatric audiology",
    ),
    _LDF: (
        "Community learning disability team (North)",
        "Community learning disability team (South)",
        "Learning disability assessment and treatment unit",
        "Learning disability intensive support team",
        "Forensic inpatient ward",
        "Forensic low secure unit",
        "Forensic medium secure unit",
        "Community forensic team",
        "Liaison and diversion service",
        "Prison mental health in-reach",
        "Autism diagnostic service",
        "Learning disability respite service",
        "Positive behaviour support team",
        "Learning disability health facilitation",
    ),
    _CORP: (
        "IT service desk",
        "Clinical systems team",
        "Information governance",
        "Business intelligence",
        "Finance",
        "Human resources",
        "Payroll",
        "Estates and facilities",
        "Procurement",
        "Communications",
        "Learning and development",
        "Medical records",
        "Patient experience",
        "Quality and governance",
        "Pharmacy",
        "Executive office",
        "Digital transformation team",
        "Legal services",
    ),
}

# --------------------------------------------------------------------------
# Mixes and effects that make the spread realistic.
# --------------------------------------------------------------------------
# Staff group mix per care group, in STAFF_GROUPS order.
STAFF_GROUP_MIX: dict[str, tuple[float, ...]] = {
    #        Nurs  AHP  Med  Psy  Soc  HCSW Admin Est  Mgmt
    _AMH: (30, 6, 8, 12, 12, 18, 9, 2, 3),
    _CHS: (38, 20, 3, 2, 3, 20, 9, 2, 3),
    _CYP: (30, 14, 5, 12, 10, 12, 11, 1, 5),
    _LDF: (28, 8, 5, 10, 10, 27, 7, 2, 3),
    _CORP: (2, 1, 1, 0.5, 0.5, 1, 50, 22, 22),
}
ATTENDEE_STAFF_GROUP_MIX = (26, 12, 5, 8, 7, 14, 14, 5, 9)

# Probability of rating IT skills Good/Very good, before calibration.
SKILLS_BY_STAFF_GROUP = dict(zip(STAFF_GROUPS, (0.36, 0.43, 0.46, 0.46, 0.38, 0.22, 0.62, 0.20, 0.58)))
SKILLS_BY_SURVEY = {SERVICE_USER: 0.31, CARER: 0.33}
SKILLS_NO_STAFF_GROUP = 0.40
SKILLS_CHAMPION_BONUS = 0.22
SKILLS_BY_CARE_GROUP = {_AMH: 0.0, _CHS: -0.02, _CYP: 0.03, _LDF: -0.04, _CORP: 0.05, "": 0.0}

# Probability of agreeing that IT is too unreliable, before calibration.
UNRELIABLE_BY_CARE_GROUP = {_AMH: 0.65, _CHS: 0.76, _CYP: 0.60, _LDF: 0.69, _CORP: 0.54, "": 0.62}
UNRELIABLE_BY_SURVEY = {STAFF: 0.0, CHAMPION: 0.04, SERVICE_USER: -0.03, CARER: -0.01}

# Probability of answering Yes to information available, before calibration.
INFO_BY_CARE_GROUP = {_AMH: 0.66, _CHS: 0.63, _CYP: 0.72, _LDF: 0.67, _CORP: 0.79, "": 0.68}
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
    Q_INFO: ("Information, data management and business intelligence",
             "Workflow processes, alerting and paperless operations"),
    Q_UNRELIABLE: ("Connectivity, performance and security", "Remote and agile working",
                   "Estates and digital"),
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

THEME_WEIGHTS = dict(zip(THEMES, (
    3,    # Wellbeing and prevention
    12,   # Digital up-skilling and confidence
    6,    # Remote care and monitoring
    7,    # Information, data management and business intelligence
    9,    # Workflow processes, alerting and paperless operations
    5,    # Integrated care systems and single care plan
    2.5,  # Strategic partnerships and customer focus
    2.5,  # Choice and empowerment
    4,    # Digital inclusion and equalities
    8,    # Communication and awareness of new systems
    18,   # Connectivity, performance and security
    4,    # Service user engagement
    10,   # Remote and agile working
    6,    # Estates and digital
    3,    # Innovation
)))

# --------------------------------------------------------------------------
# Text fragments for action titles and comments (all invented).
# --------------------------------------------------------------------------
PLACES = (
    "Lakeside clinic", "the Riverside base", "the Hillview hub", "Beech ward", "Cedar ward",
    "Willow ward", "the Old Mill offices", "Station Road clinic", "Parkside health centre",
    "the Orchard unit", "the Meadow Lane base", "Harbour House", "Elm Court", "the Ward 3 office",
    "the Ward 7 nurses' station", "the Brookside centre", "Kingsway clinic", "the Millbrook unit",
    "the Fernlea resource centre", "the Ashgrove base", "Church Street clinic", "the Marsh Road depot",
)
SYSTEMS = (
    "Teams", "the electronic patient record", "Outlook", "the rostering system",
    "the e-learning portal", "SharePoint", "the incident reporting system",
    "the referral system", "OneDrive", "the intranet", "the e-prescribing system",
    "the video consultation platform",
)
KIT = (
    "docking stations", "laptops", "desktop PCs", "smartcard readers", "printers",
    "headsets", "webcams", "monitors", "mobile phones", "tablets",
)
MEETINGS = (
    "referral huddles", "safety huddles", "team meetings", "MDT reviews",
    "handovers", "bed management calls", "supervision", "clinical reviews",
)

ACTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Wellbeing and prevention": (
        "Add screen break reminders to {meeting} agendas",
        "Promote the staff wellbeing app at {place}",
        "Agree no-meeting lunch hour for the team",
        "Share digital wellbeing guidance for home workers",
        "Set up online booking for staff health checks",
    ),
    "Digital up-skilling and confidence": (
        "Run Teams basics sessions for staff at {place}",
        "Book drop-in training on {system}",
        "Create quick guide to {system} for new starters",
        "Nominate a digital champion for {place}",
        "Arrange refresher training on {system}",
        "Record short how-to videos on {system}",
        "Pair new starters with a digital buddy",
    ),
    "Remote care and monitoring": (
        "Pilot video appointments for {meeting}",
        "Trial remote blood pressure monitoring",
        "Set up text reminders for appointments",
        "Provide tablets for remote reviews at {place}",
        "Review video consultation rooms at {place}",
    ),
    "Information, data management and business intelligence": (
        "Publish caseload dashboard for team leads",
        "Fix duplicate records in {system}",
        "Agree one waiting list report for {meeting}",
        "Give team leads access to activity reports",
        "Tidy shared drive folders for {place}",
    ),
    "Workflow processes, alerting and paperless operations": (
        "Replace paper referral forms with an online form",
        "Set up e-mail alerts for overdue referrals",
        "Scan and retire paper diaries at {place}",
        "Move notes from {meeting} into {system}",
        "Remove duplicate data entry in {system}",
        "Switch to electronic signatures for letters",
    ),
    "Integrated care systems and single care plan": (
        "Share care plans with GP practices electronically",
        "Agree shared care record access for {place}",
        "Link discharge summaries to the single care plan",
        "Map data sharing with local authority partners",
    ),
    "Strategic partnerships and customer focus": (
        "Agree IT support route with partner agencies",
        "Set up joint {meeting} with social care partners",
        "Review supplier support for {system}",
    ),
    "Choice and empowerment": (
        "Let service users choose video or phone appointments",
        "Offer online self-referral for {place}",
        "Publish easy-read guide to online appointments",
    ),
    "Digital inclusion and equalities": (
        "Lend tablets to service users without devices",
        "Provide free Wi-Fi in the waiting area at {place}",
        "Offer interpreter support on video appointments",
        "Check accessibility of online forms",
        "Signpost service users to local digital skills help",
    ),
    "Communication and awareness of new systems": (
        "Send monthly IT changes bulletin to {place}",
        "Explain {system} upgrade at {meeting}",
        "Add IT news item to team briefings",
        "Publish known issues page for {system}",
        "Set up Teams channel for {meeting}",
    ),
    "Connectivity, performance and security": (
        "Replace failing {kit} in {place}",
        "Fix Wi-Fi dead spots at {place}",
        "Speed up laptop log-in at {place}",
        "Upgrade network link to {place}",
        "Replace ageing {kit} for community staff",
        "Resolve VPN drop-outs for home workers",
        "Install mobile signal boosters at {place}",
        "Renew expired smartcards at {place}",
        "Stop {system} timing out during visits",
    ),
    "Service user engagement": (
        "Ask service users about video appointments",
        "Set up online feedback form for {place}",
        "Invite service users to test the new website",
        "Add a service user voice to {meeting}",
    ),
    "Remote and agile working": (
        "Provide headsets for home workers",
        "Set up hot desk booking at {place}",
        "Issue mobile phones to community staff",
        "Agree remote working kit list for new starters",
        "Enable offline notes in {system}",
        "Provide second monitors for home working",
    ),
    "Estates and digital": (
        "Add power sockets to meeting rooms at {place}",
        "Convert a room at {place} into a video clinic room",
        "Move printers closer to desks at {place}",
        "Install screens in meeting rooms at {place}",
        "Add charging points at {place}",
    ),
    "Innovation": (
        "Trial speech recognition for clinical letters",
        "Pilot digital pen for community notes",
        "Test an app for {meeting}",
        "Explore robotic process automation for referrals",
    ),
}

# Comments: a sentence from a pool chosen by the answers, sometimes followed by
# a second remark. Slots are filled from the fragment lists above and below.
TIMES = ("every afternoon", "most mornings", "at least twice a day", "whenever it rains",
         "around lunchtime", "on busy clinic days")
WORKAROUNDS = ("write notes up at home", "use my own phone as a hotspot",
               "go back to the office to type up", "keep paper notes and copy them later",
               "sit in the car park to get signal")
MINUTES = ("10", "15", "20", "25", "30")
DAYS = ("Monday", "Monday morning", "bad day", "good day")
USES = ("calls", "chat", "meetings", "the odd message")
TOPICS = ("OneDrive", "sharing files", "Teams meetings", "the new EPR screens",
          "booking rooms online", "password resets", "video appointments")
RELATIVES = ("son", "daughter", "mum", "dad", "husband", "wife", "partner", "brother")

STAFF_NEGATIVE_IT = (
    "Wi-Fi in {place} drops out {time}, so I {workaround}.",
    "The laptop takes {minutes} minutes to log in on a {day}.",
    "{System} freezes when several of us are on it, which means notes get lost.",
    "We lose the VPN connection {time} and have to start notes again.",
    "Half the {kit} in our office don't work, so we queue to use the ones that do.",
    "Smartcard readers keep failing at {place}.",
    "Mobile signal at {place} is so poor I can't update records on visits.",
    "I spend more time waiting for {system} than with patients, which is frustrating.",
    "It says \"no network\" half the time at {place}.",
    "The \"quick\" log-in takes {minutes} minutes, every single time.",
    "Printers at {place} jam daily and nobody knows who fixes them.",
    "IT tickets take weeks to close, so we've stopped logging them.",
    "Our {kit} are years old and really slow, especially with {system} open.",
    "Signal in {place} is patchy, so video calls with families keep freezing.",
    "Updates install in the middle of clinics and the laptop restarts, every time.",
    "We share two {kit} between eight of us, so someone is always waiting.",
    "Log-in, VPN, smartcard, then {system}: it's {minutes} minutes before I see a patient.",
    "{System} goes down at least once a week and we fall back to paper.",
)
STAFF_SKILLS = (
    "Would love training on Teams, I only use it for {use}.",
    "Would love proper training on {system}, not just a log-in and good luck.",
    "We were told to \"just use Teams\" but nobody showed us how to share a screen.",
    "Nobody showed us how to use {system} properly, we just picked it up.",
    "Short videos on {topic} would help more than a two-hour course.",
    "I'm confident with most things, but I still struggle with {topic}.",
    "The digital champion on our team has been brilliant with {topic}.",
    "New starters get no IT induction, so they learn from whoever is on shift.",
    "I'd like protected time to do the e-learning, not squeeze it in after shifts.",
    "Training on {topic} was booked for the whole team, then cancelled twice.",
    "Would find a one-page guide to {system} really useful.",
    "Some of us are fine with tech, others aren't, and there's no help for them.",
    "I'm the \"IT person\" on the team now, which takes time from my actual job.",
)
STAFF_INFO = (
    "I can never find the latest policies on the intranet.",
    "Policies are on three different sites, so I ask a colleague instead.",
    "The intranet search is useless, it never finds what I need.",
    "Information about IT changes arrives after the change has happened.",
    "Team updates are spread across e-mail, Teams and WhatsApp, it's hard to keep up.",
    "Nobody told us {system} was changing until it had already changed.",
    "Forms are saved in different places, so we end up with old versions.",
)
STAFF_POSITIVE = (
    "Teams has made {meeting} much easier since last year.",
    "The new laptops are a big improvement, thank you.",
    "Working from home some days has saved me hours of travel.",
    "The IT service desk were quick and helpful when my smartcard failed.",
    "Video calls mean I can join {meeting} without driving across the county.",
    "Much better than a year ago, the Wi-Fi at {place} is finally reliable.",
    "Having {system} on my phone means I can check things between visits.",
    "Being able to join {meeting} from home has been a lifesaver.",
)
PUBLIC_NEGATIVE = (
    "My video appointment kept cutting out, so we finished on the phone.",
    "I couldn't get the link to work, and nobody answered the phone to help.",
    "The text message said \"join now\" but the clinician wasn't there for 20 minutes.",
    "There's no Wi-Fi in the waiting room at {place}, and no signal either.",
    "I had to download an app just to see a letter, which I struggled with.",
    "The video call froze twice and I had to ring back, which cost me credit.",
    "Appointments by video are fine, but the link came the morning of, not before.",
)
PUBLIC_SKILLS = (
    "I don't have a smartphone, so please keep sending letters.",
    "I'm not good with computers, so a phone call works better for me.",
    "I'd use video appointments if someone showed me how, just once.",
    "My {relative} helps me with anything online, I'd struggle without them.",
    "I only have pay-as-you-go data, so long video calls aren't possible for me.",
    "Please don't make everything \"online only\", not everyone can manage it.",
)
PUBLIC_POSITIVE = (
    "It would help to book appointments online instead of waiting on the phone.",
    "Text reminders are really useful, I haven't missed an appointment since.",
    "Video appointments save me a long bus journey, please keep offering them.",
    "The receptionist was patient and talked me through the video link.",
    "I'd like to see my care plan online, like I can with my GP.",
    "Being able to message the team, rather than phoning, would be a real help.",
    "The new website is clearer, I found the number I needed straight away.",
)
CARER_EXTRA = (
    "As a carer I'd like updates by e-mail or text, not just by post.",
    "I had to lend my own phone so my {relative} could join the video call.",
    "Please share records with the GP, we repeat everything each time.",
    "Carers aren't always copied into letters, even when we've asked to be.",
)
SECOND_REMARKS_STAFF = (
    "Would love training on Teams, I only use it for {use}.",
    "I can never find the latest policies on the intranet.",
    "The laptop takes {minutes} minutes to log in on a {day}.",
    "Short videos on {topic} would help more than a two-hour course.",
    "Also, the Wi-Fi at {place} is hit and miss.",
)
SECOND_REMARKS_PUBLIC = (
    "I don't have a smartphone, so please keep sending letters.",
    "There's no Wi-Fi in the waiting room at {place}, and no signal either.",
    "A phone call the day before would help too.",
)
# Closing remarks, by the tone of the first sentence ("" = none).
CLOSERS_NEGATIVE = (
    "", "", "", "", "",
    " This has been going on for months.",
    " It's not the team's fault.",
    " Please fix this.",
    " It's getting better, slowly.",
    " We've reported it more than once.",
)
CLOSERS_NEUTRAL = (
    "", "", "", "", "", "",
    " Thanks for asking.",
    " Otherwise, fine.",
    " Hope this helps.",
)
CLOSERS_POSITIVE = (
    "", "", "", "", "",
    " Keep it up.",
    " More of this, please.",
)


# 2023 comments: sometimes a remark looking back at the last survey.
FOLLOWUP_STAFF_BETTER = (
    "Since the last survey the Wi-Fi at {place} has been much more reliable.",
    "The new laptops came last year and logging in takes a couple of minutes now.",
    "Things have improved since 2021, {system} rarely goes down now.",
    "The drop-in sessions on {system} really helped, I'm far more confident now.",
    "Our digital champion sorted out {topic} for the whole team.",
    "The electronic patient record was hard at first, but I'm much quicker on it now.",
    "Better than two years ago: the known issues page means we hear about changes first.",
)
FOLLOWUP_STAFF_STILL = (
    "Two years on from the last survey and the Wi-Fi at {place} still drops out {time}.",
    "Nothing has changed since 2021, {System} still freezes {time}.",
    "We were promised new {kit} after the last survey and are still waiting.",
    "The electronic patient record times out during visits, so I {workaround}.",
    "I still haven't had any training on the electronic patient record, we just picked it up.",
    "We said this in 2021 and it's no better: the laptop takes {minutes} minutes to log in.",
)
FOLLOWUP_PUBLIC_BETTER = (
    "Video appointments work much better than they did a couple of years ago.",
    "The text reminders are a big help, and the link now comes the day before.",
    "Booking online has made things easier since last time.",
)
FOLLOWUP_PUBLIC_STILL = (
    "The video link still cuts out, just like the last time I filled this in.",
    "Still no Wi-Fi in the waiting room at {place}.",
    "I still can't book appointments online, I have to phone.",
)

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def _pick(rand, items: Sequence, cum: Sequence[float]):
    """Weighted pick with precomputed cumulative weights (fast per row)."""
    return items[bisect_right(cum, rand() * cum[-1])]


def _chooser(rng: Random):
    """Uniform pick from a sequence; a lighter stand-in for ``rng.choice``."""
    rand = rng.random

    def ch(seq: Sequence):
        return seq[int(rand() * len(seq))]

    return ch


def _shuffle(rand, x: list) -> None:
    """Fisher-Yates shuffle driven by ``rand()``; lighter than ``Random.shuffle``."""
    for i in range(len(x) - 1, 0, -1):
        j = int(rand() * (i + 1))
        x[i], x[j] = x[j], x[i]


def _quotas(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    base = [int(x) for x in exact]
    short = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:short]:
        base[i] += 1
    return base


def _scaled(n: int, factor: float, minimum: int = 0) -> int:
    return max(minimum, int(n * factor + 0.5))


def _period_days(weekday_weight: float, weekend_weight: float, month_weights: Sequence[float],
                 start: date = PERIOD_START, end: date = PERIOD_END):
    """All days of a period with a weight each (month_weights: one per month from ``start``'s)."""
    days, weights = [], []
    d = start
    while d <= end:
        w = month_weights[(d.year - start.year) * 12 + d.month - start.month] / 30.0
        w *= weekend_weight if d.weekday() >= 5 else weekday_weight
        if w > 0:
            days.append(d)
            weights.append(w)
        d += timedelta(days=1)
    return days, weights


class _Iso:
    """Cache of ISO date strings by ordinal."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        s = self._cache.get(ordinal)
        if s is None:
            s = self._cache[ordinal] = date.fromordinal(ordinal).isoformat()
        return s


def _write_csv(path: Path, header: Sequence[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _fix_count(rng: Random, values: list, eligible: Sequence[int], positive: frozenset,
               target: int, to_neg: dict, to_pos: dict, prefer_neg: frozenset,
               prefer_pos: frozenset) -> None:
    """Flip the fewest answers so exactly ``target`` eligible rows are positive.

    Flips prefer answers next to the cut (e.g. Fair -> Good, Good -> Fair), so
    the spread between groups is barely touched.
    """
    pos = [i for i in eligible if values[i] in positive]
    k = len(pos) - target
    if k > 0:  # too many positives: turn some negative
        _flip(rng, values, pos, k, prefer_neg, to_neg)
    elif k < 0:  # too few positives
        neg = [i for i in eligible if values[i] not in positive]
        _flip(rng, values, neg, -k, prefer_pos, to_pos)


def _flip(rng, values: list, candidates: list[int], k: int, prefer: set | tuple, to: dict) -> None:
    """Change ``k`` of ``candidates`` through ``to``, those whose answer is in ``prefer`` first."""
    near = [i for i in candidates if values[i] in prefer]
    far = [i for i in candidates if values[i] not in prefer]
    chosen = rng.sample(near, min(k, len(near)))
    if k > len(near):
        chosen += rng.sample(far, k - len(near))
    for i in chosen:
        values[i] = to[values[i]]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------
def _service_areas() -> list[tuple[str, str]]:
    rows = [(name, cg) for cg in CARE_GROUPS for name in SERVICE_AREAS[cg]]
    names = [r[0] for r in rows]
    assert len(set(names)) == len(names), "service area names must be unique"
    assert len(rows) > TARGET_AREAS_COVERED
    return rows


def _staff_responses(wave: dict) -> Counter:
    """Staff-survey (Staff and Digital champion) responses per service area in one wave."""
    return Counter(a for s, a in zip(wave["survey"], wave["service_area"]) if a and s in STAFF_SURVEYS)


def _headcounts(rng: Random, areas: list[tuple[str, str]], staff: Sequence[Counter]) -> list[tuple[str, str, str]]:
    """service_areas rows with a headcount: most areas' staff in post, comfortably above their
    staff-survey responses in every wave (see the module docstring); a few left empty."""
    names = [a for a, _ in areas]
    unknown = set(rng.sample(names, min(UNKNOWN_HEADCOUNTS, len(names) // 4)))
    rows = []
    for name, care_group in areas:
        most = max(count[name] for count in staff)
        if most:
            rate = round(rng.uniform(*HEADCOUNT_RATES) * 100)  # whole percent: integer arithmetic below
            headcount = max(-(-most * 100 // rate), rng.randint(*HEADCOUNT_SMALLEST))  # ceil(most / rate)
        else:
            headcount = rng.randint(*HEADCOUNT_NO_RESPONSES)
        rows.append((name, care_group, "" if name in unknown else str(headcount)))
    return rows


def _conversations(rng: Random, areas: list[tuple[str, str]], factor: float):
    n = _scaled(DEFAULT_CONVERSATIONS, factor, 1)
    names = [a for a, _ in areas]
    n_cov = min(TARGET_AREAS_COVERED, n, len(names))
    covered = rng.sample(names, n_cov)
    # Some areas hold several conversations: weight the repeats unevenly.
    repeat_w = [rng.choice((1, 1, 1, 2, 3, 5)) for _ in covered]
    conv_area = covered + rng.choices(covered, weights=repeat_w, k=n - n_cov)
    rng.shuffle(conv_area)

    # Hours in quarter-hour units, then nudged to the exact total.
    target_q = min(32 * n, max(n, _scaled(TARGET_HOURS * 4, factor)))
    q_vals, q_w = (2, 3, 4, 6, 8, 12), (30, 30, 25, 9, 5, 1)
    quarters = rng.choices(q_vals, weights=q_w, k=n)
    lo = 2 if target_q >= 2 * n else 1
    total = sum(quarters)
    while total != target_q:
        i = rng.randrange(n)
        if total > target_q and quarters[i] > lo:
            quarters[i] -= 1
            total -= 1
        elif total < target_q and quarters[i] < 32:
            quarters[i] += 1
            total += 1

    # Dates: a fixed share per month (busiest March to May), weekdays only.
    days, _ = _period_days(1.0, 0.0, (1, 1, 1, 1, 1))
    by_month = [[d.toordinal() for d in days if d.month == m] for m in range(2, 7)]
    held = []
    for month_days, q in zip(by_month, _quotas(n, (11, 24, 24, 24, 17))):
        held += [rng.choice(month_days) for _ in range(q)]
    fmt_items = FORMATS + ("",)
    fmt_w = (10, 75, 8, 7)  # Face to face, Microsoft Teams, Telephone, empty
    fmts = rng.choices(fmt_items, weights=fmt_w, k=n)

    order = sorted(range(n), key=lambda i: (held[i], conv_area[i], i))
    width = max(4, len(str(n)))
    convs = []
    for k, i in enumerate(order, 1):
        convs.append({
            "id": f"CONV-{k:0{width}d}",
            "rank": k,
            "held": held[i],
            "area": conv_area[i],
            "quarters": quarters[i],
            "format": fmts[i],
        })
    return convs


def _attendees(rng: Random, convs: list[dict], factor: float):
    n_conv = len(convs)
    n_staff = _scaled(TARGET_STAFF, factor, 1)
    width = max(5, len(str(n_staff * 4)))
    codes = rng.sample(range(10 ** (width - 1), 10 ** width), n_staff)
    staff_ids = [f"STF-{c:0{width}d}" for c in codes]
    groups = [
        "" if rng.random() < 0.09 else rng.choices(STAFF_GROUPS, weights=ATTENDEE_STAFF_GROUP_MIX)[0]
        for _ in range(n_staff)
    ]
    pairs: set[tuple[int, int]] = set()
    # Every conversation has someone; every staff member attends at least once.
    for c in range(n_conv):
        pairs.add((c, c % n_staff))
    for s in range(n_conv, n_staff):
        pairs.add((rng.randrange(n_conv), s))
    # Some staff come back to further conversations.
    for s in range(n_staff):
        if rng.random() < 0.35:
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                pairs.add((rng.randrange(n_conv), s))
    rows = sorted(pairs, key=lambda p: (p[0], staff_ids[p[1]]))
    return [(convs[c]["id"], staff_ids[s], groups[s]) for c, s in rows]


def _title(ch, theme: str) -> str:
    return _fill(ch, ch(ACTION_TEMPLATES[theme]))


def _actions(rng: Random, convs: list[dict], areas: list[tuple[str, str]], factor: float, iso: _Iso):
    n = _scaled(TARGET_ACTIONS, factor, 1)
    n_qw = _scaled(n, 0.38, 0)
    n_qw_done = min(n_qw, _scaled(TARGET_QUICK_WINS_COMPLETED, factor))
    quick = [True] * n_qw + [False] * (n - n_qw)
    rng.shuffle(quick)
    # Quick wins: the exact completed count, the rest spread over other statuses.
    qw_rest = n_qw - n_qw_done
    qw_other = _quotas(qw_rest, (30, 50, 20))  # Not started, In progress, Closed
    qw_status = ([COMPLETED] * n_qw_done + [NOT_STARTED] * qw_other[0]
                 + [IN_PROGRESS] * qw_other[1] + [CLOSED] * qw_other[2])
    rng.shuffle(qw_status)
    qw_iter = iter(qw_status)
    other_cum = _cum((30, 35, 25, 10))  # STATUSES order

    theme_items = tuple(THEME_WEIGHTS)
    theme_cum = _cum(THEME_WEIGHTS.values())
    conv_cum = _cum([c["quarters"] + 2 for c in convs])  # longer talks raise more
    conv_total = conv_cum[-1]
    sort_base = len(convs) + 1
    names = [a for a, _ in areas]
    days, dw = _period_days(1.0, 0.1, (10, 22, 24, 24, 20))
    day_ord = [d.toordinal() for d in days]
    day_cum = _cum(dw)
    rand = rng.random
    ch = _chooser(rng)
    last = FIRST_COMPLETION_CAP.toordinal()
    offsets = (0, 0, 0, 1, 1, 2, 3, 5, 7, 10, 14)

    rows = []
    for i in range(n):
        if rand() < 0.88:
            conv = convs[bisect_right(conv_cum, rand() * conv_total)]
            conv_id, area, rank = conv["id"], conv["area"], conv["rank"]
            raised = conv["held"] + ch(offsets)
        else:
            conv_id, area, rank = "", ch(names), 0
            raised = _pick(rand, day_ord, day_cum)
        theme = _pick(rand, theme_items, theme_cum)
        if quick[i]:
            status = next(qw_iter)
            done_after = 1 + int(rand() * 35)
        else:
            status = _pick(rand, STATUSES, other_cum)
            done_after = 7 + int(rand() * 114)
        completed = iso(min(raised + done_after, last)) if status == COMPLETED else ""
        rows.append((raised * sort_base + rank, raised, conv_id, area, theme, _title(ch, theme),
                     "Yes" if quick[i] else "No", status, completed))
    rows.sort(key=itemgetter(0))  # by date, then conversation; stable otherwise
    width = max(4, len(str(n)))
    return [
        (f"ACT-{k:0{width}d}", r[2], r[3], r[4], r[5], r[6], r[7], iso(r[1]), r[8])
        for k, r in enumerate(rows, 1)
    ]


def _comment(rand, ch, survey: str, skills_pos: bool, unreliable_pos: bool) -> str:
    r = rand()
    if survey in STAFF_SURVEYS:
        if unreliable_pos and r < 0.55:
            pool = STAFF_NEGATIVE_IT
        elif not skills_pos and r < 0.75:
            pool = STAFF_SKILLS
        elif r < 0.85:
            pool = STAFF_INFO
        elif not unreliable_pos and r < 0.97:
            pool = STAFF_POSITIVE
        else:
            pool = STAFF_SKILLS
    else:
        if survey == CARER and r < 0.35:
            pool = CARER_EXTRA
        elif unreliable_pos and r < 0.65:
            pool = PUBLIC_NEGATIVE
        elif not skills_pos and r < 0.85:
            pool = PUBLIC_SKILLS
        else:
            pool = PUBLIC_POSITIVE
    text = _fill(ch, ch(pool))
    if rand() < 0.22:  # a second remark on another topic
        second = ch(SECOND_REMARKS_STAFF if survey in STAFF_SURVEYS else SECOND_REMARKS_PUBLIC)
        if second not in pool:
            text += " " + _fill(ch, second)
    if pool is STAFF_NEGATIVE_IT or pool is STAFF_INFO or pool is PUBLIC_NEGATIVE:
        return text + ch(CLOSERS_NEGATIVE)
    if pool is STAFF_POSITIVE or pool is PUBLIC_POSITIVE:
        return text + ch(CLOSERS_POSITIVE)
    return text + ch(CLOSERS_NEUTRAL)


SLOTS: dict[str, tuple[str, ...]] = {
    "place": PLACES, "time": TIMES, "workaround": WORKAROUNDS, "minutes": MINUTES,
    "day": DAYS, "system": SYSTEMS, "System": tuple(x[0].upper() + x[1:] for x in SYSTEMS),
    "kit": KIT, "use": USES, "topic": TOPICS, "meeting": MEETINGS, "relative": RELATIVES,
}
_FIELDS: dict[str, tuple[str, ...]] = {}


def _fill(ch, t: str) -> str:
    """Fill a template's slots, drawing only for the slots it uses."""
    fields = _FIELDS.get(t)
    if fields is None:
        fields = _FIELDS[t] = tuple(f for _, f, _, _ in Formatter().parse(t) if f)
    if not fields:
        return t
    return t.format(**{f: ch(SLOTS[f]) for f in fields})


def _comment_2023(rand, ch, survey: str, skills_pos: bool, unreliable_pos: bool) -> str:
    """A 2023 comment: a third look back at the last survey, the rest as in 2021."""
    if rand() >= 0.33:
        return _comment(rand, ch, survey, skills_pos, unreliable_pos)
    better = not unreliable_pos if rand() < 0.8 else skills_pos
    if survey in STAFF_SURVEYS:
        pool = FOLLOWUP_STAFF_BETTER if better else FOLLOWUP_STAFF_STILL
    else:
        pool = FOLLOWUP_PUBLIC_BETTER if better else FOLLOWUP_PUBLIC_STILL
    text = _fill(ch, ch(pool))
    return text + ch(CLOSERS_POSITIVE if better else CLOSERS_NEGATIVE)


def _probs(s: str, cg: str, sg: str, sk_trend: float, un_trend: float) -> tuple[float, float, float]:
    """Probability of a positive answer (skills, unreliable, info) for a kind of respondent,
    before calibration. No clamping is needed: comparing random() with a value
    outside [0, 1] always or never succeeds."""
    p_in = 0.0
    if s in STAFF_SURVEYS:
        p_sk = SKILLS_BY_STAFF_GROUP[sg] if sg else SKILLS_NO_STAFF_GROUP
        p_in = INFO_BY_CARE_GROUP[cg] + (INFO_BY_STAFF_GROUP[sg] if sg else 0.0)
        if s == CHAMPION:
            p_sk += SKILLS_CHAMPION_BONUS
            p_in += INFO_CHAMPION_BONUS
    else:
        p_sk = SKILLS_BY_SURVEY[s]
    p_sk += SKILLS_BY_CARE_GROUP[cg] + sk_trend
    p_un = UNRELIABLE_BY_CARE_GROUP[cg] + UNRELIABLE_BY_SURVEY[s] + un_trend
    return p_sk, p_un, p_in


def _respondents(rng: Random, areas: list[tuple[str, str]], n: int, shares: dict[str, float],
                 days: list[date], dw: list[float], sizes) -> dict:
    """Who responded: survey, submission day, care group, service area, staff group.

    ``sizes(rng, names, cg_of)`` gives the service areas' weights (0 for the
    small ones) and the small areas' sizes. Returns the columns as lists (with
    ``day_idx``, each response's index in ``days``, ascending).
    """
    rand = rng.random

    # Which survey each response came from (exact shares), in random order.
    counts = _quotas(n, list(shares.values()))
    survey = [s for s, c in zip(shares, counts) for _ in range(c)]
    _shuffle(rand, survey)
    is_staff = [s in STAFF_SURVEYS for s in survey]

    # Submission dates, sorted so response ids follow submission order.
    day_idx = sorted(rng.choices(range(len(days)), weights=dw, k=n))
    day_iso = [d.isoformat() for d in days]
    submitted = [day_iso[i] for i in day_idx]

    # Does the response name a service area / care group?
    #   staff surveys: area 88%, care group only 12%
    #   public surveys: area 58%, care group only 22%, neither 20%
    mode = []  # 2 = area, 1 = care group only, 0 = neither
    for st in is_staff:
        r = rand()
        mode.append((2 if r < 0.88 else 1) if st else (2 if r < 0.58 else 1 if r < 0.80 else 0))

    names = [a for a, _ in areas]
    cg_of = dict(areas)
    weight, small_sizes = sizes(rng, names, cg_of)

    staff_area_rows = [i for i in range(n) if mode[i] == 2 and is_staff[i]]
    public_area_rows = [i for i in range(n) if mode[i] == 2 and not is_staff[i]]
    small_total = min(sum(small_sizes.values()), len(staff_area_rows))
    staff_q = _quotas(len(staff_area_rows) - small_total, [weight[a] for a in names])
    public_q = _quotas(len(public_area_rows), [weight[a] if cg_of[a] != _CORP else 0.0 for a in names])
    staff_pool = [a for a, q in zip(names, staff_q) for _ in range(q)]
    left = small_total
    for a, q in small_sizes.items():
        q = min(q, left)
        staff_pool += [a] * q
        left -= q
    public_pool = [a for a, q in zip(names, public_q) for _ in range(q)]
    _shuffle(rand, staff_pool)
    _shuffle(rand, public_pool)

    service_area = [""] * n
    care_group = [""] * n
    for i, a in zip(staff_area_rows, staff_pool):
        service_area[i] = a
        care_group[i] = cg_of[a]
    for i, a in zip(public_area_rows, public_pool):
        service_area[i] = a
        care_group[i] = cg_of[a]
    cg_weight = {cg: sum(weight[a] for a in names if cg_of[a] == cg) + 1.0 for cg in CARE_GROUPS}
    staff_cg_cum = _cum([cg_weight[cg] for cg in CARE_GROUPS])
    public_cgs = [cg for cg in CARE_GROUPS if cg != _CORP]
    public_cg_cum = _cum([cg_weight[cg] for cg in public_cgs])
    for i in range(n):
        if mode[i] == 1:
            care_group[i] = (_pick(rand, CARE_GROUPS, staff_cg_cum) if is_staff[i]
                             else _pick(rand, public_cgs, public_cg_cum))

    # Staff group (staff surveys only; 7% leave it empty).
    sg_cum = {cg: _cum(STAFF_GROUP_MIX[cg]) for cg in CARE_GROUPS}
    staff_group = [""] * n
    for i in range(n):
        if is_staff[i] and rand() >= 0.07:
            staff_group[i] = _pick(rand, STAFF_GROUPS, sg_cum[care_group[i]])

    return {"survey": survey, "is_staff": is_staff, "day_idx": day_idx, "submitted": submitted,
            "care_group": care_group, "service_area": service_area, "staff_group": staff_group,
            "weight": weight, "small_sizes": small_sizes}


def _survey(rng: Random, areas: list[tuple[str, str]], n: int) -> tuple[dict, dict]:
    """Wave 2021: the respondents and answers that reproduce the published figures.

    Returns (wave, layout): the wave's columns (``answers`` by question id) and
    what the 2023 wave builds on (area weights, small area sizes, calibration shifts).
    """
    factor = n / DEFAULT_RESPONSES
    rand = rng.random

    def sizes(rng: Random, names: list[str], cg_of: dict[str, str]):
        # Service area sizes: a few big areas, many middling, a handful tiny.
        clinical = [a for a in names if cg_of[a] != _CORP]
        small = set(rng.sample(clinical, 9) + rng.sample([a for a in names if cg_of[a] == _CORP], 2))
        big = set(rng.sample([a for a in clinical if a not in small], 5))
        weight = {}
        for a in names:
            if a in small:
                weight[a] = 0.0
            elif a in big:
                weight[a] = rng.uniform(8.5, 10.0)
            else:
                weight[a] = rng.uniform(1.0, 2.6) * (1.1 if cg_of[a] == _CORP else 1.0)
        small_sizes = {a: _scaled(rng.randint(2, 8), factor) for a in sorted(small)}
        return weight, small_sizes

    days, dw = _period_days(1.0, 0.3, (14, 24, 22, 24, 16))
    r = _respondents(rng, areas, n, SURVEY_SHARES, days, dw, sizes)
    survey, is_staff = r["survey"], r["is_staff"]
    care_group, staff_group = r["care_group"], r["staff_group"]
    day_month = [d.month - PERIOD_START.month for d in days]
    month = [day_month[i] for i in r["day_idx"]]

    # Probability of a "positive" answer for each kind of respondent (survey,
    # care group, staff group, month), then one additive shift per question
    # so the expected share is the published one.
    kinds = Counter(zip(survey, care_group, staff_group, month))
    kind_p = {k: _probs(k[0], k[1], k[2], SKILLS_TREND[k[3]], UNRELIABLE_TREND[k[3]]) for k in kinds}
    n_staff = sum(is_staff) or 1
    sh_sk = TARGET_IT_SKILLS_GOOD - sum(c * kind_p[k][0] for k, c in kinds.items()) / n
    sh_un = TARGET_IT_UNRELIABLE - sum(c * kind_p[k][1] for k, c in kinds.items()) / n
    sh_in = TARGET_INFO_AVAILABLE - sum(c * kind_p[k][2] for k, c in kinds.items()) / n_staff
    kind_p = {k: (a + sh_sk, b + sh_un, c + sh_in) for k, (a, b, c) in kind_p.items()}

    # Draw answers: a few percent empty; then positive or not; then the level
    # (inline thresholds: this loop runs once per response).
    it_skills, info, unrel = [""] * n, [""] * n, [""] * n
    for i, kind in enumerate(zip(survey, care_group, staff_group, month)):
        p_sk, p_un, p_in = kind_p[kind]
        if rand() >= 0.03:  # 3% leave it empty
            if rand() < p_sk:
                it_skills[i] = GOOD if rand() < 0.72 else VERY_GOOD
            else:
                u = rand()
                it_skills[i] = VERY_POOR if u < 0.09 else POOR if u < 0.36 else FAIR
        if rand() >= 0.035:
            if rand() < p_un:
                unrel[i] = AGREE if rand() < 0.62 else STRONGLY_AGREE
            else:
                u = rand()
                unrel[i] = STRONGLY_DISAGREE if u < 0.12 else DISAGREE if u < 0.5 else NEITHER
        if is_staff[i] and rand() >= 0.04:
            u = rand()
            if u < 0.07:
                info[i] = INFO_DONT_KNOW
            elif rand() < p_in:
                info[i] = INFO_YES
            else:
                info[i] = INFO_PARTLY if rand() < 0.62 else INFO_NO

    all_rows = range(n)
    staff_rows = [i for i in all_rows if is_staff[i]]
    # Land exactly on the published percentages (fewest flips).
    sk_answered = [i for i in all_rows if it_skills[i]]
    _fix_count(rng, it_skills, sk_answered, frozenset((GOOD, VERY_GOOD)),
               int(TARGET_IT_SKILLS_GOOD * len(sk_answered) + 0.5),
               to_neg={GOOD: FAIR, VERY_GOOD: FAIR},
               to_pos={FAIR: GOOD, POOR: GOOD, VERY_POOR: GOOD},
               prefer_neg=frozenset((GOOD,)), prefer_pos=frozenset((FAIR,)))
    un_answered = [i for i in all_rows if unrel[i]]
    _fix_count(rng, unrel, un_answered, frozenset((AGREE, STRONGLY_AGREE)),
               int(TARGET_IT_UNRELIABLE * len(un_answered) + 0.5),
               to_neg={AGREE: NEITHER, STRONGLY_AGREE: NEITHER},
               to_pos={NEITHER: AGREE, DISAGREE: AGREE, STRONGLY_DISAGREE: AGREE},
               prefer_neg=frozenset((AGREE,)), prefer_pos=frozenset((NEITHER,)))
    in_answered = [i for i in staff_rows if info[i] and info[i] != INFO_DONT_KNOW]
    _fix_count(rng, info, in_answered, frozenset((INFO_YES,)),
               int(TARGET_INFO_AVAILABLE * len(in_answered) + 0.5),
               to_neg={INFO_YES: INFO_PARTLY}, to_pos={INFO_PARTLY: INFO_YES, INFO_NO: INFO_YES},
               prefer_neg=frozenset((INFO_YES,)), prefer_pos=frozenset((INFO_PARTLY,)))

    # Free-text comments on about a quarter of responses.
    comment = [""] * n
    ch = _chooser(rng)
    for i in range(n):
        if rand() < 0.26:
            comment[i] = _comment(rand, ch, survey[i], it_skills[i] in (GOOD, VERY_GOOD),
                                  unrel[i] in (AGREE, STRONGLY_AGREE))

    wave = {"survey": survey, "submitted": r["submitted"], "care_group": care_group,
            "service_area": r["service_area"], "staff_group": staff_group, "comment": comment,
            "answers": {Q_SKILLS: it_skills, Q_INFO: info, Q_UNRELIABLE: unrel}}
    layout = {"weight": r["weight"], "small_sizes": r["small_sizes"], "shift": (sh_sk, sh_un, sh_in)}
    return wave, layout


def _spread_completions(rng: Random, actions: list[tuple], areas: list[tuple[str, str]], iso: _Iso) -> list[tuple]:
    """Move some completions (of actions that are not quick wins) into the time between the waves.

    Each area gets a pace: the chance that one of its completed actions was in
    fact finished later, at a day drawn from 2021-07-01 (and three weeks after
    it was raised) to the day before the 2023 wave opened (one in ten: during
    or after that wave, up to the extract date). A completion only ever moves
    later, so it stays after raised_on; statuses and counts are untouched.
    """
    rand = rng.random
    pace = {a: rng.choice(COMPLETION_PACES) for a, _ in areas}
    after_2021 = (PERIOD_END + timedelta(days=1)).toordinal()
    opened_2023 = PERIOD_2023_START.toordinal()
    last = EXTRACT_DATE.toordinal()
    out = []
    for row in actions:
        if row[6] == COMPLETED and row[5] == "No" and rand() < pace[row[2]]:
            lo = max(date.fromisoformat(row[7]).toordinal() + 21, after_2021)
            if rand() < 0.9:
                hi = opened_2023 - 1
            else:
                lo, hi = max(lo, opened_2023), last
            new = lo + int(rand() * (hi - lo + 1))
            if new > date.fromisoformat(row[8]).toordinal():
                row = row[:8] + (iso(new),)
        out.append(row)
    return out


def completed_between_waves(actions: list[tuple]) -> Counter:
    """Actions completed after the 2021 wave closed and before the 2023 wave opened, by area."""
    after, before = PERIOD_END.isoformat(), PERIOD_2023_START.isoformat()
    return Counter(r[2] for r in actions if r[6] == COMPLETED and after < r[8] < before)


def _area_effects(rng: Random, areas: list[tuple[str, str]], actions: list[tuple],
                  factor: float) -> dict[str, dict[str, float]]:
    """Each service area's change in the probability of a positive answer, by question."""
    after, before = PERIOD_END.isoformat(), PERIOD_2023_START.isoformat()
    done = completed_between_waves(actions)
    themed = {q: Counter() for q in EFFECT_THEMES}
    for r in actions:
        if r[6] == COMPLETED and after < r[8] < before:
            for q, themes in EFFECT_THEMES.items():
                if r[3] in themes:
                    themed[q][r[2]] += 1
    per = EFFECT_ACTIONS * factor
    effects = {}
    for a, _ in areas:
        effects[a] = {
            q: none + full * (1.0 - exp(-(done[a] + themed[q][a]) / per)) + rng.gauss(0.0, sd)
            for q, (none, full, sd) in AREA_EFFECT.items()
        }
    return effects


def _survey_2023(rng: Random, areas: list[tuple[str, str]], n: int, factor: float, layout: dict,
                 effects: dict[str, dict[str, float]]) -> dict:
    """Wave 2023 (invented): the 2021 model, a Trust-wide drift and each area's effect."""
    rand = rng.random
    w_2021, small_2021 = layout["weight"], layout["small_sizes"]

    def sizes(rng: Random, names: list[str], cg_of: dict[str, str]):
        # The 2021 sizes, jittered; the small areas stay small.
        weight = {a: w_2021[a] * rng.uniform(0.7, 1.35) for a in names}
        small_sizes = {a: _scaled(rng.randint(1, 8), factor) for a in sorted(small_2021)}
        return weight, small_sizes

    days, dw = _period_days(1.0, 0.3, MONTH_WEIGHTS_2023, PERIOD_2023_START, PERIOD_2023_END)
    r = _respondents(rng, areas, n, SURVEY_SHARES_2023, days, dw, sizes)
    survey, is_staff = r["survey"], r["is_staff"]
    care_group, service_area, staff_group = r["care_group"], r["service_area"], r["staff_group"]

    # A response naming only a care group moves with the mean of its areas.
    def mean_effect(names: list[str]) -> dict[str, float]:
        return {q: sum(effects[a][q] for a in names) / len(names) for q in AREA_EFFECT}

    by_cg = {cg: mean_effect([a for a, g in areas if g == cg]) for cg in CARE_GROUPS}
    by_cg[""] = mean_effect([a for a, _ in areas])
    sh_sk, sh_un, sh_in = layout["shift"]

    def probs(s: str, cg: str, sg: str, area: str) -> tuple[float, float, float, float]:
        p_sk, p_un, p_in = _probs(s, cg, sg, 0.0, 0.0)
        e = effects[area] if area else by_cg[cg]
        staff = s in STAFF_SURVEYS
        p_sk += sh_sk + DRIFT_2023[Q_SKILLS] + e[Q_SKILLS] * (1.0 if staff else PUBLIC_SKILLS_EFFECT)
        p_un += sh_un + DRIFT_2023[Q_UNRELIABLE] + e[Q_UNRELIABLE]
        p_in += sh_in + DRIFT_2023[Q_INFO] + e[Q_INFO]
        p_epr = 0.0
        if staff:
            p_epr = (EPR_BY_STAFF_GROUP[sg] if sg else EPR_NO_STAFF_GROUP) + SKILLS_BY_CARE_GROUP[cg] \
                + 0.5 * e[Q_SKILLS] + (EPR_CHAMPION_BONUS if s == CHAMPION else 0.0)
        return p_sk, p_un, p_in, p_epr

    kind_p: dict[tuple, tuple[float, float, float, float]] = {}
    it_skills, info, unrel, epr = [""] * n, [""] * n, [""] * n, [""] * n
    comment = [""] * n
    ch = _chooser(rng)
    for i, kind in enumerate(zip(survey, care_group, staff_group, service_area)):
        p = kind_p.get(kind)
        if p is None:
            p = kind_p[kind] = probs(*kind)
        p_sk, p_un, p_in, p_epr = p
        skilled = False
        if rand() >= 0.03:
            if rand() < p_sk:
                skilled = True
                it_skills[i] = GOOD if rand() < 0.72 else VERY_GOOD
            else:
                u = rand()
                it_skills[i] = VERY_POOR if u < 0.09 else POOR if u < 0.36 else FAIR
        if rand() >= 0.035:
            if rand() < p_un:
                unrel[i] = AGREE if rand() < 0.62 else STRONGLY_AGREE
            else:
                u = rand()
                unrel[i] = STRONGLY_DISAGREE if u < 0.12 else DISAGREE if u < 0.5 else NEITHER
        if is_staff[i]:
            if rand() >= 0.04:
                u = rand()
                if u < 0.06:
                    info[i] = INFO_DONT_KNOW
                elif rand() < p_in:
                    info[i] = INFO_YES
                else:
                    info[i] = INFO_PARTLY if rand() < 0.62 else INFO_NO
            if rand() >= 0.04:
                p_epr += EPR_SKILLED_BONUS if skilled else EPR_UNSKILLED_PENALTY
                if rand() < p_epr:
                    epr[i] = AGREE if rand() < 0.68 else STRONGLY_AGREE
                else:
                    u = rand()
                    epr[i] = STRONGLY_DISAGREE if u < 0.1 else DISAGREE if u < 0.45 else NEITHER
        if rand() < 0.26:
            comment[i] = _comment_2023(rand, ch, survey[i], skilled, unrel[i] in (AGREE, STRONGLY_AGREE))

    return {"survey": survey, "submitted": r["submitted"], "care_group": care_group,
            "service_area": service_area, "staff_group": staff_group, "comment": comment,
            "answers": {Q_SKILLS: it_skills, Q_INFO: info, Q_UNRELIABLE: unrel, Q_EPR: epr}}


def _write_wave(responses, answers, wave_id: str, wave: dict, first: int, width: int,
                chunk: int = 50_000) -> None:
    """Append one wave's rows to survey_responses (a csv writer) and survey_answers (a text file).

    Answers are written per response in question order, blanks left out. Their
    fields never need CSV quoting (checked below), so each line is put together
    directly: the same bytes as a csv writer, in a fraction of the time.
    """
    cols = [wave[c] for c in ("survey", "submitted", "care_group", "service_area", "staff_group", "comment")]
    survey, submitted, care_group, service_area, staff_group, comment = cols
    questions = []
    for q in QUESTIONS:
        if q["question_id"] in wave["answers"]:
            tails = {}
            for v in q["scale"]:
                tail = f"{q['question_id']},{v}"
                assert tail.count(",") == 1 and not set(tail) & set('"\r\n'), tail
                tails[v] = f",{tail}\n"
            questions.append((wave["answers"][q["question_id"]], tails))
    n = len(survey)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        ids = [f"R-{k:0{width}d}" for k in range(first + start, first + stop)]
        responses.writerows(
            (rid, survey[i], submitted[i], wave_id, care_group[i], service_area[i], staff_group[i], comment[i])
            for rid, i in zip(ids, range(start, stop))
        )
        answers.write("".join(
            rid + tails[col[i]] for rid, i in zip(ids, range(start, stop)) for col, tails in questions
            if col[i]
        ))


def _question_rows() -> list[tuple[str, ...]]:
    def join(values) -> str:
        return ";".join(values)

    return [
        (q["question_id"], join(q["waves"]), q["text"], q["label"], q["theme"], join(q["scale"]),
         join(q["positive"]), join(q["excluded"]), join(q["neutral"]),
         "Yes" if q["higher_is_better"] else "No", q["summary"])
        for q in QUESTIONS
    ]


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------
def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: int | None = None) -> dict[str, Path]:
    """Write the synthetic extracts and the manifest into ``out_dir``.

    ``scale`` is the number of 2021 survey responses (default 2,400, which
    reproduces the published figures exactly); the 2023 wave has about as many
    (2,250 by default), and conversations, attendees and actions grow in
    proportion. Returns {extract name or "manifest": path}, extracts in build order.
    """
    if scale is not None and scale < 1:
        raise ValueError("scale must be a positive number of survey responses")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_resp = DEFAULT_RESPONSES if scale is None else int(scale)
    factor = n_resp / DEFAULT_RESPONSES
    n_2023 = _scaled(DEFAULT_RESPONSES_2023, factor, 1)
    iso = _Iso()

    # One independent stream per table, so a change to one table's logic
    # does not reshuffle the others.
    def stream(name: str) -> Random:
        return Random(f"pipeline.demo:{seed}:{name}")

    areas = _service_areas()
    convs = _conversations(stream("conversations"), areas, factor)
    actions = _spread_completions(stream("completions"),
                                  _actions(stream("actions"), convs, areas, factor, iso), areas, iso)
    tables = {
        "conversations": [
            (c["id"], iso(c["held"]), c["area"], f"{c['quarters'] / 4:g}", c["format"]) for c in convs
        ],
        "conversation_attendees": _attendees(stream("attendees"), convs, factor),
        "actions": actions,
        "waves": [(w, name, opened.isoformat(), closed.isoformat()) for w, name, opened, closed in WAVES],
        "questions": _question_rows(),
    }
    paths: dict[str, Path] = {name: out_dir / f"{name}.csv" for name in FILES}
    for name, rows in tables.items():
        _write_csv(paths[name], COLUMNS[name], rows)

    # The survey, one wave at a time (only one wave's columns in memory).
    with open(paths["survey_responses"], "w", encoding="utf-8", newline="") as rfh, \
            open(paths["survey_answers"], "w", encoding="utf-8", newline="") as afh:
        responses = csv.writer(rfh, lineterminator="\n")
        responses.writerow(COLUMNS["survey_responses"])
        afh.write(",".join(COLUMNS["survey_answers"]) + "\n")
        wave, layout = _survey(stream("survey"), areas, n_resp)
        _write_wave(responses, afh, WAVE_2021, wave, 1, max(6, len(str(n_resp))))
        staff = [_staff_responses(wave)]
        del wave
        effects = _area_effects(stream("effects"), areas, actions, factor)
        wave = _survey_2023(stream("survey-2023"), areas, n_2023, factor, layout, effects)
        _write_wave(responses, afh, WAVE_2023, wave, n_resp + 1, max(6, len(str(n_resp + n_2023))))
        staff.append(_staff_responses(wave))
        del wave
    # Written last: the headcounts follow the responses drawn (on a stream of their own).
    _write_csv(paths["service_areas"], COLUMNS["service_areas"], _headcounts(stream("headcounts"), areas, staff))

    manifest = {
        "note": MANIFEST_NOTE,
        "seed": seed,
        "scale": n_resp,
        "files": {p.name: _sha256(p) for p in paths.values()},
    }
    mpath = out_dir / SYNTHETIC_MANIFEST
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8", newline="\n")
    paths["manifest"] = mpath
    return paths


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.demo",
        description="Write SYNTHETIC demo extracts (not real Trust data) for the dashboard.",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--scale", type=_positive_int, default=None,
                        help=f"number of 2021 survey responses (default {DEFAULT_RESPONSES}; the 2023 "
                             "wave has about as many and other extracts grow in proportion; published "
                             "figures then only approximate)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, seed=args.seed, scale=args.scale)
    elapsed = time.perf_counter() - started
    print(f"Synthetic demo data (seed {args.seed}) written to {args.out}:")
    for name, path in paths.items():
        if name == "manifest":
            print(f"  {path.name}")
        else:
            with open(path, "rb") as fh:
                rows = sum(1 for _ in fh) - 1
            print(f"  {path.name}: {rows:,} rows")
    print(f"Done in {elapsed:.1f} s.")
    for name in FILES:
        stale = args.out / f"{name}.xlsx"
        if stale.exists():
            print(f"Warning: {stale} is also in {args.out}; remove it so the build reads only "
                  f"the demo {name}.csv.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
