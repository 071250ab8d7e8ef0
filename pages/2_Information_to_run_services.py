"""Information to run services: whether staff have the information they need (measure `info_available`)."""

from dashboard.render import survey_view, ui

page = ui.page_setup("Information to run services", script=__file__)
survey_view.render_theme(page, "Information to run services")
