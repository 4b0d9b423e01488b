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

from .environment import SettingsError, choice, count, raw
from .variables import Variable, declare

ENGINES = ("docker", "swarm")
NFS_PATTERN = re.compile(r"^(?P<host>[A-Za-z0-9.:\[\]-]+):(?P<path>/\S*)$")

VARIABLES = declare(
    Variable(
        "KAGGLE_HUB_ENGINE",
        "`docker`: users' servers are containers on this machine; `swarm`: one-task services on "
        "the Docker Swarm this machine manages (the hub then runs as a service of "
        "`deploy/swarm/stack.yml`)",
        default="docker",
    ),
    Variable(
        "KAGGLE_HUB_SWARM_HUB_HOST",
        "the name servers reach the hub's API at on `KAGGLE_HUB_NETWORK` (the stack's service)",
        default="hub",
    ),
    Variable(
        "KAGGLE_HUB_SWARM_NFS",
        "`HOST:/EXPORT` of an NFS export holding every working volume (one folder each), so a "
        "server may run on any node; unset, a server stays on the node that holds its volume",
    ),
    Variable(
        "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS",
        "how long a server may wait for a node that fits its profile before the start fails, "
        "naming the profile and what it asks for",
        default="30",
    ),
)


@dataclass(frozen=True)
class SwarmSettings:
    engine: str = raw({}, "KAGGLE_HUB_ENGINE")
    hub_host: str = raw({}, "KAGGLE_HUB_SWARM_HUB_HOST")
    nfs_host: str = ""
    nfs_path: str = ""
    schedule_seconds: int = count({}, "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS")

    @property
    def on_swarm(self):
        return self.engine == "swarm"


def from_env(env):
    """``SwarmSettings`` from the variables; SettingsError names a bad one."""
    engine = choice(env, "KAGGLE_HUB_ENGINE", ENGINES)
    nfs = raw(env, "KAGGLE_HUB_SWARM_NFS")
    host = path = ""
    if nfs:
        found = NFS_PATTERN.match(nfs)
        if not found:
            raise SettingsError(
                f"KAGGLE_HUB_SWARM_NFS={nfs!r}: use HOST:/EXPORT, e.g. "
                "nfs.example.lan:/srv/kaggle-volumes."
            )
        host, path = found["host"], found["path"].rstrip("/") or "/"
    schedule = count(env, "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS")
    if schedule < 1:
        raise SettingsError("KAGGLE_HUB_SWARM_SCHEDULE_SECONDS must be 1 or more seconds.")
    return SwarmSettings(
        engine=engine,
        hub_host=raw(env, "KAGGLE_HUB_SWARM_HUB_HOST"),
        nfs_host=host,
        nfs_path=path,
        schedule_seconds=schedule,
    )
