"""Features: what each part of the dashboard shows, as plain data (survey pages, engagement and
actions, results beside action, My area, response rates, comments, grants of units, exports).
No Streamlit; imports only the core and other features."""
