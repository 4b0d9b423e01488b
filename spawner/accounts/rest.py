"""The hub's REST handlers that replace JupyterHub's own, each for an upstream behaviour a
team cannot live with (JupyterHub 5.5):

- ``POST /hub/api/users``: JupyterHub refuses a whole batch for one invalid name, and its
  admin page then says only "Failed to create user."; here the valid names are added and
  the answer names each refused one with the rule it broke.
- ``POST /hub/api/users/NAME/server[s/SERVER]``: server options that are not a JSON object
  get a 500 and are saved for the next start (JupyterHub 6.1: a bare "Body must be a JSON
  object"); here a 400 that says what to send. A start
  that a stop cancels gets a 500; here a 409 that says so.
- ``DELETE /hub/api/users/NAME/server[s/SERVER]``: a stop that lands while a start request
  checks the running server gets a 500 and is lost; here it waits for the check and stops.
- ``DELETE /hub/api/users/NAME``: JupyterHub stops only the default server (a running named
  one makes the deletion fail), keeps the secrets, and deletes the user even when the
  volume could not be put away; here every way out ends as ``departures`` says.
- ``PATCH /hub/api/users/NAME`` with a new name: JupyterHub renames the account and leaves
  its files and secrets under the old name, for the next account that takes it; here they
  move with it.
- ``GET /hub/api/user`` with a token: JupyterHub counts what was shared with a user's
  groups for the hub's own pages but not for tokens, and a server asks with the token of
  the person opening it, so a server shared with a group refused every member; here a
  token carries its group shares as far as its own scopes reach (JupyterHub 5.5 and 6.1).
"""

import asyncio
import json

from jupyterhub import scopes
from jupyterhub.apihandlers.users import (
    SelfAPIHandler,
    UserAPIHandler,
    UserListAPIHandler,
    UserServerAPIHandler,
)
from jupyterhub.roles import assign_default_roles
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import maybe_future
from tornado import web

from . import departures
from .names import why_invalid

# How long a stop waits for a start request's check of the running server (a Docker poll).
CHECK_WAIT_SECONDS = 30
STOPPED_MEANWHILE = (
    "The server was stopped (or its user deleted) before it finished starting: start it again."
)


class AddUsersHandler(UserListAPIHandler):
    """POST /hub/api/users: add the valid names of the batch, and say why the others are not.

    The answer is 201 with the added users when every name was valid; otherwise 400 whose
    message names each refused name, and whose ``added`` lists the names added anyway.
    """

    @needs_scope("admin:users")
    async def post(self):
        data = self.get_json_body()
        if not isinstance(data, dict) or not isinstance(data.get("usernames"), list):
            raise web.HTTPError(400, 'Send {"usernames": ["name", ...]} to add users.')
        names = data.pop("usernames")
        if not names:
            raise web.HTTPError(400, "Give at least one user name to add.")
        self._check_user_model(data)
        admin = data.get("admin", False)
        if admin and not self.current_user.admin:
            raise web.HTTPError(403, "Only admins can grant admin permissions")

        refused, existing, to_add = [], [], []
        for name in names:
            reason = why_invalid(self.authenticator, name)
            if reason:
                refused.append(reason)
                continue
            name = self.authenticator.normalize_username(name)
            if self.find_user(name) is not None:
                existing.append(name)
            elif name not in to_add:
                to_add.append(name)

        added = []
        for name in to_add:
            user = self.user_from_username(name)
            if admin:
                user.admin = True
            assign_default_roles(self.db, entity=user)
            self.db.commit()
            try:
                await maybe_future(self.authenticator.add_user(user))
            except Exception as e:
                self.log.error("Failed to add user %s: %s", name, e)
                self.users.delete(user)
                refused.append(f"{name!r} could not be added: {e}")
            else:
                added.append(user)

        if not refused and not added:
            raise web.HTTPError(409, f"All {len(names)} users already exist")
        if refused:
            self.set_status(400)
            self.finish(json.dumps(_answer(refused, existing, added)))
            return
        self.set_status(201)
        self.finish(json.dumps([self.user_model(u) for u in added]))


def _answer(refused, existing, added):
    parts = ["Not added: " + "; ".join(refused) + "."]
    if existing:
        parts.append("Already users: " + ", ".join(existing) + ".")
    if added:
        parts.append("Added: " + ", ".join(u.name for u in added) + ".")
    return {
        "status": 400,
        "message": " ".join(parts),
        "added": [u.name for u in added],
    }


