"""Docker tier: a real engine, the lite image and real hub processes.

Nothing here skips: without an engine or the image these tests fail, and say why.
"""

import os
import secrets

import docker
import pytest

from ..hubprocess import Hub

PREFIX_ROOT = "kth-test"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item.session.stash.setdefault("failed_nodes", set()).add(item.nodeid)


@pytest.fixture(scope="session")
def docker_client():
    try:
        client = docker.APIClient(version="auto")
        client.ping()
    except docker.errors.DockerException as e:
        pytest.fail(
            f"The Docker tier needs a running Docker engine ({e}); ./deploy/test starts one."
        )
    return client


@pytest.fixture(scope="session")
def image(docker_client):
    tag = os.environ.get("KAGGLE_HUB_TEST_IMAGE")
    if not tag:
        pytest.fail("KAGGLE_HUB_TEST_IMAGE is not set: run the suite with ./deploy/test.")
    try:
        docker_client.inspect_image(tag)
    except docker.errors.NotFound:
        pytest.fail(f"The test image {tag} is missing: ./deploy/build-image lite builds it.")
    return tag


def remove_prefixed(client, prefix):
    """Remove the containers, volumes and network a test hub made."""
    for c in client.containers(all=True, filters={"name": prefix}):
        if any(name.lstrip("/").startswith(prefix) for name in c["Names"]):
            client.remove_container(c["Id"], force=True)
    for v in client.volumes().get("Volumes") or []:
        if v["Name"].startswith(prefix):
            client.remove_volume(v["Name"], force=True)
    for n in client.networks(names=[f"{prefix}-net"]):
        client.remove_network(n["Id"])


def print_diagnostics(client, hub):
    print(f"----- hub log ({hub.log_path}) -----")
    print(hub.log()[-20000:])
    for c in client.containers(all=True, filters={"name": hub.prefix}):
        print(f"----- container {c['Names'][0]} ({c['Status']}) -----")
        print(client.logs(c["Id"], tail=100).decode(errors="replace"))


@pytest.fixture
def make_hub(request, tmp_path_factory, docker_client, image):
    """Start hubs on demand; each is stopped and cleaned up after the test or module."""
    hubs = []

    def make(env=None, dropins=None, wait=True):
        prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
        hub = Hub(tmp_path_factory.mktemp(prefix), image, prefix, env=env, dropins=dropins)
        hubs.append(hub)
        return hub.start(wait=wait)

    yield make
    failed = request.node.nodeid in request.session.stash.get("failed_nodes", set())
    for hub in hubs:
        hub.stop()
        if failed:
            print_diagnostics(docker_client, hub)
        remove_prefixed(docker_client, hub.prefix)


@pytest.fixture(scope="module")
def hub(request, tmp_path_factory, docker_client, image):
    """One hub shared by a test module."""
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    hub = Hub(
        tmp_path_factory.mktemp(prefix),
        image,
        prefix,
        dropins=getattr(request.module, "DROPINS", None),
    )
    hub.start()
    yield hub
    hub.stop()
    failed = request.session.stash.get("failed_nodes", set())
    if any(node.startswith(request.node.nodeid + "::") for node in failed):
        print_diagnostics(docker_client, hub)
    remove_prefixed(docker_client, hub.prefix)
