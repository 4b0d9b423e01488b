"""Test hubs: naming, clean-up and diagnostics of what they create in Docker."""

import secrets
import subprocess

from spawner.hub import network

from .hubprocess import Hub

PREFIX_ROOT = "kth-test"


def remove_prefixed(client, prefix):
    """Remove the containers, volumes and network a test hub made."""
    for c in client.containers(all=True, filters={"name": prefix}):
        if any(name.lstrip("/").startswith(prefix) for name in c["Names"]):
            client.remove_container(c["Id"], force=True)
    for v in client.volumes().get("Volumes") or []:
        if v["Name"].startswith(prefix):
            client.remove_volume(v["Name"], force=True)
    for n in client.networks(names=[prefix]):
        if not n["Name"].startswith(prefix):
            continue
        unfence(client.inspect_network(n["Id"]))
        client.remove_network(n["Id"])


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
    for c in client.containers(all=True, filters={"name": hub.prefix}):
        print(f"----- container {c['Names'][0]} ({c['Status']}) -----")
        print(client.logs(c["Id"], tail=100).decode(errors="replace"))


def new_hub(tmp_path_factory, image, env=None, dropins=None):
    """A hub (not started yet) with its own prefix, ports, data dir and network."""
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    return Hub(tmp_path_factory.mktemp(prefix), image, prefix, env=env, dropins=dropins)


def finish_hub(client, hub, failed):
    """Stop ``hub``, print its logs if a test failed, and remove what it created."""
    hub.stop()
    if failed:
        print_diagnostics(client, hub)
    remove_prefixed(client, hub.prefix)


def module_failed(request):
    failed = request.session.stash.get("failed_nodes", set())
    return any(node.startswith(request.node.nodeid + "::") for node in failed)
