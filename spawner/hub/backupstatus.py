"""The outcome of the last backup attempt and of the last success, kept in the data dir by
whoever writes backup sets (the schedule, ``kaggle-hub backup --all``) and read by the admin
page and ``kaggle-hub backup --status``."""

import json
import os
from datetime import datetime
from pathlib import Path

from ..sizes import human_size

STATUS_FILE = "backup-status.json"


def status_path(data_dir):
    return Path(data_dir) / STATUS_FILE


def read_status(data_dir):
    """``{"attempt": {...}, "success": {...}}`` as last recorded; empty if nothing was."""
    try:
        status = json.loads(status_path(data_dir).read_text())
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


def record(data_dir, started, path=None, manifest=None, error=None):
    """Record an attempt begun at ``started``: its set and manifest, or its error."""
    status = read_status(data_dir)
    attempt = {"started": started.isoformat(), "ok": error is None}
    if error is None:
        attempt.update(
            path=str(path),
            volumes=len(manifest["volumes"]),
            bytes=manifest["bytes"],
            seconds=manifest["seconds"],
        )
        status["success"] = attempt
    else:
        attempt["error"] = str(error)
    status["attempt"] = attempt
    target = status_path(data_dir)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.new")
    scratch.write_text(json.dumps(status, indent=1) + "\n")
    os.replace(scratch, target)


def last_attempt(data_dir):
    """When the last recorded attempt began (aware), or None."""
    started = read_status(data_dir).get("attempt", {}).get("started")
    try:
        return datetime.fromisoformat(started) if started else None
    except ValueError:
        return None


def _when(iso):
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def volume_count(volumes):
    """'3 volumes', '1 volume': a list of volumes, or their count, in words."""
    count = volumes if isinstance(volumes, int) else len(volumes)
    return f"{count} volume{'' if count == 1 else 's'}"


def status_lines(data_dir, backup_settings):
    """What an admin is told of scheduled backups: ``(ok, lines)``; ok is False when the
    last attempt failed."""
    status = read_status(data_dir)
    lines = []
    if backup_settings.scheduled:
        times = ", ".join(t.strftime("%H:%M:%S").removesuffix(":00") for t in backup_settings.at)
        lines.append(
            f"Backups run daily at {times} into {backup_settings.folder}, "
            f"{backup_settings.keep} kept."
        )
    else:
        lines.append(
            "Scheduled backups are off: set KAGGLE_HUB_BACKUP_DIR (a folder, best on another "
            "disk) and restart the hub."
        )
    success = status.get("success")
    if success:
        lines.append(
            f"Last backup: {_when(success['started'])}, {volume_count(success['volumes'])}, "
            f"{human_size(success['bytes'])} in {success['seconds']:.1f} s, in {success['path']}."
        )
    elif backup_settings.scheduled:
        lines.append("No backup has been written yet.")
    attempt = status.get("attempt", {})
    ok = attempt.get("ok", True)
    if not ok:
        lines.append(f"The backup of {_when(attempt['started'])} FAILED: {attempt['error']}")
    return ok, lines


def for_admins(data_dir, backup_settings, user):
    """What the hub's pages show ``user`` of the backups: ``status_lines`` for an admin,
    nothing for anyone else (the lines name folders of the machine)."""
    if user is None or not user.admin:
        return None
    return status_lines(data_dir, backup_settings)
