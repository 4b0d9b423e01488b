"""Which node ``kaggle-hub move`` copies to, and what an admin is told when it cannot."""

import pytest

from spawner.admin import move
from spawner.errors import SetupError


def node(node_id, hostname, state="ready", availability="active"):
    return {
        "ID": node_id,
        "Description": {"Hostname": hostname},
        "Status": {"State": state},
        "Spec": {"Availability": availability},
    }


LISTED = [node("a1b2c3", "cpu-box"), node("d4e5f6", "gpu-box"), node("778899", "old", "down")]


def test_a_node_is_named_by_host_name_or_the_start_of_its_id():
    assert move._node(LISTED, "gpu-box") == ("d4e5f6", "gpu-box")
    assert move._node(LISTED, "a1b2") == ("a1b2c3", "cpu-box")


def test_an_unknown_node_is_refused_with_the_swarms_nodes():
    with pytest.raises(SetupError, match="named 'tpu-box': its nodes are cpu-box, gpu-box, old"):
        move._node(LISTED, "tpu-box")


def test_a_node_that_cannot_take_servers_is_refused_with_the_fix():
    with pytest.raises(SetupError, match="The node old is down and active: make it available"):
        move._node(LISTED, "old")
    drained = [node("a1b2c3", "cpu-box", availability="drain")]
    with pytest.raises(SetupError, match="docker node update --availability active"):
        move._node(drained, "cpu-box")
