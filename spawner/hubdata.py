"""The hub's data directory: database, secrets and small records, owner-only."""

import json
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
        _write_private(path, value + "\n")
    os.chmod(path, 0o600)
    return value


def hub_paths(data_dir):
    """Files the hub keeps in ``data_dir``."""
    data_dir = Path(data_dir)
    return {
        "db_url": f"sqlite:///{data_dir / 'jupyterhub.sqlite'}",
        "cookie_secret_file": str(data_dir / "jupyterhub_cookie_secret"),
        "proxy_token_file": str(data_dir / "proxy_auth_token"),
        "crypt_key_file": str(data_dir / "auth_state_crypt_key"),
        "admins_file": str(data_dir / "settings_admins.json"),
        "hub_pid_file": str(data_dir / "jupyterhub.pid"),
        "proxy_pid_file": str(data_dir / "jupyterhub-proxy.pid"),
    }


def _write_private(path, text):
    """Replace ``path`` with ``text`` atomically, owner-only."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def record_settings_admins(path, admins):
    """Store the admins named in settings; return those named last time but not now.

    Those lose their admin rights at this start; admins made on the admin page are not in
    either list and keep theirs.
    """
    path = Path(path)
    try:
        previous = set(json.loads(path.read_text()))
    except (FileNotFoundError, ValueError):
        previous = set()
    _write_private(path, json.dumps(sorted(admins)) + "\n")
    return previous - set(admins)
