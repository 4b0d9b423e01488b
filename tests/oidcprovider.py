"""A real OpenID Connect provider (npm oidc-provider) on 127.0.0.1, as a subprocess."""

import json
import os
import secrets
from pathlib import Path

from .hubprocess import free_port
from .processes import LoggedProcess

SCRIPT = Path(__file__).resolve().parent / "e2e/oidc_provider.mjs"


def provider_module():
    """Path of oidc-provider's entry module, installed by ./deploy/test."""
    path = os.environ.get("OIDC_PROVIDER_MODULE", "")
    if not path or not Path(path).is_file():
        raise RuntimeError(
            f"OIDC_PROVIDER_MODULE={path!r} is not oidc-provider's lib/index.js: run the "
            "suite with ./deploy/test, which installs it."
        )
    return path


class OIDCProvider(LoggedProcess):
    """One provider with one registered client: the hub whose callback is ``redirect_uri``."""

    def __init__(self, workdir, redirect_uri, groups=None):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = "kaggle-team-hub"
        self.client_secret = secrets.token_hex(24)
        super().__init__("oidc-provider", Path(workdir) / "oidc-provider.log")
        self.env = {
            **os.environ,
            "OIDC_PROVIDER_MODULE": provider_module(),
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_REDIRECT_URI": redirect_uri,
            "OIDC_GROUPS": json.dumps(groups or {}),
        }

    def hub_env(self):
        """The hub settings that use this provider through discovery."""
        return {
            "KAGGLE_HUB_AUTH": "oidc",
            "KAGGLE_HUB_OIDC_ISSUER": self.issuer,
            "KAGGLE_HUB_OAUTH_CLIENT_ID": self.client_id,
            "KAGGLE_HUB_OAUTH_CLIENT_SECRET": self.client_secret,
        }

    def start(self):
        return self.launch(
            ["node", str(SCRIPT)],
            ready_url=f"{self.issuer}/.well-known/openid-configuration",
            env=self.env,
        )
