"""Login settings: how people log in, read from the environment.

Modes (``KAGGLE_HUB_AUTH``):

- ``native`` (default): accounts live in the hub, passwords hashed; a sign-up can log in
  only after an admin approves it, or when an admin added that name first.
- ``github``, ``google``: OAuth through the provider, with a client id and secret.
- ``oidc``: any OpenID Connect provider, given its issuer URL (endpoints discovered) or
  its endpoints by hand.
- ``ldap``: the team's LDAP directory (OpenLDAP, Active Directory), a password checked by
  binding as the user's DN.

In every mode the hub's user list (the admin page) says who may log in. The
authenticator config these settings become is built in ``spawner.login.config``.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .environment import SettingsError, choice, flag, names, raw
from .serving import is_loopback, plain_http_off_loopback
from .variables import Variable, declare

MODES = ("native", "github", "google", "oidc", "ldap")
OIDC_ENDPOINTS = {
    "KAGGLE_HUB_OIDC_AUTHORIZE_URL": "authorize_url",
    "KAGGLE_HUB_OIDC_TOKEN_URL": "token_url",
    "KAGGLE_HUB_OIDC_USERINFO_URL": "userdata_url",
}

VARIABLES = declare(
    Variable(
        "KAGGLE_HUB_AUTH",
        "`native` (accounts in the hub), `github`, `google`, `oidc` or `ldap`",
        default="native",
    ),
    Variable(
        "KAGGLE_HUB_OAUTH_CLIENT_ID",
        "the hub's OAuth client id at the provider",
    ),
    Variable(
        "KAGGLE_HUB_OAUTH_CLIENT_SECRET",
        "its client secret (a `.env` file holding it must be owner-only: the hub and `kaggle-hub` "
        "refuse a readable one, naming the `chmod`); or",
    ),
    Variable(
        "KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE",
        "a file holding it (keep it owner-only)",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_ISSUER",
        "OpenID Connect issuer URL; the endpoints are read from its "
        "`/.well-known/openid-configuration` at start",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_AUTHORIZE_URL",
        "authorization endpoint, set by hand",
        shown="discovered",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_TOKEN_URL",
        "token endpoint, set by hand",
        shown="discovered",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_USERINFO_URL",
        "userinfo endpoint, set by hand (with all three, no discovery is done)",
        shown="discovered",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_SCOPES",
        "scopes asked for",
        default="openid profile email",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_USERNAME_CLAIM",
        "claim that becomes the hub username (e.g. `email`)",
        default="preferred_username",
    ),
    Variable(
        "KAGGLE_HUB_OIDC_GROUPS_CLAIM",
        "claim listing the user's groups, for the two settings below",
    ),
    Variable(
        "KAGGLE_HUB_ALLOWED_GROUPS",
        "comma-separated provider groups whose members may log in",
    ),
    Variable(
        "KAGGLE_HUB_ADMIN_GROUPS",
        "comma-separated provider groups whose members are admins (checked at each login)",
    ),
    Variable(
        "KAGGLE_HUB_LDAP_URL",
        "the LDAP server: `ldaps://HOST[:PORT]` (TLS), or `ldap://HOST[:PORT]` (StartTLS before "
        "the password is sent; plain only on loopback)",
    ),
    Variable(
        "KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE",
        "a user's DN with `{username}`, e.g. `uid={username},ou=people,dc=example,dc=org`",
    ),
    Variable(
        "KAGGLE_HUB_LDAP_CA_FILE",
        "the CA certificate that signed the LDAP server's",
        shown="the system's",
    ),
    Variable(
        "KAGGLE_HUB_BIND_ACCOUNT_ID",
        "a hub user belongs to the provider account that first logged in as it (GitHub's numeric "
        "id, Google's id, OIDC `sub`); `0` keys on the login name alone",
        default="1",
    ),
)


@dataclass(frozen=True)
class AuthSettings:
    mode: str
    public_url: str
    client_id: str = ""
    client_secret: str = ""
    oidc_issuer: str = ""
    oidc_endpoints: tuple = ()
    oidc_scopes: tuple = tuple(raw({}, "KAGGLE_HUB_OIDC_SCOPES").split())
    username_claim: str = raw({}, "KAGGLE_HUB_OIDC_USERNAME_CLAIM")
    groups_claim: str = ""
    allowed_groups: frozenset = frozenset()
    admin_groups: frozenset = frozenset()
    bind_account_id: bool = flag({}, "KAGGLE_HUB_BIND_ACCOUNT_ID")
    ldap_host: str = ""
    ldap_port: int = 0
    ldap_tls: str = ""
    ldap_bind_dn_template: str = ""
    ldap_ca_file: str = ""

    @property
    def needs_discovery(self):
        """True when endpoints must be read from the issuer's discovery document."""
        return self.mode == "oidc" and len(self.oidc_endpoints) < len(OIDC_ENDPOINTS)

    @property
    def callback_url(self):
        return self.public_url.rstrip("/") + "/hub/oauth_callback"


def _client_secret(env):
    secret = env.get("KAGGLE_HUB_OAUTH_CLIENT_SECRET", "")
    path = env.get("KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE", "")
    if secret and path:
        raise SettingsError(
            "KAGGLE_HUB_OAUTH_CLIENT_SECRET and KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE are both "
            "set: keep one."
        )
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise SettingsError(
                f"KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE={path!r} cannot be read ({e.strerror})."
            ) from None
    return secret


