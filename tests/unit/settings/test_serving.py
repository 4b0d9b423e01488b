"""The team address and TLS settings, and the errors that name them."""

import pytest

from spawner.settings import serving
from spawner.settings.environment import SettingsError


def settings(env, ip="127.0.0.1", euid=0):
    return serving.from_env(env, ip, 8443, euid)


def test_defaults_serve_plain_http_on_loopback():
    s = settings({})
    assert (s.tls, s.http_port, s.trusted_proxies) == ("off", 0, ("127.0.0.1", "::1"))
    assert serving.public_url({}, "127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert serving.public_url({}, "127.0.0.1", 8443, "self-signed") == "https://127.0.0.1:8443"


def test_tls_opens_port_80_as_root_only():
    team = {"KAGGLE_HUB_TLS": "self-signed", "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan"}
    assert settings(team, "0.0.0.0").http_port == 80
    assert settings(team, "0.0.0.0", euid=1000).http_port == 0
    assert settings({**team, "KAGGLE_HUB_HTTP_PORT": "0"}, "0.0.0.0").http_port == 0
    assert settings({**team, "KAGGLE_HUB_HTTP_PORT": "8080"}, "0.0.0.0").http_port == 8080
    behind = {"KAGGLE_HUB_TLS": "proxy", "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan"}
    assert settings(behind, "0.0.0.0").http_port == 0
    proxies = settings({**behind, "KAGGLE_HUB_TRUSTED_PROXIES": "10.0.0.5, 10.0.0.6"}, "0.0.0.0")
    assert proxies.trusted_proxies == ("10.0.0.5", "10.0.0.6")


@pytest.mark.parametrize(
    ("env", "ip", "message"),
    [
        ({}, "0.0.0.0", "KAGGLE_HUB_TLS=off would send passwords"),
        ({}, "192.168.1.5", "KAGGLE_HUB_TLS=off would send passwords"),
        ({"KAGGLE_HUB_TLS": "tls"}, "127.0.0.1", "KAGGLE_HUB_TLS='tls' is not one of"),
        ({"KAGGLE_HUB_TLS": "self-signed"}, "0.0.0.0", "needs KAGGLE_HUB_PUBLIC_URL"),
        (
            {"KAGGLE_HUB_TLS": "files", "KAGGLE_HUB_PUBLIC_URL": "http://hub.lan"},
            "0.0.0.0",
            "starting with https://",
        ),
        (
            {"KAGGLE_HUB_TLS": "files", "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan"},
            "0.0.0.0",
            "needs KAGGLE_HUB_TLS_CERT and KAGGLE_HUB_TLS_KEY",
        ),
        (
            {"KAGGLE_HUB_TLS": "acme", "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan"},
            "0.0.0.0",
            "needs KAGGLE_HUB_ACME_EMAIL",
        ),
        (
            {
                "KAGGLE_HUB_TLS": "acme",
                "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan",
                "KAGGLE_HUB_ACME_EMAIL": "a@b",
                "KAGGLE_HUB_HTTP_PORT": "0",
            },
            "0.0.0.0",
            "needs KAGGLE_HUB_HTTP_PORT",
        ),
        (
            {
                "KAGGLE_HUB_TLS": "self-signed",
                "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan",
                "KAGGLE_HUB_HTTP_PORT": "8443",
            },
            "0.0.0.0",
            "KAGGLE_HUB_HTTP_PORT=8443 is KAGGLE_HUB_PORT too",
        ),
    ],
)
def test_bad_or_missing_settings_are_named(env, ip, message):
    with pytest.raises(SettingsError, match=message):
        settings(env, ip)


def test_user_subdomains_are_off_unless_asked_for():
    assert settings({}).user_subdomains is False
    on = {"KAGGLE_HUB_USER_SUBDOMAINS": "1", "KAGGLE_HUB_PUBLIC_URL": "http://localhost:8443"}
    assert settings(on).user_subdomains is True
    team = {
        "KAGGLE_HUB_USER_SUBDOMAINS": "1",
        "KAGGLE_HUB_TLS": "self-signed",
        "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan",
    }
    assert settings(team, "0.0.0.0").user_subdomains is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, r"needs KAGGLE_HUB_PUBLIC_URL with a host name \(now http://127.0.0.1:8443\)"),
        ({"KAGGLE_HUB_PUBLIC_URL": "http://[::1]:8443"}, "which an IP address cannot have"),
        (
            {
                "KAGGLE_HUB_TLS": "acme",
                "KAGGLE_HUB_PUBLIC_URL": "https://hub.lan",
                "KAGGLE_HUB_ACME_EMAIL": "a@b",
            },
            r"needs a certificate for \*\.hub\.lan, which an ACME CA does not issue",
        ),
    ],
)
def test_user_subdomains_need_a_host_name_and_a_wildcard_certificate(env, message):
    with pytest.raises(SettingsError, match=message):
        ip = "0.0.0.0" if "KAGGLE_HUB_TLS" in env else "127.0.0.1"
        settings({"KAGGLE_HUB_USER_SUBDOMAINS": "1", **env}, ip)
