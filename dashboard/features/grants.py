"""Who sees which units: the access file's rules, and a signed-in person's grant (the units they
may see: the whole Trust, or care groups and service areas).

With sign-in on and ``DASHBOARD_ACCESS_FILE`` set, each person sees the units the access
file grants them: the whole Trust, care groups, or service areas. The file (TOML or CSV,
kept outside the repository) holds rules (``AccessRule``, a ``[[grant]]`` table or CSV row each);
a rule matches a signed-in person by their e-mail address, the domain of that address, or an
entry of their ``groups`` or ``roles`` claim (Entra ID group object IDs, app role names). A person
matched by several rules gets all their units together; a person matched by none is not let in.

A grant narrows the sidebar's choices (``Grant.restrict``) and the filters every figure is
worked out for (``Grant.clamp``): picking nothing means "all of my units", never the Trust.
Totals of the person's care group and of the whole Trust are still shown beside their units,
as totals. Pure functions, tested without Streamlit.

TOML::

    [[grant]]
    group = "<Entra ID group object id>"   # or email = "..." or domain = "..."
    role = "care_group"                    # trust, care_group or service_area
    units = ["Adult mental health"]        # not for trust

CSV (header ``match,value,role,units``; units separated by ``;``)::

    match,value,role,units
    group,<Entra ID group object id>,care_group,Adult mental health
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dashboard.core.filters import Filters, Options
from pipeline import contract

MATCHES = ("email", "domain", "group")
ROLES = ("trust", "care_group", "service_area")
CSV_HEADER = ("match", "value", "role", "units")


class AccessFileError(ValueError):
    """The access file can't be used: the message names the file and where in it."""


@dataclass(frozen=True)
class AccessRule:
    match: str  # email, domain or group
    value: str  # compared case-insensitively
    role: str  # trust, care_group or service_area
    units: tuple[str, ...] = ()
    line: int = 0  # where the rule starts in its file, for messages

    def matches(self, user: Mapping[str, Any]) -> bool:
        wanted = self.value.strip().lower()
        if not wanted:
            return False
        email = str(user.get("email") or "").strip().lower()
        if self.match == "email":
            return "@" in email and email == wanted
        if self.match == "domain":
            return "@" in email and email.rsplit("@", 1)[1] == wanted.lstrip("@")
        return wanted in {str(v).strip().lower() for claim in ("groups", "roles") for v in _listed(user.get(claim))}


def _listed(claim: object) -> list[object]:
    if claim is None:
        return []
    if isinstance(claim, str):
        return [claim]
    return list(claim) if isinstance(claim, Iterable) else [claim]


@dataclass(frozen=True)
class Grant:
    """The units one person may see. ``TRUST``: everything (no sign-in, or a Trust role)."""

    whole_trust: bool = True
    care_groups: frozenset[str] = frozenset()  # whole care groups
    service_areas: frozenset[str] = frozenset()  # single service areas

    def areas(self, options: Options) -> tuple[str, ...]:
        """Every service area in the grant, sorted."""
        if self.whole_trust:
            return options.service_areas()
        # options.service_areas(()) means every area: only whole care groups in the grant are asked for.
        whole = set(options.service_areas(sorted(self.care_groups))) if self.care_groups else set()
        return tuple(sorted(whole | (self.service_areas & set(options.service_areas()))))

    def restrict(self, options: Options) -> Options:
        """``options`` with only the care groups and service areas in the grant: what the sidebar offers."""
        if self.whole_trust:
            return options
        allowed = set(self.areas(options))
        by_group = {
            group: tuple(a for a in areas if a in allowed) for group, areas in options.areas_by_care_group.items()
        }
        by_group = {group: areas for group, areas in by_group.items() if areas}
        return replace(
            options, areas_by_care_group=by_group, care_groups=tuple(g for g in options.care_groups if g in by_group)
        )

    def clamp(self, filters: Filters, options: Options) -> Filters:
        """The filters a person's figures are worked out for: within their grant, and all of it when
        they pick no unit. Values outside the grant were refused before (``restrict``); any that
        get here are dropped, so the result never reaches outside the grant."""
        if self.whole_trust:
            return filters
        allowed, offered = set(self.areas(options)), self.restrict(options).areas_by_care_group
        if not offered:  # never widen to the Trust: check_units keeps such a grant out
            raise ValueError("the grant holds no service area of this database")
        groups = tuple(g for g in filters.care_groups if g in offered)
        areas = tuple(a for a in filters.service_areas if a in allowed)
        if areas:
            return replace(filters, care_groups=groups, service_areas=areas)
        groups = groups or tuple(g for g in options.care_groups if g in offered)
        if all(g in self.care_groups for g in groups):
            return replace(filters, care_groups=groups, service_areas=())
        # A care group only partly in the grant stands for its areas in the grant.
        return replace(
            filters, care_groups=groups, service_areas=tuple(a for a in options.service_areas(groups) if a in allowed)
        )

    def allows_unit(self, care_group: str | None, service_area: str | None) -> bool:
        """Whether a reporting unit (the Trust: both None; a care group; an area) lies in the grant."""
        if self.whole_trust:
            return True
        if service_area is not None:
            return care_group in self.care_groups or service_area in self.service_areas
        return care_group is not None and care_group in self.care_groups

    def describe(self) -> str:
        if self.whole_trust:
            return "the whole Trust"
        parts = []
        if self.care_groups:
            parts.append(
                ("care group " if len(self.care_groups) == 1 else "care groups ") + ", ".join(sorted(self.care_groups))
            )
        if self.service_areas:
            parts.append(
                ("service area " if len(self.service_areas) == 1 else "service areas ")
                + ", ".join(sorted(self.service_areas))
            )
        return " and ".join(parts)


