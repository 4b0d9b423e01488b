"""The hub's data directory: database, cookie secret and proxy token, owner-only."""

import os
import secrets
from pathlib import Path


def ensure_private_dir(path):
    """Create ``path`` (and parents) and restrict it to its owner."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def read_or_create_secret(path, nbytes=32):
    """The hex secret stored in ``path``; generated once, owner-only, reused afterwards."""
    path = Path(path)
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if not value:
        value = secrets.token_hex(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value + "\n")
    os.chmod(path, 0o600)
    return value


def hub_paths(data_dir):
    """Files the hub keeps in ``data_dir``."""
    data_dir = Path(data_dir)
    return {
        "db_url": f"sqlite:///{data_dir / 'jupyterhub.sqlite'}",
        "cookie_secret_file": str(data_dir / "jupyterhub_cookie_secret"),
        "proxy_token_file": str(data_dir / "proxy_auth_token"),
        "hub_pid_file": str(data_dir / "jupyterhub.pid"),
        "proxy_pid_file": str(data_dir / "jupyterhub-proxy.pid"),
    }
