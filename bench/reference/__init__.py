"""The usual-pandas reference app, for the benchmarks only (never part of the product).

It reproduces what the product's Overview, three survey pages and Engagement page
compute and draw, written the way most Streamlit dashboards are: whole tables
loaded once into DataFrames with ``@st.cache_data``, then boolean masks, merges
and ``groupby`` on every rerun. ``streamlit run bench/reference/app.py`` runs it
(from the repository root, with DASHBOARD_DB set), so its rerun time and its
server memory can be measured exactly like the product's.
"""
