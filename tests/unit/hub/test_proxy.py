"""traefik's configuration for each TLS mode, as exact tables."""

import os

import pytest

from spawner.hub import proxy

ACME = {
    "email": "admin@team.test",
    "directory": "https://acme.test/dir",
    "storage": "/data/proxy/acme.json",
    "domain": "hub.team.test",
    "certificates_duration": 2160,
}
HEADERS = ["kaggle-team-hub-headers@file"]
REDIRECT = {
    "address": "0.0.0.0:80",
    "http": {"redirections": {"entryPoint": {"to": "https", "scheme": "https", "permanent": True}}},
}


@pytest.mark.parametrize(
    ("mode", "http_address", "expected"),
    [
        ("off", "", {"entryPoints": {"https": {}}}),
        (
            "proxy",
            "",
            {"entryPoints": {"https": {"forwardedHeaders": {"trustedIPs": ["10.0.0.5"]}}}},
        ),
        ("files", "", {"entryPoints": {"https": {"http": {"middlewares": HEADERS}}}}),
        (
            "self-signed",
            "0.0.0.0:80",
            {"entryPoints": {"https": {"http": {"middlewares": HEADERS}}, "web": REDIRECT}},
        ),
        (
            "acme",
            "0.0.0.0:80",
            {
                "entryPoints": {
                    "https": {
                        "http": {
                            "middlewares": HEADERS,
                            "tls": {"certResolver": "acme", "domains": [{"main": "hub.team.test"}]},
                        }
                    },
                    "web": REDIRECT,
                },
                "certificatesResolvers": {
                    "acme": {
                        "acme": {
                            "email": "admin@team.test",
                            "caServer": "https://acme.test/dir",
                            "storage": "/data/proxy/acme.json",
                            "certificatesDuration": 2160,
                            "httpChallenge": {"entryPoint": "web"},
                        }
                    }
                },
            },
        ),
    ],
)
def test_static_config_per_mode(mode, http_address, expected):
    config = proxy.static_tls_config(mode, "https", http_address, ACME, ["10.0.0.5"])
    assert config == expected


def test_dynamic_config_sends_hsts_and_names_the_certificate():
    assert proxy.dynamic_tls_config("off", 100) == {}
    assert proxy.dynamic_tls_config("proxy", 100) == {}
    assert proxy.dynamic_tls_config("files", 100, "/c.pem", "/k.pem") == {
        "http": {
            "middlewares": {
                "kaggle-team-hub-headers": {
                    "headers": {"stsSeconds": 100, "contentTypeNosniff": True}
                }
            }
        },
        "tls": {
            "stores": {
                "default": {"defaultCertificate": {"certFile": "/c.pem", "keyFile": "/k.pem"}}
            }
        },
    }


def test_a_changed_pair_gets_new_private_copies(tmp_path):
    (tmp_path / "cert.pem").write_text("cert 1")
    (tmp_path / "key.pem").write_text("key 1")
    copies = tmp_path / "proxy"
    copies.mkdir()
    first = proxy.install_pair(tmp_path / "cert.pem", tmp_path / "key.pem", copies)
    assert proxy.install_pair(tmp_path / "cert.pem", tmp_path / "key.pem", copies) == first
    (tmp_path / "cert.pem").write_text("cert 2")
    second = proxy.install_pair(tmp_path / "cert.pem", tmp_path / "key.pem", copies)
    assert second != first
    assert sorted(p.name for p in copies.iterdir()) == sorted(os.path.basename(p) for p in second)
    assert all(os.stat(p).st_mode & 0o777 == 0o600 for p in second)


def test_every_entrypoint_gets_explicit_path_and_header_rules():
    rules = proxy.request_rules(["https", "auth_api", "web"])
    assert set(rules["entryPoints"]) == {"https", "auth_api", "web"}
    http = rules["entryPoints"]["web"]["http"]
    assert http["aliasHeadersStrategy"] == "delete"
    assert http["encodedCharacters"]["allowEncodedNullCharacter"] is False
    assert http["encodedCharacters"]["allowEncodedQuestionMark"] is True


@pytest.mark.parametrize(
    ("sleep_overrun", "probe_seconds", "not_counted"),
    [
        (0.0, 2.02, 0.0),  # a frozen traefik: the probe timed out on time
        (0.05, 0.3, 0.0),  # refused at once: traefik gone
        (4.9, 2.0, 4.8),  # the hub's loop stood still before the probe
        (0.0, 5.0, 5.0),  # ... during the probe, which then overran its timeout
        (5.0, 7.0, 11.9),
    ],
)
def test_a_stalled_hub_is_not_counted_as_traefik_silent(sleep_overrun, probe_seconds, not_counted):
    assert proxy.not_traefiks_silence(sleep_overrun, probe_seconds) == pytest.approx(not_counted)
