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

Fair use of a small server: a PDF takes over a second of a core to write, an Excel file a good part
of one, and Streamlit runs every click's build at once, each in a thread of the same process. One
session clicking "PDF" again and again (or a script sending the clicks) would hold the process
while everyone else's filter changes waited. So a session builds at most ``EXPENSIVE_AT_ONCE``
PDF or Excel file at a time: a click on another while one is being made is refused at once with
``BUSY``, which the button shows under itself (a person's button is greyed out while its own file is
being made, so this is met by clicking a second button, or by a script). ``cap_expensive_builds``
wraps ``DeferredFileHandler.handle`` (where a click arrives, with the clicking session's id) and,
like ``keep_built_downloads``, leaves a click as Streamlit's own if the internals are not the ones
it was written against. CSV files are cheap and not capped.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import ui

_LOGGER = logging.getLogger(__name__)
KEPT = ":built"  # suffix of the coordinates a built file is kept under, beside its button's
EXPENSIVE_AT_ONCE = 1  # PDF and Excel files one session may have being made at the same time
BUSY = "Another file you asked for is still being made. Try again when it has downloaded."


class Expensive:
    """A download's build that takes a good part of a second of a core or more (PDF, Excel): counted
    against its session's ``EXPENSIVE_AT_ONCE``."""

    def __init__(self, build: Callable[[], bytes]) -> None:
        self.build = build

    def __call__(self) -> bytes:
        return self.build()


class Slots:
    """How many expensive builds each session has running; at most ``limit`` each."""

    def __init__(self, limit: int = EXPENSIVE_AT_ONCE) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}

    def take(self, session: str) -> bool:
        """One more build for ``session``, if it is under the limit."""
        with self._lock:
            running = self._running.get(session, 0)
            if running >= self.limit:
                return False
            self._running[session] = running + 1
            return True

    def give_back(self, session: str) -> None:
        with self._lock:
            running = self._running.get(session, 0) - 1
            if running > 0:
                self._running[session] = running
            else:
                self._running.pop(session, None)

    def running(self, session: str) -> int:
        with self._lock:
            return self._running.get(session, 0)


BUILDS = Slots()


def cap_expensive_builds(slots: Slots = BUILDS) -> None:
    """Wrap ``DeferredFileHandler.handle`` once per process (idempotent): a session's click on an
    ``Expensive`` download while ``slots`` says it has enough running gets ``BUSY`` instead of a file."""
    from streamlit.proto.ForwardMsg_pb2 import BackendOperationResponse
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    original = DeferredFileHandler.handle
    if getattr(original, "caps_expensive_builds", False):
        return

    @functools.wraps(original)
    async def handle(self: DeferredFileHandler, request, session_id: str):
        if not _is_expensive(self, request):
            return await original(self, request, session_id)
        if not slots.take(session_id):
            _LOGGER.info("Session %s: a PDF or Excel click refused, one is still being made", session_id[:8])
            return BackendOperationResponse(request_id=request.request_id, error_msg=BUSY)
        try:
            return await original(self, request, session_id)
        finally:
            slots.give_back(session_id)

    handle.caps_expensive_builds = True  # type: ignore[attr-defined]
    DeferredFileHandler.handle = handle  # type: ignore[method-assign]


def _is_expensive(handler, request) -> bool:
    """The click asks for an ``Expensive`` build (False when Streamlit's internals are not as expected)."""
    try:
        manager = handler._get_media_file_mgr()
        with manager._lock:
            entry = manager._deferred_callables.get(request.deferred_file.file_id)
        return entry is not None and isinstance(entry.get("callable"), Expensive)
    except Exception:
        _LOGGER.warning("Could not tell whether a download is expensive; not capped", exc_info=True)
        return False


def keep_built_downloads() -> None:
    """Wrap ``MediaFileManager.execute_deferred`` once per process (idempotent); and cap each
    session's expensive builds (``cap_expensive_builds``), as every page calls this one at set-up."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    cap_expensive_builds()

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
        data=Expensive(lambda: printout.to_pdf(stamped)),
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

    formats = (  # label, suffix, mime, writer, capped per session
        ("CSV", "csv", "text/csv", export.to_csv, False),
        ("Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.to_xlsx, True),
    )
    for column, (label, suffix, mime, write, expensive) in zip(st.columns(2), formats):

        def build(write=write) -> bytes:
            return write(data(), stamped)

        column.download_button(
            f"Download {label}",
            data=Expensive(build) if expensive else build,
            file_name=f"{name}.{suffix}",
            mime=mime,
            key=f"{suffix}_{key}",
            icon=":material/download:",
            on_click="ignore",
        )
