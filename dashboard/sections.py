"""Page sections that rerun on their own (``st.fragment``).

A section with its own widgets (a breakdown selector, a search box) is drawn
by a function decorated with ``@section``: changing one of its widgets reruns
only that function, not the whole page. A fragment's rerun may run on a new
script thread, so the section pins the page's database again first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from dashboard import db


def section(draw: Callable[..., None]) -> Callable[..., None]:
    """``draw(page, ...)`` as a fragment that reads the database ``page`` pinned."""

    @functools.wraps(draw)
    def run(page, *args, **kwargs) -> None:
        db.pin(page.database)
        draw(page, *args, **kwargs)

    return st.fragment(run)
