"""A session builds one PDF or Excel file at a time; CSV is not capped.

The cap is the download's own callable (``downloads.Expensive``, holding its session's semaphore):
public API only. Clicks are driven through Streamlit's real click handler (DeferredFileHandler, as the
server dispatches a click to it, with the session's id) in an event loop, as the server drives it;
the builds run in threads, as there. ``dashboard.render.deferred_download_fix`` (tests/test_deferred_download_fix.py)
words the refusal; without it the refusal still holds, worded as Streamlit words any failure.
tests/test_security.py shows, on the real server, that one session hammering PDFs does not hold up
another's filter change.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard.render import deferred_download_fix, downloads


def _request(file_id: str):
    from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, DeferredFileRequestPayload

    request = BackendOperationRequest(request_id=f"click-{file_id[:6]}")
    request.deferred_file.CopyFrom(DeferredFileRequestPayload(file_id=file_id))
    return request


def _fetch(manager: MediaFileManager, url: str) -> bytes:
    return manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0]).content


def _semaphore() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(downloads.EXPENSIVE_AT_ONCE)


@pytest.fixture
def handler():
    """Streamlit's click handler over a media manager of its own, refusals worded (as every page sets up)."""
    deferred_download_fix.install()
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    return manager, DeferredFileHandler(lambda: manager)


def test_a_session_builds_one_expensive_file_at_a_time(handler):
    manager, clicks_to = handler
    session_a, session_b = _semaphore(), _semaphore()  # what downloads.building() keeps per session
    started, release = threading.Event(), threading.Event()

    def slow_pdf() -> bytes:  # a PDF being written until the test lets it finish
        started.set()
        assert release.wait(10)
        return b"%PDF-1.4 slow"

    def add(build, name: str, coordinates: str) -> str:
        return manager.add_deferred(build, None, coordinates, file_name=name)

    pdf = add(downloads.Expensive(slow_pdf, session_a), "view.pdf", "1.1")
    xlsx = add(downloads.Expensive(lambda: b"PK xlsx", session_a), "t.xlsx", "1.2")
    csv = add(lambda: b"a,b\n", "t.csv", "1.3")
    xlsx_b = add(downloads.Expensive(lambda: b"PK xlsx", session_b), "t.xlsx", "2.2")

    async def clicks():
        building = asyncio.create_task(clicks_to.handle(_request(pdf), "session-a"))
        while not started.is_set():  # the PDF has started
            await asyncio.sleep(0.01)
        second = await clicks_to.handle(_request(xlsx), "session-a")  # Excel while the PDF is made
        again = await clicks_to.handle(_request(pdf), "session-a")  # the PDF again (a script; a button greys out)
        cheap = await clicks_to.handle(_request(csv), "session-a")  # CSV is not capped
        other = await clicks_to.handle(_request(xlsx_b), "session-b")  # another session is not held up
        release.set()
        first = await building
        after = await clicks_to.handle(_request(xlsx), "session-a")  # once it is made, the next is
        return first, second, again, cheap, other, after

    first, second, again, cheap, other, after = asyncio.run(clicks())
    assert second.error_msg == again.error_msg == downloads.BUSY
    assert second.request_id == _request(xlsx).request_id and not second.HasField("deferred_file")
    for response in (first, cheap, other, after):
        assert not response.error_msg and response.deferred_file.url.startswith("/media/"), response
    assert _fetch(manager, first.deferred_file.url) == b"%PDF-1.4 slow"
    assert session_a.acquire(blocking=False) and session_b.acquire(blocking=False)  # nothing held once done


def test_a_refusal_is_at_once(handler):
    """A refused click does not wait for the build under way."""
    manager, clicks_to = handler
    session = _semaphore()
    session.acquire()  # a PDF of this session is being made
    try:
        refused = manager.add_deferred(downloads.Expensive(lambda: b"%PDF", session), None, "1.1", file_name="v.pdf")
        answer = asyncio.run(asyncio.wait_for(clicks_to.handle(_request(refused), "session-a"), timeout=2))
    finally:
        session.release()
    assert answer.error_msg == downloads.BUSY


def test_a_failed_build_gives_its_slot_back(handler):
    manager, clicks_to = handler
    session = _semaphore()

    def broken() -> bytes:
        raise ValueError("the PDF could not be written")

    failing = manager.add_deferred(downloads.Expensive(broken, session), None, "1.1", file_name="v.pdf")
    working = manager.add_deferred(downloads.Expensive(lambda: b"%PDF", session), None, "1.2", file_name="w.pdf")
    failed = asyncio.run(clicks_to.handle(_request(failing), "session-a"))
    assert failed.error_msg and failed.error_msg != downloads.BUSY  # Streamlit's own failure message
    assert not asyncio.run(clicks_to.handle(_request(working), "session-a")).error_msg


def test_the_cap_holds_without_the_wording():
    """The refusal is the callable's own: with Streamlit's handler as it comes, it still refuses (worded
    as Streamlit words any failure), so fair use does not rest on Streamlit's internals."""
    session = _semaphore()
    session.acquire()
    with pytest.raises(deferred_download_fix.Refused, match="still being made"):
        downloads.Expensive(lambda: b"%PDF", session)()
    session.release()
    assert downloads.Expensive(lambda: b"%PDF", session)() == b"%PDF"


def test_each_session_keeps_its_own_semaphore():
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import streamlit as st

        from dashboard.render import downloads

        first, again = downloads.building(), downloads.building()
        st.write(f"{first is again} {type(first).__name__}")

    one, two = AppTest.from_function(script), AppTest.from_function(script)
    one.run()
    two.run()
    assert [m.value for m in one.markdown] == ["True BoundedSemaphore"]
    held = one.session_state[downloads.BUILDING]
    one.run()
    assert one.session_state[downloads.BUILDING] is held  # kept across the session's runs
    assert two.session_state[downloads.BUILDING] is not held
