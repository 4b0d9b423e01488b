"""The manager is lost (its machine, its disk, the swarm's state): the team makes a new
swarm, puts back the hub's last backup set as docs/howto/swarm.md says, and every member
gets their files back, those on a worker from that worker and those on the manager from
the set."""

import json
import shutil
import sqlite3
from contextlib import closing

import pytest

from ..hubprocess import UserServer
from ..swarmnodes import docker, node_of

pytestmark = [pytest.mark.swarm, pytest.mark.serial, pytest.mark.multinode]

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


def lose_containers_and_volumes(prefix):
    """What this machine's engine held of the hub's (its swarm's networks went with it)."""
    containers = docker("ps", "-aq", "--filter", f"name={prefix}").stdout.split()
    if containers:
        docker("rm", "--force", *containers)
    volumes = [v for v in docker("volume", "ls", "-q").stdout.split() if v.startswith(prefix)]
    if volumes:
        docker("volume", "rm", *volumes)


def test_a_lost_manager_is_replaced_from_the_backup_set_and_members_keep_their_files(
    swarm_hub, swarm, nodes, tmp_path
):
    (worker,) = nodes
    tokens = {user: swarm_hub.create_user(user) for user in ("ann", "bob")}
    swarm_hub.start_server("ann")
    swarm_hub.start_server("bob", options={"profile": "manager"})
    assert node_of(swarm_hub, "ann") == worker.name
    ann, bob = (UserServer(swarm_hub, user, tokens[user]) for user in ("ann", "bob"))
    ann.put_text("code/on-the-worker.txt", "ann's")
    bob.put_text("code/on-the-manager.txt", "bob's")

    # The nightly set, copied off the manager.
    made = swarm_hub.kaggle_hub("backup", "--all", "-o", "/var/lib/kaggle-team-hub/backup-sets")
    assert made.returncode == 0, made.stderr
    (written,) = (swarm_hub.workdir / "data/backup-sets").iterdir()
    off_the_manager = tmp_path / "backups"
    backup_set = shutil.copytree(written, off_the_manager / written.name)

    # The manager dies: the swarm's state, the hub, its state folder, settings and volumes.
    swarm.lose()
    lose_containers_and_volumes(swarm_hub.prefix)
    shutil.rmtree(swarm_hub.workdir / "data")
    (swarm_hub.workdir / "data").mkdir()
    hub_env = (swarm_hub.site / "hub.env").read_text()
    (swarm_hub.site / "hub.env").unlink()

    # A new swarm; the set restores the hub's state, its settings and the manager's volumes.
    swarm.make_anew()
    restored = swarm_hub.kaggle_hub_stopped(
        "restore", "--all", f"/mnt/backup/{backup_set.name}",
        binds=[(str(off_the_manager), "/mnt/backup")],
        env=[("KAGGLE_HUB_PREFIX", swarm_hub.prefix)],
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "Restored the hub's state and 1 volume from" in restored.stdout
    assert (swarm_hub.site / "hub.env").read_text() == hub_env
    # The new manager is this machine again, under the host name the set recorded; a
    # replacement has another one, which this test cannot give this machine's engine: the
    # set's record is renamed instead.
    database = swarm_hub.workdir / "data/jupyterhub.sqlite"
    with closing(sqlite3.connect(database)) as db, db:
        renamed = db.execute(
            "UPDATE spawners SET state = json_set(state, '$.node_name', 'old-manager') "
            "WHERE user_id = (SELECT id FROM users WHERE name = 'bob')"
        )
        assert renamed.rowcount == 1
    swarm_hub.start()
    swarm_hub.start_server("bob", options={"profile": "manager"})
    assert bob.read_text("code/on-the-manager.txt") == "bob's"
    assert "bob: its node old-manager is not in this swarm; its volume" in swarm_hub.log()

    # ann's files are on a machine not yet in the new swarm: she is told which, and the fix.
    refused = swarm_hub.api("POST", "/users/ann/server")
    assert refused.status_code == 500, refused.text
    message = refused.json()["message"]
    assert f"files are on the machine {worker.name}, which is not in this swarm" in message
    assert "docker swarm join-token worker" in message

    worker.join_anew(swarm.address)
    swarm_hub.start_server("ann")
    assert node_of(swarm_hub, "ann") == worker.name
    assert ann.read_text("code/on-the-worker.txt") == "ann's"
    assert f"ann: its node {worker.name} is in this swarm again" in swarm_hub.log()
