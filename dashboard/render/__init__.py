"""Render: Streamlit widgets, pages' layouts, charts, downloads and the PDF. The only room that
imports Streamlit; it may import features and the core."""