class ServerHandler(UserServerAPIHandler):
    """POST /hub/api/users/NAME/server[s/SERVER]: options must be a JSON object; DELETE:
    a stop is never lost to a start request's check of the running server."""

    def get_json_body(self):
        body = super().get_json_body()
        if self.request.body.strip() and not isinstance(body, dict):
            raise web.HTTPError(
                400,
                'Server options must be a JSON object, such as {"profile": "cpu"}, or no '
                f"body at all; got {json.dumps(body)[:40]}.",
            )
        return body

    def get_server_json_body(self):
        # JupyterHub 6 reads a start's body here, past get_json_body.
        self.get_json_body()
        return super().get_server_json_body()

    async def post(self, user_name, server_name=""):
        try:
            await super().post(user_name, server_name)
        except asyncio.CancelledError:
            # The spawn this request waited on was cancelled: a stop came first.
            raise web.HTTPError(409, STOPPED_MEANWHILE) from None
        except web.HTTPError:
            raise
        except Exception:
            # JupyterHub's own handler trips over a server stopped, or a user deleted, while
            # it finished the start (AttributeError on the gone server): that is no error.
            if self._stopped_meanwhile(user_name, server_name):
                raise web.HTTPError(409, STOPPED_MEANWHILE) from None
            raise

    async def delete(self, user_name, server_name=""):
        try:
            await super().delete(user_name, server_name)
        except RuntimeError:
            # A start request for a running server polls it, marked "pending spawn"
            # meanwhile; JupyterHub's stop, landing in that window, raised (a 500) and the
            # server kept running. Once the check is over, the stop goes ahead.
            spawner = self._running_and_checked(user_name, server_name)
            if spawner is None:
                raise
            for _ in range(CHECK_WAIT_SECONDS * 20):
                if not spawner._spawn_pending:
                    break
                await asyncio.sleep(0.05)
            self.log.info("Stopping %s after a start request's check of it", spawner._log_name)
            await super().delete(user_name, server_name)

    def _running_and_checked(self, user_name, server_name):
        """The spawner of a running server that a start request is polling, or None."""
        user = self.find_user(user_name)
        spawner = user.spawners.get(server_name) if user is not None else None
        if spawner is None or spawner.server is None or spawner._spawn_future is not None:
            return None
        return spawner if spawner._spawn_pending else None

    def _stopped_meanwhile(self, user_name, server_name):
        user = self.find_user(user_name)
        spawner = user.spawners.get(server_name) if user is not None else None
        return spawner is None or spawner._stop_pending or spawner.server is None


class UserHandler(UserAPIHandler):
    """DELETE and PATCH /hub/api/users/NAME: a user leaves, or is renamed, with their files
    and secrets (GET and POST are JupyterHub's own)."""

    @needs_scope("delete:users")
    async def delete(self, user_name):
        user = self.find_user(user_name)
        if user is None:
            raise web.HTTPError(404)
        if user.name == self.current_user.name:
            raise web.HTTPError(400, "Cannot delete yourself!")
        await departures.remove_user(self, user)
        self.set_status(204)

    @needs_scope("admin:users")
    async def patch(self, user_name):
        user = self.find_user(user_name)
        data = self.get_json_body()
        if user is None or not isinstance(data, dict):
            # JupyterHub's own answer: 404, or a 400 naming the bad body.
            return await super().patch(user_name)
        new_name = data.get("name", user.name)
        if new_name != user.name:
            reason = why_invalid(self.authenticator, new_name)
            if reason:
                raise web.HTTPError(400, f"Not renamed: {reason}.")
            new_name = self.authenticator.normalize_username(new_name)
            if self.find_user(new_name) is not None:
                raise web.HTTPError(409, f"Not renamed: there is a user {new_name!r} already.")
            if not self.current_user.admin and user.admin:
                raise web.HTTPError(403, "Only admins can modify other admins")
            await departures.rename_user(self, user, new_name)
        await super().patch(user_name)
        if new_name != user_name:
            departures.renamed(self, user)


class WhoAmIHandler(SelfAPIHandler):
    """GET /hub/api/user: as JupyterHub's, and a token's scopes include what was shared with
    its owner's groups, within the scopes the token was given."""

    def _resolve_roles_and_scopes(self):
        super()._resolve_roles_and_scopes()
        token = self.get_token()
        owner = token.user if token is not None else None
        if owner is None:
            return
        shared = set()
        for group in owner.groups:
            for share in group.shared_with_me:
                shared |= scopes.expand_share_scopes(share)
        if not shared:
            return
        if "inherit" not in token.scopes:
            given = set(
                scopes.expand_scopes(
                    set(token.scopes), owner=owner, oauth_client=token.oauth_client
                )
            )
            if token.client_id != "jupyterhub":
                # As JupyterHub has it: a server's token opens that server.
                given |= scopes.access_scopes(token.oauth_client)
            shared = scopes._intersect_expanded_scopes(given, shared, db=self.db)
        self.expanded_scopes = self.expanded_scopes | shared
        self.parsed_scopes = scopes.parse_scopes(self.expanded_scopes)


HANDLERS = [
    (r"/api/user", WhoAmIHandler),
    (r"/api/users", AddUsersHandler),
    (r"/api/users/([^/]+)", UserHandler),
    (r"/api/users/([^/]+)/server", ServerHandler),
    (r"/api/users/([^/]+)/servers/([^/]*)", ServerHandler),
]
