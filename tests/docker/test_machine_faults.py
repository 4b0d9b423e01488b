"""Faults of the machine under the hub: one user exhausting its memory, Docker's disk full."""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from spawner.settings.environment import REPO_DIR

from ..hubprocess import UserServer
from ..secondengine import second_engine
from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

MEMORY_CGROUPS = Path("/sys/fs/cgroup/memory")
# The machine's memory, scaled down: enough for the hub, its proxy and two servers with a
# kernel each, and reached by one kernel's allocations within seconds.
MACHINE_MEMORY = 1536 * 2**20

# One user's work spread over many processes, each smaller than the hub (as a pool of
# data-loading workers is): by size alone the OOM killer would take the hub first.
HOG_PROCESS_BYTES = 40 * 2**20
HOG = f"""
import os, time
for _ in range(40):
    if os.fork() == 0:
        block = b"\\1" * {HOG_PROCESS_BYTES}
        time.sleep(600)
        os._exit(0)
    time.sleep(0.05)
"""


@pytest.fixture
def small_machine(docker_client):
    """A memory cgroup standing for the whole machine, named for Docker's cgroup_parent.

    The kernel's OOM killer inside it is the real one, choosing its victim by the same
    badness and oom_score_adj as when a whole machine runs out; only the boundary is
    smaller (filling this machine's 24 GiB would take the test runner and Docker with it)."""
    if docker_client.info().get("CgroupDriver") != "cgroupfs" or not MEMORY_CGROUPS.is_dir():
        pytest.fail("this test needs Docker's cgroupfs driver and cgroup v1's memory controller")
    name = f"kth-test-machine-{secrets.token_hex(3)}"
    path = MEMORY_CGROUPS / name
    path.mkdir()
    (path / "memory.limit_in_bytes").write_text(str(MACHINE_MEMORY))
    yield name, path
    for _ in range(100):
        pids = (path / "cgroup.procs").read_text().split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        children = [p for p in path.iterdir() if p.is_dir()]
        if not pids and not children:
            break
        time.sleep(0.1)
    path.rmdir()


def oom_kills(path):
    """How many processes of cgroup ``path`` itself the kernel's OOM killer ended."""
    for line in (path / "memory.oom_control").read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill":
            return int(value)
    return 0


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def test_one_user_exhausting_the_memory_loses_only_their_kernel(
    small_machine, make_hub, docker_client
):
    name, cgroup = small_machine
    in_machine = f'c.KaggleSpawner.extra_host_config = {{"cgroup_parent": "/{name}"}}\n'
    hub = make_hub(dropins={"50-machine.py": in_machine}, start=False)
    # The hub (and the proxy it starts) are in the machine, as on a real one.
    hub.start(
        command=[
            "sh",
            "-c",
            f'echo $$ > {cgroup}/cgroup.procs && exec "$0" -m jupyterhub -f "$1"',
            sys.executable,
            str(REPO_DIR / "jupyterhub_config.py"),
        ]
    )
    hub_pid = int((hub.workdir / "data/jupyterhub.pid").read_text())
    proxy_pid = int((hub.workdir / "data/jupyterhub-proxy.pid").read_text())
    assert str(hub_pid) in (cgroup / "cgroup.procs").read_text().split()
    # Each of the hog's processes is smaller than the hub: by size alone, the hub would go.
    assert rss_bytes(hub_pid) > HOG_PROCESS_BYTES
    members = {user: UserServer(hub, user, hub.create_user(user)) for user in ("ann", "bob")}
    for user, server in members.items():
        hub.start_server(user)
        server.put_text("code/mine.txt", f"{user}'s\n")
    bobs = members["bob"].start_kernel("kept = 42")
    hog = members["ann"].start_kernel("x = 1")

    began = time.monotonic()
    threading.Thread(target=_run_until_killed, args=(members["ann"], hog), daemon=True).start()
    wait_for(
        lambda: int((cgroup / "memory.failcnt").read_text()) > 0,
        60,
        what="the machine's memory exhausted",
    )

    def ann_back():
        return members["ann"].in_kernel(hog, "print(6 * 7)", timeout=10)

    said = wait_for(ann_back, 120, interval=1, what="ann's kernel answering again")
    print(f"memory exhausted; ann's kernel answers again after {time.monotonic() - began:.1f} s")
    assert "42" in said
    containers = {
        user: cgroup / docker_client.inspect_container(f"{hub.prefix}-{user}")["Id"]
        for user in members
    }
    kills = {user: oom_kills(path) for user, path in containers.items()}
    print(f"processes killed for memory: {kills}")
    assert kills["ann"] >= 1
    assert kills["bob"] == 0
    # The hub and its proxy were never chosen: no process of theirs was killed.
    assert oom_kills(cgroup) == 0
    assert Path(f"/proc/{hub_pid}").exists() and Path(f"/proc/{proxy_pid}").exists()
    assert hub.api("GET", "/").status_code == 200
    # Kernels are first in line: only the hog's processes went; every server kept running
    # with its files and kernels.
    for user, server in members.items():
        state = docker_client.inspect_container(f"{hub.prefix}-{user}")["State"]
        assert state["Running"], f"{user}'s server was killed: {state}"
        assert server.read_text("code/mine.txt") == f"{user}'s\n"
    assert members["bob"].in_kernel(bobs, "print(kept)") == "42\n"


def _run_until_killed(server, kernel_id):
    try:
        server.in_kernel(kernel_id, HOG, timeout=60)
    except Exception:  # noqa: BLE001 - the kernel may be killed under this code
        pass


@pytest.fixture
def small_docker(image):
    """A second Docker engine whose root folder (images, containers, volumes) is a 2.5 GB
    disk of its own: a disk that can be filled without filling the machine's."""
    with second_engine(image, root_size="2560m") as engine:
        yield engine


def test_a_full_docker_disk_refuses_starts_with_the_reason_and_spares_running_servers(
    small_docker, make_hub
):
    address, client, root = small_docker
    hub = make_hub(env={"DOCKER_HOST": address, "KAGGLE_HUB_MIN_FREE_DISK": "100m"})
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    hub.start_server("ann")
    ann.put_text("code/mine.txt", "ann's\n")
    hub.create_user("bob")
    # Docker's disk filled up, as a pull or a container's writes fill it.
    room = os.statvfs(root)
    filler = root / "filler"
    subprocess.run(["fallocate", "-l", str(room.f_bavail * room.f_frsize), filler], check=True)

    r = hub.api("POST", "/users/bob/server")
    assert r.status_code == 507, r.text
    message = r.json()["message"]
    assert f"The machine's disk is nearly full: Docker's folder {root} has" in message
    assert "under the 100.0 MB the hub keeps free" in message
    assert "'kaggle-hub volumes' lists users' volumes" in message
    assert not client.containers(all=True, filters={"name": f"{hub.prefix}-bob"})
    assert not [v for v in client.volumes().get("Volumes") or [] if "-bob-" in v["Name"]]
    # The running server reads, and a save is refused as such, losing nothing.
    assert ann.read_text("code/mine.txt") == "ann's\n"
    save = ann.request(
        "PUT",
        "api/contents/code/big.txt",
        json={"type": "file", "format": "text", "content": "x" * 2**20},
    )
    assert save.status_code == 507, save.text
    assert "was not saved" in save.json()["message"]
    assert hub.api("GET", "/").status_code == 200

    # Room made: the next start works.
    filler.unlink()
    hub.start_server("bob")
