"""Scheduled backups: where the hub writes a full backup set, at which times, how many kept.

A set is the hub's state and every user's volume (see ``spawner.admin.backupsets``); with
``KAGGLE_HUB_BACKUP_DIR`` unset the hub schedules none (``kaggle-hub backup --all`` still
writes one on demand, given a folder).
"""

import re
from dataclasses import dataclass
from datetime import time

from .environment import SettingsError, count

TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")

VARIABLES = {
    "KAGGLE_HUB_BACKUP_DIR": "folder the hub writes a backup set into on schedule (the hub's "
    "state and every user's volume), best on another disk; default none: no scheduled backups",
    "KAGGLE_HUB_BACKUP_AT": "times of day (this machine's local time, HH:MM[:SS], "
    "comma-separated) the scheduled backup starts; default 03:00",
    "KAGGLE_HUB_BACKUP_KEEP": "how many backup sets are kept in KAGGLE_HUB_BACKUP_DIR (the "
    "oldest go first); default 7",
}


@dataclass(frozen=True)
class BackupSettings:
    folder: str = ""
    at: tuple = (time(3, 0),)
    keep: int = 7

    @property
    def scheduled(self):
        return bool(self.folder)


def times_of_day(raw):
    """The sorted, distinct ``datetime.time`` values of a comma-separated list of HH:MM[:SS]."""
    found = set()
    for item in raw.split(","):
        match = TIME_OF_DAY.match(item.strip())
        if not match:
            raise SettingsError(
                f"KAGGLE_HUB_BACKUP_AT={raw!r}: {item.strip()!r} is not a time of day; use "
                "HH:MM or HH:MM:SS, comma-separated, e.g. 03:00 or 03:00,13:30."
            )
        hour, minute, second = match.groups()
        found.add(time(int(hour), int(minute), int(second or 0)))
    return tuple(sorted(found))


def from_env(env):
    """``BackupSettings`` from the variables; SettingsError names a bad one."""
    keep = count(env, "KAGGLE_HUB_BACKUP_KEEP", 7)
    if keep < 1:
        raise SettingsError("KAGGLE_HUB_BACKUP_KEEP must be 1 or more.")
    raw_at = (env.get("KAGGLE_HUB_BACKUP_AT") or "").strip()
    return BackupSettings(
        folder=(env.get("KAGGLE_HUB_BACKUP_DIR") or "").strip(),
        at=times_of_day(raw_at) if raw_at else BackupSettings.at,
        keep=keep,
    )
