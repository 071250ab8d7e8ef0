"""Settings, declared once: name, default, one line of help. Read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.env, "").strip() or self.default


DB = Setting(
    "DASHBOARD_DB", "data/engagement.duckdb", "DuckDB file the app reads (built by `python -m pipeline build`)."
)
MIN_GROUP_SIZE = Setting(
    "DASHBOARD_MIN_GROUP_SIZE", "10", "Survey results for fewer respondents than this are hidden (disclosure control)."
)
MIN_COMMENTS = Setting(
    "DASHBOARD_MIN_COMMENTS", "10", "Comments are listed only for a reporting unit with at least this many comments."
)
REQUIRE_AUTH = Setting(
    "DASHBOARD_REQUIRE_AUTH", "false", "When true, no page opens until sign-in ([auth] in secrets.toml) is set up."
)
ACCESS_FILE = Setting(
    "DASHBOARD_ACCESS_FILE",
    "",
    "With sign-in on: a TOML or CSV file granting each person the whole Trust, care groups or service areas.",
)
ALL_SETTINGS = (DB, MIN_GROUP_SIZE, MIN_COMMENTS, REQUIRE_AUTH, ACCESS_FILE)


def database_path() -> Path:
    path = Path(DB.value())
    return path if path.is_absolute() else ROOT / path


def access_file() -> Path | None:
    """The access file's path (relative to the project folder), or None when no file is set."""
    raw = ACCESS_FILE.value()
    if not raw:
        return None
    path = Path(raw)
    return path if path.is_absolute() else ROOT / path


def _whole_number(setting: Setting) -> int:
    raw = setting.value()
    try:
        size = int(raw)
    except ValueError:
        raise ValueError(f"{setting.env}={raw!r} is not a whole number") from None
    if size < 1:
        raise ValueError(f"{setting.env}={raw!r} must be at least 1")
    return size


def min_group_size() -> int:
    return _whole_number(MIN_GROUP_SIZE)


def min_comments() -> int:
    return _whole_number(MIN_COMMENTS)


def require_auth() -> bool:
    raw = REQUIRE_AUTH.value()
    if raw.lower() in {"true", "1", "yes"}:
        return True
    if raw.lower() in {"false", "0", "no"}:
        return False
    raise ValueError(f"{REQUIRE_AUTH.env}={raw!r} is not one of true, false, 1, 0, yes, no")
