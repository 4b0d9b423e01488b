"""How the team reaches the hub: its address, its public URL and how HTTPS is served.

``KAGGLE_HUB_TLS`` modes:

- ``off``: plain HTTP, allowed only on a loopback address (the person at the keyboard);
- ``files``: a certificate and key the admin gives, reloaded when the files change;
- ``acme``: a certificate from an ACME CA (Let's Encrypt by default), renewed before it
  expires; the plain HTTP port answers the CA's HTTP-01 challenge;
- ``self-signed``: a certificate from a local CA the hub creates once in its data dir;
- ``proxy``: a TLS reverse proxy in front; its ``X-Forwarded-*`` headers are honoured,
  nobody else's.

``KAGGLE_HUB_USER_SUBDOMAINS=1`` gives each user's server an address of its own under the
public URL's host (``ann.hub.example.lan``), so that the browser keeps one user's pages
from reading another's.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from .environment import SettingsError, choice, flag, names, port

TLS_MODES = ("off", "files", "acme", "self-signed", "proxy")
# The modes in which the hub's own proxy serves HTTPS.
SERVES_HTTPS = ("files", "acme", "self-signed")
LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
LOOPBACK_NAMES = ("localhost",)
WILDCARD_IPS = ("0.0.0.0", "::", "")

VARIABLES = {
    "KAGGLE_HUB_PUBLIC_URL": "the hub's address as people open it, e.g. https://hub.example.org; "
    "default http://KAGGLE_HUB_IP:KAGGLE_HUB_PORT (https:// with TLS)",
    "KAGGLE_HUB_TLS": "how HTTPS is served: off (loopback only), files, acme, self-signed or "
    "proxy; default off",
    "KAGGLE_HUB_TLS_CERT": "certificate file (PEM, with its chain) for KAGGLE_HUB_TLS=files",
    "KAGGLE_HUB_TLS_KEY": "private key file (PEM) for KAGGLE_HUB_TLS=files",
    "KAGGLE_HUB_ACME_EMAIL": "contact address given to the ACME CA (KAGGLE_HUB_TLS=acme)",
    "KAGGLE_HUB_ACME_DIRECTORY": f"ACME directory URL; default Let's Encrypt, {LETS_ENCRYPT}",
    "KAGGLE_HUB_ACME_CA_CERT": "CA certificate to trust for a private ACME server; default "
    "the system's",
    "KAGGLE_HUB_HTTP_PORT": "plain HTTP port that redirects to HTTPS (and answers ACME "
    "challenges); default 80 as root when TLS is on, else 0 (off)",
    "KAGGLE_HUB_TRUSTED_PROXIES": "addresses of the TLS reverse proxy whose X-Forwarded-* "
    "headers are honoured (KAGGLE_HUB_TLS=proxy); default 127.0.0.1,::1",
    "KAGGLE_HUB_USER_SUBDOMAINS": "1 = each user's server at an address of its own, "
    "USER.HOST of KAGGLE_HUB_PUBLIC_URL (wildcard DNS, and with HTTPS a certificate for "
    "*.HOST); default 0",
}


@dataclass(frozen=True)
class ServingSettings:
    tls: str = "off"
    cert_file: str = ""
    key_file: str = ""
    acme_email: str = ""
    acme_directory: str = LETS_ENCRYPT
    acme_ca_cert: str = ""
    http_port: int = 0
    trusted_proxies: tuple = ()
    user_subdomains: bool = False


def is_loopback(ip):
    if ip in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def plain_http_off_loopback(url):
    """True for an ``http://`` URL whose host is not this machine: what crosses it (login
    codes, tokens) can be read and changed on the way."""
    parts = urlsplit(url)
    return parts.scheme.lower() == "http" and not is_loopback(parts.hostname or "")


def public_url(env, ip, hub_port, tls="off"):
    """``KAGGLE_HUB_PUBLIC_URL``, or the hub's own address when unset ('' for a wildcard
    address, where it must be set)."""
    url = (env.get("KAGGLE_HUB_PUBLIC_URL") or "").strip()
    if url:
        if not url.startswith(("http://", "https://")):
            raise SettingsError(
                f"KAGGLE_HUB_PUBLIC_URL={url!r} is not a URL: give it as people open it, "
                "e.g. https://hub.example.org"
            )
        return url.rstrip("/")
    if ip in WILDCARD_IPS:
        return ""
    scheme = "https" if tls in SERVES_HTTPS else "http"
    host = f"[{ip}]" if ":" in ip else ip
    return f"{scheme}://{host}:{hub_port}"


def from_env(env, ip, hub_port, url, euid):
    """``ServingSettings`` from the variables; SettingsError names a bad or missing one."""
    tls = choice(env, "KAGGLE_HUB_TLS", TLS_MODES, "off")
    if tls == "off" and not is_loopback(ip):
        raise SettingsError(
            f"KAGGLE_HUB_IP={ip} is reachable from other machines, and KAGGLE_HUB_TLS=off "
            "would send passwords and notebooks there unencrypted. Set KAGGLE_HUB_TLS to "
            "self-signed, files or acme to serve HTTPS (see 'Serve your team' in the "
            "README), or to proxy when a TLS reverse proxy stands in front."
        )
    if tls != "off" and urlsplit(url).scheme != "https":
        raise SettingsError(
            f"KAGGLE_HUB_TLS={tls} needs KAGGLE_HUB_PUBLIC_URL as people open it, starting "
            f"with https:// (now {url or 'unset'}), e.g. https://hub.example.lan"
        )
    default_http = 80 if tls in SERVES_HTTPS and euid == 0 else 0
    if env.get("KAGGLE_HUB_HTTP_PORT", "").strip() == "0":
        http_port = 0
    else:
        http_port = port(env, "KAGGLE_HUB_HTTP_PORT", default_http)
    settings = ServingSettings(
        tls=tls,
        cert_file=(env.get("KAGGLE_HUB_TLS_CERT") or "").strip(),
        key_file=(env.get("KAGGLE_HUB_TLS_KEY") or "").strip(),
        acme_email=(env.get("KAGGLE_HUB_ACME_EMAIL") or "").strip(),
        acme_directory=(env.get("KAGGLE_HUB_ACME_DIRECTORY") or LETS_ENCRYPT).strip(),
        acme_ca_cert=(env.get("KAGGLE_HUB_ACME_CA_CERT") or "").strip(),
        http_port=http_port if tls != "off" else 0,
        trusted_proxies=tuple(sorted(names(env, "KAGGLE_HUB_TRUSTED_PROXIES")))
        or ("127.0.0.1", "::1"),
        user_subdomains=flag(env, "KAGGLE_HUB_USER_SUBDOMAINS"),
    )
    _check(settings, hub_port)
    if settings.user_subdomains:
        _check_subdomains(settings, url)
    return settings


def _is_address(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_subdomains(s, url):
    host = urlsplit(url).hostname or ""
    if not host or _is_address(host):
        raise SettingsError(
            "KAGGLE_HUB_USER_SUBDOMAINS=1 needs KAGGLE_HUB_PUBLIC_URL with a host name "
            f"(now {url or 'unset'}), e.g. https://hub.example.lan: each user's server gets "
            "an address under it (ann.hub.example.lan), which an IP address cannot have."
        )
    if s.tls == "acme":
        raise SettingsError(
            f"KAGGLE_HUB_USER_SUBDOMAINS=1 needs a certificate for *.{host}, which an ACME "
            "CA does not issue over HTTP-01: use KAGGLE_HUB_TLS=files with a wildcard "
            f"certificate, or KAGGLE_HUB_TLS=self-signed (the hub's own CA adds *.{host})."
        )


def _check(s, hub_port):
    if s.tls == "files" and not (s.cert_file and s.key_file):
        raise SettingsError(
            "KAGGLE_HUB_TLS=files needs KAGGLE_HUB_TLS_CERT and KAGGLE_HUB_TLS_KEY: the "
            "certificate (with its chain) and key files, in PEM."
        )
    if s.tls == "acme":
        if not s.acme_email:
            raise SettingsError(
                "KAGGLE_HUB_TLS=acme needs KAGGLE_HUB_ACME_EMAIL: the CA writes there before "
                "a certificate expires."
            )
        if not s.http_port:
            raise SettingsError(
                "KAGGLE_HUB_TLS=acme needs KAGGLE_HUB_HTTP_PORT (80 as root by default): the "
                "CA checks the hub's address on plain HTTP before it issues a certificate."
            )
        if not s.acme_directory.startswith("https://"):
            raise SettingsError(
                f"KAGGLE_HUB_ACME_DIRECTORY={s.acme_directory!r} is not an https:// URL."
            )
    if s.http_port and s.http_port == hub_port:
        raise SettingsError(
            f"KAGGLE_HUB_HTTP_PORT={s.http_port} is KAGGLE_HUB_PORT too: the plain port "
            "redirects to the HTTPS one, so they must differ."
        )
