"""Swarm tier: the hub deployed with deploy/swarm/stack.yml on a real swarm (this machine's
engine alone, or with workers for the multi-node tests), users' servers as swarm services,
driven over the REST API."""

import secrets

import pytest

from ..hubs import PREFIX_ROOT, module_failed
from ..images import built_image
from ..kagglenotebook import make_shared
from ..swarmhub import STACK_FILE, SwarmHub, unencrypted_stack
from ..swarmnodes import NODES_NETWORK, Swarm, Worker, ipsec_works, nodes_address


@pytest.fixture(scope="session")
def swarm(docker_client):
    with Swarm() as made:
        yield made


@pytest.fixture(scope="session")
def hub_image(docker_client):
    return built_image(docker_client, "KAGGLE_HUB_TEST_HUB_IMAGE", "hub")


@pytest.fixture(scope="module")
def team_data(tmp_path_factory):
    """The team's Kaggle data folder (the same path on every node)."""
    return make_shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def node_image(docker_client):
    return built_image(docker_client, "KAGGLE_HUB_TEST_NODE_IMAGE", "node")


@pytest.fixture(scope="module")
def nodes(request, swarm, image, hub_image, team_data):
    """The swarm's workers while the module's hub runs: one per name in the module's
    WORKERS (none by default), joined with the servers' image, the hub's (the stack's fence
    runs on every node) and the team's data."""
    names = getattr(request.module, "WORKERS", ())
    if not names:
        yield []
        return
    if nodes_address() != swarm.address:
        pytest.fail(
            f"This machine's swarm is advertised on {swarm.address}, which the test workers "
            f"on {NODES_NETWORK} cannot join: run the tier with no swarm here "
            "('docker swarm leave --force')."
        )
    node_image = request.getfixturevalue("node_image")
    workers = [Worker(name, node_image, binds=[str(team_data)]) for name in names]
    try:
        for worker in workers:
            worker.start()
            worker.load(image)
            worker.load(hub_image)
            worker.join(swarm.address)
        yield workers
    finally:
        for worker in workers:
            worker.remove()


@pytest.fixture(scope="module")
def swarm_hub(request, tmp_path_factory, swarm, nodes, hub_image, image, team_data):
    """One hub on the swarm shared by a test module, with its SETTINGS and FILES and the
    team's Kaggle data; deployed from deploy/swarm/stack.yml, with its overlays unencrypted
    only where there are workers and this machine's kernel cannot do IPsec, and the servers'
    overlay internal unless the module says SERVERS_NETWORK_INTERNAL = False; the module's
    MORE_STACK_FILES are deployed with the stack's file, as ``docker stack deploy -c`` takes
    several."""
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    workdir = tmp_path_factory.mktemp(prefix)
    stack_file = STACK_FILE
    if nodes and not ipsec_works():
        stack_file = unencrypted_stack(workdir / "stack.yml")
    hub = SwarmHub(
        workdir,
        hub_image,
        image,
        prefix,
        settings=getattr(request.module, "SETTINGS", None),
        files=getattr(request.module, "FILES", None),
        shared=team_data,
        stack_file=stack_file,
        more_stack_files=getattr(request.module, "MORE_STACK_FILES", ()),
        internal=getattr(request.module, "SERVERS_NETWORK_INTERNAL", True),
    )
    try:
        yield hub.start()
    finally:
        if module_failed(request):
            print(f"----- hub log ({hub.service}) -----")
            print(hub.log()[-20000:])
        hub.stop()
