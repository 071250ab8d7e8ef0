"""Optional sign-in: open when not configured, allow-list enforced when it is."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import is_allowed
from tests.conftest import ROOT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("email", "emails", "domains", "allowed"),
    [
        ("a.b@trust.nhs.uk", [], ["trust.nhs.uk"], True),
        ("A.B@Trust.NHS.uk ", [], ["@trust.nhs.uk"], True),
        ("a.b@other.nhs.uk", [], ["trust.nhs.uk"], False),
        ("a.b@evil-trust.nhs.uk", [], ["trust.nhs.uk"], False),
        ("x@gmail.com", ["x@gmail.com"], [], True),
        ("x@gmail.com", [], [], False),
        (None, [], ["trust.nhs.uk"], False),
        ("not-an-email", [], ["not-an-email"], False),
    ],
)
def test_allow_list(email, emails, domains, allowed):
    assert is_allowed(email, emails, domains) is allowed


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_without_auth_config_the_app_is_open_and_says_so(demo_env):
    at = _app().run()
    assert not at.exception
    assert any("sign-in is not configured" in m.value for m in at.sidebar.markdown)
    assert len(at.metric) == 8


def test_with_auth_config_a_signed_out_user_sees_only_the_sign_in(demo_env):
    at = _app()
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"allowed_domains": ["trust.nhs.uk"]}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert len(at.metric) == 0


def test_with_auth_config_the_allow_list_decides(demo_env):
    at = _app()
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"allowed_domains": ["trust.nhs.uk"]}
    at.user = {"is_logged_in": True, "email": "someone@elsewhere.org", "name": "Someone"}
    at.run()
    assert not at.exception and len(at.metric) == 0
    assert "not on this dashboard's allow-list" in at.error[0].value

    at = _app()
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"allowed_domains": ["trust.nhs.uk"]}
    at.user = {"is_logged_in": True, "email": "champion@trust.nhs.uk", "name": "Champion"}
    at.run()
    assert not at.exception and len(at.metric) == 8

