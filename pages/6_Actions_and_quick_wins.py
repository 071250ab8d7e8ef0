"""Actions and quick wins: what the conversations led to, and the results beside the action."""

from dashboard.render import actions_view, ui

actions_view.render(ui.page_setup("Actions and quick wins", script=__file__))
