"""Run by each user's single-user server as a Jupyter config file (the startup script
writes it into ``JUPYTER_CONFIG_PATH``), not by the hub.

The server asks the hub about a login at most every ``auth_cache_seconds`` (1 s), so that
a logout or a deleted user ends access at once. While the hub restarts its API does not
answer, and every request of an open JupyterLab would fail. So when the hub cannot be
reached, a login the hub confirmed within the last ``HUB_AWAY_SECONDS`` is still taken;
any answer of the hub (a logout: no user) replaces what was confirmed.

A websocket (a kernel's, a terminal's) is let in once, when it opens. So that a share
revoked (or a logout) ends a teammate's open kernel and terminal too, each open websocket
asks again on every message it receives and every ``RECHECK_SECONDS``, and is closed once
the hub says no; a hub that does not answer closes nothing.
"""

import asyncio
import inspect
import time

from jupyterhub.services import auth
from tornado.web import HTTPError

HUB_AWAY_SECONDS = 60
RECHECK_SECONDS = 2
# How long a server waits for a connection to the hub's API, and for a whole answer from
# it (JupyterHub 6; JupyterHub 5's client waits 20 s for either).
CONNECT_SECONDS = 3
REQUEST_SECONDS = 20
# A websocket close code of the application's range: access ended.
ACCESS_ENDED = 4003
# What HubAuth raises when the hub's API cannot be reached (a refusal by the hub, such as
# a revoked token of the server's own, is a 500 with another message: not recalled).
HUB_UNREACHABLE = (500, "Failed to connect to Hub API")
_ask_hub = getattr(auth.HubAuth, "_check_hub_authorization", None)
_confirmed = {}  # cache key -> (time.monotonic() of the hub's answer, the answer)


async def _ask_hub_or_recall(self, url, api_token, cache_key=None, use_cache=True):
    try:
        answer = await _ask_hub(self, url, api_token, cache_key=cache_key, use_cache=use_cache)
    except HTTPError as e:
        known = _confirmed.get(cache_key)
        unreachable = (e.status_code, (e.log_message or "")[: len(HUB_UNREACHABLE[1])])
        if unreachable == HUB_UNREACHABLE and known:
            if time.monotonic() - known[0] < HUB_AWAY_SECONDS:
                return known[1]
        raise
    if cache_key is not None:
        now = time.monotonic()
        for key in [k for k, (when, _) in _confirmed.items() if now - when > HUB_AWAY_SECONDS]:
            del _confirmed[key]
        _confirmed[cache_key] = (now, answer)
    return answer


# A jupyterhub without this method keeps its own behaviour (the hub checks the image's
# jupyterhub version, so this is the one written for).
if _ask_hub is not None:
    auth.HubAuth._check_hub_authorization = _ask_hub_or_recall


def _ask_afresh(client_class):
    """JupyterHub 6's servers ask the hub through aiohttp, which keeps connections alive,
    caches the hub's address for 10 s and waits minutes for a connection. On a swarm a
    restarted hub is a new container with a new address under the same name, and a server
    kept trying the old one until the proxy answered 504. As JupyterHub 5's client does,
    each request looks the name up and opens its own connection, and gives up after
    ``REQUEST_SECONDS``; a connection not made in ``CONNECT_SECONDS`` counts as the hub
    away (so a login it confirmed is still taken)."""
    import aiohttp

    new_session = client_class._new_session

    def _new_session_afresh(self):
        self.session_options = {
            "timeout": aiohttp.ClientTimeout(total=REQUEST_SECONDS, sock_connect=CONNECT_SECONDS),
            **self.session_options,
        }
        self.connector_options = {
            **self.connector_options,
            "force_close": True,
            "use_dns_cache": False,
        }
        return new_session(self)

    client_class._new_session = _new_session_afresh


try:
    from jupyterhub.httpclient import JupyterHubHTTPClient
except ImportError:  # JupyterHub 5: tornado's client, a new lookup and connection each time
    pass
else:
    _ask_afresh(JupyterHubHTTPClient)


async def _still_allowed(handler):
    """Whether the hub still lets the websocket's login in (True when it cannot tell)."""
    # The answers the handler keeps from when it opened (jupyterhub's and HubAuth's).
    handler.__dict__.pop("_jupyterhub_user", None)
    handler.__dict__.pop("_cached_hub_user", None)
    try:
        return await handler.identity_provider.get_user(handler) is not None
    except Exception as e:  # noqa: BLE001 - the hub away or failing: keep the connection
        handler.log.warning("Cannot ask the hub about %s: %r", handler.request.path, e)
        return True


def _end_access(handler):
    handler.log.info("Closing the websocket %s: the hub no longer lets it in", handler.request.path)
    handler.close(ACCESS_ENDED, "Access to this server has ended.")


def _rechecked(socket_class):
    """``socket_class`` asking the hub again on each message and every RECHECK_SECONDS."""
    original_open, original_message = socket_class.open, socket_class.on_message
    original_close = socket_class.on_close

    async def open(self, *args, **kwargs):
        opened = original_open(self, *args, **kwargs)
        if inspect.isawaitable(opened):
            await opened
        self._kth_watch = asyncio.ensure_future(_watch(self))

    async def _watch(self):
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await _still_allowed(self):
                _end_access(self)
                return

    async def on_message(self, message):
        if not await _still_allowed(self):
            _end_access(self)
            return
        handled = original_message(self, message)
        if inspect.isawaitable(handled):
            await handled

    def on_close(self):
        watch = getattr(self, "_kth_watch", None)
        if watch is not None:
            watch.cancel()
        return original_close(self)

    socket_class.open, socket_class.on_message = open, on_message
    socket_class.on_close = on_close


def _recheck_websockets():
    try:
        from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    except ImportError:
        return
    _rechecked(KernelWebsocketHandler)
    try:
        from jupyter_server_terminals.handlers import TermSocket
    except ImportError:
        return
    _rechecked(TermSocket)


_recheck_websockets()
