"""A file built on a click survives other sessions' runs until the browser fetches it; a session
builds one PDF or Excel file at a time.

Streamlit's real MediaFileManager and in-memory storage, driven as the server drives them: a
button registers its callable during a run, a click builds the file, and every other session's
run ends with a clean-up pass. Without ``dashboard.downloads`` the file is gone after two passes
(the failure seen under load); with it, it stays until the clicking session's next full run.

The cap is driven through Streamlit's real click handler (DeferredFileHandler); tests/test_security.py
shows, on the real server, that one session hammering PDFs does not hold up another's filter change.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard import downloads

SESSION = "dontcare"  # the session id Streamlit uses outside a script run


def _click(manager: MediaFileManager, payload: bytes = b"a,b\n1,2\n") -> str:
    """A run draws the button; the person clicks it: the file's id."""
    placeholder = manager.add_deferred(lambda: payload, "text/csv", "1.2.3", file_name="table.csv")
    url = manager.execute_deferred(placeholder)
    return url.rsplit("/", 1)[-1].split(".")[0]


def _other_sessions_finish_runs(manager: MediaFileManager, runs: int = 3) -> None:
    for _ in range(runs):
        manager.remove_orphaned_files()


def _fetch(manager: MediaFileManager, file_id: str) -> bytes:
    return manager._storage.get_file(file_id).content


@pytest.fixture
def unpatched(monkeypatch):
    """Streamlit's own execute_deferred, whatever an earlier test in this process did."""
    original = MediaFileManager.execute_deferred
    while getattr(original, "__wrapped__", None) is not None and getattr(original, "keeps_built_files", False):
        original = original.__wrapped__
    monkeypatch.setattr(MediaFileManager, "execute_deferred", original)


def test_without_the_fix_a_built_file_is_lost_to_other_sessions_runs(unpatched):
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    built = _click(manager)
    _other_sessions_finish_runs(manager)
    with pytest.raises(MediaFileStorageError):
        _fetch(manager, built)


def test_a_built_file_lasts_until_the_clicking_session_runs_again(unpatched):
    downloads.keep_built_downloads()
    downloads.keep_built_downloads()  # twice is once
    assert getattr(MediaFileManager.execute_deferred, "keeps_built_files", False)
    assert not getattr(MediaFileManager.execute_deferred.__wrapped__, "keeps_built_files", False)
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    built = _click(manager)
    _other_sessions_finish_runs(manager)
    assert _fetch(manager, built) == b"a,b\n1,2\n"
    # A second click replaces the first file; the first is then cleaned up.
    again = _click(manager, b"x\n")
    _other_sessions_finish_runs(manager)
    assert _fetch(manager, again) == b"x\n"
    if again != built:
        with pytest.raises(MediaFileStorageError):
            _fetch(manager, built)
    # The session's next full run drops its references: the file goes as any other would.
    manager.clear_session_refs(SESSION)
    _other_sessions_finish_runs(manager)
    with pytest.raises(MediaFileStorageError):
        _fetch(manager, again)


def test_a_session_that_has_ended_keeps_nothing(unpatched):
    downloads.keep_built_downloads()
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    placeholder = manager.add_deferred(lambda: b"late", "text/csv", "1.2.3", file_name="t.csv")
    manager.clear_session_refs(SESSION)  # the tab closed before the request arrived
    url = manager.execute_deferred(placeholder)
    assert SESSION not in manager._files_by_session_and_coord
    _other_sessions_finish_runs(manager)
    with pytest.raises(MediaFileStorageError):
        _fetch(manager, url.rsplit("/", 1)[-1].split(".")[0])


# A cap on each session's expensive builds (PDF, Excel): Streamlit's real handler of a click
# (DeferredFileHandler, as the server dispatches a click to it, with the session's id), driven in
# an event loop as the server drives it; the builds run in threads, as there.


@pytest.fixture
def uncapped(monkeypatch):
    """Streamlit's own DeferredFileHandler.handle, whatever an earlier test in this process did."""
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    original = DeferredFileHandler.handle
    while getattr(original, "caps_expensive_builds", False):
        original = original.__wrapped__
    monkeypatch.setattr(DeferredFileHandler, "handle", original)


def _request(file_id: str):
    from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, DeferredFileRequestPayload

    request = BackendOperationRequest(request_id=f"click-{file_id[:6]}")
    request.deferred_file.CopyFrom(DeferredFileRequestPayload(file_id=file_id))
    return request


def test_a_session_builds_one_expensive_file_at_a_time(uncapped):
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    slots = downloads.Slots()
    downloads.cap_expensive_builds(slots)
    downloads.cap_expensive_builds(slots)  # twice is once
    assert not getattr(DeferredFileHandler.handle.__wrapped__, "caps_expensive_builds", False)
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    handler = DeferredFileHandler(lambda: manager)
    release = threading.Event()

    def slow_pdf() -> bytes:  # a PDF being written until the test lets it finish
        assert release.wait(10)
        return b"%PDF-1.4 slow"

    pdf = manager.add_deferred(downloads.Expensive(slow_pdf), "application/pdf", "1.1", file_name="view.pdf")
    xlsx = manager.add_deferred(downloads.Expensive(lambda: b"PK xlsx"), "application/zip", "1.2", file_name="t.xlsx")
    csv = manager.add_deferred(lambda: b"a,b\n", "text/csv", "1.3", file_name="t.csv")

    async def clicks():
        building = asyncio.create_task(handler.handle(_request(pdf), "session-a"))
        while slots.running("session-a") == 0:  # the PDF has started
            await asyncio.sleep(0.01)
        second = await handler.handle(_request(xlsx), "session-a")  # Excel while the PDF is made
        again = await handler.handle(_request(pdf), "session-a")  # the PDF again (a script; a button greys out)
        cheap = await handler.handle(_request(csv), "session-a")  # CSV is not capped
        other = await handler.handle(_request(xlsx), "session-b")  # another session is not held up
        release.set()
        first = await building
        after = await handler.handle(_request(xlsx), "session-a")  # once it is made, the next is
        return first, second, again, cheap, other, after

    first, second, again, cheap, other, after = asyncio.run(clicks())
    assert second.error_msg == again.error_msg == downloads.BUSY
    assert second.request_id == _request(xlsx).request_id and not second.HasField("deferred_file")
    for response in (first, cheap, other, after):
        assert not response.error_msg and response.deferred_file.url.startswith("/media/"), response
    assert _fetch(manager, first.deferred_file.url.rsplit("/", 1)[-1].split(".")[0]) == b"%PDF-1.4 slow"
    assert slots.running("session-a") == slots.running("session-b") == 0  # nothing held once done


def test_a_failed_build_gives_its_slot_back(uncapped):
    from streamlit.runtime.backend_operation_handler import DeferredFileHandler

    slots = downloads.Slots()
    downloads.cap_expensive_builds(slots)
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    handler = DeferredFileHandler(lambda: manager)

    def broken() -> bytes:
        raise ValueError("the PDF could not be written")

    failing = manager.add_deferred(downloads.Expensive(broken), "application/pdf", "1.1", file_name="v.pdf")
    working = manager.add_deferred(downloads.Expensive(lambda: b"%PDF"), "application/pdf", "1.2", file_name="w.pdf")
    failed = asyncio.run(handler.handle(_request(failing), "session-a"))
    assert failed.error_msg and failed.error_msg != downloads.BUSY  # Streamlit's own failure message
    assert slots.running("session-a") == 0
    assert not asyncio.run(handler.handle(_request(working), "session-a")).error_msg
