"""Starting a server through the REST API: options that are not a JSON object are refused
with a message (JupyterHub answers them with a 500 and saves them for the next start), and
a start that a stop cancels is answered as such (JupyterHub answers it with a 500)."""

import asyncio
import json

from jupyterhub.apihandlers.users import UserServerAPIHandler
from tornado import web

STOPPED_MEANWHILE = (
    "The server was stopped (or its user deleted) before it finished starting: start it again."
)


class ServerStartHandler(UserServerAPIHandler):
    def get_json_body(self):
        body = super().get_json_body()
        if self.request.body.strip() and not isinstance(body, dict):
            raise web.HTTPError(
                400,
                'Server options must be a JSON object, such as {"profile": "cpu"}, or no '
                f"body at all; got {json.dumps(body)[:40]}.",
            )
        return body

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

    def _stopped_meanwhile(self, user_name, server_name):
        user = self.find_user(user_name)
        spawner = user.spawners.get(server_name) if user is not None else None
        return spawner is None or spawner._stop_pending or spawner.server is None
