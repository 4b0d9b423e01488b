"""9. Spawn on a swarm: a bare ``docker service create`` of JupyterLab against the hub
deployed from deploy/swarm/stack.yml, on a swarm made for the run (left afterwards unless
this machine was in a swarm already): this machine's engine alone, then with two workers
(Docker engines in containers, tests/swarmnodes.py), where servers start on a worker and a
burst spreads over three nodes."""

import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from docker.types import ContainerSpec, EndpointSpec, Placement, RestartPolicy, TaskTemplate

from ..swarmhub import STACK_FILE, SwarmHub, unencrypted_stack
from ..swarmnodes import Swarm, Worker, ipsec_works
from .figures import fmt, now, ratio, stats
from .run import BARE_LAB, LAB_PORT, PREFIX

# Run inside a container on the overlay network (the host has no route into it): wait
# until the service's name resolves and answers, print the wall-clock time it did. The
# name is asked of Docker's DNS directly, 20 ms apart: the C library's resolver waits 5 s
# on a name that does not exist yet.
PROBE = """
import socket, struct, sys, time, urllib.request
name, port = sys.argv[1], sys.argv[2]
query = struct.pack(">6H", 1, 0x0100, 1, 0, 0, 0) + b"".join(
    bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\0" + struct.pack(">2H", 1, 1)
def resolve():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.02)
    try:
        s.sendto(query, ("127.0.0.11", 53))
        answer = s.recv(512)
    except OSError:
        return None
    finally:
        s.close()
    return socket.inet_ntoa(answer[-4:]) if struct.unpack(">H", answer[6:8])[0] else None
while True:
    ip = resolve()
    try:
        if ip:
            urllib.request.urlopen(f"http://{ip}:{port}/api/status", timeout=1)
            break
    except OSError:
        pass
    time.sleep(0.02)
print(time.time())
"""


def bare_service(run, network, name, constraints=None):
    """Seconds from ``docker service create`` of JupyterLab (on a node that fits
    ``constraints``) to its first answer."""
    spec = ContainerSpec(run.image, args=BARE_LAB)
    template = TaskTemplate(
        spec,
        restart_policy=RestartPolicy(condition="none"),
        networks=[network],
        placement=Placement(constraints=constraints),
    )
    probe = run.client.create_container(
        run.image,
        command=["python3", "-c", PROBE, name, str(LAB_PORT)],
        networking_config=run.client.create_networking_config({network: {}}),
        host_config=run.client.create_host_config(auto_remove=False),
    )
    run.client.start(probe["Id"])
    started = time.time()
    service = run.client.create_service(
        template, name=name, endpoint_spec=EndpointSpec(mode="dnsrr")
    )
    try:
        run.client.wait(probe["Id"], timeout=120)
        answered = float(run.client.logs(probe["Id"], stderr=False))
    finally:
        run.client.remove_service(service["ID"])
        run.remove(probe["Id"])
    return answered - started


PROFILES = [
    {"name": "workers", "constraints": ["node.role==worker"], "default": True},
    {"name": "any"},
    {"name": "manager", "constraints": ["node.role==manager"]},
]
BURST = 16


def measure(run, hub_image, node_image):
    prefix = f"{PREFIX}-swarm-{secrets.token_hex(2)}"
    workdir = Path(run.workdir) / prefix
    workdir.mkdir()
    with Swarm() as swarm:
        hub = SwarmHub(workdir, hub_image, run.image, prefix, {"KAGGLE_HUB_CULL_IDLE_SECONDS": "0"})
        hub.start()
        try:
            bare = [bare_service(run, hub.network, f"{prefix}-bare-{i}") for i in range(run.runs)]
            run.hub_spawn(hub, "warmup")
            ours = []
            for i in range(run.runs):
                ours.append(run.hub_spawn(hub, f"u{i}"))
                run.hub_stop_all(hub, [f"u{i}"])
        finally:
            hub.stop()
        on_nodes = measure_nodes(run, swarm, hub_image, node_image, workdir)
    b, o = stats(bare), stats(ours)
    run.rows += [
        ("9. swarm: spawn to ready, bare docker service create", fmt(b), "1.00"),
        (
            "9. swarm: spawn to ready, Kaggle Team Hub (KAGGLE_HUB_ENGINE=swarm)",
            fmt(o),
            ratio(o, b),
        ),
        *on_nodes,
    ]
    run.result["swarm_spawn_ratio"] = o["median"] / b["median"]
    print(json.dumps({"swarm_bare": bare, "swarm_hub": ours}), flush=True)


def burst(run, hub, users, profile):
    """Wall-clock seconds for ``users`` to start at once with ``profile``, all ready."""
    started = now()
    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(lambda u: run.hub_spawn(hub, u, {"profile": profile}), users))
    wall = now() - started
    run.hub_stop_all(hub, users)
    return wall


def measure_nodes(run, swarm, hub_image, node_image, workdir):
    """Rows for a swarm of three nodes: a start on a worker, bare and through the hub, and
    a burst of 16 spread over the three nodes against 16 on the manager alone."""
    workers = [Worker(f"kth-node-{i}", node_image) for i in (1, 2)]
    hub_dir = workdir / "nodes"
    hub_dir.mkdir()
    stack = STACK_FILE if ipsec_works() else unencrypted_stack(hub_dir / "stack.yml")
    hub = SwarmHub(
        hub_dir,
        hub_image,
        run.image,
        f"{workdir.name}-n",
        {
            "KAGGLE_HUB_CULL_IDLE_SECONDS": "0",
            "KAGGLE_HUB_PROFILES_FILE": "/etc/kaggle-team-hub/profiles.json",
        },
        files={"profiles.json": json.dumps(PROFILES)},
        stack_file=stack,
    )
    try:
        for worker in workers:
            worker.start()
            worker.load(run.image)
            worker.load(hub_image)
            worker.join(swarm.address)
        hub.start()
        workers_only = ["node.role==worker"]
        bare = [
            bare_service(run, hub.network, f"{hub.prefix}-bare-{i}", workers_only)
            for i in range(run.runs)
        ]
        run.hub_spawn(hub, "warmup")
        ours = []
        for i in range(run.runs):
            ours.append(run.hub_spawn(hub, f"w{i}"))
            run.hub_stop_all(hub, [f"w{i}"])
        spread = burst(run, hub, [f"s{i}" for i in range(BURST)], "any")
        alone = burst(run, hub, [f"m{i}" for i in range(BURST)], "manager")
    finally:
        hub.stop()
        for worker in workers:
            worker.remove()
    b, o = stats(bare), stats(ours)
    plain = "" if stack == STACK_FILE else " (overlays unencrypted: no IPsec here)"
    return [
        (f"9. 3 nodes{plain}: spawn on a worker, bare docker service create", fmt(b), "1.00"),
        ("9. 3 nodes: spawn on a worker, Kaggle Team Hub", fmt(o), ratio(o, b)),
        (
            f"9. 3 nodes: burst of {BURST} spread over 3 nodes, all ready "
            f"(on the manager alone: {alone:.2f} s)",
            f"{spread:.2f} s",
            f"{spread / alone:.2f}",
        ),
    ]
