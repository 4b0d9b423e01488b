"""Certificates for ``KAGGLE_HUB_TLS=self-signed``: a local CA made once in the data dir,
and a server certificate it signs for the hub's host name, renewed before it expires.

Team members trust the CA once (``ca.pem``, its fingerprint in the hub's log and from
``kaggle-hub doctor``); every later server certificate is then trusted too. The CA can vouch
for the hub's own names only (a critical Name Constraints extension: the public host and
its subdomains, or its IP address), so its key, in the data dir and in hub backups, cannot
be used to impersonate any other site to the team. A CA made without that limit (older
releases), or for another host, is replaced, with a warning that members must trust the new
one.
"""

import datetime
import ipaddress
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..errors import SetupError

log = logging.getLogger("JupyterHub")

CA_DAYS = 3650
SERVER_DAYS = 365
RENEW_DAYS = 30


def _now():
    return datetime.datetime.now(datetime.UTC)


def _write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def fingerprint(cert_pem):
    """The SHA-256 fingerprint of a PEM certificate, as browsers show it (AB:CD:...)."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


# Names no certificate of the hub has: a permitted subtree of this kind admits none.
NO_DNS_NAME = "invalid"
ALL_IPS = ("0.0.0.0/0", "::/0")


def name_constraints(hosts):
    """The Name Constraints that let a CA vouch for ``hosts`` (and subdomains) only: the
    hosts' own DNS names or IP addresses permitted, every other name of both kinds not."""
    names = sorted({h.removeprefix("*.") for h in hosts})
    ips, dns = [], []
    for name in names:
        try:
            ips.append(x509.IPAddress(ipaddress.ip_network(name)))
        except ValueError:
            dns.append(x509.DNSName(name))
    if ips:
        permitted = ips + (dns or [x509.DNSName(NO_DNS_NAME)])
        return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)
    excluded = [x509.IPAddress(ipaddress.ip_network(n)) for n in ALL_IPS]
    return x509.NameConstraints(permitted_subtrees=dns, excluded_subtrees=excluded)


def _ca_fits(cert_pem, constraints):
    """Why the CA ``cert_pem`` cannot serve ``constraints``, or '' if it can."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        found = cert.extensions.get_extension_for_class(x509.NameConstraints)
    except x509.ExtensionNotFound:
        return "it could vouch for any site (no name constraints)"
    if not found.critical or found.value != constraints:
        return "it was made for another host name"
    return ""


def ensure_ca(directory, hosts, team_name=""):
    """The CA's (certificate PEM, key PEM) in ``directory`` for ``hosts``, created on the
    first call and replaced when it could vouch for other names than those."""
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    constraints = name_constraints(hosts)
    replaced = ""
    if cert_path.exists() and key_path.exists():
        replaced = _ca_fits(cert_path.read_bytes(), constraints)
        if not replaced:
            return cert_path.read_bytes(), key_path.read_bytes()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"Kaggle Team Hub CA {team_name}".strip())]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(constraints, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if replaced:
        log.warning(
            "Replaced the hub's CA: %s. Team members must trust the new %s once (fingerprint "
            "SHA-256 %s) and may remove the old one",
            replaced,
            cert_path,
            fingerprint(cert_path.read_bytes()),
        )
    return cert_path.read_bytes(), key_path.read_bytes()


def _alt_name(host):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _common_name(hosts):
    """The server certificate's subject name: its first DNS name, else a plain label (an IP
    address as common name is checked by OpenSSL against the CA's DNS constraints)."""
    names = [h for h in hosts if isinstance(_alt_name(h), x509.DNSName)]
    return names[0] if names else "Kaggle Team Hub"


def _needs_new(cert_path, hosts, ca_pem):
    if not cert_path.exists() or not cert_path.read_bytes().endswith(ca_pem):
        return True
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.not_valid_after_utc - _now() < datetime.timedelta(days=RENEW_DAYS):
        return True
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(map(str, names.get_values_for_type(x509.DNSName))) | set(
        map(str, names.get_values_for_type(x509.IPAddress))
    ) != set(hosts)


def ensure_server_cert(directory, hosts, team_name=""):
    """Paths of a server certificate (with the CA after it) and key for ``hosts``, signed
    by the local CA; made anew when missing, for other hosts, or within 30 days of expiry."""
    directory = Path(directory)
    hosts = sorted(set(hosts))
    ca_pem, ca_key_pem = ensure_ca(directory, hosts, team_name)
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    if not _needs_new(cert_path, hosts, ca_pem):
        return cert_path, key_path
    cert, key = sign_server_cert(ca_pem, ca_key_pem, hosts)
    _write_private(key_path, key)
    cert_path.write_bytes(cert + ca_pem)
    return cert_path, key_path


def sign_server_cert(ca_pem, ca_key_pem, hosts, days=SERVER_DAYS):
    """A server certificate for ``hosts`` signed by the CA, and its key: ``(cert PEM, key
    PEM)``."""
    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _common_name(hosts))]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([_alt_name(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


def certificate_files(
    mode, cert_file, key_file, tls_dir, public_url, team_name="", user_subdomains=False
):
    """The (certificate, key) files the proxy serves for TLS ``mode``: the admin's for
    ``files`` (checked now, so a wrong path stops the hub with its name), the hub's own for
    ``self-signed`` (with users' subdomains, for ``*.HOST`` too), none for the other
    modes."""
    if mode == "self-signed":
        host = urlsplit(public_url).hostname
        hosts = [host, f"*.{host}"] if user_subdomains else [host]
        cert, key = ensure_server_cert(tls_dir, hosts, team_name)
        ca = Path(tls_dir) / "ca.pem"
        log.info(
            "HTTPS with the hub's own CA: team members trust %s once, fingerprint SHA-256 %s",
            ca,
            fingerprint(ca.read_bytes()),
        )
        return str(cert), str(key)
    if mode != "files":
        return "", ""
    for variable, path in (("KAGGLE_HUB_TLS_CERT", cert_file), ("KAGGLE_HUB_TLS_KEY", key_file)):
        try:
            text = Path(path).read_bytes()
        except OSError as e:
            raise SetupError(f"{variable}={path!r} cannot be read ({e.strerror}).") from None
        if b"-----BEGIN " not in text:
            raise SetupError(f"{variable}={path!r} is not a PEM file.")
    try:
        x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    except ValueError as e:
        raise SetupError(f"KAGGLE_HUB_TLS_CERT={cert_file!r} holds no certificate ({e}).") from None
    return cert_file, key_file
