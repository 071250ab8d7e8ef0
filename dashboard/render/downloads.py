"""Downloads: the buttons every page shows (CSV, Excel, PDF; each built only when clicked and
stamped with the view it came from).

Every download is built only when clicked (``st.download_button`` with a callable). Two gaps in
Streamlit's handling of such a click, a built file lost before it is fetched and the wording of a
refusal, are worked around in ``dashboard.render.deferred_download_fix``, the one module that touches
Streamlit's internals.

Fair use of a small server: a PDF takes over a second of a core to write, an Excel file a good part
of one, and Streamlit runs every click's build at once, each in a thread of the same process. One
session clicking "PDF" again and again (or a script sending the clicks) would hold the process
while everyone else's filter changes waited. So a session builds at most ``EXPENSIVE_AT_ONCE``
PDF or Excel file at a time: each such button's callable is an ``Expensive`` build holding its
session's ``building`` semaphore (kept in ``st.session_state``) while it runs. A click on another
while one is being made is refused at once with ``BUSY``, which the button shows under itself (a
person's button is greyed out while its own file is being made, so this is met by clicking a second
button, or by a script). CSV files are cheap and not capped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.features import export
from dashboard.render import ui
from dashboard.render.deferred_download_fix import refuse

EXPENSIVE_AT_ONCE = 1  # PDF and Excel files one session may have being made at the same time
BUSY = "Another file you asked for is still being made. Try again when it has downloaded."
BUILDING = "_expensive_downloads_building"  # session key: the session's semaphore of expensive builds


def building() -> threading.BoundedSemaphore:
    """This session's expensive builds: a semaphore of ``EXPENSIVE_AT_ONCE``, made on its first run."""
    return st.session_state.setdefault(BUILDING, threading.BoundedSemaphore(EXPENSIVE_AT_ONCE))


class Expensive:
    """A download's build that takes a good part of a second of a core or more (PDF, Excel): run
    only with one of its session's ``building`` slots, else refused at once with ``BUSY``."""

    def __init__(self, build: Callable[[], bytes], slots: threading.BoundedSemaphore) -> None:
        self.build = build
        self.slots = slots

    def __call__(self) -> bytes:
        if not self.slots.acquire(blocking=False):
            raise refuse(BUSY)
        try:
            return self.build()
        finally:
            self.slots.release()


def stamp(page: ui.Page, note: str = "") -> dict[str, str]:
    """What every download carries: filters, disclosure note, build time, synthetic label."""
    out = {
        "Source": "Digital strategy engagement dashboard",
        "Filters": ui.describe(page),
        "Disclosure control": ui.disclosure_note(page.threshold),
        "Data built": f"{page.built_at:%Y-%m-%d %H:%M} UTC" if page.built_at is not None else "unknown",
    }
    if note:
        out["Note"] = note
    if page.synthetic:
        out["Synthetic data"] = "SYNTHETIC DEMO DATA - not real Trust data."
    return out


def pdf_button(printout, name: str, page: ui.Page, note: str = "", key: str | None = None) -> None:
    """ "Download this view as PDF": what ``printout`` (``dashboard.render.printout.Printout``) recorded, with the stamp
    every download carries; written only when clicked."""
    stamped = stamp(page, note)
    st.download_button(
        "Download this view as PDF",
        data=Expensive(lambda: printout.to_pdf(stamped), building()),
        file_name=f"{name}.pdf",
        mime="application/pdf",
        key=f"pdf_{key or name}",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        help="An A4 PDF of this view for a meeting: its figures, charts, tables, definitions and filters.",
    )


def download_buttons(frame, name: str, page: ui.Page, note: str = "", key: str | None = None) -> None:
    """CSV and Excel downloads of ``frame``, built only when clicked.

    ``frame`` is a DataFrame (what is on screen) or a zero-argument callable
    returning one, called only when a button is clicked: a list shown capped on
    the page downloads in full without fetching it on every rerun (it reads the database the
    page showed, which it names itself: the click runs outside the page's run).
    """
    key = key or name
    stamped = stamp(page, note)
    slots = building()

    def data() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    formats = (  # label, suffix, mime, writer, capped per session
        ("CSV", "csv", "text/csv", export.to_csv, False),
        ("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.to_xlsx, True),
    )
    for column, (label, suffix, mime, write, expensive) in zip(st.columns(2), formats):

        def build(write=write) -> bytes:
            return write(data(), stamped)

        column.download_button(
            f"Download {label}",
            data=Expensive(build, slots) if expensive else build,
            file_name=f"{name}.{suffix}",
            mime=mime,
            key=f"{suffix}_{key}",
            icon=":material/download:",
            on_click="ignore",
        )
