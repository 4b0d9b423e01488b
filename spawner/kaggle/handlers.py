"""The hub's handlers for Kaggle's APIs in users' servers, and for managing secrets.

Servers call, with their own API token in ``X-Kaggle-Authorization`` (as on Kaggle):

- ``POST /hub/kaggle/kaggle-jwt-handler/AttachDatasourceUsingJwtRequest`` (kagglehub),
- ``POST /hub/kaggle/requests/GetUserSecretByLabelRequest`` (kaggle_secrets).

Users manage their secrets at ``/hub/secrets`` (a page: add, replace, delete; values are
never shown back) and ``/hub/api/secrets[/NAME]`` (GET the names, PUT ``{"value": ...}``,
DELETE). Secrets need a scope of their own (``SECRETS_SCOPE``): users hold it for
themselves, and their servers' API tokens for their owner. A token with fewer scopes, or
the token JupyterHub gives a server for a visitor (an admin opening a member's server),
reaches no secrets.
"""

import json
import re

from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.handlers.base import BaseHandler
from jupyterhub.scopes import Scope
from jupyterhub.user import User
from jupyterhub.utils import url_path_join
from tornado import web

from ..server.container import KAGGLE_API_PATH
from .attach import AttachRefused, attach
from .secrets import SecretError, SecretStore, check_name

# The hub's tornado settings key for {"datasets_dir", "secrets_dir", "hub_key"}.
SETTINGS_KEY = "kaggle_team_hub"
BEARER = re.compile(r"^\s*bearer\s+([^\s]+)\s*$", re.IGNORECASE)
SECRETS_SCOPE = "custom:kaggle-team-hub:secrets"
NO_SECRETS_SCOPE = (
    "This token may not use secrets: use the server's own token (a server started before "
    "this hub's upgrade needs a restart), or log in to the hub."
)


def secrets_scopes():
    """The hub config that lets users, and their own servers, use their own secrets:
    ``(custom_scopes, user role, server token scopes)``."""
    custom = {SECRETS_SCOPE: {"description": "Read and change your Kaggle secrets."}}
    user_role = {"name": "user", "scopes": ["self", f"{SECRETS_SCOPE}!user"]}
    server_token = ["users:activity!user", "access:servers!server", f"{SECRETS_SCOPE}!user"]
    return custom, user_role, server_token


def check_secrets_scope(handler, user):
    """Answer 403 unless the request's credentials hold the secrets scope for ``user``."""
    filters = handler.parsed_scopes.get(SECRETS_SCOPE)
    if filters is None or (filters != Scope.ALL and user.name not in filters.get("user", ())):
        raise web.HTTPError(403, NO_SECRETS_SCOPE)


def settings_for(datasets_dir, secrets_dir, hub_key):
    """The entry jupyterhub_config.py adds to the hub's tornado settings."""
    return {
        SETTINGS_KEY: {
            "datasets_dir": datasets_dir,
            "secrets_dir": str(secrets_dir),
            "hub_key": hub_key,
        }
    }


def store_from(tornado_settings):
    """The secrets store the hub was configured with."""
    config = tornado_settings[SETTINGS_KEY]
    return SecretStore(config["secrets_dir"], config["hub_key"])


def missing_secret_message(name, secrets_url):
    return (
        f"You have no secret named {name!r} on this hub: add it on the Secrets page "
        f"({secrets_url}), then run this cell again."
    )


class KaggleAPIHandler(APIHandler):
    """A request from a user's server: answered as Kaggle's service answers, with
    ``wasSuccessful`` and a ``result`` or ``errors``."""

    def get_auth_token(self):
        match = BEARER.match(self.request.headers.get("X-Kaggle-Authorization", ""))
        return match.group(1) if match else super().get_auth_token()

    def answer(self, result=None, error=None):
        if error is None:
            self.finish(json.dumps({"wasSuccessful": True, "result": result}))
        else:
            self.finish(json.dumps({"wasSuccessful": False, "errors": [error]}))

    def user(self):
        if not isinstance(self.current_user, User):
            raise web.HTTPError(403, "Send the server's API token as X-Kaggle-Authorization.")
        return self.current_user

    def body(self):
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, "The request body is not JSON.") from None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The request body must be a JSON object.")
        return body


def server_of_token(user, token):
    """The spawner of ``user``'s server whose API token is ``token`` (JupyterHub notes each
    server token as "Server at <its URL>"), or None for any other token."""
    note = getattr(token, "note", None) or ""
    for spawner in user.spawners.values():
        if spawner.server is not None and note == f"Server at {spawner.server.base_url}":
            return spawner
    return None


