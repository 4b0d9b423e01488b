"""The fence on every node of a swarm: users' servers reach none of the node's own services.

On one machine the hub fences its users' bridge (``spawner.hub.network``). On a swarm a
server's traffic to its node (and to any address of that node) arrives from
``docker_gwbridge``, which every swarm container of the node shares, so the fence cannot be
one rule per bridge. The stack runs this module on every node (a global service in the
host's network with NET_ADMIN): it keeps one iptables chain, jumped to from INPUT for
packets from ``docker_gwbridge``, that drops every new connection from the address of a
running server's container (labelled ``org.kaggle-team-hub.server-name``) and lets replies
through. Other containers (the hub, other stacks) keep their access. The chain follows
Docker's container start and die events, and leaves with the service; it is named after the
service (``KAGGLE_HUB_FENCE_NAME``), so that two stacks' fences never undo each other.
"""

import hashlib
import logging
import os
import signal
import subprocess
import sys
import time

from .. import engine
from ..server.container import LABEL_SERVER_NAME

# What the stack's fence service runs (python3 -m MODULE).
MODULE = "spawner.swarm.fence"
BRIDGE = "docker_gwbridge"
DEFAULT_NAME = "kaggle-team-hub_fence"
# How long a server container may stay listed after its die event (Docker releases its
# network right after).
DIE_SECONDS = 5.0
DIE_POLL_SECONDS = 0.05

log = logging.getLogger("kaggle-team-hub.fence")


def chain_name(service):
    """The chain of fence service ``service`` (iptables allows 28 characters)."""
    return "KTH-FENCE-" + hashlib.sha256(service.encode()).hexdigest()[:12].upper()


def jump(chain):
    return ["INPUT", "-i", BRIDGE, "-j", chain]


def restore_text(chain, addresses):
    """``iptables-restore --noflush`` input that replaces ``chain``'s rules at once:
    replies on, new connections from ``addresses`` dropped."""
    lines = [
        "*filter",
        f":{chain} - [0:0]",
        f"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
    ]
    lines += [f"-A {chain} -s {address}/32 -j DROP" for address in sorted(addresses)]
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def bridge_addresses(bridge_containers, server_ids):
    """The IPv4 addresses on the bridge (its inspect's ``Containers``) of the containers in
    ``server_ids``. A container joins the bridge before Docker reports its start; a server
    on an internal network never joins it (and has no way to the node to fence)."""
    found = set()
    for container_id, endpoint in bridge_containers.items():
        address = (endpoint.get("IPv4Address") or "").split("/")[0]
        if container_id in server_ids and address:
            found.add(address)
    return found


def backend(run):
    """The iptables command family the node's Docker uses: ``iptables-nft`` unless only
    ``iptables-legacy`` holds Docker's chain."""
    for family in ("iptables-nft", "iptables-legacy"):
        listed = run([family, "-S", "DOCKER-USER"], capture_output=True, check=False)
        if listed.returncode == 0:
            return family
    return "iptables-nft"


class Fence:
    """The chain on this node, kept to the running servers."""

    def __init__(self, client, chain, run=subprocess.run, clock=time.monotonic, sleep=time.sleep):
        self.client = client
        self.chain = chain
        self.run = run
        self.clock = clock
        self.sleep = sleep
        self.iptables = backend(run)
        self.fenced = None

    def _addresses(self):
        """The running servers' addresses on the bridge."""
        servers = self.client.containers(filters={"label": LABEL_SERVER_NAME})
        bridge = self.client.inspect_network(BRIDGE).get("Containers") or {}
        return bridge_addresses(bridge, {c["Id"] for c in servers})

    def apply(self):
        """Bring the chain to the running servers and make sure INPUT jumps to it."""
        addresses = self._addresses()
        self.run(
            [f"{self.iptables}-restore", "--noflush"],
            input=restore_text(self.chain, addresses),
            text=True,
            capture_output=True,
            check=True,
        )
        to_chain = jump(self.chain)
        if self.run([self.iptables, "-C", *to_chain], capture_output=True).returncode != 0:
            self.run([self.iptables, "-I", *to_chain], capture_output=True, check=True)
        if addresses != self.fenced:
            log.info("Fenced %d server(s) on this node: %s", len(addresses), sorted(addresses))
            self.fenced = addresses

    def remove(self):
        """Take the chain away (the service is leaving this node)."""
        self.run([self.iptables, "-D", *jump(self.chain)], capture_output=True)
        self.run([self.iptables, "-F", self.chain], capture_output=True)
        self.run([self.iptables, "-X", self.chain], capture_output=True)
        log.info("Fence removed from this node")

    def _ended(self, container_id):
        """Wait (briefly) until Docker no longer lists ``container_id`` as running: at its
        die event it still does, and its address is still on the bridge."""
        deadline = self.clock() + DIE_SECONDS
        while self.clock() < deadline:
            if not self.client.containers(filters={"id": container_id}):
                return
            self.sleep(DIE_POLL_SECONDS)

    def follow(self):
        """Apply now and at every server container's start and end, until stopped."""
        self.apply()
        events = self.client.events(
            decode=True,
            filters={"type": "container", "event": ["start", "die"], "label": LABEL_SERVER_NAME},
        )
        for event in events:
            if event.get("Action") == "die":
                self._ended(event["id"])
            self.apply()


def keep(fence):
    """Keep ``fence`` until stopped; return the exit code: 1, with what failed in the log,
    when iptables refuses a change (Swarm starts the fence again). Its chain goes either way."""
    try:
        fence.follow()
    except subprocess.CalledProcessError as e:
        reason = (e.stderr or "").strip().splitlines()[-1:] or [f"exit code {e.returncode}"]
        log.error("Cannot fence this node: %s failed: %s", e.cmd[0], reason[0])
        return 1
    finally:
        fence.remove()
    return 0


def main():
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    client = engine.wait_until_answering(engine.client_kwargs(), 60)
    fence = Fence(client, chain_name(os.environ.get("KAGGLE_HUB_FENCE_NAME") or DEFAULT_NAME))
    sys.exit(keep(fence))


if __name__ == "__main__":
    main()
