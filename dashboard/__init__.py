"""What the pages share: database access, filters, measures, disclosure control, charts.

Only ``dashboard.ui`` (and ``dashboard.charts`` for Altair) know about
Streamlit; everything else is plain Python, tested without a server.
"""
