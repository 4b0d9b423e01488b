"""The single-user server's own config: while the hub's API cannot be reached, a login the
hub confirmed within the last minute is still taken; any answer of the hub wins."""

import runpy
import time

import pytest
from jupyterhub.services import auth
from tornado.web import HTTPError

from spawner.server import layout

from ...loops import run


class Hub:
    """What the server's question to the hub gets: an answer, or an error."""

    def __init__(self):
        self.answer = {"name": "ann"}
        self.error = None

    async def ask(self, hub_auth, url, api_token, cache_key=None, use_cache=True):
        if self.error:
            raise self.error
        return self.answer


@pytest.fixture
def hub(monkeypatch):
    hub = Hub()
    monkeypatch.setattr(auth.HubAuth, "_check_hub_authorization", hub.ask)
    hub.config = runpy.run_path(str(layout.SERVER_CONFIG))
    assert auth.HubAuth._check_hub_authorization is not hub.ask
    return hub


def ask(key="token::abc"):
    check = auth.HubAuth._check_hub_authorization
    return run(check(None, "http://hub/hub/api/user", "abc", cache_key=key))


def test_a_confirmed_login_outlasts_a_hub_restart(hub):
    assert ask() == {"name": "ann"}
    hub.error = HTTPError(500, "Failed to connect to Hub API at 'http://hub:8081/hub/api'.")
    assert ask() == {"name": "ann"}
    # Another login the hub never confirmed is refused as before.
    with pytest.raises(HTTPError):
        ask("token::other")


def test_a_logout_the_hub_answered_is_not_undone_by_its_restart(hub):
    assert ask() == {"name": "ann"}
    hub.answer = None  # logged out, or the user deleted
    assert ask() is None
    hub.error = HTTPError(500, "Failed to connect to Hub API at 'http://hub:8081/hub/api'.")
    assert ask() is None


def test_only_a_recent_confirmation_and_only_an_unreachable_hub_count(hub, monkeypatch):
    assert ask() == {"name": "ann"}
    hub.error = HTTPError(403, "refused")
    with pytest.raises(HTTPError):
        ask()
    # The hub refusing the server's own token: the hub answered, nothing is recalled.
    hub.error = HTTPError(500, "Permission failure checking authorization")
    with pytest.raises(HTTPError):
        ask()
    hub.error = HTTPError(500, "Failed to connect to Hub API at 'http://hub:8081/hub/api'.")
    now = time.monotonic
    away = hub.config["HUB_AWAY_SECONDS"]
    monkeypatch.setattr(time, "monotonic", lambda: now() + away + 1)
    with pytest.raises(HTTPError):
        ask()
