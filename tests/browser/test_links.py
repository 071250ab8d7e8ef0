"""Links keep the view (issue 27): the address of filters set by clicking, opened in another browser
(a new session, none of the first browser's cookies or storage), keeps its view through a walk over
every page by the sidebar's links, and the address copied on any page reopens exactly that view in a
new tab of that browser.

Streamlit 1.67 drops, on a move to another page, every address parameter bound to a box the page left
drew; ``dashboard.render.sidebar`` puts the view back. Without that, the first page reached after the
filters were set shows its boxes at their defaults and a bare address (e.g. ``/IT_reliability``).
"""

from __future__ import annotations

import urllib.parse

from dashboard.core import dimensions, registry

from .helpers import (
    ROOT,
    error_elements,
    main_text,
    metrics_by_label,
    open_page,
    pick_in_selectbox,
    pick_option,
    script_runs,
    selectbox_input,
    selectbox_value,
    selected_values,
    wait_idle,
)

PAGES = [(page.label, page.url_path) for page in registry.pages(ROOT)]  # as the sidebar's links name them
KEPT = (*(d.parameter for d in dimensions.LIST_DIMENSIONS), *dimensions.MONTH_PARAMETERS)
BOXES = ("From month", "To month", "Survey wave", "Compared with")
CARE_GROUP = "Community health services"  # a demo care group


def boxes(page) -> dict[str, object]:
    """Every filter box of the sidebar as shown: the multiselects' tags and the select boxes' texts."""
    shown: dict[str, object] = {d.label: selected_values(page, d.label) for d in dimensions.LIST_DIMENSIONS}
    shown.update({label: selectbox_value(page, label) for label in BOXES})
    return shown


def query(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


def view(page) -> tuple[dict, dict[str, str], str]:
    """What a person reads: the filter boxes, the tiles and the main area's text."""
    return boxes(page), metrics_by_label(page), main_text(page)


def go_by_sidebar_link(page, label: str, path: str) -> None:
    """Click the sidebar's link to a page, as a person would, and wait until that page has run."""
    before = script_runs(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label, exact=True).click()
    page.wait_for_url(lambda url: urllib.parse.urlsplit(url).path == path)
    wait_idle(page, runs_after=before)


def pick_month(page, label: str, month: str) -> None:
    """``pick_in_selectbox``, after typing the month: the list shows only the months near the one chosen."""
    selectbox_input(page, label).click()
    page.keyboard.type(month)
    page.keyboard.press("Escape")
    pick_in_selectbox(page, label, month)


def reopened(colleague, link: str) -> tuple[dict, dict[str, str], str]:
    other = colleague()
    open_page(other, link)
    assert not error_elements(other), f"{link} opened fresh shows errors: {error_elements(other)}"
    return view(other)


def test_filters_set_by_clicking_make_a_link_that_keeps_its_view_through_every_page(page, colleague) -> None:
    """Filters set by clicking make the page's address; a colleague opens it in another browser and clicks
    through every page. The first click to another page kept nothing before (the address ended bare,
    e.g. /IT_reliability, and every box at its default)."""
    open_page(page, "/Digital_skills")
    pick_option(page, "Care group", CARE_GROUP)
    pick_option(page, "Staff group", "Nursing")
    pick_month(page, "From month", "2021-03")
    pick_month(page, "To month", "2021-09")
    pick_in_selectbox(page, "Compared with", "none")
    pick_in_selectbox(page, "Survey wave", "2021")
    chosen = boxes(page)
    params = query(page)
    kept = {k: v for k, v in params.items() if k in KEPT}
    assert {"care_group", "staff_group", "from", "to"} <= set(params), page.url  # a wave the months imply is left out
    assert chosen["Survey wave"] == "2021" and chosen["Compared with"] == "none", chosen

    walker = colleague()
    open_page(walker, page.url)
    assert view(walker) == view(page), f"{page.url} opened fresh shows another view"
    walk_every_page(walker, colleague, chosen, kept)


def walk_every_page(page, colleague, chosen: dict, kept: dict[str, list[str]]) -> None:
    """Click through every page by the sidebar's links, the page open now last: each page shows the
    filters ``chosen``, its address carries ``kept``, and that address opened fresh shows the same view.
    The first click goes to another page: that is the move that lost the view."""
    here = [path for _, path in PAGES].index(urllib.parse.urlsplit(page.url).path)
    for label, path in [*PAGES[here + 1 :], *PAGES[: here + 1]]:
        go_by_sidebar_link(page, label, path)
        assert boxes(page) == chosen, f"moving to {path} changed the filters shown"
        # The units and months as written on the first page; the wave boxes are checked by reopening
        # (the address leaves out a wave box at its default, which follows the months and the wave).
        assert {k: v for k, v in query(page).items() if k in KEPT} == kept, f"moving to {path}: {page.url}"
        assert not error_elements(page), f"{path}: {error_elements(page)}"
        shown = view(page)
        assert reopened(colleague, page.url) == shown, f"{page.url} opened fresh shows another view"


def test_an_address_copied_from_a_page_without_filters_opens_without_filters(page, colleague) -> None:
    open_page(page, "/")
    defaults = boxes(page)
    go_by_sidebar_link(page, *PAGES[3])
    assert query(page) == {}, page.url
    assert boxes(page) == defaults
    shown = view(page)
    assert reopened(colleague, page.url) == shown
