"""Who holds which of the machine's GPUs, for the admin page."""

import logging

from ..server import gpus
from . import pagedocker

log = logging.getLogger("JupyterHub")


def lines(prefix, devices, client):
    """One line per device: who holds it since when, or that it is free."""
    held = gpus.holder_map(client, prefix, devices)
    return [
        f"GPU {d}: {held[d].who()} since {held[d].since_text()}" if d in held else f"GPU {d}: free"
        for d in devices
    ]


def for_admins(prefix, named, user):
    """``lines`` for an admin on a hub with GPUs, else None (a template variable)."""
    if user is None or not user.admin:
        return None
    devices = gpus.pool(named)
    if not devices:
        return None
    try:
        client = pagedocker.client()
        return lines(prefix, devices, client)
    except pagedocker.UNANSWERED as e:
        log.warning("Cannot tell who holds the GPUs: %s", e)
        return [f"GPUs: Docker did not answer ({type(e).__name__}); kaggle-hub gpus retries."]
