"""The sidebar every page shares: links to the other pages carrying the filters, and the filters.

The filters are widgets bound to the link's query parameters (``bind="query-params"``); values a
link names that are not allowed are refused with a notice naming them (``dashboard.core.filters``).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.core import dimensions, registry, settings
from dashboard.core import filters as filter_values
from dashboard.core.filters import Filters, Options
from dashboard.core.text import escape_markdown
from dashboard.features import grants


def pages() -> list[tuple[str, str]]:
    """(script path, label) of every page, in navigation order (``dashboard.core.registry``)."""
    return [(page.script, page.label) for page in registry.pages(settings.ROOT)]


def navigation(chosen: Filters, options: Options) -> None:
    """Page links that carry the current filters, so the next page opens on the same view."""
    from streamlit.errors import StreamlitAPIException

    params = filter_values.to_query_params(chosen, options)
    for path, label in pages():
        try:
            st.page_link(path, label=label, query_params=params, width="stretch")
        except StreamlitAPIException:
            # Only when a page script runs on its own (AppTest.from_file on a page):
            # the other pages are then not part of the app.
            continue


def _keep_allowed(key: str, allowed: tuple[str, ...]) -> None:
    """Drop values no longer offered (e.g. service areas of a care group just removed)."""
    current = st.session_state.get(key)
    if current:
        kept = [v for v in current if v in allowed]
        if kept != list(current):
            st.session_state[key] = kept


CARRIED_NOTICES = "_link_notices"  # session key: notices about a link the page replaced by its month link
SHOWN = "_view_shown"  # session key: the page last run, its link's filter parameters and its boxes' values
BOXES = (*(d.parameter for d in dimensions.LIST_DIMENSIONS), "from", "to", "wave", "compare")  # the boxes' keys


def _link(page_script: str | None) -> dict[str, list[str]]:
    """The filter parameters of the page's link; on a move from another page, those of the view shown there.

    Streamlit 1.67 drops from the address, on a move to another page, every parameter bound to a box
    drawn by the page left (each page draws its own sidebar), and the first page reached after a link
    was opened shows its boxes at their defaults. So the view shown last is put back, in the boxes
    and in the address, as the page links promise (they carry it for a link opened in a new tab)."""
    from_url = {name: st.query_params.get_all(name) for name in dimensions.ALL_PARAMETERS}
    shown = st.session_state.get(SHOWN)
    if shown is None or page_script is None or shown[0] == page_script or any(from_url.values()):
        return from_url
    for key, value in shown[2].items():
        st.session_state[key] = value
    if shown[1]:
        st.switch_page(page_script, query_params=shown[1])
    return from_url


def sidebar_filters(
    options: Options,
    page_script: str | None = None,
    grant: grants.Grant = grants.TRUST,
    every_option: Options | None = None,
) -> Filters:
    """The one set of filter widgets, bound to the URL and kept across pages.

    ``page_script``: the calling page's file, to reopen it on the month link when a link gives a day.
    ``options`` are those in the person's ``grant``; ``every_option`` all of them, to say that a link's
    unit is outside the grant rather than unknown.
    """
    from_url = _link(page_script)
    parsed = filter_values.from_query_params(from_url, options)
    carried = st.session_state.pop(CARRIED_NOTICES, [])
    if parsed.widened and page_script:
        # A link with a day opens on its month. A bound month box takes only its own values
        # from a link (and drops the day from the address), so the page reopens at once on
        # the month link: the address then reopens this view. The notices about the values
        # replaced go with it; the others are worked out again from the new link.
        names = {name for name, _, _ in parsed.widened}
        replaced = filter_values.Parsed(
            parsed.filters, tuple(r for r in parsed.rejected if r[0] in names), parsed.widened
        )
        st.session_state[CARRIED_NOTICES] = replaced.notices()
        link = {key: st.query_params.get_all(key) for key in st.query_params.keys()}
        link.update({name: [month] for name, _, month in parsed.widened})
        st.switch_page(page_script, query_params=link)
    for name, _, month in parsed.widened:  # no page to reopen: set before the box is drawn
        st.session_state[name] = month
    # No "Select all": choosing every value is the same as choosing none (no filter).
    bound = {"bind": "query-params", "persist_state": "session"}
    many = bound | {"select_all": False}
    months = filter_values.months(options)
    with st.sidebar:
        st.header("Filters")
        picked: dict[str, tuple[str, ...]] = {}
        for dimension in dimensions.LIST_DIMENSIONS:  # a box's choices may follow the boxes before it
            choices = dimension.choices(options, picked)
            _keep_allowed(dimension.parameter, choices)
            yours = " your" if dimension.granted and not grant.whole_trust else ""
            picked[dimension.parameter] = tuple(
                st.multiselect(
                    dimension.label,
                    choices,
                    key=dimension.parameter,
                    placeholder=f"All{yours} {dimension.plural}",
                    **many,
                )
            )
        # Whole months only: two views a day apart could differ by one person (docs/DISCLOSURE.md).
        # Shown as written in links (2021-03): a bound box puts the text it shows in the address
        # and reads only that text back, so a label such as "March 2021" would break from=2021-03.
        month_from = st.selectbox("From month", months, index=0, key="from", **bound)
        month_to = st.selectbox("To month", months, index=len(months) - 1, key="to", **bound)
        # Only a link without a wave gets a default from its months: a bound box leaves its default
        # out of the address, so the link's own wave must not be made the default.
        wave, compare = _wave_boxes(options, bound, None if from_url.get("wave") else parsed.filters.wave)
        st.markdown("Filters are kept in the page address: copy the link to share this view.")
    outside = set()
    if every_option is not None and not grant.whole_trust:
        known = {
            d.parameter: set(d.choices(every_option, {})) for d in dimensions.LIST_DIMENSIONS if d.granted
        }  # every unit of the Trust: a link's unit among them is outside the grant, not unknown
        outside = {(name, value) for name, value in parsed.rejected if value in known.get(name, ())}
    for notice in carried + parsed.notices(outside):
        st.warning(notice, icon=":material/link_off:")
    if month_from > month_to:
        st.warning(
            "The From month is after the To month, so nothing matches. Change one of them.",
            icon=":material/event_busy:",
        )
    date_from = dt.date.fromisoformat(f"{month_from}-01")
    date_to = filter_values.month_end(dt.date.fromisoformat(f"{month_to}-01"))
    opened, closed = options.wave_dates.get(wave, (date_from, date_to))
    if month_from <= month_to and (date_to < opened or date_from > closed):
        st.warning(
            f"The months picked are outside the survey wave {escape_markdown(wave)} ({opened:%B %Y} to "
            f"{closed:%B %Y}), so the survey trend lists no month (survey figures are for the whole wave). Pick "
            "months within it, or another wave.",
            icon=":material/event_busy:",
        )
    chosen = Filters(
        **{d.field: picked[d.parameter] for d in dimensions.LIST_DIMENSIONS},
        date_from=date_from if month_from != months[0] else None,
        date_to=date_to if month_to != months[-1] else None,
        wave=None if wave == options.latest_wave else wave,
        compare=None if compare == filter_values.NO_COMPARISON else compare,
    )
    if page_script is not None:
        values = {key: st.session_state[key] for key in BOXES if key in st.session_state}
        st.session_state[SHOWN] = (page_script, filter_values.to_query_params(chosen, options), values)
    return chosen


def _wave_boxes(options: Options, bound: dict, default: str | None = None) -> tuple[str | None, str | None]:
    """The survey wave (``default``: the one a link's months fall in; else the latest) and the wave it
    is compared with (default the one before it; or none). Shown by id, as written in links (a
    bound box reads back only the text it shows), with their names below. The comparison's
    choices follow the wave: a choice no longer offered goes back to the default."""
    if not options.waves:
        return None, filter_values.NO_COMPARISON
    listed = tuple(reversed(options.waves))
    wave = st.selectbox(
        "Survey wave",
        listed,
        index=listed.index(default) if default in listed else 0,
        key="wave",
        help="Survey figures are for this wave; engagement figures follow the months.",
        **bound,
    )
    choices = (*options.earlier_waves(wave), filter_values.NO_COMPARISON)
    if st.session_state.get("compare") not in (None, *choices):
        del st.session_state["compare"]
    compare = st.selectbox(
        "Compared with",
        choices,
        index=0,
        key="compare",
        help="Survey figures show their change since this wave, with a test of whether it is real.",
        **bound,
    )
    named = f"**{escape_markdown(wave)}**: {escape_markdown(options.wave_name(wave))}"
    if compare != filter_values.NO_COMPARISON:
        named += f", compared with **{escape_markdown(compare)}**: {escape_markdown(options.wave_name(compare))}"
    st.markdown(named + ".")
    return wave, compare
