"""Swarm tier: the hub deployed with deploy/swarm/stack.yml on a real single-node swarm,
users' servers as swarm services, driven over the REST API."""

import secrets

import pytest

from ..hubs import PREFIX_ROOT, module_failed
from ..images import built_image
from ..kagglenotebook import make_shared
from ..swarmhub import Swarm, SwarmHub


@pytest.fixture(scope="session")
def swarm(docker_client):
    with Swarm() as made:
        yield made


@pytest.fixture(scope="session")
def hub_image(docker_client):
    return built_image(docker_client, "KAGGLE_HUB_TEST_HUB_IMAGE", "hub")


@pytest.fixture(scope="module")
def swarm_hub(request, tmp_path_factory, swarm, hub_image, image):
    """One hub on the swarm shared by a test module, with its SETTINGS and FILES and the
    team's Kaggle data."""
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    hub = SwarmHub(
        tmp_path_factory.mktemp(prefix),
        hub_image,
        image,
        prefix,
        settings=getattr(request.module, "SETTINGS", None),
        files=getattr(request.module, "FILES", None),
        shared=make_shared(tmp_path_factory.mktemp("shared")),
    )
    try:
        yield hub.start()
    finally:
        if module_failed(request):
            print(f"----- hub log ({hub.service}) -----")
            print(hub.log()[-20000:])
        hub.stop()