def ldap_server(url):
    """``(host, port, tls strategy)`` of ``KAGGLE_HUB_LDAP_URL``: ldaps:// is TLS from the
    start, ldap:// upgrades with StartTLS before the password is sent, except on this
    machine's loopback, where nothing crosses a network."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname or port == -1:
        raise SettingsError(
            f"KAGGLE_HUB_LDAP_URL={url!r} is not an LDAP server's URL: give it as "
            "ldaps://ldap.example.org or ldap://ldap.example.org:389."
        )
    if parts.scheme == "ldaps":
        return parts.hostname, port or 636, "on_connect"
    strategy = "insecure" if is_loopback(parts.hostname) else "before_bind"
    return parts.hostname, port or 389, strategy


def _ldap(env, url):
    server = (env.get("KAGGLE_HUB_LDAP_URL") or "").strip()
    template = (env.get("KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE") or "").strip()
    missing = [
        name
        for name, value in (
            ("KAGGLE_HUB_LDAP_URL", server),
            ("KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE", template),
        )
        if not value
    ]
    if missing:
        raise SettingsError(
            "KAGGLE_HUB_AUTH=ldap needs " + ", ".join(missing) + ": the directory's URL and "
            "the DN a user binds as, e.g. uid={username},ou=people,dc=example,dc=org."
        )
    if "{username}" not in template:
        raise SettingsError(
            f"KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE={template!r} has no {{username}}: write the "
            "DN of a user with {username} where the login name goes."
        )
    host, port, strategy = ldap_server(server)
    return AuthSettings(
        mode="ldap",
        public_url=url,
        ldap_host=host,
        ldap_port=port,
        ldap_tls=strategy,
        ldap_bind_dn_template=template,
        ldap_ca_file=(env.get("KAGGLE_HUB_LDAP_CA_FILE") or "").strip(),
    )


def from_env(env, url):
    """``AuthSettings`` from a mapping of variables and the hub's public ``url`` ('' when it
    has none); SettingsError names a bad or missing one."""
    mode = choice(env, "KAGGLE_HUB_AUTH", MODES)
    if mode == "native":
        return AuthSettings(mode=mode, public_url=url)
    if mode == "ldap":
        return _ldap(env, url)
    missing = [
        name
        for name, value in (
            ("KAGGLE_HUB_PUBLIC_URL", url),
            ("KAGGLE_HUB_OAUTH_CLIENT_ID", env.get("KAGGLE_HUB_OAUTH_CLIENT_ID", "")),
        )
        if not value
    ]
    secret = _client_secret(env)
    if not secret:
        missing.append("KAGGLE_HUB_OAUTH_CLIENT_SECRET (or _FILE)")
    endpoints = tuple(
        (trait, env[name].strip()) for name, trait in OIDC_ENDPOINTS.items() if env.get(name)
    )
    issuer = (env.get("KAGGLE_HUB_OIDC_ISSUER") or "").strip().rstrip("/")
    if mode == "oidc" and not issuer and len(endpoints) < len(OIDC_ENDPOINTS):
        missing.append("KAGGLE_HUB_OIDC_ISSUER (or all of " + ", ".join(OIDC_ENDPOINTS) + ")")
    if missing:
        raise SettingsError(
            f"KAGGLE_HUB_AUTH={mode} needs " + ", ".join(missing) + ": register the hub with "
            f"the provider, with callback URL {url or 'KAGGLE_HUB_PUBLIC_URL'}"
            "/hub/oauth_callback, and set them in the environment or .env."
        )
    urls = [("KAGGLE_HUB_OIDC_ISSUER", issuer)] + [
        (name, env[name].strip()) for name in OIDC_ENDPOINTS if env.get(name)
    ]
    for name, value in urls:
        if plain_http_off_loopback(value):
            raise SettingsError(
                f"{name}={value!r} is plain http:// to another machine, where login codes and "
                "tokens can be read on the way: use the provider's https:// URL."
            )
    groups_claim = (env.get("KAGGLE_HUB_OIDC_GROUPS_CLAIM") or "").strip()
    allowed_groups = names(env, "KAGGLE_HUB_ALLOWED_GROUPS")
    admin_groups = names(env, "KAGGLE_HUB_ADMIN_GROUPS")
    if (allowed_groups or admin_groups) and (mode != "oidc" or not groups_claim):
        raise SettingsError(
            "KAGGLE_HUB_ALLOWED_GROUPS and KAGGLE_HUB_ADMIN_GROUPS work with KAGGLE_HUB_AUTH=oidc "
            "and KAGGLE_HUB_OIDC_GROUPS_CLAIM (the claim that lists a user's groups)."
        )
    scopes = tuple(raw(env, "KAGGLE_HUB_OIDC_SCOPES").split())
    return AuthSettings(
        mode=mode,
        public_url=url,
        client_id=env["KAGGLE_HUB_OAUTH_CLIENT_ID"],
        client_secret=secret,
        oidc_issuer=issuer,
        oidc_endpoints=endpoints,
        oidc_scopes=scopes,
        username_claim=raw(env, "KAGGLE_HUB_OIDC_USERNAME_CLAIM"),
        groups_claim=groups_claim,
        allowed_groups=allowed_groups,
        admin_groups=admin_groups,
        bind_account_id=flag(env, "KAGGLE_HUB_BIND_ACCOUNT_ID"),
    )
