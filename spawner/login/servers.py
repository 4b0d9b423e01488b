"""Starting a server through the REST API: options that are not a JSON object are refused
with a message (JupyterHub answers them with a 500 and saves them for the next start)."""

import json

from jupyterhub.apihandlers.users import UserServerAPIHandler
from tornado import web


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
