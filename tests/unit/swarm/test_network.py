"""The swarm network's checks, on Docker's inspect answers as the engine gives them."""

import docker

from spawner.swarm import network

OVERLAY = {"Scope": "swarm", "Attachable": True, "Options": {"encrypted": ""}}


class Networks:
    """Answers ``inspect_network`` from a table, as Docker does (NotFound when missing)."""

    def __init__(self, **known):
        self.known = known

    def inspect_network(self, name):
        if name not in self.known:
            raise docker.errors.NotFound(f"network {name} not found")
        return self.known[name]


def test_an_encrypted_attachable_overlay_passes_both_checks():
    client = Networks(team=OVERLAY)
    assert network.attachable(client, "team")
    assert network.encrypted(client, "team")


def test_a_plain_overlay_is_attachable_and_not_encrypted():
    client = Networks(team={**OVERLAY, "Options": {}}, bare={"Scope": "swarm", "Attachable": True})
    assert network.attachable(client, "team") and not network.encrypted(client, "team")
    assert not network.encrypted(client, "bare")


def test_a_missing_or_local_network_is_neither():
    client = Networks(local={"Scope": "local", "Attachable": False, "Options": {}})
    assert not network.attachable(client, "gone") and not network.encrypted(client, "gone")
    assert not network.attachable(client, "local")


def test_the_messages_give_the_command_that_makes_it_right():
    fix = "docker network create -d overlay --attachable --opt encrypted team"
    assert fix in network.not_encrypted_message("team")
    assert fix in network.not_attachable_message("team")
