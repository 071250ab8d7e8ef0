"""Writes the made-up Trust of docs/examples (trust/: its extracts) and its two survey exports:
forms_export.xlsx (Microsoft Forms, a US tenant: month-first dates, free-text team names with
typos) and smartsurvey_export.csv (SmartSurvey: a second header row, a multi-select question
over several columns, an "Other (please specify)" column). Seeded: the same files every run.

Wold Valley Health NHS Trust is invented; any likeness to a real Trust is chance. The files are
committed; run this only to change them:  python docs/examples/make_examples.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
TRUST = HERE / "trust"

LISTS = [
    *(("care_group", v, "") for v in ("Mental health", "Physical health", "Corporate")),
    *(
        ("staff_group", v, "")
        for v in (
            "Add Prof Scientific and Technic",
            "Additional Clinical Services",
            "Administrative and Clerical",
            "Allied Health Professionals",
            "Estates and Ancillary",
            "Healthcare Scientists",
            "Medical and Dental",
            "Nursing and Midwifery Registered",
            "Psychology",
            "Social Work",
            "Senior Management",
            "Students",
        )
    ),
    ("survey", "Staff", "staff"),
    ("survey", "Volunteer", ""),
    ("theme", "Skills and confidence", "Digital skills"),
    ("theme", "Information when it is needed", "Information to run services"),
    ("theme", "Kit that works", "IT reliability"),
    ("theme", "Paper-free working", ""),
    ("theme", "Patients online", ""),
    ("format", "In person", ""),
    ("format", "Video call", ""),
    ("status", "Open", ""),
    ("status", "Done", "completed"),
    ("status", "Dropped", ""),
]
AREAS = {  # service area -> (care group, headcount)
    "Crisis team": ("Mental health", 34),
    "Memory clinic": ("Mental health", 22),
    "Larch ward": ("Mental health", 41),
    "Community mental health team": ("Mental health", 55),
    "District nursing": ("Physical health", 70),
    "Podiatry": ("Physical health", 18),
    "Speech and language therapy": ("Physical health", 25),
    "Minor injuries unit": ("Physical health", 38),
    "Finance": ("Corporate", 20),
    "Human resources": ("Corporate", 16),
    "IT service desk": ("Corporate", 14),
}
WAVES = [
    ("2024", "Spring 2024 staff survey", "2024-03-01", "2024-04-30"),
    ("2025", "Spring 2025 staff and volunteer survey", "2025-03-01", "2025-04-30"),
]
FIVE = "Very poor;Poor;Fair;Good;Very good"
AGREE = "Strongly disagree;Disagree;Neither agree nor disagree;Agree;Strongly agree"
TRAINING = "How would you rate the digital training you have had?"
KIT = "My computer and phone let me do my job."
INFO = "Can you find the information you need?"
APPS = "I am confident using the apps I need."
QUESTIONS = [
    # question_id, waves, text, label, theme, scale, positive, excluded, neutral, higher_is_better, summary
    ("training", "", TRAINING, "Digital training rated good", "Digital skills", FIVE, "Good;Very good", "", "Fair",
     "Yes", "rated their digital training good or very good"),
    ("kit_works", "", KIT, "Kit lets me do my job", "IT reliability", AGREE, "Agree;Strongly agree", "",
     "Neither agree nor disagree", "Yes", "agreed that their computer and phone let them do their job"),
    ("info_found", "", INFO, "Information found", "Information to run services", "Yes;Partly;No;Don't know", "Yes",
     "Don't know", "Partly;Don't know", "Yes", "said they can find the information they need"),
    ("apps_confidence", "2025", APPS, "Confident with apps", "Digital skills", AGREE, "Agree;Strongly agree", "",
     "Neither agree nor disagree", "Yes", "agreed that they are confident using the apps they need"),
]  # fmt: skip
STAFF_GROUPS = [v for name, v, _ in LISTS if name == "staff_group"]
THEMES = [v for name, v, _ in LISTS if name == "theme"]
COMMENTS = [
    "The new rota app has saved me an hour a week.",
    "Wi-Fi on the ward drops out, so notes get written up twice.",
    "More training on Teams, please, and at times night staff can make.",
    'We were told to "just use SharePoint" but nobody showed us how.',
    "Logging in takes too long on the shared laptops.",
    "Good support from the IT service desk this year.",
]
TYPOS = {  # team names as people typed them in Forms' free-text box
    "District nursing": ["Distrct nursing", "district  nursing", "District Nursing "],
    "Memory clinic": ["Memory clinc"],
    "Speech and language therapy": ["Speech & language therapy"],
    "Crisis team": ["CRISIS TEAM", "Crisis Team"],
    "Podiatry": ["Podiatary"],
}


def write_rows(path: Path, rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def pick_answer(rng: random.Random, scale: str, lean: float) -> str:
    answers = scale.split(";")
    weights = [1 + lean * i for i in range(len(answers))]
    return rng.choices(answers, weights)[0]


def when(rng: random.Random, wave: tuple[str, str, str, str]) -> dt.datetime:
    opened, closed = dt.date.fromisoformat(wave[2]), dt.date.fromisoformat(wave[3])
    day = opened + dt.timedelta(days=rng.randrange((closed - opened).days + 1))
    return dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60), rng.randrange(60)))


def trust(rng: random.Random) -> None:
    TRUST.mkdir(exist_ok=True)
    write_rows(TRUST / "lists.csv", [["list", "value", "meaning"], *map(list, LISTS)])
    write_rows(
        TRUST / "service_areas.csv",
        [["service_area", "care_group", "headcount"], *([a, g, n] for a, (g, n) in AREAS.items())],
    )
    write_rows(TRUST / "waves.csv", [["wave_id", "name", "opened", "closed"], *map(list, WAVES)])
    header = "question_id,waves,text,label,theme,scale,positive,excluded,neutral,higher_is_better,summary"
    write_rows(TRUST / "questions.csv", [header.split(","), *map(list, QUESTIONS)])
    conversations, attendees, actions = [], [], []
    areas = list(AREAS)
    for n in range(1, 15):
        held = dt.date(2024, 1, 8) + dt.timedelta(days=4 * n)
        area = areas[n % len(areas)]
        conversations.append([f"C{n:02}", held.isoformat(), area, rng.choice(["0.5", "1", "1.5", "2"]),
                              rng.choice(["In person", "Video call", ""])])  # fmt: skip
        for k in rng.sample(range(1, 60), rng.randrange(3, 7)):
            attendees.append([f"C{n:02}", f"S{k:03}", rng.choice([*STAFF_GROUPS[:11], ""])])
        for _ in range(rng.randrange(1, 3)):
            status = rng.choice(["Open", "Done", "Done", "Dropped"])
            raised = held + dt.timedelta(days=rng.randrange(3))
            done = (raised + dt.timedelta(days=rng.randrange(10, 200))).isoformat() if status == "Done" else ""
            title = rng.choice(["Fix the ward Wi-Fi", "Teams drop-in sessions", "Shared laptop logins",
                                "Scan paper referrals", "Online booking for podiatry", "Rota app for nights"])  # fmt: skip
            actions.append([f"A{len(actions) + 1:03}", f"C{n:02}", area, rng.choice(THEMES), title,
                            rng.choice(["Yes", "No"]), status, raised.isoformat(), done])  # fmt: skip
    write_rows(TRUST / "conversations.csv", [["conversation_id", "held_on", "service_area", "hours", "format"],
                                             *conversations])  # fmt: skip
    write_rows(TRUST / "conversation_attendees.csv", [["conversation_id", "staff_id", "staff_group"], *attendees])
    write_rows(
        TRUST / "actions.csv",
        [
            ["action_id", "conversation_id", "service_area", "theme", "title", "quick_win", "status", "raised_on",
             "completed_on"],
            *actions,
        ],
    )  # fmt: skip


def us_time(moment: dt.datetime) -> str:
    """As Forms in a US tenant writes it: 3/15/2024 10:02:11, month first, no leading zeros."""
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02}:{moment.second:02}"


def forms(rng: random.Random) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Which care group do you work in?",
                  "Which team do you work in?", "What is your staff group?", TRAINING, KIT, INFO,
                  "Anything else you would like to tell us?"])  # fmt: skip
    names = ["Amy", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo"]
    for n in range(1, 91):
        area = rng.choice(list(AREAS))
        typed = rng.choice(TYPOS[area]) if area in TYPOS and rng.random() < 0.3 else area
        finished = when(rng, WAVES[0])
        started = finished - dt.timedelta(minutes=rng.randrange(2, 15))
        person = rng.choice(names)
        training = pick_answer(rng, FIVE, 0.6).replace("Very good", "Excellent")  # the form's wording
        kit = pick_answer(rng, AGREE, 0.3).replace("Neither agree nor disagree", "Neutral")
        sheet.append([n, us_time(started), us_time(finished), f"{person.lower()}.{n}@wold.example", f"{person} {n}",
                      AREAS[area][0], typed, rng.choice(STAFF_GROUPS), training, kit,
                      pick_answer(rng, "Yes;Partly;No;Don't know", -0.2),
                      rng.choice(COMMENTS) if rng.random() < 0.4 else None])  # fmt: skip
    workbook.save(HERE / "forms_export.xlsx")


def smartsurvey(rng: random.Random) -> None:
    top = ["Response ID", "Started", "Ended", "IP Address", "Email", "Are you a member of staff or a volunteer?",
           "Which care group do you work in?", "Which service area do you work in?", "What is your staff group?",
           TRAINING, KIT, INFO, APPS, "Which of these do you use? (tick all that apply)", "", "", "",
           "Any other comments?"]  # fmt: skip
    second = ["", "", "", "", "", "Response", "Response", "Response", "Response", "Response", "Response",
              "Response", "Response", "Microsoft Teams", "Email", "SharePoint", "Other (please specify)",
              "Open-Ended Response"]  # fmt: skip
    rows = [top, second]
    for n in range(1, 71):
        volunteer = n % 5 == 0
        area = rng.choice(list(AREAS))
        ended = when(rng, WAVES[1])
        started = ended - dt.timedelta(minutes=rng.randrange(2, 15))
        uses = [rng.choice(["Microsoft Teams", ""]), rng.choice(["Email", ""]), rng.choice(["SharePoint", ""])]
        other = rng.choice(["", "", "", "The rota app", "WhatsApp"])
        rows.append([
            str(4_810_000 + n * 7), started.strftime("%d/%m/%Y %H:%M:%S"), ended.strftime("%d/%m/%Y %H:%M:%S"),
            f"10.{n}.0.1", "" if rng.random() < 0.5 else f"user{n}@wold.example",
            "Volunteer" if volunteer else "Member of staff",
            AREAS[area][0], area.lower() if n % 9 == 0 else area, "" if volunteer else rng.choice(STAFF_GROUPS),
            pick_answer(rng, FIVE, 0.8), pick_answer(rng, AGREE, 0.5), pick_answer(rng, "Yes;Partly;No;Don't know", 0),
            pick_answer(rng, AGREE, 0.9), *uses, other, rng.choice(COMMENTS) if rng.random() < 0.3 else "",
        ])  # fmt: skip
    write_rows(HERE / "smartsurvey_export.csv", rows)


if __name__ == "__main__":
    rng = random.Random(26)
    trust(rng)
    forms(rng)
    smartsurvey(rng)
    print(f"Wrote {TRUST}/*.csv, {HERE / 'forms_export.xlsx'} and {HERE / 'smartsurvey_export.csv'}")