TRUST = Grant()


def grant_of(user: Mapping[str, Any], rules: Sequence[AccessRule]) -> Grant | None:
    """Everything the rules matching ``user`` grant together; None when none matches."""
    matched = [rule for rule in rules if rule.matches(user)]
    if not matched:
        return None
    if any(rule.role == "trust" for rule in matched):
        return TRUST
    return Grant(
        whole_trust=False,
        care_groups=frozenset(u for g in matched if g.role == "care_group" for u in g.units),
        service_areas=frozenset(u for g in matched if g.role == "service_area" for u in g.units),
    )


# Reading the access file -----------------------------------------------------------------------


def read_rules(path: Path) -> tuple[AccessRule, ...]:
    """The rules of an access file (``.toml`` or ``.csv``), checked for shape; AccessFileError names
    the file and the line (and column, where the file format gives one) of the first problem."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise AccessFileError(f"{path}: can't be read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AccessFileError(f"{path}: is not UTF-8 text (byte {error.start + 1})") from None
    if path.suffix.lower() == ".toml":
        return _toml_rules(path, text)
    if path.suffix.lower() == ".csv":
        return _csv_rules(path, text)
    raise AccessFileError(f"{path}: must be a .toml or .csv file")


def _toml_rules(path: Path, text: str) -> tuple[AccessRule, ...]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AccessFileError(f"{path}: {error}") from None
    unknown = sorted(set(document) - {"grant"})
    if unknown:
        raise AccessFileError(f"{path}: unknown section or key {unknown[0]!r} (only [[grant]] tables belong here)")
    tables = document.get("grant", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise AccessFileError(f"{path}: `grant` must be written as [[grant]] tables")
    # tomllib gives no positions: each [[grant]] header's line, in order, says where a grant starts.
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if re.match(r"\s*\[\[\s*grant\s*\]\]", line)]
    rules = []
    for index, table in enumerate(tables):
        where = f"{path}, line {lines[index] if index < len(lines) else '?'} (grant {index + 1})"
        extra = sorted(set(table) - {*MATCHES, "role", "units"})
        if extra:
            raise AccessFileError(
                f"{where}: unknown key {extra[0]!r}; a grant has one of {', '.join(MATCHES)}, a role and units"
            )
        given = [key for key in MATCHES if key in table]
        if len(given) != 1:
            raise AccessFileError(f"{where}: a grant needs exactly one of {', '.join(MATCHES)}")
        units = table.get("units", [])
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            raise AccessFileError(f"{where}: `units` must be a list of names")
        rules.append(
            _rule(where, given[0], table[given[0]], table.get("role"), units, lines[index] if index < len(lines) else 0)
        )
    return tuple(rules)


def _csv_rules(path: Path, text: str) -> tuple[AccessRule, ...]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise AccessFileError(f"{path}: is empty; its first line must be {','.join(CSV_HEADER)}") from None
    except csv.Error as error:
        raise AccessFileError(f"{path}, line 1: {error}") from None
    if tuple(h.strip().lower() for h in header) != CSV_HEADER:
        raise AccessFileError(f"{path}, line 1: the header must be {','.join(CSV_HEADER)} (found {','.join(header)})")
    rules = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CSV_HEADER):
                raise AccessFileError(f"{path}, line {line}: {len(row)} columns where the header has {len(CSV_HEADER)}")
            match, value, role, units = (cell.strip() for cell in row)
            names = [u.strip() for u in units.split(contract.LIST_SEPARATOR) if u.strip()]
            rules.append(_rule(f"{path}, line {line}", match.lower(), value, role.lower(), names, line, columns=True))
    except csv.Error as error:
        raise AccessFileError(f"{path}, line {reader.line_num}: {error}") from None
    return tuple(rules)


def _rule(
    where: str, match: str, value: object, role: object, units: list[str], line: int, columns: bool = False
) -> AccessRule:
    def column(number: int) -> str:
        return f", column {number} ({CSV_HEADER[number - 1]})" if columns else ""

    if match not in MATCHES:
        raise AccessFileError(f"{where}{column(1)}: {match!r} is not one of {', '.join(MATCHES)}")
    if not isinstance(value, str) or not value.strip():
        raise AccessFileError(f"{where}{column(2)}: the {match} to match is empty")
    if match == "email" and "@" not in value:
        raise AccessFileError(f"{where}{column(2)}: {value!r} is not an e-mail address")
    if role not in ROLES:
        raise AccessFileError(f"{where}{column(3)}: role {role!r} is not one of {', '.join(ROLES)}")
    if role == "trust" and units:
        raise AccessFileError(f"{where}{column(4)}: a trust grant has no units (it sees everything)")
    if role != "trust" and not units:
        raise AccessFileError(f"{where}{column(4)}: a {role} grant needs at least one unit")
    return AccessRule(match, value.strip(), role, tuple(units), line)


def check_units(rules: Sequence[AccessRule], options: Options, path: Path) -> None:
    """Every unit a rule names is a care group or service area of the database (a misspelt name
    would quietly grant nothing, or keep a renamed area's champion out)."""
    for rule in rules:
        # A care group counts when it has service areas: one without any would grant nothing.
        known = tuple(options.areas_by_care_group) if rule.role == "care_group" else options.service_areas()
        for unit in rule.units:
            if unit not in known:
                what = "care group" if rule.role == "care_group" else "service area"
                raise AccessFileError(f"{path}, line {rule.line}: {unit!r} is not a {what} in the database")
