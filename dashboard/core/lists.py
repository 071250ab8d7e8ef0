"""The Trust's own lists, read from the database once per file (``pipeline.lists.TrustLists``).

Care groups, staff groups, surveys, strategy themes, formats and statuses are the Trust's data
(the ``lists`` extract): nothing in the dashboard names one of them.
"""

from __future__ import annotations

from dashboard.core import arrays
from dashboard.core.db import Database, query_text
from pipeline.lists import TrustLists


def of(database: Database) -> TrustLists:
    return database.memo("lists", read)


def read(connection) -> TrustLists:
    """The lists as ``queries/lists.sql`` gives them (an empty meaning is None)."""
    return TrustLists.from_rows(arrays.rows(connection, query_text("lists")))
