"""Fixtures of the Docker, swarm and e2e tiers: a real engine, the lite image, real hub
processes, a real browser.

Nothing here skips: without an engine or the image these tests fail, and say why. The
fixtures touch the daemon only when a test asks for them, so the unit tier needs none.
"""

import os
import secrets
import subprocess
from contextlib import ExitStack
from pathlib import Path

import docker
import pytest

from .browser import fresh_context, playwright_driver
from .hubs import finish_hub, new_hub, remove_leftovers, stop_proxies
from .images import built_image


def pytest_collection_modifyitems(config, items):
    """In a run spread over workers: files of the tiers that start hubs and containers
    first (those with the most tests first), the quick unit files last, so that the unit
    files fill the gaps while the last slow files finish (``./deploy/test`` runs with
    ``--no-loadscope-reorder``, and runs the unit tier apart). A run in one process keeps
    the files' order: the swarm tier, whose swarm lasts to the end, comes after the Docker
    tier's engine restarts (``--live-restore`` refuses a swarm)."""
    if not hasattr(config, "workerinput"):
        return
    per_file = {}
    for item in items:
        per_file[item.path] = per_file.get(item.path, 0) + 1

    def order(item):
        unit = item.path.is_relative_to(Path(__file__).parent / "unit")
        return (unit, -per_file[item.path], str(item.path))

    items.sort(key=order)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        item.session.stash.setdefault("failed_nodes", set()).add(item.nodeid)


def run_dir(tmp_path_factory):
    """The run's temporary dir: the parent of each worker's when the run is spread over
    workers (``./deploy/test`` does that)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def docker_client(tmp_path_factory):
    """The engine's API, cleared of what an interrupted run's test hubs left in it (never
    what another worker of this run is using)."""
    try:
        client = docker.APIClient(version="auto")
        client.ping()
    except docker.errors.DockerException as e:
        pytest.fail(
            f"The Docker tier needs a running Docker engine ({e}); ./deploy/test starts one."
        )
    remove_leftovers(client, run_dir(tmp_path_factory))
    return client


@pytest.fixture(scope="session", autouse=True)
def no_proxy_left(tmp_path_factory):
    """Proxies of hubs the tests started by other means (``./deploy/run``, the service)
    outlive them: stopped when the run ends."""
    yield
    stop_proxies(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def image(docker_client):
    return built_image(docker_client, "KAGGLE_HUB_TEST_IMAGE", "lite")


@pytest.fixture
def make_hub(request, tmp_path_factory, docker_client, image):
    """Start hubs on demand; each is stopped and cleaned up after the test or module."""
    hubs = []

    def make(env=None, dropins=None, wait=True, verify=True, start=True):
        hub = new_hub(tmp_path_factory, image, env=env, dropins=dropins)
        hub.verify = verify
        hubs.append(hub)
        return hub.start(wait=wait) if start else hub

    yield make
    failed = request.node.nodeid in request.session.stash.get("failed_nodes", set())
    for hub in hubs:
        finish_hub(docker_client, hub, failed)


@pytest.fixture(scope="module")
def mismatched_image(docker_client, image, tmp_path_factory):
    """The lite image with jupyterhub reporting another version than the hub's."""
    tag = f"kth-test-mismatch-{secrets.token_hex(3)}:jh0.0.1"
    context = tmp_path_factory.mktemp("mismatch")
    (context / "Dockerfile").write_text(
        f"FROM {image}\n"
        'RUN sed -i \'s/^version_info = .*/version_info = (0, 0, 1, "", "")/\' '
        "/usr/local/lib/python3.11/dist-packages/jupyterhub/_version.py\n"
    )
    subprocess.run(["docker", "build", "-q", "-t", tag, str(context)], check=True)
    yield tag
    docker_client.remove_image(tag, force=True)


@pytest.fixture(scope="module")
def image_without_jupyterhub(docker_client, image, tmp_path_factory):
    """The lite image with jupyterhub uninstalled, as a plain data-science image is."""
    tag = f"kth-test-nojupyterhub-{secrets.token_hex(3)}:latest"
    context = tmp_path_factory.mktemp("nojupyterhub")
    (context / "Dockerfile").write_text(
        f"FROM {image}\nRUN python3 -m pip uninstall -q -y --break-system-packages jupyterhub\n"
    )
    subprocess.run(["docker", "build", "-q", "-t", tag, str(context)], check=True)
    yield tag
    docker_client.remove_image(tag, force=True)


@pytest.fixture(scope="session")
def driver():
    with playwright_driver() as driver:
        yield driver


@pytest.fixture
def new_page(driver):
    """Open a page in a fresh browser context (one person, no cookies); closed after the test."""
    with ExitStack() as stack:

        def open_page(args=()):
            return stack.enter_context(fresh_context(driver, args)).new_page()

        yield open_page
