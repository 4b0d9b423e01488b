"""The standbys waiting for returning members, for the admin page."""

import logging

from .. import engine
from ..server import naming, standby
from ..sizes import human_size
from . import pagedocker

log = logging.getLogger("JupyterHub")


def line(prefix, client):
    """Who has a standby waiting, and the memory the standbys hold."""
    waiting = [s for s in standby.listed(client, prefix) if s.get("State") == "running"]
    if not waiting:
        return "No standbys: every start is a cold one until a server stops."
    owners = []
    for summary in waiting:
        owner = naming.parse_volume_name(prefix, standby.owner(summary) + naming.VOLUME_SUFFIX)
        user, server = owner or ("an unknown user", "")
        owners.append(f"{user} ({server})" if server else user)
    held = sum(engine.memory_in_use(client, s["Id"]) for s in waiting)
    return (
        f"Standbys waiting: {len(waiting)}, holding {human_size(held)} of memory: "
        f"{', '.join(sorted(owners))}."
    )


def for_admins(prefix, user):
    """``line`` for an admin (a template variable), else None."""
    if user is None or not user.admin:
        return None
    try:
        return line(prefix, pagedocker.client())
    except pagedocker.UNANSWERED as e:
        log.warning("Cannot list the standbys: %s", e)
        return f"Standbys: Docker did not answer ({type(e).__name__})."
