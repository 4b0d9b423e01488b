"""A hub that runs users' servers on a Docker Swarm: checked at its start, so that a wrong
setup is named before anyone waits on a spawn."""

import logging

from .. import engine
from ..errors import SetupError
from ..swarm.fence import MODULE as FENCE_MODULE
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
    if not any(is_fence(service) for service in client.services()):
        log.warning(NO_FENCE_MESSAGE)


NO_FENCE_MESSAGE = (
    "No fence service runs on this swarm: users' servers can reach every service of the "
    "node they run on. Deploy deploy/swarm/stack.yml again (its fence service runs on "
    "every node), with the hub's image on every node."
)


def is_fence(service):
    """Whether ``service`` (an inspect) is a fence: global, running spawner.swarm.fence."""
    spec = service.get("Spec") or {}
    container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
    command = [*(container.get("Command") or []), *(container.get("Args") or [])]
    return "Global" in (spec.get("Mode") or {}) and FENCE_MODULE in command
