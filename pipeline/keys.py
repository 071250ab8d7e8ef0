"""The secret perturbation key, and the keyed hash the release is made with.

The key is needed only when the database is built (``python -m pipeline build``); it is never
written to the database and the app never reads it. docs/DISCLOSURE.md says who holds it.

``hmac_sql`` is HMAC-SHA-256 (RFC 2104) written in DuckDB SQL, so that a million responses are
hashed inside the database rather than one by one in Python: the key's inner and outer pads are
bound as parameters (``pads``), never pasted into SQL text.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

from pipeline.ingest import BuildError

KEY_SETTING = "DASHBOARD_PERTURBATION_KEY"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"  # [disclosure] perturbation_key, read from the working folder
# The demo's key, published on purpose: it is used only when every figure comes
# from the synthetic demo extracts, where there is nobody to protect.
DEMO_KEY = "synthetic-demo-data-key-not-secret"
KEY_SOURCES = ("setting", "demo key (synthetic data)", "none")
MIN_KEY_CHARS = 32  # a Trust's key: long enough that nobody guesses it (the demo's is public anyway)
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'  # 43 random characters
BLOCK = 64  # SHA-256's block size in bytes


def configured_key(secrets_file: Path = SECRETS_FILE) -> str | None:
    """The perturbation key from the environment, else from the secrets file; None when unset."""
    key = os.environ.get(KEY_SETTING, "").strip()
    if key:
        return key
    if not secrets_file.is_file():
        return None
    try:
        secrets = tomllib.loads(secrets_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildError(f"{secrets_file}: cannot be read ({error}); fix it or set {KEY_SETTING}.") from None
    key = str((secrets.get("disclosure") or {}).get("perturbation_key", "")).strip()
    return key or None


def choose_key(synthetic: bool) -> tuple[str | None, str]:
    """(key, source): the configured key; else the demo key for synthetic data; else none."""
    key = configured_key()
    if key and len(key) < MIN_KEY_CHARS and not synthetic:
        raise BuildError(
            f"the perturbation key ({KEY_SETTING}) has {len(key)} characters; a Trust's key needs at least "
            f"{MIN_KEY_CHARS}, so that nobody can guess it and undo the noise. Make one with {MAKE_A_KEY}, keep it "
            "where the Trust keeps its secrets (docs/DISCLOSURE.md), set it and build again."
        )
    if key:
        return key, "setting"
    if synthetic:
        return DEMO_KEY, "demo key (synthetic data)"
    return None, "none"


def pads(key: str) -> dict[str, bytes]:
    """HMAC's inner and outer pads of ``key`` ($ipad, $opad for ``hmac_sql``)."""
    secret = key.encode("utf-8")
    if len(secret) > BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(BLOCK, b"\0")
    return {"ipad": bytes(b ^ 0x36 for b in secret), "opad": bytes(b ^ 0x5C for b in secret)}


def hmac_sql(message: str) -> str:
    """SQL for HMAC-SHA-256 of the text ``message`` (an SQL expression) under the bound pads, as hex."""
    return f"sha256($opad::blob || unhex(sha256($ipad::blob || encode({message}))))"
