"""Where the hub's API listens, for users' servers to reach."""

import logging

from .. import engine
from ..hub import network, routes, services, swarm


def configure(c, s):
    """On one machine the hub API listens on the user network's gateway: containers reach
    it, and nothing else of this machine (the fence), nor each other. (An admin who sets
    KAGGLE_HUB_API_IP places the API, and fences it, themselves; the hub warns when
    containers cannot reach that address.) On a swarm the hub runs in a service on the
    overlay network, where servers reach it by name.

    A hub started at boot or while Docker restarts waits for Docker first; a test or
    command that only reads the configuration, with the API's address given, asks Docker
    nothing."""
    if routes.in_running_hub() or s.swarm.on_swarm or not s.api_ip:
        engine.wait_until_answering(engine.client_kwargs(), s.docker_wait_seconds)
    if s.swarm.on_swarm:
        swarm.check(s.network)
        c.JupyterHub.hub_ip = "0.0.0.0"
        c.JupyterHub.hub_connect_ip = s.swarm.hub_host
    else:
        c.JupyterHub.hub_ip = network.hub_api_ip(s.api_ip, s.network, s.network_internal)
        for warning in network.api_warnings(s.api_ip, s.network, s.api_port):
            logging.getLogger("JupyterHub").warning(warning)
        # Addresses in the hub's log and its login locks are true: a user's code cannot
        # name another in a header.
        trusted_peers = {c.JupyterHub.hub_ip, "127.0.0.1", "::1"}
        c.JupyterHub.tornado_settings["log_function"] = services.request_log(trusted_peers)
        c.JupyterHub.tornado_settings[services.TRUSTED_PEERS] = trusted_peers
    c.JupyterHub.hub_port = s.api_port
