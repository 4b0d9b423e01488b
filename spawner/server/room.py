"""Room on the disk Docker keeps containers and volumes on: below a threshold a start is
refused with the reason, before Docker fails halfway through it (a container half made, a
volume that cannot take the startup script's files)."""

import functools
import shutil
import socket

from ..errors import SpawnError
from ..sizes import human_size


@functools.cache
def _local_root(client):
    """Docker's root folder when Docker runs on this machine, else None (asked once)."""
    info = client.info()
    return info.get("DockerRootDir") if info.get("Name") == socket.gethostname() else None


def docker_disk(client):
    """``(Docker's root folder, bytes free there)`` as this machine sees it, or None when
    it cannot be seen from here (Docker on another machine, a folder out of reach)."""
    root = _local_root(client)
    if not root:
        return None
    try:
        return root, shutil.disk_usage(root).free
    except OSError:
        return None


def check(client, min_free):
    """Raise SpawnError when Docker's disk has less than ``min_free`` bytes free (0: never)."""
    if min_free <= 0:
        return
    disk = docker_disk(client)
    if disk is None:
        return
    root, free = disk
    if free < min_free:
        raise SpawnError(
            f"The machine's disk is nearly full: Docker's folder {root} has "
            f"{human_size(free)} free, under the {human_size(min_free)} the hub keeps free so "
            "that running servers can still save (KAGGLE_HUB_MIN_FREE_DISK). No server can "
            "start until an admin makes room: 'kaggle-hub volumes' lists users' volumes with "
            "their sizes; 'docker image prune' removes images no server uses.",
            status_code=507,
        )
