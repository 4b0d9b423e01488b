"""Docker tier: real hub processes with the lite image, driven over the REST API."""

import pytest

from ..hubs import finish_hub, module_failed, new_hub


@pytest.fixture(scope="module")
def hub(request, tmp_path_factory, docker_client, image):
    """One hub shared by a test module."""
    hub = new_hub(tmp_path_factory, image, dropins=getattr(request.module, "DROPINS", None))
    hub.start()
    yield hub
    finish_hub(docker_client, hub, module_failed(request))
