"""Page sections that rerun on their own (``st.fragment``).

A section with its own widgets (a breakdown selector, a search box) is drawn
by a function decorated with ``@section``: changing one of its widgets reruns
only that function, not the whole page. It reads the database its ``page``
names, as every data function is given it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def section(draw: Callable[..., None]) -> Callable[..., None]:
    """``draw(page, ...)`` as a fragment: its own widgets rerun only it."""
    return st.fragment(draw)
