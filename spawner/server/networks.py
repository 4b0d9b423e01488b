"""The Docker network of users' servers: made with traffic between containers off, by the
hub at start and again by a spawn that finds it gone (a `docker network prune`)."""

import docker

ICC = "com.docker.network.bridge.enable_icc"
ISOLATED = {ICC: "false"}


def ensure(client, name, internal):
    """Network ``name``'s inspect data, creating it first if missing."""
    try:
        return client.inspect_network(name)
    except docker.errors.NotFound:
        client.create_network(
            name, driver="bridge", internal=internal, check_duplicate=True, options=ISOLATED
        )
        return client.inspect_network(name)
