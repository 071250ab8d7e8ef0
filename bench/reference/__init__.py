"""The usual-pandas reference app, for the benchmarks only (never part of the product).

It reproduces what the product's Overview, three survey pages and Engagement page
compute and draw, written the way most Streamlit dashboards are: whole tables
loaded once into DataFrames with ``@st.cache_data``, then boolean masks, merges
and ``groupby`` on every rerun. The served database holds no survey responses, only
the build's release (``release_cells``: perturbed counts per released group, question
and answer), so the reference's survey figures, like the product's, are sums of the
released cells a filter state covers, picked with masks and summed with ``groupby``
(``common.py`` says how). ``streamlit run bench/reference/app.py`` runs it
(from the repository root, with DASHBOARD_DB set), so its rerun time and its
server memory can be measured exactly like the product's.
"""
