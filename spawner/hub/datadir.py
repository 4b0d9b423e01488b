"""The hub's data directory: database, secrets and small records, owner-only."""

import json
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..files import write_private

# A write the data dir must take at each start: room for the database to grow a little.
WRITE_CHECK_BYTES = 1024 * 1024
# How long a start waits for another program's lock on the database before it gives up.
DB_LOCK_WAIT_SECONDS = 5


@dataclass(frozen=True)
class HubState:
    """What the hub's configuration takes from the data directory."""

    db_url: str
    cookie_secret_file: str
    hub_pid_file: str
    proxy_pid_file: str
    proxy_dir: str
    tls_dir: str
    log_dir: str
    proxy_token: str
    crypt_key: str
    metrics_token: str
    revoked_admins: frozenset
    admin_code_file: str


def prepare(data_dir, admins):
    """Make ``data_dir`` ready for the hub and return its ``HubState``.

    The directory is created owner-only; the proxy token and the key that encrypts auth
    state are generated at the first start and reused after; ``admins`` (the settings'
    admins) are recorded, and those named last time but not now are ``revoked_admins``.
    """
    ensure_private_dir(data_dir)
    paths = hub_paths(data_dir)
    check_writable(data_dir, paths["db_url"].removeprefix("sqlite:///"))
    return HubState(
        db_url=paths["db_url"],
        cookie_secret_file=paths["cookie_secret_file"],
        hub_pid_file=paths["hub_pid_file"],
        proxy_pid_file=paths["proxy_pid_file"],
        proxy_dir=str(ensure_private_dir(paths["proxy_dir"])),
        tls_dir=paths["tls_dir"],
        log_dir=paths["log_dir"],
        proxy_token=read_or_create_secret(paths["proxy_token_file"]),
        crypt_key=read_or_create_secret(paths["crypt_key_file"]),
        metrics_token=read_or_create_secret(paths["metrics_token_file"]),
        revoked_admins=frozenset(record_settings_admins(paths["admins_file"], admins)),
        admin_code_file=paths["admin_code_file"],
    )


def check_writable(data_dir, db_file):
    """Raise OSError or sqlite3.Error unless the hub can write in ``data_dir`` (a full disk,
    a read-only mount) and take its database's write lock (another program holding it)."""
    probe = Path(data_dir) / ".write-check"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, bytes(WRITE_CHECK_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        probe.unlink(missing_ok=True)
    if not Path(db_file).exists():
        return
    db = sqlite3.connect(db_file, timeout=DB_LOCK_WAIT_SECONDS)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.rollback()
    finally:
        db.close()


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
        write_private(path, value + "\n")
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
        "metrics_token_file": str(data_dir / "metrics_token"),
        "admin_code_file": str(data_dir / "admin_code"),
        "hub_pid_file": str(data_dir / "jupyterhub.pid"),
        "proxy_pid_file": str(data_dir / "jupyterhub-proxy.pid"),
        "proxy_dir": str(data_dir / "proxy"),
        "tls_dir": str(data_dir / "tls"),
        "log_dir": str(data_dir / "logs"),
    }


def server_log_dir(data_dir):
    """Where users' server logs are kept after their containers are removed."""
    return str(Path(hub_paths(data_dir)["log_dir"]) / "servers")


def secrets_dir(data_dir):
    """Where users' secrets are kept (encrypted, one owner-only file per user)."""
    return str(Path(data_dir) / "secrets")


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
    write_private(path, json.dumps(sorted(admins)) + "\n")
    return previous - set(admins)
