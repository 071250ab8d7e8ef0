"""IT reliability: whether people find IT too unreliable (measure `it_unreliable`)."""

from dashboard.render import survey_view, ui

page = ui.page_setup("IT reliability", script=__file__)
survey_view.render_theme(page, "IT reliability")
