"""The Docker network user containers sit on, and the hub API address on it."""

import docker

from .. import engine
from ..errors import SetupError


def hub_api_ip(api_ip, network, internal):
    """The address the hub's API listens on: ``api_ip`` when set, else the gateway of the
    user network (created if missing)."""
    if api_ip:
        return api_ip
    return network_gateway(engine.connect(engine.client_kwargs()), network, internal)


def network_gateway(client, name, internal):
    """Create network ``name`` if missing and return its gateway address.

    The hub's API listens on that address: user containers reach it, and it is not on the
    machine's other interfaces.
    """
    try:
        info = client.inspect_network(name)
    except docker.errors.NotFound:
        client.create_network(name, driver="bridge", internal=internal, check_duplicate=True)
        info = client.inspect_network(name)
    if bool(info.get("Internal")) != internal:
        want = "internal" if internal else "not internal"
        raise SetupError(
            f"Docker network {name!r} exists but is {'not ' if internal else ''}internal, and "
            f"KAGGLE_HUB_NETWORK_INTERNAL asks for {want}: remove it with "
            f"'docker network rm {name}' (stop its containers first) or change the setting."
        )
    for config in (info.get("IPAM") or {}).get("Config") or []:
        gateway = config.get("Gateway")
        if gateway and ":" not in gateway:
            return gateway
    raise SetupError(
        f"Docker network {name!r} has no IPv4 gateway: remove it with "
        f"'docker network rm {name}' and let the hub create it."
    )
