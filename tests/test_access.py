"""Sign-in: open when not configured at all, allow-list enforced when it is, closed on any doubt."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from dashboard.core import registry, settings
from dashboard.render.access import config_problems, is_allowed, providers
from tests.conftest import ROOT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
}
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OBJECT_ID = "00000000-0000-4000-8000-0000000000aa"
AUTH_TOML = "[auth]\n" + "".join(f'{key} = "{value}"\n' for key, value in AUTH.items())
PAGES = [page.script for page in registry.pages(ROOT)]


@pytest.fixture(autouse=True)
def _auth_not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.REQUIRE_AUTH.env, raising=False)


@pytest.fixture
def secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Streamlit's only secrets file for this test: a path in a temporary folder, absent until written.

    Streamlit reads the files listed in its `secrets.files` option (by default ~/.streamlit/ and
    ./.streamlit/secrets.toml) into the st.secrets singleton, which keeps what it parsed: each test
    gets a fresh one, without a file watcher (a polling thread on a file about to be deleted).
    """
    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    fresh = Secrets()
    fresh._file_watchers_installed = True
    monkeypatch.setattr(st, "secrets", fresh)
    # st.user reads the module-level singleton, not st.secrets: left alone it would keep this
    # test's [auth] and ask every later test to sign in.
    monkeypatch.setattr("streamlit.auth_util.secrets_singleton", fresh)
    monkeypatch.chdir(tmp_path)
    with patch_config_options({"secrets.files": [str(path)]}):
        yield path


# --- pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "rules", "allowed"),
    [
        ({"email": "a.b@trust.nhs.uk"}, {"allowed_domains": ["trust.nhs.uk"]}, True),
        ({"email": "A.B@Trust.NHS.uk "}, {"allowed_domains": ["@trust.nhs.uk"]}, True),
        ({"email": "a.b@other.nhs.uk"}, {"allowed_domains": ["trust.nhs.uk"]}, False),
        ({"email": "a.b@evil-trust.nhs.uk"}, {"allowed_domains": ["trust.nhs.uk"]}, False),
        ({"email": "X@Gmail.com"}, {"allowed_emails": ["x@gmail.com"]}, True),
        ({"email": "x@gmail.com"}, {}, False),
        ({}, {"allowed_domains": ["trust.nhs.uk"]}, False),
        ({"email": "not-an-email"}, {"allowed_domains": ["not-an-email"], "allowed_emails": ["not-an-email"]}, False),
        ({"email": "x@elsewhere.org", "tid": TENANT}, {"allowed_tenants": [TENANT.upper()]}, True),
        ({"tid": TENANT.upper()}, {"allowed_tenants": [f" {TENANT} "]}, True),
        ({"tid": "11111111-1111-1111-1111-111111111111"}, {"allowed_tenants": [TENANT]}, False),
        ({"tid": TENANT}, {"allowed_object_ids": [TENANT]}, False),  # a tenant id is not an object id
        ({"oid": OBJECT_ID.upper()}, {"allowed_object_ids": [OBJECT_ID]}, True),
        ({"oid": OBJECT_ID, "tid": TENANT}, {"allowed_object_ids": ["00000000-0000-4000-8000-0000000000bb"]}, False),
        ({"oid": "", "tid": ""}, {"allowed_tenants": [""], "allowed_object_ids": [""]}, False),
        # Any list matching is enough.
        (
            {"email": "x@elsewhere.org", "oid": OBJECT_ID},
            {"allowed_domains": ["trust.nhs.uk"], "allowed_object_ids": [OBJECT_ID]},
            True,
        ),
    ],
)
def test_allow_list(user, rules, allowed):
    assert is_allowed(user, rules) is allowed


@pytest.mark.parametrize(
    ("auth", "access", "expected"),
    [
        (AUTH, {"allowed_tenants": [TENANT]}, []),
        ({}, {"allowed_tenants": [TENANT]}, ["redirect_uri", "cookie_secret", "no provider"]),
        ({k: v for k, v in AUTH.items() if k != "cookie_secret"}, {"allowed_emails": ["a@b.c"]}, ["cookie_secret"]),
        ({k: v for k, v in AUTH.items() if k != "client_secret"}, {"allowed_emails": ["a@b.c"]}, ["no provider"]),
        (AUTH, None, ["no allow-list"]),
        (AUTH, {"allowed_domains": []}, ["no allow-list"]),
        (AUTH, {"allowed_domains": "trust.nhs.uk"}, ["must be a list"]),
        ("auth", {"allowed_tenants": [TENANT]}, ["must be a section"]),
    ],
)
def test_config_problems(auth, access, expected):
    problems = config_problems(auth, access)
    assert len(problems) == len(expected)
    for problem, words in zip(problems, expected):
        assert words in problem


def test_a_named_provider_section_is_enough():
    auth = {key: AUTH[key] for key in ("redirect_uri", "cookie_secret")}
    auth["microsoft"] = {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}
    assert providers(auth) == ["microsoft"]
    assert config_problems(auth, {"allowed_tenants": [TENANT]}) == []
    auth["microsoft"] = {"client_id": "id"}
    assert "no provider" in config_problems(auth, {"allowed_tenants": [TENANT]})[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", False), ("false", False), ("0", False), ("No", False), ("true", True), ("1", True), (" YES ", True)],
)
def test_require_auth_setting(monkeypatch, raw, expected):
    monkeypatch.setenv(settings.REQUIRE_AUTH.env, raw)
    assert settings.require_auth() is expected


