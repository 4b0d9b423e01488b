"""The manager is lost (its machine, its disk, the swarm's state): the team makes a new
swarm on another machine, puts the hub's last backup set back there as docs/howto/swarm.md
says, and every member gets their files back, those on a worker from that worker and those
on the old manager from the set. The new manager is a fresh engine, as a replacement
machine is: a node container of its own (kth-node-3) with the docs' paths in it."""

import copy
import json
import shlex
import shutil
from pathlib import Path

import pytest
import trustme

from spawner.settings.environment import REPO_DIR

from ..hubprocess import UserServer
from ..swarmnodes import Worker, docker, node_of
from ..waiting import wait_for

pytestmark = [pytest.mark.swarm, pytest.mark.multinode]

WORKERS = ("kth-node-1",)
PROFILES = [
    {"name": "worker", "constraints": ["node.role==worker"], "default": True},
    {"name": "manager", "constraints": ["node.role==manager"]},
]
SETTINGS = {
    "KAGGLE_HUB_PROFILES_FILE": "/etc/kaggle-team-hub/profiles.json",
    "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "3",
}
FILES = {"profiles.json": json.dumps(PROFILES)}
NEW_MANAGER = "kth-node-3"
# The set's name and the image in docs/howto/swarm.md's restore command.
DOCS_SET, DOCS_IMAGE = "20261205T020000Z", "kaggle-team-hub:hub-jh5.5.4"


def restore_command(set_name, hub_image, prefix):
    """docs/howto/swarm.md's restore command for this set and image, with the prefix this
    hub's hub.env sets (as the docs say to add it)."""
    docs = (REPO_DIR / "docs/howto/swarm.md").read_text()
    (line,) = [
        line.strip()
        for line in docs.splitlines()
        if line.strip().startswith("docker run --rm -v /var/run/docker.sock")
    ]
    words = shlex.split(line)
    assert DOCS_IMAGE in words and words[-1] == f"/mnt/backup/{DOCS_SET}", line
    at = words.index(DOCS_IMAGE)
    words[at:] = ["-e", f"KAGGLE_HUB_PREFIX={prefix}", hub_image, *words[at + 1 :]]
    words[-1] = f"/mnt/backup/{set_name}"
    return shlex.join(words)


@pytest.fixture
def new_manager(request, node_image, hub_image, image, team_data, tmp_path):
    """A fresh engine to become the manager, with the team's copy of the site folder at
    /etc/kaggle-team-hub, the set at /mnt/backup and the stack's file, and both images."""
    folders = {name: tmp_path / name for name in ("site", "backup", "stack")}
    for folder in folders.values():
        folder.mkdir()
    node = Worker(
        NEW_MANAGER,
        node_image,
        binds=[
            (str(folders["site"]), "/etc/kaggle-team-hub"),
            (str(folders["backup"]), "/mnt/backup"),
            (str(folders["stack"]), "/srv/stack"),
            str(team_data),
        ],
    )
    try:
        node.start()
        node.load(hub_image)
        node.load(image)
        yield node, folders
    finally:
        if request.node.nodeid in request.session.stash.get("failed_nodes", set()):
            print(f"----- {NEW_MANAGER}: services, tasks, the hub's log -----")
            print(node.docker("service", "ls", check=False).stdout)
            print(node.docker("node", "ls", check=False).stdout)
            hubs = node.docker(
                "ps", "-aq", "--filter", "label=com.docker.swarm.service.name=kaggle-team-hub_hub"
            ).stdout.split()
            for container in hubs:
                print(node.docker("logs", container, check=False).stderr[-20000:])
        node.remove()


def new_certificate(site, address, ca_file):
    """A certificate for the new manager's address (the team's name for the hub moves to
    it), from a CA written to ``ca_file``."""
    ca = trustme.CA()
    pair = ca.issue_cert(address)
    pair.private_key_pem.write_to_path(site / "key.pem")
    (site / "cert.pem").write_bytes(pair.cert_chain_pems[0].bytes() + ca.cert_pem.bytes())
    ca.cert_pem.write_to_path(ca_file)


