"""Data and definitions: where the figures come from, what each measure means, and the rules."""

import streamlit as st

from dashboard import engagement, ui

page = ui.page_setup("Data and definitions", icon=":material/menu_book:")

st.markdown("The sidebar filters do not apply on this page: it describes the whole database.")

st.subheader("Where the data came from")
if page.synthetic:
    st.markdown(
        "**These are synthetic demo data**, made by a seeded generator (`python -m pipeline.demo`) to reproduce "
        "the Trust's published totals. They are not real Trust data and describe no real person or service."
    )
else:
    st.markdown("These data were built from the Trust's own extracts (no synthetic demo file was loaded).")
built = f"{page.built_at:%d %B %Y at %H:%M} UTC" if page.built_at is not None else "at an unknown time"
st.markdown(
    f"The database was built {built} from the {len(page.build)} files below. For every file, rows read = rows "
    "loaded + rows rejected; a rejected row is kept out of every figure."
)
build = engagement.build_table(page.build)
st.dataframe(build, hide_index=True, key="definitions_build",
             column_config={"SHA-256": st.column_config.TextColumn("SHA-256", width="small")})
ui.download_buttons(build, "build_info", page, key="download_build_info")

st.subheader("Why rows were rejected")
rejects = engagement.rejects_summary()
if rejects.empty:
    st.markdown("No rows were rejected.")
else:
    st.markdown(
        "The most common reasons per file, with the line numbers (as in the file, header = line 1). The rejected "
        "values themselves are not shown here, because they may hold personal data; the Trust's data team can "
        "look them up in the extract."
    )
    st.dataframe(
        rejects.rename(columns={"file": "File", "column": "Column", "reason": "Reason", "rows_rejected": "Rows",
                                "first_lines": "Lines (first 20)"}),
        hide_index=True, key="definitions_rejects",
    )

st.subheader("Measures")
st.markdown(
    "Each measure is defined once and used by every page and download. Every survey percentage is shown "
    "with its base (n: the answers counted) and a 95% Wilson interval."
)
st.table(engagement.measure_definitions().set_index("Measure"))
st.markdown(
    "Conversations and staff engaged are counted by the date a conversation was held; actions by the date "
    "raised. The staff group filter narrows staff engaged and survey results; the survey filter narrows "
    "survey results only."
)

st.subheader("Small numbers: disclosure control")
st.markdown(
    f"Survey results for any group of fewer than **{page.threshold}** respondents are not shown: not as a "
    "percentage, a count, a chart mark, a download row or a comment. Where a breakdown shows a total and exactly "
    "one of its groups is hidden, the next smallest group is hidden too, so that no hidden value can be worked out "
    "by subtraction. Service areas are protected within their care group as well as overall. Engagement activity "
    "(hours, conversations, actions) describes meetings, not respondents, and is shown in full."
)

st.subheader("Settings")
st.markdown("Set as environment variables when the app starts; the defaults apply otherwise.")
st.table(engagement.settings_table().set_index("Setting"))
