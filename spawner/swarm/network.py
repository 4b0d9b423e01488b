"""The network the hub and users' servers meet on, on a swarm: an attachable swarm network
(the hub's own service and the servers' services join it)."""

import docker


def _inspect(client, name):
    try:
        return client.inspect_network(name)
    except docker.errors.NotFound:
        return None


def attachable(client, name):
    """Whether network ``name`` exists, has swarm scope and takes services and the hub."""
    info = _inspect(client, name) or {}
    return info.get("Scope") == "swarm" and bool(info.get("Attachable"))


def encrypted(client, name):
    """Whether swarm network ``name`` encrypts what crosses between nodes."""
    return "encrypted" in ((_inspect(client, name) or {}).get("Options") or {})


def not_encrypted_message(name):
    return (
        f"KAGGLE_HUB_NETWORK={name!r} is not encrypted: between nodes, the proxy's traffic "
        "to servers and their calls to the hub (tokens, secrets, notebooks) cross the LAN in "
        f"clear. Recreate it with 'docker network create -d overlay --attachable --opt "
        f"encrypted {name}' (deploy/swarm/stack.yml does)."
    )


def not_attachable_message(name):
    return (
        f"KAGGLE_HUB_NETWORK={name!r} is not an attachable swarm network: create it "
        f"with 'docker network create -d overlay --attachable --opt encrypted {name}' "
        "(deploy/swarm/stack.yml does) and run the hub on it."
    )
