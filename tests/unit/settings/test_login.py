"""Login settings from the environment, and the errors that name a bad or missing one."""

import pytest

from spawner.settings import login, serving
from spawner.settings.environment import SettingsError

OIDC = {
    "KAGGLE_HUB_AUTH": "oidc",
    "KAGGLE_HUB_OAUTH_CLIENT_ID": "hub",
    "KAGGLE_HUB_OAUTH_CLIENT_SECRET": "s3cret",
    "KAGGLE_HUB_OIDC_ISSUER": "https://id.example.org/realms/team/",
}

LDAP = {
    "KAGGLE_HUB_AUTH": "ldap",
    "KAGGLE_HUB_LDAP_URL": "ldap://ldap.example.org",
    "KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE": "uid={username},ou=people,dc=example,dc=org",
}


def auth_settings(env, ip="127.0.0.1"):
    """The login settings of a hub on ``ip`` port 8000 without TLS."""
    return login.from_env(env, serving.public_url(env, ip, 8000))


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("ldaps://ldap.example.org", ("ldap.example.org", 636, "on_connect")),
        ("ldaps://ldap.example.org:1636", ("ldap.example.org", 1636, "on_connect")),
        ("ldap://ldap.example.org", ("ldap.example.org", 389, "before_bind")),
        ("ldap://10.0.0.5:1389", ("10.0.0.5", 1389, "before_bind")),
        ("ldap://127.0.0.1:1389", ("127.0.0.1", 1389, "insecure")),
        ("ldap://localhost", ("localhost", 389, "insecure")),
    ],
)
def test_ldap_urls_and_their_tls(url, server):
    auth = auth_settings({**LDAP, "KAGGLE_HUB_LDAP_URL": url})
    assert (auth.ldap_host, auth.ldap_port, auth.ldap_tls) == server
    assert auth.ldap_bind_dn_template == LDAP["KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE"]


def test_secret_from_a_file(tmp_path):
    path = tmp_path / "secret"
    path.write_text("from-file\n")
    env = {
        **OIDC,
        "KAGGLE_HUB_OAUTH_CLIENT_SECRET": "",
        "KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE": str(path),
    }
    assert auth_settings(env).client_secret == "from-file"


@pytest.mark.parametrize(
    ("env", "ip", "message"),
    [
        ({"KAGGLE_HUB_AUTH": "saml"}, "127.0.0.1", "KAGGLE_HUB_AUTH='saml' is not one of"),
        (
            {"KAGGLE_HUB_AUTH": "ldap"},
            "127.0.0.1",
            "needs KAGGLE_HUB_LDAP_URL, KAGGLE_HUB_LDAP_BIND",
        ),
        (
            {**LDAP, "KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE": "uid=ann,dc=example"},
            "127.0.0.1",
            "has no {username}",
        ),
        ({**LDAP, "KAGGLE_HUB_LDAP_URL": "ldap.example.org"}, "127.0.0.1", "is not an LDAP"),
        ({**LDAP, "KAGGLE_HUB_LDAP_URL": "https://ldap.example.org"}, "127.0.0.1", "is not an"),
        ({**LDAP, "KAGGLE_HUB_LDAP_URL": "ldap://ldap.example.org:x"}, "127.0.0.1", "is not an"),
        ({"KAGGLE_HUB_AUTH": "github"}, "127.0.0.1", "needs KAGGLE_HUB_OAUTH_CLIENT_ID"),
        ({**OIDC, "KAGGLE_HUB_OAUTH_CLIENT_SECRET": ""}, "127.0.0.1", "CLIENT_SECRET"),
        ({**OIDC, "KAGGLE_HUB_OIDC_ISSUER": ""}, "127.0.0.1", "needs KAGGLE_HUB_OIDC_ISSUER"),
        (OIDC, "0.0.0.0", "needs KAGGLE_HUB_PUBLIC_URL"),
        ({**OIDC, "KAGGLE_HUB_PUBLIC_URL": "hub.example.org"}, "0.0.0.0", "is not a URL"),
        (
            {**OIDC, "KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE": "/nonexistent/secret"},
            "127.0.0.1",
            "both set",
        ),
        (
            {
                **OIDC,
                "KAGGLE_HUB_OAUTH_CLIENT_SECRET": "",
                "KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE": "/nonexistent/s",
            },
            "127.0.0.1",
            "cannot be read",
        ),
        ({**OIDC, "KAGGLE_HUB_ALLOWED_GROUPS": "team"}, "127.0.0.1", "GROUPS_CLAIM"),
        ({**OIDC, "KAGGLE_HUB_BIND_ACCOUNT_ID": "maybe"}, "127.0.0.1", "is not a flag"),
        (
            {**OIDC, "KAGGLE_HUB_OIDC_ISSUER": "http://id.example.org/realms/team"},
            "127.0.0.1",
            "KAGGLE_HUB_OIDC_ISSUER='http://id.example.org/realms/team' is plain http://",
        ),
        (
            {**OIDC, "KAGGLE_HUB_OIDC_TOKEN_URL": "HTTP://10.0.0.5/token"},
            "127.0.0.1",
            "KAGGLE_HUB_OIDC_TOKEN_URL='HTTP://10.0.0.5/token' is plain http://",
        ),
    ],
)
def test_bad_or_missing_settings_are_named(env, ip, message):
    with pytest.raises(SettingsError, match=message):
        auth_settings(env, ip)


@pytest.mark.parametrize(
    "issuer", ["http://127.0.0.1:9000", "http://localhost:9000/realms/x", "http://[::1]:9000"]
)
def test_plain_http_to_this_machine_is_accepted(issuer):
    env = {**OIDC, "KAGGLE_HUB_OIDC_ISSUER": issuer}
    assert auth_settings(env).oidc_issuer == issuer.rstrip("/")
