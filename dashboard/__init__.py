"""What the pages share, in three rooms; imports go one way, render -> features -> core:

- ``dashboard.core``: the one door to the database, filters, the Trust's lists, the survey release
  and its figures, disclosure, measures, statistics, settings;
- ``dashboard.features``: what each part of the dashboard shows, as plain data;
- ``dashboard.render``: Streamlit, charts, downloads and the PDF (the only room importing Streamlit).

tests/test_layout.py holds the rule.
"""
