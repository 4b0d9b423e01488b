"""Idle servers on a swarm: the hub's culler, running in the hub's service, stops a user's
service; the files stay for the next start."""

import pytest

from ..hubprocess import UserServer
from ..waiting import wait_for

pytestmark = [pytest.mark.swarm]

SETTINGS = {"KAGGLE_HUB_CULL_IDLE_SECONDS": "6"}


def test_an_idle_server_is_culled_and_its_files_kept(swarm_hub):
    cal = UserServer(swarm_hub, "cal", swarm_hub.create_user("cal"))
    swarm_hub.start_server("cal")
    cal.put_text("code/keep.txt", "still here\n")
    wait_for(
        lambda: swarm_hub.api("GET", "/users/cal").json()["servers"] == {},
        60,
        interval=1,
        what="the idle culler stopping cal's server",
    )
    assert f"{swarm_hub.prefix}-cal" not in swarm_hub.services()
    assert "Culling server cal" in swarm_hub.log()
    swarm_hub.start_server("cal")
    assert cal.read_text("code/keep.txt") == "still here\n"
