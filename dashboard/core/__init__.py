"""The core: the one door to the database, the filter state, the Trust's lists, the survey
release and its figures, disclosure, measures and statistics. No Streamlit; imports nothing
from features or render."""
