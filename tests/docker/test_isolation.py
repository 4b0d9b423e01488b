"""The created containers' safety settings, as facts read from Docker and from inside."""

import json
import socket
import subprocess
import threading

import pytest

from spawner.hub import network

from ..hubprocess import UserServer
from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

CAP_NET_RAW = 13
CAP_MKNOD = 27
STATUS = "print(open('/proc/self/status').read())"


def test_every_server_gets_safe_limits_by_default(hub, docker_client):
    token = hub.create_user("ivy")
    hub.start_server("ivy")
    host = docker_client.inspect_container(f"{hub.prefix}-ivy")["HostConfig"]
    assert {"NET_RAW", "MKNOD"} <= set(host["CapDrop"])
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["PidsLimit"] == 4096
    assert host["OomScoreAdj"] == 500
    assert host["Memory"] == int(docker_client.info()["MemTotal"] * 0.75)
    assert host["LogConfig"] == {
        "Type": "json-file",
        "Config": {"max-file": "3", "max-size": "10m"},
    }
    assert not host["Privileged"]

    # As the user's code sees it.
    status = dict(
        line.split(":\t", 1)
        for line in UserServer(hub, "ivy", token).run(STATUS).splitlines()
        if ":\t" in line
    )
    effective = int(status["CapEff"], 16)
    assert not effective & (1 << CAP_NET_RAW)
    assert not effective & (1 << CAP_MKNOD)
    assert status["NoNewPrivs"].strip() == "1"


REACH = """
import json, socket
def reach(host, port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((host, port))
        return "open"
    except OSError as e:
        return type(e).__name__
    finally:
        s.close()
print(json.dumps({name: reach(host, port) for name, (host, port) in %r.items()}))
"""


@pytest.fixture
def host_listener():
    """A service of this machine on all its addresses, as a database or an admin tool."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                listener.accept()[0].close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    listener.close()


def machine_addresses():
    """This machine's IPv4 addresses other than loopback and Docker's bridges."""
    out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    return [
        line.split()[3].split("/")[0]
        for line in out.splitlines()
        if not line.split()[1].startswith(("lo", "docker", "br-", "veth"))
    ]


def test_user_code_reaches_only_the_hub_api_on_this_machine(hub, docker_client, host_listener):
    token = hub.create_user("una")
    hub.start_server("una")
    hub.create_user("vic")
    hub.start_server("vic")
    info = docker_client.inspect_network(hub.network)
    gateway = info["IPAM"]["Config"][0]["Gateway"]
    vic = docker_client.inspect_container(f"{hub.prefix}-vic")["NetworkSettings"]["Networks"]
    targets = {
        "hub api": (gateway, int(hub.env["KAGGLE_HUB_API_PORT"])),
        "host service via the gateway": (gateway, host_listener),
        "the proxy's port via the gateway": (gateway, hub.port),
        "another user's server": (vic[hub.network]["IPAddress"], 8888),
    }
    for address in machine_addresses():
        targets[f"host service on {address}"] = (address, host_listener)
    # The listener answers from this machine itself: the refusals below are the fence's.
    assert socket.create_connection((gateway, host_listener), timeout=2)
    seen = json.loads(UserServer(hub, "una", token).run(REACH % (targets,), timeout=120))
    assert seen.pop("hub api") == "open"
    assert all(result != "open" for result in seen.values()), seen


def test_containers_of_other_docker_networks_cannot_reach_the_hub_api(hub, docker_client, image):
    """Any container can route to every address of the machine, the user network's gateway
    included: the hub API there answers the users' network and this machine only."""
    gateway = docker_client.inspect_network(hub.network)["IPAM"]["Config"][0]["Gateway"]
    api = (gateway, int(hub.env["KAGGLE_HUB_API_PORT"]))
    assert socket.create_connection(api, timeout=2)  # this machine itself reaches it
    other = f"{hub.prefix}-other"
    docker_client.create_network(other, driver="bridge", internal=True)
    try:
        probe = subprocess.run(
            ["docker", "run", "--rm", "--network", other, image, "python3", "-c"]
            + [REACH % ({"hub api": api},)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert probe.returncode == 0, probe.stderr
        assert json.loads(probe.stdout)["hub api"] != "open"
    finally:
        docker_client.remove_network(other)


FORGE = """
import os, urllib.request
request = urllib.request.Request(
    os.environ["JUPYTERHUB_API_URL"] + "/?forged-address-probe",
    headers={"X-Real-Ip": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"},
)
print(urllib.request.urlopen(request, timeout=10).status)
"""


def test_user_code_cannot_name_another_address_for_the_hubs_log(hub, docker_client):
    token = hub.create_user("wes")
    hub.start_server("wes")
    container = docker_client.inspect_container(f"{hub.prefix}-wes")
    address = container["NetworkSettings"]["Networks"][hub.network]["IPAddress"]
    assert UserServer(hub, "wes", token).run(FORGE).strip() == "200"
    line = logged_once(hub, "forged-address-probe")
    assert f"@{address})" in line, line
    assert "203.0.113.9" not in hub.log()
    # What comes through the proxy keeps the browser's address.
    hub.api("GET", "/?proxied-address-probe")
    line = logged_once(hub, "proxied-address-probe")
    assert "@127.0.0.1)" in line, line


def logged_once(hub, marker):
    """The one line of the hub's log with ``marker`` (a request's line is written just
    after its answer is sent, so it is waited for)."""
    wait_for(lambda: marker in hub.log(), 10, what=f"the hub logging {marker}")
    (line,) = [line for line in hub.log().splitlines() if marker in line]
    return line


def test_the_fence_of_a_network_that_is_gone_is_removed_at_the_next_start(make_hub, docker_client):
    first = make_hub()
    bridge = network.bridge_of(docker_client.inspect_network(first.network))
    chains = {network.chain_name(bridge), network.guard_chain_name(bridge)}

    def hub_chains():
        listed = subprocess.run(["iptables", "-S"], capture_output=True, text=True).stdout
        return {line.split()[1] for line in listed.splitlines() if line.startswith("-N KTH-")}

    first.stop()
    assert chains <= hub_chains()  # the stop leaves them: the network is still there
    docker_client.remove_network(first.network)
    # Any hub's start removes them now (the next one here, or another test's hub starting
    # meanwhile in a parallel run).
    make_hub()
    assert not chains & hub_chains()
    listed = subprocess.run(["iptables", "-S", "INPUT"], capture_output=True, text=True).stdout
    assert not [chain for chain in chains if chain in listed]
