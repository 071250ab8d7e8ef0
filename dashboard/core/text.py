"""Text from data, made safe for Streamlit's markdown. No Streamlit import: used by pure modules too."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# Characters that mean something to Streamlit's markdown (emphasis, code, links,
# HTML, LaTeX, :colour[...] and :icon: directives, tables, strikethrough, entities).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>$:~|&#])")


def escape_markdown(text: object) -> str:
    """Text from data made safe to show with st.markdown: one line, every markup character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def plain_text(markdown: str) -> str:
    """Markdown written by this app as plain text (for a chart's alt text): no escapes, no emphasis."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def number_text(value: float | None) -> str:
    """A count or hours as a page shows it: '1,234', '25.25' (hours come in quarters: never rounded
    to 25.2), '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def and_list(parts: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'; '' for none."""
    parts = list(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
