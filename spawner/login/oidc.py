"""OpenID Connect discovery: the provider's endpoints from its issuer URL.

oauthenticator does not read discovery documents, so the hub reads
``{issuer}/.well-known/openid-configuration`` once at start and hands the endpoints over.
"""

import json
import urllib.error
import urllib.request

from ..errors import SetupError
from ..settings.serving import plain_http_off_loopback

WELL_KNOWN = "/.well-known/openid-configuration"
# discovery document field -> oauthenticator trait
ENDPOINT_FIELDS = {
    "authorization_endpoint": "authorize_url",
    "token_endpoint": "token_url",
    "userinfo_endpoint": "userdata_url",
}
TIMEOUT_SECONDS = 10


def discovery_url(issuer):
    return issuer.rstrip("/") + WELL_KNOWN


def endpoints_from_document(issuer, document):
    """The oauthenticator endpoint settings in a discovery ``document`` (already parsed).

    Raise SetupError naming what is wrong: not an object, another issuer, a missing or
    non-http(s) endpoint.
    """
    url = discovery_url(issuer)
    if not isinstance(document, dict):
        raise SetupError(f"The OpenID Connect discovery document at {url} is not a JSON object.")
    found_issuer = str(document.get("issuer", "")).rstrip("/")
    if found_issuer != issuer.rstrip("/"):
        raise SetupError(
            f"The discovery document at {url} names issuer {document.get('issuer')!r}, not "
            f"{issuer!r}: set KAGGLE_HUB_OIDC_ISSUER to the provider's exact issuer URL."
        )
    endpoints = {}
    for field, trait in ENDPOINT_FIELDS.items():
        value = document.get(field)
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise SetupError(
                f"The discovery document at {url} has no usable {field!r} ({value!r}): set "
                "KAGGLE_HUB_OIDC_AUTHORIZE_URL, KAGGLE_HUB_OIDC_TOKEN_URL and "
                "KAGGLE_HUB_OIDC_USERINFO_URL by hand."
            )
        if plain_http_off_loopback(value):
            raise SetupError(
                f"The discovery document at {url} gives {field!r} as {value!r}, plain http:// "
                "to another machine, where login codes and tokens can be read on the way: the "
                "provider must serve it over https://."
            )
        endpoints[trait] = value
    return endpoints


def fetch_document(issuer, timeout=TIMEOUT_SECONDS):
    """Read and parse the issuer's discovery document; SetupError says why it could not."""
    url = discovery_url(issuer)
    hint = "check KAGGLE_HUB_OIDC_ISSUER and that the provider is up"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read(1_000_000)
    except urllib.error.HTTPError as e:
        raise SetupError(f"The OpenID Connect issuer answered {e.code} for {url}: {hint}.") from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SetupError(
            f"Cannot reach the OpenID Connect issuer at {url} ({reason}): {hint}."
        ) from None
    try:
        return json.loads(body)
    except ValueError as e:
        raise SetupError(
            f"The OpenID Connect discovery document at {url} is not JSON ({e})."
        ) from None


def discover(issuer, timeout=TIMEOUT_SECONDS):
    """The endpoints of ``issuer``, read from its discovery document."""
    return endpoints_from_document(issuer, fetch_document(issuer, timeout))


def endpoints_for(auth):
    """The endpoints discovered for login settings ``auth``; none when its mode needs no
    discovery (not OpenID Connect, or every endpoint set by hand)."""
    return discover(auth.oidc_issuer) if auth.needs_discovery else {}
