"""The swarm the swarm tiers run on: this machine's engine its manager, and for the
multi-node tier workers on this machine, Docker engines in privileged containers of the node
image (./deploy/build-image node) on an internal network they share with the manager. Each
worker keeps its storage in a volume between runs, so the servers' image is loaded into it
once (``docker save | docker load``), not per run."""

import subprocess

from .waiting import wait_for

NODES_NETWORK = "kth-nodes"
# Its addresses, away from Docker's pool of bridge subnets (172.17-31.x): on an engine that
# made no network yet, it took 172.18.0.0/16, the range each worker's own engine gives its
# docker_gwbridge as it joins, and the joins failed.
NODES_SUBNET, NODES_GATEWAY = "10.213.213.0/24", "10.213.213.1"
# A worker's storage: its images, kept between runs.
STORAGE = "/var/lib/docker"
# A worker's engine gets write access to its cgroups and /sys (what --privileged gives),
# and starts without the swarm membership of an earlier run.
START = (
    "mount -o remount,rw /sys && "
    'for d in /sys/fs/cgroup/*; do mount -o remount,bind,rw "$d" || exit 1; done && '
    f"rm -rf {STORAGE}/swarm && exec dockerd"
)
# Linux's capabilities by number, as /proc/PID/status counts them.
CAPABILITIES = (
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
    "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
    "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
    "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
    "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
    "CHECKPOINT_RESTORE"
).split()


# A port every swarm node listens on (the engine's gossip), on all of its addresses.
GOSSIP_PORT = 7946
# Run in a member's server: its node's address on the way out (the default route's gateway,
# on docker_gwbridge), the server's own address there, and what a new connection to the
# node's gossip port met ('reached', or the error).
NODE_PROBE = f"""
import socket, struct
route = [line.split() for line in open('/proc/net/route').read().splitlines()[1:]]
hexed = next(f[2] for f in route if f[1] == '00000000')
gateway = socket.inet_ntoa(struct.pack('<L', int(hexed, 16)))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.connect((gateway, 9))
try:
    socket.create_connection((gateway, {GOSSIP_PORT}), timeout=3).close()
    met = 'reached'
except OSError as e:
    met = type(e).__name__
print(gateway, udp.getsockname()[0], met)
"""


def fenced(rules):
    """The addresses a swarm node's fence drops new connections from, in its ``iptables -S``."""
    found = set()
    for line in rules.splitlines():
        parts = line.split()
        if parts[:2] and parts[1].startswith("KTH-FENCE-") and parts[2:3] == ["-s"]:
            found.add(parts[3].split("/")[0])
    return found


def docker(*args, env=None, check=True, timeout=120):
    return subprocess.run(
        ["docker", *args], env=env, capture_output=True, text=True, check=check, timeout=timeout
    )


def swarm_state():
    return docker("info", "--format", "{{.Swarm.LocalNodeState}}").stdout.strip()


class Swarm:
    """A swarm this machine manages, advertised on the nodes' network (where the
    multi-node tier's workers join it): made here, or the one this machine is in."""

    def __init__(self):
        self.made = False

    def __enter__(self):
        if swarm_state() != "active":
            docker("swarm", "init", "--advertise-addr", nodes_address())
            self.made = True
        self.node_id = docker("info", "--format", "{{.Swarm.NodeID}}").stdout.strip()
        self.address = docker("info", "--format", "{{.Swarm.NodeAddr}}").stdout.strip()
        return self

    def __exit__(self, *exc):
        if self.made:
            docker("swarm", "leave", "--force")
            remove_nodes_network()


def nodes_address():
    """This machine's address on the nodes' network (made if missing): the swarm's
    advertised address, which workers join and reach each other's tasks through."""
    if docker("network", "inspect", NODES_NETWORK, check=False).returncode != 0:
        docker(
            "network", "create", "--internal", f"--subnet={NODES_SUBNET}",
            f"--gateway={NODES_GATEWAY}", NODES_NETWORK,
        )  # fmt: skip
    return docker(
        "network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", NODES_NETWORK
    ).stdout.strip()


def remove_nodes_network():
    docker("network", "rm", NODES_NETWORK, check=False)


def engine_flags():
    """``docker run`` flags that give a worker's engine what ``--privileged`` would, less
    the capabilities this machine's engine does not hold itself: on a machine whose
    bounding set lacks one (CAP_SYS_RESOURCE here), ``--privileged`` fails with "unable to
    apply caps"."""
    bounding = int(_status_field(_dockerd_pid(), "CapBnd"), 16)
    missing = [name for bit, name in enumerate(CAPABILITIES) if not bounding >> bit & 1]
    return [
        "--cap-add=ALL",
        *(f"--cap-drop={name}" for name in missing),
        "--security-opt=seccomp=unconfined",
        "--security-opt=apparmor=unconfined",
        "--security-opt=systempaths=unconfined",
        "--device-cgroup-rule=a *:* rwm",
        # As docs/howto/swarm.md has nodes without a registry: a task runs the node's own
        # copy of the image without asking a registry first (here no name resolves, and
        # each start would wait 20 s on DNS).
        "--env=DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1",
    ]


def _dockerd_pid():
    found = subprocess.run(["pgrep", "-xo", "dockerd"], capture_output=True, text=True)
    return found.stdout.strip() or "self"


