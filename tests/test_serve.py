"""``make serve``'s topology, for real: two replicas of the app behind Debian's nginx on loopback.

``python -m deploy.serve --replicas 2`` is started as ``make serve`` starts it, on a database built by the
real pipeline from a copy of the demo extracts. Through nginx, with clients that speak Streamlit's
websocket protocol (load/protocol.py; no browser needed), the tests check in order that:

1. a page loads through the proxy (health, the app's page, a page run with the Engagement page's tiles),
   and the proxy hands out its route cookie;
2. a download works through the proxy: the file is built on request and fetched from its URL, which
   exists only in the replica that holds the session (the other answers 404: why routing is sticky);
3. a rebuild (``python -m pipeline build`` swapping in a file with one more conversation) shows up in
   every replica, with no restart: in sessions open before it (on their next run), in new sessions
   through the proxy pinned to each replica, and on each replica's own port;
4. a replica killed with SIGKILL is routed around: sessions whose cookie pointed at it, and new ones,
   load from the other; the proxy stays healthy, and deploy.serve reports the exit and keeps serving;
5. SIGINT stops nginx and the replicas and removes the run's folder; no replica log holds a traceback.

Skipped when Debian's nginx is not installed (``apt-get install -y nginx``; .ci/run installs it).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from deploy.serve import NGINX, NGINX_MISSING, free_port
from load.protocol import ProtocolSession
from tests.conftest import DEMO_EXTRACTS, ROOT, start_child

pytestmark = [pytest.mark.skipif(not NGINX.exists(), reason=NGINX_MISSING), pytest.mark.slow]

PAGE = "/Engagement"  # tiles that a new conversation changes, and CSV downloads
START_TIMEOUT_S = 120
TIMEOUT_S = 60


def _build(extracts: Path, database: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--extracts", str(extracts), "--db", str(database)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _expected(extracts: Path) -> dict[str, str]:
    conversations = pd.read_csv(extracts / "conversations.csv", dtype={"hours": float})
    return {
        "Conversations": f"{len(conversations):,}",
        "Service areas covered": f"{conversations['service_area'].nunique():,}",
    }


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    replicas: dict[int, tuple[str, int]]  # number -> (its own URL, pid)
    folder: Path
    database: Path
    versions: list[Path]
    lines: list[str] = field(default_factory=list)  # deploy.serve's output so far
    routes: dict[int, str] = field(default_factory=dict)  # replica number -> a route cookie value nginx sends to it

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def replica_of(self, address: str) -> int:
        return next(n for n, (url, _pid) in self.replicas.items() if url.endswith("//" + address))

    def upstreams(self, route: str, path_prefix: str) -> list[str]:
        """The replica addresses nginx tried, in order, for each logged request of ``route`` to ``path_prefix``."""
        found = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            match = re.search(r'"GET (\S+) [^"]*" \d{3} .* route=(\S+) upstream=(.+?) upstream_status=', line)
            if match and match[2] == route and match[1].startswith(path_prefix):
                found.append(match[3])
        return found


def _eventually(check, timeout: float = 10) -> bool:
    """``check()`` turns true within ``timeout`` (nginx logs a websocket when it has closed it, a moment later)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _get(url: str, cookie: str | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            headers = {name.lower(): response.headers.get_all(name) for name in response.headers}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {}, b""


def _session(url: str, route: str | None = None, number: int = 0) -> ProtocolSession:
    session = ProtocolSession(number, url, rng=random.Random(number), idle_timeout=TIMEOUT_S)
    session.cookie = f"st_route={route}" if route else None
    return session


async def _open(url: str, route: str | None = None, number: int = 0) -> ProtocolSession:
    session = _session(url, route, number)
    await session.open(PAGE)
    assert not session.failures, session.failures
    return session


def _find_routes(served: Served) -> None:
    """A route cookie value that nginx sends to each replica, read from nginx's log (20 routes reach both)."""
    for n in range(20):
        route = f"probe-{n}"
        assert _get(served.url + "/_stcore/health", cookie=f"st_route={route}")[0] == 200
        assert _eventually(lambda: served.upstreams(route, "/_stcore/health"))  # noqa: B023 - called at once
        (upstream,) = served.upstreams(route, "/_stcore/health")
        served.routes.setdefault(served.replica_of(upstream), route)
    assert sorted(served.routes) == [1, 2], f"20 routes all went to one replica: {served.routes}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Extracts v0 (the demo) and v1 (one more conversation), v0 built, and ``deploy.serve`` with 2 replicas."""
    folder = tmp_path_factory.mktemp("serve")
    v0 = shutil.copytree(DEMO_EXTRACTS, folder / "v0")
    v1 = shutil.copytree(DEMO_EXTRACTS, folder / "v1")
    areas = pd.read_csv(v0 / "service_areas.csv", dtype=str)["service_area"]
    held = set(pd.read_csv(v0 / "conversations.csv", dtype=str)["service_area"])
    quiet = min(set(areas) - held)  # an area with no conversation: "Service areas covered" goes up too
    with open(v1 / "conversations.csv", "a", encoding="utf-8", newline="") as out:
        out.write(f"CONV-SERVE-1,2021-04-12,{quiet},3,Microsoft Teams\r\n")
    database = folder / "db" / "engagement.duckdb"
    database.parent.mkdir()
    _build(v0, database)

    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    env.pop("DASHBOARD_MIN_GROUP_SIZE", None)
    process = start_child(
        [sys.executable, "-m", "deploy.serve", "--replicas", "2", "--port", str(free_port()), "--db", str(database)],
        env,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if " serving " in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        started = ready.wait(START_TIMEOUT_S) and process.poll() is None
        assert started, "deploy.serve did not start:\n" + "\n".join(lines)
        text = "\n".join(lines)
        replicas = {
            int(n): (url, int(pid)) for n, url, pid in re.findall(r"replica (\d+) (http://\S+) \(pid (\d+)\)", text)
        }
        run_folder = Path(re.search(r"configuration and logs in (\S+)", text)[1])
        url = re.search(r"serving (http://\S+)", text)[1]
        assert len(replicas) == 2, text
        served = Served(process, url, replicas, run_folder, database, [v0, v1], lines)
        _find_routes(served)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its children get SIGTERM when it dies
                process.wait(timeout=10)


def test_a_page_loads_through_the_proxy(served: Served) -> None:
    status, headers, body = _get(served.url + "/_stcore/health")
    assert (status, body) == (200, b"ok")
    cookies = [c for c in headers.get("set-cookie", []) if c.startswith("st_route=")]
    assert len(cookies) == 1 and "HttpOnly" in cookies[0], headers
    status, headers, _ = _get(served.url + "/_stcore/health", cookie=cookies[0].split(";")[0])
    assert status == 200 and not [c for c in headers.get("set-cookie", []) if c.startswith("st_route=")], (
        "a browser that has the route cookie is not given another"
    )

    status, _, body = _get(served.url + PAGE)  # the app's page (Streamlit's index.html)
    assert status == 200 and b'<div id="root">' in body, body[-300:]

    async def run() -> dict[str, str]:
        session = await _open(served.url)
        await session.close()
        return session.last.metrics

    tiles = asyncio.run(run())
    expected = _expected(served.versions[0])
    assert {k: tiles.get(k) for k in expected} == expected, tiles


def test_a_download_works_through_the_proxy(served: Served) -> None:
    route = served.routes[1]

    async def run():
        session = await _open(served.url, route)
        got = await session.fetch_download("Download CSV")
        await session.close()
        return got

    got = asyncio.run(run())
    assert got.status == 200, got
    text = got.body.decode("utf-8-sig")
    assert text.startswith("# Source: Digital strategy engagement dashboard"), text[:200]
    assert "Conversations" in text or "conversations" in text, text[:400]
    assert _eventually(lambda: served.upstreams(route, got.url))
    (upstream,) = served.upstreams(route, got.url)
    assert served.replica_of(upstream) == 1
    # The file lives in the process that built it: the other replica does not have it.
    assert _get(served.replicas[2][0] + got.url)[0] == 404
    assert _get(served.replicas[1][0] + got.url)[0] == 200


def test_a_rebuild_shows_up_in_every_replica(served: Served) -> None:
    before, after = (_expected(v) for v in served.versions)
    assert before != after

    async def run() -> None:
        # Sessions open before the rebuild: one per replica through the proxy, one on each replica's port.
        sessions = {
            f"replica {n} through the proxy": await _open(served.url, route, n) for n, route in served.routes.items()
        }
        sessions |= {
            f"replica {n} on its port": await _open(url, None, 10 + n) for n, (url, _pid) in served.replicas.items()
        }
        for name, session in sessions.items():
            assert {k: session.last.metrics.get(k) for k in before} == before, name
        await asyncio.to_thread(_build, served.versions[1], served.database)  # swapped in while they are open
        for name, session in sessions.items():  # their next run reads the new file
            run = await session.rerun()
            assert not session.failures, (name, session.failures)
            assert {k: run.metrics.get(k) for k in after} == after, f"{name} after the rebuild: {run.metrics}"
            await session.close()
        for n, route in served.routes.items():  # and so do new sessions on each replica
            fresh = await _open(served.url, route, 20 + n)
            assert {k: fresh.last.metrics.get(k) for k in after} == after, f"new session on replica {n}"
            await fresh.close()

    asyncio.run(run())

    def served_by() -> set[int]:
        return {
            served.replica_of(u.split(", ")[-1])
            for route in served.routes.values()
            for u in served.upstreams(route, "/_stcore/stream")
        }

    assert _eventually(lambda: served_by() == {1, 2}), served_by()


def test_a_killed_replica_is_routed_around(served: Served) -> None:
    dead_url, dead_pid = served.replicas[1]
    streams_before = len(served.upstreams(served.routes[1], "/_stcore/stream"))
    os.kill(dead_pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not any("replica 1" in line and "exited" in line for line in served.lines):
        assert time.monotonic() < deadline, "deploy.serve did not report the dead replica:\n" + "\n".join(served.lines)
        time.sleep(0.1)
    assert served.process.poll() is None, "deploy.serve stopped with one replica left"
    assert _get(served.url + "/_stcore/health", cookie=f"st_route={served.routes[1]}")[:3:2] == (200, b"ok")

    async def run() -> list[ProtocolSession]:
        pinned = await _open(served.url, served.routes[1], 30)  # its cookie points at the dead replica
        newcomers = [await _open(served.url, None, 31 + n) for n in range(4)]  # no cookie: any replica
        for session in [pinned, *newcomers]:
            await session.close()
        return [pinned, *newcomers]

    sessions = asyncio.run(run())
    after = _expected(served.versions[1])
    for session in sessions:
        assert {k: session.last.metrics.get(k) for k in after} == after
    assert _eventually(lambda: len(served.upstreams(served.routes[1], "/_stcore/stream")) > streams_before)
    last_tried = served.upstreams(served.routes[1], "/_stcore/stream")[-1].split(", ")
    assert served.replica_of(last_tried[-1]) == 2, f"nginx tried {last_tried}"
    with pytest.raises(OSError):
        urllib.request.urlopen(dead_url + "/_stcore/health", timeout=5)


def test_stopping_leaves_nothing_behind(served: Served) -> None:
    logs = {path.name: path.read_text(errors="replace") for path in served.folder.glob("replica-*.log")}
    assert len(logs) == 2
    for name, text in logs.items():
        assert "Traceback" not in text, f"{name}:\n{text[-4000:]}"
    nginx_pid = int(re.search(r"nginx pid (\d+)", "\n".join(served.lines))[1])
    started = time.monotonic()
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=30) == 0, "\n".join(served.lines)
    for pid in [nginx_pid, *(pid for _url, pid in served.replicas.values())]:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower(), (
            f"process {pid} is still running after deploy.serve stopped"
        )
    assert not served.folder.exists()
    assert any("stopped." in line for line in served.lines)
    print(f"\nstopped in {time.monotonic() - started:.1f} s")
