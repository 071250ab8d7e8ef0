"""The app's real server for the load test, the browser tests, the rebuild test and the benchmarks:
build the demo database, start, watch memory, CPU and the log for tracebacks, stop.

Everything here runs on 127.0.0.1 only, and stops only the processes it started (by their id).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.serve import app_command, free_port, healthy, spawn, stop

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TRACEBACK = "Traceback (most recent call last)"  # how Python starts one, in the server's log
# A warning logged with its stack (Streamlit's, e.g. a chart named twice) starts so: a fault as well.
STACK = "Stack (most recent call last)"


def launch(command: list[str], database: Path, log: Path) -> subprocess.Popen:
    """Start a Streamlit server on ``database`` (its output in ``log``), in a process group of its own;
    the demo's group size, whatever the environment says."""
    env = os.environ | {"DASHBOARD_DB": str(database), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    env.pop("DASHBOARD_MIN_GROUP_SIZE", None)
    return spawn(command, log, env)


def build_demo_database(target: Path) -> Path:
    """``python -m pipeline build`` of the shipped demo extracts into ``target``."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--extracts", str(ROOT / "data" / "extracts"), "--db", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the demo database failed:\n{result.stdout}\n{result.stderr}")
    return target


@dataclass
class Server:
    """``streamlit run app.py`` on a free loopback port, in a process group of its own."""

    process: subprocess.Popen
    url: str
    log: Path

    checked_bytes: int = 0  # how much of the log ``new_tracebacks`` has looked at

    @classmethod
    def start(cls, database: Path, log: Path) -> Server:
        """The server the load test, the browser tests and the rebuild test run against; raises
        RuntimeError with its log when it does not answer on /_stcore/health in time."""
        port = free_port()
        # No file watcher, as in production: a source file saved while sessions run makes Streamlit drop the
        # app's modules from sys.modules under running scripts ("KeyError: 'dashboard'"), which is not load.
        process = launch(app_command(port), database, log)
        server = cls(process, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"the Streamlit server did not start; its log:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        return server

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> set[int]:
        """The server's process and any below it: what is not a client."""
        return {self.pid} | descendants(self.pid)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def new_tracebacks(self) -> str | None:
        """The log written since the last call, from its first Python traceback (or warning logged with its
        stack) on; None when it holds none."""
        written = self.log.read_bytes()
        fresh = written[self.checked_bytes :].decode("utf-8", errors="replace")
        self.checked_bytes = len(written)
        starts = [at for at in (fresh.find(TRACEBACK), fresh.find(STACK)) if at >= 0]
        return fresh[min(starts) :] if starts else None

    def memory(self) -> dict[str, int]:
        """VmRSS (now) and VmHWM (peak) of the server process, in bytes."""
        return proc_memory(self.pid)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far."""
        return cpu_seconds({self.pid})

    def stop(self) -> None:
        """Terminate the server by its id; kill its own process group if it does not stop."""
        stop(self.process)


def proc_memory(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def descendants(pid: int) -> set[int]:
    """Process ids below ``pid`` (children, their children, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time used so far by ``pids`` (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def rss_sum(pids: set[int]) -> int:
    """Sum of VmRSS over ``pids`` (pages shared between processes are counted once per process)."""
    total = 0
    for pid in pids:
        try:
            total += proc_memory(pid).get("VmRSS", 0)
        except OSError:
            pass
    return total


@dataclass
class Proxied:
    """Replicas behind nginx (``deploy.serve.Topology``), measured like one server: memory and CPU summed
    over the replicas, nginx's CPU apart."""

    topology: object  # deploy.serve.Topology

    @classmethod
    def start(cls, database: Path, folder: Path, replicas: int) -> Proxied:
        from deploy.serve import Topology

        env = os.environ | {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        env.pop("DASHBOARD_MIN_GROUP_SIZE", None)
        topology = Topology.start(replicas, free_port(), database, folder=folder, env=env)
        return cls(topology)

    @property
    def url(self) -> str:
        return self.topology.url

    @property
    def pid(self) -> int:  # nginx's master: what the clients talk to
        return self.topology.nginx.pid

    def pids(self) -> set[int]:
        found = set()
        for pid in self.topology.pids():
            found |= {pid} | descendants(pid)
        return found

    def replica_pids(self) -> set[int]:
        return {replica.process.pid for replica in self.topology.replicas}

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM summed over the replicas (each replica's peak, added)."""
        total = {"VmRSS": 0, "VmHWM": 0}
        for pid in self.replica_pids():
            try:
                for key, value in proc_memory(pid).items():
                    total[key] += value
            except OSError:
                pass
        return total

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.replica_pids())

    def nginx_cpu_seconds(self) -> float:
        return cpu_seconds({self.pid} | descendants(self.pid))

    def log_text(self) -> str:
        return "\n".join(replica.log.read_text(errors="replace") for replica in self.topology.replicas)

    def stop(self) -> None:
        self.topology.stop()