def _status_field(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return line.split()[1]
    raise LookupError(field)


def ipsec_works():
    """Whether this machine's kernel can do what Docker's encrypted overlays need between
    nodes (IPsec ESP with AES-GCM): a kernel built without it (CONFIG_INET_ESP) makes
    Docker log "Failed Adding ... function not implemented" and drop the traffic."""
    key = "0x" + "00" * 20
    state = ["src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x4b7448"]
    added = subprocess.run(
        ["ip", "xfrm", "state", "add", *state, "mode", "transport",
         "aead", "rfc4106(gcm(aes))", key, "64"],
        capture_output=True,
    )  # fmt: skip
    if added.returncode != 0:
        return False
    subprocess.run(["ip", "xfrm", "state", "delete", *state], check=True)
    return True


class Worker:
    """A swarm node named ``name`` (its host name too), with ``binds`` (host folders at
    the same path, as every node of a real swarm has the team's data folder, or ``(host,
    inside)`` pairs)."""

    def __init__(self, name, node_image, binds=()):
        self.name = name
        self.node_image = node_image
        self.binds = binds
        self.node_id = ""

    def docker(self, *args, check=True, timeout=120):
        return docker("exec", self.name, "docker", *args, check=check, timeout=timeout)

    def shell(self, script, check=True):
        """Run ``script`` (bash) on the worker itself, in its own network."""
        return docker("exec", self.name, "bash", "-c", script, check=check)

    def _answers(self):
        return self.docker("info", check=False, timeout=10).returncode == 0

    def start(self):
        docker("rm", "-f", self.name, check=False)
        pairs = [(b, b) if isinstance(b, str) else b for b in self.binds]
        mounts = [f"--volume={host}:{inside}" for host, inside in pairs]
        docker(
            "run", "--detach", *engine_flags(), f"--name={self.name}", f"--hostname={self.name}",
            f"--network={NODES_NETWORK}", f"--volume={self.name}-storage:{STORAGE}",
            *mounts, self.node_image, "sh", "-c", START,
        )  # fmt: skip
        wait_for(self._answers, 60, interval=0.2, what=f"the engine of {self.name}")
        self._clear()
        return self

    def _clear(self):
        """Remove the containers and volumes of this run's (or an interrupted run's) servers,
        whose swarm is gone: the images stay."""
        self.docker("container", "prune", "--force", check=False)
        self.docker("volume", "prune", "--force", check=False)

    def load(self, image):
        """Give the worker ``image`` (the manager's copy) unless it has that one already."""
        want = docker("image", "inspect", "-f", "{{.Id}}", image).stdout.strip()
        have = self.docker("image", "inspect", "-f", "{{.Id}}", image, check=False)
        if have.stdout.strip() == want:
            return
        saved = subprocess.Popen(["docker", "save", image], stdout=subprocess.PIPE)
        loaded = subprocess.run(
            ["docker", "exec", "-i", self.name, "docker", "load"],
            stdin=saved.stdout,
            capture_output=True,
            text=True,
            timeout=600,
        )
        saved.stdout.close()
        assert saved.wait() == 0 and loaded.returncode == 0, loaded.stderr

    def rejoin(self, address, manager):
        """Leave a swarm that is gone and join the one at ``address``, restarting the engine
        in between as docs/howto/swarm.md says: Docker 20.10 keeps the old swarm's gossip
        port, and a node joined without a restart may never network."""
        self.docker("swarm", "leave", "--force")
        docker("restart", self.name)
        wait_for(self._answers, 60, interval=0.2, what=f"the engine of {self.name}")
        self.join(address, manager)

    def join(self, address, manager=None):
        """Join the swarm whose manager is at ``address`` (``manager`` runs the docker
        command there: this machine's by default)."""
        manager = manager or docker
        token = manager("swarm", "join-token", "-q", "worker").stdout.strip()
        self.docker("swarm", "join", "--token", token, f"{address}:2377")
        self.node_id = self.docker("info", "--format", "{{.Swarm.NodeID}}").stdout.strip()
        self.wait_state("ready", manager)

    def init(self):
        """Make this node the manager of a swarm of its own; return its address."""
        address = self.shell("hostname -i").stdout.split()[0]
        self.docker("swarm", "init", "--advertise-addr", address)
        return address

    def wait_state(self, state, manager=None):
        """Wait until the manager counts this worker ``state`` ('ready', 'down')."""
        manager = manager or docker
        wait_for(
            lambda: (
                manager("node", "inspect", "-f", "{{.Status.State}}", self.node_id).stdout
                == f"{state}\n"
            ),
            60,
            what=f"{self.name} {state} in the swarm",
        )

    def remove(self):
        """Leave the swarm and stop; the storage volume (its images) stays for the next run."""
        self.docker("swarm", "leave", "--force", check=False)
        self._clear()
        if self.node_id:
            docker("node", "rm", "--force", self.node_id, check=False)
        docker("rm", "-f", "--volumes", self.name, check=False)


def node_of(hub, user, manager=None):
    """The host name of the node running ``user``'s server on ``hub`` (asked of ``manager``,
    which runs the docker command on the swarm's manager: this machine's by default)."""
    out = (manager or docker)(
        "service", "ps", "--filter", "desired-state=running", "--format", "{{.Node}}",
        f"{hub.prefix}-{user}",
    ).stdout.split()  # fmt: skip
    assert len(out) == 1, out
    return out[0]
