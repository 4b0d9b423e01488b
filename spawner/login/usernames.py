"""User names: why one is refused, and adding a batch of them on the admin page.

JupyterHub refuses the whole batch when one name is invalid, and its admin page then says
only "Failed to create user.". Here the valid names are added, and the answer names each
refused one with the rule it broke.
"""

import json

from jupyterhub.apihandlers.users import UserListAPIHandler
from jupyterhub.roles import assign_default_roles
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import maybe_future
from tornado import web

# The built-in login's own column holds 128 characters.
MAX_USERNAME = 128
RULE = (
    f"use up to {MAX_USERNAME} letters, digits, '-', '_' or '.', without spaces, commas or slashes"
)


def why_invalid(authenticator, name):
    """Why ``name`` cannot be a user name of this hub, or None if it can."""
    if not isinstance(name, str):
        return f"{name!r} is not a name: user names are text"
    if not authenticator.validate_username(authenticator.normalize_username(name)):
        shown = name if len(name) <= 40 else name[:40] + "..."
        return f"{shown!r} cannot be a user name here: {RULE}"
    return None


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
