"""Digital skills: how staff, service users and carers rate their IT skills (measure `it_skills`)."""

from dashboard.render import survey_view, ui

page = ui.page_setup("Digital skills", script=__file__)
survey_view.render_theme(page, "Digital skills")