def test_a_lost_manager_is_replaced_from_the_backup_set_and_members_keep_their_files(
    swarm_hub, nodes, new_manager, hub_image, team_data, tmp_path
):
    (worker,) = nodes
    node, folders = new_manager
    tokens = {user: swarm_hub.create_user(user) for user in ("ann", "bob")}
    swarm_hub.start_server("ann")
    swarm_hub.start_server("bob", options={"profile": "manager"})
    UserServer(swarm_hub, "ann", tokens["ann"]).put_text("code/on-the-worker.txt", "ann's")
    UserServer(swarm_hub, "bob", tokens["bob"]).put_text("code/on-the-manager.txt", "bob's")

    # The nightly set, copied off the manager, and the team's own copy of the site folder.
    made = swarm_hub.kaggle_hub("backup", "--all", "-o", "/var/lib/kaggle-team-hub/backup-sets")
    assert made.returncode == 0, made.stderr
    (written,) = (swarm_hub.workdir / "data/backup-sets").iterdir()
    shutil.copytree(written, folders["backup"] / written.name)
    shutil.copytree(swarm_hub.site, folders["site"], dirs_exist_ok=True)
    hub_env = (folders["site"] / "hub.env").read_text()
    (folders["site"] / "hub.env").unlink()

    # The manager dies, with its hub and the swarm it held (this machine's engine stays for
    # the rest of the tier, but nothing here uses it again).
    # (The stack's network stays while the old servers are on it, which Docker reports.)
    docker("stack", "rm", swarm_hub.stack, check=False)
    old_worker_id = worker.node_id

    # The new manager: a swarm of its own, the set put back with the docs' command.
    address = node.init()
    new_certificate(folders["site"], address, tmp_path / "ca.pem")
    node.shell("mkdir -p /var/lib/kaggle-team-hub")
    restore = restore_command(written.name, hub_image, swarm_hub.prefix)
    restored = node.shell(restore, check=False)
    assert restored.returncode == 0, restored.stderr
    assert "Restored the hub's state and 1 volume from" in restored.stdout
    assert (folders["site"] / "hub.env").read_text() == hub_env
    for path in swarm_hub.stack_files:
        shutil.copy(REPO_DIR / path, folders["stack"] / Path(path).name)
    deploy_env = {
        name: swarm_hub.deploy_env[name]
        for name in (
            "KAGGLE_HUB_HUB_IMAGE",
            "KAGGLE_HUB_DATASETS_DIR",
            "KAGGLE_HUB_NETWORK_INTERNAL",
        )
    }
    stack_file = f"/srv/stack/{Path(swarm_hub.stack_files[0]).name}"
    deployed = node.shell(
        " ".join(f"{k}={shlex.quote(v)}" for k, v in deploy_env.items())
        + f" docker stack deploy -c {stack_file} kaggle-team-hub",
        check=False,
    )
    assert deployed.returncode == 0, deployed.stderr

    hub = copy.copy(swarm_hub)
    hub.address, hub.port, hub.verify = address, 443, str(tmp_path / "ca.pem")
    wait_for(hub._answers, 180, interval=0.5, what="the hub on the new manager answering")

    # bob's files were on the old manager: the set put them here, and his server runs here.
    hub.start_server("bob", options={"profile": "manager"})
    assert node_of(hub, "bob", node.docker) == NEW_MANAGER
    assert UserServer(hub, "bob", tokens["bob"]).read_text("code/on-the-manager.txt") == "bob's"

    # ann's files are on a machine not yet in the new swarm: she is told which, and the fix.
    refused = hub.api("POST", "/users/ann/server")
    assert refused.status_code == 500, refused.text
    message = refused.json()["message"]
    assert f"files are on the machine {worker.name}, which is not in this swarm" in message
    assert "docker swarm join-token worker" in message

    # Her machine leaves the dead swarm and joins the new one: her server returns to it.
    worker.rejoin(address, node.docker)
    docker("node", "rm", "--force", old_worker_id, check=False)
    hub.start_server("ann")
    assert node_of(hub, "ann", node.docker) == worker.name
    assert UserServer(hub, "ann", tokens["ann"]).read_text("code/on-the-worker.txt") == "ann's"
