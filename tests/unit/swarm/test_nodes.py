"""Following the machine that holds a server's files when its node id changes."""

import pytest

from spawner.swarm import nodes


def node(node_id, hostname, state):
    return {"ID": node_id, "Description": {"Hostname": hostname}, "Status": {"State": state}}


@pytest.mark.parametrize(
    ("listed", "found"),
    [
        # The swarm counts the node: it stays, even when another of that name is ready.
        ([node("a1", "gpu-box", "ready"), node("b2", "gpu-box", "ready")], "a1"),
        ([node("a1", "gpu-box", "unknown")], "a1"),
        # It left and joined again: its old entry is down, the new one ready.
        ([node("a1", "gpu-box", "down"), node("b2", "gpu-box", "ready")], "b2"),
        # A swarm made anew: the old id is gone, the machine joined under a new one.
        ([node("c3", "cpu-box", "ready"), node("b2", "gpu-box", "ready")], "b2"),
        # Only down, nothing else of that name ready: wait for it as before.
        ([node("a1", "gpu-box", "down"), node("b2", "gpu-box", "down")], "a1"),
        # Not in the swarm at all.
        ([node("c3", "cpu-box", "ready"), node("b2", "gpu-box", "down")], None),
    ],
)
def test_the_machine_is_followed_by_its_host_name(listed, found):
    assert nodes.current_id("a1", "gpu-box", listed) == found


def test_without_a_host_name_only_the_id_counts():
    assert nodes.current_id("a1", "", [node("b2", "", "ready")]) is None
    assert nodes.current_id("a1", "", [node("a1", "", "ready")]) == "a1"
