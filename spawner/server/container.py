"""Container command, environment and host settings for a user's server, as plain values."""

from . import layout

SINGLEUSER = "jupyterhub-singleuser"
# Docker's 64 MB /dev/shm breaks PyTorch DataLoader workers.
SHM_SIZE = "2g"
STARTUP_NAME = "kaggle-team-hub-start"


def command(server_cmd, server_args):
    """The container command: lay out the volume, then exec the single-user server.

    The Kaggle image's entrypoint is ``/usr/bin/env`` with no CMD, so the command is always
    given in full. The image runs as root, which jupyter-server refuses without
    ``--allow-root``.
    """
    return [
        "/bin/sh",
        "-c",
        layout.startup_script(),
        STARTUP_NAME,
        *server_cmd,
        "--allow-root",
        *server_args,
    ]


def auth_args(cache_seconds):
    """Single-user server arguments: how long it caches the hub's answer about a login."""
    return [f"--HubOAuth.cache_max_age={int(cache_seconds)}"]


def environment(extra=None):
    """Environment added to the hub's own for the server (credentials, lab settings)."""
    env = layout.persistent_env()
    env.update(extra or {})
    return env


def work_volume_bind(volume):
    """The ``volumes`` entry that mounts a user's working volume."""
    return {volume: {"bind": layout.WORK_DIR, "mode": "rw"}}
