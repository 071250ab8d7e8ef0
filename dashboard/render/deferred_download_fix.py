"""The one place that touches Streamlit's internals: two gaps in its deferred downloads.

Checked against Streamlit 1.67.0 (``CHECKED_AGAINST``). Every download on a page is built only when
clicked (``st.download_button`` with a callable, a "deferred download"). A click reaches
``DeferredFileHandler.handle``, which runs ``MediaFileManager.execute_deferred`` in a thread; that
calls the callable, stores the file and answers with its URL, which the browser then fetches.

1. The fault: a file built on a click is lost before the browser fetches it. The built file
   belongs to no session, so the clean-up that ends every script run, of any session, marks it and
   the next one deletes it. With a few people on the app two runs often end between the click and
   the browser's request, and the download fails ("canceled"; under ``make load``: 34 of 34
   downloads lost flat out, PDFs often at people's pace, as a PDF takes a second or two to write).
   ``keep_built_files`` wraps ``MediaFileManager.execute_deferred`` so the built file belongs to the
   session that clicked, as files made during a run do: it then lives until that session's next
   full run starts (or the session ends) and is cleaned up as usual after that; one file per button
   per session. It reads ``_lock``, ``_deferred_callables`` (each entry's ``session_id`` and
   ``coordinates``), ``_file_metadata`` and ``_files_by_session_and_coord``; if they are not as
   expected the click behaves as Streamlit's own (and a warning is logged).

2. A refusal's wording. A callable that raises gets no file and Streamlit's fixed "Failed to
   generate file for download" under its button, with a traceback in the log at ERROR. A callable
   that declines on purpose (``dashboard.render.downloads`` refuses a second PDF or Excel file of a session
   while one is being made) raises ``Refused(message)``; ``word_refusals`` wraps
   ``DeferredFileHandler.handle`` so the button shows that message instead, and the log has one
   line instead of a traceback. The decision itself is the callable's, through the public API: if
   this wrapping stops working the refusal still happens, worded as Streamlit words any failure.
   It relies on ``handle(self, request, session_id)`` returning a ``BackendOperationResponse`` and
   on the callable running in a thread that copies the handler's context (``asyncio.to_thread``).

To re-check on a new Streamlit: ``tests/test_deferred_download_fix.py`` fails on any version but
``CHECKED_AGAINST``. Run it with the version check skipped (``-k "not version"``): the test that
reproduces fault 1 without the fix says whether the fault is still there (if it passes no more, the
fault is fixed upstream: delete ``keep_built_files`` and its tests), the others whether the
internals used here are still as expected. Then set ``CHECKED_AGAINST``.
"""

from __future__ import annotations

import contextvars
import functools
import logging

_LOGGER = logging.getLogger(__name__)
CHECKED_AGAINST = "1.67.0"  # the Streamlit version both gaps and the internals used here were checked on
KEPT = ":built"  # suffix of the coordinates a built file is kept under, beside its button's
_NOT_INSTALLED: set[str] = set()  # workarounds that could not be installed (warned about once)


def install() -> None:
    """Both workarounds, once per process (idempotent); every page calls this at set-up. One that
    cannot be installed (Streamlit's internals are not as expected) is left out with a warning, once:
    the page still opens and its downloads work as Streamlit's own."""
    for workaround in (keep_built_files, word_refusals):
        try:
            workaround()
        except Exception:
            if workaround.__name__ not in _NOT_INSTALLED:
                _NOT_INSTALLED.add(workaround.__name__)
                _LOGGER.warning(
                    "%s could not be installed on Streamlit's internals", workaround.__name__, exc_info=True
                )


# --- 1. a file built on a click lasts until it is fetched ------------------------------------------


def keep_built_files() -> None:
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


# --- 2. a callable that declines on purpose says why ------------------------------------------------


class Refused(Exception):
    """Raised by a download's callable that declines to build its file; ``message`` is shown under
    the button. Raise it through ``refuse``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_REFUSALS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("download_refusals", default=None)


def refuse(message: str) -> Refused:
    """What a callable raises to decline: ``raise refuse("...")``. Noted for ``word_refusals``."""
    noted = _REFUSALS.get()
    if noted is not None:
        noted.append(message)
    return Refused(message)


def word_refusals() -> None:
    """Wrap ``DeferredFileHandler.handle`` once per process (idempotent): a click whose callable
    raised ``refuse(message)`` is answered with ``message``; its traceback is not logged."""
    from streamlit.proto.ForwardMsg_pb2 import BackendOperationResponse
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    original = DeferredFileHandler.handle
    if getattr(original, "words_refusals", False):
        return

    @functools.wraps(original)
    async def handle(self: DeferredFileHandler, request, session_id: str):
        noted: list[str] = []
        token = _REFUSALS.set(noted)  # the callable's thread runs in a copy of this context
        try:
            response = await original(self, request, session_id)
        finally:
            _REFUSALS.reset(token)
        if noted and response.error_msg:
            _LOGGER.info("Session %s: a download refused: %s", session_id[:8], noted[-1])
            return BackendOperationResponse(request_id=request.request_id, error_msg=noted[-1])
        return response

    handle.words_refusals = True  # type: ignore[attr-defined]
    DeferredFileHandler.handle = handle  # type: ignore[method-assign]
    logging.getLogger(DeferredFileHandler.__module__).addFilter(_not_a_refusal)


def _not_a_refusal(record: logging.LogRecord) -> bool:
    """Keep a log record unless its exception was caused by ``Refused`` (logged as one line above)."""
    error = record.exc_info[1] if record.exc_info else None
    while error is not None:
        if isinstance(error, Refused):
            return False
        error = error.__cause__ or error.__context__
    return True