class AttachHandler(KaggleAPIHandler):
    async def post(self):
        user = self.user()
        server = server_of_token(user, self.get_token())
        mounted = getattr(server, "datasets_mounted", None)
        try:
            result = attach(self.settings[SETTINGS_KEY]["datasets_dir"], self.body(), mounted)
        except AttachRefused as e:
            self.log.info("Not attached for %s: %s", user.name, e)
            self.answer(error=str(e))
            return
        self.log.info("Attached %s for %s", result["mountSlug"], user.name)
        self.answer(result)


class SecretByLabelHandler(KaggleAPIHandler):
    async def post(self):
        user = self.user()
        check_secrets_scope(self, user)
        label = self.body().get("Label")
        store = store_from(self.settings)
        try:
            value = store.get(user.name, check_name(label))
        except SecretError as e:
            self.answer(error=str(e))
            return
        if value is None:
            url = url_path_join(self.hub.base_url, "secrets")
            self.answer(error=missing_secret_message(label, url))
            return
        self.log.info("Secret %s read by %s's server", label, user.name)
        self.answer({"secret": value})


class SecretsAPIHandler(APIHandler):
    """GET /hub/api/secrets: the names; PUT or DELETE /hub/api/secrets/NAME."""

    def owner(self):
        if not isinstance(self.current_user, User):
            raise web.HTTPError(403, "Secrets belong to users: log in, or use a user's token.")
        check_secrets_scope(self, self.current_user)
        return self.current_user

    async def get(self, name=None):
        owner = self.owner()
        listing = store_from(self.settings).listing(owner.name)
        if name is None:
            self.finish(json.dumps({"secrets": listing}))
            return
        found = [s for s in listing if s["name"] == name]
        if not found:
            raise web.HTTPError(404, f"You have no secret named {name!r}.")
        self.finish(json.dumps(found[0]))

    async def put(self, name=None):
        owner = self.owner()
        body = self.get_json_body()
        if name is None or not isinstance(body, dict) or "value" not in body:
            raise web.HTTPError(400, 'Send PUT /hub/api/secrets/NAME with {"value": "..."}.')
        try:
            new = store_from(self.settings).put(owner.name, name, body["value"])
        except SecretError as e:
            raise web.HTTPError(400, str(e)) from None
        self.log.info("%s %s secret %s", owner.name, "added" if new else "replaced", name)
        self.set_status(201 if new else 200)
        self.finish(json.dumps({"name": name}))

    async def delete(self, name=None):
        owner = self.owner()
        if name is None or not store_from(self.settings).delete(owner.name, name):
            raise web.HTTPError(404, f"You have no secret named {name!r}.")
        self.log.info("%s deleted secret %s", owner.name, name)
        self.set_status(204)
        self.finish()


class SecretsPageHandler(BaseHandler):
    """GET /hub/secrets: the user's secrets; POST adds, replaces or deletes one."""

    @web.authenticated
    async def get(self):
        check_secrets_scope(self, self.current_user)
        await self.show()

    async def show(self, message="", error="", status=200):
        self.set_status(status)
        html = await self.render_template(
            "secrets.html",
            secrets=store_from(self.settings).listing(self.current_user.name),
            message=message,
            error=error,
        )
        self.finish(html)

    @web.authenticated
    async def post(self):
        check_secrets_scope(self, self.current_user)
        name = self.get_body_argument("name", "").strip()
        store = store_from(self.settings)
        if self.get_body_argument("action", "") == "delete":
            if store.delete(self.current_user.name, name):
                self.log.info("%s deleted secret %s", self.current_user.name, name)
                await self.show(message=f"Deleted {name}.")
            else:
                await self.show(error=f"You have no secret named {name!r}.", status=404)
            return
        try:
            new = store.put(self.current_user.name, name, self.get_body_argument("value", ""))
        except SecretError as e:
            await self.show(error=str(e), status=400)
            return
        self.log.info(
            "%s %s secret %s", self.current_user.name, "added" if new else "replaced", name
        )
        await self.show(message=f"{'Added' if new else 'Replaced'} {name}.")


HANDLERS = [
    (rf"/{KAGGLE_API_PATH}/kaggle-jwt-handler/AttachDatasourceUsingJwtRequest", AttachHandler),
    (rf"/{KAGGLE_API_PATH}/requests/GetUserSecretByLabelRequest", SecretByLabelHandler),
    (r"/api/secrets", SecretsAPIHandler),
    (r"/api/secrets/([^/]+)", SecretsAPIHandler),
    (r"/secrets", SecretsPageHandler),
]
