"""The build's settings, declared once: name, default, one line of help. Read from the environment.

The disclosure thresholds are fixed when the release is built (the audit runs on them), so the
build reads them; the app reads the values in use from the database (``release_info``).
"""

from __future__ import annotations

import os
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


def whole_number(setting: Setting) -> int:
    raw = setting.value()
    try:
        size = int(raw)
    except ValueError:
        raise BuildError(f"{setting.env}={raw!r} is not a whole number.") from None
    if size < 1:
        raise BuildError(f"{setting.env}={raw!r} must be at least 1.")
    return size
