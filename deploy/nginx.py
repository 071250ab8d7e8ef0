"""Fill in ``deploy/nginx.conf.template``, and wrap it for an nginx that runs as the invoking user.

``python -m deploy.nginx --listen 80 --server 127.0.0.1:8502 --server 127.0.0.1:8503`` prints the
proxy's configuration for a system nginx (``/etc/nginx/conf.d/engagement.conf`` on Debian); with
``--tls-cert CERT --tls-key KEY --listen 443 --http-listen 80`` it serves HTTPS on 443 and redirects
plain HTTP on 80 to it. The substitution is envsubst's, for the names given only, so that the
official nginx image (which runs envsubst on the same file) and this module give the same result.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class Tls:
    """HTTPS with nginx holding the certificate: ``certificate`` (PEM, the chain) and ``key`` (PEM)
    as paths nginx can read, and ``http_listen``, the plain-HTTP address whose requests are
    redirected to HTTPS (``"80"``, ``"127.0.0.1:8080"``)."""

    certificate: Path | str
    key: Path | str
    http_listen: str


def _port(listen: str) -> int:
    """The port of a ``listen`` value: "443 ssl" -> 443, "127.0.0.1:8443 ssl" -> 8443, "[::1]:8443" -> 8443."""
    return int(listen.split()[0].rsplit(":", 1)[-1])


def tls_directives(tls: Tls, https_port: int) -> str:
    """The TLS variable's text: the plain-HTTP listener, the certificate, ``$tls_site`` on (the
    template's maps then mark cookies Secure), and the redirect of plain HTTP to HTTPS on
    ``https_port`` (308: the method and body are kept). ``$host`` is the name the browser asked
    for, without its port; the HTTPS port is added unless it is 443."""
    port = "" if https_port == 443 else f":{https_port}"
    return (
        f"listen {tls.http_listen};\n"
        f"    ssl_certificate {tls.certificate};\n"
        f"    ssl_certificate_key {tls.key};\n"
        "    set $tls_site on;\n"
        f'    if ($https = "") {{ return 308 https://$host{port}$request_uri; }}'
    )


def render(listen: str, servers: list[str], access_log: str, template: Path = TEMPLATE, tls: Tls | None = None) -> str:
    """The template with its variables filled in; ``servers`` are ``host:port`` addresses. With
    ``tls``, ``listen`` is the HTTPS address (" ssl" is added when missing)."""
    if not servers:
        raise ValueError("at least one upstream server is needed")
    if tls is not None and "ssl" not in listen.split()[1:]:
        listen = f"{listen} ssl"
    values = {
        "LISTEN": listen,
        "UPSTREAM_SERVERS": "\n    ".join(f"server {server};" for server in servers),
        "ACCESS_LOG": access_log,
        "TLS": tls_directives(tls, _port(listen)) if tls is not None else "",
    }
    text = template.read_text(encoding="utf-8")
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if unknown:
        raise ValueError(f"{template} uses variables this module does not fill in: {', '.join(unknown)}")
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def standalone(folder: Path, site: Path) -> str:
    """A main nginx.conf that keeps everything in ``folder`` and includes ``site`` (the rendered template).

    In the foreground (``daemon off``) with a master process, so the caller holds its process id and
    stops it with a signal; pid file, error log and temp files in ``folder``, so no root is needed.
    When run by root anyway, the workers stay root too instead of the default ``nobody`` (they must
    write the temp files in ``folder``, which only its owner may).
    """
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "# Written by deploy/serve.py for `make serve`; the proxy rules are in the included file,\n"
        "# rendered from deploy/nginx.conf.template.\n"
        f"{user}"
        "daemon off;\n"
        "master_process on;\n"
        "worker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} notice;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.nginx", description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="80", help="what nginx listens on (default %(default)s)")
    parser.add_argument(
        "--server", action="append", required=True, metavar="HOST:PORT", help="a replica's address; repeat for each"
    )
    parser.add_argument("--access-log", default="/var/log/nginx/engagement.access.log", help="default %(default)s")
    parser.add_argument("--tls-cert", help="serve HTTPS on --listen with this certificate chain (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument(
        "--http-listen", default="80", help="with TLS: plain HTTP here is redirected to HTTPS (default %(default)s)"
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    tls = Tls(args.tls_cert, args.tls_key, args.http_listen) if args.tls_cert else None
    sys.stdout.write(render(args.listen, args.server, args.access_log, tls=tls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
