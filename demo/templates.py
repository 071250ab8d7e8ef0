"""The demo's text, read from ``demo/templates/*.toml``: service areas, and the fragments of action
titles and comments. Read once, as tuples, in the files' order (the draws depend on it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "templates"


def _read(name: str) -> dict:
    with open(FOLDER / f"{name}.toml", "rb") as handle:
        return tomllib.load(handle)


def _tuples(value):
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return tuple(value)


_ACTIONS, _COMMENTS = _read("actions"), _read("comments")
SERVICE_AREAS: dict[str, tuple[str, ...]] = _tuples(_read("service_areas")["service_areas"])
PLACES = _tuples(_ACTIONS["places"])
SYSTEMS = _tuples(_ACTIONS["systems"])
KIT = _tuples(_ACTIONS["kit"])
MEETINGS = _tuples(_ACTIONS["meetings"])
ACTION_TEMPLATES = _tuples(_ACTIONS["action_templates"])
TIMES = _tuples(_COMMENTS["times"])
WORKAROUNDS = _tuples(_COMMENTS["workarounds"])
MINUTES = _tuples(_COMMENTS["minutes"])
DAYS = _tuples(_COMMENTS["days"])
USES = _tuples(_COMMENTS["uses"])
TOPICS = _tuples(_COMMENTS["topics"])
RELATIVES = _tuples(_COMMENTS["relatives"])
STAFF_NEGATIVE_IT = _tuples(_COMMENTS["staff_negative_it"])
STAFF_SKILLS = _tuples(_COMMENTS["staff_skills"])
STAFF_INFO = _tuples(_COMMENTS["staff_info"])
STAFF_POSITIVE = _tuples(_COMMENTS["staff_positive"])
PUBLIC_NEGATIVE = _tuples(_COMMENTS["public_negative"])
PUBLIC_SKILLS = _tuples(_COMMENTS["public_skills"])
PUBLIC_POSITIVE = _tuples(_COMMENTS["public_positive"])
CARER_EXTRA = _tuples(_COMMENTS["carer_extra"])
SECOND_REMARKS_STAFF = _tuples(_COMMENTS["second_remarks_staff"])
SECOND_REMARKS_PUBLIC = _tuples(_COMMENTS["second_remarks_public"])
CLOSERS_NEGATIVE = _tuples(_COMMENTS["closers_negative"])
CLOSERS_NEUTRAL = _tuples(_COMMENTS["closers_neutral"])
CLOSERS_POSITIVE = _tuples(_COMMENTS["closers_positive"])
FOLLOWUP_STAFF_BETTER = _tuples(_COMMENTS["followup_staff_better"])
FOLLOWUP_STAFF_STILL = _tuples(_COMMENTS["followup_staff_still"])
FOLLOWUP_PUBLIC_BETTER = _tuples(_COMMENTS["followup_public_better"])
FOLLOWUP_PUBLIC_STILL = _tuples(_COMMENTS["followup_public_still"])
