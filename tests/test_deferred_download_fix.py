"""dashboard.render.deferred_download_fix: the Streamlit internals it relies on are still there, the fault
it works around is still real, and the workarounds work.

These fail when Streamlit changes underneath: on any version but ``CHECKED_AGAINST`` (then re-check as
the module's docstring says), when a wrapped method or an attribute it reads is renamed or reshaped,
and when the fault is gone (``test_without_the_fix_a_built_file_is_lost_to_other_sessions_runs``:
then delete the workaround).

Streamlit's real MediaFileManager and in-memory storage, driven as the server drives them: a button
registers its callable during a run, a click builds the file, and every other session's run ends
with a clean-up pass. Clicks go through Streamlit's real DeferredFileHandler in an event loop, as the
server dispatches them (the builds run in threads, as there).
"""

from __future__ import annotations

import asyncio
import inspect
import logging

import pytest
import streamlit
from streamlit.runtime.backend_operation_handler import DeferredFileHandler
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard.render import deferred_download_fix as fix

SESSION = "dontcare"  # the session id Streamlit uses outside a script run
STREAMLITS_FAILURE = "Failed to generate file for download"  # what a raising callable gets in 1.67


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


def _streamlits_own(function, marker: str):
    while getattr(function, marker, False):
        function = function.__wrapped__
    return function


@pytest.fixture
def unpatched(monkeypatch):
    """Streamlit's own execute_deferred, handle and log, whatever an earlier test in this process did."""
    original = _streamlits_own(MediaFileManager.execute_deferred, "keeps_built_files")
    monkeypatch.setattr(MediaFileManager, "execute_deferred", original)
    monkeypatch.setattr(DeferredFileHandler, "handle", _streamlits_own(DeferredFileHandler.handle, "words_refusals"))
    streamlits_log = logging.getLogger(DeferredFileHandler.__module__)
    installed = fix._not_a_refusal in streamlits_log.filters
    streamlits_log.removeFilter(fix._not_a_refusal)
    yield
    streamlits_log.removeFilter(fix._not_a_refusal)  # as it was before the test
    if installed:
        streamlits_log.addFilter(fix._not_a_refusal)


def _request(file_id: str):
    from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, DeferredFileRequestPayload

    request = BackendOperationRequest(request_id=f"click-{file_id[:6]}")
    request.deferred_file.CopyFrom(DeferredFileRequestPayload(file_id=file_id))
    return request


# --- what the module relies on --------------------------------------------------------------------


def test_version_is_the_one_the_workarounds_were_checked_against():
    assert streamlit.__version__ == fix.CHECKED_AGAINST, (
        f"Streamlit {streamlit.__version__}: re-check dashboard/render/deferred_download_fix.py as its docstring says"
    )


def test_the_wrapped_methods_are_shaped_as_written_against(unpatched):
    assert list(inspect.signature(MediaFileManager.execute_deferred).parameters) == ["self", "file_id"]
    assert list(inspect.signature(DeferredFileHandler.handle).parameters) == ["self", "request", "session_id"]
    assert inspect.iscoroutinefunction(DeferredFileHandler.handle)
    # The handler runs the build in a thread that copies its context (asyncio.to_thread): how a
    # refusal noted in the callable's thread reaches the wrapped handler.
    assert "asyncio.to_thread" in inspect.getsource(DeferredFileHandler.handle)


def test_the_manager_holds_what_keep_reads(unpatched):
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    for name in ("_lock", "_deferred_callables", "_file_metadata", "_files_by_session_and_coord", "_storage"):
        assert hasattr(manager, name), name
    placeholder = manager.add_deferred(lambda: b"x", "text/csv", "1.2.3", file_name="t.csv")
    entry = manager._deferred_callables[placeholder]
    assert {"callable", "session_id", "coordinates"} <= set(entry)
    assert (entry["session_id"], entry["coordinates"]) == (SESSION, "1.2.3")
    assert manager._files_by_session_and_coord[SESSION]["1.2.3"] == placeholder


