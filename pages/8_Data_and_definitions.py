"""Data and definitions: where the figures come from, what each measure means, and the rules."""

import streamlit as st

from dashboard.core import lists, stats, wording
from dashboard.features import about_data, response_rates
from dashboard.render import downloads, ui
from pipeline import keys, perturbation

page = ui.page_setup("Data and definitions", script=__file__)

st.markdown("The sidebar filters do not apply on this page: it describes the whole database.")

st.header("Where the data came from")
if page.synthetic:
    st.markdown(
        "**These are synthetic demo data**, made by a seeded generator (`python -m demo`) to reproduce "
        "the Trust's published totals. They are not real Trust data and describe no real person or service."
    )
else:
    st.markdown("These data were built from the Trust's own extracts (no synthetic demo file was loaded).")
built = f"{page.built_at:%d %B %Y at %H:%M} UTC" if page.built_at is not None else "at an unknown time"
st.markdown(
    f"The database was built {built} from the {len(page.build)} files below. For every file, rows read = rows "
    "loaded + rows rejected; a rejected row is kept out of every figure."
)
build = about_data.build_table(page.build)
ui.show_table(
    build, key="definitions_build", column_config={"SHA-256": st.column_config.TextColumn("SHA-256", width="small")}
)
downloads.download_buttons(build, "build_info", page, key="download_build_info")

st.header("Why rows were rejected")
rejects = about_data.rejects_summary(page.database)
if rejects.empty:
    st.markdown("No rows were rejected.")
else:
    st.markdown(
        "The most common reasons per file, with the line numbers (as in the file, header = line 1). The rejected "
        "values themselves are not shown here, because they may hold personal data; the Trust's data team can "
        "look them up in the extract."
    )
    ui.show_table(
        rejects.rename(
            columns={
                "file": "File",
                "column": "Column",
                "reason": "Reason",
                "rows_rejected": "Rows",
                "first_lines": "Lines (first 20)",
            }
        ),
        key="definitions_rejects",
    )

st.header("Measures")
st.markdown(
    "Each measure is defined once and used by every page and download. Every survey percentage is shown "
    "with its base (n: the answers counted) and a 95% interval: "
    f"{wording.INTERVAL_SENTENCE} It is worked out by Wilson's method, which stays within 0-100% for small groups."
)
st.table(about_data.measure_definitions(page.database).set_index("Measure"))
st.markdown(
    "Conversations and staff engaged are counted by the date a conversation was held; actions by the date "
    "raised. The staff group filter narrows staff engaged and survey results; the survey filter narrows "
    "survey results only. The month filter narrows engagement figures and picks the months shown on survey "
    "trend charts; survey figures themselves are for whole waves."
)

st.markdown(
    f"**Response rates** (All questions, My area). "
    f"{ui.escape_markdown(response_rates.definition(page.threshold, lists.of(page.database).staff_surveys))} "
    f"{ui.escape_markdown(response_rates.explanation(page.threshold))}"
)

st.header("Survey waves and questions")
st.markdown(
    "Survey figures are for one wave at a time (the sidebar's Survey wave, the latest by default). Each question "
    "is a row of the question bank: its answers in order, which count as positive, and which are left out of the "
    "base. A new question or wave is a new row in the extracts, with no change to the dashboard."
)
ui.show_table(about_data.waves_table(page.database), key="definitions_waves")
ui.show_table(about_data.questions_table(page.database), key="definitions_questions")
st.markdown(
    f"**Change since a wave** is the difference of the two whole percentages shown, in points. "
    f"{wording.CHANCE_SENTENCE} The method: a pooled two-proportion z-test of the perturbed counts (positive of n "
    f"in each wave), two-sided, bigger than chance would explain when p < {stats.ALPHA}. It does not allow for "
    f"the perturbation noise: at most {perturbation.MAX_NOISE} in a count, small beside the chance differences of "
    "any group large enough to be shown. It is shown for whole waves (not when months are chosen), and blank when "
    "either wave's figure is hidden. Many changes are shown at once, so about one in twenty unchanged figures will "
    "be called bigger than chance by chance alone."
)

st.header("Small numbers: disclosure control")
st.markdown(ui.disclosure_note(page.threshold))
st.markdown(
    "**One fixed release per wave.** When the database is built, the survey responses are turned into a fixed "
    "list of cells, and the responses themselves are not kept in the database the app reads. The cells are the "
    "counts of each answer (blank answers too) for the Trust, each care group and each service area; for all "
    "surveys or one; for all staff groups or one; over the whole wave; the same for everyone in a unit by month "
    "(for the trend charts); and each service area's responses to the staff surveys (for response rates). Every "
    "survey figure on every page, chart, table, download and PDF is one of these cells or a sum of them: picking "
    "several areas, surveys or staff groups adds up their cells, and a part too small to release is left out "
    "and named."
)
st.markdown(
    f"**Each count is perturbed once.** A keyed hash of exactly which responses a cell holds chooses a small "
    f"whole number, at most **{perturbation.MAX_NOISE}** either way, that is added to its count (the cell key "
    "method of the ONS and the ABS). The noise averages zero, never makes a count negative and leaves zero as "
    "zero. Two cells holding the same people get the same noise wherever they appear, and one person more or "
    "less gives unrelated noise. Because the release is fixed, looking at it again, or through another view, "
    "never draws new noise: there is nothing to average away."
)
st.markdown(
    f"**The release is audited.** A group of fewer than **{page.threshold}** responses is not released. Then the "
    "build looks for any way to single out fewer than that many people from what is released, and suppresses "
    "more groups until there is none: two groups one inside the other that differ by a few people, a whole less "
    "its released parts, and two splits of a unit with their crossing. Every hidden group looks the same, "
    "whatever the reason and however few it holds. A question is not released for a group where fewer than "
    f"{page.threshold} answers count in its base. What the audit found:"
)
ui.show_table(about_data.audit_table(page.database), key="definitions_audit")
st.markdown(
    "**Comments** are listed only for a whole reporting unit (the Trust, one care group or one service area; one "
    "survey or all) over a whole survey wave, when it has at least "
    f"**{page.min_comments}** comments and no comment could be pinned to fewer than {page.threshold} people by "
    "comparing lists. Engagement activity (hours, conversations, actions) describes meetings, not respondents, "
    "and is shown exactly."
)
st.markdown(
    f"**Who holds the key.** The perturbation key is a secret set where the database is built "
    f"(`{keys.KEY_SETTING}` or `perturbation_key` under `[disclosure]` in `.streamlit/secrets.toml`); it is never "
    "written to the database or the repository, and the app never needs it. The Trust's survey data owner holds "
    "it; dashboard users never do. "
    + (
        "These synthetic demo data use the published demo key."
        if page.synthetic
        else f"This database's key came from: {', '.join(sorted(set(page.build.get('perturbation', ['unknown']))))}."
    )
    + " The full policy is docs/DISCLOSURE.md in the repository."
)

st.header("Settings")
st.markdown(
    "Set as environment variables; the defaults apply otherwise. The disclosure thresholds are read when the "
    "database is built (the release is audited with them); the others when the app starts."
)
st.table(about_data.settings_table(page.database).set_index("Setting"))
