"""How full each volume with a quota is, for the admin page."""

import logging

from ..server import naming, quotas
from ..server.naming import LABEL_PREFIX
from . import pagedocker

log = logging.getLogger("JupyterHub")


def rows(client, prefix):
    """``(volume owner text, quotas.Use)`` for hub ``prefix``'s mounted volumes with a quota,
    fullest first."""
    found = []
    listed = client.volumes(filters={"label": [f"{LABEL_PREFIX}={prefix}"]})
    for info in listed.get("Volumes") or []:
        use = quotas.use(info)
        owner = naming.parse_volume_name(prefix, info["Name"])
        if use is None or owner is None:
            continue
        user, server = owner
        found.append((f"{user}'s server {server!r}" if server else user, use))
    return sorted(found, key=lambda row: -row[1].share)


def for_admins(prefix, quota, user):
    """``rows`` as ``(text, nearly full)`` for an admin on a hub with quotas, else None (a
    template variable)."""
    if user is None or not user.admin or not quota:
        return None
    try:
        client = pagedocker.client()
        return [(f"{who}: {use.text()}", use.nearly_full) for who, use in rows(client, prefix)]
    except pagedocker.UNANSWERED as e:
        log.warning("Cannot tell how full the volumes are: %s", e)
        return [(f"Volumes: Docker did not answer ({type(e).__name__}).", False)]
