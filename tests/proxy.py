"""deploy/nginx.conf.template in front of a real Streamlit server, for the security tests: the headers
every response must carry, a self-signed certificate made on the spot, and nginx started as
``make serve`` starts it (``deploy.serve.start_nginx``), plain or with TLS, on loopback.

The expected values are written out here, not read from the template, so that a change to the
template fails the tests until this file and docs/SECURITY.md say the same.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import ssl
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from deploy import nginx
from deploy.serve import HOST, free_port, start_nginx, stop

# Every response through the proxy, whatever its status (added with "always").
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; "
        "script-src 'self' 'sha256-THxz9J9+wf7rhwR2YkXJoSZ13UCmYyC+3lNDv2+8ugA=' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; "
        "font-src 'self' data:; "
        "base-uri 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
        "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Over TLS only.
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def header_problems(headers: dict[str, list[str]], tls: bool) -> list[str]:
    """What is wrong with a response's headers (names lower case -> every value sent): each of
    ``HEADERS`` exactly once with its value; HSTS once over TLS, never without."""
    problems = []
    expected = dict(HEADERS) | ({HSTS[0]: HSTS[1]} if tls else {})
    for name, value in expected.items():
        sent = headers.get(name.lower(), [])
        if sent != [value]:
            problems.append(f"{name}: expected [{value!r}], sent {sent!r}")
    if not tls and headers.get(HSTS[0].lower()):
        problems.append(f"{HSTS[0]} sent without TLS: {headers[HSTS[0].lower()]}")
    return problems


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]  # lower-case name -> every value, in order
    body: bytes

    def cookies(self) -> dict[str, str]:
        """Set-Cookie by cookie name -> the whole header value."""
        return {value.split("=", 1)[0]: value for value in self.headers.get("set-cookie", [])}


def request(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    source: str | None = None,
    timeout: float = 30,
) -> Response:
    """One request on a new connection, redirects not followed; ``source``: the client's loopback
    address (127.0.0.2 is another client to nginx)."""
    parts = urllib.parse.urlsplit(url)
    options = {"timeout": timeout, "source_address": (source, 0) if source else None}
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=context, **options)
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, **options)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return Response(response.status, found, response.read())
    finally:
        connection.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid for a day, and its key (PEM files in ``folder``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Proxy:
    """nginx with the template, on loopback, in front of one Streamlit server."""

    folder: Path
    port: int
    process: subprocess.Popen
    http_port: int | None = None  # with TLS: plain HTTP here is redirected
    certificate: Path | None = None

    @classmethod
    def start(cls, folder: Path, upstream: str, tls: bool = False) -> Proxy:
        """``upstream``: the Streamlit server's ``host:port``."""
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        if not tls:
            return cls(folder, port, start_nginx(folder, port, [upstream]))
        certificate, key = self_signed(folder)
        http_port = free_port()
        process = start_nginx(folder, port, [upstream], nginx.Tls(certificate, key, f"{HOST}:{http_port}"))
        return cls(folder, port, process, http_port, certificate)

    @property
    def url(self) -> str:
        return f"{'https' if self.certificate else 'http'}://{HOST}:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    def context(self) -> ssl.SSLContext:
        """A client context that trusts this proxy's certificate only (and checks the host name)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def get(self, path: str, **options) -> Response:
        if self.certificate and path.startswith("/"):
            options.setdefault("context", self.context())
        return request(path if "://" in path else self.url + path, **options)

    def log(self, name: str = "access.log") -> str:
        path = self.folder / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        stop(self.process)
