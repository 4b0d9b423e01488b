"""A hub that runs users' servers on a Docker Swarm: checked at its start, so that a wrong
setup is named before anyone waits on a spawn."""

import logging

from .. import engine
from ..errors import SetupError
from ..swarm.network import attachable, encrypted, not_attachable_message, not_encrypted_message

log = logging.getLogger("JupyterHub")


def check(network):
    """Raise SetupError unless Docker here manages a swarm and ``network`` is an attachable
    swarm network (users' servers and the hub meet on it); warn if it is not encrypted."""
    client = engine.connect(engine.client_kwargs())
    swarm = client.info().get("Swarm") or {}
    if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        raise SetupError(
            "KAGGLE_HUB_ENGINE=swarm, but Docker here is not a manager of a swarm: run the "
            "hub on a manager node ('docker swarm init' makes this machine one), or unset "
            "KAGGLE_HUB_ENGINE to run servers on this machine alone."
        )
    if not attachable(client, network):
        raise SetupError(not_attachable_message(network))
    if not encrypted(client, network):
        log.warning(not_encrypted_message(network))