def test_a_page_still_opens_when_the_internals_have_moved(unpatched, monkeypatch, caplog):
    monkeypatch.delattr(MediaFileManager, "execute_deferred")
    monkeypatch.setattr(fix, "_NOT_INSTALLED", set())
    with caplog.at_level(logging.WARNING, logger=fix.__name__):
        fix.install()
        fix.install()  # warned once
    assert [r.getMessage() for r in caplog.records] == [
        "keep_built_files could not be installed on Streamlit's internals"
    ]
    assert getattr(DeferredFileHandler.handle, "words_refusals", False)  # the other one is in place


# --- 1. the fault, and the fix ----------------------------------------------------------------------


def test_without_the_fix_a_built_file_is_lost_to_other_sessions_runs(unpatched):
    """The fault itself. When this fails on a new Streamlit, the fault is fixed: drop ``keep_built_files``."""
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    built = _click(manager)
    _other_sessions_finish_runs(manager)
    with pytest.raises(MediaFileStorageError):
        _fetch(manager, built)


def test_a_built_file_lasts_until_the_clicking_session_runs_again(unpatched):
    fix.keep_built_files()
    fix.keep_built_files()  # twice is once
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
    fix.keep_built_files()
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    placeholder = manager.add_deferred(lambda: b"late", "text/csv", "1.2.3", file_name="t.csv")
    manager.clear_session_refs(SESSION)  # the tab closed before the request arrived
    url = manager.execute_deferred(placeholder)
    assert SESSION not in manager._files_by_session_and_coord
    _other_sessions_finish_runs(manager)
    with pytest.raises(MediaFileStorageError):
        _fetch(manager, url.rsplit("/", 1)[-1].split(".")[0])


# --- 2. a refusal's wording -------------------------------------------------------------------------


def _refusing() -> bytes:
    raise fix.refuse("Not now, one is being made.")


def _broken() -> bytes:
    raise ValueError("the PDF could not be written")


def _answer(manager: MediaFileManager, build) -> object:
    """A click on a button whose callable is ``build``, answered by Streamlit's click handler."""
    handler = DeferredFileHandler(lambda: manager)
    request = _request(manager.add_deferred(build, "application/pdf", "1.1", file_name="v.pdf"))
    answer = asyncio.run(handler.handle(request, "session-a"))
    assert answer.request_id == request.request_id
    return answer


def test_without_the_wording_a_refusal_is_streamlits_failure_with_a_traceback(unpatched, caplog):
    """What Streamlit does with a callable that raises: no file, its fixed message, a traceback."""
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    streamlits_log = logging.getLogger(DeferredFileHandler.__module__)  # does not propagate to caplog's
    streamlits_log.addHandler(caplog.handler)
    try:
        answer = _answer(manager, _refusing)
    finally:
        streamlits_log.removeHandler(caplog.handler)
    assert answer.error_msg == STREAMLITS_FAILURE and not answer.HasField("deferred_file")
    assert [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1].__cause__, fix.Refused)]


def test_a_refusal_is_worded_and_not_logged_as_a_failure(unpatched, caplog):
    fix.word_refusals()
    fix.word_refusals()  # twice is once
    assert not getattr(DeferredFileHandler.handle.__wrapped__, "words_refusals", False)
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    streamlits_log = logging.getLogger(DeferredFileHandler.__module__)
    streamlits_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            refused = _answer(manager, _refusing)
            failed = _answer(manager, _broken)
            built = _answer(manager, lambda: b"%PDF")
    finally:
        streamlits_log.removeHandler(caplog.handler)
    assert refused.error_msg == "Not now, one is being made." and not refused.HasField("deferred_file")
    assert failed.error_msg == STREAMLITS_FAILURE  # a real failure is still Streamlit's own
    assert not built.error_msg and built.deferred_file.url.startswith("/media/")
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and isinstance(tracebacks[0].exc_info[1].__cause__, ValueError)
