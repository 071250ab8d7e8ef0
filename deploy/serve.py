"""The app as N replicas behind nginx, on one machine, without Docker (``make serve``).

``python -m deploy.serve [--replicas 2] [--port 8501] [--db data/engagement.duckdb]
[--tls-cert CERT --tls-key KEY [--http-port 8080]]``

1. Starts ``--replicas`` Streamlit servers (``streamlit run app.py``, as in service: headless, no
   file watcher) on free loopback ports, all reading the same database file, and waits until each
   answers ``/_stcore/health``.
2. Renders ``deploy/nginx.conf.template`` (the file compose.yaml uses too) with those addresses,
   wraps it in a main configuration that keeps pid, logs and temp files in a private folder, and
   starts Debian's nginx in the foreground on ``127.0.0.1:--port``, as the invoking user. With
   ``--tls-cert`` and ``--tls-key`` it serves HTTPS there and redirects plain HTTP on
   ``127.0.0.1:--http-port`` to it (cookies Secure, HSTS sent: deploy/nginx.conf.template).
3. Prints the address and waits. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops nginx, then every
   replica, and removes the folder. So does nginx exiting, or the last replica. A replica that
   dies alone is reported and left down: nginx routes its sessions to the others (a supervisor,
   systemd or Docker, restarts processes in service; see docs/DEPLOYMENT.md).

Every child runs in a process group of its own and gets SIGTERM if this process dies (Linux's
parent-death signal), so none is left behind. Loopback only; nothing here needs root.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy import nginx

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
NGINX_MISSING = "nginx not found at /usr/sbin/nginx: install Debian's package with `apt-get install -y nginx`"
HOST = "127.0.0.1"
START_TIMEOUT_S = 90
PREFIX = "deploy.serve:"


# Looked up once here, so that the forked child only makes the call.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies (prctl PR_SET_PDEATHSIG)."""
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``command`` from the project root, its output in ``log``, in a process group of its own,
    dying with this process."""
    with open(log, "wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a group of its own: a terminal's Ctrl-C reaches only this process
            # One foreign call between fork and exec, no lock taken: safe enough beside other threads.
            preexec_fn=_die_with_parent if _PRCTL else None,  # noqa: PLW1509
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Signal a child we started; kill its process group if it has not exited within ``timeout``."""
    if process.poll() is None:
        try:
            process.send_signal(sig)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


