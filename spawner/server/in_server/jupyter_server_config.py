"""Run by each user's single-user server as a Jupyter config file (the startup script
writes it into ``JUPYTER_CONFIG_PATH``), not by the hub.

The server asks the hub about a login at most every ``auth_cache_seconds`` (1 s), so that
a logout or a deleted user ends access at once. While the hub restarts its API does not
answer, and every request of an open JupyterLab would fail. So when the hub cannot be
reached, a login the hub confirmed within the last ``HUB_AWAY_SECONDS`` is still taken;
any answer of the hub (a logout: no user) replaces what was confirmed.
"""

import time

from jupyterhub.services import auth
from tornado.web import HTTPError

HUB_AWAY_SECONDS = 60
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
