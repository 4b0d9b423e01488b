"""The hub's own CA and server certificates, and the check of given files."""

import datetime
from pathlib import Path

import pytest
from cryptography import x509

from spawner.errors import SetupError
from spawner.hub import tls


def test_the_ca_is_made_once_and_signs_a_certificate_for_the_host(tmp_path):
    cert_path, key_path = tls.ensure_server_cert(tmp_path, ["hub.team.test"], "Churn")
    ca_pem = (tmp_path / "ca.pem").read_bytes()
    chain = cert_path.read_bytes()
    assert chain.endswith(ca_pem)
    cert = x509.load_pem_x509_certificate(chain)
    ca = x509.load_pem_x509_certificate(ca_pem)
    assert cert.issuer == ca.subject
    assert "Kaggle Team Hub CA Churn" in ca.subject.rfc4514_string()
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["hub.team.test"]
    assert oct(key_path.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "ca-key.pem").stat().st_mode & 0o777) == "0o600"

    assert tls.ensure_server_cert(tmp_path, ["hub.team.test"]) == (cert_path, key_path)
    assert cert_path.read_bytes() == chain, "an unchanged host keeps its certificate"
    tls.ensure_server_cert(tmp_path, ["127.0.0.1"])
    again = x509.load_pem_x509_certificate(cert_path.read_bytes())
    ips = again.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in ips.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert (tmp_path / "ca.pem").read_bytes() == ca_pem, "the CA is never made again"


def test_a_certificate_near_its_end_is_made_anew(tmp_path, monkeypatch):
    cert_path, _ = tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    first = cert_path.read_bytes()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=340)
    monkeypatch.setattr(tls, "_now", lambda: later)
    tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    assert cert_path.read_bytes() != first


def test_fingerprint_is_the_sha256_browsers_show(tmp_path):
    tls.ensure_ca(tmp_path)
    fingerprint = tls.fingerprint((tmp_path / "ca.pem").read_bytes())
    assert len(fingerprint.split(":")) == 32
    assert fingerprint == fingerprint.upper()


@pytest.mark.parametrize(
    ("cert", "key", "message"),
    [
        ("missing.pem", "key.pem", "KAGGLE_HUB_TLS_CERT='{d}/missing.pem' cannot be read"),
        ("cert.pem", "missing.pem", "KAGGLE_HUB_TLS_KEY='{d}/missing.pem' cannot be read"),
        ("notes.txt", "key.pem", "KAGGLE_HUB_TLS_CERT='{d}/notes.txt' is not a PEM file"),
    ],
)
def test_given_files_are_checked_at_start(tmp_path, cert, key, message):
    tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    (tmp_path / "cert.pem").write_bytes((tmp_path / "server.pem").read_bytes())
    (tmp_path / "key.pem").write_bytes((tmp_path / "server-key.pem").read_bytes())
    (tmp_path / "notes.txt").write_text("not a certificate")
    with pytest.raises(SetupError, match=message.format(d=tmp_path)):
        tls.certificate_files(
            "files", str(tmp_path / cert), str(tmp_path / key), tmp_path, "https://h"
        )
    assert tls.certificate_files("off", "", "", tmp_path, "https://h") == ("", "")


def test_with_user_subdomains_the_hubs_certificate_covers_them(tmp_path):
    url = "https://hub.team.test"
    cert, _ = tls.certificate_files("self-signed", "", "", tmp_path, url, user_subdomains=True)
    names = (
        x509.load_pem_x509_certificate(Path(cert).read_bytes())
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
        .value
    )
    assert sorted(names.get_values_for_type(x509.DNSName)) == ["*.hub.team.test", "hub.team.test"]
