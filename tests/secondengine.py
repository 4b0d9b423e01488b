"""A second Docker engine on this machine, with a root folder, a bridge and optionally
programs on its PATH of its own, holding a copy of the servers' image: for faults and
devices the machine's own engine must not be given."""

import os
import secrets
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import docker

from .hubprocess import WORKER
from .hubs import PREFIX_ROOT, remove_prefixed
from .waiting import wait_for


@contextmanager
def second_engine(image, root_size=None, path=(), env=None):
    """Start dockerd with its root folder on a tmpfs of ``root_size`` (e.g. "2560m"; None:
    a folder under /tmp), ``path`` folders first on its PATH and ``env`` added to its
    environment; load ``image`` into it. Yields ``(address, APIClient, root folder)``."""
    token = secrets.token_hex(3)
    base = Path(f"/tmp/kth-test-docker-{token}")
    root = base / "root"
    root.mkdir(parents=True)
    if root_size:
        mount = ["mount", "-t", "tmpfs", "-o", f"size={root_size}", "tmpfs", str(root)]
        subprocess.run(mount, check=True)
    # A default bridge of its own: an engine told --bridge=none deletes docker0, the
    # machine's engine's. Its addresses are this pytest worker's own, so that two workers'
    # engines never share a subnet.
    bridge = f"kthbr{token}"
    for step in (
        ["link", "add", bridge, "type", "bridge"],
        ["addr", "add", f"10.214.{WORKER}.1/24", "dev", bridge],
        ["link", "set", bridge, "up"],
    ):
        subprocess.run(["ip", *step], check=True)
    address = f"unix://{base}/docker.sock"
    environ = {**os.environ, **(env or {})}
    environ["PATH"] = os.pathsep.join([*map(str, path), environ["PATH"]])
    daemon = subprocess.Popen(
        ["dockerd", "--data-root", str(root), "--exec-root", str(base / "exec")]
        + ["-H", address, "--pidfile", str(base / "docker.pid"), f"--bridge={bridge}"]
        + ["--iptables=false", "--ip6tables=false"]
        + ["--default-address-pool", f"base=10.{200 + WORKER}.0.0/16,size=24"],
        stdout=(base / "dockerd.log").open("w"),
        stderr=subprocess.STDOUT,
        env=environ,
    )
    try:
        wait_for(
            lambda: docker.APIClient(base_url=address, version="auto", timeout=5).ping(),
            60,
            what="the second Docker engine answering",
        )
        client = docker.APIClient(base_url=address, version="auto", timeout=120)
        saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        subprocess.run(["docker", "-H", address, "load", "-q"], stdin=saved.stdout, check=True)
        assert saved.wait() == 0
        yield address, client, root
    finally:
        # What test hubs made there, network and fence included, before the engine goes.
        remove_prefixed(docker.APIClient(base_url=address, version="auto"), PREFIX_ROOT)
        daemon.terminate()
        daemon.wait(timeout=60)
        if root_size:
            subprocess.run(["umount", "-l", str(root)], check=True)
        subprocess.run(["ip", "link", "delete", bridge], check=True)
        shutil.rmtree(base, ignore_errors=True)
