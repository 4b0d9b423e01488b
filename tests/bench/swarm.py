"""9. Spawn on a swarm: a bare ``docker service create`` of JupyterLab against the hub
deployed from deploy/swarm/stack.yml, on a single-node swarm made for the run (left
afterwards unless this machine was in a swarm already)."""

import json
import secrets
import time
from pathlib import Path

from docker.types import ContainerSpec, EndpointSpec, RestartPolicy, TaskTemplate

from ..swarmhub import SwarmHub
from ..swarmnodes import Swarm
from .figures import fmt, ratio, stats
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


def bare_service(run, network, name):
    """Seconds from ``docker service create`` of JupyterLab to its first answer."""
    spec = ContainerSpec(run.image, args=BARE_LAB)
    template = TaskTemplate(
        spec, restart_policy=RestartPolicy(condition="none"), networks=[network]
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


def measure(run, hub_image):
    prefix = f"{PREFIX}-swarm-{secrets.token_hex(2)}"
    workdir = Path(run.workdir) / prefix
    workdir.mkdir()
    with Swarm():
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
    b, o = stats(bare), stats(ours)
    run.rows += [
        ("9. swarm: spawn to ready, bare docker service create", fmt(b), "1.00"),
        (
            "9. swarm: spawn to ready, Kaggle Team Hub (KAGGLE_HUB_ENGINE=swarm)",
            fmt(o),
            ratio(o, b),
        ),
    ]
    run.result["swarm_spawn_ratio"] = o["median"] / b["median"]
    print(json.dumps({"swarm_bare": bare, "swarm_hub": ours}), flush=True)
