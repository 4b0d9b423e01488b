"""A swarm of three nodes on this machine: the manager (this machine's engine, running the
hub) and two workers (Docker engines in containers). Users' servers run on the workers and
are reached through the hub over the stack's overlay; files stay on a server's node; a
drained node is named with the fix; a hub restart keeps servers on workers."""

import json

import pytest

from ..hubprocess import UserServer
from ..swarmnodes import GOSSIP_PORT, NODE_PROBE, docker, fenced, node_of
from ..waiting import wait_for

pytestmark = [pytest.mark.swarm, pytest.mark.multinode]

WORKERS = ("kth-node-1", "kth-node-2")
PROFILES = [
    {"name": "workers", "constraints": ["node.role==worker"], "default": True},
    {"name": "big", "constraints": ["node.labels.kth-test-size==big"]},
]
SETTINGS = {
    "KAGGLE_HUB_PROFILES_FILE": "/etc/kaggle-team-hub/profiles.json",
    "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "3",
}
FILES = {"profiles.json": json.dumps(PROFILES)}
# The servers' overlay as teams run it: not internal, so servers reach out through their
# node's docker_gwbridge, which the fence must hold. Every server here runs on a worker,
# whose own network is internal: none has a route off this machine.
SERVERS_NETWORK_INTERNAL = False


def worker_named(nodes, name):
    (worker,) = [w for w in nodes if w.name == name]
    return worker


def running_server(hub, user, options=None):
    token = hub.create_user(user)
    hub.start_server(user, options=options)
    return UserServer(hub, user, token)


def test_a_server_runs_on_a_worker_and_keeps_its_files_on_that_node(swarm_hub, nodes):
    server = running_server(swarm_hub, "ann")
    node = node_of(swarm_hub, "ann")
    assert node in WORKERS
    out = server.run(
        "import os\n"
        "print(os.path.realpath('/kaggle/working'), os.path.isdir('/kaggle/input'))\n"
        "open('/kaggle/working/on-a-worker.txt', 'w').write('ok')"
    )
    assert out.split() == ["/tmp/working/code", "True"]
    worker = worker_named(nodes, node)
    assert worker.docker("volume", "inspect", f"{swarm_hub.prefix}-ann-work").returncode == 0
    assert docker("volume", "inspect", f"{swarm_hub.prefix}-ann-work", check=False).returncode
    swarm_hub.stop_server("ann")
    swarm_hub.start_server("ann")
    assert node_of(swarm_hub, "ann") == node
    assert server.read_text("code/on-a-worker.txt") == "ok"


def test_a_profile_for_a_labelled_node_runs_there(swarm_hub, nodes):
    docker("node", "update", "--label-add", "kth-test-size=big", nodes[1].node_id)
    running_server(swarm_hub, "bo", {"profile": "big"})
    assert node_of(swarm_hub, "bo") == nodes[1].name


def test_a_members_code_on_a_worker_reaches_none_of_its_services(swarm_hub, nodes):
    server = running_server(swarm_hub, "fa")
    worker = worker_named(nodes, node_of(swarm_hub, "fa"))
    gateway, address, _ = server.run(NODE_PROBE).split()
    wait_for(
        lambda: address in fenced(worker.shell("iptables -S").stdout),
        10,
        what=f"fa's server ({address}) fenced on {worker.name}",
    )
    assert server.run(NODE_PROBE).split() == [gateway, address, "TimeoutError"]
    # The port answers on that address: it is the fence that holds the member's code back.
    worker.shell(f"exec 3<>/dev/tcp/{gateway}/{GOSSIP_PORT}")
    swarm_hub.stop_server("fa")
    wait_for(
        lambda: address not in fenced(worker.shell("iptables -S").stdout),
        10,
        what=f"the stopped server's address ({address}) out of the fence",
    )
    # The same fence runs on every node, the manager included.
    fences = docker(
        "service", "ps", "--filter", "desired-state=running",
        "--format", "{{.Node}} {{.CurrentState}}", f"{swarm_hub.stack}_fence",
    ).stdout.splitlines()  # fmt: skip
    assert sorted(line.split()[0] for line in fences if " Running " in line) == sorted(
        [*WORKERS, docker("info", "--format", "{{.Name}}").stdout.strip()]
    )


def test_a_drained_workers_member_is_told_which_node_and_what_to_do(swarm_hub, nodes):
    server = running_server(swarm_hub, "cy")
    server.put_text("code/kept.txt", "on my node")
    node = node_of(swarm_hub, "cy")
    worker = worker_named(nodes, node)
    swarm_hub.stop_server("cy")
    docker("node", "update", "--availability", "drain", worker.node_id)
    try:
        r = swarm_hub.api("POST", "/users/cy/server")
        assert r.status_code == 500, r.text
        message = r.json()["message"]
        assert f"the node {node} (it holds this server's files)" in message
        assert "docker node update --availability active" in message
        assert f"{swarm_hub.prefix}-cy" not in swarm_hub.services()
    finally:
        docker("node", "update", "--availability", "active", worker.node_id)
    swarm_hub.start_server("cy")
    assert node_of(swarm_hub, "cy") == node
    assert server.read_text("code/kept.txt") == "on my node"


def test_a_hub_restart_keeps_servers_on_workers_and_their_sessions(swarm_hub, nodes):
    server = running_server(swarm_hub, "di")
    server.put_text("code/before.txt", "written before the restart")
    node = node_of(swarm_hub, "di")
    swarm_hub.restart()
    assert swarm_hub.api("GET", "/users/di").json()["servers"][""]["ready"] is True
    assert node_of(swarm_hub, "di") == node
    assert server.read_text("code/before.txt") == "written before the restart"


