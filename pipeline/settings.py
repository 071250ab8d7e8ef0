"""The build's settings, declared once: name, default, one line of help. Read from the environment.

The disclosure thresholds are fixed when the release is built (the audit runs on them), so the
build reads them; the app reads the values in use from the database (``release_info``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from pipeline.ingest import BuildError


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.env, "").strip() or self.default


MIN_GROUP_SIZE = Setting(
    "DASHBOARD_MIN_GROUP_SIZE",
    "10",
    "Read by the build: no survey group of fewer responses is released, nor any group that would single out fewer.",
)
MIN_COMMENTS = Setting(
    "DASHBOARD_MIN_COMMENTS",
    "10",
    "Read by the build: comments are released only for a reporting unit with at least this many comments.",
)
BUILD_MEMORY = Setting(
    "DASHBOARD_BUILD_MEMORY",
    "400MB",
    "Read by the build: DuckDB's memory limit while building (e.g. 400MB, 2GB); beyond it DuckDB "
    "spills to temporary files beside the database.",
)
MEMORY_AMOUNT = re.compile(r"(\d+(\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def whole_number(setting: Setting) -> int:
    raw = setting.value()
    try:
        size = int(raw)
    except ValueError:
        raise BuildError(f"{setting.env}={raw!r} is not a whole number.") from None
    if size < 1:
        raise BuildError(f"{setting.env}={raw!r} must be at least 1.")
    return size


def memory_amount(setting: Setting) -> str:
    """An amount of memory as DuckDB reads it (a number and KB, MB, GB or TB, or KiB ... TiB)."""
    raw = setting.value()
    if not MEMORY_AMOUNT.fullmatch(raw):
        raise BuildError(f"{setting.env}={raw!r} is not an amount of memory; write it like 400MB or 2GB.")
    return raw
