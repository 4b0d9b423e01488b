"""The authenticator config that login settings become."""

from spawner.login.config import authenticator_config

from ..settings.test_login import LDAP, OIDC, auth_settings


def test_native_is_the_default():
    a = auth_settings({})
    assert (a.mode, a.public_url) == ("native", "http://127.0.0.1:8000")
    config = authenticator_config(a, {"ann"}, {"bob"}, admin_code_file="/data/admin_code")
    assert config["JupyterHub"] == {"authenticator_class": "kaggle-native"}
    assert config["KaggleNativeAuthenticator"] == {
        "admin_users": {"ann"},
        "revoked_admins": {"bob"},
        "allow_all": False,
        "allow_existing_users": True,
        "open_signup": False,
        "minimum_password_length": 10,
        "check_common_password": True,
        "allowed_failed_logins": 5,
        "seconds_before_next_try": 600,
        "admin_code_file": "/data/admin_code",
    }


def test_ldap_with_a_ca_file():
    a = auth_settings({**LDAP, "KAGGLE_HUB_LDAP_CA_FILE": "/etc/ldap-ca.pem"})
    config = authenticator_config(a, {"ann"}, set())
    assert config["JupyterHub"] == {"authenticator_class": "kaggle-ldap"}
    assert config["KaggleLDAPAuthenticator"] == {
        "admin_users": {"ann"},
        "revoked_admins": set(),
        "allow_all": False,
        "allow_existing_users": True,
        "server_address": "ldap.example.org",
        "server_port": 389,
        "tls_strategy": "before_bind",
        "bind_dn_template": ["uid={username},ou=people,dc=example,dc=org"],
        "tls_kwargs": {"ca_certs_file": "/etc/ldap-ca.pem"},
    }


def test_oidc_from_the_issuer_alone():
    a = auth_settings(OIDC)
    assert a.oidc_issuer == "https://id.example.org/realms/team"
    assert a.needs_discovery is True
    discovered = {
        "authorize_url": "https://a",
        "token_url": "https://t",
        "userdata_url": "https://u",
    }
    config = authenticator_config(a, set(), set(), discovered)
    assert config["JupyterHub"] == {"authenticator_class": "kaggle-oidc"}
    assert config["KaggleOIDCAuthenticator"] == {
        "admin_users": set(),
        "revoked_admins": set(),
        "allow_all": False,
        "allow_existing_users": True,
        "client_id": "hub",
        "client_secret": "s3cret",
        "oauth_callback_url": "http://127.0.0.1:8000/hub/oauth_callback",
        "enable_auth_state": True,
        "bind_account_id": True,
        **discovered,
        "login_service": "OpenID Connect",
        "scope": ["openid", "profile", "email"],
        "username_claim": "preferred_username",
    }


def test_oidc_endpoints_by_hand_win_and_skip_discovery():
    env = {
        **OIDC,
        "KAGGLE_HUB_OIDC_AUTHORIZE_URL": "https://id/auth",
        "KAGGLE_HUB_OIDC_TOKEN_URL": "https://id/token",
        "KAGGLE_HUB_OIDC_USERINFO_URL": "https://id/userinfo",
    }
    a = auth_settings(env)
    assert a.needs_discovery is False
    section = authenticator_config(a, set(), set())["KaggleOIDCAuthenticator"]
    assert (section["authorize_url"], section["token_url"], section["userdata_url"]) == (
        "https://id/auth",
        "https://id/token",
        "https://id/userinfo",
    )


def test_groups_claim_allowed_and_admin_groups():
    env = {
        **OIDC,
        "KAGGLE_HUB_OIDC_GROUPS_CLAIM": "groups",
        "KAGGLE_HUB_ALLOWED_GROUPS": "team, ds",
        "KAGGLE_HUB_ADMIN_GROUPS": "leads",
        "KAGGLE_HUB_OIDC_USERNAME_CLAIM": "email",
        "KAGGLE_HUB_BIND_ACCOUNT_ID": "0",
    }
    section = authenticator_config(auth_settings(env), set(), set())["KaggleOIDCAuthenticator"]
    assert section["manage_groups"] is True
    assert section["auth_state_groups_key"] == "oauth_user.groups"
    assert section["allowed_groups"] == {"team", "ds"}
    assert section["admin_groups"] == {"leads"}
    assert section["username_claim"] == "email"
    assert section["bind_account_id"] is False
