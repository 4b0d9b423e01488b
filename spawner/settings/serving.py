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

from .environment import SettingsError, choice, flag, names, port, raw
from .variables import Variable, declare

TLS_MODES = ("off", "files", "acme", "self-signed", "proxy")
# The modes in which the hub's own proxy serves HTTPS.
SERVES_HTTPS = ("files", "acme", "self-signed")
LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
LOOPBACK_NAMES = ("localhost",)
WILDCARD_IPS = ("0.0.0.0", "::", "")

VARIABLES = declare(
    Variable(
        "KAGGLE_HUB_PUBLIC_URL",
        "the hub's address as people open it; OAuth callbacks go to `<it>/hub/oauth_callback`. "
        "Needed when `KAGGLE_HUB_IP` is `0.0.0.0`",
        shown="`http://KAGGLE_HUB_IP:KAGGLE_HUB_PORT` (`https://` with TLS)",
    ),
    Variable(
        "KAGGLE_HUB_TLS",
        "`off` (plain HTTP, only on a loopback `KAGGLE_HUB_IP`), `files`, `acme`, `self-signed`, "
        "or `proxy` (a TLS reverse proxy in front)",
        default="off",
    ),
    Variable(
        "KAGGLE_HUB_TLS_CERT",
        "with `files`: the certificate (PEM, with its chain); a changed file is served within 30 s",
    ),
    Variable(
        "KAGGLE_HUB_TLS_KEY",
        "with `files`: its private key (PEM)",
    ),
    Variable(
        "KAGGLE_HUB_ACME_EMAIL",
        "with `acme`: the address the CA writes to about the certificate",
    ),
    Variable(
        "KAGGLE_HUB_ACME_DIRECTORY",
        "with `acme`: the CA's ACME directory URL",
        default=LETS_ENCRYPT,
        shown="Let's Encrypt's production directory",
    ),
    Variable(
        "KAGGLE_HUB_ACME_CA_CERT",
        "with `acme`: a CA certificate to trust for a private ACME server",
        shown="the system's CAs",
    ),
    Variable(
        "KAGGLE_HUB_HTTP_PORT",
        "plain HTTP port that redirects to HTTPS and answers the ACME CA's challenges",
        shown="`80` as root with TLS on, else `0` (off)",
    ),
    Variable(
        "KAGGLE_HUB_TRUSTED_PROXIES",
        "with `proxy`: addresses of the TLS reverse proxy whose `X-Forwarded-*` headers count",
        default="127.0.0.1,::1",
    ),
    Variable(
        "KAGGLE_HUB_USER_SUBDOMAINS",
        "`1`: each user's server at an address of its own, `USER.HOST` of the public URL (see "
        "[Security](../explanation/security.md)); needs wildcard DNS and, with HTTPS, a "
        "certificate for `*.HOST` (`self-signed` makes one; `acme` is refused)",
        default="0",
    ),
)


@dataclass(frozen=True)
class ServingSettings:
    tls: str
    public_url: str  # '' for a wildcard address without KAGGLE_HUB_PUBLIC_URL
    cert_file: str
    key_file: str
    acme_email: str
    acme_directory: str
    acme_ca_cert: str
    http_port: int
    trusted_proxies: tuple
    user_subdomains: bool


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


def from_env(env, ip, hub_port, euid):
    """``ServingSettings`` from the variables; SettingsError names a bad or missing one."""
    tls = choice(env, "KAGGLE_HUB_TLS", TLS_MODES)
    url = public_url(env, ip, hub_port, tls)
    if tls == "off" and not is_loopback(ip):
        raise SettingsError(
            f"KAGGLE_HUB_IP={ip} is reachable from other machines, and KAGGLE_HUB_TLS=off "
            "would send passwords and notebooks there unencrypted. Set KAGGLE_HUB_TLS to "
            "self-signed, files or acme to serve HTTPS (see 'Serve your team' in "
            "docs/tutorial.md), or to proxy when a TLS reverse proxy stands in front."
        )
    if tls != "off" and urlsplit(url).scheme != "https":
        raise SettingsError(
            f"KAGGLE_HUB_TLS={tls} needs KAGGLE_HUB_PUBLIC_URL as people open it, starting "
            f"with https:// (now {url or 'unset'}), e.g. https://hub.example.lan"
        )
    default_http = 80 if tls in SERVES_HTTPS and euid == 0 else 0
    if raw(env, "KAGGLE_HUB_HTTP_PORT") == "0":
        http_port = 0
    else:
        http_port = port(env, "KAGGLE_HUB_HTTP_PORT", default_http)
    settings = ServingSettings(
        tls=tls,
        public_url=url,
        cert_file=raw(env, "KAGGLE_HUB_TLS_CERT"),
        key_file=raw(env, "KAGGLE_HUB_TLS_KEY"),
        acme_email=raw(env, "KAGGLE_HUB_ACME_EMAIL"),
        acme_directory=raw(env, "KAGGLE_HUB_ACME_DIRECTORY"),
        acme_ca_cert=raw(env, "KAGGLE_HUB_ACME_CA_CERT"),
        http_port=http_port if tls != "off" else 0,
        trusted_proxies=tuple(sorted(names(env, "KAGGLE_HUB_TRUSTED_PROXIES"))),
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
