"""The folder the hub's processes and ``kaggle-hub`` share on this machine: what one found
and the others may reuse. It lives in /run, so a reboot empties it; a user who cannot make
it (not root) shares nothing, and each process works on its own."""

import os
from pathlib import Path

DIR = "/run/kaggle-team-hub"


def shared_dir(path=DIR):
    """``path``, made readable by root only if missing; None if it cannot be made."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return Path(path)
