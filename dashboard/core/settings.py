"""Settings, declared once: name, default, one line of help. Read from the environment.

The app's own settings are here; the disclosure thresholds are the build's (``pipeline.settings``:
the release is audited with them), listed here too so that the Data page shows every setting.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import BUILD_MEMORY, MIN_COMMENTS, MIN_GROUP_SIZE, Setting

ROOT = Path(__file__).resolve().parents[2]


DB = Setting(
    "DASHBOARD_DB", "data/engagement.duckdb", "DuckDB file the app reads (built by `python -m pipeline build`)."
)
REQUIRE_AUTH = Setting(
    "DASHBOARD_REQUIRE_AUTH", "false", "When true, no page opens until sign-in ([auth] in secrets.toml) is set up."
)
ACCESS_FILE = Setting(
    "DASHBOARD_ACCESS_FILE",
    "",
    "With sign-in on: a TOML or CSV file granting each person the whole Trust, care groups or service areas.",
)
ALL_SETTINGS = (DB, MIN_GROUP_SIZE, MIN_COMMENTS, BUILD_MEMORY, REQUIRE_AUTH, ACCESS_FILE)


def _in_project(raw: str) -> Path:
    """A path setting: absolute, or relative to the project folder."""
    path = Path(raw)
    return path if path.is_absolute() else ROOT / path


def database_path() -> Path:
    return _in_project(DB.value())


def access_file() -> Path | None:
    """The access file's path (relative to the project folder), or None when no file is set."""
    raw = ACCESS_FILE.value()
    return _in_project(raw) if raw else None


def require_auth() -> bool:
    raw = REQUIRE_AUTH.value()
    if raw.lower() in {"true", "1", "yes"}:
        return True
    if raw.lower() in {"false", "0", "no"}:
        return False
    raise ValueError(f"{REQUIRE_AUTH.env}={raw!r} is not one of true, false, 1, 0, yes, no")
