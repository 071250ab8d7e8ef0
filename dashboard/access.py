"""Who may see the dashboard: optional sign-in and an allow-list.

Sign-in is off unless ``.streamlit/secrets.toml`` has an ``[auth]`` section
(OpenID Connect, e.g. Microsoft Entra ID; see README). When it is on, a
signed-in user gets in only if their e-mail address is in
``[access] allowed_emails`` or its domain is in ``[access] allowed_domains``.
With sign-in on and no allow-list, nobody gets in: failing closed.
"""

from __future__ import annotations

from collections.abc import Iterable


def is_allowed(email: str | None, allowed_emails: Iterable[str] = (), allowed_domains: Iterable[str] = ()) -> bool:
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = email.rsplit("@", 1)[1]
    return email in {e.strip().lower() for e in allowed_emails} or domain in {
        d.strip().lower().lstrip("@") for d in allowed_domains
    }
