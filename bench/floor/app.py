"""The floor: a page of this app that draws what a page draws and does no data work.

The sidebar, title and notices of every page (``ui.page_setup``: the same filter widgets), then two
metric tiles, three small charts (each with its sentence and table, ``ui.chart_block``, as the pages
draw them) and two small tables (``ui.show_table``). Its figures are made up, fixed, and read
nothing from the database; only the sentence naming the filters changes with them. So a filter
change here costs what any page of this app costs at the least (Streamlit running the script and
sending its elements, the browser settling): what a page takes beyond this page's time is the
page's own work (its data, and the elements it changes).

``python -m bench`` times it beside the pages: its rerun with AppTest (``bench.pages``) and a filter
change felt in Chromium against the real server (``bench.felt``). Run on its own:
``DASHBOARD_DB=... .venv/bin/python -m streamlit run bench/floor/app.py`` from the repository root.
"""

import random

import pandas as pd
import streamlit as st

from dashboard.render import charts, ui

page = ui.page_setup("Floor: the same elements, no data work", script=__file__)
made_up = random.Random(2021)  # the same numbers whatever the filters
labels = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
counts = pd.DataFrame({"name": labels, "count": [made_up.randint(5, 500) for _ in labels]})
weeks = pd.DataFrame(
    {"week": pd.date_range("2021-01-04", periods=8, freq="7D"), "count": [made_up.randint(0, 90) for _ in range(8)]}
)
shares = pd.DataFrame({"name": labels[:4], "share": [made_up.randint(0, 100) for _ in range(4)]})

left, right = st.columns(2)
left.metric("Made-up total", ui.format_number(int(counts["count"].sum())), border=True)
right.metric("Made-up weeks", ui.format_number(int(weeks["count"].sum())), border=True)
st.markdown(f"Filters: {ui.filters_text(page)}.")

ui.chart_block(
    charts.count_bars(counts, "name", "count", "Name", "Count"), counts, "Made-up counts by name.", key="floor_counts"
)
ui.chart_block(
    charts.time_bars(weeks, "week", "count", "Week", "Count"), weeks, "Made-up counts by week.", key="floor_weeks"
)
ui.chart_block(
    charts.count_bars(shares, "name", "share", "Name", "Share"), shares, "Made-up shares by name.", key="floor_shares"
)
ui.show_table(counts, key="floor_table_counts")
ui.show_table(weeks, key="floor_table_weeks")
