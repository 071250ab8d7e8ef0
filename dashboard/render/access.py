"""Who may see the dashboard: optional sign-in and an allow-list, failing closed.

Sign-in is off only when there is no secrets file at all (``.streamlit/secrets.toml``)
or the file has no ``[auth]`` section, and ``DASHBOARD_REQUIRE_AUTH`` is not set. Any
doubt stops every page for everyone: a secrets file that can't be read, an ``[auth]``
section Streamlit's OpenID Connect sign-in can't work with, or one without an
allow-list. When sign-in is on, a signed-in user gets in if any ``[access]`` list
matches them: ``allowed_emails``, ``allowed_domains`` (of the e-mail address),
``allowed_tenants`` (Entra ID ``tid`` claim) or ``allowed_object_ids`` (``oid``).
With an access file (``DASHBOARD_ACCESS_FILE``, ``dashboard.features.grants``) the file may stand
for the allow-list, and a person also needs a grant in it; the file needs sign-in on.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from dashboard.core import db, settings
from dashboard.core.filters import Options
from dashboard.core.text import escape_markdown
from dashboard.features import grants

# [access] key -> the claim of st.user it is compared with.
ALLOW_LISTS = {
    "allowed_emails": "email",
    "allowed_domains": "email",
    "allowed_tenants": "tid",
    "allowed_object_ids": "oid",
}
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
OPEN = "Open access: sign-in is not configured (fine for local use; see the README)."


@dataclass(frozen=True)
class Access:
    note: str  # the sidebar line: who is signed in, or open access
    user: Mapping[str, Any] | None = None  # the signed-in person's claims; None when access is open


def _listed(rules: Mapping[str, Any], key: str) -> set[str]:
    return {str(v).strip().lower() for v in rules.get(key) or ()}


def is_allowed(user: Mapping[str, Any], rules: Mapping[str, Any]) -> bool:
    """True when any [access] list matches the user's claims. Case-insensitive throughout
    (e-mail addresses as Entra ID sends them vary in case; GUIDs are hex in either case)."""

    def claim(name: str) -> str:
        return str(user.get(name) or "").strip().lower()

    email, tenant, object_id = claim("email"), claim("tid"), claim("oid")
    domain = email.rsplit("@", 1)[1] if "@" in email else ""
    return bool(
        (domain and email in _listed(rules, "allowed_emails"))
        or (domain and domain in {d.lstrip("@") for d in _listed(rules, "allowed_domains")})
        or (tenant and tenant in _listed(rules, "allowed_tenants"))
        or (object_id and object_id in _listed(rules, "allowed_object_ids"))
    )


def providers(auth: Mapping[str, Any]) -> list[str]:
    """Sign-in providers [auth] configures completely: "default" (keys at the top) and named sub-sections."""
    complete = ["default"] if all(auth.get(k) for k in PROVIDER_KEYS) else []
    return complete + [
        name
        for name, section in auth.items()
        if isinstance(section, Mapping) and all(section.get(k) for k in PROVIDER_KEYS)
    ]


def config_problems(auth: Any, rules: Any, access_file: bool = False) -> list[str]:
    """What stops sign-in from working safely with this [auth] and [access] (``access_file``: one is
    set, and stands for the allow-list); empty when nothing does."""
    if not isinstance(auth, Mapping):
        return ["`[auth]` must be a section"]
    problems = [f"`[auth]` has no `{key}`" for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    if not providers(auth):
        problems.append(
            "`[auth]` has no provider: `client_id`, `client_secret` and `server_metadata_url` "
            "at its top or in a provider section such as `[auth.microsoft]`"
        )
    rules = rules if isinstance(rules, Mapping) else {}
    for key in ALLOW_LISTS:
        # A string where a list belongs would be matched character by character.
        if key in rules and not (isinstance(rules[key], list) and all(isinstance(v, str) for v in rules[key])):
            problems.append(f"`[access] {key}` must be a list of strings")
    if not access_file and not any(rules.get(key) for key in ALLOW_LISTS):
        problems.append("`[access]` has no allow-list (" + ", ".join(f"`{k}`" for k in ALLOW_LISTS) + ")")
    return problems


def gate() -> Access:
    """Stop the page unless the user may see it. Returns the sidebar line (who is signed in, or open
    access) and the signed-in person's claims; the units they may see (their grant) are ``dashboard.features.grants``' business."""
    import streamlit as st
    from streamlit import config

    def stop(message: str) -> NoReturn:
        st.error(message + " Nobody is let in until this is fixed.", icon=":material/lock:")
        st.stop()
        raise AssertionError("unreachable")  # st.stop() raises

    try:
        required = settings.require_auth()
    except ValueError as error:
        stop(f"Sign-in can't be checked: `{error}`.")
    access_file = settings.access_file()

    try:
        secrets = st.secrets.to_dict()
    except Exception as error:
        present = [path for path in config.get_option("secrets.files") if os.path.exists(path)]
        if present or not isinstance(error, FileNotFoundError):
            # The file is there but unreadable (e.g. a key written twice): its [auth] may be
            # meant to be on, so opening up would be a guess in the wrong direction.
            names = ", ".join(f"`{path}`" for path in present) or "the secrets file"
            stop(f"Sign-in can't be checked: {names} could not be read ({escape_markdown(error)}).")
        secrets = {}  # no secrets file at all

    if "auth" not in secrets:
        if access_file is not None:
            stop(
                f"An access file is set ({settings.ACCESS_FILE.env}) but sign-in is not configured: there is no "
                "`[auth]` section in `.streamlit/secrets.toml`, so nobody can be told apart (see the README)."
            )
        if required:
            stop(
                f"Sign-in is required ({settings.REQUIRE_AUTH.env} is on) but not configured: "
                "there is no `[auth]` section in `.streamlit/secrets.toml` (see the README)."
            )
        return Access(OPEN)

    problems = config_problems(secrets["auth"], secrets.get("access"), access_file is not None)
    if problems:
        stop("Sign-in is configured but incomplete in `.streamlit/secrets.toml`: " + "; ".join(problems) + ".")

    if not st.user.is_logged_in:
        st.title("Digital strategy engagement")
        st.markdown("Sign in with your organisation account to see the dashboard.")
        for provider in providers(secrets["auth"]):
            label = "Sign in" if provider == "default" else f"Sign in with {provider}"
            st.button(
                label,
                on_click=st.login,
                args=(provider,),
                key=f"login-{provider}",
                type="primary",
                icon=":material/login:",
            )
        st.stop()
    user = st.user.to_dict()
    who = escape_markdown(user.get("email") or user.get("name") or "")
    rules = secrets.get("access") if isinstance(secrets.get("access"), Mapping) else {}
    if any(rules.get(key) for key in ALLOW_LISTS) and not is_allowed(user, rules):
        st.error(f"{who or 'This account'} is not on this dashboard's allow-list. Ask its owner for access.")
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        st.stop()
    st.sidebar.button("Sign out", on_click=st.logout, icon=":material/logout:")
    return Access(f"Signed in as {who}." if who else "Signed in.", user)


@functools.lru_cache(maxsize=4)
def _grants(path: str, identity: tuple[int, int, int]) -> tuple[grants.AccessRule, ...]:
    # Keyed on the file's identity: an edited access file is read again, with no restart.
    return grants.read_rules(Path(path))


def grant(access: Access, options: Options) -> grants.Grant:
    """What the person may see: everything when access is open or there is no access file;
    otherwise what the access file grants them. Stops the page when the file can't be used
    (for everyone) or grants this person nothing."""
    import streamlit as st

    path = settings.access_file()
    if access.user is None or path is None:
        return grants.TRUST
    identity = db.file_identity(path)  # changes when the file is replaced
    try:
        if identity is None:
            raise grants.AccessFileError(f"{path}: there is no such file")
        rules = _grants(str(path), identity)
        grants.check_units(rules, options, path)
    except grants.AccessFileError as error:
        st.error(
            f"The access file ({settings.ACCESS_FILE.env}) can't be used: {escape_markdown(error)}. "
            "Nobody is let in until this is fixed.",
            icon=":material/lock:",
        )
        st.stop()
    found = grants.grant_of(access.user, rules)
    if found is None:
        who = escape_markdown(access.user.get("email") or access.user.get("name") or "This account")
        st.error(
            f"{who} has no grant in this dashboard's access file, so there is nothing it may see. Ask the "
            "dashboard's owner for access to your service area or care group.",
            icon=":material/lock:",
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        st.stop()
    return found
