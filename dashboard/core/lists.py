"""The Trust's own lists, read from the database once per file (``pipeline.lists.TrustLists``).

Care groups, staff groups, surveys, strategy themes, formats and statuses are the Trust's data
(the ``lists`` extract): nothing in the dashboard names one of them.
"""

from __future__ import annotations

from dashboard.core.db import Database
from pipeline.lists import TrustLists


def of(database: Database) -> TrustLists:
    return database.memo("lists", lambda _: _read(database))


def _read(database: Database) -> TrustLists:
    rows = database.query("lists")
    meanings = [m if isinstance(m, str) else None for m in rows["meaning"]]  # empty: None, not NaN
    return TrustLists.from_rows(list(zip(rows["list"], rows["value"], meanings)))
