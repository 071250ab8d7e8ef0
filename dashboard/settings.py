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


DB = Setting("DASHBOARD_DB", "data/engagement.duckdb", "DuckDB file the app reads (built by `python -m pipeline build`).")
MIN_GROUP_SIZE = Setting(
    "DASHBOARD_MIN_GROUP_SIZE", "10", "Survey results for fewer respondents than this are hidden (disclosure control)."
)
ALL_SETTINGS = (DB, MIN_GROUP_SIZE)


def database_path() -> Path:
    path = Path(DB.value())
    return path if path.is_absolute() else ROOT / path


def min_group_size() -> int:
    raw = MIN_GROUP_SIZE.value()
    try:
        size = int(raw)
    except ValueError:
        raise ValueError(f"{MIN_GROUP_SIZE.env}={raw!r} is not a whole number") from None
    if size < 1:
        raise ValueError(f"{MIN_GROUP_SIZE.env}={raw!r} must be at least 1")
    return size