def test_a_deleted_members_volume_is_quarantined_on_its_worker(swarm_hub, nodes, image):
    server = running_server(swarm_hub, "ed")
    server.put_text("code/mine.txt", "ed's work")
    worker = worker_named(nodes, node_of(swarm_hub, "ed"))
    swarm_hub.stop_server("ed")
    r = swarm_hub.api("DELETE", "/users/ed")
    assert r.status_code == 204, r.text
    volume = f"{swarm_hub.prefix}-ed-work"
    (kept,) = [
        v
        for v in worker.docker("volume", "ls", "-q").stdout.split()
        if v.startswith(f"{volume}-deleted-")
    ]
    read = worker.docker("run", "--rm", "-v", f"{kept}:/v", image, "cat", "/v/code/mine.txt")
    assert read.stdout == "ed's work"
    labels = json.loads(worker.docker("volume", "inspect", "-f", "{{json .Labels}}", kept).stdout)
    assert labels["org.kaggle-team-hub.quarantined-from"] == volume
    assert labels["org.kaggle-team-hub.user"] == "ed"
    left = worker.docker("run", "--rm", "-v", f"{volume}:/v", image, "ls", "-A", "/v")
    assert left.stdout == ""
    assert f"Quarantined as {kept}: volume {volume} of deleted server ed" in swarm_hub.log()
    assert not [s for s in swarm_hub.services() if "-job-" in s]
    # A new account of the same name starts with nothing of ed's.
    token = swarm_hub.create_user("ed")
    swarm_hub.start_server("ed")
    assert "mine.txt" not in UserServer(swarm_hub, "ed", token).names("code")


def test_a_server_whose_worker_stops_answering_is_stopped_and_waits_for_it(swarm_hub, nodes):
    server = running_server(swarm_hub, "fi")
    server.put_text("code/kept.txt", "on my node")
    node = node_of(swarm_hub, "fi")
    worker = worker_named(nodes, node)
    # A machine that hangs or loses its network: its engine stops answering the swarm.
    docker("pause", worker.name)
    try:
        wait_for(
            lambda: swarm_hub.api("GET", "/users/fi").json()["servers"] == {},
            90,
            interval=1,
            what="the hub marking fi's server stopped",
        )
        assert f"fi: its node {node} stopped answering; marking it stopped" in swarm_hub.log()
        r = swarm_hub.api("POST", "/users/fi/server")
        assert r.status_code == 500, r.text
        assert f"If {node} is down or drained" in r.json()["message"]
    finally:
        docker("unpause", worker.name)
    worker.wait_state("ready")
    swarm_hub.start_server("fi")
    assert node_of(swarm_hub, "fi") == node
    assert server.read_text("code/kept.txt") == "on my node"


def test_deleting_a_member_whose_worker_is_down_keeps_the_files_and_says_so(
    swarm_hub, nodes, image
):
    server = running_server(swarm_hub, "gil")
    server.put_text("code/mine.txt", "gil's work")
    node = node_of(swarm_hub, "gil")
    worker = worker_named(nodes, node)
    swarm_hub.stop_server("gil")
    docker("pause", worker.name)
    try:
        worker.wait_state("down")
        # The deletion waits KAGGLE_HUB_SWARM_SCHEDULE_SECONDS (3 s) for the node, not for
        # the job's hour.
        r = swarm_hub.api("DELETE", "/users/gil", timeout=60)
        assert r.status_code == 204, r.text
    finally:
        docker("unpause", worker.name)
    volume = f"{swarm_hub.prefix}-gil-work"
    assert f"its volume {volume} on node {node} was left as it was" in swarm_hub.log()
    assert not [s for s in swarm_hub.services() if "-job-" in s]
    read = worker.docker("run", "--rm", "-v", f"{volume}:/v", image, "cat", "/v/code/mine.txt")
    assert read.stdout == "gil's work"


def test_an_admin_moves_a_stopped_server_to_another_worker_with_its_files(swarm_hub, nodes, image):
    server = running_server(swarm_hub, "hal")
    server.put_text("code/kept.txt", "hal's")
    before = worker_named(nodes, node_of(swarm_hub, "hal"))
    (after,) = [w for w in nodes if w is not before]
    volume = f"{swarm_hub.prefix}-hal-work"
    stat = ["stat", "-c", "%u:%g %a %s", "/v/code/kept.txt"]
    owned = before.docker("run", "--rm", "-v", f"{volume}:/v", image, *stat).stdout

    refused = swarm_hub.kaggle_hub("move", "hal", after.name)
    assert refused.returncode == 2
    assert f"The server {swarm_hub.prefix}-hal is running: stop it first" in refused.stderr
    swarm_hub.stop_server("hal")
    moved = swarm_hub.kaggle_hub("move", "hal", after.name)
    assert moved.returncode == 0, moved.stderr
    assert f"Moved {swarm_hub.prefix}-hal to {after.name}: its next start runs there" in (
        moved.stdout
    )
    assert not [s for s in swarm_hub.services() if "-job-" in s]
    assert after.docker("run", "--rm", "-v", f"{volume}:/v", image, *stat).stdout == owned

    swarm_hub.start_server("hal")
    assert node_of(swarm_hub, "hal") == after.name
    assert server.read_text("code/kept.txt") == "hal's"
    assert f"hal: moved to node {after.name} by kaggle-hub move" in swarm_hub.log()

    # Back again: the old node still has its copy, which the move will not overwrite.
    swarm_hub.stop_server("hal")
    back = swarm_hub.kaggle_hub("move", "hal", before.name)
    assert back.returncode == 2
    assert f"remove it there first ('docker volume rm {volume}' on that node)" in back.stderr
    assert f"stays on {after.name}" in back.stderr
    swarm_hub.start_server("hal")
    assert node_of(swarm_hub, "hal") == after.name
