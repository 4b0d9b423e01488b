"""A real OpenID Connect provider (npm oidc-provider) on 127.0.0.1, as a subprocess."""

import json
import os
import secrets
import subprocess
from pathlib import Path

import requests

from .hubprocess import free_port, terminate
from .waiting import wait_for

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


class OIDCProvider:
    """One provider with one registered client: the hub whose callback is ``redirect_uri``."""

    def __init__(self, workdir, redirect_uri, groups=None):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = "kaggle-team-hub"
        self.client_secret = secrets.token_hex(24)
        self.log_path = Path(workdir) / "oidc-provider.log"
        self.env = {
            **os.environ,
            "OIDC_PROVIDER_MODULE": provider_module(),
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_REDIRECT_URI": redirect_uri,
            "OIDC_GROUPS": json.dumps(groups or {}),
        }
        self.process = None

    def hub_env(self):
        """The hub settings that use this provider through discovery."""
        return {
            "KAGGLE_HUB_AUTH": "oidc",
            "KAGGLE_HUB_OIDC_ISSUER": self.issuer,
            "KAGGLE_HUB_OAUTH_CLIENT_ID": self.client_id,
            "KAGGLE_HUB_OAUTH_CLIENT_SECRET": self.client_secret,
        }

    def start(self):
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["node", str(SCRIPT)], env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        wait_for(self._answers, 30, what=f"oidc-provider on port {self.port}")
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"oidc-provider exited: {self.log()}")
        url = f"{self.issuer}/.well-known/openid-configuration"
        return requests.get(url, timeout=2).status_code == 200

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process:
            terminate(self.process, grace=10)
            self._log.close()
