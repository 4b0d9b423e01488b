"""Faults at a server's start and in the hub's own state: each fails fast with its reason,
or does not fail at all."""

import json
import shutil
import time

import pytest

from ..hubprocess import UserServer

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

# What the hub's start timeout was before a dead start was noticed: 30 s of polling.
START_TIMEOUT = 30

CRASHING = """
def crash_for_carl(spawner):
    if spawner.user.name == "carl":
        spawner.cmd = ["sh", "-c", "echo 'cannot open /kaggle/config: no such file' >&2; exit 3"]

c.Spawner.pre_spawn_hook = crash_for_carl
"""


def failed_start(hub, user, options=None):
    """Start ``user``'s server and wait for the failure; return (message, seconds)."""
    started = time.monotonic()
    r = hub.api("POST", f"/users/{user}/server", json=options)
    if r.status_code == 202:
        (event,) = [e for e in hub.progress_events(user) if e.get("failed")]
        message = event["message"]
    else:
        assert r.status_code == 500, r.text
        message = r.json()["message"]
    return message, time.monotonic() - started


def test_a_server_killed_for_memory_at_start_fails_at_once_saying_so(make_hub, tmp_path):
    offer = tmp_path / "profiles.json"
    offer.write_text(json.dumps([{"name": "tiny", "mem_limit": "24m", "default": True}]))
    hub = make_hub(env={"KAGGLE_HUB_PROFILES_FILE": str(offer)})
    hub.create_user("ola")
    message, seconds = failed_start(hub, "ola")
    assert "Your server stopped while starting: it ran out of memory" in message
    assert "memory limit (24.0 MB) is too small" in message
    assert "kaggle-hub logs ola" in message
    assert seconds < START_TIMEOUT / 2, f"noticed after {seconds:.1f} s"


def test_a_server_that_exits_at_start_fails_at_once_with_its_log(make_hub):
    hub = make_hub(dropins={"50-crash.py": CRASHING})
    hub.create_user("carl")
    message, seconds = failed_start(hub, "carl")
    assert "it exited with code 3" in message
    assert "cannot open /kaggle/config: no such file" in message
    assert seconds < START_TIMEOUT / 2, f"noticed after {seconds:.1f} s"


def test_the_first_start_after_the_hubs_state_was_lost_works(make_hub, docker_client):
    hub = make_hub()
    token = hub.create_user("lea")
    hub.start_server("lea")
    UserServer(hub, "lea", token).put_text("code/kept.txt", "kept\n")
    hub.stop()
    # The data dir wiped while the server runs: the new hub knows nothing of it.
    shutil.rmtree(hub.workdir / "data")
    hub.start()
    token = hub.create_user("lea")
    r = hub.api("POST", "/users/lea/server")
    assert r.status_code in (201, 202), r.text
    hub.wait_ready("lea", "", 120)
    assert UserServer(hub, "lea", token).read_text("code/kept.txt") == "kept\n"
    assert len(docker_client.containers(filters={"name": f"{hub.prefix}-lea"})) == 1


def test_a_server_killed_while_the_hub_runs_is_marked_stopped_at_once(make_hub, docker_client):
    hub = make_hub()
    token = hub.create_user("kim")
    hub.start_server("kim")
    server = UserServer(hub, "kim", token)
    assert server.get("api/status").status_code == 200
    killed = time.monotonic()
    docker_client.kill(f"{hub.prefix}-kim")

    def stopped():
        return not hub.api("GET", "/users/kim").json()["servers"]

    while not stopped():
        assert time.monotonic() - killed < START_TIMEOUT / 3, "the death went unnoticed"
        time.sleep(0.1)
    # The route is gone: the proxy sends the user to the hub at once, no hanging request.
    gone = server.get("api/status", allow_redirects=False)
    assert gone.status_code != 200
    assert "/hub/" in gone.headers.get("Location", "/hub/"), gone.headers
    # The next start works.
    hub.start_server("kim")
    assert server.get("api/status").status_code == 200


def test_a_server_that_cannot_reach_the_hub_api_fails_at_once_saying_so(make_hub):
    # The API on loopback: a user container's 127.0.0.1 is its own, not the hub's.
    hub = make_hub(env={"KAGGLE_HUB_API_IP": "127.0.0.1"})
    hub.create_user("nia")
    message, seconds = failed_start(hub, "nia")
    assert "Your server stopped while starting: it cannot reach the hub's API" in message
    assert "Failed to connect to my Hub at http://127.0.0.1:" in message
    assert seconds < START_TIMEOUT / 2, f"noticed after {seconds:.1f} s"
