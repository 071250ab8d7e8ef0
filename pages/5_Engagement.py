"""Engagement: the conversations behind the results, by week, group, format and staff group."""

from dashboard.render import engagement_view, ui

engagement_view.render(ui.page_setup("Engagement", script=__file__))
