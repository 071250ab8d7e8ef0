"""Survey comments, filled from the text templates by the answers given."""

from string import Formatter

from demo.model import CARER, STAFF_SURVEYS
from demo.templates import (
    CARER_EXTRA,
    CLOSERS_NEGATIVE,
    CLOSERS_NEUTRAL,
    CLOSERS_POSITIVE,
    DAYS,
    FOLLOWUP_PUBLIC_BETTER,
    FOLLOWUP_PUBLIC_STILL,
    FOLLOWUP_STAFF_BETTER,
    FOLLOWUP_STAFF_STILL,
    KIT,
    MEETINGS,
    MINUTES,
    PLACES,
    PUBLIC_NEGATIVE,
    PUBLIC_POSITIVE,
    PUBLIC_SKILLS,
    RELATIVES,
    SECOND_REMARKS_PUBLIC,
    SECOND_REMARKS_STAFF,
    STAFF_INFO,
    STAFF_NEGATIVE_IT,
    STAFF_POSITIVE,
    STAFF_SKILLS,
    SYSTEMS,
    TIMES,
    TOPICS,
    USES,
    WORKAROUNDS,
)


def comment_2021(rand, ch, survey: str, skills_pos: bool, unreliable_pos: bool) -> str:
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
    text = fill(ch, ch(pool))
    if rand() < 0.22:  # a second remark on another topic
        second = ch(SECOND_REMARKS_STAFF if survey in STAFF_SURVEYS else SECOND_REMARKS_PUBLIC)
        if second not in pool:
            text += " " + fill(ch, second)
    if pool is STAFF_NEGATIVE_IT or pool is STAFF_INFO or pool is PUBLIC_NEGATIVE:
        return text + ch(CLOSERS_NEGATIVE)
    if pool is STAFF_POSITIVE or pool is PUBLIC_POSITIVE:
        return text + ch(CLOSERS_POSITIVE)
    return text + ch(CLOSERS_NEUTRAL)


SLOTS: dict[str, tuple[str, ...]] = {
    "place": PLACES,
    "time": TIMES,
    "workaround": WORKAROUNDS,
    "minutes": MINUTES,
    "day": DAYS,
    "system": SYSTEMS,
    "System": tuple(x[0].upper() + x[1:] for x in SYSTEMS),
    "kit": KIT,
    "use": USES,
    "topic": TOPICS,
    "meeting": MEETINGS,
    "relative": RELATIVES,
}
_FIELDS: dict[str, tuple[str, ...]] = {}


def fill(ch, t: str) -> str:
    """Fill a template's slots, drawing only for the slots it uses."""
    fields = _FIELDS.get(t)
    if fields is None:
        fields = _FIELDS[t] = tuple(f for _, f, _, _ in Formatter().parse(t) if f)
    if not fields:
        return t
    return t.format(**{f: ch(SLOTS[f]) for f in fields})


def comment_2023(rand, ch, survey: str, skills_pos: bool, unreliable_pos: bool) -> str:
    """A 2023 comment: a third look back at the last survey, the rest as in 2021."""
    if rand() >= 0.33:
        return comment_2021(rand, ch, survey, skills_pos, unreliable_pos)
    better = not unreliable_pos if rand() < 0.8 else skills_pos
    if survey in STAFF_SURVEYS:
        pool = FOLLOWUP_STAFF_BETTER if better else FOLLOWUP_STAFF_STILL
    else:
        pool = FOLLOWUP_PUBLIC_BETTER if better else FOLLOWUP_PUBLIC_STILL
    text = fill(ch, ch(pool))
    return text + ch(CLOSERS_POSITIVE if better else CLOSERS_NEGATIVE)
