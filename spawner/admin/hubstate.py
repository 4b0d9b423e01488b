"""Backups of the hub's own state: its database, secrets and certificates.

A backup is a ``hub-{UTC time}.tar.gz`` in ``{data dir}/backups/`` (or a path given),
owner-only since it holds the hub's secrets. The database is copied with SQLite's own
backup, consistent even while the hub runs. Users' files are in their volumes, which
``kaggle-hub backup USER`` saves.
"""

import os
import posixpath
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from ..hub.datadir import hub_paths
from .backups import open_private

DATABASE = "jupyterhub.sqlite"
# What a restored hub needs besides the database; logs, pid files and the proxy's
# generated configuration are made anew at start.
STATE = (
    "jupyterhub_cookie_secret",
    "proxy_auth_token",
    "auth_state_crypt_key",
    "metrics_token",
    "settings_admins.json",
    "tls",
    "proxy/acme.json",
)


# Python's own check of each member as it is unpacked, where it has one (3.11.4 on; the
# hub's image has Debian's 3.11.2): the members were checked here before either way.
SAFE_EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


class HubStateError(RuntimeError):
    """The hub's state cannot be saved or restored as asked; the message says why."""


def backup_dir(data_dir):
    return Path(data_dir) / "backups"


def list_backups(data_dir):
    """The hub backups in the data dir, oldest first."""
    return sorted(backup_dir(data_dir).glob("hub-*.tar.gz"))


def backup(data_dir, path=None, now=None):
    """Write the hub's state to ``path`` (default: a new file in the backups folder);
    return the path."""
    data_dir = Path(data_dir)
    database = data_dir / DATABASE
    if not database.exists():
        raise HubStateError(f"There is no hub database at {database}: nothing to back up.")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if path is None:
        backup_dir(data_dir).mkdir(mode=0o700, exist_ok=True)
        path = backup_dir(data_dir) / f"hub-{stamp}.tar.gz"
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / DATABASE
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            with target:
                source.backup(target)
        except sqlite3.DatabaseError as e:
            raise HubStateError(
                f"The hub database {database} cannot be read ({e}): nothing was saved. "
                "Put back a saved state (kaggle-hub backup --hub --list lists them; "
                "kaggle-hub restore --hub FILE) or move the file away to start afresh."
            ) from e
        finally:
            source.close()
            target.close()
        with open_private(path) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(copy, arcname=DATABASE)
            for name in STATE:
                if (data_dir / name).exists():
                    tar.add(data_dir / name, arcname=name)
    return path


def hub_running(data_dir):
    """True if the hub whose pid file is in ``data_dir`` is alive."""
    try:
        pid = int(Path(hub_paths(data_dir)["hub_pid_file"]).read_text().strip())
    except (OSError, ValueError):
        return False
    return Path(f"/proc/{pid}").exists()


def _refusal(member):
    """Why ``member`` of a hub backup must not be restored, or None."""
    name = member.name
    if posixpath.normpath(name) != name or name.startswith("/") or ".." in name.split("/"):
        return "a path that is not plainly inside the data dir"
    if not (member.isfile() or member.isdir()):
        return "neither a file nor a folder"
    if name not in {DATABASE, *STATE} and name.split("/")[0] not in {DATABASE, *STATE}:
        return "something a hub backup does not hold"
    return None


def restore(data_dir, path):
    """Replace the hub's state with the backup at ``path``. The hub must be stopped; the
    state replaced is first saved as a backup of its own. Return that backup's path.

    The backup is unpacked into a folder of its own first and its entries moved into place
    after, so a backup that cannot be unpacked changes nothing."""
    data_dir = Path(data_dir)
    path = Path(path)
    if not path.is_file():
        raise HubStateError(f"There is no backup at {path}: 'kaggle-hub backup --hub --list'.")
    if hub_running(data_dir):
        raise HubStateError(
            "The hub is running: stop it first (./deploy/service stop, or Ctrl-C), then restore."
        )
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            if DATABASE not in {m.name for m in members}:
                raise HubStateError(f"{path} is not a hub backup: it holds no {DATABASE}.")
            for member in members:
                reason = _refusal(member)
                if reason:
                    raise HubStateError(
                        f"{path} holds {member.name!r}, {reason}: nothing was restored."
                    )
            saved = backup(data_dir) if (data_dir / DATABASE).exists() else None
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as staging:
                tar.extractall(staging, **SAFE_EXTRACT)
                for name in (DATABASE, *STATE):
                    _put_in_place(Path(staging) / name, data_dir / name)
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise HubStateError(
            f"{path} is not a complete hub backup ({e}): nothing was restored."
        ) from None
    return saved


def _put_in_place(staged, target):
    if not staged.exists():
        return
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    os.replace(staged, target)
