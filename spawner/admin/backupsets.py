"""Backup sets: the hub's state and every user's volume, written together into one folder,
kept up to a count, and put back together on a fresh machine.

    BACKUP_DIR/
      20261205T030000Z/            one set, named by when it began (UTC)
        manifest.json              the hub's prefix and each volume with its owner
        hub.tar.gz                 the hub's database and secrets (as `backup --hub`)
        settings.env               the checkout's .env, when it has one
        volumes/VOLUME.tar.gz      each working volume, live and quarantined
      .partial-20261205T030000Z/   a set being written: renamed once complete

A set that fails midway is removed and the sets already there stay.
"""

import json
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import docker
from dotenv import dotenv_values

from ..server import team, volumes
from ..settings import envfile
from . import backups, hubstate

SET_NAME = re.compile(r"^\d{8}T\d{6}Z$")
# What Docker accepts as a volume's name: no path can be made of one.
VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
PARTIAL = ".partial-"
MANIFEST = "manifest.json"
HUB_FILE = "hub.tar.gz"
SETTINGS_FILE = "settings.env"
# What the checkout's .env is kept as when a restore changes it.
BEFORE_RESTORE = ".before-restore"


class BackupSetError(RuntimeError):
    """A backup set cannot be written or restored as asked; the message says why."""


def complete_sets(folder):
    """The complete sets in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if SET_NAME.match(p.name) and (p / MANIFEST).is_file()
    )


def rotate(folder, keep):
    """Remove the oldest complete sets beyond ``keep``, and partial sets left by a write that
    was cut off; return what was removed."""
    folder = Path(folder)
    stale = [p for p in folder.iterdir() if p.name.startswith(PARTIAL)]
    removed = complete_sets(folder)[:-keep] + stale
    for path in removed:
        shutil.rmtree(path)
    return removed


def _volume_file(name):
    return f"volumes/{name}.tar.gz"


def write_set(client, s, folder, env_file, meter=backups.no_meter, now=None):
    """Write a backup set of hub settings ``s`` into ``folder`` and keep its newest
    ``s.backups.keep`` sets; return ``(set path, manifest)``."""
    began = time.monotonic()
    started = now or datetime.now(UTC)
    folder = Path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in folder.glob(f"{PARTIAL}*"):
            shutil.rmtree(stale)
    except FileExistsError:
        raise BackupSetError(f"The backup folder {folder} is a file, not a folder.") from None
    except OSError as e:
        raise BackupSetError(f"The backup folder {folder} cannot be used ({e.strerror}).") from None
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    partial = folder / f"{PARTIAL}{stamp}"
    try:
        partial.mkdir(mode=0o700)
        (partial / "volumes").mkdir(mode=0o700)
        hubstate.backup(s.data_dir, partial / HUB_FILE)
        has_settings = Path(env_file).is_file()
        if has_settings:
            with backups.open_private(partial / SETTINGS_FILE) as copy:
                copy.write(Path(env_file).read_bytes())
        image = volumes.helper_image(client, s.image)
        saved = []
        for row in backups.list_volumes(client, s.prefix):
            path = partial / _volume_file(row["name"])
            total = row["size"] if row["size"] >= 0 else None
            backups.backup(client, image, row["name"], path, meter(f"reading {row['name']}", total))
            saved.append(
                {
                    "name": row["name"],
                    "user": row["user"],
                    "server": row["server"],
                    "quarantined_at": row["quarantined_at"],
                    "team": row["team"],
                    "bytes": path.stat().st_size,
                }
            )
        manifest = {
            "prefix": s.prefix,
            "started": started.isoformat(),
            "seconds": round(time.monotonic() - began, 1),
            "settings": has_settings,
            "volumes": saved,
            "bytes": sum(p.stat().st_size for p in partial.rglob("*") if p.is_file()),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        final = folder / stamp
        partial.rename(final)
    except BaseException as e:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(e, OSError) and e.strerror:
            raise BackupSetError(
                f"Writing {folder} failed ({e.strerror}); the sets already there are kept."
            ) from e
        raise
    rotate(folder, s.backups.keep)
    return final, manifest


# Restoring a whole machine -------------------------------------------------------------------


def read_manifest(set_dir):
    set_dir = Path(set_dir)
    try:
        manifest = json.loads((set_dir / MANIFEST).read_text())
    except OSError as e:
        raise BackupSetError(
            f"{set_dir} is not a backup set ({e.strerror} reading its {MANIFEST}): give a "
            "folder such as BACKUP_DIR/20261205T030000Z."
        ) from None
    except ValueError:
        raise BackupSetError(f"{set_dir}/{MANIFEST} is damaged: nothing was restored.") from None
    return manifest


def _checked_volumes(manifest, prefix, set_dir):
    """The manifest's volumes, each a plain volume of hub ``prefix`` with its archive."""
    if manifest.get("prefix") != prefix:
        raise BackupSetError(
            f"{set_dir} is a backup of the hub with prefix {manifest.get('prefix')!r}, not "
            f"{prefix!r}: set KAGGLE_HUB_PREFIX={manifest.get('prefix')} (in .env), then restore."
        )
    found = []
    for v in manifest.get("volumes", []):
        name = str(v.get("name", ""))
        if not (VOLUME_NAME.match(name) and name.startswith(f"{prefix}-")):
            raise BackupSetError(f"{set_dir} names a volume {name!r} this hub cannot own.")
        if not (Path(set_dir) / _volume_file(name)).is_file():
            raise BackupSetError(f"{set_dir} lacks {_volume_file(name)}: nothing was restored.")
        found.append(v)
    return found


