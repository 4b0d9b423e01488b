"""The network the hub and users' servers meet on, on a swarm: an attachable swarm network
(the hub's own service and the servers' services join it)."""

import docker


def attachable(client, name):
    """Whether network ``name`` exists, has swarm scope and takes services and the hub."""
    try:
        info = client.inspect_network(name)
    except docker.errors.NotFound:
        return False
    return info.get("Scope") == "swarm" and bool(info.get("Attachable"))


def not_attachable_message(name):
    return (
        f"KAGGLE_HUB_NETWORK={name!r} is not an attachable swarm network: create it "
        f"with 'docker network create -d overlay --attachable {name}' "
        "(deploy/swarm/stack.yml does) and run the hub on it."
    )