def app_command(port: int, host: str = HOST, script: str = "app.py") -> list[str]:
    """``streamlit run app.py`` as the app runs in service: headless, no file watcher (a module
    reloaded under running scripts made them fail), on ``host``; the rest is in .streamlit/config.toml.
    ``script``: another entry page (the benchmarks' reference app)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx binds
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
        return False


def healthy(url: str) -> bool:
    """``/_stcore/health`` answers ok. Over HTTPS the certificate is not checked: this asks only
    whether our own nginx on loopback is up (it may hold a self-signed certificate)."""
    context = ssl._create_unverified_context() if url.startswith("https:") else None  # noqa: S323
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Replica:
    number: int
    port: int
    process: subprocess.Popen
    log: Path
    reported: bool = False  # its exit has been reported

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"


@dataclass
class Topology:
    """Replicas of the app and nginx in front of them, all children of this process."""

    folder: Path
    port: int
    replicas: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    owns_folder: bool = False
    tls: nginx.Tls | None = None  # HTTPS on port, plain HTTP on tls.http_listen redirected to it

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    @property
    def nginx_log(self) -> Path:
        return self.folder / "error.log"

    @classmethod
    def start(
        cls,
        replicas: int,
        port: int,
        database: Path,
        folder: Path | None = None,
        env: dict[str, str] | None = None,
        tls: TlsFiles | None = None,
    ) -> Topology:
        """Start ``replicas`` app processes and nginx on ``port``; return once the proxy answers.
        With ``tls``: HTTPS on ``port``, plain HTTP on ``tls.http_port`` redirected to it."""
        if not NGINX.exists():
            raise RuntimeError(NGINX_MISSING)
        if replicas < 1:
            raise ValueError("at least one replica")
        if not database.is_file():
            raise FileNotFoundError(f"no database at {database}: build it first (make data)")
        if port_in_use(port):
            raise RuntimeError(f"port {port} on {HOST} is in use: choose another (make serve PORT=...)")
        if tls is not None:
            tls.check()
            if tls.http_port == port or port_in_use(tls.http_port):
                raise RuntimeError(
                    f"port {tls.http_port} on {HOST} is in use: choose another (make serve HTTP_PORT=...)"
                )
        owns = folder is None
        topology = cls(
            Path(tempfile.mkdtemp(prefix="engagement-serve-")) if owns else folder,
            port,
            owns_folder=owns,
            tls=tls.for_nginx() if tls is not None else None,
        )
        ports = [free_port() for _ in range(replicas)]
        environment = (env if env is not None else dict(os.environ)) | {
            "DASHBOARD_DB": str(database.resolve()),
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        try:
            for number, app_port in enumerate(ports, start=1):
                log = topology.folder / f"replica-{number}.log"
                topology.replicas.append(Replica(number, app_port, spawn(app_command(app_port), log, environment), log))
            deadline = time.monotonic() + START_TIMEOUT_S
            for replica in topology.replicas:  # they start together; wait for each
                while not healthy(replica.url):
                    if replica.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"replica {replica.number} did not start; its log:\n{tail(replica.log)}")
                    time.sleep(0.2)
            topology._start_nginx()
        except BaseException:
            topology.stop()
            raise
        return topology

    def _start_nginx(self) -> None:
        self.nginx = start_nginx(self.folder, self.port, [r.address for r in self.replicas], self.tls)

    def pids(self) -> set[int]:
        """Process ids of nginx's master and the replicas (nginx's workers are its children)."""
        return {r.process.pid for r in self.replicas} | ({self.nginx.pid} if self.nginx else set())

    def alive(self) -> list[Replica]:
        return [r for r in self.replicas if r.process.poll() is None]

    def newly_dead(self) -> list[Replica]:
        """Replicas that exited since the last call."""
        dead = [r for r in self.replicas if not r.reported and r.process.poll() is not None]
        for replica in dead:
            replica.reported = True
        return dead

    def stop(self) -> None:
        """nginx first (fast shutdown: open websockets would hold a graceful one), then every replica."""
        if self.nginx is not None:
            stop(self.nginx, signal.SIGTERM)
        for replica in self.replicas:
            if replica.process.poll() is None:
                replica.process.terminate()
        for replica in self.replicas:
            stop(replica.process)
        if self.owns_folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_nginx(folder: Path, port: int, upstreams: list[str], tls: nginx.Tls | None = None) -> subprocess.Popen:
    """Debian's nginx on ``127.0.0.1:port`` in front of ``upstreams`` (``host:port``), as the invoking
    user, its configuration, pid, logs (``access.log``, ``error.log``) and temp files in ``folder``;
    returns once it answers ``/_stcore/health``. With ``tls``: HTTPS on ``port``, plain HTTP on
    ``tls.http_listen`` redirected to it. Stop it with ``stop(process)``."""
    site = folder / "site.conf"
    site.write_text(nginx.render(f"{HOST}:{port}", upstreams, str(folder / "access.log"), tls=tls), encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(nginx.standalone(folder, site), encoding="utf-8")
    command = [str(NGINX), "-p", str(folder), "-c", str(main), "-e", str(folder / "error.log")]
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected its configuration:\n{check.stderr}")
    process = spawn(command, folder / "nginx.out")
    url = f"{'https' if tls else 'http'}://{HOST}:{port}"
    deadline = time.monotonic() + 30
    while not healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(
                f"nginx did not start on {url}; its log:\n{tail(folder / 'error.log')}\n{tail(folder / 'nginx.out')}"
            )
        time.sleep(0.1)
    return process


@dataclass(frozen=True)
class TlsFiles:
    """A certificate chain and its private key (PEM files), and the loopback port whose plain HTTP
    is redirected to HTTPS."""

    certificate: Path
    key: Path
    http_port: int = 8080

    def check(self) -> None:
        for name, path in (("certificate", self.certificate), ("key", self.key)):
            if not Path(path).is_file():
                raise RuntimeError(f"no TLS {name} at {path}")

    def for_nginx(self) -> nginx.Tls:
        return nginx.Tls(Path(self.certificate).resolve(), Path(self.key).resolve(), f"{HOST}:{self.http_port}")


class _Stop(Exception):
    pass


def say(message: str, error: bool = False) -> None:
    """Print a line. A closed terminal or pipe (a `| tee` stopped by the same Ctrl-C) must not stop the stopping."""
    try:
        print(f"{PREFIX} {message}", file=sys.stderr if error else sys.stdout, flush=True)
    except OSError:
        pass


def _raise_stop(signum: int, _frame) -> None:
    raise _Stop(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="app processes (default %(default)s)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port on 127.0.0.1 (default %(default)s)")
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("DASHBOARD_DB", "data/engagement.duckdb")),
        help="the database every replica reads (default: $DASHBOARD_DB or %(default)s)",
    )
    parser.add_argument("--tls-cert", type=Path, help="serve HTTPS on --port with this certificate chain (PEM)")
    parser.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    parser.add_argument(
        "--http-port",
        type=int,
        default=8080,
        help="with TLS: plain HTTP on 127.0.0.1 here is redirected to HTTPS (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    tls = TlsFiles(args.tls_cert, args.tls_key, args.http_port) if args.tls_cert else None
    database = args.db if args.db.is_absolute() else ROOT / args.db
    if not NGINX.exists():
        print(NGINX_MISSING, file=sys.stderr)
        return 2
    if not database.is_file():
        print(f"No database at {database}: build it first (make data).", file=sys.stderr)
        return 2
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    topology = None
    status = 0
    try:
        say(f"starting {args.replicas} replica{'s' if args.replicas > 1 else ''} on {database} ...")
        topology = Topology.start(args.replicas, args.port, database, tls=tls)
        for replica in topology.replicas:
            say(f"replica {replica.number} {replica.url} (pid {replica.process.pid})")
        say(f"nginx pid {topology.nginx.pid}; configuration and logs in {topology.folder}")
        say(
            f"serving {topology.url} ({args.replicas} replica{'s' if args.replicas > 1 else ''} behind nginx"
            + (f"; plain HTTP on http://{HOST}:{tls.http_port} is redirected to it" if tls else "")
            + "); Ctrl-C stops everything"
        )
        while True:
            time.sleep(0.5)
            if topology.nginx.poll() is not None:
                say(
                    f"nginx exited (code {topology.nginx.returncode}); stopping. Its log:\n{tail(topology.nginx_log)}",
                    error=True,
                )
                status = 1
                break
            for replica in topology.newly_dead():
                say(
                    f"replica {replica.number} (pid {replica.process.pid}) exited (code {replica.process.returncode}); "
                    f"nginx routes its sessions to the others. Its log ends:\n{tail(replica.log, 10)}",
                    error=True,
                )
            if not topology.alive():
                say("no replica left; stopping.", error=True)
                status = 1
                break
    except _Stop as stop:
        say(f"{stop}: stopping nginx and the replicas ...")
    except RuntimeError as error:
        say(str(error), error=True)
        status = 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the stopping
        if topology is not None:
            topology.stop()
        say("stopped.")
    return status


if __name__ == "__main__":
    sys.exit(main())