def _labels(prefix, v):
    if v.get("team"):
        return team.labels(prefix)
    lab = volumes.labels(prefix, str(v.get("user", "")), str(v.get("server", "")))
    if v.get("quarantined_at"):
        lab[volumes.LABEL_QUARANTINED_AT] = str(v["quarantined_at"])
    return lab


def _put_settings(saved, env_file):
    """Put the set's settings into the checkout's ``.env``: the whole file when there is
    none; else each value of the set's over the file's (a set-up writes the image it built
    there; the set holds the team's settings), a key only in the file kept, and the file as
    it was kept beside it. Return the keys that changed."""
    env_file = Path(env_file)
    if not env_file.exists():
        shutil.copyfile(saved, env_file)
        os.chmod(env_file, 0o600)
        return sorted(dotenv_values(saved, interpolate=False))
    current = dotenv_values(env_file, interpolate=False)
    changed = {
        key: value
        for key, value in dotenv_values(saved, interpolate=False).items()
        if value is not None and current.get(key) != value
    }
    if changed:
        before = env_file.with_name(env_file.name + BEFORE_RESTORE)
        shutil.copyfile(env_file, before)
        os.chmod(before, 0o600)
        envfile.set_values(env_file, changed)
    return sorted(changed)


def restore_set(client, s, set_dir, env_file, meter=backups.no_meter):
    """Put the hub's state, its settings and every volume of the set back; refuse, before
    changing anything, a running hub or a volume that already holds files. Return
    ``(volumes restored, the settings that changed in env_file)``."""
    set_dir = Path(set_dir)
    manifest = read_manifest(set_dir)
    wanted = _checked_volumes(manifest, s.prefix, set_dir)
    if hubstate.hub_running(s.data_dir):
        raise BackupSetError(
            "The hub is running: stop it first (./deploy/service stop, or Ctrl-C), then restore."
        )
    image = volumes.helper_image(client, s.image)
    taken = []
    for v in wanted:
        try:
            client.inspect_volume(v["name"])
        except docker.errors.NotFound:
            continue
        if not volumes.is_empty(client, image, v["name"]):
            taken.append(v["name"])
    if taken:
        raise BackupSetError(
            f"These volumes already hold files: {', '.join(taken)}. Nothing was restored: a "
            "whole-machine restore fills empty volumes only ('kaggle-hub purge' removes a "
            "volume; 'kaggle-hub restore USER FILE --force' replaces one at a time)."
        )
    hubstate.restore(s.data_dir, set_dir / HUB_FILE)
    changed = []
    if manifest.get("settings"):
        changed = _put_settings(set_dir / SETTINGS_FILE, env_file)
    for v in wanted:
        backups.restore(
            client,
            image,
            v["name"],
            set_dir / _volume_file(v["name"]),
            _labels(s.prefix, v),
            meter=meter,
        )
    return wanted, changed