@pytest.mark.parametrize("raw", ["on", "ture", "2"])
def test_require_auth_setting_rejects_other_values(monkeypatch, raw):
    monkeypatch.setenv(settings.REQUIRE_AUTH.env, raw)
    with pytest.raises(ValueError, match=settings.REQUIRE_AUTH.env):
        settings.require_auth()


# --- the gate on every page -----------------------------------------------------------------


def _app(script: str = "app.py") -> AppTest:
    return AppTest.from_file(str(ROOT / script), default_timeout=30)


def _assert_stopped(at: AppTest, *words: str) -> None:
    """The page stopped before any of its content, saying why."""
    assert not at.exception
    assert not at.title and not at.metric and not at.dataframe and not at.button
    assert len(at.error) == 1
    for word in words:
        assert word in at.error[0].value
    assert "Nobody is let in" in at.error[0].value


BROKEN = AUTH_TOML + 'cookie_secret = "written twice"\n'


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_secrets_file_that_does_not_parse_stops_every_page(demo_env, secrets_file, page):
    secrets_file.write_text(BROKEN)
    _assert_stopped(_app(page).run(), "can't be checked", str(secrets_file))


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_an_empty_auth_section_stops_every_page(demo_env, secrets_file, page):
    secrets_file.write_text('[auth]\n\n[access]\nallowed_domains = ["trust.nhs.uk"]\n')
    _assert_stopped(_app(page).run(), "incomplete", "redirect_uri", "cookie_secret", "no provider")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_auth_without_an_allow_list_stops_every_page(demo_env, secrets_file, page):
    secrets_file.write_text(AUTH_TOML)
    _assert_stopped(_app(page).run(), "incomplete", "no allow-list")


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_required_sign_in_without_a_secrets_file_stops_every_page(demo_env, secrets_file, monkeypatch, page):
    monkeypatch.setenv(settings.REQUIRE_AUTH.env, "true")
    _assert_stopped(_app(page).run(), "required", settings.REQUIRE_AUTH.env, "[auth]")


@pytest.mark.slow
def test_a_bad_require_auth_value_stops_the_page(demo_env, secrets_file, monkeypatch):
    monkeypatch.setenv(settings.REQUIRE_AUTH.env, "maybe")
    _assert_stopped(_app().run(), "can't be checked", settings.REQUIRE_AUTH.env)


# --- open, signed out, signed in ------------------------------------------------------------


def test_without_a_secrets_file_the_app_is_open_and_says_so(demo_env, secrets_file):
    at = _app().run()
    assert not at.exception
    assert any("sign-in is not configured" in m.value for m in at.sidebar.markdown)
    assert len(at.metric) == 8


@pytest.mark.slow
def test_a_secrets_file_without_auth_leaves_the_app_open(demo_env, secrets_file):
    secrets_file.write_text('[access]\nallowed_domains = ["trust.nhs.uk"]\n')
    at = _app().run()
    assert not at.exception and len(at.metric) == 8


@pytest.mark.slow
def test_with_auth_config_a_signed_out_user_sees_only_the_sign_in(demo_env):
    at = _app()
    at.secrets["auth"] = AUTH
    at.secrets["access"] = {"allowed_domains": ["trust.nhs.uk"]}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert len(at.metric) == 0


@pytest.mark.slow
def test_a_named_provider_gets_its_own_sign_in_button(demo_env):
    at = _app()
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "microsoft": {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")},
    }
    at.secrets["access"] = {"allowed_tenants": [TENANT]}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and len(at.metric) == 0
    assert [b.label for b in at.button] == ["Sign in with microsoft"]


@pytest.mark.slow
def test_with_auth_config_the_allow_list_decides(demo_env):
    def signed_in_as(email: str) -> AppTest:
        at = _app()
        at.secrets["auth"] = AUTH
        at.secrets["access"] = {"allowed_domains": ["trust.nhs.uk"]}
        at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
        at.run()
        assert not at.exception
        return at

    outsider = signed_in_as("someone@elsewhere.org")
    assert len(outsider.metric) == 0
    assert "not on this dashboard's allow-list" in outsider.error[0].value
    assert len(signed_in_as("champion@trust.nhs.uk").metric) == 8


def _signed_in(page: str, secrets_file: Path, tenant: str) -> AppTest:
    """A page behind sign-in read from a real secrets file, for a user of the given tenant."""
    secrets_file.write_text(AUTH_TOML + f'\n[access]\nallowed_tenants = ["{TENANT.upper()}"]\n')
    at = _app(page)
    at.user = {"is_logged_in": True, "email": "guest@partner.org", "name": "Guest", "tid": tenant, "oid": OBJECT_ID}
    return at.run()


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_user_of_an_allowed_tenant_sees_every_page(demo_env, secrets_file, monkeypatch, page):
    monkeypatch.setenv(settings.REQUIRE_AUTH.env, "yes")
    at = _signed_in(page, secrets_file, TENANT)
    # The page's own content is other tests' business: here, that the gate let the user through.
    assert not any("allow-list" in e.value for e in at.error)
    assert at.title and "guest@partner.org" in " ".join(m.value for m in at.sidebar.markdown)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_user_of_another_tenant_is_refused_on_every_page(demo_env, secrets_file, page):
    at = _signed_in(page, secrets_file, "11111111-1111-1111-1111-111111111111")
    assert not at.exception
    assert not at.title and not at.metric and not at.dataframe
    assert "guest@partner.org is not on this dashboard's allow-list" in at.error[0].value
