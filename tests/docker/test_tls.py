"""The hub serving the team over HTTPS: a given certificate, a self-signed one, and one
from a real ACME server (Let's Encrypt's pebble) on 127.0.0.1."""

import socket
import ssl

import pytest
import requests
import trustme
from cryptography import x509

from spawner.hub.tls import fingerprint

from ..hubprocess import UserServer, free_port
from ..pebble import Pebble
from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.tls]

RELOAD = {"50-reload.py": "c.KaggleTraefikProxy.cert_check_seconds = 1\n"}
HSTS = "max-age=31536000"


def served_certificate(port, server_hostname, cafile):
    """The certificate the hub serves for ``server_hostname``, checked against ``cafile``
    (an untrusted or misnamed certificate raises)."""
    context = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname=server_hostname) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def write_pair(ca, directory):
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(directory / "cert.pem")
    cert.private_key_pem.write_to_path(directory / "key.pem")
    return x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).serial_number


def test_a_given_certificate_redirects_http_sets_secure_cookies_and_reloads(make_hub, tmp_path):
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(ca_file)
    serial = write_pair(ca, tmp_path)
    http_port = free_port()
    env = {
        "KAGGLE_HUB_TLS": "files",
        "KAGGLE_HUB_TLS_CERT": str(tmp_path / "cert.pem"),
        "KAGGLE_HUB_TLS_KEY": str(tmp_path / "key.pem"),
        "KAGGLE_HUB_HTTP_PORT": str(http_port),
        "KAGGLE_HUB_ADMINS": "ann",
    }
    hub = make_hub(env=env, dropins=RELOAD, verify=str(ca_file))
    assert hub.url.startswith("https://")
    assert served_certificate(hub.port, "127.0.0.1", ca_file).serial_number == serial

    plain = requests.get(f"http://127.0.0.1:{http_port}/hub/login?next=x", allow_redirects=False)
    assert plain.status_code in (301, 308)
    assert plain.headers["Location"] == f"{hub.url}/hub/login?next=x"

    session = hub.browser_session("ann")
    hub_cookies = [c for c in session.cookies if c.name.startswith("jupyterhub")]
    assert hub_cookies and all(c.secure for c in hub_cookies), hub_cookies
    home = session.get(f"{hub.url}/hub/home", timeout=30)
    assert home.status_code == 200
    assert home.headers["Strict-Transport-Security"] == HSTS
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert "without SSL" not in hub.log()

    token = hub.create_user("bob")
    hub.start_server("bob")
    status = UserServer(hub, "bob", token).get("api/status")
    assert status.status_code == 200
    assert status.headers["Strict-Transport-Security"] == HSTS

    renewed = write_pair(ca, tmp_path)
    wait_for(
        lambda: served_certificate(hub.port, "127.0.0.1", ca_file).serial_number == renewed,
        30,
        interval=0.5,
        what="the changed certificate served",
    )


def test_self_signed_ca_is_made_once_and_trusted_certificates_follow(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_TLS": "self-signed"}, wait=False)
    ca_file = hub.workdir / "data/tls/ca.pem"
    wait_for(ca_file.exists, 60, what="the hub's CA")
    hub.verify = str(ca_file)
    wait_for(lambda: hub.api("GET", "/").status_code == 200, 60, what="the hub over HTTPS")
    cert = served_certificate(hub.port, "127.0.0.1", ca_file)
    ca_pem = ca_file.read_bytes()
    assert f"fingerprint SHA-256 {fingerprint(ca_pem)}" in hub.log()

    hub.stop()
    hub.start()
    assert ca_file.read_bytes() == ca_pem
    again = served_certificate(hub.port, "127.0.0.1", ca_file)
    assert again.serial_number == cert.serial_number


def test_acme_certificate_from_pebble_is_issued_and_renewed(make_hub, tmp_path):
    ca = trustme.CA()
    http_port = free_port()
    pebble = Pebble(tmp_path, ca, http_port, validity_seconds=1200).start()
    try:
        hub = make_hub(
            env={
                "KAGGLE_HUB_TLS": "acme",
                "KAGGLE_HUB_ACME_EMAIL": "admin@team.test",
                "KAGGLE_HUB_ACME_DIRECTORY": pebble.directory,
                "KAGGLE_HUB_ACME_CA_CERT": str(pebble.ca_file),
                "KAGGLE_HUB_HTTP_PORT": str(http_port),
                "KAGGLE_HUB_PUBLIC_URL": f"https://hub.kth.test:{free_port()}",
            },
            # 1 hour: traefik renews a certificate this short 20 minutes before it ends.
            dropins={"50-short.py": "c.KaggleTraefikProxy.acme_certificates_duration = 1\n"},
            verify=False,
        )
        roots = tmp_path / "pebble-roots.pem"
        roots.write_bytes(pebble.root_pem())
        first = wait_for(
            lambda: served_certificate(hub.port, "hub.kth.test", roots),
            90,
            interval=1,
            what="a certificate from pebble",
        )
        names = first.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == ["hub.kth.test"]
        assert "Pebble" in first.issuer.rfc4514_string()
        # pebble issues 20-minute certificates: within the renewal window at once.
        wait_for(
            lambda: (
                served_certificate(hub.port, "hub.kth.test", roots).serial_number
                != first.serial_number
            ),
            150,
            interval=2,
            what="the renewed certificate",
        )
    finally:
        pebble.stop()


def test_a_hub_on_all_addresses_without_tls_refuses_to_start(make_hub):
    hub = make_hub(
        env={"KAGGLE_HUB_IP": "0.0.0.0", "KAGGLE_HUB_PUBLIC_URL": "http://hub.example.lan"},
        wait=False,
    )
    assert hub.process.wait(60) != 0
    assert "KAGGLE_HUB_TLS=off would send passwords" in hub.log()
