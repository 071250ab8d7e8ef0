"""Text from data, made safe for Streamlit's markdown. No Streamlit import: used by pure modules too."""

from __future__ import annotations

import re

# Characters that mean something to Streamlit's markdown (emphasis, code, links,
# HTML, LaTeX, :colour[...] and :icon: directives, tables, strikethrough, entities).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>$:~|&#])")


def escape_markdown(text: object) -> str:
    """Text from data made safe to show with st.markdown: one line, every markup character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def plain_text(markdown: str) -> str:
    """Markdown written by this app as plain text (for a chart's alt text): no escapes, no emphasis."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))
