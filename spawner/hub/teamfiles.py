"""The team folder's latest files and who made them, for the hub's home page."""

import functools
import logging
import os

import docker

from ..server import team
from . import pagedocker

log = logging.getLogger("JupyterHub")


def for_members(prefix, folder, user):
    """A template variable: None without a team folder, else a function the home page calls
    for ``listing`` (other pages do not read the folder)."""
    if user is None or not folder:
        return None
    return functools.partial(listing, prefix, folder)


def listing(prefix, folder):
    """What the home page shows of the team folder named ``folder``: ``{"folder", "files":
    [team.Entry.row], "looked", "more"}``; None where the hub cannot read it (Docker keeps
    it on another machine, or does not answer)."""
    try:
        client = pagedocker.client()
        info = client.inspect_volume(team.volume_name(prefix))
    except docker.errors.NotFound:
        return {"folder": folder, "files": [], "looked": 0, "more": False}
    except pagedocker.UNANSWERED as e:
        log.warning("Cannot list the team folder: %s", e)
        return None
    mountpoint = info.get("Mountpoint") or ""
    if not os.path.isdir(mountpoint):
        return None
    entries, looked, more = team.recent(mountpoint)
    return {
        "folder": folder,
        "files": [entry.row() for entry in entries],
        "looked": looked,
        "more": more,
    }
