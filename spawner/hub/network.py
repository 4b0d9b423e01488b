"""The Docker network user containers sit on, the hub API address on it, and the fence
that leaves user containers only the hub API on this machine.

A user's code runs as root in its container. Without a fence it could reach every service
of the machine through the network's gateway (a database on 0.0.0.0, the proxy's API) and
every other user's server directly. The network is created with inter-container traffic
off, and an iptables chain on its bridge lets through only replies and the hub API port.
A second chain guards the hub API's address from the other side: only the users' bridge
and this machine itself (the proxy, the hub's services) reach it, not containers of other
Docker networks, which can route to any address of the machine.
"""

import hashlib
import ipaddress
import shutil
import subprocess

from .. import engine
from ..errors import SetupError
from ..server import networks
from ..server.networks import ICC


def hub_api_ip(api_ip, network, internal):
    """The address the hub's API listens on: ``api_ip`` when set, else the gateway of the
    user network (created if missing)."""
    if api_ip:
        return api_ip
    return network_gateway(engine.connect(engine.client_kwargs()), network, internal)


def api_warnings(api_ip, network, api_port):
    """What keeps user containers from the hub API, or exposes this machine to them, as
    warnings for the hub's log; the fence is set up when the hub places the API itself."""
    if not api_ip:
        return fence(network, api_port)
    try:
        loopback = ipaddress.ip_address(api_ip).is_loopback
    except ValueError:
        loopback = api_ip == "localhost"
    if loopback:
        return [
            f"KAGGLE_HUB_API_IP={api_ip} is this machine's loopback, which user containers "
            "cannot reach: every server will fail to start ('cannot reach the hub'). Unset "
            "it to have the hub listen on the user network's gateway."
        ]
    return []


def network_gateway(client, name, internal):
    """Create network ``name`` if missing and return its gateway address.

    The hub's API listens on that address: user containers reach it, and it is not on the
    machine's other interfaces.
    """
    info = networks.ensure(client, name, internal)
    if bool(info.get("Internal")) != internal:
        want = "internal" if internal else "not internal"
        raise SetupError(
            f"Docker network {name!r} exists but is {'not ' if internal else ''}internal, and "
            f"KAGGLE_HUB_NETWORK_INTERNAL asks for {want}: remove it with "
            f"'docker network rm {name}' (stop its containers first) or change the setting."
        )
    gateway = _gateway(info)
    if gateway:
        return gateway
    raise SetupError(
        f"Docker network {name!r} has no IPv4 gateway: remove it with "
        f"'docker network rm {name}' and let the hub create it."
    )


def _gateway(info):
    """The IPv4 gateway of a network's inspect ``info``, or None."""
    for config in (info.get("IPAM") or {}).get("Config") or []:
        gateway = config.get("Gateway")
        if gateway and ":" not in gateway:
            return gateway
    return None


def bridge_of(info):
    """The host interface of a bridge network (Docker's own name unless one was given)."""
    options = info.get("Options") or {}
    return options.get("com.docker.network.bridge.name") or f"br-{info['Id'][:12]}"


def chain_name(bridge):
    return "KTH-" + hashlib.sha256(bridge.encode()).hexdigest()[:12].upper()


def guard_chain_name(bridge):
    return "KTH-API-" + hashlib.sha256(bridge.encode()).hexdigest()[:12].upper()


def guard_rules(chain, bridge):
    """The iptables rules of ``chain``, which every packet to the hub API's address and
    port goes through: from the users' bridge or this machine, on; from elsewhere, dropped."""
    return [
        ["-A", chain, "-i", bridge, "-j", "RETURN"],
        ["-A", chain, "-i", "lo", "-j", "RETURN"],
        ["-A", chain, "-j", "DROP"],
    ]


def fence_rules(chain, api_port):
    """The iptables rules of ``chain``: replies, the hub API, nothing else."""
    return [
        ["-A", chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
        ["-A", chain, "-p", "tcp", "--dport", str(api_port), "-j", "ACCEPT"],
        ["-A", chain, "-j", "DROP"],
    ]


def stale_chain_commands(rules, live_bridges):
    """iptables commands removing the hub's chains of bridges that are gone (a network
    removed after its hub stopped), from ``rules`` (``iptables -S`` output): their jumps
    from INPUT first, then the chains."""
    live = {chain_name(b) for b in live_bridges} | {guard_chain_name(b) for b in live_bridges}
    commands, chains = [], []
    for line in rules.splitlines():
        parts = line.split()
        if parts[:1] == ["-N"] and parts[1].startswith("KTH-") and parts[1] not in live:
            chains.append(parts[1])
        elif parts[:2] == ["-A", "INPUT"] and "-j" in parts:
            target = parts[parts.index("-j") + 1]
            if target.startswith("KTH-") and target not in live:
                commands.append(["-D", *parts[1:]])
    for chain in chains:
        commands += [["-F", chain], ["-X", chain]]
    return commands


def fence(network, api_port, run=subprocess.run):
    """Let containers on ``network`` reach only the hub API port on this machine; return
    what could not be done, as warnings for the hub's log (none when fenced)."""
    info = engine.connect(engine.client_kwargs()).inspect_network(network)
    warnings = []
    if (info.get("Options") or {}).get(ICC) != "false":
        warnings.append(
            f"Docker network {network!r} lets user containers reach each other: stop the "
            f"servers, 'docker network rm {network}', and restart the hub to recreate it."
        )
    if shutil.which("iptables") is None:
        warnings.append(
            "iptables is not installed: user containers can reach every service of this "
            "machine through the network's gateway."
        )
        return warnings
    bridge = bridge_of(info)
    chain, guard = chain_name(bridge), guard_chain_name(bridge)
    gateway = _gateway(info)

    def iptables(*args, check=True):
        return run(["iptables", "-w", *args], capture_output=True, text=True, check=check)

    def sweep():
        networks = engine.connect(engine.client_kwargs()).networks(filters={"driver": "bridge"})
        listed = iptables("-S", check=False).stdout or ""
        for command in stale_chain_commands(listed, [bridge_of(n) for n in networks]):
            iptables(*command, check=False)

    def install(name, rules, jump):
        if iptables("-N", name, check=False).returncode != 0:
            iptables("-F", name)
        for rule in rules:
            iptables(*rule)
        if iptables("-C", *jump, check=False).returncode != 0:
            iptables("-I", *jump)

    try:
        sweep()
        install(chain, fence_rules(chain, api_port), ["INPUT", "-i", bridge, "-j", chain])
        if gateway:
            to_api = ["-d", f"{gateway}/32", "-p", "tcp", "--dport", str(api_port)]
            install(guard, guard_rules(guard, bridge), ["INPUT", *to_api, "-j", guard])
    except (subprocess.CalledProcessError, OSError) as e:
        reason = " ".join((getattr(e, "stderr", "") or str(e)).strip().splitlines()[-1:])
        warnings.append(
            f"Cannot fence Docker network {network!r} with iptables ({reason}; the hub must "
            "run as root): user containers can reach every service of this machine."
        )
    return warnings
