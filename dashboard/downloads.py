"""Files built on a click stay until the browser has fetched them.

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
