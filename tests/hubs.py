"""Test hubs: naming, clean-up and diagnostics of what they create in Docker."""

import os
import secrets
import signal
import subprocess
import warnings
from pathlib import Path

import docker

from spawner.hub import network
from spawner.server import quotas

from .hubprocess import Hub
from .lanes import PREFIX_ROOT
from .waiting import wait_for

# A test hub's prefix: its lane's root ("kth-test" or "kth-swrm"), "-" and six hex digits.
PREFIX_WIDTH = len(PREFIX_ROOT) + 7


def live_prefixes():
    """Prefixes of the test hubs whose process runs (this run's, or another run's)."""
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in environ:
            if entry.startswith(b"KAGGLE_HUB_PREFIX=" + PREFIX_ROOT.encode()):
                found.add(entry.split(b"=", 1)[1].decode())
    return found


def this_run_prefixes(run_dir):
    """Prefixes of the hubs this run has made, in any of its workers: each hub's work dir
    is named after its prefix, in the run's temporary dir or a worker's dir in it."""
    dirs = [*run_dir.glob(f"{PREFIX_ROOT}-*"), *run_dir.glob(f"*/{PREFIX_ROOT}-*")]
    return {d.name[:PREFIX_WIDTH] for d in dirs}


def remove_leftovers(client, run_dir):
    """Remove what the test hubs of an interrupted run left in Docker (hubs no longer
    running, not made by this run): their containers, volumes and networks."""
    live = live_prefixes() | this_run_prefixes(run_dir)
    names = [c["Names"][0].lstrip("/") for c in client.containers(all=True) if c["Names"]]
    names += [v["Name"] for v in client.volumes().get("Volumes") or []]
    names += [n["Name"] for n in client.networks()]
    for prefix in {n[:PREFIX_WIDTH] for n in names if n.startswith(f"{PREFIX_ROOT}-")} - live:
        try:
            remove_prefixed(client, prefix)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as e:
            # Docker refuses some leftovers (a network with an endpoint a daemon restart
            # lost): this run's tests do not use them, so they go on, and say so.
            warnings.warn(f"leftover {prefix} of an earlier run kept: {e}", stacklevel=1)


def remove_prefixed(client, prefix):
    """Remove the containers, volumes and network a test hub made."""
    for c in client.containers(all=True, filters={"name": prefix}):
        if any(name.lstrip("/").startswith(prefix) for name in c["Names"]):
            client.remove_container(c["Id"], force=True)
    for v in client.volumes().get("Volumes") or []:
        if v["Name"].startswith(prefix):
            client.remove_volume(v["Name"], force=True)
            quotas.release(v)
    for n in client.networks(names=[prefix]):
        if n["Name"].startswith(prefix):
            unfence(client.inspect_network(n["Id"]))
            wait_for(lambda n=n: network_removed(client, n["Id"]), 30, what=f"{n['Name']} removed")


def network_removed(client, network_id):
    """Try once to remove a test network, first removing what is still on it: a container
    the stopped hub was still creating (a standby) may have joined since, and an endpoint
    whose container a kill left half-removed holds the network until disconnected."""
    info = client.inspect_network(network_id)
    for container in info.get("Containers") or {}:
        try:
            client.remove_container(container, force=True)
        except docker.errors.NotFound:
            pass
        try:
            client.disconnect_container_from_network(container, network_id, force=True)
        except docker.errors.NotFound:
            pass
    try:
        client.remove_network(network_id)
    except docker.errors.NotFound:
        return True
    except docker.errors.APIError as e:
        if "active endpoints" in str(e):
            return False
        raise
    return True


def unfence(info):
    """Remove the iptables chains the hub put on a test network's bridge and API address."""
    bridge = network.bridge_of(info)
    for chain in (network.chain_name(bridge), network.guard_chain_name(bridge)):
        rules = subprocess.run(
            ["iptables", "-w", "-S", "INPUT"], capture_output=True, text=True
        ).stdout.splitlines()
        for rule in rules:
            if rule.endswith(f"-j {chain}"):
                subprocess.run(["iptables", "-w", "-D", *rule.split()[1:]], capture_output=True)
        subprocess.run(["iptables", "-w", "-F", chain], capture_output=True)
        subprocess.run(["iptables", "-w", "-X", chain], capture_output=True)


def print_diagnostics(client, hub):
    print(f"----- hub log ({hub.log_path}) -----")
    print(hub.log()[-20000:])
    traefik_log = hub.workdir / "data/proxy/traefik.log"
    if traefik_log.exists():
        print(f"----- proxy log ({traefik_log}) -----")
        print(traefik_log.read_text(errors="replace")[-5000:])
    for c in client.containers(all=True, filters={"name": hub.prefix}):
        print(f"----- container {c['Names'][0]} ({c['Status']}) -----")
        print(client.logs(c["Id"], tail=100).decode(errors="replace"))


def new_hub(tmp_path_factory, image, env=None, dropins=None):
    """A hub (not started yet) with its own prefix, ports, data dir and network."""
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    return Hub(tmp_path_factory.mktemp(prefix), image, prefix, env=env, dropins=dropins)


def stop_proxies(under):
    """Kill the traefik processes whose configuration file is under ``under`` (a hub's work
    dir, or the run's temporary dir): a stopped hub leaves its proxy running for the next."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0].endswith(b"traefik") and any(str(under).encode() in a for a in argv[1:]):
            try:
                os.kill(int(proc.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def finish_hub(client, hub, failed):
    """Stop ``hub`` and its proxy, print its logs if a test failed, and remove what it
    created."""
    hub.stop()
    stop_proxies(hub.workdir)
    if failed:
        print_diagnostics(client, hub)
    remove_prefixed(client, hub.prefix)


def module_failed(request):
    failed = request.session.stash.get("failed_nodes", set())
    return any(node.startswith(request.node.nodeid + "::") for node in failed)


def standby_of(hub, docker_client, user):
    """The standby of ``user``'s default server once it waits (its container's details)."""
    name = f"{hub.prefix}-{user}-standby"

    def waiting():
        try:
            info = docker_client.inspect_container(name)
        except docker.errors.NotFound:
            return None
        logs = docker_client.logs(name).decode()
        return info if "standby ready" in logs else None

    return wait_for(waiting, 60, what=f"the standby {name} waiting")
