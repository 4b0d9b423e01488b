"""The hub's own CA and server certificates, and the check of given files."""

import datetime
import ipaddress
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import verification

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
    assert (tmp_path / "ca.pem").read_bytes() == ca_pem, "an unchanged host keeps its CA"


def verify(ca_pem, leaf_pem, name):
    """Verify ``leaf_pem`` for ``name`` against the CA alone, as a browser does."""
    store = verification.Store([x509.load_pem_x509_certificate(ca_pem)])
    subject = (
        verification.IPAddress(ipaddress.ip_address(name))
        if name[0].isdigit()
        else verification.DNSName(name)
    )
    verifier = verification.PolicyBuilder().store(store).build_server_verifier(subject)
    return verifier.verify(x509.load_pem_x509_certificate(leaf_pem), [])


def forge(tmp_path, name):
    """A certificate for ``name``, signed with the hub's CA key, as a thief of the key would."""
    ca_pem = (tmp_path / "ca.pem").read_bytes()
    cert, _ = tls.sign_server_cert(ca_pem, (tmp_path / "ca-key.pem").read_bytes(), [name], 30)
    return cert


@pytest.mark.parametrize(
    ("hosts", "own", "others"),
    [
        (["hub.team.test"], ["hub.team.test"], ["bank.example", "10.0.0.1", "team.test"]),
        (
            ["hub.team.test", "*.hub.team.test"],
            ["hub.team.test", "ann.hub.team.test"],
            ["bank.example", "127.0.0.1"],
        ),
        (["127.0.0.1"], ["127.0.0.1"], ["bank.example", "127.0.0.2", "10.0.0.1"]),
    ],
)
def test_the_ca_vouches_for_the_hubs_own_names_only(tmp_path, hosts, own, others):
    cert_path, _ = tls.ensure_server_cert(tmp_path, hosts)
    ca_pem = (tmp_path / "ca.pem").read_bytes()
    verify(ca_pem, cert_path.read_bytes(), own[0])
    # OpenSSL (Python's ssl, curl) also checks a hostname-like common name against the
    # constraints.
    flag = "-verify_ip" if own[0][0].isdigit() else "-verify_hostname"
    checked = subprocess.run(
        ["openssl", "verify", "-CAfile", tmp_path / "ca.pem", flag, own[0], cert_path],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for name in own:
        verify(ca_pem, forge(tmp_path, name), name)
    for name in others:
        with pytest.raises(verification.VerificationError):
            verify(ca_pem, forge(tmp_path, name), name)


def test_a_ca_without_limits_or_for_another_host_is_replaced_with_a_warning(tmp_path, caplog):
    tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    first = (tmp_path / "ca.pem").read_bytes()
    cert_path, _ = tls.ensure_server_cert(tmp_path, ["127.0.0.1"])
    second = (tmp_path / "ca.pem").read_bytes()
    assert second != first
    assert cert_path.read_bytes().endswith(second)
    assert "made for another host name" in caplog.text
    assert "must trust the new" in caplog.text

    # A CA of an older release: no name constraints at all.
    ca_key = serialization.load_pem_private_key((tmp_path / "ca-key.pem").read_bytes(), None)
    ca = x509.load_pem_x509_certificate(second)
    now = datetime.datetime.now(datetime.UTC)
    unlimited = (
        x509.CertificateBuilder()
        .subject_name(ca.subject)
        .issuer_name(ca.subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "ca.pem").write_bytes(unlimited.public_bytes(serialization.Encoding.PEM))
    caplog.clear()
    tls.ensure_server_cert(tmp_path, ["127.0.0.1"])
    assert "could vouch for any site" in caplog.text
    verify((tmp_path / "ca.pem").read_bytes(), cert_path.read_bytes(), "127.0.0.1")


def test_a_certificate_near_its_end_is_made_anew(tmp_path, monkeypatch):
    cert_path, _ = tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    first = cert_path.read_bytes()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=340)
    monkeypatch.setattr(tls, "_now", lambda: later)
    tls.ensure_server_cert(tmp_path, ["hub.team.test"])
    assert cert_path.read_bytes() != first


def test_fingerprint_is_the_sha256_browsers_show(tmp_path):
    tls.ensure_ca(tmp_path, ["hub.team.test"])
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
