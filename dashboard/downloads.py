"""Downloads: the buttons every page shows (CSV, Excel, PDF; each built only when clicked and
stamped with the view it came from), and the files they build kept until fetched.

Files built on a click stay until the browser has fetched them.

Every download on a page is built only when clicked (``st.download_button`` with a callable). In
Streamlit 1.67 the file a click builds belongs to no session: the clean-up that ends every script
run, of any session, marks it and the next one deletes it. With a few people on the app, two runs
often end between the click and the browser's request for the file, and the download fails
("canceled"; seen under ``make load``: 34 of 34 downloads lost flat out, PDFs often at people's
pace, as a PDF takes a second or two to write).

``keep_built_downloads`` makes the built file belong to the session that clicked, as files made
during a run do: it then lives until that session's next full run starts (or the session ends),
and is cleaned up as usual after that. One file per button per session is kept. It wraps
``MediaFileManager.execute_deferred`` and checks, each time, that Streamlit's internals are the
ones it was written against; if they are not, the click behaves as Streamlit's own.
"""

from __future__ import annotations

import functools
import logging

import pandas as pd
import streamlit as st

from dashboard import ui

_LOGGER = logging.getLogger(__name__)
KEPT = ":built"  # suffix of the coordinates a built file is kept under, beside its button's


def keep_built_downloads() -> None:
    """Wrap ``MediaFileManager.execute_deferred`` once per process (idempotent)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    original = MediaFileManager.execute_deferred
    if getattr(original, "keeps_built_files", False):
        return

    @functools.wraps(original)
    def execute_deferred(self: MediaFileManager, file_id: str) -> str:
        entry = getattr(self, "_deferred_callables", {}).get(file_id)
        url = original(self, file_id)
        try:
            keep(self, entry, url)
        except Exception:
            _LOGGER.warning("A built download could not be kept for its session", exc_info=True)
        return url

    execute_deferred.keeps_built_files = True  # type: ignore[attr-defined]
    MediaFileManager.execute_deferred = execute_deferred  # type: ignore[method-assign]


def keep(manager, entry: dict | None, url: str) -> bool:
    """Map the file behind ``url`` into the clicking session's references; True when it was kept."""
    if not entry or "session_id" not in entry or "coordinates" not in entry:
        return False
    built = url.rsplit("/", 1)[-1].split(".", 1)[0]  # ".../media/<file id><extension>"
    with manager._lock:
        if built not in manager._file_metadata:
            return False
        session = manager._files_by_session_and_coord.get(entry["session_id"])
        if session is None:  # the session has ended: nobody is left to fetch the file
            return False
        session[entry["coordinates"] + KEPT] = built  # a repeat click replaces the one before
    return True


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
    """ "Download this view as PDF": what ``printout`` (``dashboard.printout.Printout``) recorded, with the stamp
    every download carries; written only when clicked."""
    stamped = stamp(page, note)
    st.download_button(
        "Download this view as PDF",
        data=lambda: printout.to_pdf(stamped),
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
    from dashboard import export

    key = key or name
    stamped = stamp(page, note)

    def data() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    formats = (
        ("CSV", "csv", "text/csv", export.to_csv),
        ("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.to_xlsx),
    )
    for column, (label, suffix, mime, write) in zip(st.columns(2), formats):
        column.download_button(
            f"Download {label}",
            data=lambda write=write: write(data(), stamped),
            file_name=f"{name}.{suffix}",
            mime=mime,
            key=f"{suffix}_{key}",
            icon=":material/download:",
            on_click="ignore",
        )
