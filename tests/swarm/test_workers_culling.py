"""Idle servers on a worker: the hub's culler, on the manager, hears from a server on
another node (its activity goes over the overlay) and stops it when idle; the files stay on
that node for the next start."""

import json

import pytest

from ..hubprocess import UserServer
from ..swarmnodes import node_of
from ..waiting import wait_for

pytestmark = [pytest.mark.swarm, pytest.mark.multinode]

WORKERS = ("kth-node-1",)
PROFILES = [{"name": "workers", "constraints": ["node.role==worker"], "default": True}]
SETTINGS = {
    "KAGGLE_HUB_CULL_IDLE_SECONDS": "6",
    "KAGGLE_HUB_PROFILES_FILE": "/etc/kaggle-team-hub/profiles.json",
}
FILES = {"profiles.json": json.dumps(PROFILES)}


def test_an_idle_server_on_a_worker_is_culled_and_its_files_kept(swarm_hub, nodes):
    dee = UserServer(swarm_hub, "dee", swarm_hub.create_user("dee"))
    swarm_hub.start_server("dee")
    assert node_of(swarm_hub, "dee") == "kth-node-1"
    dee.put_text("code/keep.txt", "still here\n")
    wait_for(
        lambda: swarm_hub.api("GET", "/users/dee").json()["servers"] == {},
        60,
        interval=1,
        what="the idle culler stopping dee's server",
    )
    assert f"{swarm_hub.prefix}-dee" not in swarm_hub.services()
    assert "Culling server dee" in swarm_hub.log()
    swarm_hub.start_server("dee")
    assert node_of(swarm_hub, "dee") == "kth-node-1"
    assert dee.read_text("code/keep.txt") == "still here\n"
