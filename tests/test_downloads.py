"""A file built on a click survives other sessions' runs until the browser fetches it.

Streamlit's real MediaFileManager and in-memory storage, driven as the server drives them: a
button registers its callable during a run, a click builds the file, and every other session's
run ends with a clean-up pass. Without ``dashboard.downloads`` the file is gone after two passes
(the failure seen under load); with it, it stays until the clicking session's next full run.
"""

from __future__ import annotations

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
