"""Which engine runs users' servers: this machine's Docker, or a Docker Swarm.

On a swarm the hub itself runs as a service on a manager (deploy/swarm/stack.yml), on the
overlay network that users' servers join; servers reach its API by the name the stack gives
it there. A user's working volume is Docker's ``local`` volume on the node that first ran
the server, and the server is kept on that node from then on (``pinned``); with
``KAGGLE_HUB_SWARM_NFS`` volumes are NFS exports every node mounts instead, and servers go
wherever Swarm places them.
"""

import re
from dataclasses import dataclass

from .environment import SettingsError, choice, count

ENGINES = ("docker", "swarm")
NFS_PATTERN = re.compile(r"^(?P<host>[A-Za-z0-9.:\[\]-]+):(?P<path>/\S*)$")

VARIABLES = {
    "KAGGLE_HUB_ENGINE": "docker = users' servers are containers on this machine; swarm = "
    "services on the Docker Swarm this machine manages (the hub runs as a service of "
    "deploy/swarm/stack.yml); default docker",
    "KAGGLE_HUB_SWARM_HUB_HOST": "on a swarm, the name servers reach the hub's API at on "
    "KAGGLE_HUB_NETWORK; default hub (the stack's service)",
    "KAGGLE_HUB_SWARM_NFS": "on a swarm, HOST:/EXPORT of an NFS export that holds every "
    "working volume (one folder each), so servers may run on any node; default none: a "
    "server stays on the node that holds its volume",
    "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "on a swarm, how long a server may wait for a node "
    "that fits its profile before the start fails with the reason; default 30",
}


@dataclass(frozen=True)
class SwarmSettings:
    engine: str = "docker"
    hub_host: str = "hub"
    nfs_host: str = ""
    nfs_path: str = ""
    schedule_seconds: int = 30

    @property
    def on_swarm(self):
        return self.engine == "swarm"


def from_env(env):
    """``SwarmSettings`` from the variables; SettingsError names a bad one."""
    engine = choice(env, "KAGGLE_HUB_ENGINE", ENGINES, "docker")
    nfs = (env.get("KAGGLE_HUB_SWARM_NFS") or "").strip()
    host = path = ""
    if nfs:
        found = NFS_PATTERN.match(nfs)
        if not found:
            raise SettingsError(
                f"KAGGLE_HUB_SWARM_NFS={nfs!r}: use HOST:/EXPORT, e.g. "
                "nfs.example.lan:/srv/kaggle-volumes."
            )
        host, path = found["host"], found["path"].rstrip("/") or "/"
    schedule = count(env, "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS", 30)
    if schedule < 1:
        raise SettingsError("KAGGLE_HUB_SWARM_SCHEDULE_SECONDS must be 1 or more seconds.")
    return SwarmSettings(
        engine=engine,
        hub_host=(env.get("KAGGLE_HUB_SWARM_HUB_HOST") or "hub").strip(),
        nfs_host=host,
        nfs_path=path,
        schedule_seconds=schedule,
    )
