"""The engagement extracts: service areas, conversations, attendees and actions, and the actions' completions spread between the waves."""

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from operator import itemgetter
from random import Random

from demo.comments import fill
from demo.draw import Iso, chooser, cumulative, period_days, pick, quotas, scaled
from demo.model import (
    ATTENDEE_STAFF_GROUP_MIX,
    CARE_GROUPS,
    CLOSED,
    COMPLETED,
    COMPLETION_PACES,
    DEFAULT_CONVERSATIONS,
    EXTRACT_DATE,
    FIRST_COMPLETION_CAP,
    FORMATS,
    HEADCOUNT_NO_RESPONSES,
    HEADCOUNT_RATES,
    HEADCOUNT_SMALLEST,
    IN_PROGRESS,
    NOT_STARTED,
    PERIOD_2023_START,
    PERIOD_END,
    STAFF_GROUPS,
    STAFF_SURVEYS,
    STATUSES,
    TARGET_ACTIONS,
    TARGET_AREAS_COVERED,
    TARGET_HOURS,
    TARGET_QUICK_WINS_COMPLETED,
    TARGET_STAFF,
    THEME_WEIGHTS,
    UNKNOWN_HEADCOUNTS,
)
from demo.templates import ACTION_TEMPLATES, SERVICE_AREAS


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------
def service_area_rows() -> list[tuple[str, str]]:
    rows = [(name, cg) for cg in CARE_GROUPS for name in SERVICE_AREAS[cg]]
    names = [r[0] for r in rows]
    assert len(set(names)) == len(names), "service area names must be unique"
    assert len(rows) > TARGET_AREAS_COVERED
    return rows


def staff_responses(wave: dict) -> Counter:
    """Staff-survey (Staff and Digital champion) responses per service area in one wave."""
    return Counter(a for s, a in zip(wave["survey"], wave["service_area"]) if a and s in STAFF_SURVEYS)


def draw_headcounts(rng: Random, areas: list[tuple[str, str]], staff: Sequence[Counter]) -> list[tuple[str, str, str]]:
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


def draw_conversations(rng: Random, areas: list[tuple[str, str]], factor: float):
    n = scaled(DEFAULT_CONVERSATIONS, factor, 1)
    names = [a for a, _ in areas]
    n_cov = min(TARGET_AREAS_COVERED, n, len(names))
    covered = rng.sample(names, n_cov)
    # Some areas hold several conversations: weight the repeats unevenly.
    repeat_w = [rng.choice((1, 1, 1, 2, 3, 5)) for _ in covered]
    conv_area = covered + rng.choices(covered, weights=repeat_w, k=n - n_cov)
    rng.shuffle(conv_area)

    # Hours in quarter-hour units, then nudged to the exact total.
    target_q = min(32 * n, max(n, scaled(TARGET_HOURS * 4, factor)))
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
    days, _ = period_days(1.0, 0.0, (1, 1, 1, 1, 1))
    by_month = [[d.toordinal() for d in days if d.month == m] for m in range(2, 7)]
    held = []
    for month_days, q in zip(by_month, quotas(n, (11, 24, 24, 24, 17))):
        held += [rng.choice(month_days) for _ in range(q)]
    fmt_items = FORMATS + ("",)
    fmt_w = (10, 75, 8, 7)  # Face to face, Microsoft Teams, Telephone, empty
    fmts = rng.choices(fmt_items, weights=fmt_w, k=n)

    order = sorted(range(n), key=lambda i: (held[i], conv_area[i], i))
    width = max(4, len(str(n)))
    convs = []
    for k, i in enumerate(order, 1):
        convs.append(
            {
                "id": f"CONV-{k:0{width}d}",
                "rank": k,
                "held": held[i],
                "area": conv_area[i],
                "quarters": quarters[i],
                "format": fmts[i],
            }
        )
    return convs


def draw_attendees(rng: Random, convs: list[dict], factor: float):
    n_conv = len(convs)
    n_staff = scaled(TARGET_STAFF, factor, 1)
    width = max(5, len(str(n_staff * 4)))
    codes = rng.sample(range(10 ** (width - 1), 10**width), n_staff)
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
    return fill(ch, ch(ACTION_TEMPLATES[theme]))


def draw_actions(rng: Random, convs: list[dict], areas: list[tuple[str, str]], factor: float, iso: Iso):
    n = scaled(TARGET_ACTIONS, factor, 1)
    n_qw = scaled(n, 0.38, 0)
    n_qw_done = min(n_qw, scaled(TARGET_QUICK_WINS_COMPLETED, factor))
    quick = [True] * n_qw + [False] * (n - n_qw)
    rng.shuffle(quick)
    # Quick wins: the exact completed count, the rest spread over other statuses.
    qw_rest = n_qw - n_qw_done
    qw_other = quotas(qw_rest, (30, 50, 20))  # Not started, In progress, Closed
    qw_status = (
        [COMPLETED] * n_qw_done + [NOT_STARTED] * qw_other[0] + [IN_PROGRESS] * qw_other[1] + [CLOSED] * qw_other[2]
    )
    rng.shuffle(qw_status)
    qw_iter = iter(qw_status)
    other_cum = cumulative((30, 35, 25, 10))  # STATUSES order

    theme_items = tuple(THEME_WEIGHTS)
    theme_cum = cumulative(THEME_WEIGHTS.values())
    conv_cum = cumulative([c["quarters"] + 2 for c in convs])  # longer talks raise more
    conv_total = conv_cum[-1]
    sort_base = len(convs) + 1
    names = [a for a, _ in areas]
    days, dw = period_days(1.0, 0.1, (10, 22, 24, 24, 20))
    day_ord = [d.toordinal() for d in days]
    day_cum = cumulative(dw)
    rand = rng.random
    ch = chooser(rng)
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
            raised = pick(rand, day_ord, day_cum)
        theme = pick(rand, theme_items, theme_cum)
        if quick[i]:
            status = next(qw_iter)
            done_after = 1 + int(rand() * 35)
        else:
            status = pick(rand, STATUSES, other_cum)
            done_after = 7 + int(rand() * 114)
        completed = iso(min(raised + done_after, last)) if status == COMPLETED else ""
        rows.append(
            (
                raised * sort_base + rank,
                raised,
                conv_id,
                area,
                theme,
                _title(ch, theme),
                "Yes" if quick[i] else "No",
                status,
                completed,
            )
        )
    rows.sort(key=itemgetter(0))  # by date, then conversation; stable otherwise
    width = max(4, len(str(n)))
    return [(f"ACT-{k:0{width}d}", r[2], r[3], r[4], r[5], r[6], r[7], iso(r[1]), r[8]) for k, r in enumerate(rows, 1)]


def spread_completions(rng: Random, actions: list[tuple], areas: list[tuple[str, str]], iso: Iso) -> list[tuple]:
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
